package integration

import (
	"fmt"
	"os"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
	"github.com/cqlsync/cqlsync/test/rig/testenv"
)

// TestTooManyTablesWarning: a connection counts its cluster's tables (status.tables); a table
// created past spec.tablesWarnThreshold gives its TableModel a Warning event naming the count and
// the threshold, while the table is created all the same.
func TestTooManyTablesWarning(t *testing.T) {
	rig := testenv.Cassandra(t)
	ns := newNamespace(t)
	s1 := cqlSession(t, rig.Cluster1)
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
	waitSchema[cqlv1.TableModel](t, ns, "readings", metav1.ConditionTrue, cqlv1.ReasonSynced, tableTimeout, nil)
	waitObjectEvent(t, ns, "TableModel", "readings", "TooManyTables", "c1/"+ks, "more than the connection's spec.tablesWarnThreshold (1)")
	if liveTable(t, s1, ks, "readings") == nil {
		t.Fatal("the table must be created all the same")
	}
}

// TestCassandraWarningIsAnEvent: the rig's nodes warn (a guardrail, columns_per_table_warn_threshold
// 40) on a table of more than 40 columns. Guardrails apply to ordinary users only, so the connection
// logs in to cluster3 (password and TLS) as a role that is not a superuser. Cassandra answers the
// CREATE TABLE with a warning, which becomes a CassandraWarning event on the TableModel, naming the
// target and the statement; the table is created all the same.
func TestCassandraWarningIsAnEvent(t *testing.T) {
	rig := testenv.Cassandra(t)
	ns := newNamespace(t)
	admin := testenv.SecureCQLSession(t, rig)
	suffix := uniqueSuffix()
	ks, role, password := "tm_warn_"+suffix, "warned_"+suffix, "pw-"+suffix
	tmKeyspace(t, ks, admin)
	cql(t, admin, `CREATE ROLE "`+role+`" WITH PASSWORD = '`+password+`' AND LOGIN = true`)
	t.Cleanup(func() { _ = admin.Query(`DROP ROLE IF EXISTS "` + role + `"`).Exec() })
	cql(t, admin, `GRANT ALL PERMISSIONS ON KEYSPACE "`+ks+`" TO "`+role+`"`)
	ca, err := os.ReadFile(rig.Cluster3CA)
	if err != nil {
		t.Fatal(err)
	}
	mustCreate(t,
		secret(ns, "creds", map[string]string{"username": role, "password": password}),
		secret(ns, "ca", map[string]string{"ca.crt": string(ca)}),
		connection(ns, "c3", secureSpec(rig, "creds", "ca")),
	)
	spec := readingsSpec("c3", ks)
	spec.Name = "wide"
	for i := range 40 {
		spec.Columns = append(spec.Columns, cqlv1.Column{Name: cqlv1.ColumnName(fmt.Sprintf("c%02d", i)), Type: "int"})
	}
	mustCreate(t, tableModelObj(ns, "wide", spec))
	waitSchema[cqlv1.TableModel](t, ns, "wide", metav1.ConditionTrue, cqlv1.ReasonSynced, tableTimeout, nil)
	waitObjectEvent(t, ns, "TableModel", "wide", "CassandraWarning", "c3/"+ks, `create table "`+ks+`"."wide"`, "columns")
	if liveTable(t, admin, ks, "wide") == nil {
		t.Fatal("the table must be created all the same")
	}
}
