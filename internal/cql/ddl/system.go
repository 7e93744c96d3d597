package ddl

import "strings"

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
