package render

import "testing"

func TestUserTypeStatements(t *testing.T) {
	tests := []struct {
		name string
		got  string
		want string
	}{
		{"create",
			CreateType("ks1", "address", []Field{{Name: "street", Type: typ("text")}, {Name: "zip", Type: typ("int")}}),
			`CREATE TYPE IF NOT EXISTS "ks1"."address" ("street" text, "zip" int)`},
		{"create, nested type and collections",
			CreateType("ks", "Person", []Field{{Name: "home", Type: typ(`frozen<"address">`)}, {Name: "tags", Type: typ("set<text>")}}),
			`CREATE TYPE IF NOT EXISTS "ks"."Person" ("home" frozen<"address">, "tags" set<text>)`},
		{"create, hostile names",
			CreateType(`k"s`, `t"; DROP KEYSPACE ks1; --`, []Field{{Name: "select", Type: typ("int")}, {Name: `a"b`, Type: typ("text")}}),
			`CREATE TYPE IF NOT EXISTS "k""s"."t""; DROP KEYSPACE ks1; --" ("select" int, "a""b" text)`},
		{"add a field", AlterTypeAdd("ks", "address", Field{Name: "City", Type: typ("text")}), `ALTER TYPE "ks"."address" ADD "City" text`},
		{"drop", DropType("ks", "address"), `DROP TYPE IF EXISTS "ks"."address"`},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s:\n got %s\nwant %s", tt.name, tt.got, tt.want)
		}
	}
}
