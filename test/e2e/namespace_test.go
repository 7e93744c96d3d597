package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cqlsync/cqlsync/test/rig/testenv"
)

// TestNamespaceDeletionCompletes proves that the local environment deletes like a cluster, with
// kube-controller-manager working beside the manager:
//
//   - the garbage collector deletes what a cqlsync resource owns once the resource is gone;
//   - `kubectl delete namespace` completes: the namespace controller deletes the cqlsync resources
//     in it, the manager lets each go (deletionPolicy Retain: nothing to drop, nothing blocks),
//     and the namespace disappears;
//   - Retain kept the schema: the keyspace and table are still in Cassandra.
func TestNamespaceDeletionCompletes(t *testing.T) {
	rig := testenv.Cassandra(t)
	op := startOperator(t)
	ns := "e2e-delete-me"
	ks := fmt.Sprintf("e2e_nsdel_%d", time.Now().UnixNano()%1000000)
	dropKeyspaceAfter(t, rig.Cluster1, ks)
	manifest := filepath.Join(t.TempDir(), "resources.yaml")
	if err := os.WriteFile(manifest, []byte(fmt.Sprintf(`apiVersion: cqlsync.io/v1alpha1
kind: CassandraConnection
metadata: {name: cluster1, namespace: %[1]s}
spec: {hosts: [%[2]q], default: true, defaultKeyspace: %[3]s}
---
apiVersion: cqlsync.io/v1alpha1
kind: Keyspace
metadata: {name: shop, namespace: %[1]s}
spec:
  name: %[3]s
  replication: {strategy: SimpleStrategy, replicationFactor: 1}
  deletionPolicy: Retain
---
apiVersion: cqlsync.io/v1alpha1
kind: UserType
metadata: {name: point, namespace: %[1]s}
spec:
  fields: [{name: x, type: int}, {name: "y", type: int}]
  deletionPolicy: Retain
---
apiVersion: cqlsync.io/v1alpha1
kind: TableModel
metadata: {name: shapes, namespace: %[1]s}
spec:
  columns: [{name: id, type: int}, {name: at, type: frozen<point>}]
  partitionKey: [id]
  deletionPolicy: Retain
---
apiVersion: cqlsync.io/v1alpha1
kind: TableModel
metadata: {name: owner, namespace: %[1]s}
spec:
  columns: [{name: id, type: int}]
  partitionKey: [id]
  deletionPolicy: Retain
`, ns, rig.Cluster1, ks)), 0o600); err != nil {
		t.Fatal(err)
	}
	op.kubectl("create", "namespace", ns)
	op.kubectl("apply", "-f", manifest)
	op.kubectl("wait", "--for=condition=Ready", "-n", ns, "cassandraconnection,keyspace,usertype,tablemodel", "--all", "--timeout=180s")

	// Garbage collection: a ConfigMap owned by a TableModel goes when the TableModel does.
	uid := op.kubectl("get", "-n", ns, "tablemodel/owner", "-o", "jsonpath={.metadata.uid}")
	owned := filepath.Join(t.TempDir(), "owned.yaml")
	if err := os.WriteFile(owned, []byte(fmt.Sprintf(`apiVersion: v1
kind: ConfigMap
metadata:
  name: owned
  namespace: %s
  ownerReferences: [{apiVersion: cqlsync.io/v1alpha1, kind: TableModel, name: owner, uid: %s}]
data: {k: v}
`, ns, uid)), 0o600); err != nil {
		t.Fatal(err)
	}
	op.kubectl("apply", "-f", owned)
	op.kubectl("delete", "-n", ns, "tablemodel/owner", "--wait=true", "--timeout=60s")
	// kubectl wait --for=delete returns at once for what is already gone.
	op.kubectl("wait", "--for=delete", "-n", ns, "configmap/owned", "--timeout=60s")

	// The namespace: kubectl waits until it is gone, and fails after the timeout otherwise.
	start := time.Now()
	op.kubectl("delete", "namespace", ns, "--wait=true", "--timeout=120s")
	if out := op.kubectl("get", "namespace", ns, "--ignore-not-found", "-o", "name"); strings.TrimSpace(out) != "" {
		t.Fatalf("namespace %s still exists after kubectl delete: %s", ns, out)
	}
	t.Logf("namespace %s deleted in %s", ns, time.Since(start).Round(time.Millisecond))

	// Retain: the schema stays.
	s := testenv.CQLSession(t, rig.Cluster1)
	var names []string
	iter := s.Query(`SELECT table_name FROM system_schema.tables WHERE keyspace_name = ?`, ks).Iter()
	var name string
	for iter.Scan(&name) {
		names = append(names, name)
	}
	if err := iter.Close(); err != nil {
		t.Fatal(err)
	}
	if strings.Join(names, ",") != "owner,shapes" {
		t.Errorf("keyspace %s after deleting the namespace holds tables %v, want owner and shapes (Retain)", ks, names)
	}
}
