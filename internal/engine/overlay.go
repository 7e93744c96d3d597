package engine

import (
	"context"
	"errors"
	"maps"
	"sync"

	"github.com/cqlsync/cqlsync/internal/cql/introspect"
	"github.com/cqlsync/cqlsync/internal/cql/plan"
	"github.com/cqlsync/cqlsync/internal/cql/registry"
)

// overlay lets a preview see what the resources previewed before it would create: a TableModel
// whose keyspace a Keyspace of the same manifests creates is planned against that keyspace as if it
// existed (empty), and a type a UserType creates is seen as existing. The operator would create
// them first and then run the same statements; `cqlsync plan` shows the whole rollout at once.
// What is created is keyed by the connection's full identity (its registry key: kind, namespace
// and name), so that a ClusterCassandraConnection and a CassandraConnection of the same name
// never mix, and every namespace that names one ClusterCassandraConnection sees the same
// planned keyspaces. Nothing is executed: Apply always fails.
type overlay struct {
	clusters Clusters

	mu sync.Mutex
	// keyspaces and types planned to be created, by connection.
	keyspaces map[registry.Key]map[string]bool
	types     map[registry.Key]map[string]map[string]bool // connection -> keyspace -> type
}

// NewPreviewClusters wraps clusters for previews: each Preview through it records what its plan
// creates, and later previews see it (see overlay).
func NewPreviewClusters(c Clusters) Clusters {
	return &overlay{clusters: c, keyspaces: map[registry.Key]map[string]bool{}, types: map[registry.Key]map[string]map[string]bool{}}
}

// record notes what a preview's work creates.
func (o *overlay) record(kind Kind, name string, w *Work) {
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, t := range w.targets {
		if t.gate == nil {
			continue
		}
		for _, st := range t.gate.planned {
			switch st.Kind {
			case plan.CreateKeyspace:
				if o.keyspaces[t.key] == nil {
					o.keyspaces[t.key] = map[string]bool{}
				}
				o.keyspaces[t.key][name] = true
			case plan.CreateType:
				if o.types[t.key] == nil {
					o.types[t.key] = map[string]map[string]bool{}
				}
				if o.types[t.key][t.gate.keyspace] == nil {
					o.types[t.key][t.gate.keyspace] = map[string]bool{}
				}
				o.types[t.key][t.gate.keyspace][name] = true
			}
		}
	}
}

// ClusterID is the identity of the cluster of a connection's open session.
func (o *overlay) ClusterID(key registry.Key) string { return o.clusters.ClusterID(key) }

// Cluster opens the overlaid cluster of a connection.
func (o *overlay) Cluster(ctx context.Context, namespace, name string) (Cluster, error) {
	c, err := o.clusters.Cluster(ctx, namespace, name)
	if err != nil {
		return nil, err
	}
	return &overlaid{inner: c, conn: registry.Key{Namespace: namespace, Name: name}, o: o}, nil
}

type overlaid struct {
	inner Cluster
	conn  registry.Key
	o     *overlay
}

// Keyspace is the live keyspace, or an empty one when the plan creates it, with the types the
// plan creates added.
func (c *overlaid) Keyspace(ctx context.Context, name string) (*introspect.KeyspaceSchema, error) {
	live, err := c.inner.Keyspace(ctx, name)
	if err != nil {
		return nil, err
	}
	c.o.mu.Lock()
	defer c.o.mu.Unlock()
	created := c.o.types[c.conn][name]
	if live == nil && !c.o.keyspaces[c.conn][name] {
		return nil, nil
	}
	if live == nil {
		live = &introspect.KeyspaceSchema{Name: name, Replication: map[string]string{}, DurableWrites: true,
			Tables: map[string]*introspect.Table{}, Types: map[string]*introspect.UserType{}, IndexTables: map[string]string{}}
	}
	if len(created) == 0 {
		return live, nil
	}
	// The cached schema is shared: copy what changes.
	cp := *live
	cp.Types = maps.Clone(live.Types)
	if cp.Types == nil {
		cp.Types = map[string]*introspect.UserType{}
	}
	for t := range created {
		if _, ok := cp.Types[t]; !ok {
			cp.Types[t] = &introspect.UserType{Keyspace: name, Name: t}
		}
	}
	return &cp, nil
}

// Role is the live role: a plan never creates roles another resource uses.
func (c *overlaid) Role(ctx context.Context, name string) (*introspect.Role, error) {
	return c.inner.Role(ctx, name)
}

// Auth is the cluster's.
func (c *overlaid) Auth(ctx context.Context) (introspect.Auth, error) { return c.inner.Auth(ctx) }

// TablesWarning: a plan never creates a table.
func (c *overlaid) TablesWarning(context.Context) string { return "" }

// Agreement: a plan never waits for the nodes to agree.
func (c *overlaid) Agreement(context.Context) error { return nil }

// IndexesNotReady: a plan never runs, so no index is waited for.
func (c *overlaid) IndexesNotReady(context.Context, string, []string) (map[string][]string, error) {
	return nil, nil
}

// Apply never runs anything: the CLI only plans.
func (c *overlaid) Apply(context.Context, introspect.Object, plan.Plan) (plan.Plan, error) {
	return nil, errors.New("a preview never executes DDL")
}
