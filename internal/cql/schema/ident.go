package schema

import "strings"

// MaybeQuote is Cassandra's ColumnIdentifier.maybeQuote: the text Cassandra itself writes for an
// identifier in system tables, e.g. the target of an index in system_schema.indexes.options
// ("c", "\"MyCol\"", "\"order\"", keys(m)). A name matching [a-z][a-z0-9_]* that is not a reserved
// keyword is returned as it is; any other is double-quoted, inner quotes doubled.
func MaybeQuote(name string) string { return maybeQuote(name) }

// IsReservedKeyword reports whether name is one of Cassandra 5.0's reserved keywords
// (reserved_keywords.txt), which can be used as an identifier only when quoted. Unquoted CQL text
// is case-insensitive, so the comparison ignores case: "SELECT" and "select" are both reserved.
func IsReservedKeyword(name string) bool { return reservedKeywords[strings.ToLower(name)] }
