package integration

import (
	"fmt"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
	"github.com/cqlsync/cqlsync/test/rig/testenv"
)

// TestDeletingEverythingTogether: as when a namespace is deleted (or `kubectl delete -f dir/`),
// the connection and the Delete-policy Keyspace and TableModel that use it are deleted at once.
// The connection keeps its session until they have dropped their schema, so nothing is left behind
// in Cassandra, and then everything goes away.
func TestDeletingEverythingTogether(t *testing.T) {
	rig := testenv.Cassandra(t)
	ns := newNamespace(t)
	s := cqlSession(t, rig.Cluster1)
	ksName := "cascade_" + uniqueSuffix()
	dropAfter(t, ksName, s)

	conn := readyConnection(t, ns, "c1", rig.Cluster1, "", true)
	// The Keyspace goes through the namespace default, the TableModel names the connection.
	mustCreate(t, keyspaceObj(ns, "ks", cqlv1.KeyspaceSpec{
		Name: ksName, Replication: simpleRF(1), DeletionPolicy: cqlv1.DeletionPolicyDelete,
	}))
	ks := waitSchema[cqlv1.Keyspace](t, ns, "ks", metav1.ConditionTrue, cqlv1.ReasonSynced, connectTimeout, nil)
	mustCreate(t, tableModelObj(ns, "readings", cqlv1.TableModelSpec{
		Connections: connNames("c1"), Keyspaces: tmKeyspaces(ksName),
		Columns:        []cqlv1.Column{{Name: "id", Type: "uuid"}, {Name: "v", Type: "int"}},
		PartitionKey:   []cqlv1.ColumnName{"id"},
		DeletionPolicy: cqlv1.DeletionPolicyDelete,
	}))
	tm := waitSchema[cqlv1.TableModel](t, ns, "readings", metav1.ConditionTrue, cqlv1.ReasonSynced, tableTimeout, nil)
	if liveTable(t, s, ksName, "readings") == nil {
		t.Fatal("the table was not created")
	}

	for _, o := range []client.Object{conn, ks, tm} {
		if err := k8s.Delete(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
	eventually(t, 2*time.Minute, func() error {
		var conns cqlv1.CassandraConnectionList
		var keyspaces cqlv1.KeyspaceList
		var tables cqlv1.TableModelList
		for _, l := range []client.ObjectList{&conns, &keyspaces, &tables} {
			if err := k8s.List(ctx, l, client.InNamespace(ns)); err != nil {
				return err
			}
		}
		if len(conns.Items)+len(keyspaces.Items)+len(tables.Items) > 0 {
			return fmt.Errorf("left: %d connections, %d keyspaces, %d table models",
				len(conns.Items), len(keyspaces.Items), len(tables.Items))
		}
		return nil
	})
	if readLiveKeyspace(t, s, ksName) != nil {
		t.Fatalf("keyspace %s was left in Cassandra although its Keyspace had deletionPolicy Delete", ksName)
	}
}
