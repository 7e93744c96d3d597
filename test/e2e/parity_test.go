package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
	"github.com/cqlsync/cqlsync/test/rig/testenv"
)

// parityResources are a keyspace, a type and a table in namespace ns and keyspace ks, all
// changePolicy Manual, through the connection that connections names (a spec.connections list,
// or "" for the namespace's default). changed is the second version: a field, a column, a table
// option and the keyspace's durable_writes change.
func parityResources(ns, ks, connections string, changed bool) string {
	conn := ""
	if connections != "" {
		conn = "\n  connections: " + connections
	}
	field, column, comment, durable := "", "", "v1", "true"
	if changed {
		field, column, comment, durable = `, {name: z, type: int}`, `, {name: note, type: text}`, "v2", "false"
	}
	return fmt.Sprintf(`apiVersion: cqlsync.io/v1alpha1
kind: Keyspace
metadata: {name: shop, namespace: %[1]s}
spec:
  name: %[2]s
  replication: {strategy: SimpleStrategy, replicationFactor: 1}
  durableWrites: %[6]s
  changePolicy: Manual%[3]s
---
apiVersion: cqlsync.io/v1alpha1
kind: UserType
metadata: {name: point, namespace: %[1]s}
spec:
  keyspaces: [%[2]s]
  fields: [{name: x, type: int}, {name: "y", type: int}%[4]s]
  changePolicy: Manual%[3]s
---
apiVersion: cqlsync.io/v1alpha1
kind: TableModel
metadata: {name: shapes, namespace: %[1]s}
spec:
  keyspaces: [%[2]s]
  columns: [{name: id, type: int}, {name: at, type: frozen<point>}, {name: price, type: decimal}%[5]s]
  partitionKey: [id]
  indexes: [{name: shapes_by_price, column: price}]
  options: {comment: %[7]s}
  changePolicy: Manual%[3]s
`, ns, ks, conn, field, column, durable, comment)
}

// TestPlanMatchesOperator runs the same manifests through `cqlsync plan` and through the operator,
// for new resources and then for changed ones, through each kind of connection: a
// CassandraConnection, a ClusterCassandraConnection named in spec.connections, and a
// ClusterCassandraConnection that is the namespace's default by its annotation. The statements the
// CLI prints and those the operator publishes in status.plan are identical, character for
// character; each plan is then approved (kubectl annotate) and runs, and the CLI has nothing left
// to plan.
func TestPlanMatchesOperator(t *testing.T) {
	rig := testenv.Cassandra(t)
	op := startOperator(t)
	cli := testenv.BuildOnce(t, "cqlsync", "./cmd/cqlsync")
	run := time.Now().UnixNano() % 1000000
	shared := fmt.Sprintf("parity-shared-%d", run)
	label := fmt.Sprintf("parity-%d", run)
	op.kubectl("apply", "-f", writeManifest(t, fmt.Sprintf(`apiVersion: cqlsync.io/v1alpha1
kind: ClusterCassandraConnection
metadata: {name: %s}
spec:
  hosts: [%q]
  allowedNamespaces: {matchLabels: {cqlsync-parity: %q}}
  allowedKeyspaces: ["parity_*"]
`, shared, rig.Cluster1, label)))
	op.kubectl("wait", "--for=condition=Ready", "clustercassandraconnection/"+shared, "--timeout=120s")

	cases := []struct {
		name string
		// setup is the namespace and the connection it uses; connections is what the resources'
		// spec.connections says ("" for the namespace default).
		setup       func(ns string) string
		connections string
	}{
		{"CassandraConnection", func(ns string) string {
			return fmt.Sprintf(`apiVersion: v1
kind: Namespace
metadata: {name: %[1]s}
---
apiVersion: cqlsync.io/v1alpha1
kind: CassandraConnection
metadata: {name: c1, namespace: %[1]s}
spec: {hosts: [%[2]q]}
`, ns, rig.Cluster1)
		}, "[c1]"},
		{"ClusterCassandraConnection", func(ns string) string {
			return fmt.Sprintf(`apiVersion: v1
kind: Namespace
metadata: {name: %s, labels: {cqlsync-parity: %q}}
`, ns, label)
		}, fmt.Sprintf("[{kind: ClusterCassandraConnection, name: %s}]", shared)},
		{"NamespaceDefaultAnnotation", func(ns string) string {
			return fmt.Sprintf(`apiVersion: v1
kind: Namespace
metadata:
  name: %s
  labels: {cqlsync-parity: %q}
  annotations: {%s: %s}
`, ns, label, cqlv1.AnnotationDefaultClusterConnection, shared)
		}, ""},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ns := fmt.Sprintf("parity-%d-%d", i, run)
			ks := fmt.Sprintf("parity_%d_%d", i, run)
			dropKeyspaceAfter(t, rig.Cluster1, ks)
			op.kubectl("apply", "-f", writeManifest(t, tc.setup(ns)))
			if tc.name == "CassandraConnection" {
				op.kubectl("wait", "--for=condition=Ready", "cassandraconnection/c1", "-n", ns, "--timeout=120s")
			}
			planParity(t, op, cli, ns, ks, tc.connections)
		})
	}
}

