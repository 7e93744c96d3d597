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
	"github.com/cqlsync/cqlsync/internal/cql/introspect"
)

// TableModelReconciler keeps a table in sync on every target: each of its connections times each
// of its keyspaces.
type TableModelReconciler struct {
	client.Client
	Registry SessionResolver
	// Executor runs the DDL; it must be the one the Keyspace controller uses, so that DDL on a
	// cluster is serialised across both.
	Executor *apply.Executor
	// Schemas caches the live schema per connection and keyspace until the schema version changes.
	Schemas  *introspect.SchemaCache
	Recorder events.EventRecorder
	// DriftInterval is how often a TableModel re-reads the live schema to find drift (a column
	// dropped out of band, an option changed, ...). A re-read with no schema change costs one
	// query (the schema version) per target.
	DriftInterval time.Duration
	// SchemaEvents, when set, requeues the TableModels a cluster's schema change concerns.
	SchemaEvents SchemaEvents

	now func() time.Time
}

// +kubebuilder:rbac:groups=cqlsync.io,resources=tablemodels,verbs=get;list;watch;update;patch
// +kubebuilder:rbac:groups=cqlsync.io,resources=tablemodels/status,verbs=get;update;patch
// +kubebuilder:rbac:groups=cqlsync.io,resources=tablemodels/finalizers,verbs=update
// +kubebuilder:rbac:groups=cqlsync.io,resources=keyspaces,verbs=get;list;watch
// +kubebuilder:rbac:groups=cqlsync.io,resources=cassandraconnections,verbs=get;list;watch
// +kubebuilder:rbac:groups=events.k8s.io,resources=events,verbs=create;patch

// Reconcile follows the skeleton of DESIGN.md: get, finalizer (and the default spec.name),
// snapshot, reconcileDelete or reconcileNormal, one status patch when the status changed.
// A TableModel that is not Ready is retried with a backoff that grows with how long it has not
// been Ready (at most a minute, whatever the cause: a Blocked target may be fixed by hand in
// Cassandra, a missing user-defined type may be created); a Ready one re-reads the live schema
// every DriftInterval.
func (r *TableModelReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	tm := &cqlv1.TableModel{}
	if err := r.Get(ctx, req.NamespacedName, tm); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	if !tm.DeletionTimestamp.IsZero() {
		return r.reconcileDelete(ctx, tm)
	}
	if err := ensureFinalizerAndName(ctx, r.Client, tm, &tm.Spec.Name, cqlv1.DefaultTableName(tm.Name)); err != nil {
		return ctrl.Result{}, err
	}

	before := tm.DeepCopy()
	o, err := r.reconcileNormal(ctx, tm)
	if err != nil {
		return ctrl.Result{}, err // transient (API server); status untouched, controller-runtime backs off
	}
	setTableModelStatus(tm, o, timestamp(r.now()))
	r.recordEvents(before, tm, o)
	if err := patchStatus(ctx, r.Client, before, tm, tableModelStatusOf); err != nil {
		return ctrl.Result{}, err
	}
	return nextSync(tm.Status.Conditions, r.now, r.DriftInterval), nil
}

// tableModelStatusOf is the status patchStatus compares.
func tableModelStatusOf(o client.Object) any {
	return o.(*cqlv1.TableModel).Status
}

// SetupWithManager registers the controller, its indexes and its watches. It relies on the
// connection controller's default-connection index (indexConnDefault) and on the Keyspace
// controller's CQL-name index (indexKsCQLName).
func (r *TableModelReconciler) SetupWithManager(ctx context.Context, mgr ctrl.Manager) error {
	if r.now == nil {
		r.now = time.Now
	}
	if r.DriftInterval <= 0 {
		r.DriftInterval = 5 * time.Minute
	}
	if r.Executor == nil {
		r.Executor = apply.Default
	}
	if r.Schemas == nil {
		r.Schemas = introspect.DefaultSchemaCache
	}
	if err := indexTableModelFields(ctx, mgr.GetFieldIndexer()); err != nil {
		return err
	}
	b := ctrl.NewControllerManagedBy(mgr)
	if r.SchemaEvents != nil {
		// A schema change announced by a cluster (e.g. a column dropped out of band) requeues the
		// TableModels it concerns at once; the drift interval is the safety net.
		b = b.WatchesRawSource(r.schemaChangeSource(r.SchemaEvents))
	}
	return b.
		Named("tablemodel").
		// Our own status patches do not trigger a reconcile; spec, deletion and annotation
		// changes do.
		For(&cqlv1.TableModel{}, builder.WithPredicates(predicate.Or(
			predicate.GenerationChangedPredicate{}, predicate.AnnotationChangedPredicate{}))).
		// A connection that appears, becomes Ready, changes or goes away requeues its TableModels.
		Watches(&cqlv1.CassandraConnection{}, handler.EnqueueRequestsFromMapFunc(r.tableModelsForConnection), builder.WithPredicates(connectionUsable)).
		// A Keyspace that becomes Ready requeues the TableModels that go into it.
		Watches(&cqlv1.Keyspace{}, handler.EnqueueRequestsFromMapFunc(r.tableModelsForKeyspace)).
		// A TableModel that is created, changes its spec or goes away requeues the other
		// TableModels with the same table name: the owner of that table may have changed.
		Watches(&cqlv1.TableModel{}, handler.EnqueueRequestsFromMapFunc(r.tableModelsWithSameTable),
			builder.WithPredicates(predicate.GenerationChangedPredicate{})).
		WithOptions(schemaControllerOptions()).
		Complete(r)
}
