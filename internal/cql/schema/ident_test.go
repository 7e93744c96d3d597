package schema

import "testing"

func TestIsReservedKeyword(t *testing.T) {
	tests := []struct {
		name string
		want bool
	}{
		{"select", true},
		{"SELECT", true},
		{"From", true},
		{"columnfamily", true},
		{"key", false}, // an unreserved keyword: usable unquoted
		{"ttl", false},
		{"text", false},
		{"selected", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := IsReservedKeyword(tt.name); got != tt.want {
			t.Errorf("IsReservedKeyword(%q) = %v, want %v", tt.name, got, tt.want)
		}
		// MaybeQuote quotes every reserved keyword, whatever else it quotes.
		if lower := tt.name; tt.want && MaybeQuote(lower) == lower {
			t.Errorf("MaybeQuote(%q) left a reserved keyword unquoted", lower)
		}
	}
}
