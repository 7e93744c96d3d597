package ddl

import (
	"fmt"
	"slices"

	"github.com/cqlsync/cqlsync/internal/cql/introspect"
	"github.com/cqlsync/cqlsync/internal/cql/schema"
)

// alterTable applies the forms of ALTER TABLE that DESCRIBE ... WITH INTERNALS prints after a
// table's CREATE TABLE (dropped columns, and columns added again after a drop), option changes
// and column masks, the ALTER TABLE already read:
//
//	ALTER TABLE [IF EXISTS] [ks.]t ADD [IF NOT EXISTS] col type [STATIC] [MASKED WITH ...] | ADD (col type ..., ...)
//	ALTER TABLE [IF EXISTS] [ks.]t DROP [IF EXISTS] col | DROP (col, ...) [USING TIMESTAMP n]
//	ALTER TABLE [IF EXISTS] [ks.]t ALTER [IF EXISTS] col MASKED WITH ... | ALTER [IF EXISTS] col DROP MASKED
//	ALTER TABLE [IF EXISTS] [ks.]t WITH option = value [AND ...]
//
// Other forms (RENAME, DROP COMPACT STORAGE) are skipped, and so is ALTER col TYPE, which
// Cassandra 4.0 and later refuse.
func (p *parser) alterTable(s *stmt) error {
	c := s.c
	ksName, name, ifExists, err := p.object(s, KindTable, false)
	if err != nil {
		return err
	}
	var t *introspect.Table
	if ks := p.lookup(ksName); ks != nil {
		t = ks.Tables[name]
	}
	if t == nil {
		return missing(ifExists, "table %s.%s", ksName, name)
	}
	switch next := c.peek(); {
	case c.acceptKeyword("add"):
		return p.addColumns(s, t)
	case c.acceptKeyword("drop"):
		return p.dropColumns(s, t)
	case c.acceptKeyword("alter"):
		return p.alterColumn(s, t)
	case c.peekKeyword("with"):
		props, err := c.withProperties()
		if err != nil {
			return err
		}
		for _, pr := range props {
			if pr.name == "id" {
				return lineError(pr.tok.line, "a table's id cannot be altered")
			}
		}
		opts, other := t.Options, p.otherOptionsOf(t)
		warnings, err := applyTableOptions(&opts, &other, props, false)
		if err != nil {
			return err
		}
		if err := checkCounterTable(&introspect.Table{Columns: t.Columns, Options: opts}); err != nil {
			return err
		}
		s.warnings = append(s.warnings, warnings...)
		t.Options, p.others[t] = opts, &other
		return nil
	default:
		return c.unexpected(next, "ADD, DROP, ALTER or WITH (cqlsync does not apply other ALTER TABLE forms)")
	}
}

// addColumns reads the rest of ALTER TABLE ... ADD and adds the columns.
func (p *parser) addColumns(s *stmt, t *introspect.Table) error {
	c := s.c
	ifNotExists := c.ifNotExists()
	var cols []columnDef
	readOne := func() error {
		col, pk, err := p.columnDef(s, t.Keyspace)
		if err != nil {
			return err
		}
		if pk {
			return lineError(col.line, "cannot add a PRIMARY KEY column")
		}
		cols = append(cols, col)
		return nil
	}
	if c.acceptPunct("(") {
		for {
			if err := readOne(); err != nil {
				return err
			}
			if c.acceptPunct(")") {
				break
			}
			if t := c.peek(); t.kind == tokEOF {
				return c.errorf(t, "unbalanced '(': expected ',' or ')' before the end of the statement")
			}
			if err := c.expectPunct(","); err != nil {
				return err
			}
		}
	} else if err := readOne(); err != nil {
		return err
	}
	if err := c.expectEnd(); err != nil {
		return err
	}
	columns := slices.Clone(t.Columns)
	for _, col := range cols {
		name := schema.MaybeQuote(col.name)
		if t.Column(col.name) != nil || slices.ContainsFunc(columns, func(c introspect.Column) bool { return c.Name == col.name }) {
			if ifNotExists {
				s.warnf("column %s exists: ADD IF NOT EXISTS leaves it unchanged", name)
				continue
			}
			return lineError(col.line, "column %s already exists in table %s", name, t.Name)
		}
		what := "column " + name
		if err := p.checkTypeRefs(s, t.Keyspace, col.typ, what, col.line); err != nil {
			return err
		}
		if err := p.checkNonFrozenUDT(t.Keyspace, col.typ, what, col.line); err != nil {
			return err
		}
		kind := introspect.KindRegular
		if col.static {
			if len(t.ClusteringKey()) == 0 {
				return lineError(col.line, "static column %s: static columns are only allowed in tables with clustering columns", name)
			}
			kind = introspect.KindStatic
		}
		columns = append(columns, introspect.Column{Name: col.name, Kind: kind, Position: -1, ClusteringOrder: "none", Type: col.typ.String(), Mask: col.mask})
	}
	if err := checkCounterTable(&introspect.Table{Columns: columns, Options: t.Options}); err != nil {
		return err
	}
	introspect.SortColumns(columns)
	t.Columns = columns
	return nil
}

