package apply

import (
	"context"
	"slices"
	"strings"
	"sync"
	"time"

	gocql "github.com/apache/cassandra-gocql-driver/v2"

	"github.com/cqlsync/cqlsync/internal/cql/introspect"
	"github.com/cqlsync/cqlsync/internal/cql/plan"
	"github.com/cqlsync/cqlsync/internal/cql/registry"
)

// agreementPoll is how often schema versions are re-read while waiting for agreement.
const agreementPoll = 200 * time.Millisecond

// Target is one cluster to run statements on.
type Target struct {
	// Key identifies the connection: its DDL is counted together.
	Key string
	// Cluster is the identity of the cluster the connection reaches (registry.ClusterInfo.ID):
	// DDL on one cluster is serialised, whichever connection runs it. Empty: serialised by Key.
	Cluster string
	// Session is the driver session.
	Session *gocql.Session
	// RequestTimeout bounds each statement and each system-table read.
	RequestTimeout time.Duration
	// AgreementTimeout bounds the wait for schema agreement after each statement.
	AgreementTimeout time.Duration
	// HoldWhenNodeDown and HoldWhenVersionsDiffer make a plan wait (a *HeldError, nothing run)
	// while a node is down, or while the nodes report different release versions.
	HoldWhenNodeDown, HoldWhenVersionsDiffer bool
	// Nodes lists the nodes as the driver sees them; nil reads them from Session.
	Nodes func() []NodeState
}

// NodeState is a node as the driver sees it.
type NodeState struct {
	Address        string
	Up             bool
	ReleaseVersion string
}

// nodes lists the target's nodes.
func (t Target) nodes() []NodeState {
	if t.Nodes != nil {
		return t.Nodes()
	}
	var out []NodeState
	for _, h := range t.Session.GetHosts() {
		n := NodeState{Address: h.ConnectAddressAndPort(), Up: h.IsUp()}
		if v := strings.TrimPrefix(h.Version().String(), "v"); v != "0.0.0" { // 0.0.0: not known
			n.ReleaseVersion = v
		}
		out = append(out, n)
	}
	return out
}

// lockKey is what serialises the target's DDL: its cluster, or its connection while the cluster's
// identity is unknown.
func (t Target) lockKey() string {
	if t.Cluster != "" {
		return "cluster " + t.Cluster
	}
	return "connection " + t.Key
}

// TargetOf is the target of a registry session: its connection key and timeouts.
func TargetOf(s *registry.Session) Target {
	cfg := s.Config()
	return Target{
		Key:              s.Key().String(),
		Cluster:          s.ClusterID(),
		Session:          s.Driver(),
		RequestTimeout:   cfg.RequestTimeout,
		AgreementTimeout: cfg.SchemaAgreementTimeout,

		HoldWhenNodeDown:       cfg.HoldWhenNodeDown,
		HoldWhenVersionsDiffer: cfg.HoldWhenVersionsDiffer,
	}
}

// Stats are the counters of one connection key.
type Stats struct {
	// Plans is how many plans Apply was given, empty ones included.
	Plans int64
	// Statements is how many statements were sent to Cassandra, whatever their outcome.
	Statements int64
}

// Executor runs plans. The zero value is not usable; use [NewExecutor]. It is safe for concurrent
// use, and one executor should be shared by every controller of a process so that its locks
// serialise all DDL on a cluster (by its identity, so that two connections to one cluster, of two
// teams, take turns), while clusters run in parallel.
type Executor struct {
	// Observer, when set, is told of every statement and every wait for agreement (metrics).
	Observer Observer

	mu    sync.Mutex
	locks map[string]chan struct{}
	stats map[string]*Stats
	// agreedAt is when the nodes of a cluster (by lock key) were last seen to agree after a
	// statement.
	agreedAt map[string]time.Time
	// coordinators is, per cluster (lock key), the node that answered the last schema-version
	// check: statements go to it (see exec).
	coordinators map[string]string
}

// agreementFresh is how long an agreement seen after a statement stands for the check before the
// next statement on the same cluster.
const agreementFresh = time.Second

