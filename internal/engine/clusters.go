package engine

import (
	"context"

	"github.com/cqlsync/cqlsync/internal/cql/apply"
	"github.com/cqlsync/cqlsync/internal/cql/cluster"
	"github.com/cqlsync/cqlsync/internal/cql/introspect"
	"github.com/cqlsync/cqlsync/internal/cql/registry"
)

// NewClusters opens the clusters of a registry's sessions, reading the live schema through cache
// and executing through exec.
func NewClusters(reg *registry.Registry, exec *apply.Executor, cache *introspect.SchemaCache) Clusters {
	return clusterPool{&cluster.Pool{Registry: reg, Executor: exec, Cache: cache}}
}

// clusterPool opens the clusters of the registry's sessions.
type clusterPool struct{ pool *cluster.Pool }

// ClusterID is the identity of the cluster of a connection's open session.
func (p clusterPool) ClusterID(key registry.Key) string { return p.pool.Registry.ClusterID(key) }

func (p clusterPool) Cluster(ctx context.Context, namespace, name string) (Cluster, error) {
	h, err := p.pool.Get(ctx, namespace, name)
	if err != nil {
		return nil, err
	}
	return h, nil
}
