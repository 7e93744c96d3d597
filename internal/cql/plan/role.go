package plan

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/cqlsync/cqlsync/internal/cql/introspect"
	"github.com/cqlsync/cqlsync/internal/cql/render"
)

// Statement kinds of roles.
const (
	CreateRole       Kind = "CreateRole"
	AlterRole        Kind = "AlterRole"
	DropRole         Kind = "DropRole"
	GrantPermission  Kind = "GrantPermission"
	RevokePermission Kind = "RevokePermission"
)

// DiffPassword: the role's password cannot be prepared (hashing failed).
const DiffPassword DifferenceKind = "Password"

// Role is a desired role: what a CassandraRole says, its password resolved.
type Role struct {
	Name             string
	Login, Superuser bool
	// Password is what a login role's password must be; "" for a role without one. It is never
	// put in a statement: only Hash is.
	Password string
	// Hash is a bcrypt hash of Password, sent (as HASHED PASSWORD) when the role is created or its
	// password must be set.
	Hash string
	// PasswordPending: the role will get a password that is not known yet (cqlsync plan, before
	// the operator generates it): CREATE ROLE shows one, and an existing role's is left alone.
	PasswordPending bool
	// Grants are the permissions the role must have, by resource; ALL is expanded (see
	// ExpandPermissions). No other permission on data is left to it.
	Grants map[introspect.DataResource][]string
}

// Permissions on data, as Cassandra names them, and the releases that have each.
var (
	keyspacePermissions = []string{"ALTER", "AUTHORIZE", "CREATE", "DROP", "MODIFY", "SELECT"}
	tablePermissions    = []string{"ALTER", "AUTHORIZE", "DROP", "MODIFY", "SELECT"}
	// maskPermissions came with column masks, in 5.0.
	maskPermissions = []string{"SELECT_MASKED", "UNMASK"}
)

// ApplicablePermissions are the permissions Cassandra of the given release has for a keyspace or
// a table (Table set): what ALL stands for there.
func ApplicablePermissions(on introspect.DataResource, server Version) []string {
	out := slices.Clone(keyspacePermissions)
	if on.Table != "" {
		out = slices.Clone(tablePermissions)
	}
	if server.IsZero() || !server.Less(featureMask) {
		out = append(out, maskPermissions...)
	}
	slices.Sort(out)
	return out
}

// ExpandPermissions turns a grant's permissions into the ones Cassandra stores: ALL becomes every
// applicable permission, and the result is sorted, each once. A permission that does not apply
// to the resource (CREATE on a table, UNMASK before 5.0) is returned in bad.
func ExpandPermissions(perms []string, on introspect.DataResource, server Version) (out, bad []string) {
	applicable := ApplicablePermissions(on, server)
	set := map[string]bool{}
	for _, p := range perms {
		switch {
		case p == "ALL":
			for _, a := range applicable {
				set[a] = true
			}
		case slices.Contains(applicable, p):
			set[p] = true
		default:
			bad = append(bad, p)
		}
	}
	return slices.Sorted(maps.Keys(set)), bad
}

// PasswordMatches says whether a stored hash is of a password (credentials.Matches); a
// parameter, so that this package stays free of the slow check.
type PasswordMatches func(hash, password string) bool

