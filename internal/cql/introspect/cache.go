package introspect

import (
	"context"
	"maps"
	"sync"
	"time"

	gocql "github.com/apache/cassandra-gocql-driver/v2"
)

// SchemaCache keeps the live schema of keyspaces, per connection, and reads again only what
// changed: one table, one type, or the keyspace's row, never the whole keyspace again because one
// of its objects changed.
//
// What changed is learnt three ways:
//   - Changed and Forget, which the controllers call for the statements they run (before the
//     statement is even answered) and for the cluster's SCHEMA_CHANGE events (package events);
//   - while events are heard (EventsUp), an entry is trusted without a query for TrustFor after
//     it was last checked: a change sends an event within milliseconds, and the event marks the
//     object;
//   - otherwise, and every TrustFor, a lookup checks the keyspace with one query: its row's write
//     time, which every schema change in the keyspace rewrites. When it moved, the write times of
//     the tables' and types' rows say which of them to read again.
//
// Why a stale answer is never used to plan DDL: what cqlsync itself ran is marked before the
// next lookup (so it reads its own writes); an out-of-band change is either marked by its event
// or, if the event stream was interrupted, caught by the write-time check, which runs on every
// lookup until events have been heard continuously since the entry was checked. The window left
// is the one every read has (a change between the read and the DDL), and it is closed by the
// change's own event, which requeues the resources concerned.
//
// A refresh's reads all go to one node, the one that answers first, so that nodes that disagree
// are never mixed. Marks made while a refresh runs are kept for the next lookup.
//
// It is safe for concurrent use; one cache should be shared by every controller of a process.
type SchemaCache struct {
	// TrustFor is how long heard events vouch for an entry without a query (default 1m).
	TrustFor time.Duration
	// BulkThreshold: when more objects than this changed, the keyspace is read whole
	// (SchemaQueriesPerKeyspace queries) instead of object by object. Default 16.
	BulkThreshold int

	now func() time.Time
	// beforeRead, when set (tests), runs at the start of each refresh's read, unlocked.
	beforeRead func()
	mu         sync.Mutex
	conns      map[string]*connState
	stats      CacheStats
}

// connState is what the cache knows of one connection.
type connState struct {
	// eventsUpSince is when the connection's events started being heard without interruption;
	// zero while they are not.
	eventsUpSince time.Time
	// seq counts marks, so that a refresh knows which marks came after it started.
	seq       uint64
	keyspaces map[string]*entry
}

// entry is one keyspace of one connection.
type entry struct {
	schema *KeyspaceSchema // nil: the keyspace does not exist
	// stamp is the write time of the keyspace's row when last checked; the tables' and types'
	// stamps those of their rows.
	stamp                   int64
	tableStamps, typeStamps map[string]int64
	// checkedAt is when the last refresh that checked the whole keyspace started.
	checkedAt time.Time
	// dirty marks, by the seq of their latest mark: the keyspace's row, tables, types.
	dirtyRow    uint64
	dirtyTables map[string]uint64
	dirtyTypes  map[string]uint64
	// refreshing is the refresh under way, if any.
	refreshing *refresh
}

func (e *entry) clean() bool {
	return e.dirtyRow == 0 && len(e.dirtyTables) == 0 && len(e.dirtyTypes) == 0
}

// newestMark is the seq of the entry's latest mark (0: none).
func (e *entry) newestMark() uint64 {
	n := e.dirtyRow
	for _, m := range []map[string]uint64{e.dirtyTables, e.dirtyTypes} {
		for _, seq := range m {
			n = max(n, seq)
		}
	}
	return n
}

// refresh is a read under way; lookups that may use its result wait for it.
type refresh struct {
	started time.Time
	// seq is the connection's mark sequence when it started: it read every mark up to it.
	seq    uint64
	done   chan struct{}
	schema *KeyspaceSchema
	err    error
}

