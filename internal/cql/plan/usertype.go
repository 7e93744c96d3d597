package plan

import (
	"fmt"
	"slices"
	"strings"

	"github.com/cqlsync/cqlsync/internal/cql/introspect"
	"github.com/cqlsync/cqlsync/internal/cql/render"
	"github.com/cqlsync/cqlsync/internal/cql/schema"
)

// Statement kinds of user-defined types.
const (
	CreateType Kind = "CreateType"
	AddField   Kind = "AddTypeField"
	DropType   Kind = "DropType"
)

// UserType is a desired user-defined type: what a UserType resource says, with its field types
// parsed.
type UserType struct {
	Keyspace string
	Name     string
	// Fields in the order of the spec.
	Fields []Field
}

// Field is a desired field of a user-defined type.
type Field struct {
	Name string
	Type schema.Type
}

// ForUserType compares the desired type with the live keyspace (nil, or without the type: CREATE
// TYPE) and returns the statements that make the live type match: one ALTER TYPE ADD per missing
// field, in the order of the spec (Cassandra appends them to the type; it cannot reorder fields,
// so field order is not compared).
//
// Cassandra can neither drop a field nor change its type, so a live field with another type, or
// one the spec does not list, blocks the target: the result then has no statements, lists every
// such difference, and lists the extra fields as drift too.
//
// ForUserType is pure and deterministic; it never panics, whatever the inputs.
func ForUserType(desired UserType, ks *introspect.KeyspaceSchema) Result {
	var live *introspect.UserType
	if ks != nil {
		live = ks.Types[desired.Name]
	}
	q := render.QualifiedName(desired.Keyspace, desired.Name)
	if live == nil {
		fields := make([]render.Field, len(desired.Fields))
		for i, f := range desired.Fields {
			fields[i] = render.Field{Name: f.Name, Type: f.Type}
		}
		return Result{Plan: Plan{{Kind: CreateType, CQL: render.CreateType(desired.Keyspace, desired.Name, fields),
			Summary: "create type " + q + " (" + fieldList(desired.Fields) + ")"}}}
	}
	want := make(map[string]schema.Type, len(desired.Fields))
	for _, f := range desired.Fields {
		want[f.Name] = f.Type
	}
	var res Result
	have := make(map[string]bool, len(live.Fields))
	for _, lf := range live.Fields {
		have[lf.Name] = true
		t, ok := want[lf.Name]
		switch {
		case !ok:
			res.Blocked = append(res.Blocked, Difference{Kind: DiffFieldNotInSpec, Message: fmt.Sprintf(
				"field %s %s of type %s is not in spec.fields (Cassandra cannot drop a field: add it to spec.fields)", render.Ident(lf.Name), lf.Type, q)})
		case t.String() != lf.Type:
			res.Blocked = append(res.Blocked, Difference{Kind: DiffFieldType, Message: fmt.Sprintf(
				"field %s of type %s: Cassandra has type %s, the spec says %s (Cassandra cannot change a field's type)", render.Ident(lf.Name), q, lf.Type, t)})
		}
	}
	if len(res.Blocked) > 0 {
		return res
	}
	for _, f := range desired.Fields {
		if have[f.Name] {
			continue
		}
		res.Plan = append(res.Plan, Statement{Kind: AddField,
			CQL:     render.AlterTypeAdd(desired.Keyspace, desired.Name, render.Field{Name: f.Name, Type: f.Type}),
			Summary: "add field " + render.Ident(f.Name) + " " + f.Type.String() + " to type " + q})
	}
	return res
}

// DropTypeIfExists returns the statement that drops the type, whether or not it exists.
func DropTypeIfExists(keyspace, name string) Plan {
	return Plan{{Kind: DropType, CQL: render.DropType(keyspace, name), Summary: "drop type " + render.QualifiedName(keyspace, name)}}
}

// TypeUsers lists, sorted, the tables and the other user-defined types of the keyspace whose
// columns or fields use the type name at any depth: Cassandra refuses to drop a type while any
// remain. Live type texts that do not parse are skipped.
func TypeUsers(ks *introspect.KeyspaceSchema, name string) (tables, types []string) {
	if ks == nil {
		return nil, nil
	}
	uses := func(text string) bool {
		t, err := schema.ParseType(text)
		return err == nil && slices.Contains(t.UDTs(), name)
	}
	for _, t := range ks.Tables {
		if slices.ContainsFunc(t.Columns, func(c introspect.Column) bool { return uses(c.Type) }) {
			tables = append(tables, t.Name)
		}
	}
	for _, ut := range ks.Types {
		if ut.Name != name && slices.ContainsFunc(ut.Fields, func(f introspect.Field) bool { return uses(f.Type) }) {
			types = append(types, ut.Name)
		}
	}
	slices.Sort(tables)
	slices.Sort(types)
	return tables, types
}

func fieldList(fields []Field) string {
	parts := make([]string, len(fields))
	for i, f := range fields {
		parts[i] = render.Ident(f.Name) + " " + f.Type.String()
	}
	return strings.Join(parts, ", ")
}
