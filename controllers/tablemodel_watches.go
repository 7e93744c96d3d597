package controllers

import (
	"context"

	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
)

// Field indexes of the TableModel controller.
const (
	indexTmConnections = "cqlsync.io/tm-connections"   // TableModel: the names in spec.connections
	indexTmUsesDefault = "cqlsync.io/tm-uses-default"  // TableModel: "true" when spec.connections is empty
	indexTmKeyspaces   = "cqlsync.io/tm-keyspaces"     // TableModel: spec.keyspaces, or tmDefaultKeyspaces
	indexKsCQLName     = "cqlsync.io/tm-keyspace-name" // Keyspace: its effective CQL name
	// tmDefaultKeyspaces is the keyspaces index value of a TableModel with empty spec.keyspaces
	// (each connection's defaultKeyspace; not a valid CQL name, so it cannot clash).
	tmDefaultKeyspaces = "<defaultKeyspace>"
)

// indexTableModelFields registers the indexes the TableModel controller lists by: those of
// TableModel for its watches, and the Keyspaces' CQL names for missingKeyspaceMessage.
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
	} {
		if err := idx.IndexField(ctx, &cqlv1.TableModel{}, field, fn); err != nil {
			return err
		}
	}
	return idx.IndexField(ctx, &cqlv1.Keyspace{}, indexKsCQLName, func(o client.Object) []string {
		return []string{o.(*cqlv1.Keyspace).KeyspaceName()}
	})
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

func newTableModelList() client.ObjectList { return &cqlv1.TableModelList{} }
