package introspect

import (
	"context"
	"fmt"
	"strings"

	gocql "github.com/apache/cassandra-gocql-driver/v2"
)

// systemKeyspaces are the keyspaces of Cassandra 5.0 itself (SchemaConstants: the local system and
// system_schema, the replicated system_auth, system_distributed and system_traces, the virtual
// system_views and system_virtual_schema).
var systemKeyspaces = map[string]bool{
	"system":                true,
	"system_schema":         true,
	"system_auth":           true,
	"system_distributed":    true,
	"system_traces":         true,
	"system_views":          true,
	"system_virtual_schema": true,
}

// IsSystemKeyspace reports whether Cassandra 5.0 treats the keyspace as one of its own. Like
// SchemaConstants.isSystemKeyspace, it ignores case: "System" is taken for system too.
func IsSystemKeyspace(name string) bool { return systemKeyspaces[strings.ToLower(name)] }

const selectAllTables = `SELECT keyspace_name FROM system_schema.tables`

// CountTables counts the tables of the cluster outside Cassandra's own keyspaces (one query, one
// small row per table).
func CountTables(ctx context.Context, s *gocql.Session) (int, error) {
	it := s.Query(selectAllTables).Idempotent(true).IterContext(ctx)
	n := 0
	var ks string
	for it.Scan(&ks) {
		if !IsSystemKeyspace(ks) {
			n++
		}
	}
	if err := it.Close(); err != nil {
		return 0, fmt.Errorf("counting the tables: %w", err)
	}
	return n, nil
}
