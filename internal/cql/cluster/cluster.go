// Package cluster is what the schema controllers hold for one connection's cluster: the live
// schema of a keyspace, read through the process's [introspect.SchemaCache] (which reads again only
// what changed), and the execution of a plan through the process's [apply.Executor] (serialised
// per cluster, with schema agreement). The object a plan ran statements on is marked in the cache
// as soon as they may have run, so that the next read sees them.
//
// The engine depends on the interfaces [Cluster] and [Clusters] (interfaces.go), which [*Handle]
// and [Pool] satisfy, so that its logic is tested with fakes; this package is tested against real
// Cassandra.
package cluster

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	gocql "github.com/apache/cassandra-gocql-driver/v2"

	"github.com/cqlsync/cqlsync/internal/cql/apply"
	"github.com/cqlsync/cqlsync/internal/cql/events"
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
	// tablesWarn is the connection's spec.tablesWarnThreshold (0: never); counts caches the
	// number of tables per cluster.
	tablesWarn int
	counts     *tableCounts
}

// tableCountTTL is how long a count of a cluster's tables is used (plus the tables created since)
// before it is counted again.
const tableCountTTL = 30 * time.Second

// tableCounts caches the number of tables of each cluster, so that a rollout of many tables counts
// them every tableCountTTL, not once per table.
type tableCounts struct {
	mu sync.Mutex
	m  map[string]tableCount
}

type tableCount struct {
	n  int
	at time.Time
}

// TablesWarning says, after cqlsync created a table, whether the cluster now holds more tables
// than the connection's spec.tablesWarnThreshold: a message for a Warning event, or "".
func (h *Handle) TablesWarning(ctx context.Context) string {
	if h.tablesWarn <= 0 || h.counts == nil {
		return ""
	}
	key := h.target.Cluster
	if key == "" {
		key = h.target.Key
	}
	h.counts.mu.Lock()
	c, ok := h.counts.m[key]
	if ok && time.Since(c.at) < tableCountTTL {
		c.n++ // the table just created
		h.counts.m[key] = c
	}
	h.counts.mu.Unlock()
	if !ok || time.Since(c.at) >= tableCountTTL {
		ctx, cancel := context.WithTimeout(ctx, introspect.ReadBudget(h.target.RequestTimeout))
		defer cancel()
		n, err := introspect.CountTables(ctx, h.session)
		if err != nil {
			return ""
		}
		c = tableCount{n: n, at: time.Now()}
		h.counts.mu.Lock()
		h.counts.m[key] = c
		h.counts.mu.Unlock()
	}
	if c.n <= h.tablesWarn {
		return ""
	}
	return fmt.Sprintf("the cluster now holds %d tables, more than the connection's spec.tablesWarnThreshold (%d): Cassandra degrades past a few hundred tables, each of which costs memory on every node; prefer fewer, larger tables",
		c.n, h.tablesWarn)
}

// Key is the connection's registry key ("namespace/name"): DDL with the same key is serialised,
// and the executor counts it under that key.
func (h *Handle) Key() string { return h.target.Key }

// Keyspace returns the live schema of a keyspace (nil when it does not exist), within the
// connection's request timeout. The result is shared: do not modify it.
func (h *Handle) Keyspace(ctx context.Context, name string) (*introspect.KeyspaceSchema, error) {
	ctx, cancel := context.WithTimeout(ctx, introspect.ReadBudget(h.target.RequestTimeout))
	defer cancel()
	return h.cache.Keyspace(ctx, h.target.Key, h.session, name)
}

// Role returns a role and its permissions (nil when it does not exist), within the connection's
// request timeout.
func (h *Handle) Role(ctx context.Context, name string) (*introspect.Role, error) {
	ctx, cancel := context.WithTimeout(ctx, introspect.ReadBudget(h.target.RequestTimeout))
	defer cancel()
	return introspect.ReadRole(ctx, h.session, name)
}

