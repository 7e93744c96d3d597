package adopt

import (
	"reflect"
	"strings"
	"testing"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
	"github.com/cqlsync/cqlsync/internal/cql/ddl"
	"github.com/cqlsync/cqlsync/internal/cql/introspect"
	"github.com/cqlsync/cqlsync/internal/cql/schema"
)

// TestIndex maps stored index rows back to TableModel indexes, or says why not.
func TestIndex(t *testing.T) {
	table := &introspect.Table{Name: "t", Columns: []introspect.Column{
		{Name: "id", Kind: introspect.KindPartitionKey, Type: "int"},
		{Name: "MyCol", Kind: introspect.KindRegular, Type: "text"},
		{Name: "select", Kind: introspect.KindRegular, Type: "text"},
		{Name: "l", Kind: introspect.KindRegular, Type: "list<int>"},
		{Name: "m", Kind: introspect.KindRegular, Type: "map<text, int>"},
		{Name: "fl", Kind: introspect.KindRegular, Type: "frozen<list<int>>"},
	}}
	legacy := func(target string) introspect.Index {
		return introspect.Index{Name: "i", Kind: introspect.IndexKindComposites, Options: map[string]string{"target": target}}
	}
	custom := func(target, class string, opts ...string) introspect.Index {
		ix := introspect.Index{Name: "i", Kind: introspect.IndexKindCustom, Options: map[string]string{"target": target, "class_name": class}}
		for i := 0; i+1 < len(opts); i += 2 {
			ix.Options[opts[i]] = opts[i+1]
		}
		return ix
	}
	tests := []struct {
		name string
		in   introspect.Index
		want cqlv1.Index
		why  string // a part of the reason, when it cannot be imported
	}{
		{"plain", legacy("id"), cqlv1.Index{Name: "i", Column: "id"}, ""},
		{"quoted", legacy(`"MyCol"`), cqlv1.Index{Name: "i", Column: "MyCol"}, ""},
		{"reserved word", legacy(`"select"`), cqlv1.Index{Name: "i", Column: "select"}, ""},
		{"values", legacy("values(l)"), cqlv1.Index{Name: "i", Column: "l", Target: "values"}, ""},
		{"keys", legacy("keys(m)"), cqlv1.Index{Name: "i", Column: "m", Target: "keys"}, ""},
		{"entries", legacy("entries(m)"), cqlv1.Index{Name: "i", Column: "m", Target: "entries"}, ""},
		{"full", legacy("full(fl)"), cqlv1.Index{Name: "i", Column: "fl", Target: "full"}, ""},
		{"mixed case unquoted", custom("MyCol", "sai"), cqlv1.Index{}, "is not one column"},
		{"sai", custom(`"MyCol"`, "StorageAttachedIndex", "case_sensitive", "false"),
			cqlv1.Index{Name: "i", Column: "MyCol", Using: "StorageAttachedIndex", Options: map[string]string{"case_sensitive": "false"}}, ""},
		{"sai on values", custom("values(m)", "sai"), cqlv1.Index{Name: "i", Column: "m", Target: "values", Using: "sai"}, ""},
		{"unknown column", legacy("nope"), cqlv1.Index{}, "is not one column"},
		{"two columns", legacy("id, l"), cqlv1.Index{}, "is not one column"},
		{"plain target on a collection", legacy("l"), cqlv1.Index{}, "would be created as values(l)"},
		{"KEYS kind", introspect.Index{Name: "i", Kind: introspect.IndexKindKeys, Options: map[string]string{"target": "id"}}, cqlv1.Index{}, "compact-storage"},
		{"legacy with options", introspect.Index{Name: "i", Kind: introspect.IndexKindComposites, Options: map[string]string{"target": "id", "x": "y"}}, cqlv1.Index{}, "with options"},
		{"odd class", custom("id", "org.example.Odd-Index"), cqlv1.Index{}, "not a class name"},
		{"odd name", introspect.Index{Name: "bad name", Kind: introspect.IndexKindComposites, Options: map[string]string{"target": "id"}}, cqlv1.Index{}, "index name"},
	}
	for _, tt := range tests {
		got, why := index(table, tt.in)
		switch {
		case tt.why == "" && why != "":
			t.Errorf("%s: not imported: %s", tt.name, why)
		case tt.why != "" && !strings.Contains(why, tt.why):
			t.Errorf("%s: reason %q, want one containing %q", tt.name, why, tt.why)
		case tt.why == "" && !reflect.DeepEqual(got, tt.want):
			t.Errorf("%s: %+v, want %+v", tt.name, got, tt.want)
		}
	}
}

