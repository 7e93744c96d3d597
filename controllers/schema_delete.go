package controllers

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
	"sigs.k8s.io/controller-runtime/pkg/log"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
)

// heldTarget is a target whose object could not be dropped yet.
type heldTarget struct {
	label  string
	why    string
	inUse  bool // the object is still used (a type by tables): only its users going lets it go
	reason string
}

// reconcileDelete applies the deletion policy, then releases the finalizer. With deletionPolicy
// Delete the object is dropped on every target, except where another resource of the kind owns
// it or takes it over once this one is gone (keptOnDelete), and where there is no connection
// left to reach it through (a Warning event says so). Targets that cannot be dropped yet hold the
// deletion: Ready=False with reason Deleting (a cluster cannot be reached) or InUse (the adapter
// says the object is still used), retried with backoff. The annotation
// cqlsync.io/skip-unreachable-on-delete lets go of unreachable targets, never of objects in use.
func (r *schemaReconciler[T, D]) reconcileDelete(ctx context.Context, obj T) (res ctrl.Result, retErr error) {
	if !controllerutil.ContainsFinalizer(obj, Finalizer) {
		return ctrl.Result{}, nil
	}
	name := obj.CQLName()
	if obj.EffectiveDeletionPolicy() != cqlv1.DeletionPolicyDelete {
		r.event(obj, corev1.EventTypeNormal, r.kind.eventPrefix+"Retained", "Delete",
			"deletionPolicy is Retain: %s %q and its data are left in Cassandra", r.kind.noun, name)
		return ctrl.Result{}, removeFinalizer(ctx, r.Client, obj)
	}
	targets, err := r.resolveTargets(ctx, obj, true)
	if err != nil {
		return ctrl.Result{}, err
	}
	owners, err := r.ownership(ctx, obj, targets)
	if err != nil {
		return ctrl.Result{}, err
	}
	held := make([][]heldTarget, len(targets))
	errs := make([]error, len(targets))
	var wg sync.WaitGroup
	for i, ct := range targets {
		wg.Go(func() { held[i], errs[i] = r.dropOnConnection(ctx, obj, ct, owners) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return ctrl.Result{}, err
	}
	var all []heldTarget
	for _, h := range held {
		all = append(all, h...)
	}
	skip := obj.GetAnnotations()[cqlv1.AnnotationSkipUnreachableOnDelete] == "true"
	var waiting []heldTarget
	for _, h := range all {
		if skip && !h.inUse {
			r.event(obj, corev1.EventTypeWarning, r.kind.eventPrefix+"NotDropped", eventAction(h.label, "not dropped"),
				"%s: %s %q was NOT dropped there (%s; annotation %s)", h.label, r.kind.noun, name, h.why, cqlv1.AnnotationSkipUnreachableOnDelete)
			continue
		}
		waiting = append(waiting, h)
	}
	if len(waiting) == 0 {
		return ctrl.Result{}, removeFinalizer(ctx, r.Client, obj)
	}

	before := obj.DeepCopyObject().(T)
	setSchemaStatus(obj.Schema(), outcome{hold: r.deletionHold(name, waiting)}, r.kind, obj.GetGeneration(), timestamp(r.now()))
	if err := r.patchStatus(ctx, before, obj); err != nil {
		return ctrl.Result{}, err
	}
	ready := meta.FindStatusCondition(obj.Schema().Conditions, cqlv1.ConditionReady)
	log.FromContext(ctx).Info("deletion waits", "reason", ready.Reason, "message", ready.Message)
	return ctrl.Result{RequeueAfter: retryAfter(ready.LastTransitionTime, r.now())}, nil
}

// deletionHold is the Ready condition while a deletion waits: InUse when an object is still used
// (only its users going lets it go), Deleting otherwise.
func (r *schemaReconciler[T, D]) deletionHold(name string, waiting []heldTarget) *problem {
	parts := make([]string, len(waiting))
	reason := cqlv1.ReasonDeleting
	for i, h := range waiting {
		parts[i] = h.label + " (" + h.why + ")"
		if h.inUse {
			reason = h.reason
		}
	}
	msg := fmt.Sprintf("deletionPolicy Delete: %s %q could not be dropped yet on %s; retrying. To let the resource go and leave the %s there, set spec.deletionPolicy: Retain",
		r.kind.noun, name, strings.Join(parts, "; "), r.kind.noun)
	if reason == cqlv1.ReasonDeleting {
		msg += fmt.Sprintf(" or the annotation %s: \"true\"", cqlv1.AnnotationSkipUnreachableOnDelete)
	} else {
		msg += ", or delete what still uses it"
	}
	return &problem{reason: reason, message: msg}
}

// dropOnConnection drops the object in each keyspace of one connection, except where another
// resource of the kind owns it or takes it over (owners). It returns what holds the deletion;
// nothing when the connection is done: dropped, kept, or skipped because there is no connection
// left to reach its cluster through. Only API-server errors are returned.
func (r *schemaReconciler[T, D]) dropOnConnection(ctx context.Context, obj T, ct connTarget, owners map[schemaTarget]targetOwnership) ([]heldTarget, error) {
	name := obj.CQLName()
	if ct.decided != nil {
		label := targetLabel(ct.name, "", ct.isDefault)
		// Nothing is left to reach that cluster through (or no keyspace to look in): waiting would
		// hang forever.
		var why string
		switch ct.decided.reason {
		case cqlv1.ReasonConnectionNotFound:
			why = fmt.Sprintf("CassandraConnection %q no longer exists (%s)", ct.name, ct.decided.message)
		case cqlv1.ReasonNoDefaultConnection:
			why = "no default CassandraConnection is left in the namespace"
		case cqlv1.ReasonNoDefaultKeyspace:
			why = ct.decided.message
		}
		if why != "" {
			r.event(obj, corev1.EventTypeWarning, r.kind.eventPrefix+"NotDropped", eventAction(label, "not dropped"),
				"%s: %s %q was NOT dropped on its cluster: %s", label, r.kind.noun, name, why)
			return nil, nil
		}
		return []heldTarget{{label: label, why: ct.decided.message}}, nil
	}
	var held []heldTarget
	for _, ks := range ct.keyspaces {
		label := targetLabel(ct.name, r.statusKeyspace(ks), false)
		if why := keptOnDelete(r.kind.kind, owners[r.schemaTarget(ct.name, ks, name)]); why != "" {
			r.event(obj, corev1.EventTypeNormal, r.kind.eventPrefix+"Kept", eventAction(label, "kept"),
				"%s: %s %q was not dropped: %s", label, r.kind.noun, name, why)
			continue
		}
		live, err := ct.cluster.Keyspace(ctx, ks)
		if err != nil {
			held = append(held, heldTarget{label: label, why: "reading system_schema: " + err.Error()})
			continue
		}
		p, inUse := r.adapter.drop(obj, ks, live)
		if inUse != nil {
			held = append(held, heldTarget{label: label, why: inUse.message, inUse: true, reason: inUse.reason})
			continue
		}
		applied, err := ct.cluster.Apply(ctx, ks, p)
		r.recordApplied(obj, label, applied)
		if err != nil {
			held = append(held, heldTarget{label: label, why: err.Error()})
		}
	}
	return held, nil
}
