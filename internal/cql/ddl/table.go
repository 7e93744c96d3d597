package ddl

import (
	"fmt"
	"slices"

	"github.com/cqlsync/cqlsync/internal/cql/introspect"
	"github.com/cqlsync/cqlsync/internal/cql/schema"
)

// columnDef is a column as CREATE TABLE or ALTER TABLE ADD declares it.
type columnDef struct {
	name   string
	line   int
	typ    schema.Type
	static bool
	mask   *schema.Mask // MASKED WITH, or nil
}

// clusteringOrder is one entry of CLUSTERING ORDER BY.
type clusteringOrder struct {
	name string
	desc bool
	line int
}

// createTable applies CREATE TABLE, the CREATE TABLE (or COLUMNFAMILY) already read:
//
//	CREATE TABLE [IF NOT EXISTS] [ks.]name (
//	    col type [STATIC] [PRIMARY KEY], ...
//	    [, PRIMARY KEY (pk | (pk1, pk2, ...) [, ck1, ...])]
//	) [WITH CLUSTERING ORDER BY (ck1 ASC|DESC, ...) | COMPACT STORAGE | option = value [AND ...]]
func (p *parser) createTable(s *stmt) error {
	c := s.c
	ksName, name, ifNotExists, err := p.object(s, KindTable, true)
	if err != nil {
		return err
	}
	if err := checkName(name, "table", maxTableName); err != nil {
		return err
	}
	if err := c.expectPunct("("); err != nil {
		return err
	}
	var (
		cols                 []columnDef
		partition, clustered []string
		pkLine               int
	)
	setPK := func(line int, part, clust []string) error {
		if pkLine != 0 {
			return lineError(line, "more than one PRIMARY KEY (exactly one is required)")
		}
		pkLine, partition, clustered = line, part, clust
		return nil
	}
	for {
		if t := c.peek(); c.acceptKeyword("primary", "key") {
			part, clust, err := c.primaryKeyClause()
			if err != nil {
				return err
			}
			if err := setPK(t.line, part, clust); err != nil {
				return err
			}
		} else {
			col, inlinePK, err := p.columnDef(s, ksName)
			if err != nil {
				return err
			}
			cols = append(cols, col)
			if inlinePK {
				if err := setPK(col.line, []string{col.name}, nil); err != nil {
					return err
				}
			}
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
	var (
		order   []clusteringOrder
		props   []property
		compact bool
	)
	if c.acceptKeyword("with") {
		props, err = c.properties(func() (bool, error) {
			switch t := c.peek(); {
			case c.acceptKeyword("clustering", "order", "by"):
				if order != nil {
					return false, lineError(t.line, "CLUSTERING ORDER BY given twice")
				}
				order, err = c.clusteringOrderClause()
				return true, err
			case c.acceptKeyword("compact", "storage"):
				compact = true
				return true, nil
			}
			return false, nil
		})
		if err != nil {
			return err
		}
	}
	if err := c.expectEnd(); err != nil {
		return err
	}
	if compact {
		return fmt.Errorf("COMPACT STORAGE tables cannot be created in Cassandra 4.0 and later")
	}
	if ks := p.lookup(ksName); ks != nil && ks.Tables[name] != nil {
		if ifNotExists {
			s.warnf("the table was created earlier in the text: CREATE TABLE IF NOT EXISTS leaves it unchanged")
			return nil
		}
		return fmt.Errorf("table %s.%s already exists", ksName, name)
	}
	columns, err := p.tableColumns(s, ksName, cols, partition, clustered, order)
	if err != nil {
		return err
	}
	t := &introspect.Table{Keyspace: ksName, Name: name, Columns: columns, Options: DefaultTableOptions()}
	other := &otherOptions{}
	warnings, err := applyTableOptions(&t.Options, other, props, true)
	if err != nil {
		return err
	}
	s.warnings = append(s.warnings, warnings...)
	if err := checkCounterTable(t); err != nil {
		return err
	}
	p.ensure(s, ksName).Tables[name] = t
	p.others[t] = other
	return nil
}

// columnDef reads `name type [STATIC] [PRIMARY KEY] [MASKED WITH ...]`, a column of a table of
// keyspace ksName, and reports whether the column is declared PRIMARY KEY.
func (p *parser) columnDef(s *stmt, ksName string) (col columnDef, primaryKey bool, err error) {
	c := s.c
	col.line = c.peek().line
	if col.name, err = c.ident("column"); err != nil {
		return col, false, err
	}
	if col.typ, err = columnType(c, "column "+schema.MaybeQuote(col.name)); err != nil {
		return col, false, err
	}
	for {
		switch t := c.peek(); {
		case c.acceptKeyword("static"):
			col.static = true
		case c.acceptKeyword("primary", "key"):
			if primaryKey {
				return col, false, lineError(t.line, "PRIMARY KEY given twice for column %s", schema.MaybeQuote(col.name))
			}
			primaryKey = true
		case c.peekKeyword("masked", "with"):
			if col.mask != nil {
				return col, false, lineError(t.line, "MASKED WITH given twice for column %s", schema.MaybeQuote(col.name))
			}
			if col.mask, err = c.columnMask(ksName, col.name); err != nil {
				return col, false, err
			}
		default:
			return col, primaryKey, nil
		}
	}
}

// primaryKeyClause reads (pk [, ck ...]) or ((pk1, pk2 ...) [, ck ...]) after PRIMARY KEY.
func (c *cursor) primaryKeyClause() (partition, clustering []string, err error) {
	if err := c.expectPunct("("); err != nil {
		return nil, nil, err
	}
	if c.acceptPunct("(") {
		if partition, err = c.identList("column"); err != nil {
			return nil, nil, err
		}
	} else {
		name, err := c.ident("column")
		if err != nil {
			return nil, nil, err
		}
		partition = []string{name}
	}
	for c.acceptPunct(",") {
		name, err := c.ident("column")
		if err != nil {
			return nil, nil, err
		}
		clustering = append(clustering, name)
	}
	return partition, clustering, c.expectPunct(")")
}

// identList reads `name (, name)* )`, the '(' already read.
func (c *cursor) identList(what string) ([]string, error) {
	var names []string
	for {
		name, err := c.ident(what)
		if err != nil {
			return nil, err
		}
		names = append(names, name)
		if c.acceptPunct(")") {
			return names, nil
		}
		if err := c.expectPunct(","); err != nil {
			return nil, err
		}
	}
}

// clusteringOrderClause reads (ck1 ASC|DESC, ...) after CLUSTERING ORDER BY.
func (c *cursor) clusteringOrderClause() ([]clusteringOrder, error) {
	if err := c.expectPunct("("); err != nil {
		return nil, err
	}
	var order []clusteringOrder
	for {
		line := c.peek().line
		name, err := c.ident("column")
		if err != nil {
			return nil, err
		}
		desc := c.acceptKeyword("desc")
		if !desc {
			c.acceptKeyword("asc")
		}
		order = append(order, clusteringOrder{name: name, desc: desc, line: line})
		if c.acceptPunct(")") {
			return order, nil
		}
		if err := c.expectPunct(","); err != nil {
			return nil, err
		}
	}
}

// tableColumns checks the columns and keys of CREATE TABLE as Cassandra's CreateTableStatement
// does and returns them as system_schema.columns has them, in introspect's order.
func (p *parser) tableColumns(s *stmt, ksName string, cols []columnDef, partition, clustered []string, order []clusteringOrder) ([]introspect.Column, error) {
	if len(cols) == 0 {
		return nil, fmt.Errorf("a table needs at least one column")
	}
	if partition == nil {
		return nil, fmt.Errorf("no PRIMARY KEY specified (exactly one is required)")
	}
	byName := map[string]*columnDef{}
	for i := range cols {
		col := &cols[i]
		if byName[col.name] != nil {
			return nil, lineError(col.line, "duplicate column %s", schema.MaybeQuote(col.name))
		}
		byName[col.name] = col
		what := "column " + schema.MaybeQuote(col.name)
		if err := p.checkTypeRefs(s, ksName, col.typ, what, col.line); err != nil {
			return nil, err
		}
		if err := p.checkNonFrozenUDT(ksName, col.typ, what, col.line); err != nil {
			return nil, err
		}
	}
	kind := map[string]string{}
	position := map[string]int{}
	for i, n := range slices.Concat(partition, clustered) {
		if kind[n] != "" {
			return nil, fmt.Errorf("column %s appears twice in the PRIMARY KEY", schema.MaybeQuote(n))
		}
		if i < len(partition) {
			kind[n], position[n] = introspect.KindPartitionKey, i
		} else {
			kind[n], position[n] = introspect.KindClustering, i-len(partition)
		}
	}
	for _, n := range slices.Concat(partition, clustered) {
		col := byName[n]
		if col == nil {
			return nil, fmt.Errorf("unknown column %s in the PRIMARY KEY", schema.MaybeQuote(n))
		}
		if err := checkKeyColumn(*col); err != nil {
			return nil, err
		}
	}
	desc, err := clusteringDirections(order, clustered)
	if err != nil {
		return nil, err
	}
	out := make([]introspect.Column, 0, len(cols))
	for _, col := range cols {
		c := introspect.Column{Name: col.name, Kind: introspect.KindRegular, Position: -1, ClusteringOrder: "none", Type: col.typ.String(), Mask: col.mask}
		switch kind[col.name] {
		case introspect.KindPartitionKey:
			c.Kind, c.Position = introspect.KindPartitionKey, position[col.name]
		case introspect.KindClustering:
			c.Kind, c.Position, c.ClusteringOrder = introspect.KindClustering, position[col.name], "asc"
			if desc[col.name] {
				c.ClusteringOrder = "desc"
			}
		default:
			if col.static {
				if len(clustered) == 0 {
					return nil, lineError(col.line, "static column %s: static columns are only allowed in tables with clustering columns", schema.MaybeQuote(col.name))
				}
				c.Kind = introspect.KindStatic
			}
		}
		out = append(out, c)
	}
	introspect.SortColumns(out)
	return out, nil
}

// checkKeyColumn applies Cassandra's rules for primary key columns.
func checkKeyColumn(col columnDef) error {
	name := schema.MaybeQuote(col.name)
	switch {
	case col.static:
		return lineError(col.line, "static column %s cannot be part of the PRIMARY KEY", name)
	case col.typ.IsMultiCell():
		return lineError(col.line, "invalid non-frozen type %s for PRIMARY KEY column %s", col.typ.String(), name)
	case col.typ.IsCounter():
		return lineError(col.line, "counter type is not supported for PRIMARY KEY column %s", name)
	case col.typ.ContainsDuration():
		return lineError(col.line, "duration type is not supported for PRIMARY KEY column %s", name)
	}
	return nil
}

// clusteringDirections checks CLUSTERING ORDER BY against the clustering columns: it may name
// only clustering columns, in their order, and may leave out the last ones (which are ASC).
func clusteringDirections(order []clusteringOrder, clustered []string) (map[string]bool, error) {
	desc := map[string]bool{}
	for i, o := range order {
		if !slices.Contains(clustered, o.name) {
			return nil, lineError(o.line, "only clustering columns can be in CLUSTERING ORDER BY: %s is not one", schema.MaybeQuote(o.name))
		}
		if clustered[i] != o.name {
			return nil, lineError(o.line, "CLUSTERING ORDER BY must list the clustering columns in their order: %s must come before %s",
				schema.MaybeQuote(clustered[i]), schema.MaybeQuote(o.name))
		}
		desc[o.name] = o.desc
	}
	return desc, nil
}

// checkCounterTable applies Cassandra's rules for counters: a table's non-key columns are all
// counters or none is, and a counter table has no default TTL.
func checkCounterTable(t *introspect.Table) error {
	counters, others := 0, 0
	for _, c := range t.Columns {
		if c.Kind == introspect.KindRegular || c.Kind == introspect.KindStatic {
			if c.Type == "counter" {
				counters++
			} else {
				others++
			}
		}
	}
	if counters > 0 && others > 0 {
		return fmt.Errorf("cannot mix counter and non-counter columns in the same table")
	}
	if counters > 0 && t.Options.DefaultTimeToLive > 0 {
		return fmt.Errorf("cannot set default_time_to_live on a table with counters")
	}
	return nil
}
