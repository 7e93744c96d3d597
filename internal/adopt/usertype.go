package adopt

import (
	"fmt"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
	"github.com/cqlsync/cqlsync/internal/cql/introspect"
	"github.com/cqlsync/cqlsync/internal/cql/render"
	"github.com/cqlsync/cqlsync/internal/cql/schema"
)

// maxFields is the most fields a UserType holds.
const maxFields = 256

// userType is the UserType of a user-defined type, fields in their stored order, or why there
// is none.
func userType(ut *introspect.UserType, opts Options, n *namer) (*cqlv1.UserType, *Skip) {
	skip := func(format string, args ...any) (*cqlv1.UserType, *Skip) {
		return nil, &Skip{What: "type " + render.Ident(ut.Name), Reason: fmt.Sprintf(format, args...)}
	}
	if !isWordName(ut.Name, maxObjectName) {
		return skip("a UserType's name has 1 to %d letters, digits and _", maxObjectName)
	}
	// A type whose name Cassandra writes unquoted must read back as that type (not int, not map).
	if t, err := schema.ParseType(schema.MaybeQuote(ut.Name)); err != nil || t.Kind != schema.KindUDT {
		return skip("its name is the name of a CQL type, which a UserType cannot have")
	}
	if len(ut.Fields) == 0 || len(ut.Fields) > maxFields {
		return skip("it has %d fields (a UserType has 1 to %d)", len(ut.Fields), maxFields)
	}
	out := &cqlv1.UserType{
		TypeMeta:   typeMeta("UserType"),
		ObjectMeta: objectMeta(n.userType(ut.Keyspace, ut.Name), opts),
		Spec: cqlv1.UserTypeSpec{
			Name:           ut.Name,
			Keyspaces:      []cqlv1.KeyspaceName{cqlv1.KeyspaceName(ut.Keyspace)},
			Connections:    connections(opts),
			DeletionPolicy: cqlv1.DeletionPolicyRetain,
		},
	}
	for _, f := range ut.Fields {
		if why := typeProblem("field", f.Name, f.Type); why != "" {
			return skip("%s", why)
		}
		if t, _ := schema.ParseType(f.Type); t.IsCounter() {
			return skip("field %s is a counter, which a type cannot hold", render.Ident(f.Name))
		}
		out.Spec.Fields = append(out.Spec.Fields, cqlv1.Field{Name: cqlv1.FieldName(f.Name), Type: f.Type})
	}
	return out, nil
}

// typeProblem says why a column or field (what) cannot be written as it is stored: a name the API
// does not accept, or a type that cqlsync does not read back to the stored text (which would make
// the operator see a different type). "" when it can.
func typeProblem(what, name, typ string) string {
	if !isWordName(name, maxColumnName) {
		return fmt.Sprintf("%s %s: a cqlsync %s name has 1 to %d letters, digits and _", what, render.Ident(name), what, maxColumnName)
	}
	if len(typ) > maxTypeText {
		return fmt.Sprintf("%s %s: its type is longer than %d characters", what, render.Ident(name), maxTypeText)
	}
	t, err := schema.ParseType(typ)
	if err != nil {
		return fmt.Sprintf("%s %s: cqlsync cannot read its type %s: %v", what, render.Ident(name), typ, err)
	}
	if t.String() != typ {
		return fmt.Sprintf("%s %s: cqlsync reads its type %s as %s", what, render.Ident(name), typ, t.String())
	}
	return ""
}
