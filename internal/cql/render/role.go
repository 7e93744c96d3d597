package render

import (
	"strings"
)

// Redacted stands for a password hash in what cqlsync shows of a statement (plans, status,
// events, logs): the hash is sent to Cassandra, never shown.
const Redacted = "'<redacted>'"

// RoleOptions are the options of CREATE ROLE or ALTER ROLE; nil means not set.
type RoleOptions struct {
	// HashedPassword is a bcrypt hash, sent as HASHED PASSWORD.
	HashedPassword *string
	Login          *bool
	Superuser      *bool
}

// with renders the WITH clause, the hash as hash (or Redacted when redact is set).
func (o RoleOptions) with(redact bool) string {
	var parts []string
	if o.HashedPassword != nil {
		h := String(*o.HashedPassword)
		if redact {
			h = Redacted
		}
		parts = append(parts, "HASHED PASSWORD = "+h)
	}
	if o.Login != nil {
		parts = append(parts, "LOGIN = "+Bool(*o.Login))
	}
	if o.Superuser != nil {
		parts = append(parts, "SUPERUSER = "+Bool(*o.Superuser))
	}
	if len(parts) == 0 {
		return ""
	}
	return " WITH " + strings.Join(parts, " AND ")
}

// CreateRole renders CREATE ROLE IF NOT EXISTS with its options, and the same statement with the
// password hash redacted (what cqlsync shows):
//
//	CREATE ROLE IF NOT EXISTS "app" WITH HASHED PASSWORD = '$2a$10$...' AND LOGIN = true AND SUPERUSER = false
func CreateRole(role string, o RoleOptions) (cql, shown string) {
	s := "CREATE ROLE IF NOT EXISTS " + Ident(role)
	return s + o.with(false), s + o.with(true)
}

// AlterRole renders ALTER ROLE with the options that change, and its redacted form.
func AlterRole(role string, o RoleOptions) (cql, shown string) {
	s := "ALTER ROLE " + Ident(role)
	return s + o.with(false), s + o.with(true)
}

// DropRole renders DROP ROLE IF EXISTS "role".
func DropRole(role string) string { return "DROP ROLE IF EXISTS " + Ident(role) }

// Resource is what a permission is on: a keyspace (Table "") or one of its tables; the zero
// value is ALL KEYSPACES.
type Resource struct {
	Keyspace, Table string
}

// CQL is the resource as GRANT names it: KEYSPACE "ks", TABLE "ks"."t" or ALL KEYSPACES.
func (r Resource) CQL() string {
	if r.Keyspace == "" {
		return "ALL KEYSPACES"
	}
	if r.Table == "" {
		return "KEYSPACE " + Ident(r.Keyspace)
	}
	return "TABLE " + QualifiedName(r.Keyspace, r.Table)
}

// Grant renders GRANT permission ON resource TO "role". permission is one of Cassandra's
// permission names, which the caller checks (see plan.Permissions): never user text.
func Grant(permission string, on Resource, role string) string {
	return "GRANT " + permission + " ON " + on.CQL() + " TO " + Ident(role)
}

// Revoke renders REVOKE permission ON resource FROM "role".
func Revoke(permission string, on Resource, role string) string {
	return "REVOKE " + permission + " ON " + on.CQL() + " FROM " + Ident(role)
}
