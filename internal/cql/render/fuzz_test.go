package render

import (
	"strings"
	"testing"
)

// unquote reverses quote: s must start and end with q, and every q inside must be doubled.
func unquote(t *testing.T, s string, q byte) string {
	t.Helper()
	if len(s) < 2 || s[0] != q || s[len(s)-1] != q {
		t.Fatalf("%q is not wrapped in %c", s, q)
	}
	inner := s[1 : len(s)-1]
	var b strings.Builder
	for i := 0; i < len(inner); i++ {
		if inner[i] == q {
			if i+1 >= len(inner) || inner[i+1] != q {
				t.Fatalf("%q has an undoubled %c at %d", s, q, i+1)
			}
			i++
		}
		b.WriteByte(inner[i])
	}
	return b.String()
}

var fuzzSeeds = []string{"", "a", "select", "MyKs", `a"b`, "it's", `"'"'`, "a\nb", "ünï 表", "\x00\xff"}

func FuzzIdent(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got := unquote(t, Ident(s), '"'); got != s {
			t.Fatalf("Ident(%q) unquotes to %q", s, got)
		}
	})
}

func FuzzString(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got := unquote(t, String(s), '\''); got != s {
			t.Fatalf("String(%q) unquotes to %q", s, got)
		}
	})
}
