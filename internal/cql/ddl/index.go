package ddl

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/cqlsync/cqlsync/internal/cql/introspect"
	"github.com/cqlsync/cqlsync/internal/cql/schema"
)

// indexTarget is the target of CREATE INDEX: a column, and how its values are indexed.
type indexTarget struct {
	fn     string // "" for a plain column, else keys, values, entries or full
	column string
	line   int
}

// createIndex applies CREATE [CUSTOM] INDEX, the CREATE already read:
//
//	CREATE [CUSTOM] INDEX [IF NOT EXISTS] [[ks.]name] ON [ks.]table (col | keys(col) | values(col)
//	    | entries(col) | full(col)) [USING 'class'] [WITH OPTIONS = {...}]
//
// system_schema.indexes stores kind COMPOSITES for a plain index and CUSTOM for one with a USING
// class (CUSTOM or not), options target (the target as Cassandra prints it: c, "MyCol", keys(m),
// values(l), ...), class_name (the USING string as written) and the WITH OPTIONS entries.
func (p *parser) createIndex(s *stmt) error {
	c := s.c
	s.kind = KindIndex
	custom := c.acceptKeyword("custom")
	if err := c.expectKeyword("index"); err != nil {
		return err
	}
	ifNotExists := c.ifNotExists()
	var qualifier, name string
	if !c.peekKeyword("on") {
		var err error
		if qualifier, name, err = c.qualifiedName("index"); err != nil {
			return err
		}
		s.name = name
	}
	if err := c.expectKeyword("on"); err != nil {
		return err
	}
	tableQualifier, table, err := c.qualifiedName("table")
	if err != nil {
		return err
	}
	ksName, err := p.resolve(s, tableQualifier)
	if err != nil {
		return err
	}
	if qualifier != "" && qualifier != ksName {
		return fmt.Errorf("the index's keyspace %s is not its table's keyspace %s", qualifier, ksName)
	}
	target, err := c.indexTarget()
	if err != nil {
		return err
	}
	var class string
	using := false
	if c.acceptKeyword("using") {
		t := c.next()
		if t.kind != tokString {
			return c.unexpected(t, "the index class as a string, such as 'sai'")
		}
		class, using = t.text, true
	}
	var opts map[string]string
	if c.acceptKeyword("with") {
		props, err := c.properties(nil)
		if err != nil {
			return err
		}
		for _, pr := range props {
			if pr.name != "options" {
				return lineError(pr.tok.line, "unknown index property %s (only OPTIONS = {...})", pr.name)
			}
			if opts, err = mapOption(pr); err != nil {
				return err
			}
		}
	}
	if err := c.expectEnd(); err != nil {
		return err
	}
	if custom && !using {
		return fmt.Errorf("a CUSTOM index needs its class: USING 'class'")
	}

	ks := p.lookup(ksName)
	var tbl *introspect.Table
	if ks != nil {
		tbl = ks.Tables[table]
	}
	if tbl == nil {
		return fmt.Errorf("table %s.%s does not exist", ksName, schema.MaybeQuote(table))
	}
	col := tbl.Column(target.column)
	if col == nil {
		return lineError(target.line, "table %s has no column %s", table, schema.MaybeQuote(target.column))
	}
	targetText, err := indexTargetText(target, col)
	if err != nil {
		return err
	}
	if col.Kind == introspect.KindPartitionKey && len(tbl.PartitionKey()) == 1 {
		return lineError(target.line, "cannot index %s, the only partition key column", schema.MaybeQuote(col.Name))
	}
	ix := introspect.Index{Table: table, Kind: introspect.IndexKindComposites, Options: map[string]string{"target": targetText}}
	if using {
		ix.Kind = introspect.IndexKindCustom
		for _, k := range slices.Sorted(maps.Keys(opts)) {
			if k == "target" || k == "class_name" {
				return fmt.Errorf("%s cannot be given as an index option", k)
			}
			ix.Options[k] = opts[k]
		}
		ix.Options["class_name"] = class
	} else if opts != nil {
		return fmt.Errorf("options can only be given to an index with a class (USING 'class')")
	}

	if name == "" {
		name = availableIndexName(ks, defaultIndexName(table, col.Name))
	} else if err := checkName(name, "index", maxTableName); err != nil {
		return err
	}
	ix.Name = name
	s.name = name
	if ks.IndexTables[name] != "" {
		if ifNotExists {
			s.warnf("the index was created earlier in the text: CREATE INDEX IF NOT EXISTS leaves it unchanged")
			return nil
		}
		return fmt.Errorf("index %s already exists in keyspace %s", name, ksName)
	}
	for _, other := range tbl.Indexes {
		if other.Kind == ix.Kind && maps.Equal(other.Options, ix.Options) {
			if ifNotExists {
				s.warnf("index %s is the same as index %s: CREATE INDEX IF NOT EXISTS leaves the table unchanged", name, other.Name)
				return nil
			}
			return fmt.Errorf("index %s is a duplicate of index %s", name, other.Name)
		}
	}
	tbl.Indexes = append(tbl.Indexes, ix)
	introspect.SortIndexes(tbl.Indexes)
	ks.IndexTables[name] = table
	return nil
}

