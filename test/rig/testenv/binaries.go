package testenv

import (
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

var (
	buildMu sync.Mutex
	built   = map[string]string{}
)

// BuildOnce builds a command of the module (e.g. "./cmd") into a directory that lives as long as
// the test binary, once per name, and returns the binary's path.
func BuildOnce(t testing.TB, name, pkg string) string {
	t.Helper()
	buildMu.Lock()
	defer buildMu.Unlock()
	if p, ok := built[name]; ok {
		return p
	}
	dir, err := os.MkdirTemp("", "cqlsync-test-bin-")
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, name)
	build := exec.Command("go", "build", "-o", out, pkg)
	build.Dir = RepoRoot()
	if b, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building %s: %v\n%s", pkg, err, b)
	}
	built[name] = out
	return out
}
