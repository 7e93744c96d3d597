package introspect

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	gocql "github.com/apache/cassandra-gocql-driver/v2"

	"github.com/cqlsync/cqlsync/internal/cql/schema"
)

// Column kinds, as system_schema.columns.kind reports them.
const (
	KindPartitionKey = "partition_key"
	KindClustering   = "clustering"
	KindRegular      = "regular"
	KindStatic       = "static"
)

// Index kinds, as system_schema.indexes.kind reports them.
const (
	IndexKindComposites = "COMPOSITES" // a legacy secondary index
	IndexKindKeys       = "KEYS"       // a legacy index of a compact-storage table
	IndexKindCustom     = "CUSTOM"     // a custom index (SAI, SASI, ...): options["class_name"]
)

// KeyspaceSchema is what system_schema says about one keyspace: its replication, tables and
// user-defined types. Values returned by [SchemaCache] are shared: callers must not modify them.
type KeyspaceSchema struct {
	// Name is the keyspace name, exactly as stored.
	Name string
	// Replication is the replication map as stored (see [Keyspace]).
	Replication map[string]string
	// DurableWrites is the keyspace's durable_writes.
	DurableWrites bool
	// Tables by name.
	Tables map[string]*Table
	// Types are the keyspace's user-defined types, by name.
	Types map[string]*UserType
	// IndexTables maps every index name of the keyspace to the table it is on (index names are
	// unique per keyspace).
	IndexTables map[string]string
}

// HasType reports whether the keyspace has a user-defined type of that exact name.
func (k *KeyspaceSchema) HasType(name string) bool {
	_, found := k.Types[name]
	return found
}

// Keyspace is the keyspace's row of system_schema.keyspaces; nil when k is nil (the keyspace
// does not exist).
func (k *KeyspaceSchema) Keyspace() *Keyspace {
	if k == nil {
		return nil
	}
	return &Keyspace{Name: k.Name, Replication: maps.Clone(k.Replication), DurableWrites: k.DurableWrites}
}

// UserType is a row of system_schema.types: a user-defined type and its fields, in order.
type UserType struct {
	Keyspace string
	Name     string
	// Fields in the order Cassandra stores them (the order of creation).
	Fields []Field
}

// Field is a field of a user-defined type.
type Field struct {
	Name string
	// Type is the type as Cassandra reports it (schema.Normalize gives the same text).
	Type string
}

// Table is a live table.
type Table struct {
	Keyspace string
	Name     string
	// Columns: the partition key columns by position, then the clustering columns by position,
	// then the other columns by name.
	Columns []Column
	Options TableOptions
	// Indexes of the table, by name.
	Indexes []Index
}

// Column returns the column of that name, or nil.
func (t *Table) Column(name string) *Column {
	for i := range t.Columns {
		if t.Columns[i].Name == name {
			return &t.Columns[i]
		}
	}
	return nil
}

// Index returns the index of that name, or nil.
func (t *Table) Index(name string) *Index {
	for i := range t.Indexes {
		if t.Indexes[i].Name == name {
			return &t.Indexes[i]
		}
	}
	return nil
}

// PartitionKey returns the names of the partition key columns, in order.
func (t *Table) PartitionKey() []string { return t.namesOfKind(KindPartitionKey) }

// ClusteringKey returns the clustering columns, in order.
func (t *Table) ClusteringKey() []Column {
	var out []Column
	for _, c := range t.Columns {
		if c.Kind == KindClustering {
			out = append(out, c)
		}
	}
	return out
}

func (t *Table) namesOfKind(kind string) []string {
	var out []string
	for _, c := range t.Columns {
		if c.Kind == kind {
			out = append(out, c.Name)
		}
	}
	return out
}

// Column is a row of system_schema.columns.
type Column struct {
	Name string
	// Kind is partition_key, clustering, regular or static.
	Kind string
	// Position is the position in the partition or clustering key; -1 for other columns.
	Position int
	// ClusteringOrder is asc or desc for clustering columns, none for others.
	ClusteringOrder string
	// Type is the type as Cassandra reports it (schema.Normalize gives the same text).
	Type string
}

// Index is a row of system_schema.indexes.
type Index struct {
	Name  string
	Table string
	// Kind is COMPOSITES, KEYS or CUSTOM.
	Kind string
	// Options hold "target" (the target expression: c, "MyCol", keys(m), values(l), entries(m),
	// full(f)), "class_name" for custom indexes as given at creation ("sai", "StorageAttachedIndex"
	// or a fully qualified class), and a custom index's own options.
	Options map[string]string
}

