package schema

import (
	"strconv"
	"strings"

	"github.com/cqlsync/cqlsync/internal/cql/render"
)

// String returns the normal form of t: exactly the text Cassandra 5.0 writes into
// system_schema.columns.type for a column of this type (see the package documentation), e.g.
// "map<text, frozen<list<int>>>", "frozen<tuple<int, text>>", "frozen<\"MyType\">",
// "vector<float, 3>".
func (t Type) String() string {
	var b strings.Builder
	t.write(&b, maybeQuote)
	return b.String()
}

// CQL returns t as CQL for DDL statements: the normal form, except that every user-defined type
// name is double-quoted with [render.Ident] so that Cassandra reads it back exactly (a type named
// ttl, say, is reported unquoted but cannot be written unquoted). Keyspace qualifiers are left
// out: a table can only use types of its own keyspace.
func (t Type) CQL() string {
	var b strings.Builder
	t.write(&b, render.Ident)
	return b.String()
}

func (t Type) write(b *strings.Builder, udtName func(string) string) {
	switch t.Kind {
	case KindNative:
		b.WriteString(t.Name)
	case KindUDT:
		if t.Frozen {
			b.WriteString("frozen<")
		}
		b.WriteString(udtName(t.Name))
		if t.Frozen {
			b.WriteByte('>')
		}
	case KindList, KindSet, KindMap, KindTuple:
		frozen := t.Frozen || t.Kind == KindTuple
		if frozen {
			b.WriteString("frozen<")
		}
		b.WriteString(t.Kind.String())
		writeParams(b, t.Params, udtName)
		if frozen {
			b.WriteByte('>')
		}
	case KindVector:
		b.WriteString("vector<")
		if len(t.Params) > 0 {
			t.Params[0].write(b, udtName)
		}
		b.WriteString(", ")
		b.WriteString(strconv.Itoa(t.VectorDim))
		b.WriteByte('>')
	default:
		b.WriteString("<invalid type>")
	}
}

func writeParams(b *strings.Builder, params []Type, udtName func(string) string) {
	b.WriteByte('<')
	for i, p := range params {
		if i > 0 {
			b.WriteString(", ")
		}
		p.write(b, udtName)
	}
	b.WriteByte('>')
}

// maybeQuote is Cassandra's ColumnIdentifier.maybeQuote: a name matching [a-z][a-z0-9_]* that is
// not a reserved keyword stays as it is; any other is double-quoted with inner quotes doubled.
func maybeQuote(name string) string {
	if isUnquotedIdent(name) && !reservedKeywords[name] {
		return name
	}
	return render.Ident(name)
}

func isUnquotedIdent(s string) bool {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || isDigit(c) || c == '_') {
			return false
		}
	}
	return true
}
