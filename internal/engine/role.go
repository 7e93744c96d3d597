package engine

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
	"github.com/cqlsync/cqlsync/internal/cql/introspect"
	"github.com/cqlsync/cqlsync/internal/cql/plan"
	"github.com/cqlsync/cqlsync/internal/cql/render"
	"github.com/cqlsync/cqlsync/internal/credentials"
)

// roleAdapter makes the pipeline keep roles: CREATE ROLE with a password hash, ALTER ROLE where
// LOGIN, SUPERUSER or the password differ, and exactly the grants of the spec (GRANT what is
// missing, REVOKE what no grant declares). Its targets are connections, like a Keyspace's; the
// role's password comes from a Secret (prepare, role_credentials.go).
type roleAdapter struct{}

// desiredRole is a CassandraRole's spec, with its password once prepared.
type desiredRole struct {
	plan.Role
	grants []cqlv1.Grant
}

func (roleAdapter) typeRefs(desiredRole) []typeRef          { return nil }
func (roleAdapter) usedTypes(*cqlv1.CassandraRole) []string { return nil }
func (roleAdapter) indexes(desiredRole) []string            { return nil }

// desired reads the spec; the API server checked its names and permissions.
func (roleAdapter) desired(r *cqlv1.CassandraRole) (desiredRole, *Problem) {
	d := desiredRole{Role: plan.Role{Name: r.CQLName(), Login: r.CanLogin(), Superuser: r.Spec.Superuser}, grants: r.Spec.Grants}
	for i, g := range r.Spec.Grants {
		if len(g.Tables) > 0 {
			for _, p := range g.Permissions {
				if p == "CREATE" {
					return d, &Problem{Reason: cqlv1.ReasonInvalidSpec, Message: fmt.Sprintf("spec.grants[%d]: CREATE is a keyspace permission, not a table's", i)}
				}
			}
		}
	}
	return d, nil
}

// permitted refuses the role cassandra, and, through a ClusterCassandraConnection, a role its
// spec.allowedRoles does not allow and any superuser.
func (roleAdapter) permitted(obj Object, v *connView, role, namespace string) *Problem {
	notPermitted := func(format string, args ...any) *Problem {
		return &Problem{Reason: cqlv1.ReasonNotPermitted, State: cqlv1.TargetFailed, Message: fmt.Sprintf(format, args...)}
	}
	switch {
	case strings.EqualFold(role, cqlv1.DefaultSuperuser):
		return notPermitted("role %q is Cassandra's default superuser: cqlsync never manages it", role)
	case v.shared == nil:
		return nil
	case !v.shared.RoleAllowed(role, namespace):
		allowed := "none: the list is empty"
		if len(v.shared.AllowedRoles) > 0 {
			allowed = strings.Join(v.shared.AllowedRoles, ", ")
		}
		return notPermitted("ClusterCassandraConnection %q does not allow role %q to namespace %q (its spec.allowedRoles: %s; %s is %q there)",
			v.ref.Name, role, namespace, allowed, cqlv1.NamespacePlaceholder, cqlv1.NamespaceCQLName(namespace))
	}
	if r, ok := obj.(*cqlv1.CassandraRole); ok && r.Spec.Superuser {
		return notPermitted("spec.superuser: a superuser role cannot be managed through ClusterCassandraConnection %q: a shared connection gives no namespace power over the whole cluster", v.ref.Name)
	}
	return nil
}

// checkTarget refuses a target when a grant names a keyspace the namespace may not use through
// that connection: a system keyspace, one the connection's allow-list does not allow, or one
// another namespace's Keyspace owns and does not share (NotPermitted); and when the cluster runs
// without authentication or authorization (UnsupportedByServer, Blocked until it is enabled).
func (roleAdapter) checkTarget(ctx context.Context, c client.Client, clusters Clusters, cl Cluster, r *cqlv1.CassandraRole, d desiredRole, ref cqlv1.ConnectionRef) (*Problem, error) {
	if p := authProblem(ctx, cl, d, ref); p != nil {
		return p, nil
	}
	for i, g := range d.grants {
		p, err := KeyspaceAccess(ctx, c, clusters, r.Namespace, ref, string(g.Keyspace), fmt.Sprintf("a grant of role %q", d.Name))
		if err != nil || p != nil {
			if p != nil {
				p = &Problem{Reason: p.Reason, State: cqlv1.TargetFailed, Message: fmt.Sprintf("spec.grants[%d]: %s", i, p.Message)}
			}
			return p, err
		}
	}
	return nil, nil
}

