package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cqlsync/cqlsync/test/rig/testenv"
)

// TestMetricsMove scrapes the manager's metrics endpoint before and after a rollout and after a
// drift correction, and checks that each metric counted exactly what happened: the DDL statements
// (by kind and result), their durations and agreement waits, the targets by state, the open
// sessions, the connection's readiness, the status writes and the drift corrections.
func TestMetricsMove(t *testing.T) {
	rig := testenv.Cassandra(t)
	ks := fmt.Sprintf("metrics_e2e_%d", time.Now().UnixNano()%1000000)
	dropKeyspaceAfter(t, rig.Cluster2, ks)
	addr := testenv.FreeLoopbackAddr(t)
	op := startOperator(t, "--metrics-bind-address", addr)
	scrape := func() map[string]float64 { return testenv.ScrapeMetrics(t, "http://"+addr+"/metrics") }

	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	op.kubectl("apply", "-f", write("conn.yaml", fmt.Sprintf(`apiVersion: cqlsync.io/v1alpha1
kind: CassandraConnection
metadata: {name: c2, namespace: default}
spec: {hosts: [%q], default: true}
`, rig.Cluster2)))
	op.kubectl("wait", "--for=condition=Ready", "cassandraconnection/c2", "--timeout=60s")
	before := scrape()

	var rollout strings.Builder
	fmt.Fprintf(&rollout, `apiVersion: cqlsync.io/v1alpha1
kind: Keyspace
metadata: {name: metrics}
spec: {name: %s, replication: {strategy: SimpleStrategy, replicationFactor: 1}}
---
apiVersion: cqlsync.io/v1alpha1
kind: UserType
metadata: {name: point}
spec: {keyspaces: [%s], fields: [{name: px, type: int}, {name: py, type: int}]}
`, ks, ks)
	for i := range 3 {
		fmt.Fprintf(&rollout, `---
apiVersion: cqlsync.io/v1alpha1
kind: TableModel
metadata: {name: t%d}
spec: {keyspaces: [%s], columns: [{name: id, type: int}, {name: v, type: text}], partitionKey: [id]}
`, i, ks)
	}
	op.kubectl("apply", "-f", write("rollout.yaml", rollout.String()))
	op.kubectl("wait", "--for=condition=Ready", "keyspace,usertype,tablemodel", "--all", "--timeout=180s")
	after := scrape()

	delta := func(m map[string]float64, name string) float64 { return m[name] - before[name] }
	ok := `{connection="default/c2",kind="%s",result="ok",statement="%s"}`
	for _, want := range []struct {
		metric string
		value  float64
	}{
		{"cqlsync_ddl_statements_total" + fmt.Sprintf(ok, "keyspace", "CreateKeyspace"), 1},
		{"cqlsync_ddl_statements_total" + fmt.Sprintf(ok, "type", "CreateType"), 1},
		{"cqlsync_ddl_statements_total" + fmt.Sprintf(ok, "table", "CreateTable"), 3},
		{`cqlsync_ddl_duration_seconds_count{statement="CreateTable"}`, 3},
		{"cqlsync_schema_agreement_wait_seconds_count", 5},
	} {
		if got := delta(after, want.metric); got != want.value {
			t.Errorf("%s moved by %v, want %v", want.metric, got, want.value)
		}
	}
	for _, want := range []struct {
		metric string
		value  float64
	}{
		{`cqlsync_targets{kind="TableModel",state="Synced"}`, 3},
		{`cqlsync_targets{kind="UserType",state="Synced"}`, 1},
		{`cqlsync_targets{kind="Keyspace",state="Synced"}`, 1},
		{`cqlsync_targets{kind="TableModel",state="Failed"}`, 0},
		{`cqlsync_connection_up{connection="default/c2"}`, 1},
		{"cqlsync_sessions_open", 1},
	} {
		if got := after[want.metric]; got != want.value {
			t.Errorf("%s = %v, want %v", want.metric, got, want.value)
		}
	}
	if delta(after, `cqlsync_status_writes_total{kind="TableModel"}`) < 3 || delta(after, "cqlsync_system_schema_queries_total") <= 0 {
		t.Errorf("status writes and schema queries must have moved: %v, %v",
			delta(after, `cqlsync_status_writes_total{kind="TableModel"}`), delta(after, "cqlsync_system_schema_queries_total"))
	}

	// Drift: a column dropped behind cqlsync's back is restored, and counted.
	s := testenv.CQLSession(t, rig.Cluster2)
	if err := s.Query(`ALTER TABLE "` + ks + `"."t0" DROP v`).Exec(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for scrape()[`cqlsync_drift_corrections_total{kind="TableModel"}`] != 1 {
		if time.Now().After(deadline) {
			t.Fatalf("no drift correction counted: %v", scrape())
		}
		time.Sleep(100 * time.Millisecond)
	}
	if got := scrape()["cqlsync_ddl_statements_total"+fmt.Sprintf(ok, "table", "AddColumns")]; got != 1 {
		t.Errorf("the correction's ADD counted %v times", got)
	}
}
