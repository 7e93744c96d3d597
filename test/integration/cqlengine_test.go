package integration

import (
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"

	gocql "github.com/apache/cassandra-gocql-driver/v2"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
	"github.com/cqlsync/cqlsync/test/rig/testenv"
)

// The cross-driver checks: the Python driver's cqlengine (hack/python/cqlengine_sync.py, in the
// virtualenv of hack/python-env.sh, named by CQLSYNC_PYTHON) is a second, independent client of the
// same Cassandra. For each TableModel sample with a cqlengine twin, the test proves that
//   - the table cqlsync creates is the table cqlengine's sync_table creates: system_schema.columns,
//     system_schema.tables (every option) and system_schema.indexes are identical;
//   - cqlengine's sync_table finds nothing to do in the table cqlsync created: it runs no statement
//     and the schema is unchanged, and cqlsync, resyncing meanwhile, runs no DDL and writes no status;
//   - cqlsync adopts the table cqlengine created: Synced without a statement.
//
// The first check is the one that proves equality: cqlengine's sync_table on an existing table
// compares only the names of the key columns (not the clustering order: a DESC table passes for an
// ASC model) and merely warns about a differing column type (cqlengine_sync.py makes that warning
// a failure), so "cqlengine is happy with cqlsync's table" alone would not be enough.

// cqlengineModels pairs each sample with the model of hack/python/cqlengine_sync.py that mirrors it.
var cqlengineModels = []struct {
	model   string // the model argument of cqlengine_sync.py, also the CQL table name
	sample  string // under config/samples/
	columns string // the live columns, "name kind position order type" (columnsText)
}{
	{"automobile", "cqlsync_v1alpha1_tablemodel_automobile.yaml", automobileColumns},
	{"integer_sequenced_items", "cqlsync_v1alpha1_tablemodel_eventstore.yaml", `sequence_id partition_key 0 none uuid
position clustering 0 desc bigint
state regular -1 none blob
topic regular -1 none text`},
}

