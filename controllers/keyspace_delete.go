package controllers

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
	"github.com/cqlsync/cqlsync/internal/cql/apply"
	"github.com/cqlsync/cqlsync/internal/cql/plan"
	"github.com/cqlsync/cqlsync/internal/cql/registry"
)

// reconcileDelete applies the deletion policy, then releases the finalizer. With deletionPolicy
// Delete, a target that another Keyspace owns, or takes over once this one is gone, is kept
// (keptOnDelete).
func (r *KeyspaceReconciler) reconcileDelete(ctx context.Context, ks *cqlv1.Keyspace) (ctrl.Result, error) {
	if !controllerutil.ContainsFinalizer(ks, Finalizer) {
		return ctrl.Result{}, nil
	}
	name := ks.KeyspaceName()
	if ks.Spec.DeletionPolicyOrDefault() != cqlv1.DeletionPolicyDelete {
		r.event(ks, "", corev1.EventTypeNormal, "KeyspaceRetained", "Delete",
			"deletionPolicy is Retain: keyspace %q and its data are left in Cassandra", name)
		return ctrl.Result{}, removeFinalizer(ctx, r.Client, ks)
	}

	ts, err := r.targets(ctx, ks, true)
	if err != nil {
		return ctrl.Result{}, err
	}
	owners, err := r.keyspaceOwnership(ctx, ks, ts)
	if err != nil {
		return ctrl.Result{}, err
	}
	blocked := make([]string, len(ts))
	errs := make([]error, len(ts))
	var wg sync.WaitGroup
	for i, t := range ts {
		if t.decided == nil {
			if why := keptOnDelete("Keyspace", owners[keyspaceTarget(t.name, name)]); why != "" {
				r.event(ks, t.name, corev1.EventTypeNormal, "KeyspaceKept", "Delete",
					"connection %s: keyspace %q was not dropped: %s", t.name, name, why)
				continue
			}
		}
		wg.Go(func() { blocked[i], errs[i] = r.dropOnTarget(ctx, ks, t, name) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return ctrl.Result{}, err
	}
	var waiting []string
	for i, b := range blocked {
		if b == "" {
			continue
		}
		waiting = append(waiting, b)
		if ks.Annotations[cqlv1.AnnotationSkipUnreachableOnDelete] == "true" {
			r.event(ks, ts[i].name, corev1.EventTypeWarning, "KeyspaceNotDropped", "Delete",
				"%s: keyspace %q was NOT dropped there (annotation %s)", b, name, cqlv1.AnnotationSkipUnreachableOnDelete)
		}
	}
	if len(waiting) == 0 || ks.Annotations[cqlv1.AnnotationSkipUnreachableOnDelete] == "true" {
		return ctrl.Result{}, removeFinalizer(ctx, r.Client, ks)
	}

	before := ks.DeepCopy()
	setKeyspaceStatus(ks, keyspaceOutcome{deleting: fmt.Sprintf(
		"deletionPolicy Delete: keyspace %q could not be dropped yet on %s; retrying. To let the resource go and leave the keyspace there, set spec.deletionPolicy: Retain or the annotation %s: \"true\"",
		name, strings.Join(waiting, "; "), cqlv1.AnnotationSkipUnreachableOnDelete)}, timestamp(r.now()))
	if err := patchStatus(ctx, r.Client, before, ks, keyspaceStatusOf); err != nil {
		return ctrl.Result{}, err
	}
	ready := cqlv1.FindCondition(ks.Status.Conditions, cqlv1.ConditionReady)
	return ctrl.Result{RequeueAfter: retryAfter(ready.LastTransitionTime, r.now())}, nil
}

// dropOnTarget drops the keyspace through one connection. It returns "" when the target is done
// (dropped, or skipped because there is no connection left to reach it through), otherwise a
// description of what holds the deletion.
func (r *KeyspaceReconciler) dropOnTarget(ctx context.Context, ks *cqlv1.Keyspace, t target, name string) (string, error) {
	if t.decided != nil {
		if t.decided.reason == cqlv1.ReasonNoDefaultConnection {
			r.event(ks, "", corev1.EventTypeWarning, "KeyspaceNotDropped", "Delete",
				"no default CassandraConnection is left in the namespace: keyspace %q was not dropped anywhere", name)
			return "", nil
		}
		return "default connection (" + t.decided.message + ")", nil
	}
	conn := &cqlv1.CassandraConnection{}
	err := r.Get(ctx, types.NamespacedName{Namespace: ks.Namespace, Name: t.name}, conn)
	gone := apierrors.IsNotFound(err)
	if err != nil && !gone {
		return "", err
	}
	s, err := r.Registry.Resolve(ctx, ks.Namespace, t.name)
	if err == nil && s.Driver() == nil {
		err = fmt.Errorf("no driver session")
	}
	if err != nil {
		if gone || (!conn.DeletionTimestamp.IsZero() && errors.Is(err, registry.ErrNotRegistered)) {
			// Nothing is left to reach that cluster through: waiting would hang forever.
			r.event(ks, t.name, corev1.EventTypeWarning, "KeyspaceNotDropped", "Delete",
				"CassandraConnection %q no longer exists: keyspace %q was NOT dropped on its cluster", t.name, name)
			return "", nil
		}
		return fmt.Sprintf("%s (%v)", t.name, err), nil
	}
	applied, err := r.Executor.Apply(ctx, apply.TargetOf(s), plan.DropKeyspaceIfExists(name))
	for _, st := range applied {
		r.event(ks, t.name, corev1.EventTypeNormal, "KeyspaceDropped", string(st.Kind), "connection %s: %s", t.name, st.Summary)
	}
	if err != nil {
		return fmt.Sprintf("%s (%v)", t.name, err), nil
	}
	return "", nil
}
