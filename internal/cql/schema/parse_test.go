package schema

import (
	"errors"
	"strings"
	"testing"
)

// normalForms pairs input text with the text Cassandra 5.0.9 reports for it. Every expected value
// was checked against cassandra-all 5.0.9's own parser and AbstractType.asCQL3Type().toString()
// (the path SchemaKeyspace takes when it writes system_schema.columns.type), with user types
// address, MyType, select, my type and a"b defined in keyspace ks.
var normalForms = []struct{ in, want string }{
	// every native type
	{"ascii", "ascii"},
	{"bigint", "bigint"},
	{"blob", "blob"},
	{"boolean", "boolean"},
	{"counter", "counter"},
	{"date", "date"},
	{"decimal", "decimal"},
	{"double", "double"},
	{"duration", "duration"},
	{"float", "float"},
	{"inet", "inet"},
	{"int", "int"},
	{"smallint", "smallint"},
	{"text", "text"},
	{"time", "time"},
	{"timestamp", "timestamp"},
	{"timeuuid", "timeuuid"},
	{"tinyint", "tinyint"},
	{"uuid", "uuid"},
	{"varint", "varint"},
	// the only alias
	{"varchar", "text"},
	{"VARCHAR", "text"},
	// case and whitespace
	{" Int ", "int"},
	{"timeUUID", "timeuuid"},
	{"MAP<TEXT, INT>", "map<text, int>"},
	{"LIST < Varchar >", "list<text>"},
	{"map<text,int>", "map<text, int>"},
	{"\tmap\n<\r\ntext ,\tint\n>\n", "map<text, int>"},
	{"FROZEN <LIST<INT>>", "frozen<list<int>>"},
	// collections
	{"list<int>", "list<int>"},
	{"set<text>", "set<text>"},
	{"map<text, int>", "map<text, int>"},
	{"map<int, duration>", "map<int, duration>"},
	{"list<duration>", "list<duration>"},
	// frozen and nesting
	{"frozen<list<int>>", "frozen<list<int>>"},
	{"frozen<frozen<list<int>>>", "frozen<list<int>>"},
	{"map<text,frozen<list<int>>>", "map<text, frozen<list<int>>>"},
	{"map<text, frozen<list<int>>>", "map<text, frozen<list<int>>>"},
	{"frozen<list<list<int>>>", "frozen<list<frozen<list<int>>>>"},
	{"frozen<map<text, list<int>>>", "frozen<map<text, frozen<list<int>>>>"},
	{"frozen<map<frozen<set<int>>, frozen<list<duration>>>>", "frozen<map<frozen<set<int>>, frozen<list<duration>>>>"},
	{"set<frozen<list<duration>>>", "set<frozen<list<duration>>>"},
	// tuples: always reported frozen, elements frozen
	{"tuple<int, text>", "frozen<tuple<int, text>>"},
	{"frozen<tuple<int, text>>", "frozen<tuple<int, text>>"},
	{"tuple<int>", "frozen<tuple<int>>"},
	{"TUPLE<INT,VARCHAR>", "frozen<tuple<int, text>>"},
	{"tuple<int, list<int>>", "frozen<tuple<int, frozen<list<int>>>>"},
	{"tuple<int, address>", "frozen<tuple<int, frozen<address>>>"},
	{"tuple<tuple<int>>", "frozen<tuple<frozen<tuple<int>>>>"},
	{"tuple<duration>", "frozen<tuple<duration>>"},
	{"list<tuple<int, text>>", "list<frozen<tuple<int, text>>>"},
	{"set<frozen<tuple<int, text>>>", "set<frozen<tuple<int, text>>>"},
	{"set<frozen<tuple<duration>>>", "set<frozen<tuple<duration>>>"},
	{"frozen<tuple<int, frozen<list<int>>>>", "frozen<tuple<int, frozen<list<int>>>>"},
	{"frozen<list<frozen<tuple<list<int>>>>>", "frozen<list<frozen<tuple<frozen<list<int>>>>>>"},
	// user-defined types: keyspace dropped, maybeQuote'd, case folded when unquoted
	{"address", "address"},
	{"Address", "address"},
	{"frozen<address>", "frozen<address>"},
	{"list<frozen<address>>", "list<frozen<address>>"},
	{"frozen<list<address>>", "frozen<list<frozen<address>>>"},
	{"map<frozen<address>, frozen<address>>", "map<frozen<address>, frozen<address>>"},
	{`"address"`, "address"},
	{`"MyType"`, `"MyType"`},
	{`frozen<"MyType">`, `frozen<"MyType">`},
	{"ks.address", "address"},
	{"KS.address", "address"},
	{"ks . address", "address"},
	{`"ks".address`, "address"},
	{`frozen<"Ks"."MyType">`, `frozen<"MyType">`},
	{`"select"`, `"select"`},
	{`"my type"`, `"my type"`},
	{`"a""b"`, `"a""b"`},
	{`"ünï"`, `"ünï"`},
	{`"Ab_c"`, `"Ab_c"`},
	{`"_x"`, `"_x"`},
	{`"1x"`, `"1x"`},
	{`"my_type2"`, "my_type2"},
	{"key", "key"},
	{`"key"`, "key"},
	{`"ttl"`, "ttl"},
	// vectors: never reported frozen, element not frozen
	{"vector<float, 3>", "vector<float, 3>"},
	{"VECTOR<FLOAT,3>", "vector<float, 3>"},
	{"vector<float, 03>", "vector<float, 3>"},
	{"vector<float, 2147483647>", "vector<float, 2147483647>"},
	{"frozen<vector<float, 3>>", "vector<float, 3>"},
	{"list<vector<float, 3>>", "list<vector<float, 3>>"},
	{"vector<list<int>, 2>", "vector<list<int>, 2>"},
	{"vector<address, 2>", "vector<address, 2>"},
	{"vector<frozen<address>, 2>", "vector<frozen<address>, 2>"},
	{"vector<frozen<list<int>>, 2>", "vector<frozen<list<int>>, 2>"},
	{"vector<vector<int, 2>, 2>", "vector<vector<int, 2>, 2>"},
	{"vector<tuple<int>, 2>", "vector<frozen<tuple<int>>, 2>"},
	{"tuple<vector<list<int>,2>>", "frozen<tuple<vector<list<int>, 2>>>"},
	{"frozen<list<vector<list<int>, 2>>>", "frozen<list<vector<list<int>, 2>>>"},
}

