package plan

import (
	"fmt"
	"slices"
	"strings"

	"github.com/cqlsync/cqlsync/internal/cql/introspect"
	"github.com/cqlsync/cqlsync/internal/cql/render"
	"github.com/cqlsync/cqlsync/internal/cql/schema"
)

// Statement kinds of tables.
const (
	CreateTable  Kind = "CreateTable"
	AddColumns   Kind = "AddColumns"
	AlterOptions Kind = "AlterTableOptions"
	DropColumns  Kind = "DropColumns"
	CreateIndex  Kind = "CreateIndex"
	DropIndex    Kind = "DropIndex"
	DropTable    Kind = "DropTable"
)

// Table is a desired table: what a TableModel says, with its types parsed.
type Table struct {
	Keyspace string
	Name     string
	// Columns in the order of the spec; key columns included.
	Columns []Column
	// PartitionKey names the partition key columns, in order.
	PartitionKey []string
	// ClusteringKey lists the clustering columns, in order.
	ClusteringKey []ClusteringColumn
	Indexes       []Index
	Options       TableOptions
	// AllowDropColumns: live columns not in Columns are dropped (otherwise reported as drift).
	AllowDropColumns bool
	// AllowDropIndexes: live indexes of the table not in Indexes are dropped (otherwise reported
	// as drift).
	AllowDropIndexes bool
}

// Column is a desired column.
type Column struct {
	Name   string
	Type   schema.Type
	Static bool
	// Mask is the column's mask (Cassandra 5.0's MASKED WITH); nil: none, and a live one is
	// dropped.
	Mask *schema.Mask
}

// ClusteringColumn is a desired clustering column.
type ClusteringColumn struct {
	Name       string
	Descending bool
}

// Index is a desired secondary index.
type Index struct {
	Name   string
	Column string
	// Target is "", "keys", "values", "entries" or "full". "" means the column itself, or its
	// values for a non-frozen collection, or full() for a frozen one (what Cassandra requires).
	Target string
	// Using is the custom index class ("sai", "StorageAttachedIndex", ...); "" is a legacy index.
	Using string
	// Options of a custom index.
	Options map[string]string
}

// TableOptions are the options the spec sets; nil (or an empty map) means "leave as it is".
type TableOptions struct {
	Comment                 *string
	DefaultTimeToLive       *int32
	GCGraceSeconds          *int32
	BloomFilterFPChance     *float64
	SpeculativeRetry        *string
	AdditionalWritePolicy   *string
	MemtableFlushPeriodInMs *int32
	MinIndexInterval        *int32
	MaxIndexInterval        *int32
	CRCCheckChance          *float64
	CDC                     *bool
	ReadRepair              *string
	Compaction              map[string]string
	Compression             map[string]string
	Caching                 map[string]string
}

