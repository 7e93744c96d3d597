package controllers

import (
	"context"

	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
)

// Field indexes on Keyspace.
const (
	indexKsConnections = "cqlsync.io/connections"  // the names in spec.connections
	indexKsUsesDefault = "cqlsync.io/uses-default" // "true" when spec.connections is empty
)

// indexKeyspaceFields registers the Keyspace indexes that keyspacesForConnection lists by.
func indexKeyspaceFields(ctx context.Context, idx client.FieldIndexer) error {
	if err := idx.IndexField(ctx, &cqlv1.Keyspace{}, indexKsConnections, func(o client.Object) []string {
		return connectionNames(o.(*cqlv1.Keyspace).Spec.Connections)
	}); err != nil {
		return err
	}
	return idx.IndexField(ctx, &cqlv1.Keyspace{}, indexKsUsesDefault, func(o client.Object) []string {
		return usesDefaultIndex(o.(*cqlv1.Keyspace).Spec.Connections)
	})
}

// keyspacesForConnection maps a connection to the Keyspaces that name it and, for a default
// connection, to those that use the namespace default.
func (r *KeyspaceReconciler) keyspacesForConnection(ctx context.Context, o client.Object) []reconcile.Request {
	return requestsForConnection(ctx, r.Client, o, newKeyspaceList, indexKsConnections, indexKsUsesDefault)
}

func newKeyspaceList() client.ObjectList { return &cqlv1.KeyspaceList{} }
