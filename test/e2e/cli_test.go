package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
	"github.com/cqlsync/cqlsync/internal/engine"
	"github.com/cqlsync/cqlsync/test/rig/testenv"
)

// cliManifests are a connection, a keyspace, a type and a table, all changePolicy Manual, in the
// keyspace ks.
func cliManifests(host, ks string) string {
	return fmt.Sprintf(`apiVersion: cqlsync.io/v1alpha1
kind: CassandraConnection
metadata: {name: cluster1}
spec: {hosts: [%q], default: true, defaultKeyspace: %s}
---
apiVersion: cqlsync.io/v1alpha1
kind: Keyspace
metadata: {name: shop}
spec:
  name: %s
  replication: {strategy: SimpleStrategy, replicationFactor: 1}
  changePolicy: Manual
---
apiVersion: cqlsync.io/v1alpha1
kind: UserType
metadata: {name: point}
spec:
  fields: [{name: x, type: int}, {name: "y", type: int}]
  changePolicy: Manual
---
apiVersion: cqlsync.io/v1alpha1
kind: TableModel
metadata: {name: shapes}
spec:
  columns: [{name: id, type: int}, {name: at, type: frozen<point>}, {name: price, type: decimal}]
  partitionKey: [id]
  indexes: [{name: shapes_by_price, column: price}]
  changePolicy: Manual
`, host, ks, ks)
}

// planOutput is `cqlsync plan -o json`.
type planOutput struct {
	Resources []engine.ResourcePlan `json:"resources"`
	Summary   struct {
		Statements, Blocked int
	} `json:"summary"`
}

// TestPlanCLI drives `cqlsync plan` (the built binary) through a GitOps flow: before anything is
// applied it shows the whole rollout and exits 2; applied under changePolicy Manual, each
// resource's plan in status (what the operator then executes once approved) is exactly the
// statements the CLI printed; once everything ran it exits 0, in kubeconfig mode and in
// --connection mode without any kubeconfig; a change Cassandra cannot apply exits 1.
func TestPlanCLI(t *testing.T) {
	rig := testenv.Cassandra(t)
	op := startOperator(t)
	cli := testenv.BuildOnce(t, "cqlsync", "./cmd/cqlsync")
	ks := fmt.Sprintf("cli_shop_%d", time.Now().UnixNano()%1000000)
	dropKeyspaceAfter(t, rig.Cluster1, ks)
	dir := t.TempDir()
	manifest := filepath.Join(dir, "shop.yaml")
	if err := os.WriteFile(manifest, []byte(cliManifests(rig.Cluster1, ks)), 0o600); err != nil {
		t.Fatal(err)
	}
	plan := func(wantExit int, args ...string) string {
		t.Helper()
		return runCLI(t, cli, op.kubeconfig, wantExit, append([]string{"plan", "-f", dir}, args...)...)
	}

	// Before anything is applied: the whole rollout, in dependency order.
	var before planOutput
	if err := json.Unmarshal([]byte(plan(2, "-o", "json")), &before); err != nil {
		t.Fatal(err)
	}
	cliStatements := map[string][]string{}
	for _, r := range before.Resources {
		for _, tg := range r.Targets {
			for _, st := range tg.Statements {
				cliStatements[r.Kind] = append(cliStatements[r.Kind], st.CQL)
				if st.Waits != cqlv1.ReasonAwaitingApproval {
					t.Errorf("%s: under Manual every statement waits for approval: %+v", r.Kind, st)
				}
			}
		}
	}
	if len(cliStatements["Keyspace"]) != 1 || len(cliStatements["UserType"]) != 1 || len(cliStatements["TableModel"]) != 2 {
		t.Fatalf("the CLI's plan: %+v", cliStatements)
	}
	if text := plan(2); !strings.Contains(text, `+ CREATE KEYSPACE IF NOT EXISTS "`+ks+`"`) || !strings.Contains(text, "# waits: AwaitingApproval") ||
		!strings.Contains(text, "Plan: 4 statement(s) to run on 3 target(s)") {
		t.Errorf("text output:\n%s", text)
	}

	// The operator, given the same manifests, plans the same statements; each approved plan runs.
	op.kubectl("apply", "-f", manifest)
	for _, r := range []struct{ kind, name string }{{"keyspace", "shop"}, {"usertype", "point"}, {"tablemodel", "shapes"}} {
		st := waitStatusPlan(t, op, r.kind, r.name)
		var got []string
		for _, tg := range st.Plan.Targets {
			for _, s := range tg.Statements {
				got = append(got, s.CQL)
			}
		}
		kind := map[string]string{"keyspace": "Keyspace", "usertype": "UserType", "tablemodel": "TableModel"}[r.kind]
		if !slices.Equal(got, cliStatements[kind]) {
			t.Errorf("%s %s: the operator plans\n  %q\nthe CLI printed\n  %q", r.kind, r.name, got, cliStatements[kind])
		}
		op.kubectl("annotate", r.kind+"/"+r.name, cqlv1.AnnotationApprovePlan+"="+st.Plan.Hash, "--overwrite")
		op.kubectl("wait", "--for=condition=Ready", r.kind+"/"+r.name, "--timeout=120s")
	}

	// Nothing left to do: exit 0, through the kubeconfig and through --connection alone.
	if text := plan(0); !strings.Contains(text, "Plan: 0 statement(s)") {
		t.Errorf("after the rollout:\n%s", text)
	}
	home := t.TempDir()
	noKube := exec.Command(cli, "plan", "-f", dir, "--connection", "cluster1="+rig.Cluster1+":9042")
	noKube.Env = []string{"HOME=" + home, "PATH=" + os.Getenv("PATH")}
	if out, err := noKube.CombinedOutput(); err != nil || !strings.Contains(string(out), "Plan: 0 statement(s)") {
		t.Errorf("--connection without a kubeconfig: %v\n%s", err, out)
	}

	// A change Cassandra cannot apply in place: Blocked, exit 1.
	blocked := strings.Replace(cliManifests(rig.Cluster1, ks), "{name: price, type: decimal}", "{name: price, type: int}", 1)
	if err := os.WriteFile(manifest, []byte(blocked), 0o600); err != nil {
		t.Fatal(err)
	}
	if text := plan(1, "--connection", "cluster1="+rig.Cluster1); !strings.Contains(text, "Blocked (ColumnTypeDiffers)") || !strings.Contains(text, "1 blocked") {
		t.Errorf("a blocked change:\n%s", text)
	}
}

// waitStatusPlan waits until the resource publishes a plan that waits for approval. more are
// extra kubectl arguments (-n namespace).
func waitStatusPlan(t *testing.T, op operator, kind, name string, more ...string) cqlv1.SchemaStatus {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		var obj struct {
			Status cqlv1.SchemaStatus `json:"status"`
		}
		if err := json.Unmarshal([]byte(op.kubectl(append([]string{"get", kind, name, "-o", "json"}, more...)...)), &obj); err != nil {
			t.Fatal(err)
		}
		if p := obj.Status.Plan; p != nil && p.Reason == cqlv1.ReasonAwaitingApproval {
			return obj.Status
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s/%s published no plan: %+v", kind, name, obj.Status)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// dropKeyspaceAfter drops a keyspace when the test ends.
func dropKeyspaceAfter(t testing.TB, host, ks string) {
	s := testenv.CQLSession(t, host)
	t.Cleanup(func() {
		if err := s.Query(`DROP KEYSPACE IF EXISTS "` + ks + `"`).Exec(); err != nil {
			t.Logf("cleanup: dropping %s: %v", ks, err)
		}
	})
}