// ForTable compares the desired table with the live keyspace (nil or without the table: CREATE
// TABLE) and returns the statements that make the live table match, in this order: DROP INDEX
// (indexes whose definition changed, and extra indexes when allowed), ALTER TABLE DROP (extra
// columns, when allowed), ALTER TABLE ADD (missing columns, one statement), ALTER TABLE WITH (the
// options that differ, one statement), CREATE INDEX (missing and changed indexes, one each).
//
// Partition key, clustering key and clustering order differences, column type and static
// differences, and an index name used by another table of the keyspace block the target: the
// result has no statements and lists every such difference.
//
// ForTable is pure and deterministic; it never panics, whatever the inputs.
func ForTable(desired Table, ks *introspect.KeyspaceSchema) Result {
	var live *introspect.Table
	if ks != nil {
		live = ks.Tables[desired.Name]
	}
	var res Result
	if blocked := indexNamesTaken(desired, ks); len(blocked) > 0 {
		res.Blocked = blocked
	}
	if live == nil {
		if len(res.Blocked) > 0 {
			return res
		}
		res.Plan, res.Blocked = createTable(desired)
		return res
	}
	res.Blocked = append(res.Blocked, keyDifferences(desired, live)...)
	res.Blocked = append(res.Blocked, columnDifferences(desired, live)...)

	want := map[string]Column{}
	for _, c := range desired.Columns {
		want[c.Name] = c
	}
	q := render.QualifiedName(desired.Keyspace, desired.Name)

	// Indexes: changed ones are dropped and created again; extra ones dropped only when allowed.
	var dropIdx, createIdx Plan
	keptIndexOn := map[string][]string{} // column -> live indexes kept on it
	wantIdx := map[string]bool{}
	for _, ix := range desired.Indexes {
		wantIdx[ix.Name] = true
		typ := want[ix.Column].Type
		li := live.Index(ix.Name)
		if li == nil {
			createIdx = append(createIdx, createIndex(desired, ix, typ, ""))
			continue
		}
		if why := indexDifference(ix, typ, li); why != "" {
			dropIdx = append(dropIdx, Statement{Kind: DropIndex, CQL: render.DropIndex(desired.Keyspace, ix.Name), Rebuild: true,
				Summary: "drop index " + render.Ident(ix.Name) + " on " + q + " to create it again (" + why + ")"})
			createIdx = append(createIdx, createIndex(desired, ix, typ, why))
		}
	}
	for _, li := range live.Indexes {
		if wantIdx[li.Name] {
			continue
		}
		if desired.AllowDropIndexes {
			dropIdx = append(dropIdx, Statement{Kind: DropIndex, CQL: render.DropIndex(desired.Keyspace, li.Name),
				Summary: "drop index " + render.Ident(li.Name) + " on " + q + " (not in spec.indexes)"})
			continue
		}
		res.Drift = append(res.Drift, fmt.Sprintf("index %s (%s) is not in spec.indexes", render.Ident(li.Name), describeLiveIndex(li)))
		for _, col := range indexColumns(li, live) {
			keptIndexOn[col] = append(keptIndexOn[col], li.Name)
		}
	}

	// Columns: extra ones dropped only when allowed; missing ones added.
	var drop []string
	for _, lc := range live.Columns {
		if _, ok := want[lc.Name]; ok {
			continue
		}
		switch {
		case !desired.AllowDropColumns:
			res.Drift = append(res.Drift, fmt.Sprintf("column %s %s%s is not in spec.columns", render.Ident(lc.Name), lc.Type, staticText(lc.Kind == introspect.KindStatic)))
		case lc.Kind == introspect.KindPartitionKey || lc.Kind == introspect.KindClustering:
			// A key column cannot be dropped; the key differences above already block.
		case len(keptIndexOn[lc.Name]) > 0:
			res.Drift = append(res.Drift, fmt.Sprintf("column %s %s is not in spec.columns but is kept: index %s depends on it (set spec.allowDropIndexes to drop it)",
				render.Ident(lc.Name), lc.Type, render.IdentList(keptIndexOn[lc.Name])))
		default:
			drop = append(drop, lc.Name)
		}
	}
	var add []render.Column
	var addNames []string
	for _, c := range desired.Columns {
		if live.Column(c.Name) == nil {
			rm, err := renderMask(desired.Keyspace, c.Mask)
			if err != nil {
				res.Blocked = append(res.Blocked, Difference{Kind: DiffInvalidMask, Message: fmt.Sprintf("the mask of column %s: %v", render.Ident(c.Name), err)})
			}
			add = append(add, render.Column{Name: c.Name, Type: c.Type, Static: c.Static, Mask: rm})
			addNames = append(addNames, render.Ident(c.Name)+" "+c.Type.String()+staticText(c.Static)+maskedText(c.Mask))
		}
	}
	masks, badMasks := maskChanges(desired, live)
	res.Blocked = append(res.Blocked, badMasks...)
	if len(res.Blocked) > 0 {
		return res
	}

	res.Plan = append(res.Plan, dropIdx...)
	if len(drop) > 0 {
		res.Plan = append(res.Plan, Statement{Kind: DropColumns, CQL: render.AlterTableDrop(desired.Keyspace, desired.Name, drop),
			Summary: "drop " + plural(len(drop), "column") + " " + render.IdentList(drop) + " from " + q + " (not in spec.columns; spec.allowDropColumns is set)"})
	}
	if len(add) > 0 {
		res.Plan = append(res.Plan, Statement{Kind: AddColumns, CQL: render.AlterTableAdd(desired.Keyspace, desired.Name, add),
			Summary: "add " + plural(len(add), "column") + " " + strings.Join(addNames, ", ") + " to " + q})
	}
	if opts, changes := optionChanges(desired.Options, &live.Options); len(opts) > 0 {
		res.Plan = append(res.Plan, Statement{Kind: AlterOptions, CQL: render.AlterTableWith(desired.Keyspace, desired.Name, opts),
			Summary: "alter table " + q + ": " + strings.Join(changes, ", ")})
	}
	res.Plan = append(res.Plan, masks...)
	res.Plan = append(res.Plan, createIdx...)
	return res
}

