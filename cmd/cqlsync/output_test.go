package main

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"sigs.k8s.io/controller-runtime/pkg/client"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
	"github.com/cqlsync/cqlsync/internal/engine"
	"github.com/cqlsync/cqlsync/test/rig/testenv"
)

var update = flag.Bool("update", false, "rewrite the golden files of testdata/")

// samplePlans cover every shape of target: statements (additive, changing, dropping, waiting),
// no changes, blocked with drift, and waiting for something the plan does not create.
func samplePlans() []engine.ResourcePlan {
	return []engine.ResourcePlan{
		{Kind: "Keyspace", Namespace: "shop", Name: "orders", CQLName: "orders", ChangePolicy: cqlv1.ChangePolicyAuto, Targets: []engine.TargetPlan{
			{Connection: "prod-eu", State: cqlv1.TargetPending, Reason: cqlv1.ReasonPending, SchemaVersion: "absent", Statements: []engine.PlannedStatement{
				{Kind: "CreateKeyspace", Additive: true, CQL: `CREATE KEYSPACE IF NOT EXISTS "orders" WITH replication = {'class': 'NetworkTopologyStrategy', 'eu': '3'} AND durable_writes = true`, Summary: `create keyspace "orders"`},
			}},
			{Connection: "prod-us", State: cqlv1.TargetSynced, Reason: cqlv1.ReasonSynced, Message: `keyspace "orders" matches the spec`},
		}},
		{Kind: "TableModel", Namespace: "shop", Name: "line-items", CQLName: "line_items", ChangePolicy: cqlv1.ChangePolicyAutoAdditive, Targets: []engine.TargetPlan{
			{Connection: "prod-eu", Keyspace: "orders", State: cqlv1.TargetPending, Reason: cqlv1.ReasonPending, SchemaVersion: "0123456789abcdef", Statements: []engine.PlannedStatement{
				{Kind: "DropIndex", CQL: `DROP INDEX IF EXISTS "orders"."by_sku"`, Summary: `drop index "by_sku" on "orders"."line_items" to create it again (target changed)`, Waits: cqlv1.ReasonAwaitingApproval},
				{Kind: "AddColumns", Additive: true, CQL: `ALTER TABLE "orders"."line_items" ADD "note" text`, Summary: `add 1 column "note" text`},
				{Kind: "AlterTableOptions", CQL: `ALTER TABLE "orders"."line_items" WITH "comment" = 'x'`, Summary: "alter table", Waits: cqlv1.ReasonAwaitingApproval},
				{Kind: "DropColumns", CQL: `ALTER TABLE "orders"."line_items" DROP "legacy"`, Summary: "drop 1 column", Waits: cqlv1.ReasonAwaitingApproval},
			}},
			{Connection: "prod-us", Keyspace: "orders", State: cqlv1.TargetBlocked, Reason: cqlv1.ReasonColumnTypeDiffers,
				Message: `column "qty": Cassandra has type int, the spec says bigint (cqlsync never changes a column's type)`,
				Drift:   []string{`column "old" text is not in spec.columns`}},
		}},
		{Kind: "UserType", Namespace: "shop", Name: "money", CQLName: "money", ChangePolicy: cqlv1.ChangePolicyManual, Targets: []engine.TargetPlan{
			{Connection: "", Keyspace: "", State: cqlv1.TargetPending, Reason: cqlv1.ReasonNoDefaultConnection, Message: `spec.connections is empty and no CassandraConnection in namespace "shop" has spec.default: true`},
		}},
	}
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	testenv.Golden(t, name, got, *update)
}

func TestTextOutput(t *testing.T) {
	plans := samplePlans()
	var b bytes.Buffer
	if err := writeText(&b, plans, summarize(plans)); err != nil {
		t.Fatal(err)
	}
	golden(t, "plan.txt", b.Bytes())
	b.Reset()
	if err := writeText(&b, nil, summarize(nil)); err != nil {
		t.Fatal(err)
	}
	if b.String() != "Plan: 0 statement(s) to run on 0 target(s); 0 blocked, 0 failed, 0 cannot converge, 0 with drift kept.\n" {
		t.Errorf("empty plan: %q", b.String())
	}
}

func TestJSONOutput(t *testing.T) {
	plans := samplePlans()
	var b bytes.Buffer
	if err := writeJSON(&b, plans, summarize(plans)); err != nil {
		t.Fatal(err)
	}
	golden(t, "plan.json", b.Bytes())
}

func TestSummaryAndExitCode(t *testing.T) {
	s := summarize(samplePlans())
	if s != (summary{Statements: 5, Waiting: 3, Targets: 2, Blocked: 1, Stuck: 1, Drifted: 1}) {
		t.Fatalf("summary = %+v", s)
	}
	tests := []struct {
		s    summary
		want int
	}{
		{summary{}, exitNoChanges},
		{summary{Statements: 3, Targets: 1}, exitChanges},
		{summary{Statements: 3, Waiting: 3, Targets: 1, Drifted: 2}, exitChanges},
		{summary{Statements: 3, Targets: 1, Blocked: 1}, exitError},
		{summary{Failed: 1}, exitError},
		{summary{Stuck: 1}, exitError},
		{summary{Drifted: 1}, exitNoChanges},
	}
	for _, tt := range tests {
		if got := tt.s.exitCode(); got != tt.want {
			t.Errorf("%+v: exit %d, want %d", tt.s, got, tt.want)
		}
	}
}

