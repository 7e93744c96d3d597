package ddl

import (
	"slices"
	"strconv"
	"strings"

	"github.com/cqlsync/cqlsync/internal/cql/schema"
)

// columnMask reads a column mask (Cassandra 5.0's dynamic data masking) into the mask
// system_schema.column_masks stores for it, column being the masked column of a table of keyspace
// ksName:
//
//	MASKED WITH DEFAULT
//	MASKED WITH [keyspace.]function([literal, ...])
//
// DEFAULT is the built-in mask_default. A function named without a keyspace or in keyspace system
// is a built-in mask function; a name without a keyspace that is not one is a user-defined
// function of the table's keyspace, which is where Cassandra looks next, and the only keyspace
// whose functions may mask the table's columns. The arguments are literals (null, true, false,
// numbers, strings), written as DESCRIBE prints them: see maskArgument.
func (c *cursor) columnMask(ksName, column string) (*schema.Mask, error) {
	if err := c.expectKeyword("masked", "with"); err != nil {
		return nil, err
	}
	what := "the mask of column " + schema.MaybeQuote(column)
	if c.acceptKeyword("default") {
		return &schema.Mask{Function: schema.MaskDefault}, nil
	}
	first := c.peek()
	qualifier, name, err := c.qualifiedName("masking function")
	if err != nil {
		return nil, err
	}
	m := &schema.Mask{Keyspace: qualifier, Function: name}
	_, builtin := schema.BuiltinMasks[name]
	switch {
	case qualifier == "system" && !builtin:
		return nil, lineError(first.line, "%s: system.%s is not a masking function (the built-in ones are %s)",
			what, schema.MaybeQuote(name), strings.Join(builtinMaskNames(), ", "))
	case qualifier == "system", qualifier == "" && builtin:
		m.Keyspace = ""
	case qualifier == "":
		m.Keyspace = ksName
	case qualifier != ksName:
		return nil, lineError(first.line, "%s: masking function %s.%s does not belong to the same keyspace as the table (%s)",
			what, schema.MaybeQuote(qualifier), schema.MaybeQuote(name), schema.MaybeQuote(ksName))
	}
	open := c.peek()
	if err := c.expectPunct("("); err != nil {
		return nil, err
	}
	if !c.acceptPunct(")") {
		for {
			arg, err := c.maskArgument(what)
			if err != nil {
				return nil, err
			}
			m.Arguments = append(m.Arguments, arg)
			if c.acceptPunct(")") {
				break
			}
			if c.atEnd() {
				return nil, lineError(open.line, "%s: unbalanced '(': no ')' after the arguments of %s", what, schema.MaybeQuote(name))
			}
			if err := c.expectPunct(","); err != nil {
				return nil, err
			}
		}
	}
	if n, ok := schema.BuiltinMasks[m.Function]; ok && m.Keyspace == "" && (len(m.Arguments) < n[0] || len(m.Arguments) > n[1]) {
		want := strconv.Itoa(n[0])
		if n[1] != n[0] {
			want += " to " + strconv.Itoa(n[1])
		}
		return nil, lineError(first.line, "%s: %s takes %s argument(s) after the column, got %d", what, m.Function, want, len(m.Arguments))
	}
	return m, nil
}

// maskArgument reads one argument of a mask function, a literal, in the form Cassandra prints it
// back (DESCRIBE, and the values of system_schema.column_masks): null, true and false in lower
// case; a string in single quotes with a quote doubled (a $$string$$ too); a number as written,
// with its sign; NaN and Infinity as Java writes them. Letters in other constants (hexadecimal
// blobs, UUIDs, durations) are lower-cased as Cassandra prints those. Anything else (a function
// call, a bind marker, a collection, a tuple) is refused: Cassandra stores what it evaluates to,
// which cannot be known from the text.
func (c *cursor) maskArgument(what string) (string, error) {
	t := c.next()
	switch {
	case t.kind == tokString:
		return "'" + strings.ReplaceAll(t.text, "'", "''") + "'", nil
	case t.kind == tokNumber:
		return strings.ToLower(t.text), nil
	case t.isKeyword("null"), t.isKeyword("true"), t.isKeyword("false"):
		return t.lower(), nil
	case t.isKeyword("nan"):
		return "NaN", nil
	case t.isKeyword("infinity"):
		return "Infinity", nil
	case t.is("-"):
		// The sign is part of the literal: no space after it.
		n := c.peek()
		if n.pos != t.end {
			break
		}
		switch {
		case n.kind == tokNumber:
			c.next()
			return "-" + strings.ToLower(n.text), nil
		case n.isKeyword("nan"):
			c.next()
			return "NaN", nil
		case n.isKeyword("infinity"):
			c.next()
			return "-Infinity", nil
		}
	case (t.kind == tokIdent || t.kind == tokQuoted) && (c.peek().is("(") || c.peek().is(".")):
		return "", c.errorf(t, "%s: a function call (%s) is not a literal: write the value it gives", what, t.describe())
	case t.kind == tokEOF:
		return "", c.errorf(t, "%s: unbalanced '(': the statement ends inside the arguments", what)
	}
	return "", c.errorf(t, "%s: expected a literal argument (null, true, false, a number or a string), found %s", what, t.describe())
}

func builtinMaskNames() []string {
	names := make([]string, 0, len(schema.BuiltinMasks))
	for n := range schema.BuiltinMasks {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}