// DropTableIfExists returns the statement that drops the table, whether or not it exists.
func DropTableIfExists(keyspace, table string) Plan {
	return Plan{{Kind: DropTable, CQL: render.DropTable(keyspace, table), Summary: "drop table " + render.QualifiedName(keyspace, table)}}
}

func createTable(d Table) (Plan, []Difference) {
	t := render.Table{Keyspace: d.Keyspace, Name: d.Name, PartitionKey: d.PartitionKey}
	var blocked []Difference
	for _, c := range d.Columns {
		rm, err := renderMask(d.Keyspace, c.Mask)
		if err != nil {
			blocked = append(blocked, Difference{Kind: DiffInvalidMask, Message: fmt.Sprintf("the mask of column %s: %v", render.Ident(c.Name), err)})
		}
		t.Columns = append(t.Columns, render.Column{Name: c.Name, Type: c.Type, Static: c.Static, Mask: rm})
	}
	if len(blocked) > 0 {
		return nil, blocked
	}
	for _, c := range d.ClusteringKey {
		t.Clustering = append(t.Clustering, render.ClusteringColumn{Name: c.Name, Descending: c.Descending})
	}
	t.Options, _ = optionChanges(d.Options, nil)
	q := render.QualifiedName(d.Keyspace, d.Name)
	p := Plan{{Kind: CreateTable, CQL: render.CreateTable(t),
		Summary: "create table " + q + " (" + plural(len(d.Columns), "column") + ", primary key " + primaryKeyText(d.PartitionKey, d.ClusteringKey) + ")"}}
	types := map[string]schema.Type{}
	for _, c := range d.Columns {
		types[c.Name] = c.Type
	}
	for _, ix := range d.Indexes {
		p = append(p, createIndex(d, ix, types[ix.Column], ""))
	}
	return p, nil
}

func createIndex(d Table, ix Index, colType schema.Type, why string) Statement {
	target := EffectiveIndexTarget(ix.Target, colType)
	ri := render.Index{Keyspace: d.Keyspace, Table: d.Name, Name: ix.Name, Column: ix.Column, Target: target, Using: ix.Using}
	if ix.Using != "" {
		ri.Options = ix.Options
	}
	summary := "create index " + render.Ident(ix.Name) + " on " + render.QualifiedName(d.Keyspace, d.Name) + " (" + render.TargetExpr(ix.Column, target) + ")"
	if ix.Using != "" {
		summary += " using " + render.String(ix.Using)
	}
	if why != "" {
		summary += " again (" + why + ")"
	}
	return Statement{Kind: CreateIndex, CQL: render.CreateIndex(ri), Summary: summary, Rebuild: why != ""}
}

