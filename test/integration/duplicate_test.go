package integration

import (
	"fmt"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/api/meta"

	gocql "github.com/apache/cassandra-gocql-driver/v2"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
	"github.com/cqlsync/cqlsync/internal/cql/introspect"
	"github.com/cqlsync/cqlsync/internal/cql/render"
	"github.com/cqlsync/cqlsync/test/rig/testenv"
)

// TestDuplicateKeyspace: two Keyspaces of a namespace name the same CQL keyspace on cluster1.
// The older owns it and stays Synced; the newer is Ready=False DuplicateOwner on that connection
// only (its other connection syncs) and never ALTERs the older one's replication. Deleting the
// newer with deletionPolicy Delete keeps the keyspace and its data on cluster1 (and drops it on
// cluster2, which only it declared). Deleting the older with Delete while a third duplicate still
// declares the keyspace keeps it too: the third takes it over, data included, and becomes Synced.
// The last one left drops it.
func TestDuplicateKeyspace(t *testing.T) {
	rig := testenv.Cassandra(t)
	ns := newNamespace(t)
	s1, s2 := cqlSession(t, rig.Cluster1), cqlSession(t, rig.Cluster2)
	readyConnection(t, ns, "c1", rig.Cluster1, "", true)
	readyConnection(t, ns, "c2", rig.Cluster2, "", false)
	name := "dup_orders_" + uniqueSuffix()
	dropAfter(t, name, s1, s2)

	first := keyspaceObj(ns, "first", cqlv1.KeyspaceSpec{
		Name: name, Replication: simpleRF(1), Connections: connNames("c1"), DeletionPolicy: cqlv1.DeletionPolicyDelete,
	})
	mustCreate(t, first)
	waitSchema[cqlv1.Keyspace](t, ns, "first", metav1.ConditionTrue, cqlv1.ReasonSynced, keyspaceTimeout, nil)
	// Data the keyspace must keep through what follows.
	cql(t, s1, "CREATE TABLE "+render.QualifiedName(name, "marker")+" (id int PRIMARY KEY)",
		"INSERT INTO "+render.QualifiedName(name, "marker")+" (id) VALUES (1)")

	// A newer duplicate that disagrees on replication. ("first" < "second": it is the newer one
	// even if both were created in the same second.)
	second := keyspaceObj(ns, "second", cqlv1.KeyspaceSpec{
		Name: name, Replication: simpleRF(2), Connections: connNames("c1", "c2"), DeletionPolicy: cqlv1.DeletionPolicyDelete,
	})
	mustCreate(t, second)
	owned := fmt.Sprintf(`Keyspace "%s/first" already manages keyspace %q on the cluster of connection "c1"`, ns, name)
	ks := waitSchema[cqlv1.Keyspace](t, ns, "second", metav1.ConditionFalse, cqlv1.ReasonDuplicateOwner, keyspaceTimeout, nil)
	if c := meta.FindStatusCondition(ks.Status.Conditions, cqlv1.ConditionReady); !strings.Contains(c.Message, owned) {
		t.Errorf("Ready message %q does not name the owner (%q)", c.Message, owned)
	}
	if tg := mustTarget(t, ks, "c1", ""); tg.State != cqlv1.TargetFailed || tg.Reason != cqlv1.ReasonDuplicateOwner ||
		!strings.Contains(tg.Message, owned) || !strings.Contains(tg.Message, "spec.name") {
		t.Errorf("target c1: %+v", tg)
	}
	if tg := mustTarget(t, ks, "c2", ""); tg.State != cqlv1.TargetSynced || ks.Status.TargetsSynced != "1/2" {
		t.Errorf("target c2 (nobody else declares it there) must sync: %+v (%s)", tg, ks.Status.TargetsSynced)
	}
	waitObjectEvent(t, ns, "Keyspace", "second", cqlv1.ReasonDuplicateOwner, "connection c1", owned)
	waitSchema[cqlv1.Keyspace](t, ns, "first", metav1.ConditionTrue, cqlv1.ReasonSynced, keyspaceTimeout, nil)
	assertReplication(t, s1, name, "1")
	assertReplication(t, s2, name, "2")

	// Deleting the newer with Delete: kept on c1, which "first" manages; dropped on c2.
	deleteAndWait(t, second, keyspaceTimeout)
	waitObjectEvent(t, ns, "Keyspace", "second", "KeyspaceKept", "connection c1", fmt.Sprintf(`Keyspace "%s/first" manages it`, ns))
	assertReplication(t, s1, name, "1")
	assertMarker(t, s1, name)
	if l := readLiveKeyspace(t, s2, name); l != nil {
		t.Errorf("cluster2: %s was declared by \"second\" only and must be dropped with it: %+v", name, l)
	}
	waitSchema[cqlv1.Keyspace](t, ns, "first", metav1.ConditionTrue, cqlv1.ReasonSynced, keyspaceTimeout, nil)

	// A third duplicate, through the namespace default connection (c1).
	third := keyspaceObj(ns, "third", cqlv1.KeyspaceSpec{Name: name, Replication: simpleRF(2), DeletionPolicy: cqlv1.DeletionPolicyDelete})
	mustCreate(t, third)
	ks = waitSchema[cqlv1.Keyspace](t, ns, "third", metav1.ConditionFalse, cqlv1.ReasonDuplicateOwner, keyspaceTimeout, nil)
	if tg := mustTarget(t, ks, "c1", ""); !tg.Default || !strings.Contains(tg.Message, owned) {
		t.Errorf("third's target: %+v", tg)
	}

	// Deleting the owner with Delete while "third" still declares the keyspace: kept, and "third"
	// takes it over (the ALTER to RF 2 shows that it manages it now).
	deleteAndWait(t, first, keyspaceTimeout)
	waitObjectEvent(t, ns, "Keyspace", "first", "KeyspaceKept", "connection c1", fmt.Sprintf(`Keyspace "%s/third" also declares it and takes it over`, ns))
	waitSchema[cqlv1.Keyspace](t, ns, "third", metav1.ConditionTrue, cqlv1.ReasonSynced, keyspaceTimeout, nil)
	assertReplication(t, s1, name, "2")
	assertMarker(t, s1, name)

	// The last one drops it.
	deleteAndWait(t, third, keyspaceTimeout)
	if l := readLiveKeyspace(t, s1, name); l != nil {
		t.Errorf("%s still exists after its only Keyspace was deleted with deletionPolicy Delete: %+v", name, l)
	}
}

