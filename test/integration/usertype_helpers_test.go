package integration

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	gocql "github.com/apache/cassandra-gocql-driver/v2"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

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

func getUserType(ns, name string) (*cqlv1.UserType, error) {
	ut := &cqlv1.UserType{}
	err := k8s.Get(ctx, client.ObjectKey{Namespace: ns, Name: name}, ut)
	return ut, err
}

// waitUserType waits for the Ready condition to have the status and reason and to describe the
// current generation, and for check (when given) to pass; it returns the UserType.
func waitUserType(t *testing.T, ns, name string, status metav1.ConditionStatus, reason string, check func(*cqlv1.UserType) error) *cqlv1.UserType {
	t.Helper()
	var ut *cqlv1.UserType
	eventually(t, tableTimeout, func() error {
		var err error
		if ut, err = getUserType(ns, name); err != nil {
			return err
		}
		c := meta.FindStatusCondition(ut.Status.Conditions, cqlv1.ConditionReady)
		if c == nil {
			return fmt.Errorf("usertype %s/%s has no Ready condition yet", ns, name)
		}
		if c.Status != status || c.Reason != reason || c.ObservedGeneration != ut.Generation || ut.Status.ObservedGeneration != ut.Generation {
			return fmt.Errorf("usertype %s/%s Ready=%s reason=%s gen=%d/%d message=%q; want %s %s",
				ns, name, c.Status, c.Reason, c.ObservedGeneration, ut.Generation, c.Message, status, reason)
		}
		if check != nil {
			return check(ut)
		}
		return nil
	})
	return ut
}

// updateUserType re-reads the UserType, applies change and updates it, retrying on conflicts.
func updateUserType(t *testing.T, ns, name string, change func(*cqlv1.UserType)) {
	t.Helper()
	eventually(t, 10*time.Second, func() error {
		ut, err := getUserType(ns, name)
		if err != nil {
			return err
		}
		change(ut)
		return k8s.Update(ctx, ut)
	})
}

// userTypeTarget returns the status target of a connection and keyspace.
func userTypeTarget(ut *cqlv1.UserType, conn, keyspace string) (cqlv1.TargetStatus, error) {
	for _, tg := range ut.Status.Targets {
		if tg.Connection == conn && tg.Keyspace == keyspace {
			return tg, nil
		}
	}
	return cqlv1.TargetStatus{}, fmt.Errorf("usertype %s has no target %s/%s: %+v", ut.Name, conn, keyspace, ut.Status.Targets)
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
