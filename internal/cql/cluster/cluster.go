// Package cluster is what the schema controllers hold for one connection's cluster: the live
// schema of a keyspace, read through the process's [introspect.SchemaCache] (one schema-version
// query when nothing changed), and the execution of a plan through the process's
// [apply.Executor] (serialised per cluster, with schema agreement). A cached keyspace is forgotten
// as soon as a plan ran statements in it, so that the next read sees them.
//
// The controllers depend on a two-method interface that [*Handle] satisfies, so that their logic
// is tested with fakes; this package is tested against real Cassandra.
package cluster

import (
	"context"
	"errors"

	gocql "github.com/apache/cassandra-gocql-driver/v2"

	"github.com/cqlsync/cqlsync/internal/cql/apply"
	"github.com/cqlsync/cqlsync/internal/cql/introspect"
	"github.com/cqlsync/cqlsync/internal/cql/plan"
	"github.com/cqlsync/cqlsync/internal/cql/registry"
)

// ErrNoDriver: the connection's session has no driver session (only sessions made by a test
// dialer lack one).
var ErrNoDriver = errors.New("the connection has no driver session")

// Handle is one connection's cluster.
type Handle struct {
	target  apply.Target
	session *gocql.Session
	exec    *apply.Executor
	cache   *introspect.SchemaCache
}

// Key is the connection's registry key ("namespace/name"): DDL with the same key is serialised,
// and the executor counts it under that key.
func (h *Handle) Key() string { return h.target.Key }

// Keyspace returns the live schema of a keyspace (nil when it does not exist), within the
// connection's request timeout. The result is shared: do not modify it.
func (h *Handle) Keyspace(ctx context.Context, name string) (*introspect.KeyspaceSchema, error) {
	ctx, cancel := context.WithTimeout(ctx, h.target.RequestTimeout)
	defer cancel()
	return h.cache.Keyspace(ctx, h.target.Key, h.session, name)
}

// Apply runs the plan (see [apply.Executor.Apply]) and returns the statements that ran. Its
// statements concern keyspace, whose cached schema is dropped once any may have run.
func (h *Handle) Apply(ctx context.Context, keyspace string, p plan.Plan) (plan.Plan, error) {
	applied, err := h.exec.Apply(ctx, h.target, p)
	if len(applied) > 0 || (err != nil && len(p) > 0) {
		// The next read must see what was just done, even if a node answers with an old version.
		h.cache.InvalidateKeyspace(h.target.Key, keyspace)
	}
	return applied, err
}

// Pool opens handles on the registry's sessions. The zero value is not usable.
type Pool struct {
	Registry *registry.Registry
	Executor *apply.Executor
	Cache    *introspect.SchemaCache
}

// Get returns the handle of a connection's open session (connecting first for a lazy one). The
// registry's errors come back as they are (registry.ErrNotRegistered when the connection
// controller has not registered the connection).
func (p *Pool) Get(ctx context.Context, namespace, name string) (*Handle, error) {
	s, err := p.Registry.Resolve(ctx, namespace, name)
	if err != nil {
		return nil, err
	}
	if s.Driver() == nil {
		return nil, ErrNoDriver
	}
	return &Handle{target: apply.TargetOf(s), session: s.Driver(), exec: p.Executor, cache: p.Cache}, nil
}