// TestDuplicateTableModel: two TableModels declare the same table on the same connection and
// keyspace, one by name and one through the connection's defaultKeyspace. The older owns it; the
// newer is Ready=False DuplicateOwner on that target only (its other target syncs) and its extra
// column is not added. Deleting the newer with Delete keeps the table and its rows there. Deleting
// the older with Delete while a third duplicate (through the namespace default connection and its
// defaultKeyspace) declares the table keeps it too: the third takes it over, rows included, and
// adds its column. The last one left drops it.
func TestDuplicateTableModel(t *testing.T) {
	rig := testenv.Cassandra(t)
	ns := newNamespace(t)
	s1, s2 := cqlSession(t, rig.Cluster1), cqlSession(t, rig.Cluster2)
	sfx := uniqueSuffix()
	ks1, ks2 := "dup_tm_a_"+sfx, "dup_tm_b_"+sfx
	tmKeyspace(t, ks1, s1)
	tmKeyspace(t, ks2, s2)
	readyConnection(t, ns, "c1", rig.Cluster1, ks1, true)
	readyConnection(t, ns, "c2", rig.Cluster2, ks2, false)
	ordersSpec := func(conns, keyspaces []string, extra ...cqlv1.Column) cqlv1.TableModelSpec {
		return cqlv1.TableModelSpec{
			Name: "orders", Connections: connNames(conns...), Keyspaces: tmKeyspaces(keyspaces...),
			Columns:        append([]cqlv1.Column{{Name: "id", Type: "int"}, {Name: "v", Type: "text"}}, extra...),
			PartitionKey:   []cqlv1.ColumnName{"id"},
			DeletionPolicy: cqlv1.DeletionPolicyDelete,
		}
	}
	note := cqlv1.Column{Name: "note", Type: "text"}

	first := tableModelObj(ns, "first", ordersSpec([]string{"c1"}, []string{ks1}))
	mustCreate(t, first)
	waitSchema[cqlv1.TableModel](t, ns, "first", metav1.ConditionTrue, cqlv1.ReasonSynced, tableTimeout, nil)
	cql(t, s1, "INSERT INTO "+render.QualifiedName(ks1, "orders")+" (id, v) VALUES (1, 'kept')")

	// c1 and c2 through their defaultKeyspaces: c1/ks1 is "first"'s, c2/ks2 nobody else's.
	second := tableModelObj(ns, "second", ordersSpec([]string{"c1", "c2"}, nil, note))
	mustCreate(t, second)
	owned := fmt.Sprintf(`TableModel "%s/first" already manages table "orders" in keyspace %q on the cluster of connection "c1"`, ns, ks1)
	waitSchema[cqlv1.TableModel](t, ns, "second", metav1.ConditionFalse, cqlv1.ReasonDuplicateOwner, tableTimeout, func(tm *cqlv1.TableModel) error {
		dup, err := schemaTarget(tm, "c1", ks1)
		if err != nil {
			return err
		}
		other, err := schemaTarget(tm, "c2", ks2)
		if err != nil {
			return err
		}
		if dup.State != cqlv1.TargetFailed || dup.Reason != cqlv1.ReasonDuplicateOwner || !strings.Contains(dup.Message, owned) {
			return fmt.Errorf("target c1/%s: %+v", ks1, dup)
		}
		if other.State != cqlv1.TargetSynced || tm.Status.TargetsSynced != "1/2" {
			return fmt.Errorf("target c2/%s must sync: %+v (%s)", ks2, other, tm.Status.TargetsSynced)
		}
		if d := meta.FindStatusCondition(tm.Status.Conditions, cqlv1.ConditionDrifted); d == nil || d.Status != metav1.ConditionFalse {
			return fmt.Errorf("a duplicate is no drift: %+v", d)
		}
		return nil
	})
	waitObjectEvent(t, ns, "TableModel", "second", cqlv1.ReasonDuplicateOwner, owned)
	waitSchema[cqlv1.TableModel](t, ns, "first", metav1.ConditionTrue, cqlv1.ReasonSynced, tableTimeout, nil)
	if c := mustLiveTable(t, s1, ks1, "orders").Column("note"); c != nil {
		t.Errorf("the duplicate added its column to the table it does not own: %+v", c)
	}
	if mustLiveTable(t, s2, ks2, "orders").Column("note") == nil {
		t.Errorf("c2/%s.orders (the duplicate's own target) lacks its column", ks2)
	}

	// Deleting the newer with Delete: kept on c1/ks1, dropped on c2/ks2.
	deleteAndWait(t, second, tableTimeout)
	waitObjectEvent(t, ns, "TableModel", "second", "TableKept", "c1/"+ks1, fmt.Sprintf(`TableModel "%s/first" manages it`, ns))
	assertRow(t, s1, ks1)
	if liveTable(t, s2, ks2, "orders") != nil {
		t.Errorf("c2/%s.orders was declared by \"second\" only and must be dropped with it", ks2)
	}
	waitSchema[cqlv1.TableModel](t, ns, "first", metav1.ConditionTrue, cqlv1.ReasonSynced, tableTimeout, nil)

	// A third duplicate through the namespace default connection (c1) and its defaultKeyspace.
	third := tableModelObj(ns, "third", ordersSpec(nil, nil, note))
	mustCreate(t, third)
	waitSchema[cqlv1.TableModel](t, ns, "third", metav1.ConditionFalse, cqlv1.ReasonDuplicateOwner, tableTimeout, func(tm *cqlv1.TableModel) error {
		tg, err := schemaTarget(tm, "c1", ks1)
		if err == nil && !strings.Contains(tg.Message, owned) {
			err = fmt.Errorf("target: %+v", tg)
		}
		return err
	})

	// Deleting the owner with Delete while "third" still declares the table: kept, and "third"
	// takes it over (adding its column shows that it manages it now).
	deleteAndWait(t, first, tableTimeout)
	waitObjectEvent(t, ns, "TableModel", "first", "TableKept", "c1/"+ks1, fmt.Sprintf(`TableModel "%s/third" also declares it and takes it over`, ns))
	waitSchema[cqlv1.TableModel](t, ns, "third", metav1.ConditionTrue, cqlv1.ReasonSynced, tableTimeout, nil)
	if mustLiveTable(t, s1, ks1, "orders").Column("note") == nil {
		t.Error("the new owner did not add its column")
	}
	assertRow(t, s1, ks1)

	// The last one drops it.
	deleteAndWait(t, third, tableTimeout)
	if liveTable(t, s1, ks1, "orders") != nil {
		t.Errorf("%s.orders still exists after its only TableModel was deleted with deletionPolicy Delete", ks1)
	}
}

