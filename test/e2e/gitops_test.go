package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	utiljson "k8s.io/apimachinery/pkg/util/json"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
	"github.com/cqlsync/cqlsync/test/rig/gitops"
	"github.com/cqlsync/cqlsync/test/rig/testenv"
)

// TestGitOpsHealthOfRealObjects brings real objects of the local environment to many of the
// reasons the operator emits, and checks each against docs/gitops.md's table: its conditions,
// kstatus's status (as Flux computes it), the Argo CD script's health (run as Argo CD runs it),
// and whether `kubectl wait --for=condition=Ready` returns.
func TestGitOpsHealthOfRealObjects(t *testing.T) {
	rig := testenv.Cassandra(t)
	op := startOperator(t)
	doc, err := os.ReadFile(filepath.Join(testenv.RepoRoot(), "docs", "gitops.md"))
	if err != nil {
		t.Fatal(err)
	}
	run := time.Now().UnixNano() % 1000000
	ns := fmt.Sprintf("health-%d", run)
	ks := fmt.Sprintf("health_%d", run)
	dropKeyspaceAfter(t, rig.Cluster1, ks)
	table := func(name, extra, column string) string {
		return fmt.Sprintf(`---
apiVersion: cqlsync.io/v1alpha1
kind: TableModel
metadata: {name: %s, namespace: %s%s}
spec:
  keyspaces: [%s]
  columns: [{name: id, type: int}, {name: v, type: %s}]
  partitionKey: [id]
`, name, ns, extra, ks, column)
	}
	manifest := namespaceManifest(ns, rig.Cluster1, ks) + fmt.Sprintf(`---
apiVersion: cqlsync.io/v1alpha1
kind: CassandraConnection
metadata: {name: nowhere, namespace: %[1]s}
spec: {hosts: ["127.0.0.99"], connectTimeout: 1s, requestTimeout: 1s}
---
apiVersion: cqlsync.io/v1alpha1
kind: TableModel
metadata: {name: waiting, namespace: %[1]s}
spec:
  keyspaces: [%[2]s_later]
  columns: [{name: id, type: int}]
  partitionKey: [id]
---
apiVersion: cqlsync.io/v1alpha1
kind: TableModel
metadata: {name: far, namespace: %[1]s}
spec:
  connections: [nowhere]
  keyspaces: [%[2]s]
  columns: [{name: id, type: int}]
  partitionKey: [id]
`, ns, ks) +
		table("synced", "", "int") +
		table("badtype", "", "nosuchtype") +
		table("manual", "", "int") + "  changePolicy: Manual\n" +
		table("paused", ", annotations: {cqlsync.io/paused: \"true\"}", "int") + "  changePolicy: Manual\n"
	op.kubectl("apply", "-f", writeManifest(t, manifest))

	check := func(kind, name, reason string) {
		t.Helper()
		deadline := time.Now().Add(2 * time.Minute)
		var row gitops.Row
		for {
			var obj map[string]any
			if err := utiljson.Unmarshal([]byte(op.kubectl("get", kind, name, "-n", ns, "-o", "json")), &obj); err != nil {
				t.Fatal(err)
			}
			if row, err = gitops.RowOf(obj); err != nil {
				t.Fatal(err)
			}
			if row.Reason == reason && observed(obj) {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s/%s: Ready reason %q, want %q", kind, name, row.Reason, reason)
			}
			time.Sleep(200 * time.Millisecond)
		}
		if !strings.Contains(string(doc), row.Markdown()+"\n") {
			t.Errorf("%s/%s (%s): the real object gives\n  %s\nwhich is not docs/gitops.md's row", kind, name, reason, row.Markdown())
		}
		err := exec.Command(testenv.Kubectl(), "--kubeconfig", op.kubeconfig, "wait", "--for=condition=Ready", kind+"/"+name, "-n", ns, "--timeout=1s").Run()
		if returned := err == nil; returned != (row.KubectlWaitDone == "returns") {
			t.Errorf("%s/%s (%s): kubectl wait returned=%v, the table says %q", kind, name, reason, returned, row.KubectlWaitDone)
		}
	}
	check("cassandraconnection", "c1", cqlv1.ReasonConnected)
	check("cassandraconnection", "nowhere", cqlv1.ReasonUnreachable)
	check("keyspace", "ks", cqlv1.ReasonSynced)
	check("tablemodel", "synced", cqlv1.ReasonSynced)
	check("tablemodel", "waiting", cqlv1.ReasonKeyspaceNotFound)
	check("tablemodel", "far", cqlv1.ReasonUnreachable)
	check("tablemodel", "badtype", cqlv1.ReasonInvalidType)
	check("tablemodel", "manual", cqlv1.ReasonAwaitingApproval)
	check("tablemodel", "paused", cqlv1.ReasonPaused)

	// A change Cassandra cannot make: Blocked, hence Stalled.
	op.kubectl("apply", "-f", writeManifest(t, table("synced", "", "text")))
	check("tablemodel", "synced", cqlv1.ReasonColumnTypeDiffers)
	// A duplicate of the Keyspace, newer: DuplicateOwner.
	op.kubectl("apply", "-f", writeManifest(t, fmt.Sprintf(`apiVersion: cqlsync.io/v1alpha1
kind: Keyspace
metadata: {name: ks-again, namespace: %s}
spec: {name: %s, replication: {strategy: SimpleStrategy, replicationFactor: 1}}
`, ns, ks)))
	check("keyspace", "ks-again", cqlv1.ReasonDuplicateOwner)
}

// observed reports whether the object's status describes its current generation.
func observed(obj map[string]any) bool {
	meta, _ := obj["metadata"].(map[string]any)
	st, _ := obj["status"].(map[string]any)
	return st != nil && fmt.Sprint(meta["generation"]) == fmt.Sprint(st["observedGeneration"])
}
