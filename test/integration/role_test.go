package integration

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	gocql "github.com/apache/cassandra-gocql-driver/v2"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
	"github.com/cqlsync/cqlsync/internal/adopt"
	"github.com/cqlsync/cqlsync/internal/cql/apply"
	"github.com/cqlsync/cqlsync/internal/cql/introspect"
	"github.com/cqlsync/cqlsync/internal/cql/plan"
	"github.com/cqlsync/cqlsync/internal/engine"
	"github.com/cqlsync/cqlsync/test/rig/testenv"
)

func roleObj(ns, name string, spec cqlv1.CassandraRoleSpec) *cqlv1.CassandraRole {
	return &cqlv1.CassandraRole{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}, Spec: spec}
}

// credentialsOf reads a credentials Secret.
func credentialsOf(t *testing.T, ns, name string) map[string]string {
	t.Helper()
	var s corev1.Secret
	if err := k8s.Get(context.Background(), types.NamespacedName{Namespace: ns, Name: name}, &s); err != nil {
		t.Fatalf("the credentials Secret %s/%s: %v", ns, name, err)
	}
	out := map[string]string{}
	for k, v := range s.Data {
		out[k] = string(v)
	}
	return out
}

// loginAs opens a session to cluster3 as a role, or returns the error.
func loginAs(rig testenv.Rig, user, password string) (*gocql.Session, error) {
	cc := gocql.NewCluster(rig.Cluster3)
	cc.Timeout = 10 * time.Second
	cc.Authenticator = gocql.PasswordAuthenticator{Username: user, Password: password}
	cc.SslOpts = &gocql.SslOptions{CaPath: rig.Cluster3CA}
	return gocql.NewSession(*cc)
}

