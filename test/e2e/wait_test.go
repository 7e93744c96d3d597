package e2e

import (
	"encoding/json"
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
	"github.com/cqlsync/cqlsync/test/rig/testenv"
)

// TestWaitCLI drives `cqlsync wait` over a namespace of TableModels: it returns 0 once every one
// is Ready (checked with kubectl), and 2 at once, naming the column, when one is Stalled by a
// change Cassandra cannot make.
func TestWaitCLI(t *testing.T) {
	rig := testenv.Cassandra(t)
	op := startOperator(t)
	cli := testenv.BuildOnce(t, "cqlsync", "./cmd/cqlsync")
	run := time.Now().UnixNano() % 1000000
	ns := fmt.Sprintf("wait-%d", run)
	ks := fmt.Sprintf("wait_%d", run)
	dropKeyspaceAfter(t, rig.Cluster1, ks)
	const n = 20
	var b strings.Builder
	b.WriteString(namespaceManifest(ns, rig.Cluster1, ks))
	table := func(i int, priceType string) string {
		return fmt.Sprintf(`---
apiVersion: cqlsync.io/v1alpha1
kind: TableModel
metadata: {name: t%d, namespace: %s, labels: {app: wait}}
spec:
  keyspaces: [%s]
  columns: [{name: id, type: int}, {name: price, type: %s}]
  partitionKey: [id]
`, i, ns, ks, priceType)
	}
	for i := range n {
		b.WriteString(table(i, "int"))
	}
	op.kubectl("apply", "-f", writeManifest(t, b.String()))
	wait := func(args ...string) (int, string) {
		t.Helper()
		cmd := exec.Command(cli, append([]string{"wait", "--kubeconfig", op.kubeconfig}, args...)...)
		out, err := cmd.CombinedOutput()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return code, string(out)
	}

	code, out := wait("-n", ns, "--timeout", "3m")
	if code != 0 || !strings.Contains(out, fmt.Sprintf("%d object(s) Ready", n+2)) {
		t.Fatalf("cqlsync wait: exit %d\n%s", code, out)
	}
	var list struct {
		Items []struct {
			Metadata struct{ Generation int64 } `json:"metadata"`
			Status   cqlv1.SchemaStatus         `json:"status"`
		} `json:"items"`
	}
	if err := json.Unmarshal([]byte(op.kubectl("get", "tablemodels", "-n", ns, "-o", "json")), &list); err != nil {
		t.Fatal(err)
	}
	if len(list.Items) != n {
		t.Fatalf("%d TableModels, want %d", len(list.Items), n)
	}
	for _, it := range list.Items {
		if !cqlv1.IsReadyFor(it.Status.Conditions, it.Metadata.Generation) {
			t.Errorf("cqlsync wait returned with a TableModel not Ready: %+v", it.Status.Conditions)
		}
	}

	// A column's type changed: Blocked, hence Stalled; the wait fails fast and names it.
	op.kubectl("apply", "-f", writeManifest(t, table(0, "text")))
	start := time.Now()
	code, out = wait("-n", ns, "-l", "app=wait", "--kinds", "tablemodels", "--timeout", "2m")
	if code != 2 || !strings.Contains(out, "tablemodels "+ns+"/t0: Stalled: ColumnTypeDiffers") || !strings.Contains(out, `"price"`) {
		t.Fatalf("a Blocked change: exit %d\n%s", code, out)
	}
	t.Logf("the wait reported the Blocked change in %s", time.Since(start).Round(time.Millisecond))
}