// TestTableOptions: only what differs from the defaults of a new table, with the API's forms.
func TestTableOptions(t *testing.T) {
	def := ddl.DefaultTableOptions
	withLeveled := func(o introspect.TableOptions) introspect.TableOptions {
		o.Compaction = map[string]string{"class": "org.apache.cassandra.db.compaction.LeveledCompactionStrategy", "max_threshold": "32", "min_threshold": "4"}
		return o
	}
	tests := []struct {
		name  string
		live  func() introspect.TableOptions
		want  *cqlv1.TableOptions
		skips []string
	}{
		{"defaults", def, nil, nil},
		{"leveled with its own default bloom filter", func() introspect.TableOptions {
			o := withLeveled(def())
			o.BloomFilterFPChance = 0.1
			return o
		}, &cqlv1.TableOptions{Compaction: map[string]string{"class": "LeveledCompactionStrategy", "max_threshold": "32", "min_threshold": "4"}}, nil},
		{"leveled with the size-tiered bloom filter", func() introspect.TableOptions { return withLeveled(def()) },
			&cqlv1.TableOptions{BloomFilterFPChance: ptr("0.01"), Compaction: map[string]string{"class": "LeveledCompactionStrategy", "max_threshold": "32", "min_threshold": "4"}}, nil},
		{"scalars", func() introspect.TableOptions {
			o := def()
			o.Comment, o.DefaultTimeToLive, o.GCGraceSeconds, o.CRCCheckChance, o.CDC = "c", 60, 0, 0, true
			o.SpeculativeRetry, o.AdditionalWritePolicy, o.ReadRepair = "MIN(99p,25ms)", "NEVER", "NONE"
			o.MinIndexInterval, o.MaxIndexInterval, o.MemtableFlushPeriodInMs = 64, 4096, 1000
			return o
		}, &cqlv1.TableOptions{Comment: ptr("c"), DefaultTimeToLive: ptr[int32](60), GCGraceSeconds: ptr[int32](0), CRCCheckChance: ptr("0"),
			CDC: ptr(true), SpeculativeRetry: ptr("MIN(99p,25ms)"), AdditionalWritePolicy: ptr("NEVER"), ReadRepair: ptr("NONE"),
			MinIndexInterval: ptr[int32](64), MaxIndexInterval: ptr[int32](4096), MemtableFlushPeriodInMs: ptr[int32](1000)}, nil},
		{"maps", func() introspect.TableOptions {
			o := def()
			o.Compression = map[string]string{"enabled": "false"}
			o.Caching = map[string]string{"keys": "NONE", "rows_per_partition": "10"}
			return o
		}, &cqlv1.TableOptions{Compression: map[string]string{"enabled": "false"}, Caching: map[string]string{"keys": "NONE", "rows_per_partition": "10"}}, nil},
		{"values the API cannot hold", func() introspect.TableOptions {
			o := def()
			o.Comment = strings.Repeat("x", maxComment+1)
			o.SpeculativeRetry = "99p;"
			o.ReadRepair = "SOMETIMES"
			o.GCGraceSeconds = 10
			return o
		}, &cqlv1.TableOptions{GCGraceSeconds: ptr[int32](10)}, []string{"comment", "speculative_retry", "read_repair"}},
	}
	for _, tt := range tests {
		got, skips := tableOptions(tt.live())
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s:\n got %+v\nwant %+v", tt.name, got, tt.want)
		}
		var names []string
		for _, s := range skips {
			names = append(names, s.What)
		}
		if !reflect.DeepEqual(names, tt.skips) {
			t.Errorf("%s: not imported %q, want %q", tt.name, names, tt.skips)
		}
	}
}