// planParity applies parityResources in namespace ns (whose connection is set up) twice, new
// and changed: each time the statements `cqlsync plan` prints and those the operator publishes in
// status.plan are identical, the plans are approved and run, and the CLI has nothing left to plan.
func planParity(t *testing.T, op operator, cli, ns, ks, connections string) {
	t.Helper()
	dir := t.TempDir()
	for _, changed := range []bool{false, true} {
		manifest := filepath.Join(dir, "shop.yaml")
		if err := os.WriteFile(manifest, []byte(parityResources(ns, ks, connections, changed)), 0o600); err != nil {
			t.Fatal(err)
		}
		cliStatements := planStatements(t, cli, op.kubeconfig, dir, 2)
		if len(cliStatements) != 3 {
			t.Fatalf("changed=%v: the CLI plans %d resources, want 3: %q", changed, len(cliStatements), cliStatements)
		}
		op.kubectl("apply", "-f", manifest)
		for _, r := range []struct{ kind, name string }{{"keyspace", "shop"}, {"usertype", "point"}, {"tablemodel", "shapes"}} {
			st := waitStatusPlanFor(t, op, r.kind, r.name, ns, changed)
			var got []string
			for _, tg := range st.Plan.Targets {
				for _, s := range tg.Statements {
					got = append(got, s.CQL)
				}
			}
			want := cliStatements[r.kind]
			if strings.Join(got, "\n") != strings.Join(want, "\n") || len(got) == 0 {
				t.Errorf("changed=%v: %s %s: the operator plans\n  %q\nthe CLI printed\n  %q", changed, r.kind, r.name, got, want)
			}
			op.kubectl("annotate", r.kind+"/"+r.name, "-n", ns, cqlv1.AnnotationApprovePlan+"="+st.Plan.Hash, "--overwrite")
			op.kubectl("wait", "--for=condition=Ready", r.kind+"/"+r.name, "-n", ns, "--timeout=120s")
		}
		if left := planStatements(t, cli, op.kubeconfig, dir, 0); len(left) != 0 {
			t.Errorf("changed=%v: after the approved plans ran, the CLI still plans %q", changed, left)
		}
	}
}

// planStatements runs `cqlsync plan -o json` on dir through the kubeconfig, checks its exit
// code, and returns the statements by kind in lower case (keyspace, usertype, tablemodel).
func planStatements(t *testing.T, cli, kubeconfig, dir string, wantExit int) map[string][]string {
	t.Helper()
	stdout := runCLI(t, cli, kubeconfig, wantExit, "plan", "-f", dir, "-o", "json")
	var out planOutput
	if err := json.Unmarshal([]byte(stdout), &out); err != nil {
		t.Fatalf("%v\n%s", err, stdout)
	}
	statements := map[string][]string{}
	for _, r := range out.Resources {
		for _, tg := range r.Targets {
			if tg.State != cqlv1.TargetSynced && tg.State != cqlv1.TargetPending {
				t.Errorf("%s %s: target %+v", r.Kind, r.Name, tg)
			}
			for _, st := range tg.Statements {
				statements[strings.ToLower(r.Kind)] = append(statements[strings.ToLower(r.Kind)], st.CQL)
			}
		}
	}
	return statements
}

// waitStatusPlanFor waits for the plan of the resource's current spec: for a changed resource,
// one computed for its new generation (the plan of the old one ran already).
func waitStatusPlanFor(t *testing.T, op operator, kind, name, ns string, changed bool) cqlv1.SchemaStatus {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		st := waitStatusPlan(t, op, kind, name, "-n", ns)
		var meta struct {
			Metadata struct {
				Generation int64 `json:"generation"`
			} `json:"metadata"`
		}
		if err := json.Unmarshal([]byte(op.kubectl("get", kind, name, "-n", ns, "-o", "json")), &meta); err != nil {
			t.Fatal(err)
		}
		if !changed || st.ObservedGeneration == meta.Metadata.Generation {
			return st
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s/%s: no plan for generation %d: %+v", kind, name, meta.Metadata.Generation, st)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// writeManifest writes a manifest into a file of its own and returns its path.
func writeManifest(t testing.TB, yaml string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "manifest.yaml")
	if err := os.WriteFile(path, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}
