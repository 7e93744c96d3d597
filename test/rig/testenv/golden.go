package testenv

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// Golden compares got with the file testdata/<name> of the test's package. With update (each
// package's -update flag) it writes the file first, for a deliberate change of output.
func Golden(t testing.TB, name string, got []byte, update bool) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test with -update to write it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (go test -update rewrites it after a deliberate change):\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

// DiffLines returns the lines that only one side has: a's with "- " before them, then b's with
// "+ ". Order and repeats are not compared. Empty when both have the same lines.
func DiffLines(a, b []string) []string {
	var out []string
	for _, l := range a {
		if !slices.Contains(b, l) {
			out = append(out, "- "+l)
		}
	}
	for _, l := range b {
		if !slices.Contains(a, l) {
			out = append(out, "+ "+l)
		}
	}
	return out
}
