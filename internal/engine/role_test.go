package engine

import (
	"context"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
	"github.com/cqlsync/cqlsync/internal/cql/introspect"
	"github.com/cqlsync/cqlsync/internal/credentials"
	"github.com/cqlsync/cqlsync/internal/engine/enginetest"
)

func roleWith(ns, name string, change func(*cqlv1.CassandraRoleSpec)) *cqlv1.CassandraRole {
	r := &cqlv1.CassandraRole{ObjectMeta: enginetest.ObjMeta(ns, name, time.Hour),
		Spec: cqlv1.CassandraRoleSpec{Grants: []cqlv1.Grant{{Keyspace: "shop", Permissions: []cqlv1.Permission{"SELECT"}}}}}
	if change != nil {
		change(&r.Spec)
	}
	return r
}

// TestRoleThroughSharedConnection: through a ClusterCassandraConnection a role must match its
// spec.allowedRoles (${namespace} placeholder), is never a superuser, and never cassandra;
// nothing is read or planned for a refused target.
func TestRoleThroughSharedConnection(t *testing.T) {
	shared := &cqlv1.ClusterCassandraConnection{ObjectMeta: metav1.ObjectMeta{Name: "shared", CreationTimestamp: enginetest.RefTime}}
	shared.Spec.Hosts = []cqlv1.Host{"127.0.0.1"}
	shared.Spec.AllowedNamespaces = &metav1.LabelSelector{}
	shared.Spec.AllowedRoles = []string{"${namespace}_*"}
	shared.Status.Conditions = []metav1.Condition{{Type: cqlv1.ConditionReady, Status: metav1.ConditionTrue, Reason: cqlv1.ReasonConnected, LastTransitionTime: enginetest.RefTime}}
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "team-a"}}
	ref := []cqlv1.ConnectionRef{cqlv1.ClusterScoped("shared")}
	for _, c := range []struct {
		name, role string
		superuser  bool
		want       string // reason
		message    string
	}{
		{"allowed", "team_a_app", false, cqlv1.ReasonPending, "statement(s) to run"},
		{"another team's", "team_b_app", false, cqlv1.ReasonNotPermitted, `does not allow role "team_b_app" to namespace "team-a" (its spec.allowedRoles: ${namespace}_*; ${namespace} is "team_a" there)`},
		{"superuser", "team_a_admin", true, cqlv1.ReasonNotPermitted, "a superuser role cannot be managed through ClusterCassandraConnection"},
		{"cassandra", "cassandra", false, cqlv1.ReasonNotPermitted, "Cassandra's default superuser"},
	} {
		r := roleWith("team-a", "r", func(s *cqlv1.CassandraRoleSpec) {
			s.Name, s.Superuser, s.Connections = c.role, c.superuser, ref
			s.Login = ptr(false)
		})
		fc := enginetest.NewFakeCluster()
		opts := Options{Client: fakeClient(t, nil, shared, ns, r), Clusters: clusterScopedClusters{fc}}
		rp, err := PlanAny(context.Background(), opts, r)
		if err != nil || len(rp.Targets) != 1 {
			t.Fatalf("%s: %+v %v", c.name, rp, err)
		}
		if tg := rp.Targets[0]; tg.Reason != c.want || !strings.Contains(tg.Message, c.message) {
			t.Errorf("%s: %+v", c.name, tg)
		}
	}
}

