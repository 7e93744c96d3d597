package integration

import (
	"fmt"
	"maps"
	"strings"
	"testing"
	"time"

	gocql "github.com/apache/cassandra-gocql-driver/v2"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
	"github.com/cqlsync/cqlsync/test/rig/testenv"
)

// TestTwoDatacenters, on the rig's pair, whose two nodes are in two datacenters:
//   - a NetworkTopologyStrategy keyspace with a replica in each, and a TableModel in it: a row
//     written through the first datacenter is read in the second from its own replica;
//   - an out-of-band ALTER that removes the second datacenter is set back, and the event names
//     the rebuild to run there;
//   - removing the second datacenter from the spec, then adding it back, says on each change
//     which nodetool command to run on the nodes of that datacenter.
func TestTwoDatacenters(t *testing.T) {
	pair := testenv.TwoNodes(t)
	dcA, dcB := pair.DCs[0], pair.DCs[1]
	if dcA == dcB {
		t.Fatalf("the pair's nodes are both in %s: the rig must put them in two datacenters", dcA)
	}
	ns := newNamespace(t)
	sA, sB := pairSession(t, pair.Hosts[0]), pairSession(t, pair.Hosts[1])
	readyConnection(t, ns, "pair", pair.Hosts[0], "", true)
	name := "twodc_" + uniqueSuffix()
	dropAfter(t, name, sA)
	both := map[string]int32{dcA: 1, dcB: 1}
	mustCreate(t, keyspaceObj(ns, "orders", cqlv1.KeyspaceSpec{Name: name, Replication: ntsDCs(both)}))
	waitSchema[cqlv1.Keyspace](t, ns, "orders", metav1.ConditionTrue, cqlv1.ReasonSynced, keyspaceTimeout, nil)
	wantBoth := map[string]string{"class": fqNTS, dcA: "1", dcB: "1"}
	for _, s := range []*gocql.Session{sA, sB} {
		eventually(t, keyspaceTimeout, func() error {
			if l := readLiveKeyspace(t, s, name); l == nil || !maps.Equal(l.Replication, wantBoth) {
				return fmt.Errorf("live keyspace %+v, want %v", l, wantBoth)
			}
			return nil
		})
	}

	spec := readingsSpec("pair", name)
	mustCreate(t, tableModelObj(ns, "readings", spec))
	waitSchema[cqlv1.TableModel](t, ns, "readings", metav1.ConditionTrue, cqlv1.ReasonSynced, tableTimeout, nil)
	if err := sA.Query(`INSERT INTO "` + name + `".readings (sensor, day, at, v) VALUES (5a6f1f2e-0000-4000-8000-000000000001, '2026-12-07', 0, 'x')`).
		Consistency(gocql.All).Exec(); err != nil {
		t.Fatalf("writing at ALL across both datacenters: %v", err)
	}
	var v string
	if err := sB.Query(`SELECT v FROM "` + name + `".readings WHERE sensor = 5a6f1f2e-0000-4000-8000-000000000001 AND day = '2026-12-07'`).
		Consistency(gocql.LocalOne).Scan(&v); err != nil || v != "x" {
		t.Fatalf("reading in %s from its own replica: %q %v", dcB, v, err)
	}

	// Drift: the second datacenter removed behind cqlsync's back is set back.
	cql(t, sA, `ALTER KEYSPACE "`+name+`" WITH replication = {'class': 'NetworkTopologyStrategy', '`+dcA+`': 1}`)
	nudgeConnection(t, ns, "pair")
	eventually(t, keyspaceTimeout, func() error {
		if l := readLiveKeyspace(t, sA, name); l == nil || !maps.Equal(l.Replication, wantBoth) {
			return fmt.Errorf("drift not set back: %+v", l)
		}
		return nil
	})
	rebuild := fmt.Sprintf("datacenter %s was added: run `nodetool rebuild -ks %s -- %s` on each node of %s", dcB, name, dcA, dcB)
	waitObjectEvent(t, ns, "Keyspace", "orders", "KeyspaceAltered", rebuild)

	// The second datacenter leaves the spec, then comes back: each change names its command.
	updateObject(t, ns, "orders", func(ks *cqlv1.Keyspace) { ks.Spec.Replication = ntsDCs(map[string]int32{dcA: 1}) })
	ks := waitSchema[cqlv1.Keyspace](t, ns, "orders", metav1.ConditionTrue, cqlv1.ReasonSynced, keyspaceTimeout, func(ks *cqlv1.Keyspace) error {
		if l := readLiveKeyspace(t, sA, name); l == nil || !maps.Equal(l.Replication, map[string]string{"class": fqNTS, dcA: "1"}) {
			return fmt.Errorf("live keyspace %+v", l)
		}
		return nil
	})
	cleanup := fmt.Sprintf("datacenter %s was removed: run `nodetool cleanup %s` on each node of %s", dcB, name, dcB)
	if tg := mustTarget(t, ks, "pair", ""); !strings.Contains(tg.Message, cleanup) {
		t.Errorf("after removing %s the target says %q, want %q", dcB, tg.Message, cleanup)
	}
	waitObjectEvent(t, ns, "Keyspace", "orders", "KeyspaceAltered", cleanup)

	started := time.Now()
	updateObject(t, ns, "orders", func(ks *cqlv1.Keyspace) { ks.Spec.Replication = ntsDCs(both) })
	ks = waitSchema[cqlv1.Keyspace](t, ns, "orders", metav1.ConditionTrue, cqlv1.ReasonSynced, keyspaceTimeout, func(ks *cqlv1.Keyspace) error {
		if tg := mustTarget(t, ks, "pair", ""); !strings.Contains(tg.Message, rebuild) {
			return fmt.Errorf("target message %q", tg.Message)
		}
		return nil
	})
	if l := readLiveKeyspace(t, sB, name); l == nil || !maps.Equal(l.Replication, wantBoth) {
		t.Errorf("after adding %s back: %+v", dcB, l)
	}
	t.Logf("datacenter %s added back in %s", dcB, time.Since(started).Round(time.Millisecond))
}