// ForRole compares the desired role with the live one (nil: CREATE ROLE, then its grants) and
// returns the statements that make it match: ALTER ROLE for LOGIN, SUPERUSER and a password that
// is not the one wanted (it was changed out of band, or rotated), then the GRANTs that are
// missing and the REVOKEs of permissions on data that no grant declares. Permissions on other
// resources (roles, functions) and roles granted to the role are reported as drift: a
// CassandraRole cannot declare them.
func ForRole(d Role, live *introspect.Role, server Version, matches PasswordMatches) Result {
	var res Result
	q := render.Ident(d.Name)
	if live == nil {
		o := render.RoleOptions{Login: &d.Login, Superuser: &d.Superuser}
		if d.Password != "" || d.PasswordPending {
			o.HashedPassword = &d.Hash
		}
		cql, shown := render.CreateRole(d.Name, o)
		res.Plan = append(res.Plan, Statement{Kind: CreateRole, CQL: cql, Redacted: shown,
			Summary: fmt.Sprintf("create role %s (login %v, superuser %v)", q, d.Login, d.Superuser)})
		res.Plan = append(res.Plan, grantChanges(d, nil)...)
		return res
	}
	var o render.RoleOptions
	var changes []string
	if live.Login != d.Login {
		o.Login = &d.Login
		changes = append(changes, fmt.Sprintf("login %v (Cassandra has %v)", d.Login, live.Login))
	}
	if live.Superuser != d.Superuser {
		o.Superuser = &d.Superuser
		changes = append(changes, fmt.Sprintf("superuser %v (Cassandra has %v)", d.Superuser, live.Superuser))
	}
	if d.Password != "" && !matches(live.SaltedHash, d.Password) {
		o.HashedPassword = &d.Hash
		changes = append(changes, "the password of the credentials (Cassandra has another)")
	}
	if len(changes) > 0 {
		cql, shown := render.AlterRole(d.Name, o)
		res.Plan = append(res.Plan, Statement{Kind: AlterRole, CQL: cql, Redacted: shown,
			Summary: "alter role " + q + ": " + strings.Join(changes, ", ")})
	}
	res.Plan = append(res.Plan, grantChanges(d, live.Permissions)...)
	for _, p := range live.Others {
		res.Drift = append(res.Drift, fmt.Sprintf("permission %s is not on a keyspace or a table: a CassandraRole cannot declare it, and it is kept", p))
	}
	for _, m := range live.MemberOf {
		res.Drift = append(res.Drift, fmt.Sprintf("role %s is granted to the role: a CassandraRole cannot declare it, and it is kept", render.Ident(m)))
	}
	return res
}

// grantChanges are the GRANTs of the desired permissions live lacks and the REVOKEs of the live
// ones no grant declares, by resource (in a stable order), one permission per statement: what
// Cassandra stores, so that a resync compares like with like.
func grantChanges(d Role, live map[introspect.DataResource][]string) Plan {
	resources := map[introspect.DataResource]bool{}
	for r := range d.Grants {
		resources[r] = true
	}
	for r := range live {
		resources[r] = true
	}
	var out Plan
	for _, r := range slices.SortedFunc(maps.Keys(resources), compareResources) {
		want, have := d.Grants[r], live[r]
		var grant, revoke []string
		for _, p := range want {
			if !slices.Contains(have, p) {
				grant = append(grant, p)
			}
		}
		for _, p := range have {
			if !slices.Contains(want, p) {
				revoke = append(revoke, p)
			}
		}
		on := render.Resource{Keyspace: r.Keyspace, Table: r.Table}
		for _, p := range revoke {
			out = append(out, Statement{Kind: RevokePermission, CQL: render.Revoke(p, on, d.Name),
				Summary: fmt.Sprintf("revoke %s on %s from %s (not in spec.grants)", p, resourceText(r), render.Ident(d.Name))})
		}
		for _, p := range grant {
			out = append(out, Statement{Kind: GrantPermission, CQL: render.Grant(p, on, d.Name),
				Summary: fmt.Sprintf("grant %s on %s to %s", p, resourceText(r), render.Ident(d.Name))})
		}
	}
	return out
}

func resourceText(r introspect.DataResource) string {
	return (render.Resource{Keyspace: r.Keyspace, Table: r.Table}).CQL()
}

func compareResources(a, b introspect.DataResource) int {
	if c := strings.Compare(a.Keyspace, b.Keyspace); c != 0 {
		return c
	}
	return strings.Compare(a.Table, b.Table)
}

// DropRoleIfExists is the statement that drops the role, whether or not it exists.
func DropRoleIfExists(name string) Plan {
	return Plan{{Kind: DropRole, CQL: render.DropRole(name), Summary: "drop role " + render.Ident(name)}}
}
