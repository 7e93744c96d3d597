package controllers

import (
	"context"
	"fmt"

	"sigs.k8s.io/controller-runtime/pkg/client"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
)

// keyspaceClaimant is what a Keyspace declares: its CQL keyspace on each connection of
// spec.connections or, when that is empty, on each default connection of the namespace (defaults,
// all of them, those being deleted included: while the namespace has several defaults the
// Keyspace may end up on any of them, and a claim too many only holds a duplicate back).
func keyspaceClaimant(ks *cqlv1.Keyspace, defaults []string) claimant {
	c := claimant{name: ks.Name, created: ks.CreationTimestamp, deleting: !ks.DeletionTimestamp.IsZero()}
	conns := connectionNames(ks.Spec.Connections)
	if len(conns) == 0 {
		conns = defaults
	}
	for _, conn := range conns {
		c.targets = append(c.targets, schemaTarget{connection: conn, keyspace: ks.KeyspaceName()})
	}
	return c
}

// keyspaceOwnership decides who owns each of ks's resolved targets (those with a connection),
// among the Keyspaces of the namespace with the same CQL name (index indexKsCQLName). Only
// API-server errors are returned.
func (r *KeyspaceReconciler) keyspaceOwnership(ctx context.Context, ks *cqlv1.Keyspace, ts []target) (map[schemaTarget]targetOwnership, error) {
	var list cqlv1.KeyspaceList
	if err := r.List(ctx, &list, client.InNamespace(ks.Namespace), client.MatchingFields{indexKsCQLName: ks.KeyspaceName()}); err != nil {
		return nil, err
	}
	self := claimant{name: ks.Name, created: ks.CreationTimestamp, deleting: !ks.DeletionTimestamp.IsZero()}
	for _, t := range ts {
		if t.decided == nil {
			self.targets = append(self.targets, keyspaceTarget(t.name, ks.KeyspaceName()))
		}
	}
	var (
		others   []claimant
		defaults []string
		loaded   bool
	)
	for i := range list.Items {
		o := &list.Items[i]
		if o.Name == ks.Name {
			continue
		}
		if len(o.Spec.Connections) == 0 && !loaded {
			var err error
			if defaults, err = defaultConnections(ctx, r.Client, ks.Namespace, true); err != nil {
				return nil, err
			}
			loaded = true
		}
		others = append(others, keyspaceClaimant(o, defaults))
	}
	return ownership(self, others), nil
}

func keyspaceTarget(connection, keyspace string) schemaTarget {
	return schemaTarget{connection: connection, keyspace: keyspace}
}

// duplicateKeyspaceOutcome is the outcome of a target another Keyspace owns.
func duplicateKeyspaceOutcome(t target, keyspace, owner string) targetOutcome {
	return targetOutcome{
		connection: t.name, isDefault: t.isDefault,
		state: cqlv1.TargetFailed, reason: cqlv1.ReasonDuplicateOwner,
		message: duplicateOwnerMessage("Keyspace", owner, fmt.Sprintf("keyspace %q", keyspace), t.name),
	}
}
