package testenv

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	gocql "github.com/apache/cassandra-gocql-driver/v2"
)

// The Python driver (cassandra-driver, with cqlengine) is a second, independent client of the
// local clusters: tests use it to create schema as cqlengine does and to print a keyspace's
// DESCRIBE text as the driver (and cqlsh before Cassandra 4.0) does.

// Python returns the interpreter of the Python driver's virtualenv, from CQLSYNC_PYTHON (set by
// `make test`), after checking that it imports cqlengine. Without it the test fails under
// CQLSYNC_REQUIRE_RIG=1 and is skipped otherwise.
func Python(t testing.TB) string {
	t.Helper()
	py := os.Getenv("CQLSYNC_PYTHON")
	if py == "" {
		const how = "export CQLSYNC_PYTHON=$(hack/python-env.sh) (a virtualenv with the Python driver pinned in hack/python/requirements.txt), or run `make test`"
		if os.Getenv("CQLSYNC_REQUIRE_RIG") == "1" {
			t.Fatal("this test needs the Python driver but CQLSYNC_PYTHON is unset: " + how)
		}
		t.Skip("needs the Python driver: " + how)
	}
	out, err := exec.Command(py, "-c", "import cassandra, cassandra.cqlengine.management; print(cassandra.__version__)").CombinedOutput()
	if err != nil {
		t.Fatalf("CQLSYNC_PYTHON=%s cannot import cassandra.cqlengine (recreate it with hack/python-env.sh): %v\n%s", py, err, out)
	}
	t.Logf("Python driver cassandra-driver %s (%s)", strings.TrimSpace(string(out)), py)
	return py
}

// RunCqlengine runs cqlengine's sync_table (or sync_type) for a model of
// hack/python/cqlengine_sync.py into the keyspace. It must succeed and print nothing (the script
// turns cqlengine's warnings, such as a column type differing from the model's, into a failure);
// with expectNoDDL it must also have executed no statement.
func RunCqlengine(t testing.TB, py, host, keyspace, model string, expectNoDDL bool) {
	t.Helper()
	args := []string{filepath.Join(RepoRoot(), "hack", "python", "cqlengine_sync.py")}
	if expectNoDDL {
		args = append(args, "--expect-no-ddl")
	}
	args = append(args, host, keyspace, model)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, py, args...)
	cmd.Env = append(os.Environ(), "CQLENG_ALLOW_SCHEMA_MANAGEMENT=1", "PYTHONDONTWRITEBYTECODE=1")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil || out.Len() > 0 {
		t.Fatalf("cqlengine sync of %s into %s on %s: %v\n%s", model, keyspace, host, err, out.String())
	}
}

// PythonDescribe is the Python driver's export_as_string of a keyspace (the exact, case-sensitive
// name), printed by internal/cql/ddl/testdata/describe.py: what cqlsh's DESCRIBE KEYSPACE prints
// against clusters without server-side DESCRIBE.
func PythonDescribe(t testing.TB, py, host, keyspace string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, py, filepath.Join(RepoRoot(), "internal", "cql", "ddl", "testdata", "describe.py"), host, keyspace)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("describe.py %s %s: %v\n%s", host, keyspace, err, stderr.String())
	}
	return stdout.String()
}

// ServerDescribe is the server's DESCRIBE KEYSPACE (what cqlsh prints against Cassandra 4.0+),
// with WITH INTERNALS when internals is set: one create_statement per row, a line each.
func ServerDescribe(t testing.TB, s *gocql.Session, keyspace string, internals bool) string {
	t.Helper()
	q := `DESCRIBE KEYSPACE "` + strings.ReplaceAll(keyspace, `"`, `""`) + `"`
	if internals {
		q += " WITH INTERNALS"
	}
	iter := s.Query(q).Iter()
	var b strings.Builder
	row := map[string]any{}
	for iter.MapScan(row) {
		b.WriteString(fmt.Sprint(row["create_statement"]))
		b.WriteString("\n")
		row = map[string]any{}
	}
	if err := iter.Close(); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return b.String()
}
