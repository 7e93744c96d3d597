package controllers

import (
	"context"

	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
)

// Field indexes of the TableModel controller.
const (
	indexTmConnections = "cqlsync.io/tm-connections"  // TableModel: the names in spec.connections
	indexTmUsesDefault = "cqlsync.io/tm-uses-default" // TableModel: "true" when spec.connections is empty
	indexTmKeyspaces   = "cqlsync.io/tm-keyspaces"    // TableModel: spec.keyspaces, or tmDefaultKeyspaces
	indexTmTableName   = "cqlsync.io/tm-table-name"   // TableModel: its effective CQL table name
	// tmDefaultKeyspaces is the keyspaces index value of a TableModel with empty spec.keyspaces
	// (each connection's defaultKeyspace; not a valid CQL name, so it cannot clash).
	tmDefaultKeyspaces = "<defaultKeyspace>"
)

// indexTableModelFields registers the TableModel indexes the TableModel controller lists by, for
// its watches and for the ownership of a table. (The Keyspaces' CQL names, which
// missingKeyspaceMessage lists by, are indexed by the Keyspace controller.)
func indexTableModelFields(ctx context.Context, idx client.FieldIndexer) error {
	for field, fn := range map[string]client.IndexerFunc{
		indexTmConnections: func(o client.Object) []string { return specConnNames(o.(*cqlv1.TableModel)) },
		indexTmUsesDefault: func(o client.Object) []string {
			return usesDefaultIndex(o.(*cqlv1.TableModel).Spec.Connections)
		},
		indexTmKeyspaces: func(o client.Object) []string {
			tm := o.(*cqlv1.TableModel)
			if len(tm.Spec.Keyspaces) == 0 {
				return []string{tmDefaultKeyspaces}
			}
			return specKeyspaces(tm)
		},
		indexTmTableName: func(o client.Object) []string { return []string{o.(*cqlv1.TableModel).TableName()} },
	} {
		if err := idx.IndexField(ctx, &cqlv1.TableModel{}, field, fn); err != nil {
			return err
		}
	}
	return nil
}

func specConnNames(tm *cqlv1.TableModel) []string {
	return connectionNames(tm.Spec.Connections)
}

// tableModelsForConnection maps a connection to the TableModels that name it and, for a default
// connection, to those that use the namespace default.
func (r *TableModelReconciler) tableModelsForConnection(ctx context.Context, o client.Object) []reconcile.Request {
	return requestsForConnection(ctx, r.Client, o, newTableModelList, indexTmConnections, indexTmUsesDefault)
}

// tableModelsForKeyspace maps a Ready Keyspace to the TableModels of its namespace that name its
// CQL name in spec.keyspaces, and to those that use their connections' default keyspaces (the
// reconcile finds out whether that is this one).
func (r *TableModelReconciler) tableModelsForKeyspace(ctx context.Context, o client.Object) []reconcile.Request {
	ks, ok := o.(*cqlv1.Keyspace)
	if !ok || !cqlv1.IsReadyFor(ks.Status.Conditions, ks.Generation) {
		return nil
	}
	reqs := listRequests(ctx, r.Client, newTableModelList(), ks.Namespace, indexTmKeyspaces, ks.KeyspaceName())
	return append(reqs, listRequests(ctx, r.Client, newTableModelList(), ks.Namespace, indexTmKeyspaces, tmDefaultKeyspaces)...)
}

// tableModelsWithSameTable maps a TableModel to the other TableModels of its namespace with the
// same CQL table name: when it is created, changes its connections or keyspaces or goes away, who
// owns the table where may change (a duplicate takes over when its owner is gone).
func (r *TableModelReconciler) tableModelsWithSameTable(ctx context.Context, o client.Object) []reconcile.Request {
	tm, ok := o.(*cqlv1.TableModel)
	if !ok {
		return nil
	}
	reqs := listRequests(ctx, r.Client, newTableModelList(), tm.Namespace, indexTmTableName, tm.TableName())
	return withoutRequest(reqs, client.ObjectKeyFromObject(tm))
}

func newTableModelList() client.ObjectList { return &cqlv1.TableModelList{} }
