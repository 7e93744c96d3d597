package ddl

import (
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/cqlsync/cqlsync/internal/cql/introspect"
	"github.com/cqlsync/cqlsync/internal/cql/schema"
	"github.com/cqlsync/cqlsync/test/rig/testenv"
)

// dumpKeyspace prints every field of a keyspace schema as one line per value, in a fixed order,
// so that two schemas can be compared line by line. Maps and slices are printed with %#v, which
// tells nil from empty and sorts map keys.
func dumpKeyspace(ks *introspect.KeyspaceSchema) []string {
	if ks == nil {
		return []string{"<no keyspace>"}
	}
	var out []string
	add := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }
	add("keyspace %q", ks.Name)
	add("keyspace replication %#v", ks.Replication)
	add("keyspace durable_writes %v", ks.DurableWrites)
	add("keyspace maps: tables nil=%v types nil=%v index_tables nil=%v", ks.Tables == nil, ks.Types == nil, ks.IndexTables == nil)
	for _, name := range sortedKeys(ks.Types) {
		ut := ks.Types[name]
		add("type %q: keyspace %q name %q, %d fields", name, ut.Keyspace, ut.Name, len(ut.Fields))
		for i, f := range ut.Fields {
			add("type %q field %d: %q %s", name, i, f.Name, f.Type)
		}
	}
	for _, name := range sortedKeys(ks.Tables) {
		t := ks.Tables[name]
		add("table %q: keyspace %q name %q, %d columns, %d indexes (nil=%v)", name, t.Keyspace, t.Name, len(t.Columns), len(t.Indexes), t.Indexes == nil)
		for i, c := range t.Columns {
			add("table %q column %d: %q %s position=%d order=%s type=%s mask=%s", name, i, c.Name, c.Kind, c.Position, c.ClusteringOrder, c.Type, maskText(c.Mask))
		}
		o := reflect.ValueOf(t.Options)
		for i := 0; i < o.NumField(); i++ {
			add("table %q option %s: %#v", name, o.Type().Field(i).Name, o.Field(i).Interface())
		}
		for i, ix := range t.Indexes {
			add("table %q index %d: %q table=%q kind=%s options=%#v", name, i, ix.Name, ix.Table, ix.Kind, ix.Options)
		}
	}
	for _, name := range sortedKeys(ks.IndexTables) {
		add("index %q is on table %q", name, ks.IndexTables[name])
	}
	return out
}

// maskText prints a column mask with each of its fields, or none.
func maskText(m *schema.Mask) string {
	if m == nil {
		return "none"
	}
	return fmt.Sprintf("{keyspace=%q function=%q arguments=%#v}", m.Keyspace, m.Function, m.Arguments)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// diffKeyspace returns "" when want and got are deeply equal, else the lines of dumpKeyspace
// that differ: "- " for want's, "+ " for got's.
func diffKeyspace(want, got *introspect.KeyspaceSchema) string {
	if reflect.DeepEqual(want, got) {
		return ""
	}
	out := testenv.DiffLines(dumpKeyspace(want), dumpKeyspace(got))
	if len(out) == 0 {
		return fmt.Sprintf("not deeply equal, although every field prints the same:\nwant %#v\ngot  %#v", want, got)
	}
	return strings.Join(out, "\n")
}
