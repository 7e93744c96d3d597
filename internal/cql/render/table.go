package render

import "strings"

// CQLType is a column type that can render itself as CQL for DDL. schema.Type implements it
// (its CQL method quotes every user-defined type name); render does not import schema, which
// depends on it.
type CQLType interface {
	CQL() string
}

// Column is a column of CREATE TABLE or ALTER TABLE ADD.
type Column struct {
	Name   string
	Type   CQLType
	Static bool
	// Mask, when set, is rendered as MASKED WITH after the type.
	Mask *Mask
}

// ClusteringColumn is a clustering column and its order.
type ClusteringColumn struct {
	Name       string
	Descending bool
}

// Option is a table option (the part after WITH): a name and a literal, built by the option
// constructors below so that every value is escaped by this package.
type Option struct {
	name    string
	literal string
}

// Name is the option's CQL name, e.g. "default_time_to_live".
func (o Option) Name() string { return o.name }

// Literal is the option's value as CQL, e.g. "3600" or "'a comment'".
func (o Option) Literal() string { return o.literal }

// StringOption is an option with a string value: comment = 'it”s'.
func StringOption(name, value string) Option { return Option{name, String(value)} }

// IntOption is an option with an integer value: gc_grace_seconds = 3600.
func IntOption(name string, value int64) Option { return Option{name, Int(value)} }

// FloatOption is an option with a floating-point value: bloom_filter_fp_chance = 0.01.
func FloatOption(name string, value float64) Option { return Option{name, Float(value)} }

// BoolOption is an option with a boolean value: cdc = true.
func BoolOption(name string, value bool) Option { return Option{name, Bool(value)} }

// MapOption is an option whose value is a map of strings: compaction = {'class': '...'}.
func MapOption(name string, value map[string]string) Option { return Option{name, StringMap(value)} }

// Table is the whole definition of a table, for CREATE TABLE.
type Table struct {
	Keyspace string
	Name     string
	// Columns in the order they are declared; key columns included.
	Columns []Column
	// PartitionKey names the partition key columns, in order.
	PartitionKey []string
	// Clustering lists the clustering columns, in order.
	Clustering []ClusteringColumn
	// Options are rendered in the order given.
	Options []Option
}

// CreateTable renders CREATE TABLE IF NOT EXISTS with the columns, the primary key, the clustering
// order (when there are clustering columns) and the options:
//
//	CREATE TABLE IF NOT EXISTS "ks"."t" ("a" text, "b" int, "s" text static, PRIMARY KEY (("a"), "b"))
//	WITH CLUSTERING ORDER BY ("b" DESC) AND "comment" = 'x'
//
// (on one line). The partition key is always parenthesised, so a single-column and a composite
// partition key read the same way.
func CreateTable(t Table) string {
	var b strings.Builder
	b.WriteString("CREATE TABLE IF NOT EXISTS ")
	b.WriteString(QualifiedName(t.Keyspace, t.Name))
	b.WriteString(" (")
	for _, c := range t.Columns {
		b.WriteString(columnDef(c))
		b.WriteString(", ")
	}
	b.WriteString("PRIMARY KEY ((")
	b.WriteString(IdentList(t.PartitionKey))
	b.WriteByte(')')
	for _, c := range t.Clustering {
		b.WriteString(", ")
		b.WriteString(Ident(c.Name))
	}
	b.WriteString("))")
	var with []string
	if len(t.Clustering) > 0 {
		parts := make([]string, len(t.Clustering))
		for i, c := range t.Clustering {
			parts[i] = Ident(c.Name) + " " + order(c.Descending)
		}
		with = append(with, "CLUSTERING ORDER BY ("+strings.Join(parts, ", ")+")")
	}
	for _, o := range t.Options {
		with = append(with, optionText(o))
	}
	if len(with) > 0 {
		b.WriteString(" WITH ")
		b.WriteString(strings.Join(with, " AND "))
	}
	return b.String()
}

// AlterTableAdd renders ALTER TABLE ADD for one column, or for several in parentheses:
//
//	ALTER TABLE "ks"."t" ADD "c" int
//	ALTER TABLE "ks"."t" ADD ("c" int, "d" text static)
func AlterTableAdd(keyspace, table string, cols []Column) string {
	defs := make([]string, len(cols))
	for i, c := range cols {
		defs[i] = columnDef(c)
	}
	return "ALTER TABLE " + QualifiedName(keyspace, table) + " ADD " + maybeParens(defs)
}