func TestNormalize(t *testing.T) {
	for _, tt := range normalForms {
		t.Run(tt.in, func(t *testing.T) {
			got, err := Normalize(tt.in)
			if err != nil {
				t.Fatalf("Normalize(%q): %v", tt.in, err)
			}
			if got != tt.want {
				t.Errorf("Normalize(%q) = %q, want %q", tt.in, got, tt.want)
			}
			again, err := Normalize(got)
			if err != nil || again != got {
				t.Errorf("Normalize(%q) = %q, %v; the normal form must be a fixed point", got, again, err)
			}
		})
	}
}

// parseErrors pairs invalid input with a substring of the error. Where Cassandra 5.0.9 rejects the
// same text, the comment gives its message.
var parseErrors = []struct{ in, want string }{
	{"", "empty type"},
	{"   \n\t", "empty type"},
	// Cassandra: mismatched input '<EOF>' expecting '>'
	{"list<int", "unbalanced '<'"},
	{"map<text, frozen<list<int>>", "unbalanced '<'"},
	{"list<", "unbalanced '<'"},
	{"vector<float,", "unbalanced '<'"},
	{"vector<float, 3", "unbalanced '<'"},
	{"list<int>>", "unbalanced '>'"}, // Cassandra silently ignores the extra '>'
	{">", "expected a type, found \">\""},
	{"list<int> text", `unexpected "text" after the type`},
	// parameter counts; Cassandra: mismatched input '>' expecting ','
	{"map<text>", "map takes 2 type parameters (map<K, V>), got 1"},
	{"map<text, int, int>", "map takes 2 type parameters (map<K, V>), got 3"},
	{"list<int, int>", "list takes 1 type parameter (list<T>), got 2"},
	{"set<int, int>", "set takes 1 type parameter (set<T>), got 2"},
	{"frozen<int, int>", "frozen takes 1 type parameter (frozen<T>), got 2"},
	{"list", "list needs type parameters: list<T>"},
	{"map", "map needs type parameters: map<K, V>"},
	{"list<>", "list needs type parameters"},
	{"tuple<>", "tuple needs type parameters"}, // Cassandra: NullPointerException
	{"tuple<int,>", `expected a type, found ">"`},
	{"int<text>", "int takes no type parameters"},
	{"address<int>", "user-defined type address takes no type parameters"},
	{"map<text,,int>", `expected a type, found ","`},
	{"list<int;>", "unexpected character ';'"},
	{"list<int>/*c*/", "unexpected character '/'"},
	// unknown characters and tokens
	{"text!", "unexpected character '!'"},
	{"ïnt", "unexpected character 'ï'"},
	{"3", `expected a type, found "3"`},
	{`"unterminated`, "unterminated quoted name"},
	{`""`, `empty quoted name ""`}, // Cassandra: no viable alternative at input '""'
	{"\xff", "not valid UTF-8"},
	// custom types (Cassandra accepts them and reports 'UTF8Type' as text)
	{"'org.apache.cassandra.db.marshal.UTF8Type'", "custom types given as a Java class name ('org.apache.cassandra.db.marshal.UTF8Type') are not supported"},
	{"$$LexicalUUIDType$$", "custom types given as a Java class name"},
	{"'unterminated", "unterminated string literal"},
	// frozen; Cassandra: frozen<> is only allowed on collections, tuples, and user-defined types (got int)
	{"frozen<int>", "frozen<> is only allowed on collections, tuples, user-defined types and vectors (got int)"},
	{"list<frozen<text>>", "(got text)"},
	// nested non-frozen; Cassandra: Non-frozen collections are not allowed inside collections: list<list<int>>
	{"list<list<int>>", "non-frozen collections are not allowed inside collections: list<list<int>> (write frozen<list<int>>)"},
	{"map<text, list<int>>", "non-frozen collections are not allowed inside collections: map<text, list<int>>"},
	{"map<set<int>, int>", "non-frozen collections are not allowed inside collections: map<set<int>, int>"},
	{"set<map<int, int>>", "non-frozen collections are not allowed inside collections"},
	{"map<text, frozen<map<text, list<list<int>>>>>", ""}, // valid: the frozen map freezes everything below it
	// Cassandra: Non-frozen UDTs are not allowed inside collections: list<address>
	{"list<address>", "non-frozen user-defined types are not allowed inside collections: list<address> (write frozen<address>)"},
	{"map<frozen<address>, address>", "non-frozen user-defined types are not allowed inside collections: map<frozen<address>, address>"},
	// counters; Cassandra: Counters are not allowed inside collections: list<counter>
	{"list<counter>", "counters are not allowed inside collections: list<counter>"},
	{"set<counter>", "counters are not allowed inside collections: set<counter>"},
	{"map<counter, int>", "counters are not allowed inside collections: map<counter, int>"},
	{"map<int, counter>", "counters are not allowed inside collections: map<int, counter>"},
	{"frozen<list<counter>>", "counters are not allowed inside collections: frozen<list<counter>>"},
	{"map<text, frozen<list<counter>>>", "counters are not allowed inside collections: frozen<list<counter>>"},
	{"tuple<counter>", "counters are not allowed inside tuples: frozen<tuple<counter>>"},
	{"list<frozen<tuple<int, counter>>>", "counters are not allowed inside tuples"},
	{"vector<counter, 2>", "counters are not allowed inside vectors: vector<counter, 2>"}, // Cassandra accepts it
	// durations; Cassandra: Durations are not allowed inside sets: set<duration>
	{"set<duration>", "durations are not allowed inside sets: set<duration>"},
	{"frozen<set<duration>>", "durations are not allowed inside sets: frozen<set<duration>>"},
	{"map<duration, int>", "durations are not allowed as map keys: map<duration, int>"},
	// vectors; Cassandra: vectors may only have positive dimensions; given 0
	{"vector<float, 0>", "vector dimension must be a positive integer no larger than 2147483647, got 0"},
	{"vector<float, -1>", "vector dimension must be a positive integer no larger than 2147483647, got -1"},
	{"vector<float, 2147483648>", "got 2147483648"}, // Cassandra: NumberFormatException
	{"vector<float, 99999999999999999999999>", "got 99999999999999999999999"},
	{"vector<float, 3.0>", `vector dimension must be a positive integer, found "3.0"`},
	{"vector<float, 3e2>", `vector dimension must be a positive integer, found "3e2"`},
	{"vector<float, +3>", "unexpected character '+'"},
	{"vector<float, three>", `vector dimension must be a positive integer, found "three"`},
	{"vector<float, int>", `vector dimension must be a positive integer, found "int"`},
	{"vector<float>", "vector needs a dimension after its element type: vector<T, N>"},
	{"vector<float, 3, 4>", "vector takes an element type and a dimension (vector<T, N>), got more parameters"},
	{"vector<>", "vector needs an element type and a dimension"},
	{"vector", "vector needs type parameters: vector<T, N>"},
	// names Cassandra would not read back
	{"select", `"select" is a reserved CQL keyword: quote it`}, // Cassandra: no viable alternative at input 'select'
	{"table", `"table" is a reserved CQL keyword`},
	{"select.address", `"select" is a reserved CQL keyword: quote it to use it as a keyspace name`},
	{"ks.", "expected a user-defined type name after \"ks.\", found end of input"},
	{"ks.3", `expected a user-defined type name after "ks.", found "3"`},
	{`"int"`, `"int" is a CQL type name and cannot name a user-defined type`},
	{`frozen<"map">`, `"map" is a CQL type name`},
	{`"varchar"`, `"varchar" is a CQL type name`},
	{"ks.int", `"int" is a CQL type name`},
	{"byte", `"byte" is a reserved type name`}, // Cassandra: Invalid (reserved) user type name byte
	{`"byte"`, `"byte" is a reserved type name`},
	{"interval", `"interval" is a reserved type name`},
	// depth
	{strings.Repeat("list<", 66) + "int" + strings.Repeat(">", 66), "nests more than 64 levels"},
	{strings.Repeat("frozen<list<", 66) + "int" + strings.Repeat(">>", 66), "nests more than 64 levels"},
	{strings.Repeat("frozen<", 200) + "address" + strings.Repeat(">", 200), "nests more than 130 types and frozen<> wrappers"},
}

