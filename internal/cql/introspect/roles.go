package introspect

import (
	"context"
	"fmt"
	"slices"
	"strings"

	gocql "github.com/apache/cassandra-gocql-driver/v2"
	"github.com/cqlsync/cqlsync/internal/cql/schema"
)

// Role is a row of system_auth.roles with the role's permissions on data (keyspaces and tables)
// from system_auth.role_permissions. The hash is read only to check a password against it.
type Role struct {
	Name       string
	Login      bool
	Superuser  bool
	SaltedHash string
	// MemberOf are the roles granted to this one (GRANT r TO this), sorted.
	MemberOf []string
	// Permissions maps each data resource the role has permissions on to them, sorted.
	Permissions map[DataResource][]string
	// Others are the role's permissions on resources that are not keyspaces or tables (roles,
	// functions, MBeans), as "PERMISSION resource", sorted.
	Others []string
}

// DataResource is a keyspace (Table "") or a table of it; the zero value is ALL KEYSPACES.
type DataResource struct {
	Keyspace, Table string
}

// String is the resource as CQL names it: KEYSPACE ks, TABLE ks.t, ALL KEYSPACES.
func (d DataResource) String() string {
	switch {
	case d.Keyspace == "":
		return "ALL KEYSPACES"
	case d.Table == "":
		return "KEYSPACE " + schema.MaybeQuote(d.Keyspace)
	}
	return "TABLE " + schema.MaybeQuote(d.Keyspace) + "." + schema.MaybeQuote(d.Table)
}

// parseDataResource reads a resource of system_auth.role_permissions ("data", "data/ks",
// "data/ks/t"); ok is false for other resources.
func parseDataResource(s string) (DataResource, bool) {
	parts := strings.Split(s, "/")
	if parts[0] != "data" || len(parts) > 3 {
		return DataResource{}, false
	}
	var d DataResource
	if len(parts) > 1 {
		d.Keyspace = parts[1]
	}
	if len(parts) > 2 {
		d.Table = parts[2]
	}
	return d, true
}

const (
	selectRole            = `SELECT role, can_login, is_superuser, salted_hash, member_of FROM system_auth.roles WHERE role = ?`
	selectRolePermissions = `SELECT resource, permissions FROM system_auth.role_permissions WHERE role = ?`
	selectRoleNames       = `SELECT role FROM system_auth.roles`
)

// ReadRole reads a role and its permissions (two queries, at QUORUM as Cassandra's own auth reads
// them); nil when it does not exist.
func ReadRole(ctx context.Context, s *gocql.Session, name string) (*Role, error) {
	var (
		r        = &Role{Name: name, Permissions: map[DataResource][]string{}}
		memberOf []string
		hash     *string
	)
	it := s.Query(selectRole, name).Consistency(gocql.Quorum).Idempotent(true).IterContext(ctx)
	found := it.Scan(&r.Name, &r.Login, &r.Superuser, &hash, &memberOf)
	if err := it.Close(); err != nil {
		return nil, fmt.Errorf("reading system_auth.roles: %w", err)
	}
	if !found {
		return nil, nil
	}
	if hash != nil {
		r.SaltedHash = *hash
	}
	r.MemberOf = slices.Sorted(slices.Values(memberOf))
	it = s.Query(selectRolePermissions, name).Consistency(gocql.Quorum).Idempotent(true).IterContext(ctx)
	var resource string
	var perms []string
	for it.Scan(&resource, &perms) {
		if d, ok := parseDataResource(resource); ok {
			r.Permissions[d] = slices.Sorted(slices.Values(perms))
			continue
		}
		for _, p := range perms {
			r.Others = append(r.Others, p+" "+resource)
		}
	}
	if err := it.Close(); err != nil {
		return nil, fmt.Errorf("reading system_auth.role_permissions: %w", err)
	}
	slices.Sort(r.Others)
	return r, nil
}

// ReadRoleNames lists the roles of the cluster, sorted (for cqlsync import).
func ReadRoleNames(ctx context.Context, s *gocql.Session) ([]string, error) {
	return readNames(ctx, s, selectRoleNames)
}
