package introspect

import (
	"context"
	"fmt"
	"sync"

	gocql "github.com/apache/cassandra-gocql-driver/v2"
)

// SchemaCache keeps what [ReadKeyspaceSchema] read, per connection and keyspace, until the
// cluster's schema version changes. Every lookup costs one read of system.local's schema_version;
// system_schema is read again only when that version differs from the one the cached copy was
// read under (any DDL anywhere in the cluster changes it).
//
// It is safe for concurrent use. One cache should be shared by every controller of a process.
type SchemaCache struct {
	mu       sync.Mutex
	entries  map[cacheKey]cacheEntry
	inflight map[cacheKey]*schemaRead
	stats    CacheStats
}

// schemaRead is a read of one keyspace under way; lookups of the same key and version wait for
// it instead of reading too.
type schemaRead struct {
	version string
	done    chan struct{}
	schema  *KeyspaceSchema
	err     error
}

type cacheKey struct{ conn, keyspace string }

type cacheEntry struct {
	version string
	schema  *KeyspaceSchema // nil: the keyspace did not exist
}

// CacheStats count what a SchemaCache did.
type CacheStats struct {
	// Lookups is how many times Keyspace was called.
	Lookups int64
	// Hits is how many lookups were answered from the cache (after the schema version check), or
	// by a read of the same keyspace and version that another lookup had under way.
	Hits int64
	// VersionReads is how many times system.local's schema_version was read.
	VersionReads int64
	// SchemaQueries is how many system_schema queries were sent.
	SchemaQueries int64
}

// NewSchemaCache returns an empty cache.
func NewSchemaCache() *SchemaCache {
	return &SchemaCache{entries: map[cacheKey]cacheEntry{}, inflight: map[cacheKey]*schemaRead{}}
}

// DefaultSchemaCache is the cache of the process, used by the controllers unless told otherwise.
var DefaultSchemaCache = NewSchemaCache()

// Keyspace returns the schema of a keyspace on the connection conn (any string naming the
// connection, e.g. its registry key), through session s; nil when the keyspace does not exist.
// The result is shared: do not modify it.
//
// It reads the schema version first and the schema after, from the same node, so a copy is filed
// under a version at most as new as what it shows: a change between the two reads only causes one
// more read next time, never a stale answer.
func (c *SchemaCache) Keyspace(ctx context.Context, conn string, s *gocql.Session, keyspace string) (*KeyspaceSchema, error) {
	c.count(func(st *CacheStats) { st.Lookups++; st.VersionReads++ })
	hostID, version, err := SchemaVersion(ctx, s)
	if err != nil {
		return nil, err
	}
	key := cacheKey{conn, keyspace}
	c.mu.Lock()
	if e, ok := c.entries[key]; ok && e.version == version {
		c.stats.Hits++
		c.mu.Unlock()
		return e.schema, nil
	}
	if r, ok := c.inflight[key]; ok && r.version == version {
		c.stats.Hits++
		c.mu.Unlock()
		select {
		case <-r.done:
			return r.schema, r.err
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	r := &schemaRead{version: version, done: make(chan struct{})}
	c.inflight[key] = r
	c.mu.Unlock()

	ks, queries, err := readKeyspaceSchema(ctx, s, hostID, keyspace)
	r.schema, r.err = ks, err
	c.mu.Lock()
	c.stats.SchemaQueries += int64(queries)
	if err == nil {
		c.entries[key] = cacheEntry{version: version, schema: ks}
	}
	if c.inflight[key] == r {
		delete(c.inflight, key)
	}
	c.mu.Unlock()
	close(r.done)
	return ks, err
}

// Invalidate forgets every keyspace of a connection (e.g. when it is deleted or points elsewhere).
func (c *SchemaCache) Invalidate(conn string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k := range c.entries {
		if k.conn == conn {
			delete(c.entries, k)
		}
	}
}

// InvalidateKeyspace forgets one keyspace of a connection.
func (c *SchemaCache) InvalidateKeyspace(conn, keyspace string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.entries, cacheKey{conn, keyspace})
}

// Stats returns the counters.
func (c *SchemaCache) Stats() CacheStats {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.stats
}

func (c *SchemaCache) count(f func(*CacheStats)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	f(&c.stats)
}

// SchemaVersion reads the host ID and schema version of the node that answers (system.local).
func SchemaVersion(ctx context.Context, s *gocql.Session) (hostID, version string, err error) {
	var id, v gocql.UUID
	if err := s.Query(`SELECT host_id, schema_version FROM system.local WHERE key = 'local'`).Idempotent(true).ScanContext(ctx, &id, &v); err != nil {
		return "", "", fmt.Errorf("reading the schema version: %w", err)
	}
	return id.String(), v.String(), nil
}
