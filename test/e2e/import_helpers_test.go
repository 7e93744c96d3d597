package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	gocql "github.com/apache/cassandra-gocql-driver/v2"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
	"github.com/cqlsync/cqlsync/internal/cql/ddl"
	"github.com/cqlsync/cqlsync/test/rig/testenv"
)

// fixturePlaceholder is the keyspace name of test/fixtures/schema.cql, which tests replace.
const fixturePlaceholder = "DdlFix_KS"

// runCQLFile runs a file of the repository on a cluster statement by statement (cut as the ddl
// parser cuts them), with fixturePlaceholder replaced by keyspace. The driver refuses USE, so a
// USE opens a session bound to that keyspace instead.
func runCQLFile(t *testing.T, host, keyspace, file string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(testenv.RepoRoot(), file))
	if err != nil {
		t.Fatal(err)
	}
	src := strings.ReplaceAll(string(b), fixturePlaceholder, keyspace)
	s := testenv.CQLSession(t, host)
	for _, st := range ddl.Statements(src) {
		if strings.HasPrefix(strings.ToUpper(st.Text), "USE ") {
			cc := gocql.NewCluster(host)
			cc.Timeout, cc.Keyspace = 30*time.Second, keyspace
			if s, err = gocql.NewSession(*cc); err != nil {
				t.Fatalf("%s line %d: %v", file, st.Line, err)
			}
			t.Cleanup(s.Close)
			continue
		}
		if err := s.Query(st.Text).Exec(); err != nil {
			t.Fatalf("%s line %d: %v\n%s", file, st.Line, err, st.Text)
		}
	}
}