// EffectiveIndexTarget is the target an index gets: the one given, else values for a non-frozen
// collection and full for a frozen one (the only target Cassandra allows on it), else none.
func EffectiveIndexTarget(target string, colType schema.Type) string {
	if target != "" {
		return target
	}
	switch colType.Kind {
	case schema.KindList, schema.KindSet, schema.KindMap:
		if colType.Frozen {
			return render.TargetFull
		}
		return render.TargetValues
	}
	return ""
}

// StoredIndexTarget is the target expression Cassandra stores in system_schema.indexes.options
// for an index on column with the effective target: c, "MyCol", keys(m), ...
func StoredIndexTarget(column, effectiveTarget string) string {
	name := schema.MaybeQuote(column)
	if effectiveTarget == "" {
		return name
	}
	return effectiveTarget + "(" + name + ")"
}

// indexDifference says how a live index differs from the desired one, or "".
func indexDifference(ix Index, colType schema.Type, li *introspect.Index) string {
	var diffs []string
	want := StoredIndexTarget(ix.Column, EffectiveIndexTarget(ix.Target, colType))
	if have := li.Options["target"]; have != want {
		diffs = append(diffs, "target "+have+" -> "+want)
	}
	liveCustom := li.Kind == introspect.IndexKindCustom
	switch {
	case ix.Using == "" && liveCustom:
		diffs = append(diffs, "custom index "+render.String(li.Options["class_name"])+" -> legacy index")
	case ix.Using != "" && !liveCustom:
		diffs = append(diffs, "legacy index -> custom index "+render.String(ix.Using))
	case ix.Using != "" && NormalizeIndexClass(ix.Using) != NormalizeIndexClass(li.Options["class_name"]):
		diffs = append(diffs, "class "+render.String(li.Options["class_name"])+" -> "+render.String(ix.Using))
	}
	haveOpts := map[string]string{}
	for k, v := range li.Options {
		if k != "target" && k != "class_name" {
			haveOpts[k] = v
		}
	}
	wantOpts := map[string]string{}
	if ix.Using != "" {
		for k, v := range ix.Options {
			wantOpts[k] = v
		}
	}
	if !sameValues(wantOpts, haveOpts) {
		diffs = append(diffs, "options "+render.StringMap(haveOpts)+" -> "+render.StringMap(wantOpts))
	}
	return strings.Join(diffs, ", ")
}

func sameValues(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		w, ok := b[k]
		if !ok || !sameValue(v, w) {
			return false
		}
	}
	return true
}

// NormalizeIndexClass returns the name a custom index class is compared by: the Storage-Attached
// Index in any of its spellings (sai, SAI, StorageAttachedIndex, its fully qualified class) is
// "StorageAttachedIndex", SASI likewise "SASIIndex"; any other class is returned as it is.
func NormalizeIndexClass(class string) string {
	switch strings.ToLower(class) {
	case "sai", "storageattachedindex", "org.apache.cassandra.index.sai.storageattachedindex":
		return "StorageAttachedIndex"
	case "sasiindex", "org.apache.cassandra.index.sasi.sasiindex":
		return "SASIIndex"
	}
	return class
}

// indexColumns returns the columns of the live table a live index's target names.
func indexColumns(li introspect.Index, live *introspect.Table) []string {
	target := li.Options["target"]
	var out []string
	for _, c := range live.Columns {
		q := schema.MaybeQuote(c.Name)
		if target == q || strings.HasSuffix(target, "("+q+")") {
			out = append(out, c.Name)
		}
	}
	return out
}

func describeLiveIndex(li introspect.Index) string {
	s := "on " + li.Options["target"]
	if li.Kind == introspect.IndexKindCustom {
		s += " using " + render.String(li.Options["class_name"])
	}
	return s
}

// indexNamesTaken reports desired indexes whose name another table of the keyspace uses.
func indexNamesTaken(d Table, ks *introspect.KeyspaceSchema) []Difference {
	if ks == nil {
		return nil
	}
	var out []Difference
	for _, ix := range d.Indexes {
		if t, ok := ks.IndexTables[ix.Name]; ok && t != d.Name {
			out = append(out, Difference{Kind: DiffIndexName, Message: fmt.Sprintf(
				"index %s of spec.indexes already exists on table %s of keyspace %s (index names are unique per keyspace)",
				render.Ident(ix.Name), render.Ident(t), render.Ident(d.Keyspace))})
		}
	}
	return out
}

