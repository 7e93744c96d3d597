package adopt

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
	"github.com/cqlsync/cqlsync/internal/cql/introspect"
	"github.com/cqlsync/cqlsync/internal/cql/plan"
	"github.com/cqlsync/cqlsync/internal/cql/render"
)

// Roles builds the CassandraRoles of a cluster's roles, in one Output (File roles.yaml): each with
// its LOGIN and SUPERUSER, its password unmanaged (cqlsync import never reads or writes a password
// or its hash: the role keeps the one it has), and its permissions on keyspaces and tables as
// grants (ALL where it has every applicable permission of server's release). Applied, they adopt
// the roles with no statement. Left out: the role cassandra, roles whose names a CassandraRole
// cannot hold, and roles with permissions on ALL KEYSPACES (a grant names a keyspace).
// Permissions on other resources and roles granted to the role are kept, said in a comment.
func Roles(roles []*introspect.Role, server plan.Version, opts Options) Output {
	o := Output{File: "roles.yaml"}
	var names [][]string
	for _, r := range roles {
		names = append(names, []string{r.Name})
	}
	metaNames := uniqueNames(names)
	for _, r := range slices.SortedFunc(slices.Values(roles), func(a, b *introspect.Role) int { return strings.Compare(a.Name, b.Name) }) {
		cr, comments, skip := roleResource(r, server, metaNames[idOf(r.Name)], opts)
		if skip != nil {
			o.Skipped = append(o.Skipped, *skip)
			continue
		}
		o.Documents = append(o.Documents, Document{Comments: comments, Object: cr})
	}
	for _, s := range o.Skipped {
		o.Header = append(o.Header, "  "+s.String())
	}
	if len(o.Header) > 0 {
		o.Header = append([]string{"Not imported (cqlsync leaves these as they are):"}, o.Header...)
	}
	return o
}

func roleResource(r *introspect.Role, server plan.Version, metaName string, opts Options) (*cqlv1.CassandraRole, []string, *Skip) {
	skip := func(format string, args ...any) (*cqlv1.CassandraRole, []string, *Skip) {
		return nil, nil, &Skip{What: "role " + render.Ident(r.Name), Reason: fmt.Sprintf(format, args...)}
	}
	switch {
	case strings.EqualFold(r.Name, cqlv1.DefaultSuperuser):
		return skip("Cassandra's default superuser: cqlsync never manages it")
	case !isWordName(r.Name, maxObjectName):
		return skip("a CassandraRole's name has 1 to %d letters, digits and _", maxObjectName)
	case len(r.Permissions[introspect.DataResource{}]) > 0:
		return skip("it has permissions on ALL KEYSPACES (%s), which a grant cannot name", strings.Join(r.Permissions[introspect.DataResource{}], ", "))
	}
	login := r.Login
	cr := &cqlv1.CassandraRole{
		TypeMeta:   typeMeta("CassandraRole"),
		ObjectMeta: objectMeta(metaName, opts),
		Spec: cqlv1.CassandraRoleSpec{
			Name:           r.Name,
			Connections:    connections(opts),
			Login:          &login,
			Superuser:      r.Superuser,
			DeletionPolicy: cqlv1.DeletionPolicyRetain,
		},
	}
	if login {
		cr.Spec.Password = &cqlv1.RolePassword{Unmanaged: true}
	}
	byKeyspace := map[string][]introspect.DataResource{}
	for res := range r.Permissions {
		byKeyspace[res.Keyspace] = append(byKeyspace[res.Keyspace], res)
	}
	for _, ks := range slices.Sorted(maps.Keys(byKeyspace)) {
		for _, res := range slices.SortedFunc(slices.Values(byKeyspace[ks]), func(a, b introspect.DataResource) int { return strings.Compare(a.Table, b.Table) }) {
			g := cqlv1.Grant{Keyspace: cqlv1.KeyspaceName(res.Keyspace)}
			if res.Table != "" {
				g.Tables = []cqlv1.ColumnName{cqlv1.ColumnName(res.Table)}
			}
			perms := r.Permissions[res]
			if slices.Equal(perms, plan.ApplicablePermissions(res, server)) {
				perms = []string{"ALL"}
			}
			for _, p := range perms {
				g.Permissions = append(g.Permissions, cqlv1.Permission(p))
			}
			cr.Spec.Grants = append(cr.Spec.Grants, g)
		}
	}
	var comments []string
	for _, p := range r.Others {
		comments = append(comments, "kept as it is (a CassandraRole cannot declare it): permission "+p)
	}
	for _, m := range r.MemberOf {
		comments = append(comments, "kept as it is (a CassandraRole cannot declare it): role "+render.Ident(m)+" granted to this role")
	}
	return cr, comments, nil
}
