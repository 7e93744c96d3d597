package introspect

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"maps"
	"slices"
	"strings"

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
	// Mask is the column's mask (system_schema.column_masks, Cassandra 5.0 and later), or nil.
	Mask *schema.Mask
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

// newKeyspaceSchema is an empty keyspace, with its maps.
func newKeyspaceSchema(name string) *KeyspaceSchema {
	return &KeyspaceSchema{Name: name, Replication: map[string]string{}, Tables: map[string]*Table{},
		Types: map[string]*UserType{}, IndexTables: map[string]string{}}
}

// indexTables fills IndexTables from the tables' indexes.
func (k *KeyspaceSchema) indexTables() {
	k.IndexTables = map[string]string{}
	for _, t := range k.Tables {
		for _, ix := range t.Indexes {
			k.IndexTables[ix.Name] = t.Name
		}
	}
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
// elsewhere in the cluster.
func (k *KeyspaceSchema) Digest() string {
	if k == nil {
		return "absent"
	}
	return digest(k)
}

// ObjectKind is a kind of schema object of a keyspace.
type ObjectKind string

// The schema objects cqlsync manages.
const (
	// KeyspaceObject is the keyspace itself: its replication and durable_writes.
	KeyspaceObject ObjectKind = "keyspace"
	TableObject    ObjectKind = "table"
	TypeObject     ObjectKind = "type"
	// RoleObject is a role of the cluster (system_auth), with its permissions.
	RoleObject ObjectKind = "role"
)

// Object names a schema object.
type Object struct {
	Kind     ObjectKind
	Keyspace string
	// Name is the table or the type; empty for a keyspace.
	Name string
}

// ObjectDigest is a short, stable fingerprint of one object as the keyspace's rows say it is:
// the keyspace's replication and durable_writes, a table (its columns, options and indexes) or a
// type; "absent" when it does not exist. It changes exactly when that object changes, whatever
// happens to the other objects of the keyspace, and costs only the object's size.
func (k *KeyspaceSchema) ObjectDigest(kind ObjectKind, name string) string {
	if k == nil {
		return "absent"
	}
	switch kind {
	case TableObject:
		if t := k.Tables[name]; t != nil {
			return digest(t)
		}
	case TypeObject:
		if t := k.Types[name]; t != nil {
			return digest(t)
		}
	default:
		return digest(k.Keyspace())
	}
	return "absent"
}

// digest hashes plain data: maps are written sorted and slices are in a stable order (see
// SortColumns and SortIndexes), so equal values give equal digests.
func digest(v any) string {
	b, err := json.Marshal(v)
	if err != nil { // cannot happen: plain data
		return "unknown"
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:8])
}