// keyDifferences compares the partition key, the clustering key and the clustering order.
func keyDifferences(d Table, live *introspect.Table) []Difference {
	var out []Difference
	if have := live.PartitionKey(); !slices.Equal(have, d.PartitionKey) {
		out = append(out, Difference{Kind: DiffPartitionKey, Message: fmt.Sprintf(
			"partition key: Cassandra has (%s), the spec says (%s)", render.IdentList(have), render.IdentList(d.PartitionKey))})
	}
	have := live.ClusteringKey()
	var haveNames, wantNames []string
	for _, c := range have {
		haveNames = append(haveNames, c.Name)
	}
	for _, c := range d.ClusteringKey {
		wantNames = append(wantNames, c.Name)
	}
	if !slices.Equal(haveNames, wantNames) {
		var h, w []string
		for _, c := range have {
			h = append(h, render.Ident(c.Name)+" "+strings.ToUpper(c.ClusteringOrder))
		}
		for _, c := range d.ClusteringKey {
			w = append(w, render.Ident(c.Name)+" "+orderText(c.Descending))
		}
		out = append(out, Difference{Kind: DiffClusteringKey, Message: fmt.Sprintf(
			"clustering key: Cassandra has (%s), the spec says (%s)", strings.Join(h, ", "), strings.Join(w, ", "))})
		return out
	}
	for i, c := range d.ClusteringKey {
		if liveDesc := strings.EqualFold(have[i].ClusteringOrder, "desc"); liveDesc != c.Descending {
			out = append(out, Difference{Kind: DiffClusteringOrder, Message: fmt.Sprintf(
				"clustering order of %s: Cassandra has %s, the spec says %s", render.Ident(c.Name), orderText(liveDesc), orderText(c.Descending))})
		}
	}
	return out
}

// columnDifferences compares the type and the static flag of the columns in both.
func columnDifferences(d Table, live *introspect.Table) []Difference {
	var out []Difference
	for _, c := range d.Columns {
		lc := live.Column(c.Name)
		if lc == nil {
			continue
		}
		if want := c.Type.String(); lc.Type != want {
			out = append(out, Difference{Kind: DiffColumnType, Message: fmt.Sprintf(
				"column %s: Cassandra has type %s, the spec says %s (cqlsync never changes a column's type)", render.Ident(c.Name), lc.Type, want)})
		}
		isKey := lc.Kind == introspect.KindPartitionKey || lc.Kind == introspect.KindClustering
		if liveStatic := lc.Kind == introspect.KindStatic; !isKey && liveStatic != c.Static {
			out = append(out, Difference{Kind: DiffStatic, Message: fmt.Sprintf(
				"column %s: Cassandra has it %s, the spec says %s", render.Ident(c.Name), staticWord(liveStatic), staticWord(c.Static))})
		}
	}
	return out
}

func primaryKeyText(pk []string, ck []ClusteringColumn) string {
	s := "((" + render.IdentList(pk) + ")"
	for _, c := range ck {
		s += ", " + render.Ident(c.Name)
		if c.Descending {
			s += " DESC"
		}
	}
	return s + ")"
}

func orderText(desc bool) string {
	if desc {
		return "DESC"
	}
	return "ASC"
}

func staticText(static bool) string {
	if static {
		return " static"
	}
	return ""
}

// maskedText is " MASKED WITH system.mask_inner(1, null)" for a masked column, "" otherwise.
func maskedText(m *schema.Mask) string {
	if m == nil {
		return ""
	}
	return " MASKED WITH " + m.String()
}

func staticWord(static bool) string {
	if static {
		return "static"
	}
	return "not static"
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
