package integration

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	gocql "github.com/apache/cassandra-gocql-driver/v2"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
)

func userTypeObj(ns, name string, spec cqlv1.UserTypeSpec) *cqlv1.UserType {
	return &cqlv1.UserType{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}, Spec: spec}
}

// fields makes spec.fields from "name type" pairs.
func fields(pairs ...string) []cqlv1.Field {
	var out []cqlv1.Field
	for i := 0; i+1 < len(pairs); i += 2 {
		out = append(out, cqlv1.Field{Name: cqlv1.FieldName(pairs[i]), Type: pairs[i+1]})
	}
	return out
}

// liveFields reads a type's fields with the test's own query, as "name type, name type"; "" when
// the type does not exist.
func liveFields(t *testing.T, s *gocql.Session, keyspace, name string) string {
	t.Helper()
	var names, types []string
	err := s.Query(`SELECT field_names, field_types FROM system_schema.types WHERE keyspace_name = ? AND type_name = ?`, keyspace, name).Scan(&names, &types)
	if errors.Is(err, gocql.ErrNotFound) {
		return ""
	}
	if err != nil {
		t.Fatalf("reading type %s.%s: %v", keyspace, name, err)
	}
	parts := make([]string, len(names))
	for i := range names {
		parts[i] = names[i] + " " + types[i]
	}
	return strings.Join(parts, ", ")
}

// waitLiveFields waits until the type's fields read want ("" for no type).
func waitLiveFields(t *testing.T, s *gocql.Session, keyspace, name, want string) {
	t.Helper()
	eventually(t, tableTimeout, func() error {
		if got := liveFields(t, s, keyspace, name); got != want {
			return fmt.Errorf("type %s.%s fields %q, want %q", keyspace, name, got, want)
		}
		return nil
	})
}
