package schemakind

import (
	"context"
	"slices"

	corev1 "k8s.io/api/core/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
	"github.com/cqlsync/cqlsync/controllers/skeleton"
	"github.com/cqlsync/cqlsync/internal/engine"
)

// SetupWithManager registers the reconciler of the kind and its watches. The field indexes it
// lists by are registered once, by Setup.
func (r *Reconciler[T]) SetupWithManager(mgr ctrl.Manager) error {
	b := ctrl.NewControllerManagedBy(mgr).
		Named(r.Pipeline.Kind().Noun).
		// Our own status patches do not trigger a reconcile; spec, deletion and annotation changes
		// (cqlsync.io/skip-unreachable-on-delete, or a person asking for a reconcile) do.
		For(r.Pipeline.NewObject(), builder.WithPredicates(predicate.Or(
			predicate.GenerationChangedPredicate{}, predicate.AnnotationChangedPredicate{}))).
		// A connection that appears, becomes Ready, changes or goes away requeues the resources that
		// use it.
		Watches(&cqlv1.CassandraConnection{}, handler.EnqueueRequestsFromMapFunc(r.forConnection), builder.WithPredicates(skeleton.ConnectionUsable)).
		Watches(&cqlv1.ClusterCassandraConnection{}, handler.EnqueueRequestsFromMapFunc(r.forClusterConnection), builder.WithPredicates(skeleton.ConnectionUsable)).
		// A namespace's labels decide which ClusterCassandraConnections it may use, and its
		// annotation its default: a change requeues the namespace's resources.
		Watches(&corev1.Namespace{}, handler.EnqueueRequestsFromMapFunc(r.forNamespace), builder.WithPredicates(predicate.Or(
			predicate.LabelChangedPredicate{}, predicate.AnnotationChangedPredicate{}))).
		// A resource of the kind that is created, changes its spec or goes away requeues the others
		// with the same CQL name: the owner of that object may have changed.
		Watches(r.Pipeline.NewObject(), handler.EnqueueRequestsFromMapFunc(r.sameName),
			builder.WithPredicates(predicate.GenerationChangedPredicate{}))
	if r.Pipeline.Kind().PerKeyspace {
		// A Keyspace that becomes Ready requeues the resources that go into it.
		b = b.Watches(&cqlv1.Keyspace{}, handler.EnqueueRequestsFromMapFunc(r.forKeyspace))
	}
	if r.Pipeline.Kind().UsesTypes {
		// A UserType that syncs somewhere, changes or goes away requeues the resources that use its
		// type: they may be waiting for it (UserTypeNotFound).
		b = b.Watches(&cqlv1.UserType{}, handler.EnqueueRequestsFromMapFunc(r.forUserType), builder.WithPredicates(userTypeProgress))
	}
	if r.SchemaEvents != nil {
		// A schema change announced by a cluster (e.g. a column dropped out of band) requeues the
		// resources it concerns at once; the drift interval is the safety net.
		b = b.WatchesRawSource(r.schemaChangeSource(r.SchemaEvents))
	}
	return b.WithOptions(skeleton.SchemaControllerOptions()).Complete(r)
}

// forConnection maps a connection to the resources of its namespace that name it and, for a
// default connection, to those that use the namespace default. Updates call it with both the old
// and the new object, so a connection that stops being the default requeues them too.
func (r *Reconciler[T]) forConnection(ctx context.Context, o client.Object) []reconcile.Request {
	conn, ok := o.(*cqlv1.CassandraConnection)
	if !ok {
		return nil
	}
	reqs := skeleton.ListRequests(ctx, r.Client, r.Pipeline.NewList(), conn.Namespace, engine.IndexConnections, conn.Name)
	if conn.Spec.Default {
		reqs = append(reqs, skeleton.ListRequests(ctx, r.Client, r.Pipeline.NewList(), conn.Namespace, engine.IndexUsesDefault, "true")...)
	}
	return reqs
}

