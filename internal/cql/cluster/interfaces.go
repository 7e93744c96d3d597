package cluster

import (
	"context"

	"github.com/cqlsync/cqlsync/internal/cql/introspect"
	"github.com/cqlsync/cqlsync/internal/cql/plan"
	"github.com/cqlsync/cqlsync/internal/cql/registry"
)

// Cluster is what the engine does on one connection's cluster; *Handle implements it.
type Cluster interface {
	// Keyspace returns the live schema of a keyspace, nil when it does not exist.
	Keyspace(ctx context.Context, name string) (*introspect.KeyspaceSchema, error)
	// Role returns a role and its permissions, nil when it does not exist (read each time: roles
	// change without schema events).
	Role(ctx context.Context, name string) (*introspect.Role, error)
	// Auth reads how the cluster authenticates and authorizes clients (roles need both).
	Auth(ctx context.Context) (introspect.Auth, error)
	// Apply runs the statements of a plan that changes obj and returns those that ran.
	Apply(ctx context.Context, obj introspect.Object, p plan.Plan) (plan.Plan, error)
	// IndexesNotReady lists, for each named index of the keyspace that some node cannot serve
	// yet (still building), those nodes; nil when all are ready.
	IndexesNotReady(ctx context.Context, keyspace string, names []string) (map[string][]string, error)
	// Agreement checks that the nodes that are up agree on the schema: an
	// *apply.DisagreementError when they do not.
	Agreement(ctx context.Context) error
	// TablesWarning, called after a table was created, says whether the cluster now holds more
	// tables than the connection's spec.tablesWarnThreshold: the warning, or "".
	TablesWarning(ctx context.Context) string
}

// Clusters opens the Cluster of a connection: the registry's session of the named
// CassandraConnection (namespace "" for a ClusterCassandraConnection). Its errors are the
// registry's (registry.ErrNotRegistered, ...).
type Clusters interface {
	Cluster(ctx context.Context, namespace, connection string) (Cluster, error)
	// ClusterID is the identity of the cluster a connection's open session reaches, "" when
	// unknown (registry.ClusterInfo.ID).
	ClusterID(key registry.Key) string
}
