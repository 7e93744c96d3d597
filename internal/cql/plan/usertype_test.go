package plan

import (
	"slices"
	"strings"
	"testing"

	"github.com/cqlsync/cqlsync/internal/cql/introspect"
)

func address(t testing.TB, fields ...string) UserType {
	u := UserType{Keyspace: "ks1", Name: "address"}
	for i := 0; i+1 < len(fields); i += 2 {
		u.Fields = append(u.Fields, Field{Name: fields[i], Type: typeOf(t, fields[i+1])})
	}
	return u
}

// liveType is a keyspace holding one type with the fields (name, type as Cassandra reports it).
func liveType(name string, fields ...string) *introspect.KeyspaceSchema {
	ut := &introspect.UserType{Keyspace: "ks1", Name: name}
	for i := 0; i+1 < len(fields); i += 2 {
		ut.Fields = append(ut.Fields, introspect.Field{Name: fields[i], Type: fields[i+1]})
	}
	return &introspect.KeyspaceSchema{Name: "ks1", Types: map[string]*introspect.UserType{name: ut}, Tables: map[string]*introspect.Table{}}
}

func TestForUserType(t *testing.T) {
	tests := []struct {
		name        string
		desired     UserType
		live        *introspect.KeyspaceSchema
		want        []string
		wantKinds   []Kind
		wantBlocked []string
		wantDrift   []string
	}{
		{name: "missing keyspace schema: create",
			desired:   address(t, "street", "text", "zip", "int"),
			want:      []string{`CREATE TYPE IF NOT EXISTS "ks1"."address" ("street" text, "zip" int)`},
			wantKinds: []Kind{CreateType}},
		{name: "missing type: create, with collections, tuples and a nested type",
			desired: UserType{Keyspace: "ks1", Name: "Person", Fields: []Field{
				{Name: "home", Type: typeOf(t, "frozen<address>")}, {Name: "tags", Type: typeOf(t, "set<varchar>")},
				{Name: "pair", Type: typeOf(t, "tuple<int, list<int>>")}, {Name: "select", Type: typeOf(t, "vector<float, 3>")}}},
			live:      liveType("address", "street", "text"),
			want:      []string{`CREATE TYPE IF NOT EXISTS "ks1"."Person" ("home" frozen<"address">, "tags" set<text>, "pair" frozen<tuple<int, frozen<list<int>>>>, "select" vector<float, 3>)`},
			wantKinds: []Kind{CreateType}},
		{name: "same fields, same types: nothing",
			desired: address(t, "street", "varchar", "zip", "int", "tags", "map<text, frozen<list<int>>>"),
			live:    liveType("address", "street", "text", "zip", "int", "tags", "map<text, frozen<list<int>>>")},
		{name: "same fields in another order: nothing (Cassandra cannot reorder)",
			desired: address(t, "zip", "int", "street", "text"),
			live:    liveType("address", "street", "text", "zip", "int")},
		{name: "new fields: one ALTER TYPE ADD each, in spec order",
			desired: address(t, "street", "text", "city", "text", "zip", "int", "geo", "frozen<tuple<double, double>>"),
			live:    liveType("address", "street", "text", "zip", "int"),
			want: []string{`ALTER TYPE "ks1"."address" ADD "city" text`,
				`ALTER TYPE "ks1"."address" ADD "geo" frozen<tuple<double, double>>`},
			wantKinds: []Kind{AddField, AddField}},
		{name: "a field's type differs: blocked, nothing else runs",
			desired:     address(t, "street", "text", "zip", "text", "city", "text"),
			live:        liveType("address", "street", "text", "zip", "int"),
			wantBlocked: []string{`field "zip" of type "ks1"."address": Cassandra has type int, the spec says text`}},
		{name: "a live field not in the spec: blocked and reported as drift",
			desired:     address(t, "street", "text", "city", "text"),
			live:        liveType("address", "street", "text", "zip", "int"),
			wantBlocked: []string{`field "zip" int of type "ks1"."address" is not in spec.fields`},
			wantDrift:   nil}, // Blocked, not also kept: Cassandra cannot drop a field
		{name: "frozen collection and non-frozen one differ",
			desired:     address(t, "tags", "frozen<set<text>>"),
			live:        liveType("address", "tags", "set<text>"),
			wantBlocked: []string{`Cassandra has type set<text>, the spec says frozen<set<text>>`}},
		{name: "type names are case-sensitive: another type",
			desired:   UserType{Keyspace: "ks1", Name: "Address", Fields: []Field{{Name: "a", Type: typeOf(t, "int")}}},
			live:      liveType("address", "a", "int"),
			want:      []string{`CREATE TYPE IF NOT EXISTS "ks1"."Address" ("a" int)`},
			wantKinds: []Kind{CreateType}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := ForUserType(tt.desired, tt.live)
			var got []string
			var kinds []Kind
			for _, s := range res.Plan {
				got = append(got, s.CQL)
				kinds = append(kinds, s.Kind)
				if s.Summary == "" {
					t.Errorf("statement without a summary: %s", s.CQL)
				}
			}
			if !slices.Equal(got, tt.want) || !slices.Equal(kinds, tt.wantKinds) {
				t.Errorf("plan:\n got %q %v\nwant %q %v", got, kinds, tt.want, tt.wantKinds)
			}
			if len(res.Blocked) != len(tt.wantBlocked) {
				t.Fatalf("blocked = %+v, want %q", res.Blocked, tt.wantBlocked)
			}
			for i, b := range res.Blocked {
				if !strings.Contains(b.Message, tt.wantBlocked[i]) {
					t.Errorf("blocked[%d] = %q, want it to say %q", i, b.Message, tt.wantBlocked[i])
				}
			}
			if len(res.Drift) != len(tt.wantDrift) {
				t.Fatalf("drift = %q, want %q", res.Drift, tt.wantDrift)
			}
			for i, d := range res.Drift {
				if !strings.Contains(d, tt.wantDrift[i]) {
					t.Errorf("drift[%d] = %q, want it to say %q", i, d, tt.wantDrift[i])
				}
			}
		})
	}
}

func TestTypeUsers(t *testing.T) {
	ks := liveType("address", "street", "text")
	ks.Types["person"] = &introspect.UserType{Name: "person", Fields: []introspect.Field{{Name: "home", Type: "frozen<address>"}}}
	ks.Types["Other"] = &introspect.UserType{Name: "Other", Fields: []introspect.Field{{Name: "x", Type: `frozen<"Address">`}}}
	ks.Tables["users"] = &introspect.Table{Name: "users", Columns: []introspect.Column{{Name: "a", Type: "map<text, frozen<address>>"}}}
	ks.Tables["plain"] = &introspect.Table{Name: "plain", Columns: []introspect.Column{{Name: "a", Type: "text"}}}
	ks.Tables["direct"] = &introspect.Table{Name: "direct", Columns: []introspect.Column{{Name: "a", Type: "address"}}}
	tables, types := TypeUsers(ks, "address")
	if !slices.Equal(tables, []string{"direct", "users"}) || !slices.Equal(types, []string{"person"}) {
		t.Fatalf("TypeUsers = %q, %q", tables, types)
	}
	if tables, types := TypeUsers(ks, "Address"); len(tables) != 0 || !slices.Equal(types, []string{"Other"}) {
		t.Fatalf("TypeUsers(Address) = %q, %q", tables, types)
	}
	if tables, types := TypeUsers(nil, "address"); tables != nil || types != nil {
		t.Fatal("a missing keyspace has no users")
	}
}