func TestReplication(t *testing.T) {
	rf := func(n int32) *int32 { return &n }
	tests := []struct {
		in   map[string]string
		want cqlv1.KeyspaceReplication
		why  string
	}{
		{map[string]string{"class": "org.apache.cassandra.locator.SimpleStrategy", "replication_factor": "3"},
			cqlv1.KeyspaceReplication{Strategy: cqlv1.SimpleStrategy, ReplicationFactor: rf(3)}, ""},
		{map[string]string{"class": "org.apache.cassandra.locator.NetworkTopologyStrategy", "dc1": "3", "dc2": "1"},
			cqlv1.KeyspaceReplication{Strategy: cqlv1.NetworkTopologyStrategy, Datacenters: map[string]cqlv1.ReplicaCount{"dc1": 3, "dc2": 1}}, ""},
		{map[string]string{"class": "org.apache.cassandra.locator.SimpleStrategy", "replication_factor": "03"}, cqlv1.KeyspaceReplication{}, "not a whole number"},
		{map[string]string{"class": "org.apache.cassandra.locator.SimpleStrategy", "replication_factor": "101"}, cqlv1.KeyspaceReplication{}, "not a whole number"},
		{map[string]string{"class": "org.apache.cassandra.locator.SimpleStrategy"}, cqlv1.KeyspaceReplication{}, "not a whole number"},
		{map[string]string{"class": "org.apache.cassandra.locator.SimpleStrategy", "replication_factor": "1", "dc1": "1"}, cqlv1.KeyspaceReplication{}, "option \"dc1\""},
		{map[string]string{"class": "org.apache.cassandra.locator.NetworkTopologyStrategy", "dc1": "3/1"}, cqlv1.KeyspaceReplication{}, "transient"},
		{map[string]string{"class": "org.apache.cassandra.locator.NetworkTopologyStrategy", "replication_factor": "3"}, cqlv1.KeyspaceReplication{}, "not a datacenter"},
		{map[string]string{"class": "org.apache.cassandra.locator.NetworkTopologyStrategy"}, cqlv1.KeyspaceReplication{}, "0 datacenters"},
		{map[string]string{"class": "org.apache.cassandra.locator.LocalStrategy"}, cqlv1.KeyspaceReplication{}, "neither"},
	}
	for _, tt := range tests {
		got, why := replication(tt.in)
		switch {
		case tt.why == "" && (why != "" || !reflect.DeepEqual(got, tt.want)):
			t.Errorf("%v: %+v (%s), want %+v", tt.in, got, why, tt.want)
		case tt.why != "" && !strings.Contains(why, tt.why):
			t.Errorf("%v: reason %q, want one containing %q", tt.in, why, tt.why)
		}
	}
}

// TestConnections: every resource lists the connection named (of either kind), or none (the
// namespace default).
func TestConnections(t *testing.T) {
	if got := connections(Options{}); got != nil {
		t.Errorf("no connection: %v", got)
	}
	if got := connections(Options{Connection: "cluster1"}); !reflect.DeepEqual(got, []cqlv1.ConnectionRef{cqlv1.Namespaced("cluster1")}) {
		t.Errorf("cluster1: %v", got)
	}
	if got := connections(Options{ClusterConnection: "shared"}); !reflect.DeepEqual(got, []cqlv1.ConnectionRef{cqlv1.ClusterScoped("shared")}) {
		t.Errorf("shared: %v", got)
	}
	sources := parseSources(t, `CREATE KEYSPACE ks WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1};
CREATE TYPE ks.a (v int); CREATE TABLE ks.t (id int PRIMARY KEY);`)
	for _, o := range Convert(sources, Options{Connection: "c2"}) {
		for _, d := range o.Documents {
			obj, ok := d.Object.(cqlv1.SchemaObject)
			if !ok || !reflect.DeepEqual(obj.TargetConnections(), []cqlv1.ConnectionRef{cqlv1.Namespaced("c2")}) {
				t.Errorf("%s %s does not list connection c2", d.Object.GetObjectKind().GroupVersionKind().Kind, d.Object.GetName())
			}
		}
	}
}

