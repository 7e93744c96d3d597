package ddl

import (
	"fmt"
	"maps"
	"slices"

	"github.com/cqlsync/cqlsync/internal/cql/introspect"
	"github.com/cqlsync/cqlsync/internal/cql/schema"
)

// createType applies CREATE TYPE [IF NOT EXISTS] [ks.]name (field type, ...), the CREATE TYPE
// already read.
func (p *parser) createType(s *stmt) error {
	c := s.c
	ksName, name, ifNotExists, err := p.object(s, KindType, true)
	if err != nil {
		return err
	}
	if err := c.expectPunct("("); err != nil {
		return err
	}
	ut := &introspect.UserType{Keyspace: ksName, Name: name}
	for {
		f, err := p.field(s, ksName, ut)
		if err != nil {
			return err
		}
		ut.Fields = append(ut.Fields, f)
		if c.acceptPunct(")") {
			break
		}
		if err := c.expectPunct(","); err != nil {
			return err
		}
	}
	if err := c.expectEnd(); err != nil {
		return err
	}
	if ks := p.lookup(ksName); ks != nil && ks.Types[name] != nil {
		if ifNotExists {
			s.warnf("the type was created earlier in the text: CREATE TYPE IF NOT EXISTS leaves it unchanged")
			return nil
		}
		return fmt.Errorf("type %s.%s already exists", ksName, schema.MaybeQuote(name))
	}
	p.ensure(s, ksName).Types[name] = ut
	return nil
}

// field reads `name type` of a user-defined type and checks it as CreateTypeStatement does: a
// new name, no counter, and no non-frozen user-defined type.
func (p *parser) field(s *stmt, ksName string, ut *introspect.UserType) (introspect.Field, error) {
	c := s.c
	line := c.peek().line
	name, err := c.ident("field")
	if err != nil {
		return introspect.Field{}, err
	}
	if slices.ContainsFunc(ut.Fields, func(f introspect.Field) bool { return f.Name == name }) {
		return introspect.Field{}, lineError(line, "duplicate field %s", schema.MaybeQuote(name))
	}
	what := "field " + schema.MaybeQuote(name)
	t, err := columnType(c, what)
	if err != nil {
		return introspect.Field{}, err
	}
	if t.IsCounter() {
		return introspect.Field{}, lineError(line, "%s: a user-defined type cannot contain counters", what)
	}
	if t.Kind == schema.KindUDT && !t.Frozen {
		return introspect.Field{}, lineError(line, "%s: a user-defined type cannot contain non-frozen user-defined types: use frozen<%s>", what, schema.MaybeQuote(t.Name))
	}
	if slices.ContainsFunc(udtRefs(t), func(u schema.Type) bool { return u.Name == ut.Name }) {
		return introspect.Field{}, lineError(line, "%s: a user-defined type cannot reference itself", what)
	}
	if err := p.checkTypeRefs(s, ksName, t, what, line); err != nil {
		return introspect.Field{}, err
	}
	return introspect.Field{Name: name, Type: t.String()}, nil
}

// alterType applies ALTER TYPE [IF EXISTS] [ks.]name ADD [IF NOT EXISTS] field type, or
// RENAME [IF EXISTS] a TO b [AND c TO d ...], the ALTER TYPE already read.
func (p *parser) alterType(s *stmt) error {
	c := s.c
	ksName, name, ifExists, err := p.object(s, KindType, false)
	if err != nil {
		return err
	}
	var ut *introspect.UserType
	if ks := p.lookup(ksName); ks != nil {
		ut = ks.Types[name]
	}
	if ut == nil {
		return missing(ifExists, "type %s.%s", ksName, schema.MaybeQuote(name))
	}
	next := &introspect.UserType{Keyspace: ksName, Name: name, Fields: slices.Clone(ut.Fields)}
	switch t := c.peek(); {
	case c.acceptKeyword("add"):
		ifNotExists := c.ifNotExists()
		save := c.i
		fieldName, err := c.ident("field")
		if err != nil {
			return err
		}
		c.i = save
		if ifNotExists && slices.ContainsFunc(next.Fields, func(f introspect.Field) bool { return f.Name == fieldName }) {
			s.warnf("field %s exists: ADD IF NOT EXISTS leaves the type unchanged", schema.MaybeQuote(fieldName))
			return nil
		}
		f, err := p.field(s, ksName, next)
		if err != nil {
			return err
		}
		next.Fields = append(next.Fields, f)
	case c.acceptKeyword("rename"):
		ifExistsField := c.ifExists()
		for {
			from, err := c.ident("field")
			if err != nil {
				return err
			}
			if err := c.expectKeyword("to"); err != nil {
				return err
			}
			to, err := c.ident("field")
			if err != nil {
				return err
			}
			i := slices.IndexFunc(next.Fields, func(f introspect.Field) bool { return f.Name == from })
			switch {
			case i < 0 && !ifExistsField:
				return fmt.Errorf("unknown field %s in type %s", schema.MaybeQuote(from), schema.MaybeQuote(name))
			case i >= 0 && slices.ContainsFunc(next.Fields, func(f introspect.Field) bool { return f.Name == to }):
				return fmt.Errorf("cannot rename field %s to %s: a field of that name exists", schema.MaybeQuote(from), schema.MaybeQuote(to))
			case i >= 0:
				next.Fields[i].Name = to
			}
			if !c.acceptKeyword("and") {
				break
			}
		}
	default:
		return c.unexpected(t, "ADD or RENAME (cqlsync does not apply other ALTER TYPE forms)")
	}
	if err := c.expectEnd(); err != nil {
		return err
	}
	ut.Fields = next.Fields
	return nil
}

// dropType applies DROP TYPE [IF EXISTS] [ks.]name. Like Cassandra it refuses to drop a type
// that a table or another type still uses.
func (p *parser) dropType(s *stmt) error {
	ksName, name, ifExists, err := p.object(s, KindType, false)
	if err != nil {
		return err
	}
	if err := s.c.expectEnd(); err != nil {
		return err
	}
	ks := p.lookup(ksName)
	if ks == nil || ks.Types[name] == nil {
		return missing(ifExists, "type %s.%s", ksName, schema.MaybeQuote(name))
	}
	uses := func(typ string) bool {
		t, err := schema.ParseType(typ)
		return err == nil && slices.Contains(t.UDTs(), name)
	}
	for _, tn := range slices.Sorted(maps.Keys(ks.Tables)) {
		t := ks.Tables[tn]
		for _, col := range t.Columns {
			if uses(col.Type) {
				return fmt.Errorf("cannot drop type %s: column %s of table %s uses it", schema.MaybeQuote(name), schema.MaybeQuote(col.Name), t.Name)
			}
		}
	}
	for _, on := range slices.Sorted(maps.Keys(ks.Types)) {
		other := ks.Types[on]
		for _, f := range other.Fields {
			if other.Name != name && uses(f.Type) {
				return fmt.Errorf("cannot drop type %s: type %s uses it", schema.MaybeQuote(name), schema.MaybeQuote(other.Name))
			}
		}
	}
	delete(ks.Types, name)
	return nil
}