// CacheStats count what a SchemaCache did.
type CacheStats struct {
	// Lookups is how many times Keyspace was called.
	Lookups int64
	// Hits is how many lookups were answered without a query: from a trusted entry, or by a
	// refresh another lookup had under way.
	Hits int64
	// ChangeChecks is how many times a keyspace's row was read to check whether the keyspace
	// changed.
	ChangeChecks int64
	// SchemaQueries is how many system_schema queries were sent, the checks included.
	SchemaQueries int64
	// ObjectReads is how many tables, types and keyspace rows were read again on their own.
	ObjectReads int64
	// FullReads is how many times a whole keyspace was read.
	FullReads int64
}

// NewSchemaCache returns an empty cache.
func NewSchemaCache() *SchemaCache {
	return &SchemaCache{TrustFor: time.Minute, BulkThreshold: 16, now: time.Now, conns: map[string]*connState{}}
}

// DefaultSchemaCache is the cache of the process, used by the controllers unless told otherwise.
var DefaultSchemaCache = NewSchemaCache()

func (c *SchemaCache) conn(conn string) *connState {
	st := c.conns[conn]
	if st == nil {
		st = &connState{keyspaces: map[string]*entry{}}
		c.conns[conn] = st
	}
	return st
}

// Keyspace returns the schema of a keyspace on the connection conn (any string naming the
// connection, e.g. its registry key), through session s; nil when the keyspace does not exist.
// The result is shared: do not modify it.
func (c *SchemaCache) Keyspace(ctx context.Context, conn string, s *gocql.Session, keyspace string) (*KeyspaceSchema, error) {
	begun := c.now()
	c.mu.Lock()
	c.stats.Lookups++
	for {
		st := c.conn(conn)
		e := st.keyspaces[keyspace]
		if e == nil {
			e = &entry{}
			st.keyspaces[keyspace] = e
		}
		trusted := e.checkedAt.After(time.Time{}) && !st.eventsUpSince.IsZero() && !st.eventsUpSince.After(e.checkedAt) &&
			c.now().Sub(e.checkedAt) < c.TrustFor
		if trusted && e.clean() {
			c.stats.Hits++
			c.mu.Unlock()
			return e.schema, nil
		}
		if f := e.refreshing; f != nil {
			// Its result will do if it started after this lookup (it saw everything this lookup
			// must see), or if events vouch for what came in between and nothing was marked
			// since it started (a statement that ran meanwhile must be seen: reusing a read from
			// before it would plan the statement again).
			usable := (trusted && e.newestMark() <= f.seq) || !f.started.Before(begun)
			c.mu.Unlock()
			select {
			case <-f.done:
			case <-ctx.Done():
				return nil, ctx.Err()
			}
			if usable && f.err == nil {
				c.mu.Lock()
				c.stats.Hits++
				c.mu.Unlock()
				return f.schema, nil
			}
			c.mu.Lock()
			continue
		}
		return c.refresh(ctx, st, e, s, keyspace, trusted) // unlocks
	}
}

// job is what a refresh must do, decided under the lock.
type job struct {
	seq                   uint64
	check                 bool // check the keyspace's row and stamps (untrusted, or never read)
	full                  bool // read the keyspace whole
	row                   bool // read the row again
	tables, types         []string
	stamp                 int64
	tableStamps, typStamp map[string]int64
}