func TestParseTypeErrors(t *testing.T) {
	for _, tt := range parseErrors {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseType(tt.in)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("ParseType(%q): unexpected error %v", tt.in, err)
				}
				return
			}
			if err == nil {
				t.Fatalf("ParseType(%q) = %s, want an error containing %q", tt.in, got, tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("ParseType(%q) error = %q, want it to contain %q", tt.in, err, tt.want)
			}
			var pe *ParseError
			if !errors.As(err, &pe) || pe.Input != tt.in {
				t.Errorf("ParseType(%q) error %T does not carry the input", tt.in, err)
			}
		})
	}
}

// deepInputs are the deepest types ParseType accepts.
var deepInputs = []string{
	strings.Repeat("tuple<", MaxDepth) + "address" + strings.Repeat(">", MaxDepth),
	strings.Repeat("frozen<list<", MaxDepth) + "address" + strings.Repeat(">>", MaxDepth),
	strings.Repeat("frozen<", maxNesting-1) + "address" + strings.Repeat(">", maxNesting-1),
	strings.Repeat("vector<tuple<", MaxDepth/2) + "address" + strings.Repeat(">, 2>", MaxDepth/2),
}

// TestDeepNormalForm checks that the normal form of the deepest accepted types, which adds a
// frozen<> wrapper at every level, is accepted too.
func TestDeepNormalForm(t *testing.T) {
	for _, in := range deepInputs {
		norm, err := Normalize(in)
		if err != nil {
			t.Fatalf("Normalize(%.40q...): %v", in, err)
		}
		if again, err := Normalize(norm); err != nil || again != norm {
			t.Errorf("normal form %.60q... does not read back: %v", norm, err)
		}
	}
}

func TestParseErrorOffset(t *testing.T) {
	tests := []struct {
		in     string
		offset int
	}{
		{"list<int", 8},
		{"map<text, int, int>", 3},
		{"list<int>>", 9},
		{"vector<float, 0>", 14},
		{"text!", 4},
		{"frozen<int>", 0},
		{"list<list<int>>", -1},
		{"", -1},
	}
	for _, tt := range tests {
		_, err := ParseType(tt.in)
		var pe *ParseError
		if !errors.As(err, &pe) {
			t.Fatalf("ParseType(%q): error %v is not a *ParseError", tt.in, err)
		}
		if pe.Offset != tt.offset {
			t.Errorf("ParseType(%q): offset %d, want %d (%v)", tt.in, pe.Offset, tt.offset, err)
		}
	}
	_, err := ParseType("list<int")
	if want := `invalid CQL type "list<int": unbalanced '<': the text ends before its closing '>' (at offset 8)`; err.Error() != want {
		t.Errorf("error text = %q, want %q", err, want)
	}
}
