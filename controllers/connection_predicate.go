package controllers

import (
	"maps"

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
		was := cqlv1.FindCondition(before.Status.Conditions, cqlv1.ConditionReady)
		is := cqlv1.FindCondition(after.Status.Conditions, cqlv1.ConditionReady)
		if was == nil || is == nil {
			return was != is
		}
		return was.Status != is.Status || was.Reason != is.Reason || was.ObservedGeneration != is.ObservedGeneration
	},
}