// TestCqlengineSyncTableMatchesCqlsync: see the comment above.
func TestCqlengineSyncTableMatchesCqlsync(t *testing.T) {
	rig := testenv.Cassandra(t)
	py := testenv.Python(t)
	ns := newNamespace(t)
	s1 := cqlSession(t, rig.Cluster1)
	readyConnection(t, ns, "c1", rig.Cluster1, "", false)

	for _, m := range cqlengineModels {
		t.Run(m.model, func(t *testing.T) {
			sfx := uniqueSuffix()
			ksA, ksB := "cqleng_a_"+sfx, "cqleng_b_"+sfx // A: cqlsync's table; B: cqlengine's
			tmKeyspace(t, ksA, s1)
			tmKeyspace(t, ksB, s1)

			// cqlsync: the sample as it is, aimed at keyspace A of the test's connection.
			tm := sampleObject[cqlv1.TableModel](t, m.sample)
			tm.Namespace = ns
			tm.Spec.Connections = connNames("c1")
			tm.Spec.Keyspaces = tmKeyspaces(ksA)
			table := tm.Spec.Name
			if table == "" {
				table = tm.Name // spec.name defaults from metadata.name
			}
			if table != m.model {
				t.Fatalf("sample %s names table %q; cqlengine_sync.py's model is %q", m.sample, table, m.model)
			}
			mustCreate(t, tm)
			// Registered after the keyspaces' cleanups, so it runs before them: the resource goes
			// first, then the keyspaces are dropped.
			t.Cleanup(func() { deleteAndWait(t, tm, tableTimeout) })
			waitSchema[cqlv1.TableModel](t, ns, tm.Name, metav1.ConditionTrue, cqlv1.ReasonSynced, tableTimeout, nil)

			// cqlengine: sync_table into the empty keyspace B.
			start := time.Now()
			testenv.RunCqlengine(t, py, rig.Cluster1, ksB, m.model, false)
			t.Logf("cqlengine sync_table %s into %s: %s", m.model, ksB, time.Since(start).Round(time.Millisecond))

			// 1. The same table. Nothing is left out of the comparison but the table's id (a
			// timeuuid Cassandra gives each table) and its keyspace name: both drivers leave every
			// option they are not told about to Cassandra's defaults, and set the same ones (the
			// event store's comment) the same way. cqlengine always writes CLUSTERING ORDER BY,
			// ASC included; cqlsync's ASC is Cassandra's default: the same live schema.
			a, b := readCrossSchema(t, s1, ksA, table), readCrossSchema(t, s1, ksB, table)
			if a.columns != m.columns {
				t.Errorf("cqlsync's %s.%s columns:\n%s\nwant:\n%s", ksA, table, a.columns, m.columns)
			}
			if a.columns != b.columns {
				t.Errorf("columns differ:\ncqlsync (%s):\n%s\ncqlengine (%s):\n%s", ksA, a.columns, ksB, b.columns)
			}
			if d := diffOptions(a.options, b.options, "id"); d != "" {
				t.Errorf("system_schema.tables differ (cqlsync %s vs cqlengine %s):\n%s", ksA, ksB, d)
			}
			if a.indexes != b.indexes {
				t.Errorf("indexes differ:\ncqlsync:\n%s\ncqlengine:\n%s", a.indexes, b.indexes)
			}
			if tm.Spec.Options != nil && tm.Spec.Options.Comment != nil && a.options["comment"] != *tm.Spec.Options.Comment {
				t.Errorf("comment %q, want the sample's %q", a.options["comment"], *tm.Spec.Options.Comment)
			}
			if t.Failed() {
				t.FailNow() // the rest compares against a table that is already known to differ
			}
			t.Logf("%s: %d columns and %d table options identical", table, strings.Count(a.columns, "\n")+1, len(a.options)-1)

			// 2. cqlengine on cqlsync's table: nothing to do (--expect-no-ddl fails on any
			// statement it executes), nothing changed (id included: the table is the same table),
			// and cqlsync, resyncing meanwhile, runs no DDL and writes no status.
			before, rv, stats := a, resourceVersion[cqlv1.TableModel](t, ns, tm.Name), ddlStats(ns, "c1")
			testenv.RunCqlengine(t, py, rig.Cluster1, ksA, m.model, true)
			if d := diffCrossSchema(before, readCrossSchema(t, s1, ksA, table)); d != "" {
				t.Errorf("cqlengine's sync_table changed cqlsync's table:\n%s", d)
			}
			eventually(t, tableTimeout, func() error {
				if now := ddlStats(ns, "c1"); now.Plans < stats.Plans+2 {
					return fmt.Errorf("%d resyncs of c1 since cqlengine ran, want 2", now.Plans-stats.Plans)
				}
				return nil
			})
			if now := ddlStats(ns, "c1"); now.Statements != stats.Statements {
				t.Errorf("cqlsync ran %d statements after cqlengine's sync_table", now.Statements-stats.Statements)
			}
			after := waitSchema[cqlv1.TableModel](t, ns, tm.Name, metav1.ConditionTrue, cqlv1.ReasonSynced, tableTimeout, nil)
			if after.ResourceVersion != rv {
				t.Errorf("cqlsync wrote the TableModel after cqlengine's sync_table: resourceVersion %s -> %s: %+v", rv, after.ResourceVersion, after.Status)
			}
			if tg, err := schemaTarget(after, "c1", ksA); err != nil || tg.State != cqlv1.TargetSynced {
				t.Errorf("target c1/%s: %+v %v", ksA, tg, err)
			}

			// 3. cqlsync on cqlengine's table: the same sample aimed at keyspace B is Synced at
			// once, with no statement sent, and the table is unchanged.
			beforeB, stats := b, ddlStats(ns, "c1")
			adopt := sampleObject[cqlv1.TableModel](t, m.sample)
			adopt.Namespace, adopt.Name = ns, tm.Name+"-cqlengine"
			adopt.Spec.Name = table
			adopt.Spec.Connections = connNames("c1")
			adopt.Spec.Keyspaces = tmKeyspaces(ksB)
			mustCreate(t, adopt)
			t.Cleanup(func() { deleteAndWait(t, adopt, tableTimeout) })
			adopted := waitSchema[cqlv1.TableModel](t, ns, adopt.Name, metav1.ConditionTrue, cqlv1.ReasonSynced, tableTimeout, nil)
			if now := ddlStats(ns, "c1"); now.Statements != stats.Statements {
				t.Errorf("cqlsync ran %d statements on the table cqlengine created", now.Statements-stats.Statements)
			}
			if d := diffCrossSchema(beforeB, readCrossSchema(t, s1, ksB, table)); d != "" {
				t.Errorf("cqlsync changed cqlengine's table:\n%s", d)
			}
			if d := meta.FindStatusCondition(adopted.Status.Conditions, cqlv1.ConditionDrifted); d == nil || d.Status != metav1.ConditionFalse {
				t.Errorf("cqlengine's table seen as drifted: %+v", d)
			}
		})
	}
}

