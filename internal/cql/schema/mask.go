package schema

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/cqlsync/cqlsync/internal/cql/render"
)

// Mask is a column mask of Cassandra 5.0's dynamic data masking (a column MASKED WITH a
// function): what a role without the UNMASK permission reads instead of the value.
type Mask struct {
	// Keyspace of the function: "" for Cassandra's built-in mask functions (keyspace system),
	// the keyspace of a user-defined function otherwise.
	Keyspace string
	// Function is the function's name: mask_default, mask_null, mask_replace, mask_inner,
	// mask_outer, mask_hash, or a user-defined function's.
	Function string
	// Arguments are the arguments after the column's value, as CQL literals in the form
	// Cassandra prints them: null, true, false, a number (1, -2, 0.5) or a quoted string ('#',
	// 'it''s').
	Arguments []string
}

// MaskDefault is the function MASKED WITH DEFAULT stands for.
const MaskDefault = "mask_default"

// BuiltinMasks are Cassandra 5.0's mask functions, with how many arguments each takes after the
// column (min, max).
var BuiltinMasks = map[string][2]int{
	"mask_default": {0, 0},
	"mask_null":    {0, 0},
	"mask_replace": {1, 1},
	"mask_inner":   {2, 3},
	"mask_outer":   {2, 3},
	"mask_hash":    {0, 1},
}

// ValidMaskArgument reports whether a mask argument is a CQL literal cqlsync accepts: what
// render.IsMaskArgument accepts (null, a boolean, a number, a quoted string), at most 1024 bytes.
func ValidMaskArgument(s string) bool { return len(s) <= 1024 && render.IsMaskArgument(s) }

// ParseMaskFunction reads a mask function as a spec names it: DEFAULT, a built-in function
// (mask_inner), or keyspace.function for a user-defined one. Names are case-sensitive and plain
// (letters, digits and _): the function of a user-defined mask is written as Cassandra stores it.
func ParseMaskFunction(s string) (keyspace, function string, err error) {
	if s == "DEFAULT" {
		return "", MaskDefault, nil
	}
	ks, fn, qualified := strings.Cut(s, ".")
	if !qualified {
		if _, ok := BuiltinMasks[s]; !ok {
			return "", "", fmt.Errorf("%q is not a built-in mask function (%s): name a user-defined one as keyspace.function", s, strings.Join(builtinNames(), ", "))
		}
		return "", s, nil
	}
	if !plainName(ks) || !plainName(fn) {
		return "", "", fmt.Errorf("%q: a user-defined mask function is keyspace.function, each of letters, digits and _", s)
	}
	if ks == "system" {
		return ParseMaskFunction(fn)
	}
	return ks, fn, nil
}

func plainName(s string) bool {
	if s == "" || len(s) > 48 {
		return false
	}
	for _, r := range s {
		if !(r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return false
		}
	}
	return true
}

func builtinNames() []string {
	names := make([]string, 0, len(BuiltinMasks))
	for n := range BuiltinMasks {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// NewMask checks and normalises a mask as a spec declares it: the function (see
// ParseMaskFunction) and its arguments (each a literal; as many as a built-in function takes).
// null, true and false are lower-cased.
func NewMask(function string, args []string) (*Mask, error) {
	ks, fn, err := ParseMaskFunction(function)
	if err != nil {
		return nil, err
	}
	m := &Mask{Keyspace: ks, Function: fn}
	for i, a := range args {
		if !ValidMaskArgument(a) {
			return nil, fmt.Errorf("argument %d (%s) is not a CQL literal: write null, true, false, a number, or a string in single quotes ('' for a quote)", i+1, a)
		}
		if l := strings.ToLower(a); l == "null" || l == "true" || l == "false" {
			a = l
		}
		m.Arguments = append(m.Arguments, a)
	}
	if ks == "" {
		if n := BuiltinMasks[fn]; len(args) < n[0] || len(args) > n[1] {
			want := strconv.Itoa(n[0])
			if n[1] != n[0] {
				want += " to " + strconv.Itoa(n[1])
			}
			return nil, fmt.Errorf("%s takes %s argument(s) after the column, got %d", fn, want, len(args))
		}
	}
	return m, nil
}

// Equal reports whether two masks are the same function with the same arguments (numbers
// compared by value: 1.50 is 1.5). nil is no mask.
func (m *Mask) Equal(o *Mask) bool {
	if m == nil || o == nil {
		return m == o
	}
	if m.Keyspace != o.Keyspace || m.Function != o.Function || len(m.Arguments) != len(o.Arguments) {
		return false
	}
	for i, a := range m.Arguments {
		b := o.Arguments[i]
		if a == b {
			continue
		}
		x, err1 := strconv.ParseFloat(a, 64)
		y, err2 := strconv.ParseFloat(b, 64)
		if err1 != nil || err2 != nil || x != y {
			return false
		}
	}
	return true
}

// String is the mask as DESCRIBE prints it after MASKED WITH: system.mask_inner(1, null), or
// ks.fn('x') (names quoted where CQL needs it).
func (m *Mask) String() string {
	ks := "system"
	if m.Keyspace != "" {
		ks = m.Keyspace
	}
	return maybeQuote(ks) + "." + maybeQuote(m.Function) + "(" + strings.Join(m.Arguments, ", ") + ")"
}

// MaskArgumentLiteral is the literal of a stored mask argument (system_schema.column_masks keeps
// its CQL type and its value as text): null, the value quoted for the types whose literals are
// strings (text, ascii, inet, date, time, timestamp), or the value as it is.
func MaskArgumentLiteral(cqlType, value string, null bool) string {
	if null {
		return "null"
	}
	switch strings.ToLower(cqlType) {
	case "text", "varchar", "ascii", "inet", "date", "time", "timestamp":
		return "'" + strings.ReplaceAll(value, "'", "''") + "'"
	}
	return value
}
