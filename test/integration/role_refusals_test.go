package integration

import (
	"context"
	"os"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
	"github.com/cqlsync/cqlsync/internal/cql/apply"
	"github.com/cqlsync/cqlsync/internal/cql/introspect"
	"github.com/cqlsync/cqlsync/internal/engine"
	"github.com/cqlsync/cqlsync/test/rig/testenv"
)

// TestCassandraRoleRefusals: what a CassandraRole may not do, refused at admission (naming the
// field) or by the operator (NotPermitted, naming what refused it), with nothing created:
//   - a role name with CQL in it, the role cassandra, a permission that does not exist, a grant on
//     system_auth, CREATE on a table: admission;
//   - a grant on a keyspace another namespace's Keyspace owns (through a namespace's own
//     connection to the same cluster): NotPermitted, naming the owner and spec.grants[0];
//   - through a ClusterCassandraConnection: a role its allowedRoles (${namespace}_*) does not
//     allow, and a superuser: NotPermitted;
//   - a grant on a table that does not exist: Failed with Cassandra's message, naming the table;
//   - a role another namespace's CassandraRole manages on the same cluster: DuplicateOwner, naming
//     it, and deleting the duplicate drops nothing.
//
// And what cqlsync plan shows of a role: its password hash redacted.
func TestCassandraRoleRefusals(t *testing.T) {
	rig := testenv.Cassandra(t)
	admin := testenv.SecureCQLSession(t, rig)
	tenant := "rr" + uniqueSuffix()
	nsA := labeledNamespace(t, "roles-a", map[string]string{"tenant": tenant})
	nsB := labeledNamespace(t, "roles-b", map[string]string{"tenant": tenant})
	ca, err := os.ReadFile(rig.Cluster3CA)
	if err != nil {
		t.Fatal(err)
	}
	for _, ns := range []string{nsA, nsB} {
		conn := secureSpec(rig, "creds", "ca")
		conn.Default = true
		mustCreate(t,
			secret(ns, "creds", map[string]string{"username": rig.Cluster3User, "password": rig.Cluster3Password}),
			secret(ns, "ca", map[string]string{"ca.crt": string(ca)}),
			connection(ns, "c3", conn))
		waitReady(t, ns, "c3", metav1.ConditionTrue, cqlv1.ReasonConnected, connectTimeout)
	}

	// Admission.
	grant := []cqlv1.Grant{{Keyspace: "anything", Permissions: []cqlv1.Permission{"SELECT"}}}
	for _, c := range []struct {
		spec cqlv1.CassandraRoleSpec
		want string
	}{
		{cqlv1.CassandraRoleSpec{Name: `x" WITH SUPERUSER = true; --`, Grants: grant}, "spec.name"},
		{cqlv1.CassandraRoleSpec{Name: "Cassandra", Grants: grant}, "never manages it"},
		{cqlv1.CassandraRoleSpec{Grants: []cqlv1.Grant{{Keyspace: "k", Permissions: []cqlv1.Permission{"SUPERPOWER"}}}}, "spec.grants[0].permissions[0]"},
		{cqlv1.CassandraRoleSpec{Grants: []cqlv1.Grant{{Keyspace: "system_auth", Permissions: []cqlv1.Permission{"SELECT"}}}}, "system keyspaces"},
		{cqlv1.CassandraRoleSpec{Grants: []cqlv1.Grant{{Keyspace: "k", Tables: []cqlv1.ColumnName{"t"}, Permissions: []cqlv1.Permission{"CREATE"}}}}, "keyspace permissions"},
	} {
		if err := k8s.Create(context.Background(), roleObj(nsA, "bad", c.spec)); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v at admission: %v (want %q)", c.spec, err, c.want)
		}
	}

	// Team A's keyspace; team B's role may not be granted anything in it.
	ks := strings.ReplaceAll(nsA, "-", "_") + "_orders"
	mustCreate(t, keyspaceObj(nsA, "orders", cqlv1.KeyspaceSpec{Name: ks, Replication: simpleRF(1), DeletionPolicy: cqlv1.DeletionPolicyDelete}))
	waitSchema[cqlv1.Keyspace](t, nsA, "orders", metav1.ConditionTrue, cqlv1.ReasonSynced, tableTimeout, nil)
	sneaky := "sneaky_" + tenant
	dropRoleAfter(t, admin, sneaky)
	mustCreate(t, roleObj(nsB, "sneaky", cqlv1.CassandraRoleSpec{Name: sneaky, Login: ptrTo(false),
		Grants: []cqlv1.Grant{{Keyspace: cqlv1.KeyspaceName(ks), Permissions: []cqlv1.Permission{"SELECT"}}}}))
	r := waitSchema[cqlv1.CassandraRole](t, nsB, "sneaky", metav1.ConditionFalse, cqlv1.ReasonNotPermitted, tableTimeout, nil)
	if msg := r.Status.Targets[0].Message; !strings.Contains(msg, "spec.grants[0]") || !strings.Contains(msg, nsA+"/orders") {
		t.Errorf("a grant on team A's keyspace: %s", msg)
	}
	if live, err := introspect.ReadRole(context.Background(), admin, sneaky); err != nil || live != nil {
		t.Errorf("the refused role exists: %+v %v", live, err)
	}

	// A table that does not exist: Cassandra refuses the GRANT, and says which.
	missing := "ghost_" + tenant
	dropRoleAfter(t, admin, missing)
	mustCreate(t, roleObj(nsA, "ghost", cqlv1.CassandraRoleSpec{Name: missing, Login: ptrTo(false),
		Grants: []cqlv1.Grant{{Keyspace: cqlv1.KeyspaceName(ks), Tables: []cqlv1.ColumnName{"nope"}, Permissions: []cqlv1.Permission{"SELECT"}}}}))
	r = waitSchema[cqlv1.CassandraRole](t, nsA, "ghost", metav1.ConditionFalse, cqlv1.ReasonFailed, tableTimeout, nil)
	if msg := r.Status.Targets[0].Message; !strings.Contains(msg, "nope") {
		t.Errorf("a grant on a table that does not exist: %s", msg)
	}

	// One owner per role and cluster: team B's CassandraRole naming team A's role, through B's own
	// connection to the same cluster, is DuplicateOwner naming A's, and changes nothing; deleting
	// it, with deletionPolicy Delete, drops nothing.
	taken := "taken_" + tenant
	dropRoleAfter(t, admin, taken)
	mustCreate(t, roleObj(nsA, "taken", cqlv1.CassandraRoleSpec{Name: taken, Login: ptrTo(false)}))
	waitSchema[cqlv1.CassandraRole](t, nsA, "taken", metav1.ConditionTrue, cqlv1.ReasonSynced, tableTimeout, nil)
	copycat := roleObj(nsB, "copycat", cqlv1.CassandraRoleSpec{Name: taken, Login: ptrTo(false), DeletionPolicy: cqlv1.DeletionPolicyDelete,
		Grants: []cqlv1.Grant{{Keyspace: cqlv1.KeyspaceName(ks), Permissions: []cqlv1.Permission{"SELECT"}}}})
	mustCreate(t, copycat)
	r = waitSchema[cqlv1.CassandraRole](t, nsB, "copycat", metav1.ConditionFalse, cqlv1.ReasonDuplicateOwner, tableTimeout, nil)
	if tg := r.Status.Targets[0]; tg.Reason != cqlv1.ReasonDuplicateOwner || !strings.Contains(tg.Message, `CassandraRole "`+nsA+`/taken"`) {
		t.Errorf("a role another namespace's CassandraRole manages: %+v", tg)
	}
	t.Logf("a duplicate role: %s", r.Status.Targets[0].Message)
	deleteAndWait(t, copycat, tableTimeout)
	if live, err := introspect.ReadRole(context.Background(), admin, taken); err != nil || live == nil {
		t.Errorf("deleting the duplicate dropped team A's role: %+v %v", live, err)
	}
	waitSchema[cqlv1.CassandraRole](t, nsA, "taken", metav1.ConditionTrue, cqlv1.ReasonSynced, tableTimeout, nil)

	// Through a ClusterCassandraConnection.
	shared := "roles-" + tenant
	mustCreate(t, &cqlv1.ClusterCassandraConnection{ObjectMeta: metav1.ObjectMeta{Name: shared}, Spec: cqlv1.ClusterCassandraConnectionSpec{
		CassandraConnectionSpec: secureSpec(rig, "creds", "ca"),
		SecretsNamespace:        nsA,
		AllowedNamespaces:       &metav1.LabelSelector{MatchLabels: map[string]string{"tenant": tenant}},
		AllowedKeyspaces:        []string{"${namespace}_*"},
		AllowedRoles:            []string{"${namespace}_*"},
	}})
	t.Cleanup(func() {
		deleteAndWait(t, &cqlv1.ClusterCassandraConnection{ObjectMeta: metav1.ObjectMeta{Name: shared}}, keyspaceTimeout)
	})
	ref := []cqlv1.ConnectionRef{cqlv1.ClusterScoped(shared)}
	prefix := strings.ReplaceAll(nsB, "-", "_") + "_"
	for _, c := range []struct {
		name, role string
		superuser  bool
		want       string
	}{
		{"other", "elsewhere_" + tenant, false, `does not allow role "elsewhere_` + tenant + `"`},
		{"admin", prefix + "admin", true, "a superuser role cannot be managed through ClusterCassandraConnection"},
	} {
		mustCreate(t, roleObj(nsB, c.name, cqlv1.CassandraRoleSpec{Name: c.role, Superuser: c.superuser, Login: ptrTo(false), Connections: ref}))
		r := waitSchema[cqlv1.CassandraRole](t, nsB, c.name, metav1.ConditionFalse, cqlv1.ReasonNotPermitted, tableTimeout, nil)
		if msg := r.Status.Targets[0].Message; !strings.Contains(msg, c.want) {
			t.Errorf("%s: %s", c.name, msg)
		}
	}

	// What cqlsync plan shows: the hash redacted.
	preview := roleObj(nsA, "planned", cqlv1.CassandraRoleSpec{Name: "planned_" + tenant,
		Grants: []cqlv1.Grant{{Keyspace: cqlv1.KeyspaceName(ks), Permissions: []cqlv1.Permission{"SELECT"}}}})
	rp, err := engine.PlanAny(context.Background(), engine.Options{Client: managerClient, Clusters: engine.NewClusters(reg, apply.Default, introspect.DefaultSchemaCache)}, preview)
	if err != nil || len(rp.Targets) != 1 || len(rp.Targets[0].Statements) != 2 {
		t.Fatalf("preview: %+v %v", rp, err)
	}
	if st := rp.Targets[0].Statements[0].CQL; !strings.Contains(st, "HASHED PASSWORD = '<redacted>'") || strings.Contains(st, "$2a$") {
		t.Errorf("cqlsync plan shows %s", st)
	}
}

