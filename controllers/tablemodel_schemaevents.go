package controllers

import (
	"context"
	"slices"

	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
	"sigs.k8s.io/controller-runtime/pkg/source"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
	"github.com/cqlsync/cqlsync/internal/cql/registry"
)

// SchemaEvents is the part of the registry that reports the clusters' schema changes.
type SchemaEvents interface {
	OnSchemaChange(func(registry.SchemaChange))
	DefaultKey(namespace string) (registry.Key, error)
}

// schemaChangeSource turns the clusters' schema change events into reconciles of the TableModels
// that have a target on that connection, keyspace and table: a column dropped out of band is put
// back at once instead of at the next drift check. The events of our own DDL come back too; those
// reconciles find nothing to do and write nothing.
func (r *TableModelReconciler) schemaChangeSource(events SchemaEvents) source.Source {
	ch := make(chan event.TypedGenericEvent[registry.SchemaChange], 256)
	events.OnSchemaChange(func(c registry.SchemaChange) {
		select {
		case ch <- event.TypedGenericEvent[registry.SchemaChange]{Object: c}:
		default: // a burst larger than the buffer: the periodic drift check catches up
		}
	})
	return source.Channel(ch, handler.TypedEnqueueRequestsFromMapFunc(
		func(ctx context.Context, c registry.SchemaChange) []reconcile.Request {
			return r.tableModelsForSchemaChange(ctx, events, c)
		}))
}

// tableModelsForSchemaChange lists the TableModels of the connection's namespace that name the
// connection (or use the namespace default, when it is the default) and whose keyspaces and table
// match the change.
func (r *TableModelReconciler) tableModelsForSchemaChange(ctx context.Context, events SchemaEvents, c registry.SchemaChange) []reconcile.Request {
	var list cqlv1.TableModelList
	if err := r.List(ctx, &list, client.InNamespace(c.Key.Namespace)); err != nil {
		log.FromContext(ctx).Error(err, "listing table models for a schema change", "connection", c.Key.String())
		return nil
	}
	isDefault := false
	if k, err := events.DefaultKey(c.Key.Namespace); err == nil && k == c.Key {
		isDefault = true
	}
	var reqs []reconcile.Request
	for i := range list.Items {
		if schemaChangeConcerns(&list.Items[i], c, isDefault) {
			reqs = append(reqs, reconcile.Request{NamespacedName: client.ObjectKeyFromObject(&list.Items[i])})
		}
	}
	return reqs
}

// schemaChangeConcerns says whether a change on a connection's keyspace/table may affect tm. An
// empty spec.keyspaces means the connection's default keyspace, which the change cannot tell: such
// models are included.
func schemaChangeConcerns(tm *cqlv1.TableModel, c registry.SchemaChange, connIsDefault bool) bool {
	usesConn := slices.Contains(specConnNames(tm), c.Key.Name) || (len(tm.Spec.Connections) == 0 && connIsDefault)
	if !usesConn {
		return false
	}
	if ks := specKeyspaces(tm); len(ks) > 0 && !slices.Contains(ks, c.Keyspace) {
		return false
	}
	return c.Table == "" || c.Table == tm.TableName()
}
