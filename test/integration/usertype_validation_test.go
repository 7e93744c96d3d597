package integration

import (
	"fmt"
	"strings"
	"testing"

	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
)

// TestUserTypeValidation: the API server rejects each bad UserType with the field named.
func TestUserTypeValidation(t *testing.T) {
	ns := newNamespace(t)
	good := func() cqlv1.UserTypeSpec {
		return cqlv1.UserTypeSpec{Fields: fields("street", "text", "zip", "int")}
	}
	cases := []struct {
		name   string
		obj    string
		mutate func(s *cqlv1.UserTypeSpec)
		want   string
	}{
		{"no field", "a", func(s *cqlv1.UserTypeSpec) { s.Fields = nil }, "spec.fields"},
		{"duplicate field", "a", func(s *cqlv1.UserTypeSpec) { s.Fields = append(s.Fields, fields("zip", "text")...) }, "spec.fields[2]: Duplicate value"},
		{"bad field name", "a", func(s *cqlv1.UserTypeSpec) { s.Fields[1].Name = "zip-code" }, "spec.fields[1].name"},
		{"empty field type", "a", func(s *cqlv1.UserTypeSpec) { s.Fields[1].Type = "" }, "spec.fields[1].type"},
		{"bad type name", "a", func(s *cqlv1.UserTypeSpec) { s.Name = "my.type" }, "spec.name"},
		{"type name of a CQL type", "a", func(s *cqlv1.UserTypeSpec) { s.Name = "text" }, "spec.name cannot be the name of a CQL type"},
		{"metadata.name of a CQL type", "map", func(s *cqlv1.UserTypeSpec) {}, "metadata.name cannot be used as the type name: it is the name of a CQL type"},
		{"metadata.name too long", strings.Repeat("x", 49), func(s *cqlv1.UserTypeSpec) {}, "metadata.name cannot be used as the type name (at most 48 characters"},
		{"bad keyspace", "a", func(s *cqlv1.UserTypeSpec) { s.Keyspaces = []cqlv1.KeyspaceName{"ks-1"} }, "spec.keyspaces[0]"},
		{"bad connection", "a", func(s *cqlv1.UserTypeSpec) { s.Connections = connNames("Conn_1") }, "spec.connections: each item must be the name of a CassandraConnection"},
		{"bad deletion policy", "a", func(s *cqlv1.UserTypeSpec) { s.DeletionPolicy = "Drop" }, "spec.deletionPolicy"},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			spec := good()
			tc.mutate(&spec)
			name := tc.obj
			if name == "a" {
				name = fmt.Sprintf("bad-%d", i)
			}
			err := k8s.Create(ctx, userTypeObj(ns, name, spec))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("want a rejection naming %q, got %v", tc.want, err)
			}
		})
	}

	// A type named like a CQL type but in upper case is quoted by Cassandra: allowed.
	upper := good()
	upper.Name = "Text"
	mustCreate(t, userTypeObj(ns, "upper", upper))
	// spec.name is immutable once set.
	named := good()
	named.Name = "address"
	mustCreate(t, userTypeObj(ns, "named", named))
	eventually(t, 10*time.Second, func() error {
		ut, err := getObject[cqlv1.UserType](ns, "named")
		if err != nil {
			return err
		}
		ut.Spec.Name = "other"
		err = k8s.Update(ctx, ut)
		if apierrors.IsConflict(err) {
			return err // the controller wrote it meanwhile (its finalizer): read it again
		}
		if err == nil || !strings.Contains(err.Error(), "spec.name is immutable") {
			t.Fatalf("changing spec.name: %v", err)
		}
		return nil
	})
}
