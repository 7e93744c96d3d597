package schemakind

import (
	"context"
	"slices"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
	"sigs.k8s.io/controller-runtime/pkg/source"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
	"github.com/cqlsync/cqlsync/internal/cql/registry"
	"github.com/cqlsync/cqlsync/internal/engine"
)

// SchemaEvents is the part of the registry that reports the clusters' schema changes.
type SchemaEvents interface {
	OnSchemaChange(func(registry.SchemaChange))
	DefaultKey(namespace string) (registry.Key, error)
}

// schemaChangeSource turns the clusters' schema change events into reconciles of the resources of
// the kind that have a target the change concerns: a column or a type dropped out of band is put
// back at once instead of at the next drift check. The events of our own DDL come back too; those
// reconciles find nothing to do and write nothing.
func (r *Reconciler[T]) schemaChangeSource(events SchemaEvents) source.Source {
	ch := make(chan event.TypedGenericEvent[registry.SchemaChange], 256)
	events.OnSchemaChange(func(c registry.SchemaChange) {
		select {
		case ch <- event.TypedGenericEvent[registry.SchemaChange]{Object: c}:
		default: // a burst larger than the buffer: the periodic drift check catches up
		}
	})
	return source.Channel(ch, handler.TypedEnqueueRequestsFromMapFunc(
		func(ctx context.Context, c registry.SchemaChange) []reconcile.Request {
			return r.forSchemaChange(ctx, events, c)
		}))
}

// forSchemaChange lists the resources of the kind that the change concerns: in the connection's
// namespace, or in every namespace for a ClusterCassandraConnection. A change to one table or type
// looks only at the resources of that name (a field index), not at every resource: a rollout of N
// tables brings N events, and listing (and copying) all N resources for each was quadratic.
func (r *Reconciler[T]) forSchemaChange(ctx context.Context, events SchemaEvents, c registry.SchemaChange) []reconcile.Request {
	name, none := changeCandidates(r.Pipeline.Kind(), c)
	if none {
		return nil
	}
	list := r.Pipeline.NewList()
	// Read only: the cache's objects are not copied.
	opts := []client.ListOption{client.UnsafeDisableDeepCopy}
	if c.Key.Namespace != "" {
		opts = append(opts, client.InNamespace(c.Key.Namespace))
	}
	if name != "" {
		opts = append(opts, client.MatchingFields{engine.IndexCQLName: name})
	}
	if err := r.List(ctx, list, opts...); err != nil {
		log.FromContext(ctx).Error(err, "listing resources for a schema change", "kind", r.Pipeline.Kind().Kind, "connection", c.Key.String())
		return nil
	}
	// A ClusterCassandraConnection may be the default of any namespace (its annotation): count it
	// as one, at the cost of a reconcile that finds nothing to do.
	isDefault := c.Key.Namespace == ""
	if k, err := events.DefaultKey(c.Key.Namespace); err == nil && k == c.Key {
		isDefault = true
	}
	var reqs []reconcile.Request
	_ = meta.EachListItem(list, func(o runtime.Object) error {
		if so, ok := o.(engine.Object); ok && schemaChangeConcerns(so, r.Pipeline.Kind(), c, isDefault) {
			reqs = append(reqs, reconcile.Request{NamespacedName: client.ObjectKeyFromObject(so)})
		}
		return nil
	})
	return reqs
}

// changeCandidates narrows the resources of the kind that a change may concern (schemaChangeConcerns
// decides among them): those whose CQL name is name, every one (name ""), or none.
func changeCandidates(kind engine.Kind, c registry.SchemaChange) (name string, none bool) {
	switch {
	case c.Resync(), c.Table == "" && c.Type == "":
		return "", false // anything on the connection, or a keyspace itself
	case !kind.PerKeyspace:
		return "", true // a Keyspace is concerned by its keyspace's own changes only
	case kind.DropWaitsForTables && c.Table != "":
		return "", false // a type being deleted waits for any table of its keyspace
	case kind.ChangedName == nil:
		return "", true
	}
	if n := kind.ChangedName(c); n != "" {
		return n, false
	}
	return "", true // a type's change, for tables (or the reverse)
}

// schemaChangeConcerns says whether a change seen through a connection, on a keyspace, table or
// type (or a resync: anything), may affect obj, a resource of the kind. An empty spec.keyspaces means the connection's
// default keyspace, which the change cannot tell: such resources are included.
//   - A Keyspace is concerned by the changes of its keyspace itself.
//   - A TableModel by those of its table, and of its keyspace itself.
//   - A UserType by those of its type, and of its keyspace itself; and, while it is being deleted
//     and waits for the tables that use its type, by those of any table of its keyspace.
func schemaChangeConcerns(obj cqlv1.SchemaObject, kind engine.Kind, c registry.SchemaChange, connIsDefault bool) bool {
	refs := obj.TargetConnections()
	uses := slices.ContainsFunc(refs, func(ref cqlv1.ConnectionRef) bool { return engine.KeyOf(obj.GetNamespace(), ref) == c.Key })
	if !uses && (len(refs) > 0 || !connIsDefault) {
		return false
	}
	if c.Resync() {
		return true // its events were interrupted: anything on the connection may have changed
	}
	keyspaceLevel := c.Table == "" && c.Type == ""
	if !kind.PerKeyspace {
		return keyspaceLevel && c.Keyspace == obj.CQLName()
	}
	if ks := obj.TargetKeyspaces(); len(ks) > 0 && !slices.Contains(ks, cqlv1.KeyspaceName(c.Keyspace)) {
		return false
	}
	switch {
	case keyspaceLevel, kind.ChangedName != nil && kind.ChangedName(c) == obj.CQLName():
		return true
	case kind.DropWaitsForTables:
		return c.Table != "" && obj.GetDeletionTimestamp() != nil
	}
	return false
}
