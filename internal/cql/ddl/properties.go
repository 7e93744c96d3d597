package ddl

import (
	"strings"
)

// value is the value of a WITH property: a constant or a map of constants. Cassandra keeps
// property values as text: PropertyDefinitions stores a constant as its raw text (the content of a
// string literal, a number or boolean exactly as written), and a map literal as a map of the raw
// texts of its keys and values. So does value.
type value struct {
	tok   token  // the value's first token, for error lines
	raw   string // the raw text of a constant
	isMap bool
	keys  []string          // a map's keys, in the order written
	m     map[string]string // a map's entries
}

// property is one name = value of a WITH clause.
type property struct {
	name string // folded to lower case unless quoted
	tok  token  // the name's token
	val  value
}

// constant reads a constant term and returns its raw text: a string literal's content, a number
// as written (with its sign), or true, false, NaN or Infinity as written.
func (c *cursor) constant() (string, token, error) {
	t := c.next()
	switch t.kind {
	case tokString, tokNumber:
		return t.text, t, nil
	case tokIdent:
		// The BOOLEAN, NaN and Infinity constants. (Cassandra's propertyValue also takes an
		// unreserved keyword, which no option uses: an unquoted word is taken for a mistake.)
		switch t.lower() {
		case "true", "false", "nan", "infinity":
			return t.text, t, nil
		}
		return "", t, c.errorf(t, "expected a constant (a string, number or boolean), found %s: quote it ('%s') if it is a string", t.describe(), t.text)
	case tokPunct:
		if t.text == "-" || t.text == "+" {
			n := c.next()
			if n.kind == tokNumber || n.isKeyword("nan") || n.isKeyword("infinity") {
				if t.text == "+" {
					return n.text, t, nil
				}
				return "-" + n.text, t, nil
			}
			return "", t, c.unexpected(n, "a number after '"+t.text+"'")
		}
	}
	return "", t, c.unexpected(t, "a constant (a string, number or boolean)")
}

// propertyValue reads a constant or a map literal {k: v, ...} of constants.
func (c *cursor) propertyValue() (value, error) {
	first := c.peek()
	if !c.acceptPunct("{") {
		raw, tok, err := c.constant()
		return value{tok: tok, raw: raw}, err
	}
	v := value{tok: first, isMap: true, m: map[string]string{}}
	if c.acceptPunct("}") {
		return v, nil
	}
	for {
		k, kt, err := c.constant()
		if err != nil {
			return v, err
		}
		if err := c.expectPunct(":"); err != nil {
			return v, err
		}
		val, _, err := c.constant()
		if err != nil {
			return v, err
		}
		if _, dup := v.m[k]; dup {
			return v, c.errorf(kt, "duplicate key '%s' in a map literal", k)
		}
		v.keys = append(v.keys, k)
		v.m[k] = val
		if c.acceptPunct("}") {
			return v, nil
		}
		if err := c.expectPunct(","); err != nil {
			return v, err
		}
	}
}

// properties reads `property (AND property)*` as in Cassandra's properties rule. special is
// offered each property first (CLUSTERING ORDER BY, COMPACT STORAGE): it returns true when it
// consumed one. Like PropertyDefinitions.addProperty, a property given twice is an error.
func (c *cursor) properties(special func() (bool, error)) ([]property, error) {
	var props []property
	seen := map[string]bool{}
	for {
		done := false
		if special != nil {
			var err error
			if done, err = special(); err != nil {
				return nil, err
			}
		}
		if !done {
			p, err := c.property()
			if err != nil {
				return nil, err
			}
			if seen[p.name] {
				return nil, c.errorf(p.tok, "multiple definitions for property '%s'", p.name)
			}
			seen[p.name] = true
			props = append(props, p)
		}
		if !c.acceptKeyword("and") {
			return props, nil
		}
	}
}

func (c *cursor) property() (property, error) {
	t := c.peek()
	var name string
	switch t.kind {
	case tokIdent:
		name = t.lower()
	case tokQuoted:
		name = t.text
	default:
		return property{}, c.unexpected(t, "a property name")
	}
	c.next()
	if err := c.expectPunct("="); err != nil {
		return property{}, err
	}
	if name == "id" {
		// WITH ID = <uuid>, which DESCRIBE ... WITH INTERNALS prints unquoted: a uuid starting
		// with a letter is not one token, so take everything up to the next AND.
		v := value{tok: c.peek()}
		var b strings.Builder
		for !c.atEnd() && !c.peek().isKeyword("and") {
			b.WriteString(c.next().text)
		}
		v.raw = b.String()
		return property{name: name, tok: t, val: v}, nil
	}
	v, err := c.propertyValue()
	return property{name: name, tok: t, val: v}, err
}