// importCLI runs the built cqlsync import with args; it must succeed. It returns the YAML and
// the summary.
func importCLI(t *testing.T, cli string, args ...string) (yaml, summary string) {
	t.Helper()
	cmd := exec.Command(cli, append([]string{"import"}, args...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("cqlsync import %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return stdout.String(), stderr.String()
}

// schemaTables are the system_schema tables whose rows the round trips compare.
var schemaTables = []string{"keyspaces", "tables", "columns", "indexes", "types"}

// schemaRows reads every row of the keyspace in the system_schema tables of schemaTables, as
// one sorted text line per row ("table: column=value ..."), leaving out the table ids (which
// differ between clusters by design) and the rows of the tables in skipTables.
func schemaRows(t *testing.T, s *gocql.Session, keyspace string, keepIDs bool, skipTables ...string) []string {
	t.Helper()
	var out []string
	for _, table := range schemaTables {
		iter := s.Query(`SELECT * FROM system_schema.`+table+` WHERE keyspace_name = ?`, keyspace).Iter()
		row := map[string]any{}
		for iter.MapScan(row) {
			if name, ok := row["table_name"].(string); ok && slices.Contains(skipTables, name) {
				row = map[string]any{}
				continue
			}
			if !keepIDs {
				delete(row, "id")
			}
			keys := make([]string, 0, len(row))
			for k := range row {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			var b strings.Builder
			b.WriteString(table + ":")
			for _, k := range keys {
				fmt.Fprintf(&b, " %s=%v", k, row[k])
			}
			out = append(out, b.String())
			row = map[string]any{}
		}
		if err := iter.Close(); err != nil {
			t.Fatalf("reading system_schema.%s: %v", table, err)
		}
	}
	sort.Strings(out)
	return out
}

// diffRows says which rows only one side has, or "" when both have the same.
func diffRows(a, b []string) string { return strings.Join(testenv.DiffLines(a, b), "\n") }

// statementReasons are the reasons of the events the operator records for each statement it runs
// (controllers.statementEventReason).
var statementReasons = []string{"KeyspaceCreated", "KeyspaceAltered", "KeyspaceDropped", "TableCreated", "ColumnsAdded", "ColumnMaskChanged", "ColumnMaskDropped",
	"TableOptionsChanged", "ColumnsDropped", "IndexCreated", "IndexDropped", "TableDropped", "TypeCreated", "TypeFieldAdded", "TypeDropped"}

// ddlEvents returns the events of the namespace that record a statement, and the Warning events,
// as "reason: note" lines.
func ddlEvents(t *testing.T, op operator, namespace string) (statements, warnings []string) {
	t.Helper()
	var list struct {
		Items []struct {
			Type, Reason, Message, Note string
		} `json:"items"`
	}
	if err := json.Unmarshal([]byte(op.kubectl("get", "events", "-n", namespace, "-o", "json")), &list); err != nil {
		t.Fatal(err)
	}
	for _, e := range list.Items {
		line := e.Reason + ": " + e.Message + e.Note
		switch {
		case e.Type == "Warning":
			warnings = append(warnings, line)
		case slices.Contains(statementReasons, e.Reason):
			statements = append(statements, line)
		}
	}
	return statements, warnings
}

// waitStatementEvents waits until the namespace has want statement events, and returns them.
func waitStatementEvents(t *testing.T, op operator, namespace string, want int) []string {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		got, _ := ddlEvents(t, op, namespace)
		if len(got) == want {
			return got
		}
		if len(got) > want || time.Now().After(deadline) {
			t.Fatalf("namespace %s has %d statement events, want %d:\n%s", namespace, len(got), want, strings.Join(got, "\n"))
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// schemaResource is what the round trips check of a Keyspace, UserType or TableModel.
type schemaResource struct {
	Kind     string `json:"kind"`
	Metadata struct {
		Name string `json:"name"`
	} `json:"metadata"`
	Spec struct {
		Indexes []json.RawMessage `json:"indexes"`
	} `json:"spec"`
	Status cqlv1.SchemaStatus `json:"status"`
}

// applyAndWait applies an imported YAML into its namespace, with a CassandraConnection of that
// name to host, waits until every resource is Ready, and returns them. Each must also report
// Drifted False. The resources are deleted when the test ends (they are Retain: nothing is
// dropped), before the keyspaces are: otherwise the operator would create them again.
func applyAndWait(t *testing.T, op operator, namespace, connection, host, yaml string) []schemaResource {
	t.Helper()
	dir := t.TempDir()
	conn := filepath.Join(dir, "connection.yaml")
	if err := os.WriteFile(conn, []byte(fmt.Sprintf("apiVersion: cqlsync.io/v1alpha1\nkind: CassandraConnection\nmetadata: {name: %s, namespace: %s}\nspec: {hosts: [%q]}\n",
		connection, namespace, host)), 0o600); err != nil {
		t.Fatal(err)
	}
	imported := filepath.Join(dir, "imported.yaml")
	if err := os.WriteFile(imported, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	op.kubectl("create", "namespace", namespace)
	t.Cleanup(func() {
		op.kubectl("delete", "keyspace,usertype,tablemodel,cassandraconnection", "--all", "-n", namespace, "--wait=true", "--timeout=120s")
	})
	op.kubectl("apply", "-f", conn)
	op.kubectl("wait", "--for=condition=Ready", "-n", namespace, "cassandraconnection/"+connection, "--timeout=120s")
	op.kubectl("apply", "-f", imported)
	op.kubectl("wait", "--for=condition=Ready", "-n", namespace, "keyspace,usertype,tablemodel", "--all", "--timeout=300s")
	var list struct {
		Items []schemaResource `json:"items"`
	}
	if err := json.Unmarshal([]byte(op.kubectl("get", "keyspace,usertype,tablemodel", "-n", namespace, "-o", "json")), &list); err != nil {
		t.Fatal(err)
	}
	for _, r := range list.Items {
		drifted := "absent"
		for _, c := range r.Status.Conditions {
			if c.Type == cqlv1.ConditionDrifted {
				drifted = string(c.Status) + " (" + c.Reason + ")"
			}
		}
		if drifted != "False ("+cqlv1.ReasonNoDrift+")" {
			t.Errorf("%s %s/%s: Drifted is %s, want False (%s): %+v", r.Kind, namespace, r.Metadata.Name, drifted, cqlv1.ReasonNoDrift, r.Status.Targets)
		}
	}
	return list.Items
}

// statementsToCreate is how many statements creating the resources runs: one per Keyspace,
// UserType and TableModel, and one per index.
func statementsToCreate(resources []schemaResource) int {
	n := 0
	for _, r := range resources {
		n += 1 + len(r.Spec.Indexes)
	}
	return n
}

// flushEvents makes the manager record one more event, in a namespace of its own (a new
// CassandraConnection becoming Ready), and waits until it is visible. The manager's one recorder
// sends events in order, so the events of everything done before are visible too: a check that
// none was recorded is then meaningful.
func flushEvents(t *testing.T, op operator, host string) {
	t.Helper()
	ns := fmt.Sprintf("import-flush-%d", time.Now().UnixNano()%1000000)
	file := filepath.Join(t.TempDir(), "flush.yaml")
	if err := os.WriteFile(file, []byte(fmt.Sprintf("apiVersion: cqlsync.io/v1alpha1\nkind: CassandraConnection\nmetadata: {name: flush, namespace: %s}\nspec: {hosts: [%q]}\n", ns, host)), 0o600); err != nil {
		t.Fatal(err)
	}
	op.kubectl("create", "namespace", ns)
	op.kubectl("apply", "-f", file)
	deadline := time.Now().Add(time.Minute)
	for !strings.Contains(op.kubectl("get", "events", "-n", ns, "-o", "jsonpath={.items[*].reason}"), cqlv1.ReasonConnected) {
		if time.Now().After(deadline) {
			t.Fatalf("the manager recorded no %s event for the connection of namespace %s", cqlv1.ReasonConnected, ns)
		}
		time.Sleep(500 * time.Millisecond)
	}
}
