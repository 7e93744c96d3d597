package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	gocql "github.com/apache/cassandra-gocql-driver/v2"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
	"github.com/cqlsync/cqlsync/test/rig/testenv"
)

// TestDryRunExecutesNothing runs the manager with --dry-run against a cluster with differences
// (a keyspace to create, a table with a comment and a column to change). Every resource reports
// what it would run (Ready=False, reason DryRun, status.plan), and the cluster's schema is left
// exactly as it was: its schema version does not move.
func TestDryRunExecutesNothing(t *testing.T) {
	rig := testenv.Cassandra(t)
	sfx := time.Now().UnixNano() % 1000000
	existing, fresh := fmt.Sprintf("dry_old_%d", sfx), fmt.Sprintf("dry_new_%d", sfx)
	s := testenv.CQLSession(t, rig.Cluster2)
	for _, stmt := range []string{
		`CREATE KEYSPACE "` + existing + `" WITH replication = {'class': 'SimpleStrategy', 'replication_factor': '1'}`,
		`CREATE TABLE "` + existing + `"."items" (id int PRIMARY KEY, name text) WITH comment = 'old'`,
	} {
		if err := s.Query(stmt).Exec(); err != nil {
			t.Fatal(err)
		}
	}
	dropKeyspaceAfter(t, rig.Cluster2, existing)
	dropKeyspaceAfter(t, rig.Cluster2, fresh)
	versionBefore := schemaVersion(t, s)

	op := startOperator(t, "--dry-run")
	manifest := filepath.Join(t.TempDir(), "dry.yaml")
	if err := os.WriteFile(manifest, []byte(fmt.Sprintf(`apiVersion: cqlsync.io/v1alpha1
kind: CassandraConnection
metadata: {name: cluster2}
spec: {hosts: [%q], default: true}
---
apiVersion: cqlsync.io/v1alpha1
kind: Keyspace
metadata: {name: fresh}
spec:
  name: %s
  replication: {strategy: SimpleStrategy, replicationFactor: 1}
---
apiVersion: cqlsync.io/v1alpha1
kind: TableModel
metadata: {name: items}
spec:
  keyspaces: [%s]
  columns: [{name: id, type: int}, {name: name, type: text}, {name: price, type: decimal}]
  partitionKey: [id]
  options: {comment: new}
`, rig.Cluster2, fresh, existing)), 0o600); err != nil {
		t.Fatal(err)
	}
	op.kubectl("apply", "-f", manifest)
	for name, want := range map[string][]string{
		"keyspace/fresh":   {`CREATE KEYSPACE IF NOT EXISTS "` + fresh + `"`},
		"tablemodel/items": {`ALTER TABLE "` + existing + `"."items" ADD "price" decimal`, `ALTER TABLE "` + existing + `"."items" WITH "comment" = 'new'`},
	} {
		op.kubectl("wait", "--for=jsonpath={.status.plan.reason}=DryRun", name, "--timeout=120s")
		var obj struct {
			Status cqlv1.SchemaStatus `json:"status"`
		}
		if err := json.Unmarshal([]byte(op.kubectl("get", name, "-o", "json")), &obj); err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, tg := range obj.Status.Plan.Targets {
			for _, st := range tg.Statements {
				got = append(got, st.CQL)
			}
		}
		if len(got) != len(want) {
			t.Fatalf("%s plans %q, want %q", name, got, want)
		}
		for i := range want {
			if !strings.HasPrefix(got[i], want[i]) {
				t.Errorf("%s statement %d: %q, want it to start with %q", name, i, got[i], want[i])
			}
		}
		if out := op.kubectl("get", name, "-o", "jsonpath={.status.conditions[?(@.type==\"Ready\")].reason}"); out != cqlv1.ReasonDryRun {
			t.Errorf("%s Ready reason %q", name, out)
		}
	}
	if v := schemaVersion(t, s); v != versionBefore {
		t.Fatalf("the cluster's schema version moved (%s -> %s): --dry-run executed DDL", versionBefore, v)
	}
	op.kubectl("delete", "-f", manifest, "--wait=true", "--timeout=60s")
}

func schemaVersion(t *testing.T, s *gocql.Session) string {
	t.Helper()
	var v gocql.UUID
	if err := s.Query(`SELECT schema_version FROM system.local WHERE key = 'local'`).Scan(&v); err != nil {
		t.Fatal(err)
	}
	return v.String()
}
