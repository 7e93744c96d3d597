package backfill

import (
	"context"
	"time"

	gocql "github.com/apache/cassandra-gocql-driver/v2"
	batchv1 "k8s.io/api/batch/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/tools/events"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/manager"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
	"sigs.k8s.io/controller-runtime/pkg/source"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
	"github.com/cqlsync/cqlsync/controllers/skeleton"
	"github.com/cqlsync/cqlsync/internal/cql/introspect"
	"github.com/cqlsync/cqlsync/internal/cql/registry"
	"github.com/cqlsync/cqlsync/internal/engine"
)

// Options configure the Backfill controller.
type Options struct {
	Client   client.Client
	Registry *registry.Registry
	// Clusters opens the clusters of the connections (the live schema, through the cache).
	Clusters engine.Clusters
	Recorder events.EventRecorder
	Jobs     JobOptions
}

// Setup registers the Backfill controller with the manager.
func Setup(mgr ctrl.Manager, o Options) error {
	log := mgr.GetLogger().WithName("backfill")
	runCtx, cancel := context.WithCancel(context.Background())
	r := &Reconciler{Client: o.Client, Recorder: o.Recorder, Jobs: o.Jobs, runners: newRunners(log), runCtx: runCtx, now: time.Now,
		Resolver: &Resolver{Client: o.Client, Clusters: o.Clusters,
			Session: func(ctx context.Context, key registry.Key) (*gocql.Session, error) {
				s, err := o.Registry.Get(ctx, key)
				if err != nil {
					return nil, err
				}
				if s.Driver() == nil {
					return nil, errNoDriver
				}
				return s.Driver(), nil
			},
			Keyspace: func(ctx context.Context, key registry.Key, _ *gocql.Session, ks string) (*introspect.KeyspaceSchema, error) {
				c, err := o.Clusters.Cluster(ctx, key.Namespace, key.Name)
				if err != nil {
					return nil, err
				}
				return c.Keyspace(ctx, ks)
			}}}
	// The copies stop with the manager (or when it stops leading).
	if err := mgr.Add(manager.RunnableFunc(func(ctx context.Context) error {
		<-ctx.Done()
		cancel()
		return nil
	})); err != nil {
		return err
	}
	b := ctrl.NewControllerManagedBy(mgr).
		For(&cqlv1.Backfill{}).
		Named("backfill").
		WithOptions(skeleton.SchemaControllerOptions()).
		WatchesRawSource(source.Channel(r.runners.notify, &handler.EnqueueRequestForObject{})).
		Watches(&cqlv1.TableModel{}, handler.EnqueueRequestsFromMapFunc(r.forTableModel))
	if o.Jobs.Namespace != "" {
		b = b.Watches(&batchv1.Job{}, handler.EnqueueRequestsFromMapFunc(forJob))
	}
	return b.Complete(r)
}

// forTableModel requests the Backfills of the namespace that copy from or into a TableModel.
func (r *Reconciler) forTableModel(ctx context.Context, o client.Object) []reconcile.Request {
	var list cqlv1.BackfillList
	if err := r.Client.List(ctx, &list, client.InNamespace(o.GetNamespace())); err != nil {
		return nil
	}
	var out []reconcile.Request
	for _, b := range list.Items {
		if b.Spec.Target.TableModel == o.GetName() || b.Spec.Source.TableModel == o.GetName() {
			out = append(out, reconcile.Request{NamespacedName: types.NamespacedName{Namespace: b.Namespace, Name: b.Name}})
		}
	}
	return out
}

// forJob requests the Backfill of a workers' Job.
func forJob(_ context.Context, o client.Object) []reconcile.Request {
	l := o.GetLabels()
	if l[LabelBackfillName] == "" {
		return nil
	}
	return []reconcile.Request{{NamespacedName: types.NamespacedName{Namespace: l[LabelBackfillNamespace], Name: l[LabelBackfillName]}}}
}
