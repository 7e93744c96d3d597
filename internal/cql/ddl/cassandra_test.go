package ddl

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	gocql "github.com/apache/cassandra-gocql-driver/v2"

	"github.com/cqlsync/cqlsync/internal/cql/introspect"
	"github.com/cqlsync/cqlsync/test/rig/testenv"
)

// The tests against a real Cassandra 5.0 prove the promise of the package: parsing the DESCRIBE
// text of a keyspace gives exactly what introspect.ReadKeyspaceSchema reads from system_schema.
// Each creates a keyspace of its own, reads it live, has it described three ways (the Python
// driver's export_as_string, which cqlsh used before server-side DESCRIBE; the server's DESCRIBE
// KEYSPACE, which cqlsh uses against 4.0+; and DESCRIBE ... WITH INTERNALS, which adds dropped
// columns as ALTER TABLE statements), parses each text and compares field by field.

// update rewrites testdata/fixture.*.cql, the DESCRIBE texts of the fixture that
// TestParseCapturedDescribe parses without a cluster: go test -run OnCassandra -update.
var update = flag.Bool("update", false, "rewrite testdata/fixture.*.cql from the real cluster")

// fixturePlaceholder is the keyspace name of test/fixtures/schema.cql, which tests replace with
// a name of their own.
const fixturePlaceholder = "DdlFix_KS"

// capturedDescribes are the files -update writes: the fixture's DESCRIBE texts, with the test
// keyspace's name put back to the placeholder.
var capturedDescribes = []struct{ file, how string }{
	{"fixture.export.cql", "driver export_as_string"},
	{"fixture.describe.cql", "server DESCRIBE KEYSPACE"},
	{"fixture.describe-internals.cql", "server DESCRIBE KEYSPACE WITH INTERNALS"},
}

