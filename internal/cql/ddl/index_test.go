package ddl

import (
	"reflect"
	"strings"
	"testing"

	"github.com/cqlsync/cqlsync/internal/cql/introspect"
)

const indexTable = `CREATE TABLE ks."MyTable" (id int, c int, "MyCol" text, "select" int, "quo""te" int, l list<int>, s set<text>,
	m map<text, int>, f frozen<map<int, int>>, fl frozen<list<int>>, v vector<float, 3>, st int static, PRIMARY KEY (id, c));
CREATE TABLE ks.t_ (a int PRIMARY KEY, "b-c" int);
`

func TestParseIndexes(t *testing.T) {
	tests := []struct {
		src     string
		name    string // the index name, as given or generated
		table   string
		kind    string
		options map[string]string
	}{
		// Targets as system_schema.indexes stores them: quoted as Cassandra quotes a column.
		{`CREATE INDEX i ON ks."MyTable" (c)`, "i", "MyTable", introspect.IndexKindComposites, map[string]string{"target": "c"}},
		{`CREATE INDEX i ON ks."MyTable" ("MyCol")`, "i", "MyTable", introspect.IndexKindComposites, map[string]string{"target": `"MyCol"`}},
		{`CREATE INDEX i ON ks."MyTable" ("select")`, "i", "MyTable", introspect.IndexKindComposites, map[string]string{"target": `"select"`}},
		{`CREATE INDEX i ON ks."MyTable" ("quo""te")`, "i", "MyTable", introspect.IndexKindComposites, map[string]string{"target": `"quo""te"`}},
		{`CREATE INDEX i ON ks."MyTable" (st)`, "i", "MyTable", introspect.IndexKindComposites, map[string]string{"target": "st"}},
		{`CREATE INDEX i ON ks."MyTable" (v)`, "i", "MyTable", introspect.IndexKindComposites, map[string]string{"target": "v"}},
		// A plain target on a non-frozen collection indexes its values.
		{`CREATE INDEX i ON ks."MyTable" (l)`, "i", "MyTable", introspect.IndexKindComposites, map[string]string{"target": "values(l)"}},
		{`CREATE INDEX i ON ks."MyTable" (m)`, "i", "MyTable", introspect.IndexKindComposites, map[string]string{"target": "values(m)"}},
		{`CREATE INDEX i ON ks."MyTable" (s)`, "i", "MyTable", introspect.IndexKindComposites, map[string]string{"target": "values(s)"}},
		{`CREATE INDEX i ON ks."MyTable" (VALUES(l))`, "i", "MyTable", introspect.IndexKindComposites, map[string]string{"target": "values(l)"}},
		{`CREATE INDEX i ON ks."MyTable" (KEYS(m))`, "i", "MyTable", introspect.IndexKindComposites, map[string]string{"target": "keys(m)"}},
		{`CREATE INDEX i ON ks."MyTable" (entries(m))`, "i", "MyTable", introspect.IndexKindComposites, map[string]string{"target": "entries(m)"}},
		{`CREATE INDEX i ON ks."MyTable" (full(f))`, "i", "MyTable", introspect.IndexKindComposites, map[string]string{"target": "full(f)"}},
		{`CREATE INDEX i ON ks."MyTable" (FULL(fl))`, "i", "MyTable", introspect.IndexKindComposites, map[string]string{"target": "full(fl)"}},
		// Default names: table_column_idx without non-word characters.
		{`CREATE INDEX ON ks."MyTable" ("MyCol")`, "MyTable_MyCol_idx", "MyTable", introspect.IndexKindComposites, map[string]string{"target": `"MyCol"`}},
		{`CREATE INDEX ON ks."MyTable" (keys(m))`, "MyTable_m_idx", "MyTable", introspect.IndexKindComposites, map[string]string{"target": "keys(m)"}},
		{`CREATE INDEX ON ks."MyTable" ("quo""te")`, "MyTable_quote_idx", "MyTable", introspect.IndexKindComposites, map[string]string{"target": `"quo""te"`}},
		{`CREATE INDEX ON ks.t_ ("b-c")`, "t__bc_idx", "t_", introspect.IndexKindComposites, map[string]string{"target": `"b-c"`}},
		{`CREATE INDEX IF NOT EXISTS "Quoted_Name" ON ks.t_ ("b-c")`, "Quoted_Name", "t_", introspect.IndexKindComposites, map[string]string{"target": `"b-c"`}},
		{`CREATE INDEX ks.i ON ks.t_ ("b-c")`, "i", "t_", introspect.IndexKindComposites, map[string]string{"target": `"b-c"`}},
		// Custom indexes: class_name as written, options as given, CUSTOM or not.
		{`CREATE CUSTOM INDEX i ON ks."MyTable" (v) USING 'StorageAttachedIndex' WITH OPTIONS = {'similarity_function': 'COSINE'}`,
			"i", "MyTable", introspect.IndexKindCustom, map[string]string{"target": "v", "class_name": "StorageAttachedIndex", "similarity_function": "COSINE"}},
		{`CREATE INDEX i ON ks."MyTable" (keys(m)) USING 'sai'`,
			"i", "MyTable", introspect.IndexKindCustom, map[string]string{"target": "keys(m)", "class_name": "sai"}},
		{`CREATE CUSTOM INDEX ON ks."MyTable" ("MyCol") USING 'org.apache.cassandra.index.sai.StorageAttachedIndex' WITH OPTIONS = {'case_sensitive': false, 'ascii': 'true'}`,
			"MyTable_MyCol_idx", "MyTable", introspect.IndexKindCustom, map[string]string{"target": `"MyCol"`, "class_name": "org.apache.cassandra.index.sai.StorageAttachedIndex", "case_sensitive": "false", "ascii": "true"}},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			r := parseClean(t, prelude+indexTable+tt.src+";")
			ks := r.Keyspace("ks")
			want := []introspect.Index{{Name: tt.name, Table: tt.table, Kind: tt.kind, Options: tt.options}}
			if got := ks.Tables[tt.table].Indexes; !reflect.DeepEqual(got, want) {
				t.Errorf("indexes:\n got %+v\nwant %+v", got, want)
			}
			if want := map[string]string{tt.name: tt.table}; !reflect.DeepEqual(ks.IndexTables, want) {
				t.Errorf("index tables %v, want %v", ks.IndexTables, want)
			}
		})
	}
}