// TestCassandraRole, on cluster3 (PasswordAuthenticator, CassandraAuthorizer, TLS): a
// CassandraRole creates a login role with a generated password, sent only as a bcrypt hash, and
// writes the credentials Secret an application mounts. The application logs in with it as it is,
// reads and writes its own keyspace, and is Unauthorized elsewhere and for CREATE KEYSPACE. Grants
// are authoritative: one added out of band is revoked, and LOGIN and SUPERUSER changed out of band
// are set back; the role dropped out of band is created again. ALL is stable (a resync runs
// nothing). Rotation changes the password: the old one fails, the new one works. The password
// never reaches status, cqlsync plan, events, the manager's log or Cassandra's audit log.
// Deletion with deletionPolicy Delete drops the role.
func TestCassandraRole(t *testing.T) {
	rig := testenv.Cassandra(t)
	ns := newNamespace(t)
	admin := testenv.SecureCQLSession(t, rig)
	suffix := uniqueSuffix()
	ks, other := "roles_a_"+suffix, "roles_other_"+suffix
	tmKeyspace(t, other, admin)
	ca, err := os.ReadFile(rig.Cluster3CA)
	if err != nil {
		t.Fatal(err)
	}
	conn := secureSpec(rig, "creds", "ca")
	conn.Default = true
	conn.LocalDatacenter = "dc3"
	mustCreate(t,
		secret(ns, "creds", map[string]string{"username": rig.Cluster3User, "password": rig.Cluster3Password}),
		secret(ns, "ca", map[string]string{"ca.crt": string(ca)}),
		connection(ns, "c3", conn),
	)
	waitReady(t, ns, "c3", metav1.ConditionTrue, cqlv1.ReasonConnected, connectTimeout)
	mustCreate(t, keyspaceObj(ns, "ks", cqlv1.KeyspaceSpec{Name: ks, Replication: simpleRF(1), DeletionPolicy: cqlv1.DeletionPolicyDelete}))
	waitSchema[cqlv1.Keyspace](t, ns, "ks", metav1.ConditionTrue, cqlv1.ReasonSynced, tableTimeout, nil)
	cql(t, admin, `CREATE TABLE "`+ks+`".orders (id int PRIMARY KEY, v text)`, `CREATE TABLE "`+other+`".secrets (id int PRIMARY KEY, v text)`)

	role := "app_" + suffix
	dropRoleAfter(t, admin, role)
	mustCreate(t, roleObj(ns, "app", cqlv1.CassandraRoleSpec{Name: role, DeletionPolicy: cqlv1.DeletionPolicyDelete,
		Grants: []cqlv1.Grant{{Keyspace: cqlv1.KeyspaceName(ks), Permissions: []cqlv1.Permission{"SELECT", "MODIFY"}}}}))
	r := waitSchema[cqlv1.CassandraRole](t, ns, "app", metav1.ConditionTrue, cqlv1.ReasonSynced, tableTimeout, nil)
	if r.Status.Role != role || r.Status.CredentialsSecret != "app-cassandra" || r.Status.PasswordRotatedAt == nil {
		t.Errorf("status: %+v", r.Status)
	}
	creds := credentialsOf(t, ns, "app-cassandra")
	password := creds["password"]
	if creds["username"] != role || len(password) != 32 || creds["hosts"] != rig.Cluster3 || creds["port"] != "9042" ||
		creds["localDatacenter"] != "dc3" || creds["keyspace"] != ks {
		t.Fatalf("the credentials Secret: %v", creds)
	}
	waitObjectEvent(t, ns, "CassandraRole", "app", string(cqlv1.EventRoleCreated), role)
	waitObjectEvent(t, ns, "CassandraRole", "app", string(cqlv1.EventPermissionGranted), "MODIFY")

	// The application, with the Secret as it is.
	app, err := loginAs(rig, creds["username"], password)
	if err != nil {
		t.Fatalf("the application cannot log in with the credentials Secret: %v", err)
	}
	defer app.Close()
	cql(t, app, `INSERT INTO "`+ks+`".orders (id, v) VALUES (1, 'one')`)
	var v string
	if err := app.Query(`SELECT v FROM "` + ks + `".orders WHERE id = 1`).Scan(&v); err != nil || v != "one" {
		t.Errorf("the application reads its own table: %q %v", v, err)
	}
	for _, stmt := range []string{
		`SELECT v FROM "` + other + `".secrets WHERE id = 1`,
		`CREATE KEYSPACE "` + other + `_x" WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}`,
		`DROP TABLE "` + ks + `".orders`,
	} {
		if err := app.Query(stmt).Exec(); err == nil || !strings.Contains(err.Error(), "Unauthorized") && !strings.Contains(err.Error(), "has no") {
			t.Errorf("%s as the application: %v, want Unauthorized", stmt, err)
		}
	}

	// Out of band: LOGIN off, SUPERUSER on, a grant nobody declared. All set back.
	cql(t, admin, `ALTER ROLE "`+role+`" WITH LOGIN = false AND SUPERUSER = true`, `GRANT SELECT ON KEYSPACE "`+other+`" TO "`+role+`"`)
	eventually(t, 30*time.Second, func() error {
		live, err := introspect.ReadRole(context.Background(), admin, role)
		if err != nil || live == nil {
			return fmt.Errorf("reading the role: %v", err)
		}
		if !live.Login || live.Superuser || len(live.Permissions[introspect.DataResource{Keyspace: other}]) != 0 {
			return fmt.Errorf("not set back: %+v", live)
		}
		return nil
	})
	waitObjectEvent(t, ns, "CassandraRole", "app", string(cqlv1.EventPermissionRevoked), other)

	// Dropped out of band: created again, with the Secret's password and its grants.
	cql(t, admin, `DROP ROLE "`+role+`"`)
	eventually(t, 30*time.Second, func() error {
		s, err := loginAs(rig, role, password)
		if err != nil {
			return fmt.Errorf("not created again yet: %v", err)
		}
		defer s.Close()
		return s.Query(`SELECT v FROM "` + ks + `".orders WHERE id = 1`).Scan(&v)
	})
	waitObjectEvent(t, ns, "CassandraRole", "app", string(cqlv1.EventRoleAltered), "login true (Cassandra has false)")

	// ALL: stored as its parts, and a resync runs nothing.
	updateObject(t, ns, "app", func(r *cqlv1.CassandraRole) {
		r.Spec.Grants = []cqlv1.Grant{{Keyspace: cqlv1.KeyspaceName(ks), Permissions: []cqlv1.Permission{"ALL"}}}
	})
	waitSchema[cqlv1.CassandraRole](t, ns, "app", metav1.ConditionTrue, cqlv1.ReasonSynced, tableTimeout, func(r *cqlv1.CassandraRole) error {
		if r.Status.ObservedGeneration != r.Generation {
			return fmt.Errorf("generation %d not observed", r.Generation)
		}
		return nil
	})
	assertRoleQuiet(t, ns, "app", "c3")
	if err := app.Query(`DROP TABLE "` + ks + `".orders`).Exec(); err != nil {
		t.Errorf("with ALL the application may drop its table: %v", err)
	}

	// Rotation: a new password in the Secret, then the role; the old one fails.
	updateObject(t, ns, "app", func(r *cqlv1.CassandraRole) {
		r.Annotations = map[string]string{cqlv1.AnnotationRotatePassword: "1"}
	})
	var rotated string
	eventually(t, 30*time.Second, func() error {
		rotated = credentialsOf(t, ns, "app-cassandra")["password"]
		if rotated == password {
			return fmt.Errorf("the Secret still has the old password")
		}
		s, err := loginAs(rig, role, rotated)
		if err != nil {
			return fmt.Errorf("the new password does not work yet: %v", err)
		}
		s.Close()
		return nil
	})
	if s, err := loginAs(rig, role, password); err == nil {
		s.Close()
		t.Error("the old password still works after rotation")
	}
	waitObjectEvent(t, ns, "CassandraRole", "app", string(cqlv1.EventRoleAltered), "the password")

	// The plaintext passwords are nowhere but in the Secret.
	assertNoPassword(t, rig, ns, "app", password, rotated)

	// A role made by hand, imported (cqlsync import --roles): adopted with no statement, and its
	// password left as it is.
	legacy := "legacy_" + suffix
	dropRoleAfter(t, admin, legacy)
	cql(t, admin, `CREATE ROLE "`+legacy+`" WITH PASSWORD = 'legacy-pw' AND LOGIN = true`,
		`GRANT ALL ON KEYSPACE "`+ks+`" TO "`+legacy+`"`, `GRANT SELECT ON TABLE "`+other+`".secrets TO "`+legacy+`"`)
	live, err := introspect.ReadRole(context.Background(), admin, legacy)
	if err != nil || live == nil {
		t.Fatalf("reading %s: %v", legacy, err)
	}
	out := adopt.Roles([]*introspect.Role{live}, plan.Version{Major: 5}, adopt.Options{Namespace: ns})
	if len(out.Documents) != 1 {
		t.Fatalf("import: %+v", out)
	}
	imported := out.Documents[0].Object.(*cqlv1.CassandraRole)
	if g := imported.Spec.Grants; len(g) != 2 || fmt.Sprint(g[0].Permissions) != "[ALL]" || imported.Spec.Password == nil || !imported.Spec.Password.Unmanaged {
		t.Errorf("imported: %+v", imported.Spec)
	}
	before := ddlStats(ns, "c3")
	mustCreate(t, imported)
	waitSchema[cqlv1.CassandraRole](t, ns, imported.Name, metav1.ConditionTrue, cqlv1.ReasonSynced, tableTimeout, nil)
	if now := ddlStats(ns, "c3"); now.Statements != before.Statements {
		t.Errorf("adopting an imported role ran %d statements", now.Statements-before.Statements)
	}
	if s, err := loginAs(rig, legacy, "legacy-pw"); err != nil {
		t.Errorf("the imported role's password changed: %v", err)
	} else {
		s.Close()
	}

	// Deleted with deletionPolicy Delete: the role is dropped.
	deleteAndWait(t, roleObj(ns, "app", cqlv1.CassandraRoleSpec{}), tableTimeout)
	if live, err := introspect.ReadRole(context.Background(), admin, role); err != nil || live != nil {
		t.Errorf("the role after deletion: %+v %v", live, err)
	}
}

