package plan

import (
	"strings"
	"testing"

	"github.com/cqlsync/cqlsync/internal/cql/introspect"
	"github.com/cqlsync/cqlsync/internal/cql/schema"
)

// fuzzUserType builds a desired type from fuzz input: fields is "name:type" items separated by
// ";"; items whose type does not parse are left out.
func fuzzUserType(fields string) UserType {
	d := UserType{Keyspace: "ks", Name: "t"}
	seen := map[string]bool{}
	for _, item := range strings.Split(fields, ";") {
		name, text, _ := strings.Cut(item, ":")
		typ, err := schema.ParseType(text)
		if name == "" || seen[name] || err != nil || len(d.Fields) >= 16 {
			continue
		}
		seen[name] = true
		d.Fields = append(d.Fields, Field{Name: name, Type: typ})
	}
	return d
}

// storedType is the type as Cassandra stores it after CREATE TYPE of d: field types in their
// normal form, in order.
func storedType(d UserType) *introspect.KeyspaceSchema {
	ut := &introspect.UserType{Keyspace: d.Keyspace, Name: d.Name}
	for _, f := range d.Fields {
		ut.Fields = append(ut.Fields, introspect.Field{Name: f.Name, Type: f.Type.String()})
	}
	return &introspect.KeyspaceSchema{Name: d.Keyspace, Types: map[string]*introspect.UserType{d.Name: ut}}
}

// FuzzForUserType: the planner never panics, whatever the field types; a missing type plans one
// CREATE TYPE; the type as Cassandra stores it plans nothing; a live type with some fields
// missing plans one ALTER TYPE ADD per missing field; and a live type that differs in ways
// Cassandra cannot change (a retyped or extra field) is blocked and plans nothing.
func FuzzForUserType(f *testing.F) {
	f.Add("street:text;zip:int;city:varchar", uint8(1), "zip", "bigint")
	f.Add("home:frozen<address>;tags:set<text>;m:map<text, frozen<list<int>>>;p:tuple<int, list<int>>", uint8(2), "tags", "frozen<set<text>>")
	f.Add("select:int;From:text;v:vector<float, 3>;d:duration", uint8(3), "extra", "text")
	f.Add(`"q":int;x:frozen<"Mixed">;y:list<frozen<ks.other>>`, uint8(0), "x", "int")
	f.Fuzz(func(t *testing.T, fields string, mutation uint8, name, typ string) {
		d := fuzzUserType(fields)
		create := ForUserType(d, nil)
		if len(create.Plan) != 1 || create.Plan[0].Kind != CreateType || len(create.Blocked)+len(create.Drift) != 0 {
			t.Fatalf("create: %+v", create)
		}
		if res := ForUserType(d, storedType(d)); len(res.Plan)+len(res.Blocked)+len(res.Drift) != 0 {
			t.Fatalf("the type as Cassandra stores it must plan nothing: %+v", res)
		}
		live := storedType(d)
		lt := live.Types[d.Name]
		switch mutation % 4 {
		case 0: // the last fields were never added
			drop := min(len(lt.Fields), int(mutation/4)%3+1)
			lt.Fields = lt.Fields[:len(lt.Fields)-drop]
			res := ForUserType(d, live)
			if len(res.Plan) != drop || len(res.Blocked) != 0 {
				t.Fatalf("%d missing fields: %+v", drop, res)
			}
			for _, s := range res.Plan {
				if s.Kind != AddField || !strings.HasPrefix(s.CQL, `ALTER TYPE "ks"."t" ADD `) {
					t.Fatalf("not an ADD: %+v", s)
				}
			}
		case 1: // a field retyped out of band
			for i := range lt.Fields {
				if lt.Fields[i].Name == name && lt.Fields[i].Type != typ {
					lt.Fields[i].Type = typ
					if res := ForUserType(d, live); len(res.Blocked) == 0 || len(res.Plan) != 0 {
						t.Fatalf("a retyped field must block: %+v", res)
					}
				}
			}
		case 2: // an extra live field
			for _, f := range d.Fields {
				if f.Name == name {
					return
				}
			}
			lt.Fields = append(lt.Fields, introspect.Field{Name: name, Type: typ})
			// Blocked with FieldNotInSpec, and not also kept drift: Cassandra cannot drop a field.
			if res := ForUserType(d, live); len(res.Blocked) == 0 || res.Blocked[len(res.Blocked)-1].Kind != DiffFieldNotInSpec && res.Blocked[0].Kind != DiffFieldNotInSpec ||
				len(res.Plan) != 0 || len(res.Drift) != 0 {
				t.Fatalf("an extra field must block, and only block: %+v", res)
			}
		case 3: // anything at all
			lt.Fields = append(lt.Fields, introspect.Field{Name: name, Type: typ}, introspect.Field{Name: typ, Type: name})
			res := ForUserType(d, live)
			if len(res.Blocked) > 0 && len(res.Plan) > 0 {
				t.Fatalf("blocked but planned: %+v", res)
			}
		}
	})
}