// alterColumn reads the rest of ALTER TABLE ... ALTER and sets or drops the column's mask.
func (p *parser) alterColumn(s *stmt, t *introspect.Table) error {
	c := s.c
	ifExists := c.ifExists()
	first := c.peek()
	name, err := c.ident("column")
	if err != nil {
		return err
	}
	var mask *schema.Mask
	switch next := c.peek(); {
	case c.peekKeyword("masked", "with"):
		if mask, err = c.columnMask(t.Keyspace, name); err != nil {
			return err
		}
	case c.acceptKeyword("drop", "masked"):
	case c.peekKeyword("type"), c.peekKeyword("if", "exists", "type"):
		return c.errorf(next, "altering the type of a column (ALTER %s TYPE) is not supported by Cassandra 4.0 and later", schema.MaybeQuote(name))
	default:
		return c.unexpected(next, "MASKED WITH or DROP MASKED")
	}
	if err := c.expectEnd(); err != nil {
		return err
	}
	i := slices.IndexFunc(t.Columns, func(c introspect.Column) bool { return c.Name == name })
	if i < 0 {
		if ifExists {
			return nil
		}
		return lineError(first.line, "column %s was not found in table %s", schema.MaybeQuote(name), t.Name)
	}
	t.Columns[i].Mask = mask
	return nil
}

// dropColumns reads the rest of ALTER TABLE ... DROP and removes the columns. Like Cassandra it
// refuses to drop a key column or a column an index depends on.
func (p *parser) dropColumns(s *stmt, t *introspect.Table) error {
	c := s.c
	ifExists := c.ifExists()
	var names []string
	if c.acceptPunct("(") {
		var err error
		if names, err = c.identList("column"); err != nil {
			return err
		}
	} else {
		name, err := c.ident("column")
		if err != nil {
			return err
		}
		names = []string{name}
	}
	if c.acceptKeyword("using", "timestamp") {
		if n := c.next(); n.kind != tokNumber {
			return c.unexpected(n, "a timestamp")
		}
	}
	if err := c.expectEnd(); err != nil {
		return err
	}
	columns := slices.Clone(t.Columns)
	for _, n := range names {
		name := schema.MaybeQuote(n)
		i := slices.IndexFunc(columns, func(c introspect.Column) bool { return c.Name == n })
		if i < 0 {
			if ifExists {
				continue
			}
			return fmt.Errorf("column %s does not exist in table %s", name, t.Name)
		}
		if k := columns[i].Kind; k == introspect.KindPartitionKey || k == introspect.KindClustering {
			return fmt.Errorf("cannot drop PRIMARY KEY column %s", name)
		}
		for _, ix := range t.Indexes {
			if col, _, _ := ix.Target(); col == n {
				return fmt.Errorf("cannot drop column %s: index %s depends on it", name, ix.Name)
			}
		}
		columns = slices.Delete(columns, i, i+1)
	}
	t.Columns = columns
	return nil
}

// dropTable applies DROP TABLE [IF EXISTS] [ks.]name, with its indexes.
func (p *parser) dropTable(s *stmt) error {
	ksName, name, ifExists, err := p.object(s, KindTable, false)
	if err != nil {
		return err
	}
	if err := s.c.expectEnd(); err != nil {
		return err
	}
	ks := p.lookup(ksName)
	if ks == nil || ks.Tables[name] == nil {
		return missing(ifExists, "table %s.%s", ksName, name)
	}
	for _, ix := range ks.Tables[name].Indexes {
		delete(ks.IndexTables, ix.Name)
	}
	delete(ks.Tables, name)
	return nil
}
