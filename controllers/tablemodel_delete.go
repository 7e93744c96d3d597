package controllers

import (
	"context"
	"fmt"
	"strings"
	"sync"

	corev1 "k8s.io/api/core/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
	"github.com/cqlsync/cqlsync/internal/cql/apply"
	"github.com/cqlsync/cqlsync/internal/cql/plan"
)

// reconcileDelete applies the deletion policy, then releases the finalizer. With deletionPolicy
// Delete, a target that another TableModel owns, or takes over once this one is gone, is kept
// (keptOnDelete).
func (r *TableModelReconciler) reconcileDelete(ctx context.Context, tm *cqlv1.TableModel) (ctrl.Result, error) {
	if !controllerutil.ContainsFinalizer(tm, Finalizer) {
		return ctrl.Result{}, nil
	}
	table := tm.TableName()
	if tm.Spec.DeletionPolicyOrDefault() != cqlv1.DeletionPolicyDelete {
		r.event(tm, corev1.EventTypeNormal, "TableRetained", "Delete",
			"deletionPolicy is Retain: table %q and its data are left in Cassandra", table)
		return ctrl.Result{}, removeFinalizer(ctx, r.Client, tm)
	}
	conns, err := r.connections(ctx, tm, true)
	if err != nil {
		return ctrl.Result{}, err
	}
	owners, err := r.tableOwnership(ctx, tm, conns)
	if err != nil {
		return ctrl.Result{}, err
	}
	waiting := make([][]string, len(conns))
	var wg sync.WaitGroup
	for i, tc := range conns {
		wg.Go(func() { waiting[i] = r.dropOnConnection(ctx, tm, tc, table, owners) })
	}
	wg.Wait()
	var held []string
	for _, w := range waiting {
		held = append(held, w...)
	}
	if len(held) == 0 {
		return ctrl.Result{}, removeFinalizer(ctx, r.Client, tm)
	}
	if tm.Annotations[cqlv1.AnnotationSkipUnreachableOnDelete] == "true" {
		for _, w := range held {
			r.event(tm, corev1.EventTypeWarning, "TableNotDropped", "Delete",
				"%s: table %q was NOT dropped there (annotation %s)", w, table, cqlv1.AnnotationSkipUnreachableOnDelete)
		}
		return ctrl.Result{}, removeFinalizer(ctx, r.Client, tm)
	}
	before := tm.DeepCopy()
	setTableModelStatus(tm, tableModelOutcome{deleting: fmt.Sprintf(
		"deletionPolicy Delete: table %q could not be dropped yet on %s; retrying. To let the resource go and leave the table there, set spec.deletionPolicy: Retain or the annotation %s: \"true\"",
		table, strings.Join(held, "; "), cqlv1.AnnotationSkipUnreachableOnDelete)}, timestamp(r.now()))
	if err := patchStatus(ctx, r.Client, before, tm, tableModelStatusOf); err != nil {
		return ctrl.Result{}, err
	}
	ready := cqlv1.FindCondition(tm.Status.Conditions, cqlv1.ConditionReady)
	return ctrl.Result{RequeueAfter: retryAfter(ready.LastTransitionTime, r.now())}, nil
}

// dropOnConnection drops the table in each keyspace of one connection, except where another
// TableModel owns it or takes it over (owners). It returns what holds the deletion (targets that
// could not be reached), nothing when the connection is done: dropped, kept, or skipped because
// there is no connection left to reach its cluster through.
func (r *TableModelReconciler) dropOnConnection(ctx context.Context, tm *cqlv1.TableModel, tc tableConn, table string, owners map[schemaTarget]targetOwnership) []string {
	if tc.session == nil {
		switch tc.decided.reason {
		case cqlv1.ReasonConnectionNotFound, cqlv1.ReasonNoDefaultConnection, cqlv1.ReasonNoDefaultKeyspace:
			// Nothing is left to reach that cluster through (or no keyspace to look in): waiting
			// would hang forever.
			r.event(tm, corev1.EventTypeWarning, "TableNotDropped", "Delete",
				"%s: table %q was NOT dropped (%s)", connLabel(tc.name), table, tc.decided.message)
			return nil
		}
		return []string{fmt.Sprintf("%s (%s)", connLabel(tc.name), tc.decided.message)}
	}
	var held []string
	at := apply.TargetOf(tc.session)
	for _, ks := range tc.keyspaces {
		label := tc.name + "/" + ks
		if why := keptOnDelete("TableModel", owners[tableTarget(tc.name, ks, table)]); why != "" {
			r.event(tm, corev1.EventTypeNormal, "TableKept", eventAction(label, "kept"),
				"%s: table %q was not dropped: %s", label, table, why)
			continue
		}
		applied, err := r.Executor.Apply(ctx, at, plan.DropTableIfExists(ks, table))
		for _, st := range applied {
			r.event(tm, corev1.EventTypeNormal, "TableDropped", eventAction(label, st.Summary), "%s: %s", label, st.Summary)
		}
		if err != nil {
			held = append(held, fmt.Sprintf("%s/%s (%v)", tc.name, ks, err))
		}
	}
	return held
}

func connLabel(name string) string {
	if name == "" {
		return "default connection"
	}
	return "connection " + name
}