func TestReadManifests(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("a.yaml", `apiVersion: cqlsync.io/v1alpha1
kind: Keyspace
metadata: {name: ks1}
spec: {replication: {strategy: SimpleStrategy, replicationFactor: 1}}
---
# a comment-only document
---
apiVersion: v1
kind: ConfigMap
metadata: {name: other}
`)
	write("sub/b.yml", `apiVersion: cqlsync.io/v1alpha1
kind: CassandraConnection
metadata: {name: c1, namespace: team}
spec: {hosts: ["127.0.0.1"]}
---
apiVersion: cqlsync.io/v1alpha1
kind: TableModel
metadata: {name: t}
spec: {columns: [{name: id, type: int}], partitionKey: [id]}
`)
	write("notes.txt", "not a manifest")
	m, err := readManifests([]string{dir}, strings.NewReader(""))
	if err != nil {
		t.Fatal(err)
	}
	if len(m.connections) != 1 || m.connections[0].Namespace != "team" || len(m.schema) != 2 || len(m.skipped) != 1 ||
		m.schema[0].GetName() != "ks1" || m.schema[1].GetName() != "t" || !strings.Contains(m.skipped[0], "ConfigMap other") {
		t.Fatalf("manifests = %+v", m)
	}
	stdin := strings.NewReader("apiVersion: cqlsync.io/v1alpha1\nkind: UserType\nmetadata: {name: u}\nspec: {fields: [{name: a, type: int}]}\n")
	if m, err := readManifests([]string{"-"}, stdin); err != nil || len(m.schema) != 1 {
		t.Fatalf("stdin: %+v %v", m, err)
	}
	write("bad/c.yaml", "apiVersion: cqlsync.io/v1alpha1\nkind: TableModel\nmetadata: {name: t}\nspec: {columns: 3}\n")
	if _, err := readManifests([]string{filepath.Join(dir, "bad")}, nil); err == nil || !strings.Contains(err.Error(), "c.yaml: document 1 (TableModel t)") {
		t.Fatalf("a bad document must be an error naming it: %v", err)
	}
}

func TestParseConnectionFlag(t *testing.T) {
	for in, want := range map[string]connectionFlag{
		"c1=127.0.0.1":         {name: "c1", host: "127.0.0.1"},
		"c1=127.0.0.2:9142":    {name: "c1", host: "127.0.0.2", port: 9142},
		"prod=cass.db.svc":     {name: "prod", host: "cass.db.svc"},
		"v6=[::1]:9042":        {name: "v6", host: "::1", port: 9042},
		"dns=cass.db.svc:9043": {name: "dns", host: "cass.db.svc", port: 9043},
	} {
		if got, err := parseConnectionFlag(in); err != nil || got != want {
			t.Errorf("%q: %+v %v, want %+v", in, got, err, want)
		}
	}
	for _, bad := range []string{"c1", "=127.0.0.1", "c1=", "c1=host:port", "c1=host:0"} {
		if _, err := parseConnectionFlag(bad); err == nil {
			t.Errorf("%q must be refused", bad)
		}
	}
}

func TestOfflineConnections(t *testing.T) {
	fromFile := []*cqlv1.CassandraConnection{{Spec: cqlv1.CassandraConnectionSpec{Hosts: []cqlv1.Host{"cass.prod.svc"}, DefaultKeyspace: "shop",
		Auth: &cqlv1.AuthSpec{SecretRef: cqlv1.CredentialsSecretRef{Name: "prod-creds"}}}}}
	fromFile[0].Name = "prod"
	t.Setenv("CQLSYNC_TEST_PASSWORD", "s3cret")
	shared := &cqlv1.TableModel{Spec: cqlv1.TableModelSpec{Connections: []cqlv1.ConnectionRef{cqlv1.ClusterScoped("prod")}}}
	objs, err := offlineConnections("team", []connectionFlag{{name: "prod", host: "127.0.0.1", port: 9042}},
		&manifests{connections: fromFile, schema: []client.Object{shared}}, credentials{username: "ci", passwordEnv: "CQLSYNC_TEST_PASSWORD"})
	if err != nil {
		t.Fatal(err)
	}
	var c *cqlv1.CassandraConnection
	var cc *cqlv1.ClusterCassandraConnection
	for _, o := range objs {
		switch x := o.(type) {
		case *cqlv1.CassandraConnection:
			c = x
		case *cqlv1.ClusterCassandraConnection:
			cc = x
		}
	}
	if cc == nil || cc.Spec.Hosts[0] != "127.0.0.1" || cc.Spec.SecretsNamespace != "team" || cc.Spec.AllowedNamespaces == nil || cc.Spec.Default {
		t.Fatalf("the ClusterCassandraConnection a manifest references: %+v", cc)
	}
	if c.Namespace != "team" || c.Spec.Hosts[0] != "127.0.0.1" || c.Spec.Port != 9042 || c.Spec.DefaultKeyspace != "shop" || !c.Spec.Default ||
		c.Spec.Auth.SecretRef.Name != "cqlsync-plan-credentials" {
		t.Fatalf("connection = %+v", c.Spec)
	}
	if _, err := offlineConnections("team", nil, &manifests{}, credentials{username: "ci", passwordEnv: "CQLSYNC_UNSET_VARIABLE"}); err == nil {
		t.Fatal("a username without a password must be refused")
	}
}
