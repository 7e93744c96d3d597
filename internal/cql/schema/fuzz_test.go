package schema

import (
	"reflect"
	"strings"
	"testing"
)

// FuzzParseType checks that ParseType never panics, and that for any text it accepts the normal
// form is stable: String() parses again to the same normal form (and the same AST, less the
// keyspace qualifier it drops), and CQL() reads back to the same normal form too.
func FuzzParseType(f *testing.F) {
	for _, tt := range normalForms {
		f.Add(tt.in)
	}
	for _, tt := range parseErrors {
		f.Add(tt.in)
	}
	for _, in := range deepInputs {
		f.Add(in)
	}
	f.Fuzz(func(t *testing.T, text string) {
		ty, err := ParseType(text)
		if err != nil {
			if _, ok := err.(*ParseError); !ok {
				t.Fatalf("ParseType(%q): error %T is not a *ParseError", text, err)
			}
			return
		}
		norm := ty.String()
		back, err := ParseType(norm)
		if err != nil {
			t.Fatalf("ParseType(%q) = %s, which does not parse: %v", text, norm, err)
		}
		if got := back.String(); got != norm {
			t.Fatalf("ParseType(%q) = %s, which re-parses as %s", text, norm, got)
		}
		if want := dropKeyspaces(ty); !reflect.DeepEqual(back, want) {
			t.Fatalf("ParseType(%q): AST changed through its normal form %s:\n  %#v\n  %#v", text, norm, want, back)
		}
		cql := ty.CQL()
		fromCQL, err := ParseType(cql)
		if err != nil || fromCQL.String() != norm {
			t.Fatalf("ParseType(%q).CQL() = %s reads back as %v, %v; want %s", text, cql, fromCQL, err, norm)
		}
		if strings.ContainsAny(norm, "\t\n\r") && !strings.Contains(norm, `"`) {
			t.Fatalf("normal form %q of %q has whitespace outside a quoted name", norm, text)
		}
	})
}

func dropKeyspaces(t Type) Type {
	t.Keyspace = ""
	if t.Params != nil {
		params := make([]Type, len(t.Params))
		for i, p := range t.Params {
			params[i] = dropKeyspaces(p)
		}
		t.Params = params
	}
	return t
}