// refresh reads what the entry needs, with c.mu held on entry and released on return.
func (c *SchemaCache) refresh(ctx context.Context, st *connState, e *entry, s *gocql.Session, keyspace string, trusted bool) (*KeyspaceSchema, error) {
	f := &refresh{started: c.now(), seq: st.seq, done: make(chan struct{})}
	e.refreshing = f
	j := job{seq: st.seq, check: !trusted, full: e.checkedAt.IsZero(), row: e.dirtyRow != 0,
		tables: keys(e.dirtyTables), types: keys(e.dirtyTypes), stamp: e.stamp,
		tableStamps: e.tableStamps, typStamp: e.typeStamps}
	if len(j.tables)+len(j.types) > c.BulkThreshold {
		j.full = true
	}
	old := e.schema
	c.mu.Unlock()

	if c.beforeRead != nil {
		c.beforeRead()
	}
	r := &schemaReader{s: s, keyspace: keyspace}
	res, err := c.read(ctx, r, j, old)

	c.mu.Lock()
	defer c.mu.Unlock()
	c.stats.SchemaQueries += int64(r.queries)
	c.stats.ObjectReads += int64(res.objectReads)
	if j.check && !j.full {
		c.stats.ChangeChecks++
	}
	if res.full {
		c.stats.FullReads++
	}
	if err == nil && st.keyspaces[keyspace] == e { // not forgotten meanwhile
		e.schema = res.schema
		if res.checked {
			e.stamp, e.tableStamps, e.typeStamps, e.checkedAt = res.stamp, res.tableStamps, res.typeStamps, f.started
		} else {
			e.tableStamps, e.typeStamps = res.tableStamps, res.typeStamps
		}
		// What was marked before the read started has been read; later marks stay.
		if e.dirtyRow <= j.seq {
			e.dirtyRow = 0
		}
		maps.DeleteFunc(e.dirtyTables, func(_ string, seq uint64) bool { return seq <= j.seq })
		maps.DeleteFunc(e.dirtyTypes, func(_ string, seq uint64) bool { return seq <= j.seq })
	}
	f.schema, f.err = res.schema, err
	e.refreshing = nil
	close(f.done)
	return res.schema, err
}

// readResult is what a refresh read.
type readResult struct {
	schema                  *KeyspaceSchema
	checked                 bool // the whole keyspace was checked: stamp and checkedAt move
	full                    bool
	objectReads             int
	stamp                   int64
	tableStamps, typeStamps map[string]int64
}

// read performs a job against the entry's current schema (old, shared: never modified).
func (c *SchemaCache) read(ctx context.Context, r *schemaReader, j job, old *KeyspaceSchema) (readResult, error) {
	readAll := func() (readResult, error) {
		all, err := r.readAll(ctx)
		return readResult{schema: all.schema, checked: true, full: true, stamp: all.stamp,
			tableStamps: all.tableStamps, typeStamps: all.typeStamps}, err
	}
	if j.full || (old == nil && !j.check && j.row) {
		return readAll()
	}
	res := readResult{schema: old, stamp: j.stamp, tableStamps: j.tableStamps, typeStamps: j.typStamp}
	tables, types := j.tables, j.types
	var row *KeyspaceSchema
	if j.check || j.row {
		ks, stamp, found, err := r.keyspaceRow(ctx)
		if err != nil {
			return readResult{}, err
		}
		switch {
		case !found:
			return readResult{checked: j.check}, nil // dropped, or still absent
		case old == nil:
			return readAll() // created since
		}
		if j.row || !maps.Equal(ks.Replication, old.Replication) || ks.DurableWrites != old.DurableWrites {
			row = ks
			res.objectReads++
		}
		if j.check {
			res.checked = true
			res.stamp = stamp
			if stamp != j.stamp {
				// Something in the keyspace changed: its parts' stamps say what.
				tableStamps, typeStamps, err := r.stamps(ctx)
				if err != nil {
					return readResult{}, err
				}
				tables = union(tables, changed(j.tableStamps, tableStamps))
				types = union(types, changed(j.typStamp, typeStamps))
				if len(tables)+len(types) > c.BulkThreshold {
					return readAll()
				}
			}
		}
	} else if old == nil {
		return res, nil // still absent as far as the marks say; only a check can tell more
	}
	next := &KeyspaceSchema{Name: old.Name, Replication: old.Replication, DurableWrites: old.DurableWrites,
		Tables: maps.Clone(old.Tables), Types: maps.Clone(old.Types)}
	if row != nil {
		next.Replication, next.DurableWrites = row.Replication, row.DurableWrites
	}
	res.tableStamps, res.typeStamps = maps.Clone(res.tableStamps), maps.Clone(res.typeStamps)
	if res.tableStamps == nil {
		res.tableStamps = map[string]int64{}
	}
	if res.typeStamps == nil {
		res.typeStamps = map[string]int64{}
	}
	n, err := readEach(ctx, tables, r.fullTables, next.Tables, res.tableStamps)
	if err != nil {
		return readResult{}, err
	}
	m, err := readEach(ctx, types, r.types, next.Types, res.typeStamps)
	if err != nil {
		return readResult{}, err
	}
	res.objectReads += n + m
	if row == nil && len(tables) == 0 && len(types) == 0 {
		return res, nil // the check found nothing new: keep the shared copy
	}
	if len(tables) > 0 {
		next.indexTables()
	} else {
		next.IndexTables = old.IndexTables
	}
	res.schema = next
	return res, nil
}

