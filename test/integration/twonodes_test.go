package integration

import (
	"fmt"
	"syscall"
	"testing"
	"time"

	gocql "github.com/apache/cassandra-gocql-driver/v2"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
	"github.com/cqlsync/cqlsync/test/rig/testenv"
)

// TestHungNodeOnTwoNodes: real schema disagreement, and a node that hangs, on the rig's cluster of
// two nodes. One node is frozen (SIGSTOP: it accepts TCP and never answers). cqlsync keeps its
// session through the other node and sends its CREATE TABLE there; the frozen node cannot take
// the change, so the target is Pending (SchemaDisagreement) and no statement runs again while it
// waits. Once the live node marks the frozen one down, a node that is down no longer blocks DDL
// (whenNodeDown: Proceed, the default) and the target is Synced, with the one statement. A
// connection with whenNodeDown: Hold runs nothing meanwhile and is Pending (NodeDown). After
// SIGCONT the node pulls the schema it missed, the held target syncs, and nothing ran twice.
func TestHungNodeOnTwoNodes(t *testing.T) {
	pair := testenv.TwoNodes(t)
	ns := newNamespace(t)
	s1 := pairSession(t, pair.Hosts[0])
	ks := "pair_" + uniqueSuffix()
	cql(t, s1, `CREATE KEYSPACE "`+ks+`" WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 2}`)
	dropAfter(t, ks, s1)

	timeout := metav1.Duration{Duration: 3 * time.Second}
	mustCreate(t, connection(ns, "proceed", cqlv1.CassandraConnectionSpec{Hosts: hosts(pair.Hosts[0]),
		RequestTimeout: &timeout, SchemaAgreementTimeout: &timeout}))
	mustCreate(t, connection(ns, "hold", cqlv1.CassandraConnectionSpec{Hosts: hosts(pair.Hosts[0]),
		RequestTimeout: &timeout, SchemaAgreementTimeout: &timeout,
		DDLGuards: &cqlv1.DDLGuards{WhenNodeDown: cqlv1.GuardHold}}))
	for _, name := range []string{"proceed", "hold"} {
		eventually(t, connectTimeout, func() error {
			c, err := getObject[cqlv1.CassandraConnection](ns, name)
			if err != nil || c.Status.HostsUp != "2/2" {
				return fmt.Errorf("both nodes must be up first: %v %+v", err, c.Status)
			}
			return nil
		})
	}

	pid := pair.NodePID(t, pair.Nodes[1])
	thaw := func() { _ = syscall.Kill(pid, syscall.SIGCONT) }
	t.Cleanup(thaw) // whatever happens, the node is not left frozen
	if err := syscall.Kill(pid, syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	frozen := time.Now()
	mustCreate(t, tableModelObj(ns, "proceeds", readingsSpec("proceed", ks)))
	eventually(t, time.Minute, func() error {
		tm, err := getObject[cqlv1.TableModel](ns, "proceeds")
		if err != nil {
			return err
		}
		if tg, err := schemaTarget(tm, "proceed", ks); err != nil || tg.State != cqlv1.TargetPending || tg.Reason != cqlv1.ReasonSchemaDisagreement {
			return fmt.Errorf("not Pending/SchemaDisagreement: %+v", tm.Status.Targets)
		}
		return nil
	})
	t.Logf("Pending/SchemaDisagreement %s after the node froze", time.Since(frozen).Round(100*time.Millisecond))
	if n := ddlStats(ns, "proceed").Statements; n != 1 {
		t.Errorf("%d statements ran before the disagreement was reported, want the one CREATE TABLE", n)
	}
	if liveTable(t, s1, ks, "readings") == nil {
		t.Error("the CREATE TABLE did not run on the live node")
	}

	waitSchema[cqlv1.TableModel](t, ns, "proceeds", metav1.ConditionTrue, cqlv1.ReasonSynced, tableTimeout, nil)
	t.Logf("Synced %s after the node froze (the frozen node marked down)", time.Since(frozen).Round(100*time.Millisecond))
	if n := ddlStats(ns, "proceed").Statements; n != 1 {
		t.Errorf("%d statements ran through the proceeding connection, want the one CREATE TABLE", n)
	}

	held := readingsSpec("hold", ks)
	held.Name = "held"
	mustCreate(t, tableModelObj(ns, "held", held))
	eventually(t, time.Minute, func() error {
		tm, err := getObject[cqlv1.TableModel](ns, "held")
		if err != nil {
			return err
		}
		if tg, err := schemaTarget(tm, "hold", ks); err != nil || tg.State != cqlv1.TargetPending || tg.Reason != cqlv1.ReasonNodeDown {
			return fmt.Errorf("not Pending/NodeDown: %+v", tm.Status.Targets)
		}
		return nil
	})
	if n := ddlStats(ns, "hold").Statements; n != 0 {
		t.Errorf("%d statements ran through the holding connection while a node was down", n)
	}
	if liveTable(t, s1, ks, "held") != nil {
		t.Error("the held table exists while the node is down")
	}

	thaw()
	s2 := pairSession(t, pair.Hosts[1])
	eventually(t, 2*time.Minute, func() error {
		if liveTable(t, s2, ks, "readings") == nil {
			return fmt.Errorf("the thawed node has not pulled the table yet")
		}
		return nil
	})
	waitSchema[cqlv1.TableModel](t, ns, "held", metav1.ConditionTrue, cqlv1.ReasonSynced, tableTimeout, nil)
	if liveTable(t, s2, ks, "held") == nil {
		t.Error("the held table is not on the thawed node")
	}
	if n := ddlStats(ns, "proceed").Statements; n != 1 {
		t.Errorf("%d statements ran through the proceeding connection in all, want 1", n)
	}
	if n := ddlStats(ns, "hold").Statements; n != 1 {
		t.Errorf("%d statements ran through the holding connection in all, want 1", n)
	}
}

// pairSession is a session that talks to one node only (the other may be frozen).
func pairSession(t *testing.T, host string) *gocql.Session {
	t.Helper()
	cc := gocql.NewCluster(host)
	cc.Timeout = 30 * time.Second
	cc.HostFilter = gocql.WhiteListHostFilter(host)
	s, err := gocql.NewSession(*cc)
	if err != nil {
		t.Fatalf("connecting to %s: %v", host, err)
	}
	t.Cleanup(s.Close)
	return s
}
