package schema

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
)

func mustParse(t *testing.T, text string) Type {
	t.Helper()
	ty, err := ParseType(text)
	if err != nil {
		t.Fatalf("ParseType(%q): %v", text, err)
	}
	return ty
}

func TestParseTypeAST(t *testing.T) {
	tests := []struct {
		in   string
		want Type
	}{
		{"varchar", Type{Kind: KindNative, Name: "text"}},
		{"map<text, frozen<list<int>>>", Type{Kind: KindMap, Name: "map", Params: []Type{
			{Kind: KindNative, Name: "text"},
			{Kind: KindList, Name: "list", Frozen: true, Params: []Type{{Kind: KindNative, Name: "int"}}},
		}}},
		{`"Ks"."MyType"`, Type{Kind: KindUDT, Name: "MyType", Keyspace: "Ks"}},
		{"KS.Address", Type{Kind: KindUDT, Name: "address", Keyspace: "ks"}},
		{"tuple<int, address>", Type{Kind: KindTuple, Name: "tuple", Frozen: true, Params: []Type{
			{Kind: KindNative, Name: "int"},
			{Kind: KindUDT, Name: "address", Frozen: true},
		}}},
		{"vector<float, 3>", Type{Kind: KindVector, Name: "vector", Frozen: true, VectorDim: 3, Params: []Type{{Kind: KindNative, Name: "float"}}}},
	}
	for _, tt := range tests {
		if got := mustParse(t, tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ParseType(%q) =\n  %#v\nwant\n  %#v", tt.in, got, tt.want)
		}
	}
}

func TestPredicates(t *testing.T) {
	tests := []struct {
		in                                                       string
		counter, collection, frozen, multiCell, containsDuration bool
	}{
		{"counter", true, false, false, false, false},
		{"int", false, false, false, false, false},
		{"duration", false, false, false, false, true},
		{"list<int>", false, true, false, true, false},
		{"set<int>", false, true, false, true, false},
		{"map<int, text>", false, true, false, true, false},
		{"frozen<list<int>>", false, false, true, false, false},
		{"frozen<map<int, text>>", false, false, true, false, false},
		{"address", false, false, false, true, false},
		{"frozen<address>", false, false, true, false, false},
		{"tuple<int, duration>", false, false, true, false, true},
		{"vector<float, 3>", false, false, true, false, false},
		{"list<frozen<list<duration>>>", false, true, false, true, true},
	}
	for _, tt := range tests {
		ty := mustParse(t, tt.in)
		got := [5]bool{ty.IsCounter(), ty.IsCollection(), ty.IsFrozen(), ty.IsMultiCell(), ty.ContainsDuration()}
		want := [5]bool{tt.counter, tt.collection, tt.frozen, tt.multiCell, tt.containsDuration}
		if got != want {
			t.Errorf("%s: IsCounter, IsCollection, IsFrozen, IsMultiCell, ContainsDuration = %v, want %v", tt.in, got, want)
		}
	}
}

func TestUDTs(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"int", nil},
		{"address", []string{"address"}},
		{"ks.Address", []string{"address"}},
		{`map<frozen<"MyType">, frozen<list<frozen<address>>>>`, []string{"MyType", "address"}},
		{"tuple<address, address, frozen<phone>>", []string{"address", "phone"}},
		{"vector<frozen<point>, 2>", []string{"point"}},
	}
	for _, tt := range tests {
		if got := mustParse(t, tt.in).UDTs(); !slices.Equal(got, tt.want) {
			t.Errorf("UDTs(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestCheckUDTs(t *testing.T) {
	known := map[string]bool{"address": true, "MyType": true}
	exists := func(name string) bool { return known[name] }
	tests := []struct {
		in, want string // want "" means no error
	}{
		{"map<text, frozen<address>>", ""},
		{`frozen<"MyType">`, ""},
		{"int", ""},
		{"strnig", `unknown type "strnig" (not a CQL type nor a user-defined type of the keyspace)`},
		{"list<frozen<strnig>>", `unknown type "strnig"`},
		{"txet", `unknown type "txet" (not a CQL type nor a user-defined type of the keyspace; did you mean text?)`},
		{"bigitn", "did you mean bigint?"},
		{"mytype", `unknown type "mytype"`}, // unquoted names fold to lower case
		{"tuple<address, phone>", `unknown type "phone"`},
	}
	for _, tt := range tests {
		err := mustParse(t, tt.in).CheckUDTs(exists)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("CheckUDTs(%q): unexpected %v", tt.in, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("CheckUDTs(%q) = %v, want an error containing %q", tt.in, err, tt.want)
		}
		var ute *UnknownTypeError
		if tt.want != "" && !errors.As(err, &ute) {
			t.Errorf("CheckUDTs(%q): error %T is not an *UnknownTypeError", tt.in, err)
		}
	}
}

func TestCQL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"int", "int"},
		{"MAP<varchar, frozen<list<int>>>", "map<text, frozen<list<int>>>"},
		{"address", `"address"`},
		{"ks.address", `"address"`},
		{`frozen<"MyType">`, `frozen<"MyType">`},
		{`"ttl"`, `"ttl"`},
		{`list<frozen<"a""b">>`, `list<frozen<"a""b">>`},
		{"tuple<int, address>", `frozen<tuple<int, frozen<"address">>>`},
		{"vector<frozen<point>, 2>", `vector<frozen<"point">, 2>`},
	}
	for _, tt := range tests {
		ty := mustParse(t, tt.in)
		if got := ty.CQL(); got != tt.want {
			t.Errorf("CQL(%q) = %s, want %s", tt.in, got, tt.want)
		}
		back := mustParse(t, ty.CQL())
		if back.String() != ty.String() {
			t.Errorf("CQL(%q) = %s reads back as %s, want %s", tt.in, ty.CQL(), back, ty)
		}
	}
}

func TestKindString(t *testing.T) {
	for k, want := range map[Kind]string{KindNative: "native", KindList: "list", KindSet: "set", KindMap: "map", KindTuple: "tuple", KindVector: "vector", KindUDT: "udt", 0: "invalid", 200: "invalid"} {
		if got := k.String(); got != want {
			t.Errorf("Kind(%d).String() = %q, want %q", k, got, want)
		}
	}
	if got := (Type{}).String(); got != "<invalid type>" {
		t.Errorf("zero Type String() = %q", got)
	}
}

func TestEditDistance(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"text", "text", 0}, {"txet", "text", 1}, {"tex", "text", 1},
		{"strnig", "string", 1}, {"abc", "", 3}, {"kitten", "sitting", 3},
	}
	for _, tt := range tests {
		if got := editDistance(tt.a, tt.b); got != tt.want {
			t.Errorf("editDistance(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}