// Auth reads the cluster's authenticator and authorizer, within the connection's request timeout.
func (h *Handle) Auth(ctx context.Context) (introspect.Auth, error) {
	ctx, cancel := context.WithTimeout(ctx, introspect.ReadBudget(h.target.RequestTimeout))
	defer cancel()
	return introspect.ReadAuth(ctx, h.session)
}

// Agreement checks that the nodes that are up agree on the schema (see
// [apply.Executor.CheckAgreement]).
func (h *Handle) Agreement(ctx context.Context) error {
	return h.exec.CheckAgreement(ctx, h.target)
}

// IndexesNotReady reports the indexes of a keyspace that some node that is up cannot serve yet
// (see [introspect.IndexesNotReady]), within the read budget of the connection's request timeout.
func (h *Handle) IndexesNotReady(ctx context.Context, keyspace string, names []string) (map[string][]string, error) {
	ctx, cancel := context.WithTimeout(ctx, introspect.ReadBudget(h.target.RequestTimeout))
	defer cancel()
	return introspect.IndexesNotReady(ctx, h.session, keyspace, names)
}

// Apply runs the plan (see [apply.Executor.Apply]) of one object and returns the statements that
// ran. Once any may have run, the object is marked in the cache, so that the next read sees it:
// the table or the type alone, the keyspace's row for an ALTER KEYSPACE, the whole keyspace when
// it was created or dropped.
func (h *Handle) Apply(ctx context.Context, obj introspect.Object, p plan.Plan) (plan.Plan, error) {
	applied, err := h.exec.Apply(ctx, h.target, p)
	if len(applied) > 0 || (err != nil && len(p) > 0) {
		// The next read must see what was just done, even if a node answers with an old version.
		if obj.Kind == introspect.KeyspaceObject && p[0].Kind != plan.AlterKeyspace {
			h.cache.Forget(h.target.Key, obj.Keyspace)
		} else {
			h.cache.Changed(h.target.Key, obj)
		}
	}
	return applied, err
}

// Pool opens handles on the registry's sessions. The zero value is not usable.
type Pool struct {
	Registry *registry.Registry
	Executor *apply.Executor
	Cache    *introspect.SchemaCache

	countsOnce sync.Once
	counts     *tableCounts
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
	p.countsOnce.Do(func() { p.counts = &tableCounts{m: map[string]tableCount{}} })
	return &Handle{target: apply.TargetOf(s), session: s.Driver(), exec: p.Executor, cache: p.Cache,
		tablesWarn: s.Config().TablesWarnThreshold, counts: p.counts}, nil
}

// Follow keeps cache in step with what the registry's sessions hear: each schema change event
// marks the object it names (a keyspace created or dropped is forgotten whole), whether the
// events are heard decides whether the cache may trust its entries without a query, and a new
// session of a connection forgets what the old one read. Subscribe it
// before anything that reacts to the same events, so that their reads see the marks.
func Follow(reg *registry.Registry, cache *introspect.SchemaCache) {
	// A new session may reach another cluster (the connection changed): start afresh.
	reg.OnConnect(func(k registry.Key) { cache.Invalidate(k.String()) })
	reg.OnEvents(func(k registry.Key, up bool) { cache.EventsUp(k.String(), up) })
	reg.OnSchemaChange(func(c registry.SchemaChange) {
		key := c.Key.String()
		switch {
		case c.Resync():
			// Nothing to mark: while the events were down the cache checked every lookup, and
			// entries checked before they came back are checked once more.
		case c.Table != "":
			cache.Changed(key, introspect.Object{Kind: introspect.TableObject, Keyspace: c.Keyspace, Name: c.Table})
		case c.Type != "":
			cache.Changed(key, introspect.Object{Kind: introspect.TypeObject, Keyspace: c.Keyspace, Name: c.Type})
		case c.Change == events.Updated:
			cache.Changed(key, introspect.Object{Kind: introspect.KeyspaceObject, Keyspace: c.Keyspace})
		default:
			cache.Forget(key, c.Keyspace)
		}
	})
}