// Target functions of an index target: what part of a collection column the index covers.
var targetFunctions = []string{"keys", "values", "entries", "full"}

// Target reads the index's stored target (Options["target"]: c, "My""Col", keys(m), values(l),
// entries(m), full(f)) into the exact name of its column and the function around it ("" for a
// plain column). ok is false for any other form, such as a target of several columns, or a name
// quoted where Cassandra would not quote it.
func (ix Index) Target() (column, function string, ok bool) {
	stored := ix.Options["target"]
	name := stored
	for _, fn := range targetFunctions {
		if inner, found := strings.CutPrefix(stored, fn+"("); found && strings.HasSuffix(inner, ")") {
			function, name = fn, strings.TrimSuffix(inner, ")")
			break
		}
	}
	if len(name) >= 2 && name[0] == '"' && name[len(name)-1] == '"' {
		column = strings.ReplaceAll(name[1:len(name)-1], `""`, `"`)
	} else {
		column = name
	}
	return column, function, column != "" && schema.MaybeQuote(column) == name
}

// TableOptions are the options of system_schema.tables, as stored.
type TableOptions struct {
	AdditionalWritePolicy   string
	BloomFilterFPChance     float64
	Caching                 map[string]string
	CDC                     bool
	Comment                 string
	Compaction              map[string]string
	Compression             map[string]string
	CRCCheckChance          float64
	DefaultTimeToLive       int
	GCGraceSeconds          int
	MaxIndexInterval        int
	MemtableFlushPeriodInMs int
	MinIndexInterval        int
	ReadRepair              string
	SpeculativeRetry        string
}

// The queries of ReadKeyspaceSchema: one per system table, each for the whole keyspace.
const (
	selectKeyspaceRow = `SELECT replication, durable_writes FROM system_schema.keyspaces WHERE keyspace_name = ?`
	selectTables      = `SELECT table_name, additional_write_policy, bloom_filter_fp_chance, caching, cdc, comment, compaction, compression, crc_check_chance, default_time_to_live, gc_grace_seconds, max_index_interval, memtable_flush_period_in_ms, min_index_interval, read_repair, speculative_retry FROM system_schema.tables WHERE keyspace_name = ?`
	selectColumns     = `SELECT table_name, column_name, clustering_order, kind, position, type FROM system_schema.columns WHERE keyspace_name = ?`
	selectIndexes     = `SELECT table_name, index_name, kind, options FROM system_schema.indexes WHERE keyspace_name = ?`
	selectTypes       = `SELECT type_name, field_names, field_types FROM system_schema.types WHERE keyspace_name = ?`
)

// SchemaQueriesPerKeyspace is how many system_schema queries ReadKeyspaceSchema runs for a keyspace
// that exists (one when it does not).
const SchemaQueriesPerKeyspace = 5

// ReadKeyspaceSchema reads the replication, tables, columns, indexes and user-defined types of a keyspace, with
// one query per system table for the whole keyspace. It returns (nil, nil) when the keyspace does
// not exist. queries is how many queries were sent.
func ReadKeyspaceSchema(ctx context.Context, s *gocql.Session, keyspace string) (ks *KeyspaceSchema, queries int, err error) {
	return readKeyspaceSchema(ctx, s, "", keyspace)
}

