package render

import (
	"fmt"
	"regexp"
	"strings"
)

// Mask is a column mask of MASKED WITH: a function and its arguments after the column. It is
// built by NewMask, which refuses any argument that is not a literal, so that no user text
// reaches a statement unchecked.
type Mask struct {
	keyspace, function string
	args               []string
}

// maskLiteral: null, a boolean, an integer or decimal, or a quoted string (” for a quote).
var maskLiteral = regexp.MustCompile(`^(?i:null|true|false)$|^-?[0-9]+(\.[0-9]+)?$|^'([^']|'')*'$`)

// IsMaskArgument reports whether s is a literal a mask may take as an argument: null, true,
// false, a number, or a quoted string. Nothing else is rendered after MASKED WITH.
func IsMaskArgument(s string) bool { return maskLiteral.MatchString(s) }

// NewMask is the mask function keyspace.function (keyspace "" for Cassandra's built-in mask
// functions, rendered without a keyspace) with the given arguments, each a CQL literal.
func NewMask(keyspace, function string, args []string) (Mask, error) {
	if function == "" {
		return Mask{}, fmt.Errorf("a mask needs a function")
	}
	for _, a := range args {
		if !IsMaskArgument(a) {
			return Mask{}, fmt.Errorf("mask argument %s is not a CQL literal", a)
		}
	}
	return Mask{keyspace: keyspace, function: function, args: append([]string(nil), args...)}, nil
}

// CQL is the function call after MASKED WITH: mask_inner(1, null), or "ks"."fn"('x').
func (m Mask) CQL() string {
	fn := QualifiedName(m.keyspace, m.function)
	if m.keyspace == "" {
		// A built-in (mask_inner): unquoted, as Cassandra's own functions are written.
		fn = m.function
		if !plainIdent(fn) {
			fn = Ident(fn)
		}
	}
	return fn + "(" + strings.Join(m.args, ", ") + ")"
}

func plainIdent(s string) bool {
	for _, r := range s {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return s != ""
}

// AlterColumnMask renders ALTER TABLE ALTER ... MASKED WITH:
//
//	ALTER TABLE "ks"."t" ALTER "email" MASKED WITH mask_inner(1, null)
func AlterColumnMask(keyspace, table, column string, m Mask) string {
	return "ALTER TABLE " + QualifiedName(keyspace, table) + " ALTER " + Ident(column) + " MASKED WITH " + m.CQL()
}

// DropColumnMask renders ALTER TABLE ALTER ... DROP MASKED:
//
//	ALTER TABLE "ks"."t" ALTER "email" DROP MASKED
func DropColumnMask(keyspace, table, column string) string {
	return "ALTER TABLE " + QualifiedName(keyspace, table) + " ALTER " + Ident(column) + " DROP MASKED"
}