// readEach reads each named object again into objects and stamps (removing those that are gone),
// and returns how many it read.
func readEach[V any](ctx context.Context, names []string, read func(context.Context, string) (map[string]V, map[string]int64, error),
	objects map[string]V, stamps map[string]int64) (int, error) {
	for _, name := range names {
		got, st, err := read(ctx, name)
		if err != nil {
			return 0, err
		}
		if o, ok := got[name]; ok {
			objects[name], stamps[name] = o, st[name]
		} else {
			delete(objects, name)
			delete(stamps, name)
		}
	}
	return len(names), nil
}

// changed lists the names whose stamp differs between two readings, or that one of them lacks.
func changed(before, after map[string]int64) []string {
	var out []string
	for name, s := range after {
		if b, ok := before[name]; !ok || b != s {
			out = append(out, name)
		}
	}
	for name := range before {
		if _, ok := after[name]; !ok {
			out = append(out, name)
		}
	}
	return out
}

func union(a, b []string) []string {
	seen := make(map[string]bool, len(a))
	out := make([]string, 0, len(a)+len(b))
	for _, s := range append(a, b...) {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

func keys(m map[string]uint64) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// Changed marks an object of a connection as possibly changed: the next lookup of its keyspace
// reads it again (and only it). A keyspace object marks the keyspace's row.
func (c *SchemaCache) Changed(conn string, o Object) {
	c.mu.Lock()
	defer c.mu.Unlock()
	st := c.conns[conn]
	if st == nil {
		return
	}
	e := st.keyspaces[o.Keyspace]
	if e == nil {
		return
	}
	st.seq++
	switch o.Kind {
	case TableObject:
		if e.dirtyTables == nil {
			e.dirtyTables = map[string]uint64{}
		}
		e.dirtyTables[o.Name] = st.seq
	case TypeObject:
		if e.dirtyTypes == nil {
			e.dirtyTypes = map[string]uint64{}
		}
		e.dirtyTypes[o.Name] = st.seq
	default:
		e.dirtyRow = st.seq
	}
}

// Forget drops a keyspace of a connection from the cache: it is read whole at the next lookup
// (a keyspace created or dropped).
func (c *SchemaCache) Forget(conn, keyspace string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if st := c.conns[conn]; st != nil {
		delete(st.keyspaces, keyspace)
	}
}

// EventsUp says whether the connection's schema change events are being heard. While they are not,
// every lookup checks its keyspace with a query.
func (c *SchemaCache) EventsUp(conn string, up bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	st := c.conn(conn)
	switch {
	case !up:
		st.eventsUpSince = time.Time{}
	case st.eventsUpSince.IsZero():
		st.eventsUpSince = c.now()
	}
}

// Invalidate forgets every keyspace of a connection (e.g. when it is deleted or points elsewhere).
// Whether its events are heard is kept: that is the listener's to say.
func (c *SchemaCache) Invalidate(conn string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if st := c.conns[conn]; st != nil {
		st.keyspaces = map[string]*entry{}
	}
}

// Stats returns the counters.
func (c *SchemaCache) Stats() CacheStats {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.stats
}
