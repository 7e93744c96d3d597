package controllers

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
	"github.com/cqlsync/cqlsync/internal/cql/plan"
)

// recordEvents emits an event for every statement applied, and a Warning when a target newly
// fails.
func (r *KeyspaceReconciler) recordEvents(before, after *cqlv1.Keyspace, o keyspaceOutcome) {
	prev := map[string]cqlv1.KeyspaceTarget{}
	for _, t := range before.Status.Targets {
		prev[t.Connection] = t
	}
	for _, t := range o.targets {
		for _, st := range t.applied {
			note := fmt.Sprintf("connection %s: %s", t.connection, st.Summary)
			if st.ReplicationChanged {
				note += "; " + repairHint
			}
			r.event(after, t.connection, corev1.EventTypeNormal, eventReason(st.Kind), string(st.Kind), "%s", note)
		}
		if t.state == cqlv1.TargetFailed {
			if p, ok := prev[t.connection]; !ok || p.State != t.state || p.Reason != t.reason {
				r.event(after, t.connection, corev1.EventTypeWarning, t.reason, "Sync", "connection %s: %s", t.connection, t.message)
			}
		}
	}
}

func eventReason(k plan.Kind) string {
	switch k {
	case plan.CreateKeyspace:
		return "KeyspaceCreated"
	case plan.AlterKeyspace:
		return "KeyspaceAltered"
	case plan.DropKeyspace:
		return "KeyspaceDropped"
	}
	return string(k)
}

// event records an event about a Keyspace. When it concerns one target, the connection is the
// event's related object: events that differ only by connection are then not merged into one
// series by the recorder (which ignores the note when it groups events).
func (r *KeyspaceReconciler) event(obj *cqlv1.Keyspace, connection, typ, reason, action, note string, args ...any) {
	if r.Recorder == nil {
		return
	}
	var related runtime.Object
	if connection != "" {
		related = &cqlv1.CassandraConnection{ObjectMeta: metav1.ObjectMeta{Namespace: obj.Namespace, Name: connection}}
	}
	r.Recorder.Eventf(obj, related, typ, reason, action, note, args...)
}
