package render

import (
	"math"
	"regexp"
	"strconv"
	"testing"
)

func TestString(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plain", "hello", `'hello'`},
		{"empty", "", `''`},
		{"single quote", "it's", `'it''s'`},
		{"only quotes", "''", `''''''`},
		{"double quote untouched", `say "hi"`, `'say "hi"'`},
		{"newline and tab kept", "a\nb\tc", "'a\nb\tc'"},
		{"unicode", "ünï 表", `'ünï 表'`},
		{"backslash is not an escape in CQL", `a\'b`, `'a\''b'`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := String(tt.in); got != tt.want {
				t.Errorf("String(%q) = %s, want %s", tt.in, got, tt.want)
			}
		})
	}
}

func TestBoolInt(t *testing.T) {
	if Bool(true) != "true" || Bool(false) != "false" {
		t.Errorf("Bool: got %s/%s", Bool(true), Bool(false))
	}
	tests := []struct {
		in   int64
		want string
	}{
		{0, "0"}, {42, "42"}, {-7, "-7"},
		{math.MaxInt64, "9223372036854775807"}, {math.MinInt64, "-9223372036854775808"},
	}
	for _, tt := range tests {
		if got := Int(tt.in); got != tt.want {
			t.Errorf("Int(%d) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

// cqlFloat is the FLOAT token of Cassandra's CQL lexer (src/antlr/Lexer.g):
//
//	FLOAT : INTEGER EXPONENT | INTEGER '.' DIGIT* EXPONENT? ;  INTEGER : '-'? DIGIT+ ;
//	EXPONENT : E ('+' | '-')? DIGIT+ ;
//
// plus the NaN / Infinity / -Infinity keywords accepted by the `constant` rule of Parser.g.
var cqlFloat = regexp.MustCompile(`^(-?[0-9]+[eE][+-]?[0-9]+|-?[0-9]+\.[0-9]*([eE][+-]?[0-9]+)?|NaN|Infinity|-Infinity)$`)

func TestFloat(t *testing.T) {
	tests := []struct {
		in   float64
		want string
	}{
		{0, "0.0"},
		{math.Copysign(0, -1), "-0.0"},
		{1, "1.0"},
		{-3, "-3.0"},
		{0.25, "0.25"},
		{0.1, "0.1"},
		{1.5, "1.5"},
		{123456789, "1.23456789e+08"},
		{1e21, "1e+21"},
		{1e-5, "1e-05"},
		{-2.5e-300, "-2.5e-300"},
		{math.MaxFloat64, "1.7976931348623157e+308"},
		{math.SmallestNonzeroFloat64, "5e-324"},
		{math.NaN(), "NaN"},
		{math.Inf(1), "Infinity"},
		{math.Inf(-1), "-Infinity"},
	}
	for _, tt := range tests {
		got := Float(tt.in)
		if got != tt.want {
			t.Errorf("Float(%v) = %s, want %s", tt.in, got, tt.want)
		}
		if !cqlFloat.MatchString(got) {
			t.Errorf("Float(%v) = %s is not a CQL float literal", tt.in, got)
		}
	}
}

func TestStringMap(t *testing.T) {
	tests := []struct {
		name string
		in   map[string]string
		want string
	}{
		{"nil", nil, "{}"},
		{"empty", map[string]string{}, "{}"},
		{"sorted keys", map[string]string{"replication_factor": "3", "class": "SimpleStrategy"},
			"{'class': 'SimpleStrategy', 'replication_factor': '3'}"},
		{"escaped keys and values", map[string]string{"it's": "a'b", "x": ""},
			"{'it''s': 'a''b', 'x': ''}"},
		{"newline value", map[string]string{"k": "a\nb"}, "{'k': 'a\nb'}"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := StringMap(tt.in); got != tt.want {
				t.Errorf("StringMap(%v) = %s, want %s", tt.in, got, tt.want)
			}
		})
	}
}

func FuzzFloat(f *testing.F) {
	for _, v := range []float64{0, 1, -1, 0.1, 1e21, 1e-7, math.MaxFloat64, math.Inf(1), math.NaN()} {
		f.Add(v)
	}
	f.Fuzz(func(t *testing.T, v float64) {
		s := Float(v)
		if !cqlFloat.MatchString(s) {
			t.Fatalf("Float(%v) = %q is not a CQL float literal", v, s)
		}
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return
		}
		back, err := strconv.ParseFloat(s, 64)
		if err != nil || back != v || math.Signbit(back) != math.Signbit(v) {
			t.Fatalf("Float(%v) = %q does not round-trip (got %v, %v)", v, s, back, err)
		}
	})
}
