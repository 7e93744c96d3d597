package integration

import (
	"fmt"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
	"github.com/cqlsync/cqlsync/test/rig/testenv"
)

// TestCqlengineSyncTypeMatchesCqlsync is the cross-driver check of user-defined types, as
// TestCqlengineSyncTableMatchesCqlsync is of tables: the UserType sample and cqlengine's
// management.sync_type for its twin (hack/python/cqlengine_sync.py, Address) make identical
// system_schema.types rows; cqlengine's sync_type finds nothing to do in cqlsync's type; and
// cqlsync adopts cqlengine's type without DDL.
func TestCqlengineSyncTypeMatchesCqlsync(t *testing.T) {
	rig := testenv.Cassandra(t)
	py := testenv.Python(t)
	ns := newNamespace(t)
	s1 := cqlSession(t, rig.Cluster1)
	readyConnection(t, ns, "c1", rig.Cluster1, "", false)
	sfx := uniqueSuffix()
	ksA, ksB := "cqlengt_a_"+sfx, "cqlengt_b_"+sfx // A: cqlsync's type; B: cqlengine's
	tmKeyspace(t, ksA, s1)
	tmKeyspace(t, ksB, s1)

	ut := sampleObject[cqlv1.UserType](t, "cqlsync_v1alpha1_usertype_address.yaml")
	ut.Namespace = ns
	ut.Spec.Connections = connNames("c1")
	ut.Spec.Keyspaces = tmKeyspaces(ksA)
	mustCreate(t, ut)
	t.Cleanup(func() { deleteAndWait(t, ut, tableTimeout) })
	waitSchema[cqlv1.UserType](t, ns, ut.Name, metav1.ConditionTrue, cqlv1.ReasonSynced, tableTimeout, nil)

	testenv.RunCqlengine(t, py, rig.Cluster1, ksB, "address", false)

	// 1. The same row of system_schema.types: field names and types, in order.
	a, b := liveFields(t, s1, ksA, "address"), liveFields(t, s1, ksB, "address")
	if want := "street text, city text, zip text"; a != want {
		t.Errorf("cqlsync's type: %q, want %q", a, want)
	}
	if a != b {
		t.Fatalf("the types differ: cqlsync %q, cqlengine %q", a, b)
	}

	// 2. cqlengine's sync_type on cqlsync's type executes nothing, and cqlsync, resyncing
	// meanwhile, runs no DDL and writes no status.
	rv, stats := resourceVersion[cqlv1.UserType](t, ns, ut.Name), ddlStats(ns, "c1")
	testenv.RunCqlengine(t, py, rig.Cluster1, ksA, "address", true)
	if got := liveFields(t, s1, ksA, "address"); got != a {
		t.Errorf("cqlengine changed cqlsync's type: %q -> %q", a, got)
	}
	eventually(t, tableTimeout, func() error {
		if now := ddlStats(ns, "c1"); now.Plans < stats.Plans+2 {
			return fmt.Errorf("%d resyncs of c1 since cqlengine ran, want 2", now.Plans-stats.Plans)
		}
		return nil
	})
	if now := ddlStats(ns, "c1"); now.Statements != stats.Statements {
		t.Errorf("cqlsync ran %d statements after cqlengine's sync_type", now.Statements-stats.Statements)
	}
	if now := resourceVersion[cqlv1.UserType](t, ns, ut.Name); now != rv {
		t.Errorf("cqlsync wrote the UserType after cqlengine's sync_type: resourceVersion %s -> %s", rv, now)
	}

	// 3. The same sample aimed at keyspace B adopts cqlengine's type: Synced, no statement.
	stats = ddlStats(ns, "c1")
	adopt := sampleObject[cqlv1.UserType](t, "cqlsync_v1alpha1_usertype_address.yaml")
	adopt.Namespace, adopt.Name = ns, "address-cqlengine"
	adopt.Spec.Name = "address"
	adopt.Spec.Connections = connNames("c1")
	adopt.Spec.Keyspaces = tmKeyspaces(ksB)
	mustCreate(t, adopt)
	t.Cleanup(func() { deleteAndWait(t, adopt, tableTimeout) })
	waitSchema[cqlv1.UserType](t, ns, adopt.Name, metav1.ConditionTrue, cqlv1.ReasonSynced, tableTimeout, nil)
	if now := ddlStats(ns, "c1"); now.Statements != stats.Statements {
		t.Errorf("cqlsync ran %d statements on the type cqlengine created", now.Statements-stats.Statements)
	}
	if got := liveFields(t, s1, ksB, "address"); got != b {
		t.Errorf("cqlsync changed cqlengine's type: %q -> %q", b, got)
	}
}