// assertRoleQuiet waits for two more plans on the connection and checks that no statement ran
// and the CassandraRole's status was not written.
func assertRoleQuiet(t *testing.T, ns, name, conn string) {
	t.Helper()
	before, err := getObject[cqlv1.CassandraRole](ns, name)
	if err != nil {
		t.Fatal(err)
	}
	stats := ddlStats(ns, conn)
	eventually(t, tableTimeout, func() error {
		if now := ddlStats(ns, conn); now.Plans < stats.Plans+2 {
			return fmt.Errorf("%d plans since, want 2 resyncs", now.Plans-stats.Plans)
		}
		return nil
	})
	if now := ddlStats(ns, conn); now.Statements != stats.Statements {
		t.Errorf("a resync of a role with ALL ran %d statements", now.Statements-stats.Statements)
	}
	after, err := getObject[cqlv1.CassandraRole](ns, name)
	if err != nil {
		t.Fatal(err)
	}
	if after.ResourceVersion != before.ResourceVersion {
		t.Errorf("a resync with nothing to change wrote the CassandraRole: %+v", after.Status)
	}
}

// assertNoPassword checks that none of the passwords is in the resource, what cqlsync plan
// prints of it, its events, the manager's log or cluster3's audit log (which logs role statements, category DCL).
func assertNoPassword(t *testing.T, rig testenv.Rig, ns, name string, passwords ...string) {
	t.Helper()
	r, err := getObject[cqlv1.CassandraRole](ns, name)
	if err != nil {
		t.Fatal(err)
	}
	obj, _ := json.Marshal(r)
	// What cqlsync plan prints of it: the engine's preview, the CLI's code path.
	rp, err := engine.PlanAny(context.Background(), engine.Options{Client: managerClient,
		Clusters: engine.NewClusters(reg, apply.Default, introspect.DefaultSchemaCache)}, r)
	if err != nil {
		t.Fatal(err)
	}
	planned, _ := json.Marshal(rp)
	var events corev1.EventList
	_ = k8s.List(context.Background(), &events)
	evs, _ := json.Marshal(events)
	audit, err := os.ReadFile(rig.AuditLog("cluster3"))
	if err != nil {
		t.Fatalf("cluster3's audit log: %v", err)
	}
	if !strings.Contains(string(audit), "CREATE ROLE IF NOT EXISTS") {
		t.Fatalf("cluster3's audit log has no CREATE ROLE: is DCL audited? (hack/cassandra.sh)")
	}
	for _, pw := range passwords {
		for what, text := range map[string]string{"the CassandraRole": string(obj), "cqlsync plan": string(planned), "the events": string(evs), "the manager's log": managerLog.String(), "the audit log": string(audit)} {
			if strings.Contains(text, pw) {
				t.Errorf("a password is in %s", what)
			}
		}
	}
}
