package controllers

import (
	"context"
	"errors"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/events"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
	"github.com/cqlsync/cqlsync/internal/metrics"
)

// schemaReconciler is the one reconciler of Keyspace, TableModel and UserType: the pipeline of
// DESIGN.md, with the kind's adapter supplying what differs.
type schemaReconciler[T schemaObject, D any] struct {
	client.Client
	adapter  kindAdapter[T, D]
	kind     kindInfo
	objects  kindObjects[T]
	Clusters Clusters
	Recorder events.EventRecorder
	// DriftInterval is how often a Ready resource re-reads the live schema to find drift: the
	// safety net of the schema change events, which requeue the resources a change concerns at
	// once. A re-read with no schema change costs nothing while events are heard (see
	// introspect.SchemaCache).
	DriftInterval time.Duration
	// SchemaEvents, when set, requeues the resources a cluster's schema change concerns.
	SchemaEvents SchemaEvents
	// dryRun: plan and report, never execute DDL (the manager's --dry-run).
	dryRun bool
	// apiReader and written: an object written moments ago is read from the API server.
	apiReader client.Reader
	written   *recentWrites

	now func() time.Time
}

func newSchemaReconciler[T schemaObject, D any](c client.Client, kind kindInfo, objects kindObjects[T], a kindAdapter[T, D], opts reconcilerOptions) *schemaReconciler[T, D] {
	r := &schemaReconciler[T, D]{
		Client: c, adapter: a, kind: kind, objects: objects,
		Clusters: opts.clusters, Recorder: opts.recorder, DriftInterval: opts.driftInterval, SchemaEvents: opts.schemaEvents,
		dryRun: opts.dryRun, now: opts.now, apiReader: opts.apiReader,
	}
	if r.now == nil {
		r.now = time.Now
	}
	r.written = newRecentWrites(r.now)
	if r.DriftInterval <= 0 {
		r.DriftInterval = 5 * time.Minute
	}
	return r
}

// reconcilerOptions are what Setup gives every schema reconciler.
type reconcilerOptions struct {
	clusters      Clusters
	recorder      events.EventRecorder
	driftInterval time.Duration
	schemaEvents  SchemaEvents
	dryRun        bool
	now           func() time.Time
	// apiReader reads from the API server, for objects written moments ago (see recentWrites).
	apiReader client.Reader
}

// Reconcile follows the skeleton of DESIGN.md (cluster-api's): get, deletion, finalizer (and the
// default spec.name), then reconcileNormal, with the status computed from the outcome and
// patched once in a defer that runs on every path, API-server errors included: what ran on
// Cassandra before an error always reaches status and events. Nothing is written when nothing
// changed. A resource that is not Ready is retried with a backoff that grows with how long it
// has not been Ready (at most a minute: a Blocked target may be fixed by hand in Cassandra); a
// Ready one re-reads the live schema every DriftInterval.
func (r *schemaReconciler[T, D]) Reconcile(ctx context.Context, req ctrl.Request) (res ctrl.Result, retErr error) {
	obj := r.objects.newObject()
	var reader client.Reader = r.Client
	if r.apiReader != nil && r.written.recent(req.NamespacedName) {
		reader = r.apiReader // the cache may not have our last write yet
	}
	if err := reader.Get(ctx, req.NamespacedName, obj); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	ctx = log.IntoContext(ctx, log.FromContext(ctx).WithValues(r.kind.noun, obj.CQLName()))
	if !obj.GetDeletionTimestamp().IsZero() {
		return r.reconcileDelete(ctx, obj)
	}
	name := obj.SpecName()
	if wrote, err := ensureFinalizerAndName(ctx, r.Client, obj, name, cqlv1.DefaultCQLName(obj.GetName())); err != nil {
		return ctrl.Result{}, err
	} else if wrote {
		r.written.wrote(req.NamespacedName)
	}

	before := obj.DeepCopyObject().(T)
	o := &outcome{name: obj.CQLName()}
	defer func() {
		setSchemaStatus(obj.Schema(), *o, r.kind, obj.GetGeneration(), timestamp(r.now()))
		*r.objects.statusName(obj) = o.name
		r.recordEvents(obj, before.Schema().Targets, o.targets)
		r.recordPlanEvents(obj, before.Schema().Plan, *o)
		r.recordMetrics(before, obj, o.targets)
		// What ran reaches status even when the manager is shutting down (ctx ended).
		pctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), statusWriteTimeout)
		defer cancel()
		if err := r.patchStatus(pctx, before, obj); err != nil {
			retErr = errors.Join(retErr, err)
		}
		if retErr == nil {
			res = nextSync(obj.Schema().Conditions, r.now, r.DriftInterval)
			if o.replan {
				res.RequeueAfter = time.Second
			}
		}
	}()
	return ctrl.Result{}, r.reconcileNormal(ctx, obj, o)
}

// statusWriteTimeout bounds the status write that ends a reconcile.
const statusWriteTimeout = 10 * time.Second

// patchStatus writes obj's status (the shared part and the kind's name field) when it differs
// from before's. A reconcile with nothing to report writes nothing.
func (r *schemaReconciler[T, D]) patchStatus(ctx context.Context, before, obj T) error {
	wrote, err := patchStatus(ctx, r.Client, before, obj, func(o client.Object) any {
		t := o.(T)
		return []any{*t.Schema(), *r.objects.statusName(t)}
	})
	if wrote {
		r.written.wrote(client.ObjectKeyFromObject(obj))
		metrics.StatusWritten(r.kind.kind)
	}
	return err
}

// recordMetrics publishes the states of the resource's targets, and counts the targets on which
// statements ran to set back drift: the spec was already in sync with the cluster (its generation
// observed) and the target was Synced before.
func (r *schemaReconciler[T, D]) recordMetrics(before, obj T, targets []targetOutcome) {
	states := make([]string, 0, len(obj.Schema().Targets))
	for _, t := range obj.Schema().Targets {
		states = append(states, string(t.State))
	}
	metrics.Targets.Set(r.kind.kind, qualifiedName(obj), states)
	if before.Schema().ObservedGeneration != obj.GetGeneration() {
		return
	}
	prev := map[string]cqlv1.TargetState{}
	for _, t := range before.Schema().Targets {
		prev[targetKey(t.Connection, t.Keyspace)] = t.State
	}
	for _, t := range targets {
		if len(t.applied) > 0 && prev[targetKey(t.connection, t.keyspace)] == cqlv1.TargetSynced {
			metrics.DriftCorrected(r.kind.kind)
		}
	}
}

// nextSync is when a resource is reconciled again: one that is not Ready is retried with a
// backoff that grows with how long it has not been Ready (retryAfter); a Ready one re-reads the
// live schema every interval, to correct drift.
func nextSync(conditions []metav1.Condition, now func() time.Time, interval time.Duration) ctrl.Result {
	ready := meta.FindStatusCondition(conditions, cqlv1.ConditionReady)
	if ready == nil || ready.Status != metav1.ConditionTrue {
		var since metav1.Time
		if ready != nil {
			since = ready.LastTransitionTime
		}
		return ctrl.Result{RequeueAfter: retryAfter(since, now())}
	}
	return ctrl.Result{RequeueAfter: interval}
}