// TestRoleCredentials: applying a login role generates its password into the credentials Secret
// (the connection's hosts, port and datacenter beside it) before the role is created with its
// hash; a second reconcile keeps that password and plans nothing; the rotation annotation
// generates a new one and alters the role. cqlsync plan (Preview) writes nothing.
func TestRoleCredentials(t *testing.T) {
	ctx := context.Background()
	conn := enginetest.ReadyConn("ns", "c1", true, "")
	conn.Spec.LocalDatacenter, conn.Spec.Port = "dc1", 9142
	conn.Status.Hosts = []cqlv1.HostStatus{{Address: "127.0.0.1", Up: true, ReleaseVersion: "5.0.9"}}
	r := roleWith("ns", "app", nil)
	c := fakeClient(t, nil, conn, r)
	fc := enginetest.NewFakeCluster()
	fc.Roles = map[string]*introspect.Role{}
	p := CassandraRoles(testOptions(c, enginetest.FakeClusters{"c1": fc}))

	rp, err := p.Preview(ctx, r)
	if err != nil || len(rp.Targets) != 1 || len(rp.Targets[0].Statements) != 2 ||
		!strings.Contains(rp.Targets[0].Statements[0].CQL, "HASHED PASSWORD = '<redacted>'") {
		t.Fatalf("preview: %+v %v", rp, err)
	}
	var sec corev1.Secret
	if err := c.Get(ctx, types.NamespacedName{Namespace: "ns", Name: "app-cassandra"}, &sec); err == nil {
		t.Fatal("a preview wrote the credentials Secret")
	}

	apply := func() {
		t.Helper()
		w, err := p.Plan(ctx, r, Apply)
		if err != nil {
			t.Fatal(err)
		}
		p.Execute(ctx, w)
	}
	apply()
	if err := c.Get(ctx, types.NamespacedName{Namespace: "ns", Name: "app-cassandra"}, &sec); err != nil {
		t.Fatal(err)
	}
	pw := string(sec.Data["password"])
	if len(pw) != 32 || string(sec.Data["username"]) != "app" || string(sec.Data["hosts"]) != "127.0.0.1" || string(sec.Data["port"]) != "9142" ||
		string(sec.Data["localDatacenter"]) != "dc1" || string(sec.Data["keyspace"]) != "shop" || sec.Labels[LabelManagedBy] != "cqlsync" {
		t.Fatalf("the credentials Secret: %+v", sec)
	}
	ran := fc.Statements()
	if len(ran) != 2 || !strings.HasPrefix(ran[0], `CREATE ROLE IF NOT EXISTS "app" WITH HASHED PASSWORD = '$2a$10$`) || strings.Contains(strings.Join(ran, "\n"), pw) {
		t.Fatalf("ran: %q", ran)
	}
	hash := strings.Split(ran[0], "'")[1]
	if !credentials.Matches(hash, pw) {
		t.Fatal("the hash sent is not of the Secret's password")
	}
	if r.Status.CredentialsSecret != "app-cassandra" || r.Status.PasswordRotatedAt == nil {
		t.Errorf("status: %+v", r.Status)
	}

	// The role as Cassandra now has it: a resync plans nothing.
	fc.Roles["app"] = &introspect.Role{Name: "app", Login: true, SaltedHash: hash,
		Permissions: map[introspect.DataResource][]string{{Keyspace: "shop"}: {"SELECT"}}}
	if rp, err := p.Preview(ctx, r); err != nil || len(rp.Targets[0].Statements) != 0 {
		t.Errorf("resync: %+v %v", rp, err)
	}

	// Rotation.
	r.Annotations = map[string]string{cqlv1.AnnotationRotatePassword: "2026-12-07"}
	apply()
	if err := c.Get(ctx, types.NamespacedName{Namespace: "ns", Name: "app-cassandra"}, &sec); err != nil {
		t.Fatal(err)
	}
	if rotated := string(sec.Data["password"]); rotated == pw || sec.Annotations[cqlv1.AnnotationRotatedFor] != "2026-12-07" {
		t.Errorf("not rotated: %+v", sec)
	}
	if ran := fc.Statements(); len(ran) != 3 || !strings.HasPrefix(ran[2], `ALTER ROLE "app" WITH HASHED PASSWORD = '$2a$10$`) {
		t.Errorf("ran: %q", ran)
	}

	// A Secret of that name that is not cqlsync's is never overwritten.
	other := roleWith("ns", "other", func(s *cqlv1.CassandraRoleSpec) { s.CredentialsSecret = &cqlv1.CredentialsSecret{Name: "theirs"} })
	c2 := fakeClient(t, nil, conn, other, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "theirs"}})
	rp, err = CassandraRoles(testOptions(c2, enginetest.FakeClusters{"c1": enginetest.NewFakeCluster()})).Preview(ctx, other)
	if err != nil || rp.Targets[0].Reason != cqlv1.ReasonInvalidSpec || !strings.Contains(rp.Targets[0].Message, `Secret "theirs" exists and is not the credentials Secret`) {
		t.Errorf("someone else's Secret: %+v %v", rp, err)
	}
}