// authProblem refuses a role on a cluster that runs without authentication (Cassandra refuses
// CREATE ROLE from an anonymous client, and no role could log in) or, when the role has grants,
// without authorization (Cassandra refuses GRANT). Settings that cannot be read (a release
// before 4.0, a role that may not read system_views) refuse nothing: Cassandra answers for itself.
func authProblem(ctx context.Context, cl Cluster, d desiredRole, ref cqlv1.ConnectionRef) *Problem {
	if cl == nil {
		return nil
	}
	auth, err := cl.Auth(ctx)
	if err != nil {
		log.FromContext(ctx).V(1).Info("cannot read the cluster's authenticator and authorizer", "connection", ref.Name, "error", err.Error())
		return nil
	}
	var missing []string
	if auth.WithoutAuthentication() {
		missing = append(missing, "authentication")
	}
	if auth.WithoutAuthorization() && len(d.grants) > 0 {
		missing = append(missing, "authorization")
	}
	if len(missing) == 0 {
		return nil
	}
	return &Problem{Reason: cqlv1.ReasonUnsupportedByServer, State: cqlv1.TargetBlocked, Message: fmt.Sprintf(
		"the cluster of %s %q runs without %s (%s): Cassandra has no roles to log in with or permissions to check there. Enable PasswordAuthenticator and CassandraAuthorizer on every node (cassandra.yaml), or remove the connection from spec.connections",
		kindName(ref), ref.Name, strings.Join(missing, " and "), auth)}
}

// observe reads the role (each time: roles change without schema events).
func (roleAdapter) observe(ctx context.Context, c Cluster, _, name string) (*introspect.Role, error) {
	return c.Role(ctx, name)
}

func (roleAdapter) keyspaceOf(*introspect.Role) *introspect.KeyspaceSchema { return nil }

// version digests the live role: its flags, its hash and its permissions.
func (roleAdapter) version(live *introspect.Role, _ introspect.Object) string {
	if live == nil {
		return "absent"
	}
	b, _ := json.Marshal(struct {
		Login, Superuser bool
		Hash             string
		Permissions      map[string][]string
	}{live.Login, live.Superuser, live.SaltedHash, permissionsByName(live.Permissions)})
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:8])
}

func permissionsByName(m map[introspect.DataResource][]string) map[string][]string {
	out := make(map[string][]string, len(m))
	for r, p := range m {
		out[r.String()] = p
	}
	return out
}

// grantsFor expands the spec's grants for a server release: each resource with the permissions
// Cassandra stores for them (ALL expanded), and the permissions the release lacks.
func grantsFor(grants []cqlv1.Grant, server plan.Version) (map[introspect.DataResource][]string, []string) {
	out := map[introspect.DataResource][]string{}
	var lacking []string
	for _, g := range grants {
		var resources []introspect.DataResource
		if len(g.Tables) == 0 {
			resources = append(resources, introspect.DataResource{Keyspace: string(g.Keyspace)})
		}
		for _, t := range g.Tables {
			resources = append(resources, introspect.DataResource{Keyspace: string(g.Keyspace), Table: string(t)})
		}
		perms := make([]string, len(g.Permissions))
		for i, p := range g.Permissions {
			perms[i] = string(p)
		}
		for _, r := range resources {
			expanded, bad := plan.ExpandPermissions(append(slices.Clone(perms), out[r]...), r, server)
			out[r] = expanded
			for _, b := range bad {
				lacking = append(lacking, fmt.Sprintf("permission %s on %s", b, (render.Resource{Keyspace: r.Keyspace, Table: r.Table}).CQL()))
			}
		}
	}
	return out, lacking
}

// plan makes the role match: its password is hashed only when it must be sent.
func (roleAdapter) plan(d desiredRole, _ string, live *introspect.Role, server plan.Version) plan.Result {
	pd := d.Role
	pd.Grants, _ = grantsFor(d.grants, server)
	if pd.Password != "" && (live == nil || !credentials.Matches(live.SaltedHash, pd.Password)) {
		h, err := credentials.Hash(pd.Password)
		if err != nil {
			return plan.Result{Blocked: []plan.Difference{{Kind: plan.DiffPassword, Message: err.Error()}}}
		}
		pd.Hash = h
	}
	return plan.ForRole(pd, live, server, credentials.Matches)
}

func (roleAdapter) drop(r *cqlv1.CassandraRole, _ string, live *introspect.Role) (plan.Plan, *Problem) {
	if live == nil {
		return nil, nil
	}
	return plan.DropRoleIfExists(r.CQLName()), nil
}

// Releases that have what a role asks for.
var (
	featureHashedPassword = plan.Version{Major: 4, Minor: 1} // CREATE/ALTER ROLE ... HASHED PASSWORD
	featureMaskPermission = plan.Version{Major: 5, Minor: 0} // UNMASK, SELECT_MASKED
)

// unsupported: a password needs HASHED PASSWORD (4.1), since cqlsync never sends one as text;
// UNMASK and SELECT_MASKED need 5.0.
func (roleAdapter) unsupported(d desiredRole, server plan.Version, _ *introspect.Role) []plan.Difference {
	if server.IsZero() {
		return nil
	}
	var out []plan.Difference
	need := func(v plan.Version, what string) {
		if server.Less(v) {
			out = append(out, plan.Difference{Kind: plan.DiffUnsupported, Message: fmt.Sprintf("%s needs Cassandra %d.%d or later; the server runs %s", what, v.Major, v.Minor, server)})
		}
	}
	if d.Password != "" || d.PasswordPending {
		need(featureHashedPassword, "a password sent as a hash (HASHED PASSWORD; cqlsync never sends a password as text)")
	}
	_, lacking := grantsFor(d.grants, server)
	for _, l := range lacking {
		need(featureMaskPermission, l)
	}
	return out
}