// forClusterConnection maps a ClusterCassandraConnection to the resources, in every namespace,
// that name it, and to those that use the default of a namespace whose annotation names it.
func (r *Reconciler[T]) forClusterConnection(ctx context.Context, o client.Object) []reconcile.Request {
	reqs := skeleton.ListRequests(ctx, r.Client, r.Pipeline.NewList(), "", engine.IndexConnections, cqlv1.ClusterScoped(o.GetName()).String())
	var namespaces corev1.NamespaceList
	if err := r.List(ctx, &namespaces); err != nil {
		log.FromContext(ctx).Error(err, "listing namespaces for a ClusterCassandraConnection", "connection", o.GetName())
		return reqs
	}
	for _, ns := range namespaces.Items {
		if ns.Annotations[cqlv1.AnnotationDefaultClusterConnection] == o.GetName() {
			reqs = append(reqs, skeleton.ListRequests(ctx, r.Client, r.Pipeline.NewList(), ns.Name, engine.IndexUsesDefault, "true")...)
		}
	}
	return reqs
}

// forNamespace maps a namespace to its resources of the kind.
func (r *Reconciler[T]) forNamespace(ctx context.Context, o client.Object) []reconcile.Request {
	list := r.Pipeline.NewList()
	if err := r.List(ctx, list, client.InNamespace(o.GetName())); err != nil {
		log.FromContext(ctx).Error(err, "listing the resources of a namespace", "namespace", o.GetName())
		return nil
	}
	return skeleton.RequestsFor(list)
}

// sameName maps a resource to the other resources of its kind, in every namespace, with the same
// CQL name: when it is created, changes its targets or goes away, who owns the object where may
// change (a duplicate takes over when its owner is gone).
func (r *Reconciler[T]) sameName(ctx context.Context, o client.Object) []reconcile.Request {
	so, ok := o.(cqlv1.SchemaObject)
	if !ok {
		return nil
	}
	reqs := skeleton.ListRequests(ctx, r.Client, r.Pipeline.NewList(), "", engine.IndexCQLName, so.CQLName())
	return slices.DeleteFunc(reqs, func(req reconcile.Request) bool { return req.NamespacedName == client.ObjectKeyFromObject(o) })
}

// forKeyspace maps a Ready Keyspace to the resources, in every namespace (a cluster may be
// shared), that name its CQL name in spec.keyspaces, and to those that use their connections'
// default keyspaces (the reconcile finds out whether that is this one, on the same cluster).
func (r *Reconciler[T]) forKeyspace(ctx context.Context, o client.Object) []reconcile.Request {
	ks, ok := o.(*cqlv1.Keyspace)
	if !ok || !cqlv1.IsReadyFor(ks.Status.Conditions, ks.Generation) {
		return nil
	}
	reqs := skeleton.ListRequests(ctx, r.Client, r.Pipeline.NewList(), "", engine.IndexKeyspaces, ks.CQLName())
	return append(reqs, skeleton.ListRequests(ctx, r.Client, r.Pipeline.NewList(), "", engine.IndexKeyspaces, engine.DefaultKeyspaces)...)
}

// forUserType maps a UserType to the resources, in every namespace, whose spec uses its type.
func (r *Reconciler[T]) forUserType(ctx context.Context, o client.Object) []reconcile.Request {
	ut, ok := o.(*cqlv1.UserType)
	if !ok {
		return nil
	}
	reqs := skeleton.ListRequests(ctx, r.Client, r.Pipeline.NewList(), "", engine.IndexUsesTypes, ut.CQLName())
	return slices.DeleteFunc(reqs, func(req reconcile.Request) bool { return req.NamespacedName == client.ObjectKeyFromObject(o) })
}

// userTypeProgress passes the UserType events that can unblock or change the resources that use
// its type: creation, deletion (and its start), a spec change, and a change in how many of its
// targets are synced or in its Ready condition. Its other status writes do not requeue them.
var userTypeProgress = predicate.Funcs{
	UpdateFunc: func(e event.UpdateEvent) bool {
		before, ok1 := e.ObjectOld.(*cqlv1.UserType)
		after, ok2 := e.ObjectNew.(*cqlv1.UserType)
		if !ok1 || !ok2 {
			return true
		}
		if before.Generation != after.Generation || before.DeletionTimestamp.IsZero() != after.DeletionTimestamp.IsZero() ||
			before.Status.TargetsSynced != after.Status.TargetsSynced {
			return true
		}
		return skeleton.ReadyChanged(before.Status.Conditions, after.Status.Conditions, false)
	},
}
