package schema

// MaybeQuote is Cassandra's ColumnIdentifier.maybeQuote: the text Cassandra itself writes for an
// identifier in system tables, e.g. the target of an index in system_schema.indexes.options
// ("c", "\"MyCol\"", "\"order\"", keys(m)). A name matching [a-z][a-z0-9_]* that is not a reserved
// keyword is returned as it is; any other is double-quoted, inner quotes doubled.
func MaybeQuote(name string) string { return maybeQuote(name) }
