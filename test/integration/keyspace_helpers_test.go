package integration

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	gocql "github.com/apache/cassandra-gocql-driver/v2"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
	"github.com/cqlsync/cqlsync/internal/cql/apply"
	"github.com/cqlsync/cqlsync/internal/cql/registry"
)

const keyspaceTimeout = 90 * time.Second

func keyspaceObj(ns, name string, spec cqlv1.KeyspaceSpec) *cqlv1.Keyspace {
	return &cqlv1.Keyspace{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}, Spec: spec}
}

func simpleRF(rf int32) cqlv1.KeyspaceReplication {
	return cqlv1.KeyspaceReplication{Strategy: cqlv1.SimpleStrategy, ReplicationFactor: &rf}
}

func ntsDCs(dcs map[string]int32) cqlv1.KeyspaceReplication {
	m := map[string]cqlv1.ReplicaCount{}
	for dc, n := range dcs {
		m[dc] = cqlv1.ReplicaCount(n)
	}
	return cqlv1.KeyspaceReplication{Strategy: cqlv1.NetworkTopologyStrategy, Datacenters: m}
}

func connNames(names ...string) []cqlv1.ConnectionRef {
	out := make([]cqlv1.ConnectionRef, len(names))
	for i, n := range names {
		out[i] = cqlv1.Namespaced(n)
	}
	return out
}

// uniqueSuffix keeps CQL keyspace names of different runs apart: the clusters outlive a test run.
func uniqueSuffix() string { return fmt.Sprint(time.Now().UnixNano() % 1000000) }

// ddlStats are the apply counters of one connection.
func ddlStats(ns, conn string) apply.Stats {
	return apply.Default.Stats(registry.Key{Namespace: ns, Name: conn}.String())
}

// liveKeyspace is a keyspace as the test reads it from system_schema.keyspaces.
type liveKeyspace struct {
	Replication   map[string]string
	DurableWrites bool
}

// readLiveKeyspace returns the keyspace, or nil when it does not exist.
func readLiveKeyspace(t *testing.T, s *gocql.Session, name string) *liveKeyspace {
	t.Helper()
	var l liveKeyspace
	err := s.Query(`SELECT replication, durable_writes FROM system_schema.keyspaces WHERE keyspace_name = ?`, name).
		Scan(&l.Replication, &l.DurableWrites)
	if errors.Is(err, gocql.ErrNotFound) {
		return nil
	}
	if err != nil {
		t.Fatalf("reading keyspace %s: %v", name, err)
	}
	return &l
}

// dropAfter drops the keyspace on each session when the test ends, whatever happened.
func dropAfter(t *testing.T, name string, sessions ...*gocql.Session) {
	t.Cleanup(func() {
		retire(t) // first, or the test's Keyspace would put the keyspace back
		for _, s := range sessions {
			if err := s.Query(`DROP KEYSPACE IF EXISTS "` + strings.ReplaceAll(name, `"`, `""`) + `"`).Exec(); err != nil {
				t.Logf("cleanup: dropping %s: %v", name, err)
			}
		}
	})
}

// dropRoleAfter drops the role when the test ends, after the test's CassandraRoles are gone (they
// would create it again).
func dropRoleAfter(t *testing.T, s *gocql.Session, role string) {
	t.Cleanup(func() {
		retire(t)
		if err := s.Query(`DROP ROLE IF EXISTS "` + strings.ReplaceAll(role, `"`, `""`) + `"`).Exec(); err != nil {
			t.Logf("cleanup: dropping role %s: %v", role, err)
		}
	})
}

// nudgeConnection changes an annotation of the connection, which requeues its Keyspaces through
// the connection watch, and waits until a Keyspace on it has been reconciled (its plan counted by
// the apply layer). The Keyspaces themselves are not written.
func nudgeConnection(t *testing.T, ns, name string) {
	t.Helper()
	plans := ddlStats(ns, name).Plans
	c, err := getObject[cqlv1.CassandraConnection](ns, name)
	if err != nil {
		t.Fatal(err)
	}
	patch := client.MergeFrom(c.DeepCopy())
	c.Annotations = map[string]string{"test.cqlsync.io/nudge": fmt.Sprint(time.Now().UnixNano())}
	if err := k8s.Patch(ctx, c, patch); err != nil {
		t.Fatal(err)
	}
	eventually(t, 30*time.Second, func() error {
		if p := ddlStats(ns, name).Plans; p <= plans {
			return fmt.Errorf("no Keyspace on %s reconciled yet (plans %d)", name, p)
		}
		return nil
	})
}
