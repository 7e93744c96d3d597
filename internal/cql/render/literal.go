package render

import (
	"math"
	"slices"
	"strconv"
	"strings"
)

// String renders s as a single-quoted CQL string literal. Every single quote inside s is doubled,
// which is how CQL escapes it (there are no backslash escapes); newlines and other characters are
// kept as they are, since CQL string literals may contain them.
func String(s string) string {
	return quote(s, '\'')
}

// Bool renders a CQL boolean literal: true or false.
func Bool(b bool) string {
	return strconv.FormatBool(b)
}

// Int renders a CQL integer literal in decimal, e.g. -42.
func Int(i int64) string {
	return strconv.FormatInt(i, 10)
}

// Float renders f as a CQL floating-point literal in the shortest form that round-trips to the
// same float64.
//
// The CQL lexer (Cassandra's Lexer.g) accepts FLOAT as INTEGER EXPONENT or INTEGER '.' DIGIT*
// EXPONENT?, with EXPONENT = E ('+'|'-')? DIGIT+, so Go's shortest 'g' form (1e-05, 1.5e+300,
// 0.25) is valid as it is; an integral value gets ".0" (3 -> 3.0) so that it stays a float literal
// rather than an integer. Non-finite values use CQL's keywords: NaN, Infinity and -Infinity.
func Float(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	}
	s := strconv.FormatFloat(f, 'g', -1, 64)
	if !strings.ContainsAny(s, ".e") {
		s += ".0"
	}
	return s
}

// StringMap renders m as a CQL map literal of string literals with the keys in sorted order, so
// the same map always renders the same text:
//
//	{'class': 'SimpleStrategy', 'replication_factor': '3'}
//
// An empty or nil map renders as {}.
func StringMap(m map[string]string) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)

	var b strings.Builder
	b.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(String(k))
		b.WriteString(": ")
		b.WriteString(String(m[k]))
	}
	b.WriteByte('}')
	return b.String()
}
