package introspect

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	gocql "github.com/apache/cassandra-gocql-driver/v2"

	"github.com/cqlsync/cqlsync/test/rig/testenv"
)

// TestNodesOfTwoNodes: one coordinator lists both nodes of the rig's two-node cluster once each,
// itself from system.local and the other from system.peers_v2, with their datacenter (one in
// each of the pair's two), schema version and release version.
func TestNodesOfTwoNodes(t *testing.T) {
	pair := testenv.TwoNodes(t)
	cc := gocql.NewCluster(pair.Hosts...)
	cc.Timeout = 12 * time.Second
	s, err := gocql.NewSession(*cc)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	nodes, err := Nodes(context.Background(), s, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(nodes) != 2 || nodes[0].HostID == nodes[1].HostID {
		t.Fatalf("nodes = %+v, want the two nodes once each", nodes)
	}
	locals := 0
	dcs := map[string]bool{}
	for _, n := range nodes {
		if n.Local {
			locals++
		}
		dcs[n.Datacenter] = true
		if !slices.Contains(pair.DCs, n.Datacenter) || len(n.SchemaVersion) != 36 || !strings.HasPrefix(n.ReleaseVersion, "5.0.") || !n.Up {
			t.Errorf("node %+v: want an up node of %v with a schema version and release 5.0.x", n, pair.DCs)
		}
	}
	if locals != 1 {
		t.Errorf("%d nodes say they are the coordinator, want 1: %+v", locals, nodes)
	}
	if len(dcs) != 2 {
		t.Errorf("the pair's nodes are in %v, want one in each of %v", dcs, pair.DCs)
	}
}
