package introspect

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	gocql "github.com/apache/cassandra-gocql-driver/v2"

	"github.com/cqlsync/cqlsync/test/rig/testenv"
)

// TestKeyspaceAndNodesOnCassandra reads cluster2: its one node in dc2, agreeing with itself, and
// keyspaces as stored (class fully qualified), with a missing keyspace reported as nil.
func TestKeyspaceAndNodesOnCassandra(t *testing.T) {
	rig := testenv.Cassandra(t)
	cc := gocql.NewCluster(rig.Cluster2)
	cc.Timeout = 12 * time.Second
	s, err := gocql.NewSession(*cc)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()

	nodes, err := Nodes(ctx, s, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(nodes) != 1 || !nodes[0].Local || !nodes[0].Up || nodes[0].Datacenter != "dc2" || len(nodes[0].SchemaVersion) != 36 ||
		!strings.HasPrefix(nodes[0].ReleaseVersion, "5.0.") {
		t.Fatalf("cluster2 nodes = %+v, want one local node in dc2 with a schema version and release 5.0.x", nodes)
	}
	if dcs := Datacenters(nodes); !slices.Equal(dcs, []string{"dc2"}) {
		t.Errorf("Datacenters = %v", dcs)
	}
	if v := SchemaVersions(nodes); len(v) != 1 {
		t.Errorf("SchemaVersions = %v", v)
	}

	ks, err := ReadKeyspace(ctx, s, "system_auth")
	if err != nil || ks == nil {
		t.Fatalf("system_auth: %+v %v", ks, err)
	}
	if ks.Replication["class"] != "org.apache.cassandra.locator.SimpleStrategy" || !ks.DurableWrites {
		t.Errorf("system_auth = %+v", ks)
	}
	ks, err = ReadKeyspace(ctx, s, "system_schema")
	if err != nil || ks == nil || !maps.Equal(ks.Replication, map[string]string{"class": "org.apache.cassandra.locator.LocalStrategy"}) {
		t.Errorf("system_schema = %+v %v", ks, err)
	}
	for _, missing := range []string{"no_such_keyspace", "System_Auth"} {
		if ks, err := ReadKeyspace(ctx, s, missing); err != nil || ks != nil {
			t.Errorf("%s: want nil, got %+v %v", missing, ks, err)
		}
	}
}

// TestIndexesNotReadyOnCassandra: built indexes, legacy and storage-attached, are ready on the
// node; an index the node does not have is reported with the node.
func TestIndexesNotReadyOnCassandra(t *testing.T) {
	rig := testenv.Cassandra(t)
	s := testenv.CQLSession(t, rig.Cluster2)
	ks := fmt.Sprintf("idxready_%d", time.Now().UnixNano()%1000000)
	for _, st := range []string{
		`CREATE KEYSPACE ` + ks + ` WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}`,
		`CREATE TABLE ` + ks + `.t (id int PRIMARY KEY, a text, b text)`,
		`CREATE INDEX t_a ON ` + ks + `.t (a) USING 'sai'`,
		`CREATE INDEX t_b ON ` + ks + `.t (b)`,
	} {
		if err := s.Query(st).Exec(); err != nil {
			t.Fatalf("%s: %v", st, err)
		}
	}
	t.Cleanup(func() { _ = s.Query(`DROP KEYSPACE IF EXISTS ` + ks).Exec() })
	ctx := context.Background()
	if got, err := IndexesNotReady(ctx, s, ks, []string{"t_a", "t_b"}); err != nil || got != nil {
		t.Fatalf("built indexes: %v %v", got, err)
	}
	got, err := IndexesNotReady(ctx, s, ks, []string{"t_a", "t_missing"})
	if err != nil || len(got) != 1 || len(got["t_missing"]) != 1 || !strings.HasPrefix(got["t_missing"][0], rig.Cluster2+":") {
		t.Fatalf("a missing index: %v %v", got, err)
	}
}