// assertReplication checks the live keyspace's SimpleStrategy replication factor.
func assertReplication(t *testing.T, s *gocql.Session, keyspace, rf string) {
	t.Helper()
	l := readLiveKeyspace(t, s, keyspace)
	if l == nil || l.Replication["replication_factor"] != rf {
		t.Fatalf("keyspace %s: %+v; want replication_factor %s", keyspace, l, rf)
	}
}

// assertMarker checks that the row the test wrote in the keyspace's marker table is still there
// (at consistency ONE: the single-node test cluster cannot reach a quorum with RF 2).
func assertMarker(t *testing.T, s *gocql.Session, keyspace string) {
	t.Helper()
	var id int
	if err := s.Query("SELECT id FROM " + render.QualifiedName(keyspace, "marker") + " WHERE id = 1").Consistency(gocql.One).Scan(&id); err != nil || id != 1 {
		t.Fatalf("the data of keyspace %s is gone: %v", keyspace, err)
	}
}

// assertRow checks that the row the test wrote in keyspace.orders is still there.
func assertRow(t *testing.T, s *gocql.Session, keyspace string) {
	t.Helper()
	var v string
	if err := s.Query("SELECT v FROM " + render.QualifiedName(keyspace, "orders") + " WHERE id = 1").Scan(&v); err != nil || v != "kept" {
		t.Fatalf("the row of %s.orders is gone: %q %v", keyspace, v, err)
	}
}

// mustLiveTable returns a table as Cassandra has it, failing the test when it does not exist.
func mustLiveTable(t *testing.T, s *gocql.Session, keyspace, table string) *introspect.Table {
	t.Helper()
	tbl := liveTable(t, s, keyspace, table)
	if tbl == nil {
		t.Fatalf("table %s.%s does not exist", keyspace, table)
	}
	return tbl
}
