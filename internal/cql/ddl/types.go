package ddl

import (
	"errors"

	"github.com/cqlsync/cqlsync/internal/cql/schema"
)

// columnType reads the type of a column or field (what names it in errors) with schema.ParseType,
// which applies Cassandra's implicit freezing and validity rules; its String() is the text
// Cassandra stores in system_schema.
func columnType(c *cursor, what string) (schema.Type, error) {
	text, first, err := c.typeText()
	if err != nil {
		return schema.Type{}, err
	}
	t, err := schema.ParseType(text)
	if err != nil {
		msg := err.Error()
		var pe *schema.ParseError
		if errors.As(err, &pe) {
			msg = pe.Msg
		}
		return schema.Type{}, lineError(first.line, "%s: invalid type %s: %s", what, c.source(first, c.last()), msg)
	}
	return t, nil
}

// udtRefs returns every user-defined type reference in t, at any depth.
func udtRefs(t schema.Type) []schema.Type {
	var out []schema.Type
	var walk func(schema.Type)
	walk = func(t schema.Type) {
		if t.Kind == schema.KindUDT {
			out = append(out, t)
		}
		for _, p := range t.Params {
			walk(p)
		}
	}
	walk(t)
	return out
}

// checkTypeRefs checks the user-defined types a column or field type references as Cassandra
// does when it prepares the type: each must be a type of the statement's keyspace (a keyspace
// qualifier, if any, must be that keyspace). In a keyspace the text uses without creating it,
// an unknown type is only a warning: the text may just not describe it (DESCRIBE TABLE).
func (p *parser) checkTypeRefs(s *stmt, ksName string, t schema.Type, what string, line int) error {
	ks := p.lookup(ksName)
	_, implicit := p.implicit[ksName]
	known := ks != nil && !implicit
	for _, u := range udtRefs(t) {
		if u.Keyspace != "" && u.Keyspace != ksName {
			return lineError(line, "%s: type %s.%s is in another keyspace: user-defined types can only be used in their own keyspace (%s)",
				what, u.Keyspace, u.Name, ksName)
		}
		if ks != nil && ks.HasType(u.Name) {
			continue
		}
		if known {
			return lineError(line, "%s: unknown type %s.%s", what, ksName, schema.MaybeQuote(u.Name))
		}
		s.warnf("%s: type %s is not defined in the text", what, schema.MaybeQuote(u.Name))
	}
	return nil
}

// checkNonFrozenUDT refuses, as Cassandra does, a non-frozen user-defined type column whose type
// has non-frozen collections among its fields.
func (p *parser) checkNonFrozenUDT(ksName string, t schema.Type, what string, line int) error {
	if t.Kind != schema.KindUDT || t.Frozen {
		return nil
	}
	ks := p.lookup(ksName)
	if ks == nil || ks.Types[t.Name] == nil {
		return nil
	}
	for _, f := range ks.Types[t.Name].Fields {
		ft, err := schema.ParseType(f.Type)
		if err == nil && ft.IsCollection() {
			return lineError(line, "%s: non-frozen user-defined types with nested non-frozen collections are not supported (field %s of %s is %s): use frozen<%s>",
				what, schema.MaybeQuote(f.Name), schema.MaybeQuote(t.Name), f.Type, schema.MaybeQuote(t.Name))
		}
	}
	return nil
}
