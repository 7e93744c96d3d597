package credentials

import (
	"strings"
	"testing"
)

func TestPasswords(t *testing.T) {
	a, err := Generate(32)
	if err != nil || len(a) != 32 || strings.Trim(a, alphabet) != "" {
		t.Fatalf("Generate: %q %v", a, err)
	}
	if b, _ := Generate(32); b == a {
		t.Fatal("two generated passwords are equal")
	}
	h, err := Hash(a)
	if err != nil || !strings.HasPrefix(h, "$2a$10$") || strings.Contains(h, a) {
		t.Fatalf("Hash: %q %v", h, err)
	}
	if !Matches(h, a) || !Matches(h, a) || Matches(h, a+"x") || Matches("", a) || Matches("not a hash", a) {
		t.Error("Matches")
	}
}
