package ddl

import "github.com/cqlsync/cqlsync/internal/cql/introspect"

// IsSystemKeyspace reports whether Cassandra 5.0 treats the keyspace as one of its own (see
// introspect.IsSystemKeyspace).
func IsSystemKeyspace(name string) bool { return introspect.IsSystemKeyspace(name) }
