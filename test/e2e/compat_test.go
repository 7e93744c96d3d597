//go:build compat

package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
	"github.com/cqlsync/cqlsync/internal/cql/ddl"
	"github.com/cqlsync/cqlsync/internal/cql/introspect"
	"github.com/cqlsync/cqlsync/test/rig/testenv"
)

// compatRelease is one older Cassandra release of the rig (hack/cassandra.sh v40, v41).
type compatRelease struct {
	// version is major.minor, as status starts it ("4.1.10" starts with "4.1."); it names the subtests.
	host, version string
}

// compatReleases are the rig's older releases; `make test-compat` (hack/test.sh compat) starts
// them. The build tag compat keeps this file out of `make test`: without the nodes it fails.
func compatReleases(t *testing.T) []compatRelease {
	t.Helper()
	var out []compatRelease
	for _, r := range []struct{ env, version string }{{"CQLSYNC_V40_HOST", "4.0"}, {"CQLSYNC_V41_HOST", "4.1"}} {
		host := os.Getenv(r.env)
		if host == "" {
			t.Fatalf("%s is unset: run `make test-compat` (or hack/cassandra.sh with v40 v41 -- ...)", r.env)
		}
		out = append(out, compatRelease{host, r.version})
	}
	return out
}

// TestCompatibility runs what matters of the e2e suite against Cassandra 4.0 and 4.1, with the
// manager binary in the local environment, one release at a time:
//
//   - connection: Ready, with the release in status.hosts;
//   - defaults: a table created without options reads back with the options cqlsync takes as a
//     table's defaults (ddl.DefaultTableOptions), which are the same on 4.0, 4.1 and 5.0;
//   - import: test/fixtures/schema-4.cql imported live and applied: every resource Ready with no
//     drift and no statement run (system_schema rows unchanged, no statement event), `cqlsync
//     plan` plans 0 statements; applied as a copy under another keyspace name, it creates the
//     same system_schema rows, and importing the copy gives the same YAML;
//   - plan: `cqlsync plan` and the operator plan the same statements for new and changed
//     keyspaces, types and tables, and the plans run (TestPlanMatchesOperator's scenario);
//   - drift: every out-of-band change is set back or reported (TestDriftCorrectedInSeconds's
//     scenario, with its bound);
//   - unsupported: a vector column, a storage-attached index and a column mask are refused with
//     UnsupportedByServer, naming the feature, the release that has it and the server's; nothing
//     is created.
func TestCompatibility(t *testing.T) {
	releases := compatReleases(t)
	op := startOperator(t)
	cli := testenv.BuildOnce(t, "cqlsync", "./cmd/cqlsync")
	run := time.Now().UnixNano() % 1000000
	for _, r := range releases {
		t.Run(r.version, func(t *testing.T) {
			slug := strings.ReplaceAll(r.version, ".", "")
			t.Run("connection", func(t *testing.T) { compatConnection(t, op, r, fmt.Sprintf("compat-conn-%s-%d", slug, run)) })
			t.Run("defaults", func(t *testing.T) { compatDefaults(t, r, fmt.Sprintf("compat_def_%s_%d", slug, run)) })
			t.Run("import", func(t *testing.T) { compatImport(t, op, cli, r, slug, run) })
			t.Run("plan", func(t *testing.T) {
				ns := fmt.Sprintf("compat-plan-%s-%d", slug, run)
				ks := fmt.Sprintf("compat_plan_%s_%d", slug, run)
				dropKeyspaceAfter(t, r.host, ks)
				op.kubectl("create", "namespace", ns)
				op.kubectl("apply", "-f", writeManifest(t, fmt.Sprintf("apiVersion: cqlsync.io/v1alpha1\nkind: CassandraConnection\nmetadata: {name: c1, namespace: %s}\nspec: {hosts: [%q]}\n", ns, r.host)))
				op.kubectl("wait", "--for=condition=Ready", "cassandraconnection/c1", "-n", ns, "--timeout=120s")
				planParity(t, op, cli, ns, ks, "[c1]")
			})
			t.Run("drift", func(t *testing.T) {
				driftScenario(t, op, r.host, fmt.Sprintf("compat-drift-%s-%d", slug, run), r.version)
			})
			t.Run("unsupported", func(t *testing.T) { compatUnsupported(t, op, r, slug, run) })
		})
	}
}