// indexTarget reads ( col ) or ( keys|values|entries|full ( col ) ).
func (c *cursor) indexTarget() (indexTarget, error) {
	if err := c.expectPunct("("); err != nil {
		return indexTarget{}, err
	}
	t := indexTarget{line: c.peek().line}
	if c.peek().is(")") {
		return t, c.errorf(c.peek(), "an index needs a column to index")
	}
	if c.peek().kind == tokIdent && c.peekAt(1).is("(") {
		switch fn := c.peek().lower(); fn {
		case "keys", "values", "entries", "full":
			c.next()
			c.next()
			name, err := c.ident("column")
			if err != nil {
				return t, err
			}
			if err := c.expectPunct(")"); err != nil {
				return t, err
			}
			t.fn, t.column = fn, name
		default:
			return t, c.unexpected(c.peek(), "a column, or KEYS, VALUES, ENTRIES or FULL of a column")
		}
	} else {
		name, err := c.ident("column")
		if err != nil {
			return t, err
		}
		t.column = name
	}
	if c.peek().is(",") {
		return t, c.errorf(c.peek(), "an index on several columns is not supported")
	}
	return t, c.expectPunct(")")
}

// indexTargetText checks a target against its column's type as CreateIndexStatement does and
// returns it as IndexTarget.asCqlString() stores it: the column as ColumnIdentifier.maybeQuote
// prints it, wrapped in the function unless plain. A plain target on a non-frozen collection
// indexes its values, and is stored as values(col).
func indexTargetText(t indexTarget, col *introspect.Column) (string, error) {
	typ, err := schema.ParseType(col.Type)
	if err != nil {
		return "", lineError(t.line, "column %s has a type cqlsync cannot read: %v", schema.MaybeQuote(col.Name), err)
	}
	name := schema.MaybeQuote(col.Name)
	isCollection := typ.Kind == schema.KindList || typ.Kind == schema.KindSet || typ.Kind == schema.KindMap
	frozenCollection := isCollection && typ.Frozen
	fn := t.fn
	switch fn {
	case "":
		if frozenCollection {
			return "", lineError(t.line, "frozen collections can only be indexed as a whole: use full(%s)", name)
		}
		if typ.IsCollection() {
			fn = "values"
		}
	case "full":
		if !frozenCollection {
			return "", lineError(t.line, "full() indexes can only be created on frozen collections, and %s is %s", name, col.Type)
		}
	case "values":
		if !typ.IsCollection() {
			return "", lineError(t.line, "values() indexes can only be created on non-frozen collections, and %s is %s", name, col.Type)
		}
	case "keys", "entries":
		if !(typ.Kind == schema.KindMap && !typ.Frozen) {
			return "", lineError(t.line, "%s() indexes can only be created on non-frozen maps, and %s is %s", fn, name, col.Type)
		}
	}
	if fn == "" {
		return name, nil
	}
	return fn + "(" + name + ")", nil
}

// defaultIndexName is the name Cassandra gives an unnamed index (CreateIndexStatement via
// IndexMetadata.generateDefaultIndexName): table_column_idx without the non-word characters.
func defaultIndexName(table, column string) string {
	var b strings.Builder
	for _, r := range table + "_" + column + "_idx" {
		if r < 128 && (isLetter(byte(r)) || isDigit(byte(r)) || r == '_') {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// availableIndexName is KeyspaceMetadata.findAvailableIndexName: base if no index of the keyspace
// has that name, else the first free base_1, base_2, ...
func availableIndexName(ks *introspect.KeyspaceSchema, base string) string {
	if ks.IndexTables[base] == "" {
		return base
	}
	for i := 1; ; i++ {
		if name := base + "_" + strconv.Itoa(i); ks.IndexTables[name] == "" {
			return name
		}
	}
}

// dropIndex applies DROP INDEX [IF EXISTS] [ks.]name.
func (p *parser) dropIndex(s *stmt) error {
	ksName, name, ifExists, err := p.object(s, KindIndex, false)
	if err != nil {
		return err
	}
	if err := s.c.expectEnd(); err != nil {
		return err
	}
	ks := p.lookup(ksName)
	if ks == nil || ks.IndexTables[name] == "" {
		return missing(ifExists, "index %s.%s", ksName, name)
	}
	if t := ks.Tables[ks.IndexTables[name]]; t != nil {
		t.Indexes = slices.DeleteFunc(t.Indexes, func(ix introspect.Index) bool { return ix.Name == name })
		if len(t.Indexes) == 0 {
			t.Indexes = nil // as introspect, which leaves a table without indexes with a nil slice
		}
	}
	delete(ks.IndexTables, name)
	return nil
}
