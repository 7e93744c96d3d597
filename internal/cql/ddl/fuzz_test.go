package ddl

import (
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/cqlsync/cqlsync/internal/cql/introspect"
	"github.com/cqlsync/cqlsync/internal/cql/schema"
)

// fuzzSeeds are statements of every kind Parse handles, well- and ill-formed.
var fuzzSeeds = []string{
	prelude + `CREATE TABLE ks.t (a int, b text, s int static, PRIMARY KEY ((a), b)) WITH CLUSTERING ORDER BY (b DESC) AND comment = 'x';`,
	prelude + `USE ks; CREATE TYPE "T" ("f" frozen<list<int>>); CREATE TABLE u (id int PRIMARY KEY, t frozen<"T">, m map<text, int>);
CREATE INDEX ON u (keys(m)); CREATE CUSTOM INDEX i ON u (t) USING 'sai' WITH OPTIONS = {'a': 'b'};`,
	prelude + `CREATE TABLE ks.o (a int PRIMARY KEY) WITH compaction = {'class': 'LeveledCompactionStrategy'} AND compression = {'enabled': false}
AND caching = {'rows_per_partition': 10} AND speculative_retry = 'min(25ms, 99p)' AND ID = d9f47aa0-ec22-11f1-8b11-85e15e98f2c6;`,
	prelude + `CREATE TABLE ks.t (a int PRIMARY KEY, b int); ALTER TABLE ks.t ADD (c int, d list<int>); ALTER TABLE ks.t DROP b USING TIMESTAMP 1;
ALTER TABLE ks.t WITH gc_grace_seconds = 1; DROP TABLE ks.t; DROP KEYSPACE ks;`,
	`CREATE MATERIALIZED VIEW ks.v AS SELECT * FROM ks.t WHERE a IS NOT NULL PRIMARY KEY (a);
CREATE FUNCTION ks.f(x int) RETURNS NULL ON NULL INPUT RETURNS int LANGUAGE java AS $$ return x; $$;`,
	"CREATE TABLE ks.t (a int PRIMARY KEY) WITH comment = 'unterminated\nCREATE TABLE ks.u (a int PRIMARY KEY);",
	"/* unterminated comment",
	`CREATE KEYSPACE "Ks" WITH replication = {'class': 'NetworkTopologyStrategy', 'dc1': 3, 'dc2': 0} AND durable_writes = false;`,
	"CREATE TABLE x.y (a frozen<list<frozen<map<int, frozen<set<tuple<int, vector<float, 2>>>>>>>> PRIMARY KEY);",
	"\xff\xfe;'\xff';\"\";$$;",
	prelude + `CREATE TABLE ks.m (id int PRIMARY KEY, a text MASKED WITH DEFAULT, b text MASKED WITH system.mask_inner(1, null),
c text MASKED WITH mask_outer(1, 2, '#'), d int MASKED WITH ks.fn(-1, 'it''s', true)); ALTER TABLE ks.m ALTER a DROP MASKED;
ALTER TABLE ks.m ALTER IF EXISTS d MASKED WITH mask_null(); ALTER TABLE ks.m ADD (e bigint MASKED WITH mask_replace(0), f text);
CREATE TABLE ks.bad (id int PRIMARY KEY, a text MASKED WITH mask_replace(now()), b text MASKED WITH mask_inner(1, 2;`,
}

// FuzzParse: Parse never panics, is deterministic, and whatever it returns is well formed: the
// shape introspect.ReadKeyspaceSchema produces (non-nil maps, sorted columns and indexes, types
// in normal form, a consistent index map).
func FuzzParse(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	files := []string{filepath.Join("..", "..", "..", "test", "fixtures", "schema.cql")}
	for _, c := range capturedDescribes {
		files = append(files, filepath.Join("testdata", c.file))
	}
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(b))
		for _, st := range splitStatements(string(b)) {
			f.Add(prelude + "USE ks;\n" + st.text(string(b)))
		}
	}
	f.Fuzz(func(t *testing.T, src string) {
		r := Parse(src)
		if again := Parse(src); !reflect.DeepEqual(r, again) {
			t.Fatalf("Parse is not deterministic on %q", src)
		}
		checkResult(t, r)
	})
}

