package integration

import (
	"fmt"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
	"github.com/cqlsync/cqlsync/test/rig/testenv"
)

// TestTeamIsolation: one ClusterCassandraConnection isolates two teams with allowedKeyspaces
// ${namespace}_*, and a keyspace's contents belong to its owner.
//   - Team A's Keyspace team_a_..._orders is created through the shared connection.
//   - Team B cannot name team A's keyspace through the shared connection: the admission policy
//     expands ${namespace} to team B's name and refuses it.
//   - Through team B's own CassandraConnection to the same cluster, a TableModel of team B into
//     team A's keyspace is refused by the operator (NotPermitted, naming the owner): no table is
//     created, and deleting it with deletionPolicy Delete drops nothing.
//   - Once team A's Keyspace selects team B in spec.allowedNamespaces, team B's table is created.
func TestTeamIsolation(t *testing.T) {
	rig := testenv.Cassandra(t)
	tenant := "iso" + uniqueSuffix()
	nsA := labeledNamespace(t, "team-a", map[string]string{"tenant": tenant})
	nsB := labeledNamespace(t, "team-b", map[string]string{"tenant": tenant, "reads-orders": "yes"})
	shared := "shared-" + tenant
	mustCreate(t, &cqlv1.ClusterCassandraConnection{ObjectMeta: metav1.ObjectMeta{Name: shared}, Spec: cqlv1.ClusterCassandraConnectionSpec{
		CassandraConnectionSpec: cqlv1.CassandraConnectionSpec{Hosts: hosts(rig.Cluster1)},
		AllowedNamespaces:       &metav1.LabelSelector{MatchLabels: map[string]string{"tenant": tenant}},
		AllowedKeyspaces:        []string{"${namespace}_*"},
	}})
	t.Cleanup(func() {
		deleteAndWait(t, &cqlv1.ClusterCassandraConnection{ObjectMeta: metav1.ObjectMeta{Name: shared}}, keyspaceTimeout)
	})
	ref := []cqlv1.ConnectionRef{cqlv1.ClusterScoped(shared)}
	s1 := cqlSession(t, rig.Cluster1)
	orders := cqlv1.NamespaceCQLName(nsA) + "_orders"
	dropAfter(t, orders, s1)

	mustCreate(t, keyspaceObj(nsA, "orders", cqlv1.KeyspaceSpec{Name: orders, Replication: simpleRF(1), Connections: ref}))
	waitSchema[cqlv1.Keyspace](t, nsA, "orders", metav1.ConditionTrue, cqlv1.ReasonSynced, keyspaceTimeout, nil)

	// Through the shared connection, ${namespace} is team B's name: refused at admission.
	spec := cqlv1.TableModelSpec{Keyspaces: tmKeyspaces(orders), Columns: []cqlv1.Column{{Name: "id", Type: "int"}},
		PartitionKey: []cqlv1.ColumnName{"id"}, DeletionPolicy: cqlv1.DeletionPolicyDelete}
	viaShared := spec
	viaShared.Connections = ref
	err := k8s.Create(ctx, tableModelObj(nsB, "sneaky", viaShared))
	if err == nil || !strings.Contains(err.Error(), "does not allow keyspace(s) "+orders) {
		t.Fatalf("admission must refuse team A's keyspace to team B through the shared connection: %v", err)
	}

	// Through team B's own connection to the same cluster: the operator refuses it.
	mustCreate(t, connection(nsB, "own", cqlv1.CassandraConnectionSpec{Hosts: hosts("localhost")}))
	waitReady(t, nsB, "own", metav1.ConditionTrue, cqlv1.ReasonConnected, connectTimeout)
	viaOwn := spec
	viaOwn.Connections = connNames("own")
	mustCreate(t, tableModelObj(nsB, "sneaky", viaOwn))
	tm := waitSchema[cqlv1.TableModel](t, nsB, "sneaky", metav1.ConditionFalse, cqlv1.ReasonNotPermitted, keyspaceTimeout, nil)
	tg := mustTarget(t, tm, "own", orders)
	if tg.State != cqlv1.TargetFailed || !strings.Contains(tg.Message, fmt.Sprintf(`belongs on this cluster to Keyspace "%s/orders"`, nsA)) {
		t.Errorf("team B's target: %+v", tg)
	}
	if live := readLive(t, s1, orders); live == nil || len(live.Tables) != 0 {
		t.Fatalf("a table was created in team A's keyspace: %+v", live)
	}
	// Deleting it with deletionPolicy Delete drops nothing there.
	cql(t, s1, `CREATE TABLE "`+orders+`"."sneaky" (id int PRIMARY KEY)`) // team A's own table of that name
	deleteAndWait(t, tm, keyspaceTimeout)
	if live := readLive(t, s1, orders); live == nil || live.Tables["sneaky"] == nil {
		t.Fatal("deleting team B's refused TableModel dropped team A's table")
	}
	waitObjectEvent(t, nsB, "TableModel", "sneaky", "TableNotDropped", "was NOT dropped there")
	cql(t, s1, `DROP TABLE "`+orders+`"."sneaky"`)

	// Team A shares its keyspace with namespaces labelled reads-orders=yes: team B's table is made.
	updateObject(t, nsA, "orders", func(ks *cqlv1.Keyspace) {
		ks.Spec.AllowedNamespaces = &metav1.LabelSelector{MatchLabels: map[string]string{"reads-orders": "yes"}}
	})
	mustCreate(t, tableModelObj(nsB, "shared-read", viaOwn))
	waitSchema[cqlv1.TableModel](t, nsB, "shared-read", metav1.ConditionTrue, cqlv1.ReasonSynced, keyspaceTimeout, nil)
	if live := readLive(t, s1, orders); live == nil || live.Tables["shared_read"] == nil {
		t.Fatalf("the shared keyspace lacks team B's table: %+v", live)
	}
}
