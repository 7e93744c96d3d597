package integration

import (
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
	"github.com/cqlsync/cqlsync/internal/testenv"
)

// TestTooManyTablesWarning: a connection counts its cluster's tables (status.tables); a table
// created past spec.tablesWarnThreshold gives its TableModel a Warning event naming the count and
// the threshold, while the table is created all the same.
func TestTooManyTablesWarning(t *testing.T) {
	rig := testenv.Cassandra(t)
	ns := newNamespace(t)
	s1 := tmSession(t, rig.Cluster1)
	ks := "tm_many_" + uniqueSuffix()
	tmKeyspace(t, ks, s1)
	// The keyspace has a table already, so the cluster holds at least one.
	cql(t, s1, `CREATE TABLE "`+ks+`"."first" (id int PRIMARY KEY)`)
	one := int32(1)
	mustCreate(t, connection(ns, "c1", cqlv1.CassandraConnectionSpec{Hosts: hosts(rig.Cluster1), TablesWarnThreshold: &one}))
	c := waitReady(t, ns, "c1", metav1.ConditionTrue, cqlv1.ReasonConnected, connectTimeout)
	if c.Status.Tables < 1 {
		t.Fatalf("status.tables = %d, want the cluster's tables counted", c.Status.Tables)
	}
	mustCreate(t, tableModelObj(ns, "readings", readingsSpec("c1", ks)))
	waitTableModel(t, ns, "readings", metav1.ConditionTrue, cqlv1.ReasonSynced, nil)
	waitTableEvent(t, ns, "readings", "TooManyTables", "c1/"+ks, "more than the connection's spec.tablesWarnThreshold (1)")
	if liveTable(t, s1, ks, "readings") == nil {
		t.Fatal("the table must be created all the same")
	}
}