// TestCassandraRoleWithoutAuthentication: on a cluster that runs without authentication (cluster1,
// AllowAllAuthenticator and AllowAllAuthorizer, like the clusters of make run) a CassandraRole is
// Blocked with UnsupportedByServer, and Stalled, naming what to enable; nothing is sent there (no
// credentials reach Cassandra); deleting it with deletionPolicy Delete completes, since the role
// is not there.
func TestCassandraRoleWithoutAuthentication(t *testing.T) {
	rig := testenv.Cassandra(t)
	ns := newNamespace(t)
	readyConnection(t, ns, "c1", rig.Cluster1, "", true)
	role := "noauth_" + uniqueSuffix()
	r := roleObj(ns, "app", cqlv1.CassandraRoleSpec{Name: role, DeletionPolicy: cqlv1.DeletionPolicyDelete,
		Grants: []cqlv1.Grant{{Keyspace: "anything", Permissions: []cqlv1.Permission{"SELECT"}}}})
	mustCreate(t, r)
	r = waitSchema[cqlv1.CassandraRole](t, ns, "app", metav1.ConditionFalse, cqlv1.ReasonUnsupportedByServer, tableTimeout, nil)
	want := `runs without authentication and authorization (authenticator AllowAllAuthenticator, authorizer AllowAllAuthorizer): ` +
		`Cassandra has no roles to log in with or permissions to check there. Enable PasswordAuthenticator and CassandraAuthorizer on every node`
	if len(r.Status.Targets) != 1 || r.Status.Targets[0].State != cqlv1.TargetBlocked || !strings.Contains(r.Status.Targets[0].Message, want) {
		t.Errorf("targets: %+v", r.Status.Targets)
	}
	if c := meta.FindStatusCondition(r.Status.Conditions, cqlv1.ConditionStalled); c == nil || c.Status != metav1.ConditionTrue || c.Reason != cqlv1.ReasonUnsupportedByServer {
		t.Errorf("Stalled: %+v", c)
	}
	if n := ddlStats(ns, "c1").Statements; n != 0 {
		t.Errorf("%d statements ran on a cluster without authentication", n)
	}
	s := cqlSession(t, rig.Cluster1)
	if live, err := introspect.ReadRole(context.Background(), s, role); err != nil || live != nil {
		t.Errorf("the role on the cluster: %+v %v", live, err)
	}

	deleteAndWait(t, r, tableTimeout)
	if n := ddlStats(ns, "c1").Statements; n != 0 {
		t.Errorf("%d statements ran to delete a role that was never created", n)
	}
}
