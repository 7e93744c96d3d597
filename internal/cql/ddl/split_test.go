package ddl

import (
	"reflect"
	"testing"
)

func TestStatements(t *testing.T) {
	src := "-- a comment; not a separator\nCREATE TABLE t (a int PRIMARY KEY) WITH comment = 'x;y' /* ; */;;\n" +
		"USE \"K;s\";\nALTER TABLE t WITH comment = $$a;b$$"
	want := []Statement{
		{Line: 2, Text: "CREATE TABLE t (a int PRIMARY KEY) WITH comment = 'x;y' /* ; */"},
		{Line: 3, Text: `USE "K;s"`},
		{Line: 4, Text: "ALTER TABLE t WITH comment = $$a;b$$"},
	}
	if got := Statements(src); !reflect.DeepEqual(got, want) {
		t.Errorf("Statements:\n got %+v\nwant %+v", got, want)
	}
	if got := Statements("  ;\n-- only a comment\n"); len(got) != 0 {
		t.Errorf("empty statements: %+v", got)
	}
}
