package controllers

import (
	"context"

	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
)

// Field indexes on Keyspace.
const (
	indexKsConnections = "cqlsync.io/connections"   // the names in spec.connections
	indexKsUsesDefault = "cqlsync.io/uses-default"  // "true" when spec.connections is empty
	indexKsCQLName     = "cqlsync.io/keyspace-name" // the effective CQL name
)

// indexKeyspaceFields registers the Keyspace indexes: those keyspacesForConnection lists by, and
// the CQL name, which keyspacesWithSameName, the ownership of a keyspace and the TableModel
// controller (missingKeyspaceMessage) list by.
func indexKeyspaceFields(ctx context.Context, idx client.FieldIndexer) error {
	for field, fn := range map[string]client.IndexerFunc{
		indexKsConnections: func(o client.Object) []string {
			return connectionNames(o.(*cqlv1.Keyspace).Spec.Connections)
		},
		indexKsUsesDefault: func(o client.Object) []string {
			return usesDefaultIndex(o.(*cqlv1.Keyspace).Spec.Connections)
		},
		indexKsCQLName: func(o client.Object) []string {
			return []string{o.(*cqlv1.Keyspace).KeyspaceName()}
		},
	} {
		if err := idx.IndexField(ctx, &cqlv1.Keyspace{}, field, fn); err != nil {
			return err
		}
	}
	return nil
}

// keyspacesForConnection maps a connection to the Keyspaces that name it and, for a default
// connection, to those that use the namespace default.
func (r *KeyspaceReconciler) keyspacesForConnection(ctx context.Context, o client.Object) []reconcile.Request {
	return requestsForConnection(ctx, r.Client, o, newKeyspaceList, indexKsConnections, indexKsUsesDefault)
}

// keyspacesWithSameName maps a Keyspace to the other Keyspaces of its namespace with the same CQL
// name: when it is created, changes its connections or goes away, who owns the keyspace where may
// change (a duplicate takes over when its owner is gone).
func (r *KeyspaceReconciler) keyspacesWithSameName(ctx context.Context, o client.Object) []reconcile.Request {
	ks, ok := o.(*cqlv1.Keyspace)
	if !ok {
		return nil
	}
	reqs := listRequests(ctx, r.Client, newKeyspaceList(), ks.Namespace, indexKsCQLName, ks.KeyspaceName())
	return withoutRequest(reqs, client.ObjectKeyFromObject(ks))
}

func newKeyspaceList() client.ObjectList { return &cqlv1.KeyspaceList{} }
