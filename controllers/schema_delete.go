package controllers

import (
	"context"
	"fmt"
	"strings"
	"sync"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
	"sigs.k8s.io/controller-runtime/pkg/log"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
	"github.com/cqlsync/cqlsync/internal/metrics"
)

// heldTarget is a target whose object could not be dropped yet.
type heldTarget struct {
	label  string
	why    string
	inUse  bool // the object is still used (a type by tables): only its users going lets it go
	reason string
}

// dropWork is one target of a deletion: the drop planned there, or why it cannot be dropped now.
type dropWork struct {
	label   string
	cluster Cluster
	gate    *gated
	held    *heldTarget
}

// reconcileDelete applies the deletion policy, then releases the finalizer. With deletionPolicy
// Delete the object is dropped on every target, except where another resource of the kind owns
// it or takes it over once this one is gone (keptOnDelete), and where there is no connection
// left to reach it through (a Warning event says so). The drops go through the approval gate like
// any change: under changePolicy Manual or AutoAdditive they wait for an approved plan, and a
// paused resource or a --dry-run manager runs none. Targets that cannot be dropped yet hold the
// deletion: Ready=False with reason Deleting (a cluster cannot be reached), InUse (the adapter
// says the object is still used), or why the drops wait (AwaitingApproval, Paused, DryRun),
// retried with backoff. The annotation cqlsync.io/skip-unreachable-on-delete lets go of
// unreachable targets, never of objects in use or drops that wait.
func (r *schemaReconciler[T, D]) reconcileDelete(ctx context.Context, obj T) (ctrl.Result, error) {
	if !controllerutil.ContainsFinalizer(obj, Finalizer) {
		return ctrl.Result{}, nil
	}
	name := obj.CQLName()
	if obj.EffectiveDeletionPolicy() != cqlv1.DeletionPolicyDelete {
		r.event(obj, corev1.EventTypeNormal, r.kind.eventPrefix+"Retained", "Delete",
			"deletionPolicy is Retain: %s %q and its data are left in Cassandra", r.kind.noun, name)
		metrics.Targets.Forget(r.kind.kind, qualifiedName(obj))
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
	works := make([][]*dropWork, len(targets))
	var wg sync.WaitGroup
	for i, ct := range targets {
		wg.Go(func() { works[i] = r.planDrops(ctx, obj, ct, owners) })
	}
	wg.Wait()
	var all []*dropWork
	var gates []*gated
	for _, ws := range works {
		for _, w := range ws {
			all = append(all, w)
			if w.gate != nil {
				gates = append(gates, w.gate)
			}
		}
	}
	decision := policyOf(obj, r.dryRun).decide(gates)
	r.runDrops(ctx, obj, all)

	skip := obj.GetAnnotations()[cqlv1.AnnotationSkipUnreachableOnDelete] == "true"
	var waiting []heldTarget
	for _, w := range all {
		switch {
		case w.held == nil:
		case skip && !w.held.inUse:
			r.event(obj, corev1.EventTypeWarning, r.kind.eventPrefix+"NotDropped", eventAction(w.label, "not dropped"),
				"%s: %s %q was NOT dropped there (%s; annotation %s)", w.label, r.kind.noun, name, w.held.why, cqlv1.AnnotationSkipUnreachableOnDelete)
		default:
			waiting = append(waiting, *w.held)
		}
	}
	if len(waiting) == 0 && decision.pending == nil {
		metrics.Targets.Forget(r.kind.kind, qualifiedName(obj))
		return ctrl.Result{}, removeFinalizer(ctx, r.Client, obj)
	}

	before := obj.DeepCopyObject().(T)
	o := outcome{hold: r.deletionHold(name, waiting, decision.pending), plan: decision.pending, complete: true}
	if o.plan != nil {
		o.proceed = howToProceed(r.kind.kind, obj.GetName(), o.plan)
		o.hold.message = o.proceed + "; " + o.hold.message
	}
	setSchemaStatus(obj.Schema(), o, r.kind, obj.GetGeneration(), timestamp(r.now()))
	r.recordPlanEvents(obj, before.Schema().Plan, o)
	if err := r.patchStatus(ctx, before, obj); err != nil {
		return ctrl.Result{}, err
	}
	ready := meta.FindStatusCondition(obj.Schema().Conditions, cqlv1.ConditionReady)
	log.FromContext(ctx).Info("deletion waits", "reason", ready.Reason, "message", ready.Message)
	return ctrl.Result{RequeueAfter: retryAfter(ready.LastTransitionTime, r.now())}, nil
}

// deletionHold is the Ready condition while a deletion waits: InUse when an object is still used
// (only its users going lets it go), else why the drops wait when a plan does, else Deleting.
func (r *schemaReconciler[T, D]) deletionHold(name string, waiting []heldTarget, pending *cqlv1.PendingPlan) *problem {
	parts := make([]string, 0, len(waiting)+1)
	reason := cqlv1.ReasonDeleting
	if pending != nil {
		reason = pending.Reason
		for _, t := range pending.Targets {
			parts = append(parts, targetLabel(t.Connection, t.Keyspace, false)+" (the drop waits: "+pending.Reason+")")
		}
	}
	for _, h := range waiting {
		parts = append(parts, h.label+" ("+h.why+")")
		if h.inUse {
			reason = h.reason
		}
	}
	msg := fmt.Sprintf("deletionPolicy Delete: %s %q could not be dropped yet on %s; retrying. To let the resource go and leave the %s there, set spec.deletionPolicy: Retain",
		r.kind.noun, name, strings.Join(parts, "; "), r.kind.noun)
	switch reason {
	case cqlv1.ReasonDeleting:
		msg += fmt.Sprintf(" or the annotation %s: \"true\"", cqlv1.AnnotationSkipUnreachableOnDelete)
	case cqlv1.ReasonInUse:
		msg += ", or delete what still uses it"
	}
	return &problem{reason: reason, message: msg}
}

// planDrops plans the drop of the object in each keyspace of one connection, except where another
// resource of the kind owns it or takes it over (owners). A connection with no cluster left to
// reach it through is skipped, with a Warning event; one that cannot be reached now holds.
func (r *schemaReconciler[T, D]) planDrops(ctx context.Context, obj T, ct connTarget, owners map[schemaTarget]targetOwnership) []*dropWork {
	name := obj.CQLName()
	if ct.decided != nil {
		label := targetLabel(ct.name, "", ct.isDefault)
		// Nothing is left to reach that cluster through (or no keyspace to look in): waiting would
		// hang forever.
		var why string
		switch ct.decided.reason {
		case cqlv1.ReasonConnectionNotFound:
			why = fmt.Sprintf("connection %q no longer exists (%s)", ct.name, ct.decided.message)
		case cqlv1.ReasonNoDefaultConnection:
			why = "no default CassandraConnection is left in the namespace"
		case cqlv1.ReasonNoDefaultKeyspace:
			why = ct.decided.message
		}
		if why != "" {
			r.event(obj, corev1.EventTypeWarning, r.kind.eventPrefix+"NotDropped", eventAction(label, "not dropped"),
				"%s: %s %q was NOT dropped on its cluster: %s", label, r.kind.noun, name, why)
			return nil
		}
		return []*dropWork{{label: label, held: &heldTarget{label: label, why: ct.decided.message}}}
	}
	var out []*dropWork
	for _, ks := range ct.keyspaces {
		label := targetLabel(ct.name, r.statusKeyspace(ks), false)
		if why := keptOnDelete(r.kind.kind, owners[r.schemaTarget(ct.clusterID, ks, name)]); why != "" {
			r.event(obj, corev1.EventTypeNormal, r.kind.eventPrefix+"Kept", eventAction(label, "kept"),
				"%s: %s %q was not dropped: %s", label, r.kind.noun, name, why)
			continue
		}
		w := &dropWork{label: label, cluster: ct.cluster}
		live, err := ct.cluster.Keyspace(ctx, ks)
		if err != nil {
			w.held = &heldTarget{label: label, why: "reading system_schema: " + err.Error()}
			out = append(out, w)
			continue
		}
		p, inUse := r.adapter.drop(obj, ks, live)
		if inUse != nil {
			w.held = &heldTarget{label: label, why: inUse.message, inUse: true, reason: inUse.reason}
		} else if len(p) > 0 {
			w.gate = &gated{connection: ct.name, keyspace: ks, object: r.object(ks, name), live: live, planned: p}
		}
		out = append(out, w)
	}
	return out
}

// runDrops runs the drops the gate let through, connections in parallel; a drop that fails holds
// its target.
func (r *schemaReconciler[T, D]) runDrops(ctx context.Context, obj T, works []*dropWork) {
	var wg sync.WaitGroup
	for _, w := range works {
		if w.gate == nil || len(w.gate.run) == 0 {
			continue
		}
		wg.Go(func() {
			applied, err := w.cluster.Apply(ctx, w.gate.object, w.gate.run)
			r.recordApplied(obj, w.label, applied)
			logWarnings(ctx, w.label, applied)
			if err != nil {
				w.held = &heldTarget{label: w.label, why: err.Error()}
			}
		})
	}
	wg.Wait()
}
