package skeleton

import (
	"maps"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/predicate"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
)

// ConnectionUsable passes the events of a CassandraConnection or a ClusterCassandraConnection
// that can change what the resources using it may do: creation, deletion (and its start), a spec
// change, a change of the Ready condition or of the cluster's identity (ownership is decided by
// it), and an annotation change (a person's way to ask for a reconcile). The host list and schema
// versions a periodic refresh updates (every DDL changes the schema version) do not requeue every
// resource that uses the connection.
var ConnectionUsable = predicate.Funcs{
	UpdateFunc: func(e event.UpdateEvent) bool {
		before, ok1 := connStatus(e.ObjectOld)
		after, ok2 := connStatus(e.ObjectNew)
		if !ok1 || !ok2 {
			return true
		}
		if e.ObjectOld.GetGeneration() != e.ObjectNew.GetGeneration() ||
			e.ObjectOld.GetDeletionTimestamp().IsZero() != e.ObjectNew.GetDeletionTimestamp().IsZero() ||
			!maps.Equal(e.ObjectOld.GetAnnotations(), e.ObjectNew.GetAnnotations()) || before.ClusterID != after.ClusterID {
			return true
		}
		return ReadyChanged(before.Conditions, after.Conditions, true)
	},
}

// connStatus is the status of a connection of either kind.
func connStatus(o client.Object) (*cqlv1.CassandraConnectionStatus, bool) {
	switch c := o.(type) {
	case *cqlv1.CassandraConnection:
		return &c.Status, true
	case *cqlv1.ClusterCassandraConnection:
		return &c.Status, true
	}
	return nil, false
}

// ReadyChanged reports whether the Ready condition appeared, went, or changed its status or
// reason (or, with generation, the generation it describes) between two statuses.
func ReadyChanged(before, after []metav1.Condition, generation bool) bool {
	was := meta.FindStatusCondition(before, cqlv1.ConditionReady)
	is := meta.FindStatusCondition(after, cqlv1.ConditionReady)
	if was == nil || is == nil {
		return was != is
	}
	return was.Status != is.Status || was.Reason != is.Reason || (generation && was.ObservedGeneration != is.ObservedGeneration)
}
