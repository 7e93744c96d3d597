package ddl

import "fmt"

// The statements about a keyspace, table, type or index all start the same way: an optional IF
// [NOT] EXISTS, then the object's name, whose keyspace must be resolved and must not be a system
// keyspace. These helpers read that start once for all of them, and record what the statement is
// about in stmt so that a skipped statement is named.

// object reads the start of a statement about a table, type or index, the verb and kind already
// read: IF NOT EXISTS (create) or IF EXISTS (otherwise), then [ks.]name. It records the kind, the
// name and the keyspace in s and returns whether the IF clause was given. The error is
// errSystemKeyspace for a name in a system keyspace.
func (p *parser) object(s *stmt, kind string, create bool) (keyspace, name string, ifClause bool, err error) {
	s.kind = kind
	ifClause = ifCondition(s.c, create)
	qualifier, name, err := s.c.qualifiedName(kind)
	if err != nil {
		return "", "", ifClause, err
	}
	s.name = name
	keyspace, err = p.resolve(s, qualifier)
	return keyspace, name, ifClause, err
}

// keyspaceObject reads the start of a statement about a keyspace, the verb and KEYSPACE already
// read: the IF clause as for object, then the name, recorded in s.
func keyspaceObject(s *stmt, create bool) (name string, ifClause bool, err error) {
	s.kind = KindKeyspace
	ifClause = ifCondition(s.c, create)
	if name, err = s.c.ident("keyspace"); err != nil {
		return "", ifClause, err
	}
	s.keyspace = name
	if IsSystemKeyspace(name) {
		return name, ifClause, errSystemKeyspace
	}
	return name, ifClause, nil
}

// ifCondition reads IF NOT EXISTS for a CREATE, IF EXISTS for the other verbs.
func ifCondition(c *cursor, create bool) bool {
	if create {
		return c.ifNotExists()
	}
	return c.ifExists()
}

// withProperties reads WITH option = value [AND ...] up to the end of the statement.
func (c *cursor) withProperties() ([]property, error) {
	if err := c.expectKeyword("with"); err != nil {
		return nil, err
	}
	props, err := c.properties(nil)
	if err != nil {
		return nil, err
	}
	return props, c.expectEnd()
}

// missing is the outcome of a statement about an object that does not exist (described by
// format and args): nothing happens under IF EXISTS, Cassandra refuses it otherwise.
func missing(ifExists bool, format string, args ...any) error {
	if ifExists {
		return nil
	}
	return fmt.Errorf(format+" does not exist", args...)
}
