package controllers

import (
	"context"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
	"github.com/cqlsync/cqlsync/internal/cql/registry"
)

// target is one connection a Keyspace is synced to. When the namespace default cannot be
// resolved, decided holds the outcome and there is nothing to connect to.
type target struct {
	name      string
	isDefault bool
	decided   *targetOutcome
}

// targets resolves spec.connections, or the namespace default when it is empty (deleting: see
// defaultConnections).
func (r *KeyspaceReconciler) targets(ctx context.Context, ks *cqlv1.Keyspace, deleting bool) ([]target, error) {
	if len(ks.Spec.Connections) > 0 {
		ts := make([]target, len(ks.Spec.Connections))
		for i, c := range ks.Spec.Connections {
			ts[i] = target{name: string(c)}
		}
		return ts, nil
	}
	names, err := defaultConnections(ctx, r.Client, ks.Namespace, deleting)
	if err != nil {
		return nil, err
	}
	if p := defaultProblem(ks.Namespace, names); p != nil {
		return []target{{isDefault: true, decided: &targetOutcome{
			isDefault: true, state: cqlv1.TargetPending, reason: p.reason, message: p.message,
		}}}, nil
	}
	return []target{{name: names[0], isDefault: true}}, nil
}

// connectionSession returns the session of a connection that exists and is Ready, or the outcome
// that explains why there is none. The error is for API-server failures only.
func (r *KeyspaceReconciler) connectionSession(ctx context.Context, namespace string, t target) (*registry.Session, *targetOutcome, error) {
	conn, p, err := getConnection(ctx, r.Client, namespace, t.name, false)
	if err != nil {
		return nil, nil, err
	}
	if p == nil {
		var s *registry.Session
		if s, p = readySession(ctx, r.Registry, conn, false); p == nil {
			return s, nil, nil
		}
	}
	return nil, &targetOutcome{connection: t.name, isDefault: t.isDefault, state: cqlv1.TargetPending,
		reason: p.reason, message: p.message}, nil
}
