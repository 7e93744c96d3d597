package schema

// nativeTypes maps each native type keyword of Cassandra 5.0's grammar (Parser.g native_type) to
// the name Cassandra reports for it (CQL3Type.Native.toString() of the type's asCQL3Type()).
// varchar is the only alias: it is UTF8Type, reported as text.
var nativeTypes = map[string]string{
	"ascii":     "ascii",
	"bigint":    "bigint",
	"blob":      "blob",
	"boolean":   "boolean",
	"counter":   "counter",
	"date":      "date",
	"decimal":   "decimal",
	"double":    "double",
	"duration":  "duration",
	"float":     "float",
	"inet":      "inet",
	"int":       "int",
	"smallint":  "smallint",
	"text":      "text",
	"time":      "time",
	"timestamp": "timestamp",
	"timeuuid":  "timeuuid",
	"tinyint":   "tinyint",
	"uuid":      "uuid",
	"varchar":   "text",
	"varint":    "varint",
}

// paramKeywords are the type keywords that take parameters.
var paramKeywords = map[string]bool{
	"list": true, "set": true, "map": true, "tuple": true, "frozen": true, "vector": true,
}

// reservedKeywords is Cassandra 5.0's reserved_keywords.txt (lower-cased). These words are never
// identifiers unless quoted, and ColumnIdentifier.maybeQuote always quotes them.
var reservedKeywords = map[string]bool{
	"add": true, "allow": true, "alter": true, "and": true, "apply": true, "asc": true,
	"authorize": true, "batch": true, "begin": true, "by": true, "columnfamily": true,
	"create": true, "delete": true, "desc": true, "describe": true, "drop": true,
	"entries": true, "execute": true, "from": true, "full": true, "grant": true, "if": true,
	"in": true, "index": true, "infinity": true, "insert": true, "into": true, "is": true,
	"keyspace": true, "limit": true, "materialized": true, "modify": true, "nan": true,
	"norecursive": true, "not": true, "null": true, "of": true, "on": true, "or": true,
	"order": true, "primary": true, "rename": true, "revoke": true, "schema": true,
	"select": true, "set": true, "table": true, "to": true, "token": true, "truncate": true,
	"unlogged": true, "update": true, "use": true, "using": true, "view": true, "where": true,
	"with": true,
}

// reservedTypeNames are names Cassandra's grammar (Parser.g reservedTypeNames) refuses as
// unquoted user type names; "date" is also a native type.
var reservedTypeNames = map[string]bool{
	"byte": true, "complex": true, "enum": true, "date": true, "interval": true,
	"macaddr": true, "bitstring": true,
}

// isTypeKeyword reports whether name, written unquoted, would be read as a CQL type keyword.
func isTypeKeyword(name string) bool {
	_, native := nativeTypes[name]
	return native || paramKeywords[name]
}