func (e *Executor) agreed(key string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.agreedAt[key] = time.Now()
}

func (e *Executor) agreedLately(key string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	at, ok := e.agreedAt[key]
	return ok && time.Since(at) < agreementFresh
}

// Observer is told what an Executor does. Its methods are called on the executing goroutine:
// they must be fast and safe for concurrent use.
type Observer interface {
	// Statement: a statement was sent and answered (err nil) or refused, after took.
	Statement(t Target, st plan.Statement, took time.Duration, err error)
	// AgreementWait: the wait for schema agreement after a statement took that long.
	AgreementWait(t Target, took time.Duration)
}

// NewExecutor returns an executor with no locks held.
func NewExecutor() *Executor {
	return &Executor{locks: map[string]chan struct{}{}, stats: map[string]*Stats{}, agreedAt: map[string]time.Time{}, coordinators: map[string]string{}}
}

// Default is the executor of the process, used by the controllers unless told otherwise.
var Default = NewExecutor()

// Stats returns the counters of a connection key.
func (e *Executor) Stats(key string) Stats {
	e.mu.Lock()
	defer e.mu.Unlock()
	if s, ok := e.stats[key]; ok {
		return *s
	}
	return Stats{}
}

// Apply runs the statements of p on t, in order, and returns those it ran successfully. An empty
// plan only counts (Stats.Plans): it takes no lock and sends nothing.
//
// It holds the cluster's lock throughout; checks before the first statement that the reachable
// nodes agree on the schema (a *DisagreementError otherwise, and nothing is run), unless it saw
// them agree, under the same lock, less than agreementFresh ago (a burst of DDL on one cluster
// checks once per statement, not twice); runs each statement and
// then waits for agreement up to t.AgreementTimeout (a *DisagreementError naming the statement
// otherwise, and the rest is not run). A refused statement stops the plan with an
// *UnknownDatacenterError or a *StatementError. A statement that started is always finished, and
// once ctx ends no new one starts: a manager shutting down leaves no statement half-known.
func (e *Executor) Apply(ctx context.Context, t Target, p plan.Plan) (plan.Plan, error) {
	e.count(t.Key, func(s *Stats) { s.Plans++ })
	if len(p) == 0 {
		return nil, nil
	}
	unlock, err := e.lock(ctx, t.lockKey())
	if err != nil {
		return nil, err
	}
	defer unlock()

	if err := t.guard(); err != nil {
		return nil, err
	}
	if !e.agreedLately(t.lockKey()) {
		if versions, err := e.schemaVersions(ctx, t); err != nil {
			return nil, err
		} else if len(versions) > 1 {
			return nil, &DisagreementError{Versions: versions}
		}
	}

	var done plan.Plan
	for i := range p {
		st := p[i]
		if err := ctx.Err(); err != nil {
			// Shutting down (or the reconcile gave up): no new statement starts.
			return done, err
		}
		warnings, err := e.exec(ctx, t, st)
		if err != nil {
			if dc, ok := UnknownDatacenter(err); ok {
				return done, &UnknownDatacenterError{Datacenter: dc, Known: e.datacenters(ctx, t), Err: err}
			}
			return done, &StatementError{Statement: st, Err: err}
		}
		st.Warnings = warnings
		done = append(done, st)
		waitStart := time.Now()
		err = e.awaitAgreement(ctx, t, &st)
		if e.Observer != nil {
			e.Observer.AgreementWait(t, time.Since(waitStart))
		}
		if err != nil {
			return done, err
		}
		e.agreed(t.lockKey())
	}
	return done, nil
}

// exec runs one statement and returns the warnings Cassandra answered it with (guardrails such as
// tables_warn_threshold).
func (e *Executor) exec(ctx context.Context, t Target, st plan.Statement) ([]string, error) {
	e.count(t.Key, func(s *Stats) { s.Statements++ })
	// A statement that started is finished, even when ctx ends meanwhile (the manager shutting
	// down): abandoned, it would still run on the cluster, unrecorded. Its own timeout bounds it.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), t.RequestTimeout)
	defer cancel()
	start := time.Now()
	q := t.Session.Query(st.CQL)
	if host := e.coordinator(t); host != "" {
		q = q.SetHostID(host)
	}
	it := q.IterContext(ctx)
	warnings := it.Warnings()
	err := it.Close()
	if e.Observer != nil {
		e.Observer.Statement(t, st, time.Since(start), err)
	}
	return warnings, err
}

