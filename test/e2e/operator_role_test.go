package e2e

import (
	"encoding/base64"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cqlsync/cqlsync/test/rig/testenv"
)

// TestOperatorLeastPrivilegeRole runs the manager against cluster3 (password and TLS) as a role
// that is not a superuser and holds exactly the permissions of config/cassandra/operator-role.cql:
// a keyspace another role created is adopted and altered; a UserType, TableModels with an SAI index
// (waiting for it to build), a new field, a Backfill, and the deletion of all of them with
// deletionPolicy Delete (DROP TABLE, TYPE, KEYSPACE) go through; the role cannot read or create
// roles.
func TestOperatorLeastPrivilegeRole(t *testing.T) {
	rig := testenv.Cassandra(t)
	admin := testenv.SecureCQLSession(t, rig)
	suffix := fmt.Sprint(time.Now().UnixNano() % 1000000)
	role, password := "cqlsync_op_"+suffix, "pw-"+suffix
	script, err := os.ReadFile(filepath.Join(testenv.RepoRoot(), "config", "cassandra", "operator-role.cql"))
	if err != nil {
		t.Fatal(err)
	}
	stmts := cqlStatements(strings.NewReplacer("${ROLE}", role, "${PASSWORD}", password).Replace(string(script)))
	if len(stmts) != 8 {
		t.Fatalf("operator-role.cql has %d statements, want CREATE ROLE and 7 GRANTs: %q", len(stmts), stmts)
	}
	for _, st := range stmts {
		if err := admin.Query(st).Exec(); err != nil {
			t.Fatalf("%s: %v", st, err)
		}
	}
	t.Cleanup(func() { _ = admin.Query(`DROP ROLE IF EXISTS "` + role + `"`).Exec() })
	ks := "op_role_" + suffix
	t.Cleanup(func() { _ = admin.Query(`DROP KEYSPACE IF EXISTS "` + ks + `"`).Exec() })
	// The keyspace exists already, created by another role: the operator adopts it, so what it
	// does there rests on the grants of the script, not on being its creator.
	if err := admin.Query(`CREATE KEYSPACE "` + ks + `" WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}`).Exec(); err != nil {
		t.Fatal(err)
	}

	// What the role may not do.
	op := testenv.SecureCQLSessionAs(t, rig, role, password)
	if err := op.Query(`SELECT role FROM system_auth.roles`).Exec(); err == nil || !strings.Contains(err.Error(), "Unauthorized") && !strings.Contains(err.Error(), "permission") {
		t.Errorf("the operator's role read system_auth.roles: %v", err)
	}
	if err := op.Query(`CREATE ROLE "x_` + suffix + `" WITH PASSWORD = 'p' AND LOGIN = true`).Exec(); err == nil {
		t.Error("the operator's role created a role")
	}

	ca, err := os.ReadFile(rig.Cluster3CA)
	if err != nil {
		t.Fatal(err)
	}
	indent := "    " + strings.ReplaceAll(strings.TrimSpace(string(ca)), "\n", "\n    ")
	ns := "op-role-" + suffix
	o := startOperator(t)
	applyYAML(t, o, fmt.Sprintf(`apiVersion: v1
kind: Namespace
metadata: {name: %[1]s}
---
apiVersion: v1
kind: Secret
metadata: {name: creds, namespace: %[1]s}
stringData: {username: %[2]s, password: %[3]s}
---
apiVersion: v1
kind: Secret
metadata: {name: ca, namespace: %[1]s}
stringData:
  ca.crt: |
%[4]s
---
apiVersion: cqlsync.io/v1alpha1
kind: CassandraConnection
metadata: {name: c3, namespace: %[1]s}
spec:
  hosts: [%[5]q]
  default: true
  defaultKeyspace: %[6]s
  auth: {secretRef: {name: creds}}
  tls: {caSecretRef: {name: ca}}
---
apiVersion: cqlsync.io/v1alpha1
kind: Keyspace
metadata: {name: ks, namespace: %[1]s}
spec: {name: %[6]s, replication: {strategy: SimpleStrategy, replicationFactor: 1}, deletionPolicy: Delete}
---
apiVersion: cqlsync.io/v1alpha1
kind: UserType
metadata: {name: address, namespace: %[1]s}
spec: {fields: [{name: street, type: text}], deletionPolicy: Delete}
---
apiVersion: cqlsync.io/v1alpha1
kind: TableModel
metadata: {name: orders-v1, namespace: %[1]s}
spec:
  name: orders_v1
  deletionPolicy: Delete
  columns: [{name: id, type: int}, {name: customer_id, type: text}, {name: home, type: frozen<address>}]
  partitionKey: [id]
  indexes: [{name: by_customer, column: customer_id, using: sai}]
---
apiVersion: cqlsync.io/v1alpha1
kind: TableModel
metadata: {name: orders-v2, namespace: %[1]s}
spec:
  name: orders_v2
  deletionPolicy: Delete
  columns: [{name: customer_id, type: text}, {name: id, type: int}, {name: home, type: frozen<address>}]
  partitionKey: [customer_id]
  clusteringKey: [{name: id}]
`, ns, role, password, indent, rig.Cluster3, ks))
	t.Cleanup(func() {
		if t.Failed() {
			c := exec.Command(testenv.Kubectl(), "--kubeconfig", o.kubeconfig, "get", "cqlsync", "-n", ns, "-o",
				`custom-columns=KIND:.kind,NAME:.metadata.name,READY:.status.conditions[?(@.type=="Ready")].status,REASON:.status.conditions[?(@.type=="Ready")].reason,MESSAGE:.status.conditions[?(@.type=="Ready")].message`)
			out, _ := c.CombinedOutput()
			t.Logf("the objects:\n%s", out)
		}
	})
	o.kubectl("wait", "-n", ns, "--for=condition=Ready", "cassandraconnection/c3", "keyspace/ks", "usertype/address", "tablemodel/orders-v1", "tablemodel/orders-v2", "--timeout=180s")
	for i := range 50 {
		if err := admin.Query(`INSERT INTO "`+ks+`".orders_v1 (id, customer_id) VALUES (?, ?)`, i, fmt.Sprintf("c%d", i%3)).Exec(); err != nil {
			t.Fatal(err)
		}
	}
	// Changes: a keyspace option, a new field, a new column and an option, a Backfill.
	applyYAML(t, o, fmt.Sprintf(`apiVersion: cqlsync.io/v1alpha1
kind: Keyspace
metadata: {name: ks, namespace: %[1]s}
spec: {name: %[2]s, replication: {strategy: SimpleStrategy, replicationFactor: 1}, durableWrites: false, deletionPolicy: Delete}
---
apiVersion: cqlsync.io/v1alpha1
kind: UserType
metadata: {name: address, namespace: %[1]s}
spec: {fields: [{name: street, type: text}, {name: zip, type: text}], deletionPolicy: Delete}
---
apiVersion: cqlsync.io/v1alpha1
kind: Backfill
metadata: {name: orders, namespace: %[1]s}
spec: {source: {tableModel: orders-v1}, target: {tableModel: orders-v2}, splits: 8}
`, ns, ks))
	o.kubectl("wait", "-n", ns, "--for=condition=Ready", "keyspace/ks", "usertype/address", "backfill/orders", "--timeout=180s")
	var n int
	if err := admin.Query(`SELECT COUNT(*) FROM "` + ks + `".orders_v2`).Scan(&n); err != nil || n != 50 {
		t.Errorf("the Backfill through the operator's role copied %d rows (%v), want 50", n, err)
	}
	if out := o.kubectl("get", "keyspace", "ks", "-n", ns, "-o", "jsonpath={.status.targets[0].state}"); out != "Synced" {
		t.Errorf("keyspace target after durable_writes changed: %q", out)
	}
	var count int
	// CassandraRoles, once config/cassandra/operator-role-for-roles.cql is run too: a role with
	// grants, its password sent as a hash, the application logging in with the credentials
	// Secret; dropped on deletion.
	forRoles, err := os.ReadFile(filepath.Join(testenv.RepoRoot(), "config", "cassandra", "operator-role-for-roles.cql"))
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range cqlStatements(strings.ReplaceAll(string(forRoles), "${ROLE}", role)) {
		if err := admin.Query(st).Exec(); err != nil {
			t.Fatalf("%s: %v", st, err)
		}
	}
	app := "app_" + suffix
	t.Cleanup(func() { _ = admin.Query(`DROP ROLE IF EXISTS "` + app + `"`).Exec() })
	roleYAML := fmt.Sprintf(`apiVersion: cqlsync.io/v1alpha1
kind: CassandraRole
metadata: {name: app, namespace: %[1]s}
spec:
  name: %[2]s
  deletionPolicy: Delete
  grants: [{keyspace: %[3]s, permissions: [SELECT, MODIFY]}]
`, ns, app, ks)
	// cqlsync plan first: the role and its grant, the password hash redacted (exit 2: changes).
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "role.yaml"), []byte(roleYAML), 0o600); err != nil {
		t.Fatal(err)
	}
	plan := runCLI(t, testenv.BuildOnce(t, "cqlsync", "./cmd/cqlsync"), o.kubeconfig, 2, "plan", "-f", dir)
	if !strings.Contains(plan, `CREATE ROLE IF NOT EXISTS "`+app+`" WITH HASHED PASSWORD = '<redacted>' AND LOGIN = true`) ||
		!strings.Contains(plan, `GRANT MODIFY ON KEYSPACE "`+ks+`" TO "`+app+`"`) || strings.Contains(plan, "$2a$") {
		t.Errorf("cqlsync plan of a CassandraRole:\n%s", plan)
	}
	applyYAML(t, o, roleYAML)
	o.kubectl("wait", "-n", ns, "--for=condition=Ready", "cassandrarole/app", "--timeout=120s")
	pw, err := base64.StdEncoding.DecodeString(o.kubectl("get", "secret", "app-cassandra", "-n", ns, "-o", "jsonpath={.data.password}"))
	if err != nil || len(pw) != 32 {
		t.Fatalf("the credentials Secret's password: %d bytes, %v", len(pw), err)
	}
	appSession := testenv.SecureCQLSessionAs(t, rig, app, string(pw))
	if err := appSession.Query(`SELECT COUNT(*) FROM "` + ks + `".orders_v2`).Scan(&n); err != nil || n != 50 {
		t.Errorf("the application, granted by the operator's role, reads %d rows: %v", n, err)
	}
	o.kubectl("delete", "-n", ns, "cassandrarole/app", "--timeout=120s")
	if err := admin.Query(`SELECT COUNT(*) FROM system_auth.roles WHERE role = ?`, app).Scan(&count); err != nil || count != 0 {
		t.Errorf("the role is still there after its deletion with deletionPolicy Delete: %d %v", count, err)
	}

	// Deletion with deletionPolicy Delete: DROP TABLE, TYPE and KEYSPACE through the role.
	o.kubectl("delete", "-n", ns, "backfill/orders", "tablemodel/orders-v1", "tablemodel/orders-v2", "--timeout=120s")
	o.kubectl("delete", "-n", ns, "usertype/address", "--timeout=120s")
	o.kubectl("delete", "-n", ns, "keyspace/ks", "--timeout=120s")
	if err := admin.Query(`SELECT COUNT(*) FROM system_schema.keyspaces WHERE keyspace_name = ?`, ks).Scan(&count); err != nil || count != 0 {
		t.Errorf("the keyspace is still there after its deletion with deletionPolicy Delete: %d %v", count, err)
	}
}

// cqlStatements splits a CQL script into its statements, without comments.
func cqlStatements(script string) []string {
	var lines []string
	for _, l := range strings.Split(script, "\n") {
		if !strings.HasPrefix(strings.TrimSpace(l), "--") {
			lines = append(lines, l)
		}
	}
	var out []string
	for _, st := range strings.Split(strings.Join(lines, "\n"), ";") {
		if st = strings.TrimSpace(st); st != "" {
			out = append(out, st)
		}
	}
	return out
}