// TestParseFixtureOnCassandra creates test/fixtures/schema.cql in a fresh keyspace and requires
// the fixture itself and each of its DESCRIBE texts to parse to the live schema.
func TestParseFixtureOnCassandra(t *testing.T) {
	rig := testenv.Cassandra(t)
	py := testenv.Python(t)
	ks := fmt.Sprintf("DdlFix_%09d", rand.IntN(1e9))
	src := strings.ReplaceAll(readFixture(t), fixturePlaceholder, ks)
	s := newSession(t, rig.Cluster1, "")
	t.Cleanup(func() { dropKeyspace(t, s, ks) })
	applyCQL(t, rig.Cluster1, s, src)

	live := readLive(t, s, ks)
	texts := []struct{ how, text string }{
		{"hand-written fixture", src},
		{capturedDescribes[0].how, testenv.PythonDescribe(t, py, rig.Cluster1, ks)},
		{capturedDescribes[1].how, testenv.ServerDescribe(t, s, ks, false)},
		{capturedDescribes[2].how, testenv.ServerDescribe(t, s, ks, true)},
	}
	for _, tx := range texts {
		t.Run(tx.how, func(t *testing.T) { requireLive(t, tx.text, live) })
	}
	if *update {
		for i, c := range capturedDescribes {
			text := strings.ReplaceAll(texts[i+1].text, ks, fixturePlaceholder)
			if err := os.WriteFile(filepath.Join("testdata", c.file), []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		t.Logf("wrote testdata/fixture.*.cql")
	}
}

// TestParseCqlengineOnCassandra does the same for tables and types that cqlengine's sync_table
// and sync_type create (hack/python/cqlengine_sync.py): another client's idea of a schema.
func TestParseCqlengineOnCassandra(t *testing.T) {
	rig := testenv.Cassandra(t)
	py := testenv.Python(t)
	ks := fmt.Sprintf("ddlfix_cqleng_%09d", rand.IntN(1e9))
	s := newSession(t, rig.Cluster1, "")
	t.Cleanup(func() { dropKeyspace(t, s, ks) })
	exec1(t, s, `CREATE KEYSPACE `+ks+` WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}`)

	for _, m := range []string{"automobile", "integer_sequenced_items", "address"} {
		testenv.RunCqlengine(t, py, rig.Cluster1, ks, m, false)
	}

	live := readLive(t, s, ks)
	if len(live.Tables) < 2 {
		t.Fatalf("cqlengine created %d tables in %s, want at least 2", len(live.Tables), ks)
	}
	for _, tx := range []struct{ how, text string }{
		{"driver export_as_string", testenv.PythonDescribe(t, py, rig.Cluster1, ks)},
		{"server DESCRIBE KEYSPACE", testenv.ServerDescribe(t, s, ks, false)},
	} {
		t.Run(tx.how, func(t *testing.T) { requireLive(t, tx.text, live) })
	}
}

// requireLive parses text and requires exactly the live keyspace, with nothing skipped and no
// warning.
func requireLive(t *testing.T, text string, live *introspect.KeyspaceSchema) {
	t.Helper()
	r := parseClean(t, text)
	if len(r.Keyspaces) != 1 {
		t.Fatalf("%d keyspaces parsed, want 1 (%s)", len(r.Keyspaces), live.Name)
	}
	if d := diffKeyspace(live, r.Keyspaces[0]); d != "" {
		t.Errorf("parsed keyspace differs from system_schema (- live, + parsed):\n%s\n\ntext:\n%s", d, text)
		return
	}
	columns := 0
	for _, tb := range live.Tables {
		columns += len(tb.Columns)
	}
	t.Logf("identical: %d tables, %d columns, %d indexes, %d types", len(live.Tables), columns, len(live.IndexTables), len(live.Types))
}

func readFixture(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(testenv.RepoRoot(), "test", "fixtures", "schema.cql"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func newSession(t *testing.T, host, keyspace string) *gocql.Session {
	t.Helper()
	cc := gocql.NewCluster(host)
	cc.Timeout = 30 * time.Second
	cc.ConnectTimeout = 30 * time.Second
	cc.Keyspace = keyspace
	s, err := gocql.NewSession(*cc)
	if err != nil {
		t.Fatalf("connecting to %s (keyspace %q): %v", host, keyspace, err)
	}
	t.Cleanup(s.Close)
	return s
}

func exec1(t *testing.T, s *gocql.Session, stmt string) {
	t.Helper()
	if err := s.Query(stmt).Exec(); err != nil {
		t.Fatalf("%s: %v", stmt, err)
	}
}

// applyCQL runs a CQL text statement by statement, cut by this package's own splitter. gocql
// refuses USE, so a USE opens a session bound to that keyspace instead.
func applyCQL(t *testing.T, host string, s *gocql.Session, src string) {
	t.Helper()
	for _, st := range splitStatements(src) {
		c := &cursor{src: src, toks: st.toks}
		if c.acceptKeyword("use") {
			ks, err := c.ident("keyspace")
			if err != nil {
				t.Fatalf("line %d: %v", st.line, err)
			}
			s = newSession(t, host, ks)
			continue
		}
		if err := s.Query(st.text(src)).Exec(); err != nil {
			t.Fatalf("line %d: %v\n%s", st.line, err, st.text(src))
		}
	}
}

func readLive(t *testing.T, s *gocql.Session, keyspace string) *introspect.KeyspaceSchema {
	t.Helper()
	ks, _, err := introspect.ReadKeyspaceSchema(context.Background(), s, keyspace)
	if err != nil || ks == nil {
		t.Fatalf("reading %s from system_schema: %v (found: %v)", keyspace, err, ks != nil)
	}
	return ks
}

func dropKeyspace(t *testing.T, s *gocql.Session, keyspace string) {
	if err := s.Query(`DROP KEYSPACE IF EXISTS "` + keyspace + `"`).Exec(); err != nil {
		t.Logf("dropping %s: %v", keyspace, err)
	}
}

// TestParseUnmanagedOnCassandra: the options outside TableOptions that the server's DESCRIBE
// prints parse to what introspect.ReadUnmanaged reads live. (The Python driver's export_as_string
// does not print them.)
func TestParseUnmanagedOnCassandra(t *testing.T) {
	rig := testenv.Cassandra(t)
	ks := fmt.Sprintf("DdlUnmanaged_%09d", rand.IntN(1e9))
	s := newSession(t, rig.Cluster1, "")
	t.Cleanup(func() { dropKeyspace(t, s, ks) })
	q := `"` + ks + `"`
	exec1(t, s, `CREATE KEYSPACE `+q+` WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}`)
	exec1(t, s, `CREATE TABLE `+q+`.plain (id int PRIMARY KEY)`)
	exec1(t, s, `CREATE TABLE `+q+`.tuned (id int PRIMARY KEY) WITH allow_auto_snapshot = false AND incremental_backups = false`)
	exec1(t, s, `CREATE TABLE `+q+`.half (id int PRIMARY KEY) WITH incremental_backups = false`)

	live, err := introspect.ReadUnmanaged(context.Background(), s, ks)
	if err != nil {
		t.Fatal(err)
	}
	if len(live.TableOptions) != 2 {
		t.Fatalf("the live keyspace has unmanaged options on %d tables, want 2: %+v", len(live.TableOptions), live.TableOptions)
	}
	r := parseClean(t, testenv.ServerDescribe(t, s, ks, false))
	if got := r.Unmanaged[ks]; !reflect.DeepEqual(got, live) {
		t.Errorf("parsed %+v, live %+v", got, live)
	}
}
