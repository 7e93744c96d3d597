package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestWatchNamespaces runs the manager with --watch-namespaces=team-a in its own namespace
// cqlsync-system (where its ServiceAccount, its leader-election Role and the Secrets of
// ClusterCassandraConnections live; not listed in --watch-namespaces). Lazy connections need no Cassandra: a reconciled one turns Ready (NotConnectedYet)
// without dialling. A connection of team-a is reconciled; one of team-b is never touched; a
// ClusterCassandraConnection (cluster-scoped) is reconciled, and the Secret it waits for, created
// in the operator's namespace, wakes it at once: that namespace's Secrets are watched too.
func TestWatchNamespaces(t *testing.T) {
	op := startOperator(t, "--watch-namespaces=team-a", "--operator-namespace=cqlsync-system")
	manifest := filepath.Join(t.TempDir(), "objects.yaml")
	if err := os.WriteFile(manifest, []byte(`
apiVersion: v1
kind: Namespace
metadata: {name: team-a}
---
apiVersion: v1
kind: Namespace
metadata: {name: team-b}
---
apiVersion: cqlsync.io/v1alpha1
kind: CassandraConnection
metadata: {name: lazy, namespace: team-b}
spec: {hosts: ["127.0.0.1"], lazyConnect: true}
---
apiVersion: cqlsync.io/v1alpha1
kind: CassandraConnection
metadata: {name: lazy, namespace: team-a}
spec: {hosts: ["127.0.0.1"], lazyConnect: true}
---
apiVersion: cqlsync.io/v1alpha1
kind: ClusterCassandraConnection
metadata: {name: shared}
spec:
  hosts: ["127.0.0.1"]
  lazyConnect: true
  auth: {secretRef: {name: shared-credentials}}
`), 0o644); err != nil {
		t.Fatal(err)
	}
	op.kubectl("apply", "-f", manifest)

	op.kubectl("wait", "--for=condition=Ready", "--timeout=60s", "-n", "team-a", "cassandraconnection/lazy")
	op.kubectl("wait", `--for=jsonpath={.status.conditions[?(@.type=="Ready")].reason}=SecretNotFound`, "--timeout=60s", "clustercassandraconnection/shared")
	// Without a watch on cqlsync-system, the connection would look again only after 5 minutes.
	op.kubectl("create", "secret", "generic", "shared-credentials", "-n", "cqlsync-system", "--from-literal=username=u", "--from-literal=password=p")
	op.kubectl("wait", "--for=condition=Ready", "--timeout=30s", "clustercassandraconnection/shared")

	// By now the manager has reconciled everything it sees, several times.
	if out := op.kubectl("get", "-n", "team-b", "cassandraconnection/lazy", "-o", "jsonpath={.metadata.finalizers}{.status}"); strings.TrimSpace(out) != "" {
		t.Errorf("the connection of unwatched namespace team-b was reconciled: %s", out)
	}
}
