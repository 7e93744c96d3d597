package integration

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"

	gocql "github.com/apache/cassandra-gocql-driver/v2"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
	"github.com/cqlsync/cqlsync/internal/cql/apply"
	"github.com/cqlsync/cqlsync/internal/cql/introspect"
	"github.com/cqlsync/cqlsync/internal/cql/render"
	"github.com/cqlsync/cqlsync/test/rig/testenv"
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

func getTableModel(ns, name string) (*cqlv1.TableModel, error) {
	tm := &cqlv1.TableModel{}
	err := k8s.Get(ctx, client.ObjectKey{Namespace: ns, Name: name}, tm)
	return tm, err
}

// waitTableModel waits for the Ready condition to have the status and reason and to describe the
// current generation, and for check (when given) to pass; it returns the TableModel.
func waitTableModel(t *testing.T, ns, name string, status metav1.ConditionStatus, reason string, check func(*cqlv1.TableModel) error) *cqlv1.TableModel {
	t.Helper()
	var tm *cqlv1.TableModel
	eventually(t, tableTimeout, func() error {
		var err error
		if tm, err = getTableModel(ns, name); err != nil {
			return err
		}
		c := meta.FindStatusCondition(tm.Status.Conditions, cqlv1.ConditionReady)
		if c == nil {
			return fmt.Errorf("tablemodel %s/%s has no Ready condition yet", ns, name)
		}
		if c.Status != status || c.Reason != reason || c.ObservedGeneration != tm.Generation || tm.Status.ObservedGeneration != tm.Generation {
			return fmt.Errorf("tablemodel %s/%s Ready=%s reason=%s gen=%d/%d message=%q; want %s %s",
				ns, name, c.Status, c.Reason, c.ObservedGeneration, tm.Generation, c.Message, status, reason)
		}
		if check != nil {
			return check(tm)
		}
		return nil
	})
	return tm
}

// updateTableModel re-reads the TableModel, applies change and updates it, retrying on conflicts.
func updateTableModel(t *testing.T, ns, name string, change func(*cqlv1.TableModel)) {
	t.Helper()
	eventually(t, 10*time.Second, func() error {
		tm, err := getTableModel(ns, name)
		if err != nil {
			return err
		}
		change(tm)
		return k8s.Update(ctx, tm)
	})
}

// tableTarget returns the status target of a connection and keyspace.
func tableTarget(tm *cqlv1.TableModel, conn, keyspace string) (cqlv1.TargetStatus, error) {
	for _, tg := range tm.Status.Targets {
		if tg.Connection == conn && tg.Keyspace == keyspace {
			return tg, nil
		}
	}
	return cqlv1.TargetStatus{}, fmt.Errorf("tablemodel %s has no target %s/%s: %+v", tm.Name, conn, keyspace, tm.Status.Targets)
}

// tmConnection creates a connection to host with a default keyspace and waits until it is Ready.
func tmConnection(t *testing.T, ns, name, host, defaultKeyspace string, isDefault bool) {
	t.Helper()
	mustCreate(t, connection(ns, name, cqlv1.CassandraConnectionSpec{Hosts: hosts(host), Default: isDefault, DefaultKeyspace: defaultKeyspace}))
	waitReady(t, ns, name, metav1.ConditionTrue, cqlv1.ReasonConnected, connectTimeout)
}

// tmSession opens the test's own session to a cluster, to check what cqlsync did and to change
// the schema behind its back.
func tmSession(t testing.TB, host string) *gocql.Session { return testenv.CQLSession(t, host) }

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

// waitTableEvent waits for an event about the TableModel with the reason and a note saying every
// fragment.
func waitTableEvent(t *testing.T, ns, name, reason string, fragments ...string) {
	t.Helper()
	waitObjectEvent(t, ns, "TableModel", name, reason, fragments...)
}

// assertQuiet waits until every listed connection of the namespace has been given at least
// rounds more (empty) plans than now, which proves that the TableModels using them were
// reconciled again (each target's resync hands the executor a plan, empty or not), and then
// checks that no statement was sent and that the TableModel's resourceVersion did not move:
// a reconcile with nothing to change executes no DDL and writes no status.
func assertQuiet(t *testing.T, ns, name string, rounds int64, conns ...string) {
	t.Helper()
	tm, err := getTableModel(ns, name)
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
	after, err := getTableModel(ns, name)
	if err != nil {
		t.Fatal(err)
	}
	if after.ResourceVersion != tm.ResourceVersion {
		t.Errorf("a reconcile with nothing to change wrote the TableModel: resourceVersion %s -> %s\nbefore: %+v\nafter: %+v",
			tm.ResourceVersion, after.ResourceVersion, tm.Status, after.Status)
	}
}