// crossSchema is a table as system_schema has it, read with the test's own queries (not cqlsync's
// introspection, which is under test too).
type crossSchema struct {
	columns string            // "name kind position order type" lines, key columns first, as columnsText
	options map[string]string // every column of system_schema.tables but keyspace_name and table_name, printed
	indexes string            // "name kind options" lines
}

func readCrossSchema(t *testing.T, s *gocql.Session, keyspace, table string) crossSchema {
	t.Helper()
	var cs crossSchema
	type col struct {
		name, kind, order, typ string
		pos                    int
	}
	var cols []col
	it := s.Query(`SELECT column_name, kind, position, clustering_order, type FROM system_schema.columns WHERE keyspace_name = ? AND table_name = ?`, keyspace, table).Iter()
	var c col
	for it.Scan(&c.name, &c.kind, &c.pos, &c.order, &c.typ) {
		cols = append(cols, c)
	}
	if err := it.Close(); err != nil {
		t.Fatalf("reading %s.%s columns: %v", keyspace, table, err)
	}
	if len(cols) == 0 {
		t.Fatalf("no table %s.%s", keyspace, table)
	}
	rank := map[string]int{"partition_key": 0, "clustering": 1, "static": 2, "regular": 3}
	sort.Slice(cols, func(i, j int) bool {
		a, b := cols[i], cols[j]
		if rank[a.kind] != rank[b.kind] {
			return rank[a.kind] < rank[b.kind]
		}
		if a.pos != b.pos {
			return a.pos < b.pos
		}
		return a.name < b.name
	})
	lines := make([]string, len(cols))
	for i, c := range cols {
		lines[i] = fmt.Sprintf("%s %s %d %s %s", c.name, c.kind, c.pos, c.order, c.typ)
	}
	cs.columns = strings.Join(lines, "\n")

	row := map[string]any{}
	if err := s.Query(`SELECT * FROM system_schema.tables WHERE keyspace_name = ? AND table_name = ?`, keyspace, table).MapScan(row); err != nil {
		t.Fatalf("reading %s.%s options: %v", keyspace, table, err)
	}
	delete(row, "keyspace_name")
	delete(row, "table_name")
	cs.options = map[string]string{}
	for k, v := range row {
		cs.options[k] = fmt.Sprint(v) // fmt prints maps sorted by key
	}

	var ixs []string
	it = s.Query(`SELECT index_name, kind, options FROM system_schema.indexes WHERE keyspace_name = ? AND table_name = ?`, keyspace, table).Iter()
	var name, kind string
	var opts map[string]string
	for it.Scan(&name, &kind, &opts) {
		ixs = append(ixs, fmt.Sprint(name, " ", kind, " ", opts))
	}
	if err := it.Close(); err != nil {
		t.Fatalf("reading %s.%s indexes: %v", keyspace, table, err)
	}
	sort.Strings(ixs)
	cs.indexes = strings.Join(ixs, "\n")
	return cs
}

// diffOptions lists the options whose values differ, but those named in ignore.
func diffOptions(a, b map[string]string, ignore ...string) string {
	keys := map[string]bool{}
	for k := range a {
		keys[k] = true
	}
	for k := range b {
		keys[k] = true
	}
	var out []string
	for k := range keys {
		skip := false
		for _, i := range ignore {
			skip = skip || k == i
		}
		av, aok := a[k]
		bv, bok := b[k]
		if !skip && (av != bv || aok != bok) {
			out = append(out, fmt.Sprintf("  %s: %q vs %q", k, av, bv))
		}
	}
	sort.Strings(out)
	return strings.Join(out, "\n")
}

// diffCrossSchema compares everything, the table id included.
func diffCrossSchema(before, after crossSchema) string {
	var out []string
	if before.columns != after.columns {
		out = append(out, "columns:\n"+before.columns+"\n->\n"+after.columns)
	}
	if d := diffOptions(before.options, after.options); d != "" {
		out = append(out, "options:\n"+d)
	}
	if before.indexes != after.indexes {
		out = append(out, "indexes:\n"+before.indexes+"\n->\n"+after.indexes)
	}
	return strings.Join(out, "\n")
}