func TestParseIndexNamesAndOrder(t *testing.T) {
	r := parseClean(t, prelude+indexTable+`
CREATE INDEX ON ks."MyTable" (m);
CREATE INDEX ON ks."MyTable" (entries(m));
CREATE INDEX ON ks."MyTable" (keys(m));
CREATE INDEX a_first ON ks."MyTable" (c);
CREATE INDEX "MyTable_m_idx_3" ON ks.t_ ("b-c");
CREATE INDEX ON ks."MyTable" (full(f));`)
	ks := r.Keyspace("ks")
	var names []string
	for _, ix := range ks.Tables["MyTable"].Indexes {
		names = append(names, ix.Name)
	}
	// Sorted by name as introspect sorts them (byte order: upper case first).
	want := []string{"MyTable_f_idx", "MyTable_m_idx", "MyTable_m_idx_1", "MyTable_m_idx_2", "a_first"}
	if !reflect.DeepEqual(names, want) {
		t.Errorf("index names %v, want %v", names, want)
	}
	if len(ks.IndexTables) != 6 || ks.IndexTables["MyTable_m_idx_3"] != "t_" {
		t.Errorf("index tables %v", ks.IndexTables)
	}
}

func TestParseIndexErrors(t *testing.T) {
	tests := []struct{ src, reason string }{
		{`CREATE INDEX ON ks."MyTable" (f)`, "use full(f)"},
		{`CREATE INDEX ON ks."MyTable" (full(m))`, "only be created on frozen collections"},
		{`CREATE INDEX ON ks."MyTable" (keys(l))`, "keys() indexes can only be created on non-frozen maps"},
		{`CREATE INDEX ON ks."MyTable" (entries(f))`, "entries() indexes can only be created on non-frozen maps"},
		{`CREATE INDEX ON ks."MyTable" (values(c))`, "values() indexes can only be created on non-frozen collections"},
		{`CREATE INDEX ON ks."MyTable" (id)`, "the only partition key column"},
		{`CREATE CUSTOM INDEX ON ks."MyTable" (id) USING 'sai'`, "the only partition key column"},
		{`CREATE INDEX ON ks."MyTable" (nope)`, "has no column nope"},
		{`CREATE INDEX ON ks.nope (c)`, "table ks.nope does not exist"},
		{`CREATE INDEX ON ks."MyTable" (c, l)`, "several columns"},
		{`CREATE INDEX ON ks."MyTable" ()`, "needs a column"},
		{`CREATE INDEX ON ks."MyTable" (writetime(c))`, "a column, or KEYS, VALUES, ENTRIES or FULL"},
		{`CREATE CUSTOM INDEX ON ks."MyTable" (c)`, "needs its class"},
		{`CREATE INDEX ON ks."MyTable" (c) WITH OPTIONS = {'a': 'b'}`, "only be given to an index with a class"},
		{`CREATE INDEX ON ks."MyTable" (c) USING 'sai' WITH OPTIONS = {'target': 'b'}`, "target cannot be given"},
		{`CREATE INDEX ON ks."MyTable" (c) USING 'sai' WITH foo = {'a': 'b'}`, "unknown index property foo"},
		{`CREATE INDEX ON ks."MyTable" (c) USING sai`, "the index class as a string"},
		{`CREATE INDEX "bad name" ON ks."MyTable" (c)`, "only letters, digits and _"},
		{`CREATE INDEX other.i ON ks."MyTable" (c)`, "not its table's keyspace"},
		{`CREATE INDEX i ON ks."MyTable" (c); CREATE INDEX i ON ks.t_ ("b-c")`, "index i already exists"},
		{`CREATE INDEX i ON ks."MyTable" (c); CREATE INDEX j ON ks."MyTable" (c)`, "j is a duplicate of index i"},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			r := Parse(prelude + indexTable + tt.src + ";")
			if len(r.Skipped) != 1 || r.Skipped[0].Kind != KindIndex || !strings.Contains(r.Skipped[0].Reason, tt.reason) {
				t.Fatalf("skipped %+v, want one index with a reason containing %q", r.Skipped, tt.reason)
			}
		})
	}
	// IF NOT EXISTS makes an existing name or an identical index a no-op (with a warning).
	r := Parse(prelude + indexTable + `CREATE INDEX i ON ks."MyTable" (c);
CREATE INDEX IF NOT EXISTS i ON ks.t_ ("b-c");
CREATE INDEX IF NOT EXISTS j ON ks."MyTable" (c);`)
	if ks := r.Keyspace("ks"); len(r.Skipped) != 0 || len(r.Warnings) != 2 || len(ks.IndexTables) != 1 || ks.Tables["t_"].Indexes != nil {
		t.Errorf("skipped %v, warnings %v, %+v", r.Skipped, r.Warnings, ks)
	}
}