// TestRolePasswordFromSecret: a password from spec.password.secretRef is hashed and sent, copied
// into the credentials Secret; a missing Secret or key fails the targets naming the field, and
// an unmanaged password is never set (an existing role with any hash plans nothing).
func TestRolePasswordFromSecret(t *testing.T) {
	ctx := context.Background()
	conn := enginetest.ReadyConn("ns", "c1", true, "")
	r := roleWith("ns", "app", func(s *cqlv1.CassandraRoleSpec) {
		s.Password = &cqlv1.RolePassword{SecretRef: &cqlv1.PasswordSecretRef{Name: "mine", Key: "pw"}}
	})
	for _, c := range []struct {
		name    string
		secrets []*corev1.Secret
		reason  string
		message string
	}{
		{"no Secret", nil, cqlv1.ReasonSecretNotFound, `spec.password.secretRef: Secret "mine" not found`},
		{"no key", []*corev1.Secret{{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "mine"}, Data: map[string][]byte{"other": []byte("x")}}},
			cqlv1.ReasonSecretKeyNotFound, `spec.password.secretRef: Secret "mine" has no key "pw"`},
	} {
		objs := []client.Object{conn, r}
		for _, s := range c.secrets {
			objs = append(objs, s)
		}
		rp, err := CassandraRoles(testOptions(fakeClient(t, nil, objs...), enginetest.FakeClusters{"c1": enginetest.NewFakeCluster()})).Preview(ctx, r)
		if err != nil || len(rp.Targets) != 1 || rp.Targets[0].Reason != c.reason || !strings.Contains(rp.Targets[0].Message, c.message) {
			t.Errorf("%s: %+v %v", c.name, rp, err)
		}
	}

	mine := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "mine"}, Data: map[string][]byte{"pw": []byte("chosen-by-me")}}
	c := fakeClient(t, nil, conn, r, mine)
	fc := enginetest.NewFakeCluster()
	p := CassandraRoles(testOptions(c, enginetest.FakeClusters{"c1": fc}))
	w, err := p.Plan(ctx, r, Apply)
	if err != nil {
		t.Fatal(err)
	}
	p.Execute(ctx, w)
	ran := fc.Statements()
	if len(ran) == 0 || !credentials.Matches(strings.Split(ran[0], "'")[1], "chosen-by-me") {
		t.Fatalf("ran: %q", ran)
	}
	var sec corev1.Secret
	if err := c.Get(ctx, types.NamespacedName{Namespace: "ns", Name: "app-cassandra"}, &sec); err != nil || string(sec.Data["password"]) != "chosen-by-me" {
		t.Errorf("the credentials Secret: %+v %v", sec.Data, err)
	}

	unmanaged := roleWith("ns", "legacy", func(s *cqlv1.CassandraRoleSpec) { s.Password = &cqlv1.RolePassword{Unmanaged: true} })
	fc = enginetest.NewFakeCluster()
	fc.Roles = map[string]*introspect.Role{"legacy": {Name: "legacy", Login: true, SaltedHash: "$2a$10$whatever",
		Permissions: map[introspect.DataResource][]string{{Keyspace: "shop"}: {"SELECT"}}}}
	rp, err := CassandraRoles(testOptions(fakeClient(t, nil, conn, unmanaged), enginetest.FakeClusters{"c1": fc})).Preview(ctx, unmanaged)
	if err != nil || len(rp.Targets[0].Statements) != 0 || rp.Targets[0].Reason != cqlv1.ReasonSynced {
		t.Errorf("an unmanaged password: %+v %v", rp, err)
	}
}