func checkResult(t *testing.T, r *Result) {
	t.Helper()
	for _, s := range r.Skipped {
		if s.Line < 1 || s.Reason == "" || s.Kind == "" {
			t.Fatalf("bad skipped item %+v", s)
		}
	}
	for _, w := range r.Warnings {
		if w.Line < 1 || w.Message == "" {
			t.Fatalf("bad warning %+v", w)
		}
	}
	seen := map[string]bool{}
	for _, ks := range r.Keyspaces {
		if seen[ks.Name] || ks.Tables == nil || ks.Types == nil || ks.IndexTables == nil || IsSystemKeyspace(ks.Name) {
			t.Fatalf("bad keyspace %+v", ks)
		}
		seen[ks.Name] = true
		if ks.Replication != nil && !strings.Contains(ks.Replication["class"], ".") {
			t.Fatalf("replication class not qualified: %v", ks.Replication)
		}
		for name, ut := range ks.Types {
			if ut.Name != name || ut.Keyspace != ks.Name || len(ut.Fields) == 0 {
				t.Fatalf("bad type %+v", ut)
			}
			for _, fd := range ut.Fields {
				checkNormal(t, fd.Type)
			}
		}
		indexes := 0
		for name, tb := range ks.Tables {
			if tb.Name != name || tb.Keyspace != ks.Name || len(tb.PartitionKey()) == 0 {
				t.Fatalf("bad table %+v", tb)
			}
			sorted := slices.Clone(tb.Columns)
			introspect.SortColumns(sorted)
			if !reflect.DeepEqual(sorted, tb.Columns) {
				t.Fatalf("columns of %s not in introspect's order: %+v", name, tb.Columns)
			}
			for _, c := range tb.Columns {
				checkNormal(t, c.Type)
				keyed := c.Kind == introspect.KindPartitionKey || c.Kind == introspect.KindClustering
				if keyed != (c.Position >= 0) || (c.Kind == introspect.KindClustering) != (c.ClusteringOrder != "none") {
					t.Fatalf("bad column %+v", c)
				}
				checkMask(t, ks.Name, c)
			}
			if tb.Options.Caching == nil || tb.Options.Compaction == nil || tb.Options.Compression == nil {
				t.Fatalf("nil option maps: %+v", tb.Options)
			}
			if tb.Indexes != nil && len(tb.Indexes) == 0 {
				t.Fatalf("empty non-nil index list in %s", name)
			}
			for i, ix := range tb.Indexes {
				col, _, canonical := ix.Target()
				if ix.Table != name || ks.IndexTables[ix.Name] != name || !canonical ||
					i > 0 && tb.Indexes[i-1].Name >= ix.Name || tb.Column(col) == nil {
					t.Fatalf("bad index %+v of %s (index tables %v)", ix, name, ks.IndexTables)
				}
			}
			indexes += len(tb.Indexes)
		}
		if indexes != len(ks.IndexTables) {
			t.Fatalf("index tables %v for %d indexes", ks.IndexTables, indexes)
		}
	}
}

// checkNormal fails unless typ is a type in Cassandra's normal form.
func checkNormal(t *testing.T, typ string) {
	t.Helper()
	if n, err := schema.Normalize(typ); err != nil || n != typ {
		t.Fatalf("type %q is not in normal form (%q, %v)", typ, n, err)
	}
}

// checkMask fails unless a column's mask is one Cassandra could store: a built-in mask function
// with as many arguments as it takes, or a function of the table's keyspace; each argument a
// literal as Cassandra prints it.
func checkMask(t *testing.T, keyspace string, c introspect.Column) {
	t.Helper()
	m := c.Mask
	if m == nil {
		return
	}
	if m.Keyspace == "" {
		n, ok := schema.BuiltinMasks[m.Function]
		if !ok || len(m.Arguments) < n[0] || len(m.Arguments) > n[1] {
			t.Fatalf("bad built-in mask of column %q: %+v", c.Name, m)
		}
	} else if m.Keyspace != keyspace || m.Function == "" {
		t.Fatalf("bad user-defined mask of column %q: %+v", c.Name, m)
	}
	for _, a := range m.Arguments {
		if a == "" || a != strings.TrimSpace(a) || a == "NULL" || a == "TRUE" || a == "FALSE" {
			t.Fatalf("bad mask argument %q of column %q", a, c.Name)
		}
	}
}
