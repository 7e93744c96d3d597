package controllers

import (
	"maps"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"k8s.io/apimachinery/pkg/api/meta"

	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/predicate"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
)

// connectionUsable passes the CassandraConnection events that can change what a Keyspace or
// TableModel may do: creation, deletion (and its start), a spec change, a change of the Ready
// condition, and an annotation change (a person's way to ask for a reconcile). The host list and schema versions a periodic refresh updates (every DDL changes the
// schema version) do not requeue every resource that uses the connection.
var connectionUsable = predicate.Funcs{
	UpdateFunc: func(e event.UpdateEvent) bool {
		before, ok1 := e.ObjectOld.(*cqlv1.CassandraConnection)
		after, ok2 := e.ObjectNew.(*cqlv1.CassandraConnection)
		if !ok1 || !ok2 {
			return true
		}
		if before.Generation != after.Generation || before.DeletionTimestamp.IsZero() != after.DeletionTimestamp.IsZero() ||
			!maps.Equal(before.Annotations, after.Annotations) {
			return true
		}
		return readyChanged(before.Status.Conditions, after.Status.Conditions, true)
	},
}

// readyChanged reports whether the Ready condition appeared, went, or changed its status or
// reason (or, with generation, the generation it describes) between two statuses.
func readyChanged(before, after []metav1.Condition, generation bool) bool {
	was := meta.FindStatusCondition(before, cqlv1.ConditionReady)
	is := meta.FindStatusCondition(after, cqlv1.ConditionReady)
	if was == nil || is == nil {
		return was != is
	}
	return was.Status != is.Status || was.Reason != is.Reason || (generation && was.ObservedGeneration != is.ObservedGeneration)
}