// TestRoleOnClusterWithoutAuth: on a cluster that runs AllowAllAuthenticator a role is Blocked
// (UnsupportedByServer) naming what to enable, with nothing read or run; AllowAllAuthorizer
// blocks only a role with grants; settings that cannot be read refuse nothing.
func TestRoleOnClusterWithoutAuth(t *testing.T) {
	ctx := context.Background()
	allowAll := introspect.Auth{Authenticator: "org.apache.cassandra.auth.AllowAllAuthenticator", Authorizer: "org.apache.cassandra.auth.AllowAllAuthorizer"}
	noAuthz := introspect.Auth{Authenticator: "PasswordAuthenticator", Authorizer: "AllowAllAuthorizer"} // 4.x names them so
	on := introspect.Auth{Authenticator: "org.apache.cassandra.auth.PasswordAuthenticator", Authorizer: "org.apache.cassandra.auth.CassandraAuthorizer"}
	for _, c := range []struct {
		name   string
		auth   introspect.Auth
		grants bool
		state  cqlv1.TargetState
		reason string
		msg    string
	}{
		{"no authentication", allowAll, true, cqlv1.TargetBlocked, cqlv1.ReasonUnsupportedByServer,
			`the cluster of CassandraConnection "c1" runs without authentication and authorization (authenticator AllowAllAuthenticator, authorizer AllowAllAuthorizer): ` +
				`Cassandra has no roles to log in with or permissions to check there. Enable PasswordAuthenticator and CassandraAuthorizer on every node (cassandra.yaml), or remove the connection from spec.connections; nothing was read or executed`},
		{"no authentication, no grants", allowAll, false, cqlv1.TargetBlocked, cqlv1.ReasonUnsupportedByServer, "runs without authentication (authenticator AllowAllAuthenticator"},
		{"no authorization", noAuthz, true, cqlv1.TargetBlocked, cqlv1.ReasonUnsupportedByServer, "runs without authorization (authenticator PasswordAuthenticator, authorizer AllowAllAuthorizer)"},
		{"no authorization, no grants", noAuthz, false, cqlv1.TargetPending, cqlv1.ReasonPending, "statement(s) to run"},
		{"both on", on, true, cqlv1.TargetPending, cqlv1.ReasonPending, "statement(s) to run"},
		{"not known", introspect.Auth{}, true, cqlv1.TargetPending, cqlv1.ReasonPending, "statement(s) to run"},
	} {
		conn := enginetest.ReadyConn("ns", "c1", true, "")
		r := roleWith("ns", "app", func(s *cqlv1.CassandraRoleSpec) {
			s.Login = ptr(false)
			if !c.grants {
				s.Grants = nil
			}
		})
		fc := enginetest.NewFakeCluster()
		fc.Roles, fc.Authn = map[string]*introspect.Role{}, c.auth
		rp, err := CassandraRoles(testOptions(fakeClient(t, nil, conn, r), enginetest.FakeClusters{"c1": fc})).Preview(ctx, r)
		if err != nil || len(rp.Targets) != 1 {
			t.Fatalf("%s: %+v %v", c.name, rp, err)
		}
		if tg := rp.Targets[0]; tg.State != c.state || tg.Reason != c.reason || !strings.Contains(tg.Message, c.msg) {
			t.Errorf("%s: %+v", c.name, tg)
		}
		if c.state == cqlv1.TargetBlocked && len(rp.Targets[0].Statements) != 0 {
			t.Errorf("%s: statements planned: %+v", c.name, rp.Targets[0].Statements)
		}
	}
}