// AlterTableDrop renders ALTER TABLE DROP for one column, or for several in parentheses:
//
//	ALTER TABLE "ks"."t" DROP "c"
//	ALTER TABLE "ks"."t" DROP ("c", "d")
func AlterTableDrop(keyspace, table string, columns []string) string {
	names := make([]string, len(columns))
	for i, c := range columns {
		names[i] = Ident(c)
	}
	return "ALTER TABLE " + QualifiedName(keyspace, table) + " DROP " + maybeParens(names)
}

// AlterTableWith renders ALTER TABLE WITH the options:
//
//	ALTER TABLE "ks"."t" WITH "comment" = 'x' AND "gc_grace_seconds" = 3600
func AlterTableWith(keyspace, table string, opts []Option) string {
	parts := make([]string, len(opts))
	for i, o := range opts {
		parts[i] = optionText(o)
	}
	return "ALTER TABLE " + QualifiedName(keyspace, table) + " WITH " + strings.Join(parts, " AND ")
}

// DropTable renders DROP TABLE IF EXISTS "ks"."t".
func DropTable(keyspace, table string) string {
	return "DROP TABLE IF EXISTS " + QualifiedName(keyspace, table)
}

// Index targets of CREATE INDEX, for collection columns.
const (
	TargetKeys    = "keys"
	TargetValues  = "values"
	TargetEntries = "entries"
	TargetFull    = "full"
)

// Index is a secondary index, for CREATE INDEX.
type Index struct {
	Keyspace string
	Table    string
	Name     string
	Column   string
	// Target is "" (the column itself), or TargetKeys, TargetValues, TargetEntries or TargetFull.
	// Any other value is rendered as "" would be.
	Target string
	// Using is the class of a custom index ("sai", "StorageAttachedIndex", a fully qualified Java
	// class); empty means a legacy secondary index.
	Using string
	// Options are the custom index's options (WITH OPTIONS); ignored without Using, since
	// Cassandra accepts options only on custom indexes.
	Options map[string]string
}

// TargetExpr is the index target as CQL: "c" or keys("c").
func TargetExpr(column, target string) string {
	switch target {
	case TargetKeys, TargetValues, TargetEntries, TargetFull:
		return target + "(" + Ident(column) + ")"
	}
	return Ident(column)
}

// CreateIndex renders CREATE INDEX IF NOT EXISTS, or CREATE CUSTOM INDEX IF NOT EXISTS ... USING
// when ix.Using is set:
//
//	CREATE INDEX IF NOT EXISTS "i" ON "ks"."t" (keys("m"))
//	CREATE CUSTOM INDEX IF NOT EXISTS "i" ON "ks"."t" ("c") USING 'sai' WITH OPTIONS = {'case_sensitive': 'false'}
func CreateIndex(ix Index) string {
	var b strings.Builder
	b.WriteString("CREATE ")
	if ix.Using != "" {
		b.WriteString("CUSTOM ")
	}
	b.WriteString("INDEX IF NOT EXISTS ")
	b.WriteString(Ident(ix.Name))
	b.WriteString(" ON ")
	b.WriteString(QualifiedName(ix.Keyspace, ix.Table))
	b.WriteString(" (")
	b.WriteString(TargetExpr(ix.Column, ix.Target))
	b.WriteByte(')')
	if ix.Using != "" {
		b.WriteString(" USING ")
		b.WriteString(String(ix.Using))
		if len(ix.Options) > 0 {
			b.WriteString(" WITH OPTIONS = ")
			b.WriteString(StringMap(ix.Options))
		}
	}
	return b.String()
}

// DropIndex renders DROP INDEX IF EXISTS "ks"."i" (index names are unique per keyspace).
func DropIndex(keyspace, name string) string {
	return "DROP INDEX IF EXISTS " + QualifiedName(keyspace, name)
}

func columnDef(c Column) string {
	typ := "<no type>"
	if c.Type != nil {
		typ = c.Type.CQL()
	}
	s := Ident(c.Name) + " " + typ
	if c.Static {
		s += " static"
	}
	if c.Mask != nil {
		s += " MASKED WITH " + c.Mask.CQL()
	}
	return s
}

// IdentList is the names, each quoted, separated by ", ".
func IdentList(names []string) string {
	quoted := make([]string, len(names))
	for i, n := range names {
		quoted[i] = Ident(n)
	}
	return strings.Join(quoted, ", ")
}

func maybeParens(items []string) string {
	if len(items) == 1 {
		return items[0]
	}
	return "(" + strings.Join(items, ", ") + ")"
}

func order(desc bool) string {
	if desc {
		return "DESC"
	}
	return "ASC"
}

// optionText renders name = literal. The name is quoted like any identifier (Cassandra accepts
// quoted table property names; they are all lower case).
func optionText(o Option) string {
	lit := o.literal
	if lit == "" {
		lit = "''" // a zero Option: never splice nothing
	}
	return Ident(o.name) + " = " + lit
}
