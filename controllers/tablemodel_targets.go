package controllers

import (
	"context"
	"fmt"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
	"github.com/cqlsync/cqlsync/internal/cql/registry"
)

// tableConn is one connection of a TableModel and the keyspaces the table goes into through it.
// When the connection cannot be used, decided says why and every one of its targets gets it.
type tableConn struct {
	name      string
	keyspaces []string
	// decided is set when there is nothing to connect to: each target gets this outcome (with
	// its keyspace filled in).
	decided *tableTargetOutcome
	session *registry.Session
}

// connections resolves spec.connections (or the namespace default) and, for each, its keyspaces
// and its session (deleting: the TableModel is being deleted and only needs sessions to drop
// through; see readySession). Only API-server errors are returned.
func (r *TableModelReconciler) connections(ctx context.Context, tm *cqlv1.TableModel, deleting bool) ([]tableConn, error) {
	var names []string
	if len(tm.Spec.Connections) > 0 {
		names = connectionNames(tm.Spec.Connections)
	} else {
		defaults, err := defaultConnections(ctx, r.Client, tm.Namespace, deleting)
		if err != nil {
			return nil, err
		}
		if p := defaultProblem(tm.Namespace, defaults); p != nil {
			return []tableConn{{keyspaces: specKeyspaces(tm), decided: &tableTargetOutcome{
				state: cqlv1.TablePending, reason: p.reason, message: p.message}}}, nil
		}
		names = defaults
	}
	out := make([]tableConn, 0, len(names))
	for _, name := range names {
		tc, err := r.resolveConnection(ctx, tm, name, deleting)
		if err != nil {
			return nil, err
		}
		out = append(out, tc)
	}
	return out, nil
}

func specKeyspaces(tm *cqlv1.TableModel) []string {
	var out []string
	for _, k := range tm.Spec.Keyspaces {
		out = append(out, string(k))
	}
	return out
}

// resolveConnection reads one CassandraConnection: its keyspaces (spec.keyspaces, or its
// defaultKeyspace) and its session when it is Ready.
func (r *TableModelReconciler) resolveConnection(ctx context.Context, tm *cqlv1.TableModel, name string, deleting bool) (tableConn, error) {
	tc := tableConn{name: name, keyspaces: specKeyspaces(tm)}
	pending := func(p *connProblem) (tableConn, error) {
		tc.decided = &tableTargetOutcome{connection: name, state: cqlv1.TablePending, reason: p.reason, message: p.message}
		return tc, nil
	}
	conn, p, err := getConnection(ctx, r.Client, tm.Namespace, name, deleting)
	if err != nil {
		return tc, err
	}
	if p != nil {
		return pending(p)
	}
	if len(tc.keyspaces) == 0 {
		if conn.Spec.DefaultKeyspace == "" {
			return pending(&connProblem{cqlv1.ReasonNoDefaultKeyspace, fmt.Sprintf(
				"spec.keyspaces is empty and CassandraConnection %q has no spec.defaultKeyspace: list the keyspaces in spec.keyspaces or set the connection's defaultKeyspace", name)})
		}
		tc.keyspaces = []string{conn.Spec.DefaultKeyspace}
	}
	s, p := readySession(ctx, r.Registry, conn, deleting)
	if p != nil {
		return pending(p)
	}
	tc.session = s
	return tc, nil
}
