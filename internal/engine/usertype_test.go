package engine

import (
	"slices"
	"strings"
	"testing"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
	"github.com/cqlsync/cqlsync/internal/cql/introspect"
	"github.com/cqlsync/cqlsync/internal/engine/enginetest"
)

func TestUserTypeDesired(t *testing.T) {
	ut := enginetest.SampleUserType()
	ut.Spec.Fields = append(ut.Spec.Fields, cqlv1.Field{Name: "tags", Type: "SET<varchar>"}, cqlv1.Field{Name: "geo", Type: "tuple<double, double>"},
		cqlv1.Field{Name: "prev", Type: "frozen<ks1.old_address>"})
	d, p := userTypeAdapter{}.desired(ut)
	if p != nil {
		t.Fatal(p.Message)
	}
	if d.Name != "address" || len(d.Fields) != 5 || d.Fields[2].Type.String() != "set<text>" || d.Fields[3].Type.String() != "frozen<tuple<double, double>>" {
		t.Fatalf("desired = %+v", d)
	}
	if got := (userTypeAdapter{}).usedTypes(ut); !slices.Equal(got, []string{"old_address"}) {
		t.Fatalf("usedTypes = %q", got)
	}
	bad := []struct {
		name, typ, want string
	}{
		{"does not parse", "map<text>", "spec.fields[1] (zip): "},
		{"counter", "counter", "spec.fields[1] (zip): a user-defined type cannot contain counters"},
		{"non-frozen type", "old_address", "spec.fields[1] (zip): a field cannot be a non-frozen user-defined type: write frozen<old_address>"},
		{"non-frozen type in a collection", "list<old_address>", "non-frozen user-defined types are not allowed inside collections"},
		{"itself", "frozen<address>", `spec.fields[1] (zip): type "address" cannot use itself`},
		{"itself, nested", "map<text, frozen<address>>", "cannot use itself"},
	}
	for _, tt := range bad {
		ut := enginetest.SampleUserType()
		ut.Spec.Fields[1].Type = tt.typ
		if _, p := (userTypeAdapter{}).desired(ut); p == nil || p.Reason != cqlv1.ReasonInvalidType || !strings.Contains(p.Message, tt.want) {
			t.Errorf("%s: problem = %+v, want InvalidType saying %q", tt.name, p, tt.want)
		}
	}
}

func TestUserTypeDrop(t *testing.T) {
	ut := enginetest.SampleUserType()
	a := userTypeAdapter{}
	if p, inUse := a.drop(ut, "ks1", nil); p != nil || inUse != nil {
		t.Fatalf("missing keyspace: %v %+v", p, inUse)
	}
	live := enginetest.KeyspaceSchema("ks1")
	if p, inUse := a.drop(ut, "ks1", live); p != nil || inUse != nil {
		t.Fatalf("missing type: %v %+v", p, inUse)
	}
	live.Types["address"] = &introspect.UserType{Name: "address"}
	if p, inUse := a.drop(ut, "ks1", live); len(p) != 1 || p[0].CQL != `DROP TYPE IF EXISTS "ks1"."address"` || inUse != nil {
		t.Fatalf("unused type: %v %+v", p, inUse)
	}
	live.Types["person"] = &introspect.UserType{Name: "person", Fields: []introspect.Field{{Name: "home", Type: "frozen<address>"}}}
	live.Tables["b"] = &introspect.Table{Name: "b", Columns: []introspect.Column{{Name: "x", Type: "list<frozen<address>>"}}}
	live.Tables["a"] = &introspect.Table{Name: "a", Columns: []introspect.Column{{Name: "x", Type: "address"}}}
	p, inUse := a.drop(ut, "ks1", live)
	if p != nil || inUse == nil || inUse.Reason != cqlv1.ReasonInUse ||
		inUse.Message != `type "address" is still used by tables "a", "b" and types "person" of keyspace "ks1"` {
		t.Fatalf("used type: %v %+v", p, inUse)
	}
}
