package controllers

import (
	"context"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
)

// tableModelClaimant is what a TableModel declares: its table in each keyspace of spec.keyspaces
// or, when that is empty, in the connection's defaultKeyspace (defaultKeyspace returns it, "" when
// the connection has none or does not exist), on each connection of spec.connections or, when that
// is empty, on each default connection of the namespace (defaults; see keyspaceClaimant). Targets
// are thus compared by the connection and keyspace they resolve to.
func tableModelClaimant(tm *cqlv1.TableModel, defaults []string, defaultKeyspace func(connection string) string) claimant {
	c := claimant{name: tm.Name, created: tm.CreationTimestamp, deleting: !tm.DeletionTimestamp.IsZero()}
	conns := specConnNames(tm)
	if len(conns) == 0 {
		conns = defaults
	}
	for _, conn := range conns {
		keyspaces := specKeyspaces(tm)
		if len(keyspaces) == 0 {
			if ks := defaultKeyspace(conn); ks != "" {
				keyspaces = []string{ks}
			}
		}
		for _, ks := range keyspaces {
			c.targets = append(c.targets, tableTarget(conn, ks, tm.TableName()))
		}
	}
	return c
}

func tableTarget(connection, keyspace, table string) schemaTarget {
	return schemaTarget{connection: connection, keyspace: keyspace, table: table}
}

// tableOwnership decides who owns each of tm's resolved targets (the keyspaces of its usable
// connections), among the TableModels of the namespace with the same table name (index
// indexTmTableName). With no such TableModel, it reads nothing more. Only API-server errors are
// returned.
func (r *TableModelReconciler) tableOwnership(ctx context.Context, tm *cqlv1.TableModel, conns []tableConn) (map[schemaTarget]targetOwnership, error) {
	var list cqlv1.TableModelList
	if err := r.List(ctx, &list, client.InNamespace(tm.Namespace), client.MatchingFields{indexTmTableName: tm.TableName()}); err != nil {
		return nil, err
	}
	self := claimant{name: tm.Name, created: tm.CreationTimestamp, deleting: !tm.DeletionTimestamp.IsZero()}
	for _, tc := range conns {
		if tc.decided != nil {
			continue
		}
		for _, ks := range tc.keyspaces {
			self.targets = append(self.targets, tableTarget(tc.name, ks, tm.TableName()))
		}
	}
	var (
		others   []claimant
		defaults []string
		loaded   bool
		err      error
	)
	defaultKeyspaces := map[string]string{}
	defaultKeyspace := func(name string) string {
		if ks, ok := defaultKeyspaces[name]; ok || err != nil {
			return ks
		}
		conn := &cqlv1.CassandraConnection{}
		if e := r.Get(ctx, types.NamespacedName{Namespace: tm.Namespace, Name: name}, conn); e != nil {
			if !apierrors.IsNotFound(e) {
				err = e
			}
		}
		defaultKeyspaces[name] = conn.Spec.DefaultKeyspace
		return conn.Spec.DefaultKeyspace
	}
	for i := range list.Items {
		o := &list.Items[i]
		if o.Name == tm.Name {
			continue
		}
		if len(o.Spec.Connections) == 0 && !loaded {
			if defaults, err = defaultConnections(ctx, r.Client, tm.Namespace, true); err != nil {
				return nil, err
			}
			loaded = true
		}
		others = append(others, tableModelClaimant(o, defaults, defaultKeyspace))
		if err != nil {
			return nil, err
		}
	}
	return ownership(self, others), nil
}

// duplicateTableOutcome is the outcome of a target another TableModel owns.
func duplicateTableOutcome(connection, keyspace, table, owner string) tableTargetOutcome {
	return tableTargetOutcome{
		connection: connection, keyspace: keyspace,
		state: cqlv1.TableFailed, reason: cqlv1.ReasonDuplicateOwner,
		message: duplicateOwnerMessage("TableModel", owner, fmt.Sprintf("table %q in keyspace %q", table, keyspace), connection),
	}
}
