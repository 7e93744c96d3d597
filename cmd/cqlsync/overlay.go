package main

import (
	"context"
	"errors"
	"maps"
	"sync"

	"github.com/cqlsync/cqlsync/controllers"
	"github.com/cqlsync/cqlsync/internal/cql/introspect"
	"github.com/cqlsync/cqlsync/internal/cql/plan"
	"github.com/cqlsync/cqlsync/internal/cql/registry"
)

// overlay lets a plan see what the resources planned before it would create: a TableModel whose
// keyspace a Keyspace of the same manifests creates is planned against that keyspace as if it
// existed (empty), and a type a UserType creates is seen as existing. The operator would create
// them first and then run the same statements; the CLI shows the whole rollout at once. Nothing
// is executed: Apply always fails.
type overlay struct {
	clusters controllers.Clusters

	mu sync.Mutex
	// keyspaces and types planned to be created, by connection ("namespace/name").
	keyspaces map[string]map[string]bool
	types     map[string]map[string]map[string]bool // connection -> keyspace -> type
}

func newOverlay(c controllers.Clusters) *overlay {
	return &overlay{clusters: c, keyspaces: map[string]map[string]bool{}, types: map[string]map[string]map[string]bool{}}
}

// record notes what a resource's plan creates.
func (o *overlay) record(rp controllers.ResourcePlan) {
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, t := range rp.Targets {
		conn := rp.Namespace + "/" + t.Connection
		for _, st := range t.Statements {
			switch plan.Kind(st.Kind) {
			case plan.CreateKeyspace:
				if o.keyspaces[conn] == nil {
					o.keyspaces[conn] = map[string]bool{}
				}
				o.keyspaces[conn][rp.CQLName] = true
			case plan.CreateType:
				if o.types[conn] == nil {
					o.types[conn] = map[string]map[string]bool{}
				}
				if o.types[conn][t.Keyspace] == nil {
					o.types[conn][t.Keyspace] = map[string]bool{}
				}
				o.types[conn][t.Keyspace][rp.CQLName] = true
			}
		}
	}
}

// ClusterID is the identity of the cluster of a connection's open session.
func (o *overlay) ClusterID(key registry.Key) string { return o.clusters.ClusterID(key) }

// Cluster opens the overlaid cluster of a connection.
func (o *overlay) Cluster(ctx context.Context, namespace, name string) (controllers.Cluster, error) {
	c, err := o.clusters.Cluster(ctx, namespace, name)
	if err != nil {
		return nil, err
	}
	return &overlaid{inner: c, conn: namespace + "/" + name, o: o}, nil
}

type overlaid struct {
	inner controllers.Cluster
	conn  string
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

// Apply never runs anything: the CLI only plans.
// TablesWarning: a plan never creates a table.
func (c *overlaid) TablesWarning(context.Context) string { return "" }

// Agreement: a plan never waits for the nodes to agree.
func (c *overlaid) Agreement(context.Context) error { return nil }

// IndexesNotReady: a plan never runs, so no index is waited for.
func (c *overlaid) IndexesNotReady(context.Context, string, []string) (map[string][]string, error) {
	return nil, nil
}

func (c *overlaid) Apply(context.Context, introspect.Object, plan.Plan) (plan.Plan, error) {
	return nil, errors.New("cqlsync plan never executes DDL")
}
