package engine

import (
	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
	"github.com/cqlsync/cqlsync/internal/cql/introspect"
	"github.com/cqlsync/cqlsync/internal/cql/plan"
	"github.com/cqlsync/cqlsync/internal/cql/render"
)

// keyspaceAdapter makes the schema reconciler keep keyspaces: cqlengine's create_keyspace_simple /
// create_keyspace_network_topology / drop_keyspace on every connection, with ALTER KEYSPACE where
// the replication or durable_writes differ.
type keyspaceAdapter struct{ keyspaceLive }

func (keyspaceAdapter) typeRefs(plan.Keyspace) []typeRef   { return nil }
func (keyspaceAdapter) usedTypes(*cqlv1.Keyspace) []string { return nil }

// desired turns the spec into the plan's desired keyspace; the API server checked all of it.
func (keyspaceAdapter) desired(ks *cqlv1.Keyspace) (plan.Keyspace, *Problem) {
	r := render.Replication{Strategy: string(ks.Spec.Replication.Strategy)}
	if ks.Spec.Replication.ReplicationFactor != nil {
		r.ReplicationFactor = *ks.Spec.Replication.ReplicationFactor
	}
	if len(ks.Spec.Replication.Datacenters) > 0 {
		r.Datacenters = make(map[string]int32, len(ks.Spec.Replication.Datacenters))
		for dc, n := range ks.Spec.Replication.Datacenters {
			r.Datacenters[dc] = int32(n)
		}
	}
	return plan.Keyspace{Name: ks.CQLName(), Replication: r, DurableWrites: ks.Spec.DurableWritesOrDefault()}, nil
}

func (keyspaceAdapter) plan(d plan.Keyspace, _ string, live *introspect.KeyspaceSchema, _ plan.Version) plan.Result {
	return plan.Result{Plan: plan.ForKeyspace(d, live.Keyspace())}
}

func (keyspaceAdapter) drop(ks *cqlv1.Keyspace, keyspace string, live *introspect.KeyspaceSchema) (plan.Plan, *Problem) {
	if live == nil {
		return nil, nil
	}
	return plan.DropKeyspaceIfExists(keyspace), nil
}

// indexes: a keyspace has no indexes.
func (keyspaceAdapter) indexes(plan.Keyspace) []string { return nil }

// unsupported: every supported Cassandra release has what a Keyspace declares.
func (keyspaceAdapter) unsupported(plan.Keyspace, plan.Version, *introspect.KeyspaceSchema) []plan.Difference {
	return nil
}
