package schemakind

import (
	"context"
	"errors"
	"fmt"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
	"github.com/cqlsync/cqlsync/controllers/skeleton"
	"github.com/cqlsync/cqlsync/internal/engine"
	"github.com/cqlsync/cqlsync/internal/metrics"
)

// +kubebuilder:rbac:groups=cqlsync.io,resources=keyspaces;tablemodels;usertypes;cassandraroles,verbs=get;list;watch;update;patch
// +kubebuilder:rbac:groups=cqlsync.io,resources=keyspaces/status;tablemodels/status;usertypes/status;cassandraroles/status,verbs=get;update;patch
// +kubebuilder:rbac:groups=cqlsync.io,resources=keyspaces/finalizers;tablemodels/finalizers;usertypes/finalizers;cassandraroles/finalizers,verbs=update
// +kubebuilder:rbac:groups="",resources=secrets,verbs=get;create;update

// Reconciler is the reconciler of one schema kind: the skeleton every cqlsync reconciler follows,
// around the kind's engine pipeline, which does all the work.
type Reconciler[T engine.Object] struct {
	client.Client
	Pipeline engine.Pipeline[T]
	// DriftInterval is how often a Ready resource re-reads the live schema to find drift: the
	// safety net of the schema change events, which requeue the resources a change concerns at
	// once. A re-read with no schema change costs nothing while events are heard (see
	// introspect.SchemaCache).
	DriftInterval time.Duration
	// SchemaEvents, when set, requeues the resources a cluster's schema change concerns.
	SchemaEvents SchemaEvents
	// APIReader reads objects written moments ago from the API server (see recentWrites).
	APIReader client.Reader

	written *recentWrites
	now     func() time.Time
}

// New makes the reconciler of a kind's pipeline.
func New[T engine.Object](c client.Client, p engine.Pipeline[T], apiReader client.Reader, driftInterval time.Duration, events SchemaEvents, now func() time.Time) *Reconciler[T] {
	if now == nil {
		now = time.Now
	}
	if driftInterval <= 0 {
		driftInterval = 5 * time.Minute
	}
	return &Reconciler[T]{Client: c, Pipeline: p, DriftInterval: driftInterval, SchemaEvents: events, APIReader: apiReader,
		written: newRecentWrites(now), now: now}
}

// Reconcile follows the skeleton of every cqlsync reconciler (cluster-api's): get, finalizer (and
// the default spec.name), snapshot, then the pipeline in mode Apply or, for an object being
// deleted, Delete; the status is computed from the outcome and patched once, in a defer that runs
// on every path, API-server errors included: what ran on Cassandra before an error always reaches
// status and events. Nothing is written when nothing changed. A deletion that is done releases the
// finalizer instead. A resource that is not Ready is retried with a backoff that grows with how
// long it has not been Ready (at most a minute: a Blocked target may be fixed by hand in
// Cassandra); a Ready one re-reads the live schema every DriftInterval.
func (r *Reconciler[T]) Reconcile(ctx context.Context, req ctrl.Request) (res ctrl.Result, retErr error) {
	kind := r.Pipeline.Kind()
	obj := r.Pipeline.NewObject()
	var reader client.Reader = r.Client
	if r.APIReader != nil && r.written.recent(req.NamespacedName) {
		reader = r.APIReader // the cache may not have our last write yet
	}
	if err := reader.Get(ctx, req.NamespacedName, obj); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	ctx = log.IntoContext(ctx, log.FromContext(ctx).WithValues(kind.Noun, obj.CQLName()))
	mode := engine.Apply
	if !obj.GetDeletionTimestamp().IsZero() {
		if !skeleton.HasFinalizer(obj) {
			return ctrl.Result{}, nil
		}
		mode = engine.Delete
	} else if wrote, err := skeleton.EnsureFinalizerAndName(ctx, r.Client, obj, obj.SpecName(), cqlv1.DefaultCQLName(obj.GetName())); err != nil {
		return ctrl.Result{}, fmt.Errorf("adding the finalizer to %s %s: %w", kind.Kind, req.NamespacedName, err)
	} else if wrote {
		r.written.wrote(req.NamespacedName)
	}

	before := obj.DeepCopyObject().(T)
	var o *engine.Outcome
	defer func() {
		if o == nil {
			return // nothing was planned: the status stays as it was
		}
		r.Pipeline.Report(before, obj, o)
		if o.Released() {
			if err := skeleton.RemoveFinalizer(ctx, r.Client, obj); err != nil {
				retErr = errors.Join(retErr, fmt.Errorf("removing the finalizer of %s %s: %w", kind.Kind, req.NamespacedName, err))
			}
			return
		}
		// What ran reaches status even when the manager is shutting down (ctx ended).
		pctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), statusWriteTimeout)
		defer cancel()
		if err := r.patchStatus(pctx, before, obj); err != nil {
			retErr = errors.Join(retErr, fmt.Errorf("writing the status of %s %s: %w", kind.Kind, req.NamespacedName, err))
		}
		if retErr == nil {
			res = nextSync(obj.Schema().Conditions, r.now, r.DriftInterval)
			if o.Replan() {
				res.RequeueAfter = time.Second
			}
			if mode == engine.Delete {
				ready := meta.FindStatusCondition(obj.Schema().Conditions, cqlv1.ConditionReady)
				log.FromContext(ctx).Info("deletion waits", "reason", ready.Reason, "message", ready.Message)
			}
		}
	}()
	w, err := r.Pipeline.Plan(ctx, obj, mode)
	if err != nil {
		return ctrl.Result{}, err
	}
	o = r.Pipeline.Execute(ctx, w)
	return ctrl.Result{}, w.Err()
}

// statusWriteTimeout bounds the status write that ends a reconcile.
const statusWriteTimeout = 10 * time.Second

// patchStatus writes obj's status when it differs from before's. A reconcile with nothing to
// report writes nothing.
func (r *Reconciler[T]) patchStatus(ctx context.Context, before, obj T) error {
	wrote, err := skeleton.PatchStatus(ctx, r.Client, before, obj, func(o client.Object) any {
		return r.Pipeline.Status(o.(T))
	})
	if wrote {
		r.written.wrote(client.ObjectKeyFromObject(obj))
		metrics.StatusWritten(r.Pipeline.Kind().Kind)
	}
	return err
}

// nextSync is when a resource is reconciled again: one that is not Ready is retried with a
// backoff that grows with how long it has not been Ready (skeleton.RetryAfter); a Ready one
// re-reads the live schema every interval, to correct drift.
func nextSync(conditions []metav1.Condition, now func() time.Time, interval time.Duration) ctrl.Result {
	ready := meta.FindStatusCondition(conditions, cqlv1.ConditionReady)
	if ready == nil || ready.Status != metav1.ConditionTrue {
		var since metav1.Time
		if ready != nil {
			since = ready.LastTransitionTime
		}
		return ctrl.Result{RequeueAfter: skeleton.RetryAfter(since, now())}
	}
	return ctrl.Result{RequeueAfter: interval}
}
