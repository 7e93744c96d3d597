package plan

import (
	"strings"
	"testing"

	"github.com/cqlsync/cqlsync/internal/cql/introspect"
)

func statementsText(p Plan) string {
	var out []string
	for _, st := range p {
		out = append(out, string(st.Kind)+": "+st.Shown())
	}
	return strings.Join(out, "\n")
}

// TestForRole: a new role is created with its password as a redacted hash and its grants; an
// existing one gets back its login, superuser flag, password and exactly its grants (ALL as what
// Cassandra stores: a role that has them plans nothing); what a role cannot declare is drift.
func TestForRole(t *testing.T) {
	v50 := Version{5, 0, 9}
	ks := introspect.DataResource{Keyspace: "shop"}
	orders := introspect.DataResource{Keyspace: "shop", Table: "orders"}
	all, bad := ExpandPermissions([]string{"ALL"}, ks, v50)
	if len(bad) > 0 || strings.Join(all, ",") != "ALTER,AUTHORIZE,CREATE,DROP,MODIFY,SELECT,SELECT_MASKED,UNMASK" {
		t.Fatalf("ALL on a keyspace on 5.0: %v %v", all, bad)
	}
	if old, _ := ExpandPermissions([]string{"ALL"}, orders, Version{4, 1, 10}); strings.Join(old, ",") != "ALTER,AUTHORIZE,DROP,MODIFY,SELECT" {
		t.Errorf("ALL on a table on 4.1: %v", old)
	}
	if _, bad := ExpandPermissions([]string{"SELECT", "CREATE"}, orders, v50); strings.Join(bad, ",") != "CREATE" {
		t.Errorf("CREATE on a table: %v", bad)
	}
	sel, _ := ExpandPermissions([]string{"SELECT", "MODIFY"}, orders, v50)
	d := Role{Name: "app", Login: true, Password: "s3cret", Hash: "$2a$10$abcdefghijklmnopqrstuv",
		Grants: map[introspect.DataResource][]string{ks: {"SELECT"}, orders: sel}}
	matches := func(hash, pw string) bool { return hash == "live-hash-of-"+pw }

	res := ForRole(d, nil, v50, matches)
	want := `CreateRole: CREATE ROLE IF NOT EXISTS "app" WITH HASHED PASSWORD = '<redacted>' AND LOGIN = true AND SUPERUSER = false
GrantPermission: GRANT SELECT ON KEYSPACE "shop" TO "app"
GrantPermission: GRANT MODIFY ON TABLE "shop"."orders" TO "app"
GrantPermission: GRANT SELECT ON TABLE "shop"."orders" TO "app"`
	if got := statementsText(res.Plan); got != want {
		t.Errorf("create:\n%s\nwant\n%s", got, want)
	}
	if !strings.Contains(res.Plan[0].CQL, "HASHED PASSWORD = '$2a$10$abcdefghijklmnopqrstuv'") {
		t.Errorf("the hash is not sent: %s", res.Plan[0].CQL)
	}
	for _, st := range res.Plan {
		if strings.Contains(st.CQL+st.Shown()+st.Summary, "s3cret") {
			t.Errorf("the password is in a statement: %+v", st)
		}
	}

	live := &introspect.Role{Name: "app", Login: true, SaltedHash: "live-hash-of-s3cret",
		Permissions: map[introspect.DataResource][]string{ks: {"SELECT"}, orders: {"MODIFY", "SELECT"}}}
	if res := ForRole(d, live, v50, matches); len(res.Plan)+len(res.Drift) != 0 {
		t.Errorf("in sync: %+v", res)
	}

	// Changed out of band: login off, superuser on, another password, a permission added, one
	// revoked, a permission on ALL KEYSPACES, a role granted, a function permission.
	live = &introspect.Role{Name: "app", Login: false, Superuser: true, SaltedHash: "live-hash-of-other",
		Permissions: map[introspect.DataResource][]string{{}: {"SELECT"}, ks: {"DROP", "SELECT"}, orders: {"SELECT"}},
		MemberOf:    []string{"admins"}, Others: []string{"EXECUTE functions/shop/f"}}
	res = ForRole(d, live, v50, matches)
	want = `AlterRole: ALTER ROLE "app" WITH HASHED PASSWORD = '<redacted>' AND LOGIN = true AND SUPERUSER = false
RevokePermission: REVOKE SELECT ON ALL KEYSPACES FROM "app"
RevokePermission: REVOKE DROP ON KEYSPACE "shop" FROM "app"
GrantPermission: GRANT MODIFY ON TABLE "shop"."orders" TO "app"`
	if got := statementsText(res.Plan); got != want {
		t.Errorf("drifted:\n%s\nwant\n%s", got, want)
	}
	if len(res.Drift) != 2 || !strings.Contains(res.Drift[0], "EXECUTE functions/shop/f") || !strings.Contains(res.Drift[1], `"admins"`) {
		t.Errorf("drift: %q", res.Drift)
	}
	if !strings.Contains(res.Plan[0].Summary, "login true (Cassandra has false), superuser false (Cassandra has true), the password") {
		t.Errorf("summary: %s", res.Plan[0].Summary)
	}
	if res.Plan[0].Additive() || res.Plan[1].Additive() || !res.Plan[3].Additive() {
		t.Error("ALTER ROLE and REVOKE wait for approval under AutoAdditive; GRANT does not")
	}
	if got := statementsText(DropRoleIfExists("app")); got != `DropRole: DROP ROLE IF EXISTS "app"` {
		t.Errorf("drop: %s", got)
	}
}
