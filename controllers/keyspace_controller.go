package controllers

import (
	"context"
	"time"

	"k8s.io/client-go/tools/events"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/predicate"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
	"github.com/cqlsync/cqlsync/internal/cql/apply"
)

// KeyspaceReconciler keeps a keyspace in sync on every target connection.
type KeyspaceReconciler struct {
	client.Client
	Registry SessionResolver
	// Executor runs the DDL; its per-connection locks must be shared with every other controller
	// that runs DDL.
	Executor *apply.Executor
	Recorder events.EventRecorder
	// ResyncInterval is how often a synced Keyspace re-reads the live keyspace to correct drift.
	ResyncInterval time.Duration

	now func() time.Time
}

// +kubebuilder:rbac:groups=cqlsync.io,resources=keyspaces,verbs=get;list;watch;update;patch
// +kubebuilder:rbac:groups=cqlsync.io,resources=keyspaces/status,verbs=get;update;patch
// +kubebuilder:rbac:groups=cqlsync.io,resources=keyspaces/finalizers,verbs=update
// +kubebuilder:rbac:groups=cqlsync.io,resources=cassandraconnections,verbs=get;list;watch
// +kubebuilder:rbac:groups=events.k8s.io,resources=events,verbs=create;patch

// Reconcile follows the skeleton of DESIGN.md: get, finalizer (and the default spec.name),
// snapshot, reconcileDelete or reconcileNormal, one status patch when the status changed.
// Targets that are not synced are retried with a backoff that grows with how long the Keyspace
// has not been Ready; a synced Keyspace re-reads the live keyspace every ResyncInterval.
func (r *KeyspaceReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	ks := &cqlv1.Keyspace{}
	if err := r.Get(ctx, req.NamespacedName, ks); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	if !ks.DeletionTimestamp.IsZero() {
		return r.reconcileDelete(ctx, ks)
	}
	if err := ensureFinalizerAndName(ctx, r.Client, ks, &ks.Spec.Name, cqlv1.DefaultKeyspaceName(ks.Name)); err != nil {
		return ctrl.Result{}, err
	}

	before := ks.DeepCopy()
	o, err := r.reconcileNormal(ctx, ks)
	if err != nil {
		return ctrl.Result{}, err // transient (API server); status untouched, controller-runtime backs off
	}
	setKeyspaceStatus(ks, o, timestamp(r.now()))
	r.recordEvents(before, ks, o)
	if err := patchStatus(ctx, r.Client, before, ks, keyspaceStatusOf); err != nil {
		return ctrl.Result{}, err
	}
	return nextSync(ks.Status.Conditions, r.now, r.ResyncInterval), nil
}

// keyspaceStatusOf is the status patchStatus compares.
func keyspaceStatusOf(o client.Object) any {
	return o.(*cqlv1.Keyspace).Status
}

// SetupWithManager registers the controller, its indexes (the TableModel controller uses its
// CQL-name index too) and its watches. It relies on the connection controller's default-connection
// index (indexConnDefault).
func (r *KeyspaceReconciler) SetupWithManager(ctx context.Context, mgr ctrl.Manager) error {
	if r.now == nil {
		r.now = time.Now
	}
	if r.ResyncInterval <= 0 {
		r.ResyncInterval = 5 * time.Minute
	}
	if r.Executor == nil {
		r.Executor = apply.Default
	}
	if err := indexKeyspaceFields(ctx, mgr.GetFieldIndexer()); err != nil {
		return err
	}
	return ctrl.NewControllerManagedBy(mgr).
		Named("keyspace").
		// Our own status patches do not trigger a reconcile; spec, deletion and annotation
		// changes (cqlsync.io/skip-unreachable-on-delete) do.
		For(&cqlv1.Keyspace{}, builder.WithPredicates(predicate.Or(
			predicate.GenerationChangedPredicate{}, predicate.AnnotationChangedPredicate{}))).
		// A connection that appears, becomes Ready, changes or goes away requeues its Keyspaces.
		Watches(&cqlv1.CassandraConnection{}, handler.EnqueueRequestsFromMapFunc(r.keyspacesForConnection), builder.WithPredicates(connectionUsable)).
		// A Keyspace that is created, changes its spec or goes away requeues the other Keyspaces
		// with the same CQL name: the owner of that keyspace may have changed.
		Watches(&cqlv1.Keyspace{}, handler.EnqueueRequestsFromMapFunc(r.keyspacesWithSameName),
			builder.WithPredicates(predicate.GenerationChangedPredicate{})).
		WithOptions(schemaControllerOptions()).
		Complete(r)
}