// awaitAgreement polls the schema versions of the reachable nodes until they agree or the
// agreement timeout passes.
func (e *Executor) awaitAgreement(ctx context.Context, t Target, after *plan.Statement) error {
	start := time.Now()
	deadline := start.Add(t.AgreementTimeout)
	for {
		versions, err := e.schemaVersions(ctx, t)
		if err == nil && len(versions) <= 1 {
			return nil
		}
		if time.Now().After(deadline) {
			if err != nil {
				return err
			}
			return &DisagreementError{After: after, Waited: time.Since(start).Round(time.Millisecond), Versions: versions}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(agreementPoll):
		}
	}
}

func (e *Executor) schemaVersions(ctx context.Context, t Target) ([]string, error) {
	ctx, cancel := context.WithTimeout(ctx, introspect.ReadBudget(t.RequestTimeout))
	defer cancel()
	e.mu.Lock()
	prefer := e.coordinators[t.lockKey()]
	e.mu.Unlock()
	nodes, err := introspect.Nodes(ctx, t.Session, prefer)
	if err != nil {
		return nil, err
	}
	if i := slices.IndexFunc(nodes, func(n introspect.Node) bool { return n.Local }); i >= 0 {
		e.mu.Lock()
		e.coordinators[t.lockKey()] = nodes[i].HostID
		e.mu.Unlock()
	}
	return introspect.SchemaVersions(nodes), nil
}

// CheckAgreement reads the schema versions of the nodes that are up: a *DisagreementError when
// they differ, nothing is run.
func (e *Executor) CheckAgreement(ctx context.Context, t Target) error {
	versions, err := e.schemaVersions(ctx, t)
	if err != nil {
		return err
	}
	if len(versions) > 1 {
		return &DisagreementError{Versions: versions}
	}
	return nil
}

// coordinator is the node a statement on t goes to: the one that answered the last
// schema-version check, if the driver still has it up; "" leaves the choice to the driver. One
// coordinator for a cluster's DDL is Cassandra's advice (two coordinators creating one table
// concurrently can give it two ids), and a node that just answered is not a hung one: a statement
// sent to a hung node would run, unrecorded, whenever the node wakes up.
func (e *Executor) coordinator(t Target) string {
	e.mu.Lock()
	host := e.coordinators[t.lockKey()]
	e.mu.Unlock()
	if host == "" || t.Session == nil {
		return ""
	}
	for _, h := range t.Session.GetHosts() {
		if h.HostID() == host && h.IsUp() {
			return host
		}
	}
	return ""
}

// datacenters reads the cluster's datacenters for an error message; nil when they cannot be read.
func (e *Executor) datacenters(ctx context.Context, t Target) []string {
	ctx, cancel := context.WithTimeout(ctx, introspect.ReadBudget(t.RequestTimeout))
	defer cancel()
	nodes, err := introspect.Nodes(ctx, t.Session, "")
	if err != nil {
		return nil
	}
	return introspect.Datacenters(nodes)
}

// lock takes the key's lock, or gives up when ctx ends.
func (e *Executor) lock(ctx context.Context, key string) (func(), error) {
	e.mu.Lock()
	l, ok := e.locks[key]
	if !ok {
		l = make(chan struct{}, 1)
		e.locks[key] = l
	}
	e.mu.Unlock()
	select {
	case l <- struct{}{}:
		return func() { <-l }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (e *Executor) count(key string, f func(*Stats)) {
	e.mu.Lock()
	defer e.mu.Unlock()
	s, ok := e.stats[key]
	if !ok {
		s = &Stats{}
		e.stats[key] = s
	}
	f(s)
}
