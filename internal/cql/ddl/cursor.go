package ddl

import (
	"fmt"
	"strings"

	"github.com/cqlsync/cqlsync/internal/cql/schema"
)

// syntaxError is a problem with a statement, at the line of the token where it was found.
type syntaxError struct {
	line int
	msg  string
}

func (e *syntaxError) Error() string { return fmt.Sprintf("line %d: %s", e.line, e.msg) }

// lineError is a syntaxError at a line.
func lineError(line int, format string, args ...any) error {
	return &syntaxError{line: line, msg: fmt.Sprintf(format, args...)}
}

// cursor walks the tokens of one statement. The last token is always tokEOF, and next never moves
// past it, so a parser can read any number of tokens without bounds checks.
type cursor struct {
	src  string // the whole text, for quoting the source of errors
	toks []token
	i    int
}

// source is the text from token a to token b included, as written.
func (c *cursor) source(a, b token) string {
	if a.pos < 0 || b.end > len(c.src) || a.pos > b.end {
		return ""
	}
	return c.src[a.pos:b.end]
}

// last is the token before the next one.
func (c *cursor) last() token {
	if c.i == 0 {
		return c.toks[0]
	}
	return c.toks[c.i-1]
}

func (c *cursor) peek() token { return c.toks[c.i] }

// peekAt is the token n places ahead (0 is peek()), or the final tokEOF.
func (c *cursor) peekAt(n int) token {
	if c.i+n >= len(c.toks) {
		return c.toks[len(c.toks)-1]
	}
	return c.toks[c.i+n]
}

func (c *cursor) next() token {
	t := c.toks[c.i]
	if t.kind != tokEOF {
		c.i++
	}
	return t
}

func (c *cursor) atEnd() bool { return c.peek().kind == tokEOF }

// errorf is a syntaxError at token t.
func (c *cursor) errorf(t token, format string, args ...any) error {
	return &syntaxError{line: t.line, msg: fmt.Sprintf(format, args...)}
}

// unexpected is the error for token t where something else was expected.
func (c *cursor) unexpected(t token, expected string) error {
	return c.errorf(t, "expected %s, found %s", expected, t.describe())
}

// peekKeyword reports whether the next tokens are the unquoted keywords kws, in order.
func (c *cursor) peekKeyword(kws ...string) bool {
	for n, kw := range kws {
		if !c.peekAt(n).isKeyword(kw) {
			return false
		}
	}
	return true
}

// acceptKeyword consumes the keywords kws if they come next.
func (c *cursor) acceptKeyword(kws ...string) bool {
	if !c.peekKeyword(kws...) {
		return false
	}
	c.i += len(kws)
	return true
}

func (c *cursor) expectKeyword(kws ...string) error {
	for _, kw := range kws {
		if t := c.next(); !t.isKeyword(kw) {
			return c.unexpected(t, strings.ToUpper(kw))
		}
	}
	return nil
}

func (c *cursor) acceptPunct(p string) bool {
	if c.peek().is(p) {
		c.next()
		return true
	}
	return false
}

func (c *cursor) expectPunct(p string) error {
	if t := c.next(); !t.is(p) {
		return c.unexpected(t, "'"+p+"'")
	}
	return nil
}

// expectEnd fails unless the statement is over.
func (c *cursor) expectEnd() error {
	if t := c.peek(); t.kind != tokEOF {
		return c.errorf(t, "unexpected %s after the end of the statement", t.describe())
	}
	return nil
}

// ifNotExists consumes IF NOT EXISTS if it comes next.
func (c *cursor) ifNotExists() bool { return c.acceptKeyword("if", "not", "exists") }

// ifExists consumes IF EXISTS if it comes next.
func (c *cursor) ifExists() bool { return c.acceptKeyword("if", "exists") }

// ident reads a name as Cassandra does: an unquoted identifier is folded to lower case and may not
// be a reserved keyword; a quoted one is kept exactly and may not be empty.
func (c *cursor) ident(what string) (string, error) {
	t := c.next()
	switch t.kind {
	case tokIdent:
		name := t.lower()
		if schema.IsReservedKeyword(name) {
			return "", c.errorf(t, "%s is a reserved keyword: quote it (%q) to use it as a %s name", t.text, name, what)
		}
		return name, nil
	case tokQuoted:
		if t.text == "" {
			return "", c.errorf(t, `empty quoted name "" for a %s`, what)
		}
		return t.text, nil
	}
	return "", c.unexpected(t, "a "+what+" name")
}

// qualifiedName reads [keyspace.]name; keyspace is "" when the name is not qualified.
func (c *cursor) qualifiedName(what string) (keyspace, name string, err error) {
	name, err = c.ident(what)
	if err != nil {
		return "", "", err
	}
	if !c.acceptPunct(".") {
		return "", name, nil
	}
	keyspace = name
	name, err = c.ident(what)
	return keyspace, name, err
}

// typeText reads a CQL type (a name, keyspace.name, or a name with <...> parameters) and returns
// it as text for schema.ParseType, rebuilt from the tokens so that comments inside it are gone.
func (c *cursor) typeText() (string, token, error) {
	first := c.peek()
	var b strings.Builder
	write := func(t token) {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		switch t.kind {
		case tokQuoted:
			b.WriteString(`"` + strings.ReplaceAll(t.text, `"`, `""`) + `"`)
		case tokString:
			b.WriteString(`'` + strings.ReplaceAll(t.text, `'`, `''`) + `'`)
		default:
			b.WriteString(t.text)
		}
	}
	t := c.next()
	if t.kind != tokIdent && t.kind != tokQuoted && t.kind != tokString {
		return "", first, c.unexpected(t, "a type")
	}
	write(t)
	if c.peek().is(".") {
		write(c.next())
		n := c.next()
		if n.kind != tokIdent && n.kind != tokQuoted {
			return "", first, c.unexpected(n, "a user-defined type name after '.'")
		}
		write(n)
	}
	if !c.peek().is("<") {
		return b.String(), first, nil
	}
	for depth := 0; ; {
		t := c.next()
		switch {
		case t.kind == tokEOF:
			return "", first, c.errorf(first, "unbalanced '<' in the type starting with %s", first.describe())
		case t.is("<"):
			depth++
		case t.is(">"):
			depth--
		}
		write(t)
		if depth == 0 {
			return b.String(), first, nil
		}
	}
}
