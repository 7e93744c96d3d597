package render

import "strings"

// Ident renders name as a double-quoted CQL identifier, doubling any '"' inside it:
// Ident(`a"b`) == `"a""b"`.
//
// Names are always quoted, even when quoting is not needed, because Cassandra folds unquoted
// identifiers to lower case and we store names exactly as the user gave them. Ident does not
// validate name: an empty name renders as `""`, which Cassandra rejects.
func Ident(name string) string {
	return quote(name, '"')
}

// QualifiedName renders a keyspace-qualified name: QualifiedName("ks", "tbl") == `"ks"."tbl"`.
func QualifiedName(keyspace, name string) string {
	return Ident(keyspace) + "." + Ident(name)
}

// quote wraps s in q, doubling every q inside s (the CQL escape for both quoted identifiers and
// string literals).
func quote(s string, q byte) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte(q)
	for i := 0; i < len(s); i++ {
		if s[i] == q {
			b.WriteByte(q)
		}
		b.WriteByte(s[i])
	}
	b.WriteByte(q)
	return b.String()
}