// TestColumnMask maps stored column masks to a TableModel column's mask, or says why not.
func TestColumnMask(t *testing.T) {
	mask := func(keyspace, function string, args ...string) *schema.Mask {
		return &schema.Mask{Keyspace: keyspace, Function: function, Arguments: args}
	}
	tests := []struct {
		name string
		in   *schema.Mask
		want *cqlv1.ColumnMask
		why  string // a part of the reason, when it cannot be imported
	}{
		{"none", nil, nil, ""},
		{"default", mask("", "mask_default"), &cqlv1.ColumnMask{Function: "mask_default"}, ""},
		{"built-in with arguments", mask("", "mask_inner", "1", "null", "'#'"),
			&cqlv1.ColumnMask{Function: "mask_inner", Arguments: []string{"1", "null", "'#'"}}, ""},
		{"a quote in a string", mask("", "mask_replace", "'it''s'"), &cqlv1.ColumnMask{Function: "mask_replace", Arguments: []string{"'it''s'"}}, ""},
		{"a negative decimal", mask("", "mask_replace", "-2.50"), &cqlv1.ColumnMask{Function: "mask_replace", Arguments: []string{"-2.50"}}, ""},
		{"user-defined", mask("ks", "Redact_1", "true", "'x'"), &cqlv1.ColumnMask{Function: "ks.Redact_1", Arguments: []string{"true", "'x'"}}, ""},
		{"user-defined named like a built-in", mask("ks", "mask_inner"), &cqlv1.ColumnMask{Function: "ks.mask_inner"}, ""},
		{"user-defined, eight arguments", mask("ks", "f", "1", "2", "3", "4", "5", "6", "7", "8"),
			&cqlv1.ColumnMask{Function: "ks.f", Arguments: []string{"1", "2", "3", "4", "5", "6", "7", "8"}}, ""},
		{"nine arguments", mask("ks", "f", "1", "2", "3", "4", "5", "6", "7", "8", "9"), nil, "9 arguments (a mask declares at most 8)"},
		{"odd function name", mask("ks", "my-fn"), nil, "keyspace.function, each of 1 to 48"},
		{"odd keyspace name", mask("My KS", "f"), nil, "keyspace.function, each of 1 to 48"},
		{"long function name", mask("ks", strings.Repeat("f", 49)), nil, "keyspace.function, each of 1 to 48"},
		{"a blob argument", mask("", "mask_replace", "0xcafe"), nil, "argument 0xcafe is not a literal"},
		{"a NaN argument", mask("ks", "f", "NaN"), nil, "argument NaN is not a literal"},
		{"a collection argument", mask("ks", "f", "[1, 2]"), nil, "is not a literal"},
		{"an unknown built-in", mask("", "mask_everything"), nil, "not a built-in mask function"},
		{"a built-in with too many arguments", mask("", "mask_null", "1"), nil, "mask_null takes 0 argument(s)"},
	}
	for _, tt := range tests {
		got, why := columnMask(tt.in)
		switch {
		case tt.why == "" && why != "":
			t.Errorf("%s: not imported: %s", tt.name, why)
		case tt.why != "" && !strings.Contains(why, tt.why):
			t.Errorf("%s: reason %q, want one containing %q", tt.name, why, tt.why)
		case tt.why == "" && !reflect.DeepEqual(got, tt.want):
			t.Errorf("%s: %+v, want %+v", tt.name, got, tt.want)
		}
		if got != nil {
			// What the operator builds from the declared mask is the live one.
			again, err := schema.NewMask(got.Function, got.Arguments)
			if err != nil || !again.Equal(tt.in) {
				t.Errorf("%s: %+v reads back as %v (%v), want %v", tt.name, got, again, err, tt.in)
			}
		}
	}
}

// TestMaskedTable: a table is imported with its columns' masks, or not at all when one mask
// cannot be declared (dropping the mask would have the operator drop it from the cluster).
func TestMaskedTable(t *testing.T) {
	sources := parseSources(t, `CREATE KEYSPACE ks WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1};
CREATE TABLE ks.ok (id int PRIMARY KEY, a text MASKED WITH system.mask_inner(1, null), b text);
CREATE TABLE ks.bad (id int PRIMARY KEY, a text MASKED WITH DEFAULT, b blob MASKED WITH system.mask_replace(0x00));`)
	outs := Convert(sources, Options{})
	if len(outs) != 1 || outs[0].Count("TableModel") != 1 {
		t.Fatalf("outputs %+v, want one TableModel", outs)
	}
	tm := outs[0].Documents[1].Object.(*cqlv1.TableModel)
	want := []cqlv1.Column{{Name: "id", Type: "int"}, {Name: "a", Type: "text", Mask: &cqlv1.ColumnMask{Function: "mask_inner", Arguments: []string{"1", "null"}}},
		{Name: "b", Type: "text"}}
	if tm.Spec.Name != "ok" || !reflect.DeepEqual(tm.Spec.Columns, want) {
		t.Errorf("table %s, columns %+v, want ok with %+v", tm.Spec.Name, tm.Spec.Columns, want)
	}
	if s := outs[0].Skipped; len(s) != 1 || s[0].What != `table "bad"` || !strings.Contains(s[0].Reason, `column "b": its mask system.mask_replace(0x00)`) {
		t.Errorf("not imported %v, want table bad for the mask of column b", s)
	}
}
