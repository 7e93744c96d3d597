package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cqlsync/cqlsync/test/rig/testenv"
)

// TestImportRoundTrip proves the promise of cqlsync import (README, "Adopting an existing
// cluster") on the running clusters, with the built CLI and manager:
//
//   - the fixture (test/fixtures/schema.cql, plus testdata/import_names.cql) is created on
//     cluster1 and imported live; its DESCRIBE texts (the Python driver's export_as_string and
//     the server's DESCRIBE KEYSPACE) imported with -f give the same bytes;
//   - applied to the operator with a connection to cluster1, every resource is Ready with
//     Drifted False, and no statement ran: the keyspace's system_schema rows are unchanged (table
//     ids included), no statement event was recorded, and cqlsync plan prints 0 statements;
//   - applied with a connection to cluster2, where the keyspace does not exist, it creates a
//     keyspace whose system_schema rows (keyspaces, tables, columns, indexes, types) equal
//     cluster1's but for table ids and the table the import said it left out. The fixture uses
//     SimpleStrategy, so replication compares as it is although the clusters' datacenters
//     differ (dc1, dc2). Importing cluster2's copy gives the YAML applied to it;
//   - a schema created by cqlengine's sync_table and sync_type imports and is adopted the same
//     way, and cqlengine still finds nothing to change afterwards.
func TestImportRoundTrip(t *testing.T) {
	rig := testenv.Cassandra(t)
	py := testenv.Python(t)
	start := time.Now()
	cli := testenv.BuildOnce(t, "cqlsync", "./cmd/cqlsync")
	op := startOperator(t)
	t.Logf("manager and control plane up in %s", time.Since(start).Round(time.Millisecond))

	t.Run("fixture", func(t *testing.T) {
		begin := time.Now()
		ks := fmt.Sprintf("DdlFix_imp_%d", time.Now().UnixNano()%1000000)
		dropKeyspaceAfter(t, rig.Cluster1, ks)
		dropKeyspaceAfter(t, rig.Cluster2, ks)
		runCQLFile(t, rig.Cluster1, ks, "test/fixtures/schema.cql")
		runCQLFile(t, rig.Cluster1, ks, "test/e2e/testdata/import_names.cql")
		s1, s2 := testenv.CQLSession(t, rig.Cluster1), testenv.CQLSession(t, rig.Cluster2)

		// Live and from DESCRIBE text: the same bytes.
		flags := []string{"--keyspace", ks, "--connection", "cluster1", "--namespace", "import-source"}
		live, summary := importCLI(t, cli, append([]string{"--host", rig.Cluster1}, flags...)...)
		t.Logf("import summary:\n%s", summary)
		wantSummary := fmt.Sprintf("keyspace %q: 1 Keyspace, 6 UserTypes, 8 TableModels; not imported: 1\n  table \"Events\": ", ks)
		if !strings.Contains(summary, wantSummary) || !strings.Contains(summary, "15 resources from 1 keyspace; 1 item not imported") {
			t.Fatalf("the summary must say 15 resources and exactly one table left out (Events, whose column names a TableModel cannot hold):\n%s", summary)
		}
		dir := t.TempDir()
		for _, d := range []struct{ how, text string }{
			{"export_as_string", testenv.PythonDescribe(t, py, rig.Cluster1, ks)},
			{"server DESCRIBE", testenv.ServerDescribe(t, s1, ks, false)},
		} {
			file := filepath.Join(dir, strings.ReplaceAll(d.how, " ", "_")+".cql")
			if err := os.WriteFile(file, []byte(d.text), 0o600); err != nil {
				t.Fatal(err)
			}
			if offline, _ := importCLI(t, cli, append([]string{"-f", file}, flags...)...); offline != live {
				t.Errorf("import -f of the %s text differs from the live import:\n--- live\n%s\n--- -f\n%s", d.how, live, offline)
			}
		}

		// Applied to the cluster it came from: Ready, no drift, no DDL.
		rowsBefore := schemaRows(t, s1, ks, true)
		applied := time.Now()
		source := applyAndWait(t, op, "import-source", "cluster1", rig.Cluster1, live)
		if len(source) != 15 {
			t.Fatalf("%d resources in the namespace, want the 15 imported", len(source))
		}
		t.Logf("%d imported resources Ready on cluster1 in %s", len(source), time.Since(applied).Round(time.Millisecond))
		if d := diffRows(rowsBefore, schemaRows(t, s1, ks, true)); d != "" {
			t.Errorf("adopting the keyspace changed its system_schema rows:\n%s", d)
		}
		manifest := filepath.Join(dir, "source.yaml")
		if err := os.WriteFile(manifest, []byte(live), 0o600); err != nil {
			t.Fatal(err)
		}
		plan := exec.Command(cli, "plan", "-f", manifest, "-n", "import-source", "--connection", "cluster1="+rig.Cluster1)
		if out, err := plan.CombinedOutput(); err != nil || !strings.Contains(string(out), "Plan: 0 statement(s)") {
			t.Errorf("cqlsync plan of the imported YAML: %v\n%s", err, out)
		}

		// Applied to the other cluster: the same schema.
		target, _ := importCLI(t, cli, "--host", rig.Cluster1, "--keyspace", ks, "--connection", "cluster2", "--namespace", "import-target")
		applied = time.Now()
		created := applyAndWait(t, op, "import-target", "cluster2", rig.Cluster2, target)
		statements := waitStatementEvents(t, op, "import-target", statementsToCreate(created))
		t.Logf("%d resources created on cluster2 with %d statements in %s", len(created), len(statements), time.Since(applied).Round(time.Millisecond))
		rows1, rows2 := schemaRows(t, s1, ks, false, "Events"), schemaRows(t, s2, ks, false)
		if d := diffRows(rows1, rows2); d != "" || len(rows2) < 50 { // 93 rows in all: the comparison is not of nothing
			t.Errorf("cluster2's %d system_schema rows differ from cluster1's %d (- cluster1, + cluster2):\n%s", len(rows2), len(rows1), d)
		} else {
			t.Logf("cluster2's keyspace has the same %d system_schema rows as cluster1's (Events aside)", len(rows2))
		}
		if again, _ := importCLI(t, cli, "--host", rig.Cluster2, "--keyspace", ks, "--connection", "cluster2", "--namespace", "import-target"); again != strings.Replace(target, importedEventsComment(target), "", 1) {
			t.Errorf("importing cluster2's copy gives other YAML than cluster1's (but for the Events comment):\n%s", again)
		}

		flushEvents(t, op, rig.Cluster1)
		ddl, warnings := ddlEvents(t, op, "import-source")
		if len(ddl)+len(warnings) > 0 {
			t.Errorf("adopting cluster1's keyspace recorded statements or warnings:\n%s", strings.Join(append(ddl, warnings...), "\n"))
		}
		t.Logf("fixture: 15 resources imported, 0 statements on cluster1, %d on cluster2, in %s", len(statements), time.Since(begin).Round(time.Millisecond))
	})

	t.Run("cqlengine", func(t *testing.T) {
		begin := time.Now()
		ks := fmt.Sprintf("imp_cqlengine_%d", time.Now().UnixNano()%1000000)
		dropKeyspaceAfter(t, rig.Cluster1, ks)
		s1 := testenv.CQLSession(t, rig.Cluster1)
		if err := s1.Query(`CREATE KEYSPACE "` + ks + `" WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}`).Exec(); err != nil {
			t.Fatal(err)
		}
		for _, m := range []string{"address", "automobile", "integer_sequenced_items"} {
			testenv.RunCqlengine(t, py, rig.Cluster1, ks, m, false)
		}
		yaml, summary := importCLI(t, cli, "--host", rig.Cluster1, "--keyspace", ks, "--connection", "cluster1", "--namespace", "import-cqlengine")
		if !strings.Contains(summary, fmt.Sprintf("keyspace %q: 1 Keyspace, 1 UserType, 2 TableModels\n", ks)) || !strings.Contains(summary, "0 items not imported") {
			t.Fatalf("summary:\n%s", summary)
		}
		rowsBefore := schemaRows(t, s1, ks, true)
		adopted := applyAndWait(t, op, "import-cqlengine", "cluster1", rig.Cluster1, yaml)
		if d := diffRows(rowsBefore, schemaRows(t, s1, ks, true)); d != "" {
			t.Errorf("adopting cqlengine's keyspace changed its system_schema rows:\n%s", d)
		}
		for _, m := range []string{"address", "automobile", "integer_sequenced_items"} {
			testenv.RunCqlengine(t, py, rig.Cluster1, ks, m, true)
		}
		flushEvents(t, op, rig.Cluster1)
		if ddl, warnings := ddlEvents(t, op, "import-cqlengine"); len(ddl)+len(warnings) > 0 {
			t.Errorf("adopting cqlengine's keyspace recorded statements or warnings:\n%s", strings.Join(append(ddl, warnings...), "\n"))
		}
		t.Logf("cqlengine: %d resources imported and Ready, 0 statements, in %s", len(adopted), time.Since(begin).Round(time.Millisecond))
	})
}

// importedEventsComment is the comment of the YAML about the fixture's Events table, which
// cluster2 does not have (it was left out), so that an import of cluster2 lacks it.
func importedEventsComment(yaml string) string {
	var lines []string
	for _, l := range strings.SplitAfter(yaml, "\n") {
		if strings.HasPrefix(l, "# Not imported") || strings.HasPrefix(l, "#   table \"Events\"") {
			lines = append(lines, l)
		}
	}
	return strings.Join(lines, "")
}
