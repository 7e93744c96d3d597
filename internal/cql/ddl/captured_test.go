package ddl

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cqlsync/cqlsync/internal/cql/introspect"
)

// TestParseCapturedDescribe parses the DESCRIBE texts of test/fixtures/schema.cql that a real
// Cassandra 5.0.9 and the Python driver printed (captured by TestParseFixtureOnCassandra
// -update), without a cluster: each must give exactly what the hand-written fixture gives. The
// OnCassandra test proves that this is also what system_schema holds.
func TestParseCapturedDescribe(t *testing.T) {
	want := parseClean(t, readFixture(t))
	if len(want.Keyspaces) != 1 || want.Keyspaces[0].Name != fixturePlaceholder {
		t.Fatalf("the fixture defines %d keyspaces, want %s only", len(want.Keyspaces), fixturePlaceholder)
	}
	for _, c := range capturedDescribes {
		t.Run(c.how, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join("testdata", c.file))
			if err != nil {
				t.Fatal(err)
			}
			got := parseClean(t, string(b))
			if len(got.Keyspaces) != 1 {
				t.Fatalf("%d keyspaces", len(got.Keyspaces))
			}
			if d := diffKeyspace(want.Keyspaces[0], got.Keyspaces[0]); d != "" {
				t.Errorf("%s differs from the fixture (- fixture, + %s):\n%s", c.file, c.file, d)
			}
		})
	}
}

// TestDiffKeyspace checks the comparison the other tests rely on: every difference shows.
func TestDiffKeyspace(t *testing.T) {
	base := parseClean(t, readFixture(t)).Keyspaces[0]
	if d := diffKeyspace(base, parseClean(t, readFixture(t)).Keyspaces[0]); d != "" {
		t.Fatalf("two parses of the same text differ:\n%s", d)
	}
	changes := map[string]func(ks *introspect.KeyspaceSchema){
		"replication":    func(ks *introspect.KeyspaceSchema) { ks.Replication["replication_factor"] = "2" },
		"nil index list": func(ks *introspect.KeyspaceSchema) { ks.Tables["leveled"].Indexes = []introspect.Index{} },
		"column order": func(ks *introspect.KeyspaceSchema) {
			c := ks.Tables["tuned"].Columns
			c[0], c[1] = c[1], c[0]
		},
		"option":     func(ks *introspect.KeyspaceSchema) { ks.Tables["tuned"].Options.CRCCheckChance = 1 },
		"option map": func(ks *introspect.KeyspaceSchema) { ks.Tables["tuned"].Options.Compression["x"] = "y" },
		"index":      func(ks *introspect.KeyspaceSchema) { ks.Tables["Events"].Indexes[0].Options["target"] = "x" },
		"field":      func(ks *introspect.KeyspaceSchema) { ks.Types["address"].Fields[0].Type = "ascii" },
		"type":       func(ks *introspect.KeyspaceSchema) { delete(ks.Types, "key") },
		"index table": func(ks *introspect.KeyspaceSchema) {
			ks.IndexTables["x"] = "y"
		},
	}
	for name, change := range changes {
		other := parseClean(t, readFixture(t)).Keyspaces[0]
		change(other)
		d := diffKeyspace(base, other)
		if !strings.HasPrefix(d, "- ") && !strings.HasPrefix(d, "+ ") {
			t.Errorf("%s: the difference is not shown: %q", name, d)
		}
	}
}
