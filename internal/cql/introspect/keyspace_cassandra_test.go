package introspect

import (
	"context"
	"maps"
	"slices"
	"testing"
	"time"

	gocql "github.com/apache/cassandra-gocql-driver/v2"

	"github.com/cqlsync/cqlsync/internal/testenv"
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

	nodes, err := Nodes(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	if len(nodes) != 1 || !nodes[0].Local || !nodes[0].Up || nodes[0].Datacenter != "dc2" || len(nodes[0].SchemaVersion) != 36 {
		t.Fatalf("cluster2 nodes = %+v, want one local node in dc2 with a schema version", nodes)
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
