package ddl

import (
	"errors"
	"strings"
)

// Why statements about objects cqlsync does not manage are skipped.
const (
	reasonView      = "materialized views are not managed by cqlsync"
	reasonFunction  = "user-defined functions are not managed by cqlsync"
	reasonAggregate = "user-defined aggregates are not managed by cqlsync"
	reasonTrigger   = "triggers are not managed by cqlsync"
)

// skipCreate names and skips the CREATE statements cqlsync does not manage, the CREATE already
// read: CREATE MATERIALIZED VIEW, [OR REPLACE] FUNCTION and AGGREGATE, TRIGGER, ROLE, USER, ...
func (p *parser) skipCreate(s *stmt) error {
	c := s.c
	c.acceptKeyword("or", "replace")
	if found, err := p.skipViewOrRoutine(s); found {
		return err
	}
	if c.acceptKeyword("trigger") {
		s.kind = KindTrigger
		c.ifNotExists()
		if name, err := c.ident("trigger"); err == nil {
			s.name = name
			if c.acceptKeyword("on") {
				if q, table, err := c.qualifiedName("table"); err == nil {
					if err := p.bestEffortKeyspace(s, q); err != nil {
						return err
					}
					return errors.New(reasonTrigger + " (on table " + table + ")")
				}
			}
		}
		return errors.New(reasonTrigger)
	}
	return p.unsupported(s)
}

// viewsAndRoutines are the objects with a name of their own that cqlsync does not manage, by the
// keywords that follow CREATE, ALTER or DROP.
var viewsAndRoutines = []struct {
	keywords     []string
	kind, reason string
}{
	{[]string{"materialized", "view"}, KindView, reasonView},
	{[]string{"function"}, KindFunction, reasonFunction},
	{[]string{"aggregate"}, KindAggregate, reasonAggregate},
}

// skipViewOrRoutine names and skips a statement about a materialized view, a function or an
// aggregate, the verb already read; found is false when the statement is about something else.
func (p *parser) skipViewOrRoutine(s *stmt) (found bool, err error) {
	for _, o := range viewsAndRoutines {
		if s.c.acceptKeyword(o.keywords...) {
			return true, p.skipNamed(s, o.kind, o.reason)
		}
	}
	return false, nil
}

// skipOther skips the ALTER and DROP statements of objects cqlsync does not manage and every
// other statement (verb is "ALTER" or "DROP" when that much was read, "" otherwise).
func (p *parser) skipOther(s *stmt, verb string) error {
	c := s.c
	if verb != "" {
		if found, err := p.skipViewOrRoutine(s); found {
			return err
		}
		if c.acceptKeyword("trigger") {
			s.kind = KindTrigger
			c.ifExists()
			if name, err := c.ident("trigger"); err == nil {
				s.name = name
			}
			return errors.New(reasonTrigger)
		}
	}
	// DESCRIBE FULL SCHEMA prints virtual keyspaces and tables inside comments; should one be
	// uncommented, name it.
	if c.acceptKeyword("virtual", "keyspace") {
		s.kind = KindKeyspace
		if name, err := c.ident("keyspace"); err == nil {
			s.keyspace = name
			if IsSystemKeyspace(name) {
				return errSystemKeyspace
			}
		}
		return errors.New("virtual keyspaces cannot be created with CQL")
	}
	if c.acceptKeyword("virtual", "table") {
		return p.skipNamed(s, KindTable, "virtual tables cannot be created with CQL")
	}
	return p.unsupported(s)
}

// skipNamed reads [IF [NOT] EXISTS] [ks.]name, as far as it can, to name what is skipped.
func (p *parser) skipNamed(s *stmt, kind, reason string) error {
	c := s.c
	s.kind = kind
	if !c.ifNotExists() {
		c.ifExists()
	}
	q, name, err := c.qualifiedName(kind)
	if err != nil {
		return errors.New(reason)
	}
	s.name = name
	if err := p.bestEffortKeyspace(s, q); err != nil {
		return err
	}
	return errors.New(reason)
}

// bestEffortKeyspace records the keyspace of a skipped object, if known, and fails for a system
// keyspace (whose statements are not reported one by one).
func (p *parser) bestEffortKeyspace(s *stmt, qualifier string) error {
	if qualifier == "" {
		qualifier = p.current
	}
	s.keyspace = qualifier
	if qualifier != "" && IsSystemKeyspace(qualifier) {
		return errSystemKeyspace
	}
	return nil
}

// unsupported skips a statement Parse does not apply, quoting its beginning.
func (p *parser) unsupported(s *stmt) error {
	s.kind = KindStatement
	toks := s.c.toks
	first, last := toks[0], toks[0]
	for i, t := range toks {
		if t.kind == tokEOF || i >= 6 {
			break
		}
		last = t
	}
	text := strings.Join(strings.Fields(s.c.source(first, last)), " ")
	if text == "" {
		text = first.describe()
	}
	return errors.New("not a statement cqlsync imports: " + truncate(text, 60))
}
