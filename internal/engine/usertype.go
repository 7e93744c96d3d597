package engine

import (
	"fmt"
	"strings"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
	"github.com/cqlsync/cqlsync/internal/cql/introspect"
	"github.com/cqlsync/cqlsync/internal/cql/plan"
	"github.com/cqlsync/cqlsync/internal/cql/render"
	"github.com/cqlsync/cqlsync/internal/cql/schema"
)

// userTypeAdapter makes the schema reconciler keep user-defined types: cqlengine's UserType plus
// management.sync_type on every connection x keyspace. Missing types are created and new fields
// added; a field Cassandra cannot change (a retyped or removed field) blocks the target.
type userTypeAdapter struct{ keyspaceLive }

// desired parses the fields' types and checks what Cassandra refuses in a type: counters,
// non-frozen user-defined types (directly; inside collections the parser refuses them), and the
// type using itself. Types of other keyspaces and unknown types are checked per target.
func (userTypeAdapter) desired(ut *cqlv1.UserType) (plan.UserType, *Problem) {
	d := plan.UserType{Name: ut.CQLName()}
	invalid := func(format string, args ...any) (plan.UserType, *Problem) {
		return d, &Problem{Reason: cqlv1.ReasonInvalidType, Message: fmt.Sprintf(format, args...)}
	}
	for i, f := range ut.Spec.Fields {
		field := fmt.Sprintf("spec.fields[%d] (%s)", i, f.Name)
		t, err := schema.ParseType(f.Type)
		switch {
		case err != nil:
			return invalid("%s: %v", field, err)
		case t.IsCounter():
			return invalid("%s: a user-defined type cannot contain counters", field)
		case t.Kind == schema.KindUDT && !t.Frozen:
			return invalid("%s: a field cannot be a non-frozen user-defined type: write frozen<%s>", field, t)
		}
		for _, name := range t.UDTs() {
			if name == d.Name {
				return invalid("%s: type %s cannot use itself", field, render.Ident(name))
			}
		}
		d.Fields = append(d.Fields, plan.Field{Name: string(f.Name), Type: t})
	}
	return d, nil
}

// typeRefs are the fields' types, for the pipeline to check the types they use.
func (userTypeAdapter) typeRefs(d plan.UserType) []typeRef {
	return typeRefsOf("spec.fields", d.Fields, func(f plan.Field) (string, schema.Type) { return f.Name, f.Type })
}

// plan is sync_type's comparison, stricter: see plan.ForUserType.
func (userTypeAdapter) plan(d plan.UserType, keyspace string, live *introspect.KeyspaceSchema, _ plan.Version) plan.Result {
	d.Keyspace = keyspace
	return plan.ForUserType(d, live)
}

// drop drops the type unless a table or another type of the keyspace still uses it: Cassandra
// would refuse, so the deletion waits (InUse) and says who.
func (userTypeAdapter) drop(ut *cqlv1.UserType, keyspace string, live *introspect.KeyspaceSchema) (plan.Plan, *Problem) {
	name := ut.CQLName()
	if live == nil || !live.HasType(name) {
		return nil, nil
	}
	tables, types := plan.TypeUsers(live, name)
	if len(tables)+len(types) == 0 {
		return plan.DropTypeIfExists(keyspace, name), nil
	}
	var users []string
	if len(tables) > 0 {
		users = append(users, "tables "+render.IdentList(tables))
	}
	if len(types) > 0 {
		users = append(users, "types "+render.IdentList(types))
	}
	return nil, &Problem{Reason: cqlv1.ReasonInUse, Message: fmt.Sprintf("type %s is still used by %s of keyspace %s",
		render.Ident(name), strings.Join(users, " and "), render.Ident(keyspace))}
}

// usedTypes are the user-defined types of the fields that parse.
func (userTypeAdapter) usedTypes(ut *cqlv1.UserType) []string {
	var names []string
	for _, f := range ut.Spec.Fields {
		names = appendUDTs(names, f.Type)
	}
	return names
}

// indexes: a type has no indexes.
func (userTypeAdapter) indexes(plan.UserType) []string { return nil }

// unsupported: every supported Cassandra release has what a UserType declares.
func (userTypeAdapter) unsupported(plan.UserType, plan.Version, *introspect.KeyspaceSchema) []plan.Difference {
	return nil
}