// readKeyspaceSchema is ReadKeyspaceSchema on one node when hostID is set.
func readKeyspaceSchema(ctx context.Context, s *gocql.Session, hostID, keyspace string) (ks *KeyspaceSchema, queries int, err error) {
	q := func(stmt string) *gocql.Query {
		queries++
		qq := s.Query(stmt, keyspace).Idempotent(true)
		if hostID != "" {
			qq = qq.SetHostID(hostID)
		}
		return qq
	}
	ks = &KeyspaceSchema{Name: keyspace, Tables: map[string]*Table{}, Types: map[string]*UserType{}, IndexTables: map[string]string{}}
	var repl map[string]string
	if err := q(selectKeyspaceRow).ScanContext(ctx, &repl, &ks.DurableWrites); errors.Is(err, gocql.ErrNotFound) {
		return nil, queries, nil
	} else if err != nil {
		return nil, queries, fmt.Errorf("reading system_schema.keyspaces: %w", err)
	}
	ks.Replication = orEmpty(repl)

	iter := q(selectTables).IterContext(ctx)
	for {
		var (
			t    = &Table{Keyspace: keyspace}
			o    = &t.Options
			cach map[string]string
			comp map[string]string
			cmpr map[string]string
		)
		if !iter.Scan(&t.Name, &o.AdditionalWritePolicy, &o.BloomFilterFPChance, &cach, &o.CDC, &o.Comment,
			&comp, &cmpr, &o.CRCCheckChance, &o.DefaultTimeToLive, &o.GCGraceSeconds, &o.MaxIndexInterval,
			&o.MemtableFlushPeriodInMs, &o.MinIndexInterval, &o.ReadRepair, &o.SpeculativeRetry) {
			break
		}
		o.Caching, o.Compaction, o.Compression = orEmpty(cach), orEmpty(comp), orEmpty(cmpr)
		ks.Tables[t.Name] = t
	}
	if err := iter.Close(); err != nil {
		return nil, queries, fmt.Errorf("reading system_schema.tables: %w", err)
	}

	iter = q(selectColumns).IterContext(ctx)
	for {
		var table string
		var c Column
		if !iter.Scan(&table, &c.Name, &c.ClusteringOrder, &c.Kind, &c.Position, &c.Type) {
			break
		}
		if t := ks.Tables[table]; t != nil { // views have columns too; they are not tables
			t.Columns = append(t.Columns, c)
		}
	}
	if err := iter.Close(); err != nil {
		return nil, queries, fmt.Errorf("reading system_schema.columns: %w", err)
	}

	iter = q(selectIndexes).IterContext(ctx)
	for {
		var ix Index
		var opts map[string]string
		if !iter.Scan(&ix.Table, &ix.Name, &ix.Kind, &opts) {
			break
		}
		ix.Options = orEmpty(opts)
		ks.IndexTables[ix.Name] = ix.Table
		if t := ks.Tables[ix.Table]; t != nil {
			t.Indexes = append(t.Indexes, ix)
		}
	}
	if err := iter.Close(); err != nil {
		return nil, queries, fmt.Errorf("reading system_schema.indexes: %w", err)
	}

	iter = q(selectTypes).IterContext(ctx)
	for {
		var (
			name          string
			names, fields []string
		)
		if !iter.Scan(&name, &names, &fields) {
			break
		}
		ut := &UserType{Keyspace: keyspace, Name: name}
		for i, n := range names {
			f := Field{Name: n}
			if i < len(fields) {
				f.Type = fields[i]
			}
			ut.Fields = append(ut.Fields, f)
		}
		ks.Types[name] = ut
	}
	if err := iter.Close(); err != nil {
		return nil, queries, fmt.Errorf("reading system_schema.types: %w", err)
	}
	for _, t := range ks.Tables {
		SortColumns(t.Columns)
		SortIndexes(t.Indexes)
	}
	return ks, queries, nil
}

// SortColumns puts columns in the order of Table.Columns: partition key by position, clustering
// key by position, then the others by name.
func SortColumns(cols []Column) {
	rank := func(kind string) int {
		switch kind {
		case KindPartitionKey:
			return 0
		case KindClustering:
			return 1
		}
		return 2
	}
	slices.SortStableFunc(cols, func(a, b Column) int {
		if ra, rb := rank(a.Kind), rank(b.Kind); ra != rb {
			return ra - rb
		}
		if rank(a.Kind) < 2 && a.Position != b.Position {
			return a.Position - b.Position
		}
		return strings.Compare(a.Name, b.Name)
	})
}

// SortIndexes puts indexes in the order of Table.Indexes: by name. Index names are unique per
// keyspace, so the order is total.
func SortIndexes(indexes []Index) {
	slices.SortFunc(indexes, func(a, b Index) int { return strings.Compare(a.Name, b.Name) })
}

func orEmpty(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return maps.Clone(m)
}

// Digest is a short, stable fingerprint of everything the keyspace's system_schema rows say (its
// replication, tables, columns, options, indexes and types), "absent" for a keyspace that does not
// exist. Two reads give the same digest exactly when they read the same schema, whatever DDL ran
// elsewhere in the cluster: a plan computed against a digest is still valid while it holds.
func (k *KeyspaceSchema) Digest() string {
	if k == nil {
		return "absent"
	}
	b, err := json.Marshal(k) // maps are written sorted; slices are in a stable order (see ReadKeyspaceSchema)
	if err != nil {           // cannot happen: plain data
		return "unknown"
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:8])
}
