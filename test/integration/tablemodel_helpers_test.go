package integration

import (
	"fmt"
	"strings"
	"testing"
	"time"

	gocql "github.com/apache/cassandra-gocql-driver/v2"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
	"github.com/cqlsync/cqlsync/internal/cql/apply"
	"github.com/cqlsync/cqlsync/internal/cql/introspect"
	"github.com/cqlsync/cqlsync/internal/cql/render"
)

// tableDriftInterval is the manager's --drift-interval in this suite: short, so that drift tests
// see a correction within seconds, and so that "nothing to do" is exercised by many resyncs.
const tableDriftInterval = 4 * time.Second

// tableTimeout bounds how long a TableModel may take to reach a state (DDL with schema agreement
// on the single-node test clusters takes about a second per statement).
const tableTimeout = 120 * time.Second

func tableModelObj(ns, name string, spec cqlv1.TableModelSpec) *cqlv1.TableModel {
	return &cqlv1.TableModel{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}, Spec: spec}
}

func tmKeyspaces(names ...string) []cqlv1.KeyspaceName {
	out := make([]cqlv1.KeyspaceName, len(names))
	for i, n := range names {
		out[i] = cqlv1.KeyspaceName(n)
	}
	return out
}

// cql runs statements on a session (the test's own out-of-band DDL), failing the test on error.
func cql(t *testing.T, s *gocql.Session, stmts ...string) {
	t.Helper()
	for _, st := range stmts {
		if err := s.Query(st).Exec(); err != nil {
			t.Fatalf("%s: %v", st, err)
		}
	}
}

// tmKeyspace creates a keyspace with CQL on each session and drops it when the test ends.
func tmKeyspace(t *testing.T, name string, sessions ...*gocql.Session) {
	t.Helper()
	for _, s := range sessions {
		cql(t, s, "CREATE KEYSPACE IF NOT EXISTS "+render.Ident(name)+" WITH replication = {'class': 'SimpleStrategy', 'replication_factor': '1'}")
	}
	dropAfter(t, name, sessions...)
}

// readLive reads a keyspace's schema with the test's session, bypassing any cache.
func readLive(t *testing.T, s *gocql.Session, keyspace string) *introspect.KeyspaceSchema {
	t.Helper()
	ks, _, err := introspect.ReadKeyspaceSchema(ctx, s, keyspace)
	if err != nil {
		t.Fatalf("reading keyspace %s: %v", keyspace, err)
	}
	return ks
}

// liveTable returns a table as Cassandra has it, or nil.
func liveTable(t *testing.T, s *gocql.Session, keyspace, table string) *introspect.Table {
	t.Helper()
	ks := readLive(t, s, keyspace)
	if ks == nil {
		return nil
	}
	return ks.Tables[table]
}

// columnsText renders the live columns as "name kind position order type" lines, for exact
// comparisons.
func columnsText(tbl *introspect.Table) string {
	var lines []string
	for _, c := range tbl.Columns {
		lines = append(lines, fmt.Sprintf("%s %s %d %s %s", c.Name, c.Kind, c.Position, c.ClusteringOrder, c.Type))
	}
	return strings.Join(lines, "\n")
}

// indexesText renders the live indexes as "name kind target [class]" lines.
func indexesText(tbl *introspect.Table) string {
	var lines []string
	for _, ix := range tbl.Indexes {
		line := fmt.Sprintf("%s %s %s", ix.Name, ix.Kind, ix.Options["target"])
		if c := ix.Options["class_name"]; c != "" {
			line += " " + c
		}
		lines = append(lines, line)
	}
	return strings.Join(lines, "\n")
}

// assertQuiet waits until every listed connection of the namespace has been given at least
// rounds more (empty) plans than now, which proves that the TableModels using them were
// reconciled again (each target's resync hands the executor a plan, empty or not), and then
// checks that no statement was sent and that the TableModel's resourceVersion did not move:
// a reconcile with nothing to change executes no DDL and writes no status.
func assertQuiet(t *testing.T, ns, name string, rounds int64, conns ...string) {
	t.Helper()
	tm, err := getObject[cqlv1.TableModel](ns, name)
	if err != nil {
		t.Fatal(err)
	}
	before := map[string]apply.Stats{}
	for _, c := range conns {
		before[c] = ddlStats(ns, c)
	}
	eventually(t, tableTimeout, func() error {
		for _, c := range conns {
			if now := ddlStats(ns, c); now.Plans < before[c].Plans+rounds {
				return fmt.Errorf("connection %s: %d plans since, want %d resyncs", c, now.Plans-before[c].Plans, rounds)
			}
		}
		return nil
	})
	for _, c := range conns {
		if now := ddlStats(ns, c); now.Statements != before[c].Statements {
			t.Errorf("connection %s ran %d statements with nothing to change", c, now.Statements-before[c].Statements)
		}
	}
	after, err := getObject[cqlv1.TableModel](ns, name)
	if err != nil {
		t.Fatal(err)
	}
	if after.ResourceVersion != tm.ResourceVersion {
		t.Errorf("a reconcile with nothing to change wrote the TableModel: resourceVersion %s -> %s\nbefore: %+v\nafter: %+v",
			tm.ResourceVersion, after.ResourceVersion, tm.Status, after.Status)
	}
}