// compatConnection: a connection to the release is Ready and shows the release of its node.
func compatConnection(t *testing.T, op operator, r compatRelease, ns string) {
	op.kubectl("create", "namespace", ns)
	op.kubectl("apply", "-f", writeManifest(t, fmt.Sprintf("apiVersion: cqlsync.io/v1alpha1\nkind: CassandraConnection\nmetadata: {name: old, namespace: %s}\nspec: {hosts: [%q]}\n", ns, r.host)))
	op.kubectl("wait", "--for=condition=Ready", "cassandraconnection/old", "-n", ns, "--timeout=120s")
	var conn cqlv1.CassandraConnection
	if err := json.Unmarshal([]byte(op.kubectl("get", "cassandraconnection", "old", "-n", ns, "-o", "json")), &conn); err != nil {
		t.Fatal(err)
	}
	if len(conn.Status.Hosts) != 1 || !strings.HasPrefix(conn.Status.Hosts[0].ReleaseVersion, r.version+".") {
		t.Errorf("status.hosts: %+v, want one node of release %s", conn.Status.Hosts, r.version)
	}
}

// compatDefaults: a table created without a WITH clause reads back with ddl.DefaultTableOptions.
func compatDefaults(t *testing.T, r compatRelease, ks string) {
	dropKeyspaceAfter(t, r.host, ks)
	s := testenv.CQLSession(t, r.host)
	for _, stmt := range []string{
		`CREATE KEYSPACE "` + ks + `" WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}`,
		`CREATE TABLE "` + ks + `".bare (id int PRIMARY KEY, v text)`,
	} {
		if err := s.Query(stmt).Exec(); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	live, _, err := introspect.ReadKeyspaceSchema(context.Background(), s, ks)
	if err != nil || live == nil || live.Tables["bare"] == nil {
		t.Fatalf("reading %s: %v", ks, err)
	}
	if got, want := fmt.Sprintf("%+v", live.Tables["bare"].Options), fmt.Sprintf("%+v", ddl.DefaultTableOptions()); got != want {
		t.Errorf("Cassandra %s stores for a table created without options\n  %s\ncqlsync's defaults are\n  %s", r.version, got, want)
	}
	u, err := introspect.ReadUnmanaged(context.Background(), s, ks)
	if err != nil || !u.Empty() {
		t.Errorf("unmanaged options of a bare table: %+v, %v", u, err)
	}
}

// compatImport is the import round trip on the release, with the fixture of what 4.x has.
func compatImport(t *testing.T, op operator, cli string, r compatRelease, slug string, run int64) {
	ks := fmt.Sprintf("DdlFix_imp%s_%d", slug, run)
	copyKs := fmt.Sprintf("DdlFix_cp%s_%d", slug, run)
	source, target := fmt.Sprintf("compat-imp-%s-%d", slug, run), fmt.Sprintf("compat-cp-%s-%d", slug, run)
	dropKeyspaceAfter(t, r.host, ks)
	dropKeyspaceAfter(t, r.host, copyKs)
	runCQLFile(t, r.host, ks, "test/fixtures/schema-4.cql")
	s := testenv.CQLSession(t, r.host)

	live, summary := importCLI(t, cli, "--host", r.host, "--keyspace", ks, "--connection", "old", "--namespace", source)
	if !strings.Contains(summary, fmt.Sprintf("keyspace %q: 1 Keyspace, 6 UserTypes, 7 TableModels; not imported: 1\n  table \"Events\": ", ks)) {
		t.Fatalf("summary:\n%s", summary)
	}
	rowsBefore := schemaRows(t, s, ks, true)
	adopted := applyAndWait(t, op, source, "old", r.host, live)
	if len(adopted) != 14 {
		t.Fatalf("%d resources, want the 14 imported", len(adopted))
	}
	if d := diffRows(rowsBefore, schemaRows(t, s, ks, true)); d != "" {
		t.Errorf("adopting the keyspace changed its system_schema rows:\n%s", d)
	}
	manifest := filepath.Join(t.TempDir(), "source.yaml")
	if err := os.WriteFile(manifest, []byte(live), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(cli, "plan", "-f", manifest, "-n", source, "--connection", "old="+r.host).CombinedOutput(); err != nil ||
		!strings.Contains(string(out), "Plan: 0 statement(s)") {
		t.Errorf("cqlsync plan of the imported YAML: %v\n%s", err, out)
	}

	// A copy under another keyspace name: the same rows (the Events table aside: not imported).
	// The keyspace's name, and the resource names derived from it (lower case, "-" for "_").
	derived := func(s string) string { return strings.ReplaceAll(strings.ToLower(s), "_", "-") }
	copyYAML := strings.ReplaceAll(strings.ReplaceAll(live, ks, copyKs), derived(ks), derived(copyKs))
	copyYAML = strings.ReplaceAll(copyYAML, "namespace: "+source, "namespace: "+target)
	copyYAML = strings.Replace(copyYAML, importedEventsComment(copyYAML), "", 1)
	created := applyAndWait(t, op, target, "old", r.host, copyYAML)
	statements := waitStatementEvents(t, op, target, statementsToCreate(created))
	rows, copyRows := schemaRows(t, s, ks, false, "Events"), schemaRows(t, s, copyKs, false)
	for i := range copyRows {
		copyRows[i] = strings.ReplaceAll(copyRows[i], copyKs, ks)
	}
	if d := diffRows(rows, copyRows); d != "" || len(rows) < 50 {
		t.Errorf("the copy's %d system_schema rows differ from the source's %d (- source, + copy):\n%s", len(copyRows), len(rows), d)
	}
	if again, _ := importCLI(t, cli, "--host", r.host, "--keyspace", copyKs, "--connection", "old", "--namespace", target); again != copyYAML {
		t.Errorf("importing the copy gives other YAML than the one applied:\n%s", testenv.DiffLines(strings.Split(copyYAML, "\n"), strings.Split(again, "\n")))
	}
	flushEvents(t, op, r.host)
	if ddl, warnings := ddlEvents(t, op, source); len(ddl)+len(warnings) > 0 {
		t.Errorf("adopting the keyspace recorded statements or warnings:\n%s", strings.Join(append(ddl, warnings...), "\n"))
	}
	t.Logf("Cassandra %s: 14 resources adopted with 0 statements; the copy created with %d", r.version, len(statements))
}

// compatUnsupported: what the release lacks is refused before anything is sent.
func compatUnsupported(t *testing.T, op operator, r compatRelease, slug string, run int64) {
	ns := fmt.Sprintf("compat-unsup-%s-%d", slug, run)
	ks := fmt.Sprintf("compat_unsup_%s_%d", slug, run)
	dropKeyspaceAfter(t, r.host, ks)
	op.kubectl("create", "namespace", ns)
	op.kubectl("apply", "-f", writeManifest(t, fmt.Sprintf(`apiVersion: cqlsync.io/v1alpha1
kind: CassandraConnection
metadata: {name: old, namespace: %[1]s}
spec: {hosts: [%[2]q], default: true}
---
apiVersion: cqlsync.io/v1alpha1
kind: Keyspace
metadata: {name: ks, namespace: %[1]s}
spec:
  name: %[3]s
  replication: {strategy: SimpleStrategy, replicationFactor: 1}
---
apiVersion: cqlsync.io/v1alpha1
kind: TableModel
metadata: {name: docs, namespace: %[1]s}
spec:
  keyspaces: [%[3]s]
  columns: [{name: id, type: int}, {name: embedding, type: "vector<float, 3>"}, {name: email, type: text, mask: {function: mask_inner, arguments: ["1", "null"]}}]
  partitionKey: [id]
  indexes: [{name: docs_ann, column: embedding, using: sai}]
`, ns, r.host, ks)))
	op.kubectl("wait", "--for=condition=Ready", "keyspace/ks", "-n", ns, "--timeout=120s")
	deadline := time.Now().Add(2 * time.Minute)
	for {
		st := schemaStatus(op, ns, "tablemodel", "docs")
		if len(st.Targets) == 1 && st.Targets[0].Reason == cqlv1.ReasonUnsupportedByServer {
			msg := st.Targets[0].Message
			for _, want := range []string{
				`column "embedding" of type vector<float, 3> needs Cassandra 5.0 or later; the server runs ` + r.version + ".",
				`index "docs_ann" (using 'sai', Storage-Attached Indexing) needs Cassandra 5.0 or later`,
				`the mask of column "email" (MASKED WITH system.mask_inner(1, null)) needs Cassandra 5.0 or later`,
				"nothing was sent",
			} {
				if !strings.Contains(msg, want) {
					t.Errorf("the message lacks %q:\n%s", want, msg)
				}
			}
			if st.Targets[0].State != cqlv1.TargetBlocked {
				t.Errorf("target state %s, want Blocked", st.Targets[0].State)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("docs: not UnsupportedByServer: %+v", st)
		}
		time.Sleep(200 * time.Millisecond)
	}
	live, _, err := introspect.ReadKeyspaceSchema(context.Background(), testenv.CQLSession(t, r.host), ks)
	if err != nil || live == nil || live.Tables["docs"] != nil {
		t.Errorf("the refused table was created (or the keyspace cannot be read: %v)", err)
	}

	// additional_write_policy is set by CREATE TABLE, but 4.x's ALTER TABLE ignores it: a change
	// is refused instead of being sent on every reconcile.
	op.kubectl("apply", "-f", writeManifest(t, fmt.Sprintf(`apiVersion: cqlsync.io/v1alpha1
kind: TableModel
metadata: {name: plain, namespace: %s}
spec:
  keyspaces: [%s]
  columns: [{name: id, type: int}]
  partitionKey: [id]
  options: {additionalWritePolicy: 90p}
`, ns, ks)))
	op.kubectl("wait", "--for=condition=Ready", "tablemodel/plain", "-n", ns, "--timeout=120s")
	op.kubectl("patch", "tablemodel", "plain", "-n", ns, "--type=merge", "-p", `{"spec":{"options":{"additionalWritePolicy":"80p"}}}`)
	for deadline := time.Now().Add(2 * time.Minute); ; {
		st := schemaStatus(op, ns, "tablemodel", "plain")
		if len(st.Targets) == 1 && st.Targets[0].Reason == cqlv1.ReasonUnsupportedByServer {
			if want := "changing the option additional_write_policy of an existing table (from 90p to 80p"; !strings.Contains(st.Targets[0].Message, want) {
				t.Errorf("the message lacks %q:\n%s", want, st.Targets[0].Message)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("plain: not UnsupportedByServer after the change: %+v", st)
		}
		time.Sleep(200 * time.Millisecond)
	}
	live, _, err = introspect.ReadKeyspaceSchema(context.Background(), testenv.CQLSession(t, r.host), ks)
	if err != nil || live == nil || live.Tables["plain"] == nil || live.Tables["plain"].Options.AdditionalWritePolicy != "90p" {
		t.Errorf("plain: %v", err)
	}

	// The node runs without authentication (as 4.x names it, in system_views.settings): a role is
	// refused, and nothing is sent.
	role := fmt.Sprintf("compat_role_%s_%d", slug, run)
	op.kubectl("apply", "-f", writeManifest(t, fmt.Sprintf(`apiVersion: cqlsync.io/v1alpha1
kind: CassandraRole
metadata: {name: app, namespace: %s}
spec:
  name: %s
  login: false
  grants: [{keyspace: %s, permissions: [SELECT]}]
`, ns, role, ks)))
	for deadline := time.Now().Add(2 * time.Minute); ; {
		st := schemaStatus(op, ns, "cassandrarole", "app")
		if len(st.Targets) == 1 && st.Targets[0].Reason == cqlv1.ReasonUnsupportedByServer {
			if want := "runs without authentication and authorization (authenticator AllowAllAuthenticator, authorizer AllowAllAuthorizer)"; !strings.Contains(st.Targets[0].Message, want) || st.Targets[0].State != cqlv1.TargetBlocked {
				t.Errorf("role: %s, the message lacks %q:\n%s", st.Targets[0].State, want, st.Targets[0].Message)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("role: not UnsupportedByServer: %+v", st)
		}
		time.Sleep(200 * time.Millisecond)
	}
	if l, err := introspect.ReadRole(context.Background(), testenv.CQLSession(t, r.host), role); err != nil || l != nil {
		t.Errorf("the refused role on the cluster: %+v %v", l, err)
	}
}
