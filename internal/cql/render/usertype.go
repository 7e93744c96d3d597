package render

import "strings"

// Field is a field of CREATE TYPE or ALTER TYPE ADD.
type Field struct {
	Name string
	Type CQLType
}

// CreateType renders CREATE TYPE IF NOT EXISTS with the fields in order:
//
//	CREATE TYPE IF NOT EXISTS "ks"."address" ("street" text, "zip" int)
func CreateType(keyspace, name string, fields []Field) string {
	defs := make([]string, len(fields))
	for i, f := range fields {
		defs[i] = Ident(f.Name) + " " + f.Type.CQL()
	}
	return "CREATE TYPE IF NOT EXISTS " + QualifiedName(keyspace, name) + " (" + strings.Join(defs, ", ") + ")"
}

// AlterTypeAdd renders ALTER TYPE ADD for one field (Cassandra adds one field per statement):
//
//	ALTER TYPE "ks"."address" ADD "city" text
func AlterTypeAdd(keyspace, name string, f Field) string {
	return "ALTER TYPE " + QualifiedName(keyspace, name) + " ADD " + Ident(f.Name) + " " + f.Type.CQL()
}

// DropType renders DROP TYPE IF EXISTS "ks"."address".
func DropType(keyspace, name string) string {
	return "DROP TYPE IF EXISTS " + QualifiedName(keyspace, name)
}
