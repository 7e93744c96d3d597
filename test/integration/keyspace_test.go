package integration

import (
	"fmt"
	"maps"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"

	gocql "github.com/apache/cassandra-gocql-driver/v2"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
	"github.com/cqlsync/cqlsync/test/rig/testenv"
)

const (
	fqSimple = "org.apache.cassandra.locator.SimpleStrategy"
	fqNTS    = "org.apache.cassandra.locator.NetworkTopologyStrategy"
)

// TestKeyspaceSimpleOnBothClusters: a SimpleStrategy keyspace named after metadata.name is created
// on both clusters; then its RF and durable_writes are altered, each with an event (the RF change
// saying a repair is needed); deletionPolicy Delete drops it on both.
func TestKeyspaceSimpleOnBothClusters(t *testing.T) {
	rig := testenv.Cassandra(t)
	ns := newNamespace(t)
	s1, s2 := cqlSession(t, rig.Cluster1), cqlSession(t, rig.Cluster2)
	readyConnection(t, ns, "cluster1", rig.Cluster1, "", false)
	readyConnection(t, ns, "cluster2", rig.Cluster2, "", false)

	objName := "ks-simple-" + uniqueSuffix()
	cqlName := strings.ReplaceAll(objName, "-", "_")
	dropAfter(t, cqlName, s1, s2)
	mustCreate(t, keyspaceObj(ns, objName, cqlv1.KeyspaceSpec{
		Replication:    simpleRF(1),
		Connections:    connNames("cluster1", "cluster2"),
		DeletionPolicy: cqlv1.DeletionPolicyDelete,
	}))
	ks := waitSchema[cqlv1.Keyspace](t, ns, objName, metav1.ConditionTrue, cqlv1.ReasonSynced, keyspaceTimeout, nil)
	if ks.Spec.Name != cqlName || ks.Status.Keyspace != cqlName || ks.Status.TargetsSynced != "2/2" || len(ks.Status.Targets) != 2 {
		t.Fatalf("spec.name %q, status %+v; want %q on 2/2 targets", ks.Spec.Name, ks.Status, cqlName)
	}
	for _, conn := range []string{"cluster1", "cluster2"} {
		tg := mustTarget(t, ks, conn, "")
		// The message names the CREATE, or, if a later reconcile already found nothing to do
		// (the cache may lag behind our own status patch), that the keyspace matches the spec.
		if tg.State != cqlv1.TargetSynced || tg.Reason != cqlv1.ReasonSynced || tg.LastSyncTime == nil || !strings.Contains(tg.Message, cqlName) {
			t.Errorf("target %s: %+v", conn, tg)
		}
	}
	want := map[string]string{"class": fqSimple, "replication_factor": "1"}
	for i, s := range []*sessionT{{"cluster1", s1}, {"cluster2", s2}} {
		l := readLiveKeyspace(t, s.s, cqlName)
		if l == nil || !maps.Equal(l.Replication, want) || !l.DurableWrites {
			t.Fatalf("%d %s: live keyspace %+v, want %v durable", i, s.name, l, want)
		}
	}
	waitObjectEvent(t, ns, "Keyspace", objName, "KeyspaceCreated", "connection cluster1", cqlName)
	waitObjectEvent(t, ns, "Keyspace", objName, "KeyspaceCreated", "connection cluster2", cqlName)

	// RF altered: both clusters, and a repair is needed (status and event).
	updateObject(t, ns, objName, func(ks *cqlv1.Keyspace) { ks.Spec.Replication = simpleRF(2) })
	ks = waitSchema[cqlv1.Keyspace](t, ns, objName, metav1.ConditionTrue, cqlv1.ReasonSynced, keyspaceTimeout, nil)
	want["replication_factor"] = "2"
	for _, s := range []*sessionT{{"cluster1", s1}, {"cluster2", s2}} {
		if l := readLiveKeyspace(t, s.s, cqlName); l == nil || !maps.Equal(l.Replication, want) {
			t.Fatalf("%s after the RF change: %+v", s.name, l)
		}
		tg := mustTarget(t, ks, s.name, "")
		if !strings.Contains(tg.Message, "run `nodetool repair -full "+cqlName+"` on every node of the cluster") || !strings.Contains(tg.Message, "'replication_factor': '2'") {
			t.Errorf("target %s must say the RF changed and a repair is needed: %q", s.name, tg.Message)
		}
		waitObjectEvent(t, ns, "Keyspace", objName, "KeyspaceAltered", "connection "+s.name, "'replication_factor': '2'", "run `nodetool repair -full "+cqlName+"` on every node")
	}

	// durable_writes altered: no repair needed.
	updateObject(t, ns, objName, func(ks *cqlv1.Keyspace) { f := false; ks.Spec.DurableWrites = &f })
	ks = waitSchema[cqlv1.Keyspace](t, ns, objName, metav1.ConditionTrue, cqlv1.ReasonSynced, keyspaceTimeout, nil)
	for _, s := range []*sessionT{{"cluster1", s1}, {"cluster2", s2}} {
		if l := readLiveKeyspace(t, s.s, cqlName); l == nil || l.DurableWrites || !maps.Equal(l.Replication, want) {
			t.Fatalf("%s after durable_writes false: %+v", s.name, l)
		}
		tg := mustTarget(t, ks, s.name, "")
		if !strings.Contains(tg.Message, "durable_writes true -> false") || strings.Contains(tg.Message, "repair") {
			t.Errorf("target %s: %q", s.name, tg.Message)
		}
	}
	waitObjectEvent(t, ns, "Keyspace", objName, "KeyspaceAltered", "connection cluster1", "durable_writes true -> false")

	// Delete drops it on both clusters.
	deleteAndWait(t, ks, keyspaceTimeout)
	for _, s := range []*sessionT{{"cluster1", s1}, {"cluster2", s2}} {
		if l := readLiveKeyspace(t, s.s, cqlName); l != nil {
			t.Errorf("%s: keyspace %s still exists after delete with deletionPolicy Delete: %+v", s.name, cqlName, l)
		}
	}
}

// sessionT is a cluster's test session and the name of the connection to it.
type sessionT struct {
	name string
	s    *gocql.Session
}

// TestKeyspaceNetworkTopology: NetworkTopologyStrategy with each cluster's real datacenter; a
// datacenter a cluster does not have fails that target only, naming the DCs it has, while the
// other target syncs; dropping the failing connection from the spec makes it Ready.
func TestKeyspaceNetworkTopology(t *testing.T) {
	rig := testenv.Cassandra(t)
	ns := newNamespace(t)
	s1, s2 := cqlSession(t, rig.Cluster1), cqlSession(t, rig.Cluster2)
	readyConnection(t, ns, "cluster1", rig.Cluster1, "", false)
	readyConnection(t, ns, "cluster2", rig.Cluster2, "", false)

	// On cluster1, in dc1.
	a := "nts_a_" + uniqueSuffix()
	dropAfter(t, a, s1)
	mustCreate(t, keyspaceObj(ns, "nts-a", cqlv1.KeyspaceSpec{
		Name: a, Replication: ntsDCs(map[string]int32{"dc1": 1}), Connections: connNames("cluster1"),
	}))
	waitSchema[cqlv1.Keyspace](t, ns, "nts-a", metav1.ConditionTrue, cqlv1.ReasonSynced, keyspaceTimeout, nil)
	if l := readLiveKeyspace(t, s1, a); l == nil || !maps.Equal(l.Replication, map[string]string{"class": fqNTS, "dc1": "1"}) {
		t.Fatalf("live %s on cluster1: %+v", a, l)
	}
	// A datacenter with 0 replicas is not stored by Cassandra; it must not cause an ALTER at every
	// reconcile.
	before := ddlStats(ns, "cluster1")
	updateObject(t, ns, "nts-a", func(ks *cqlv1.Keyspace) { ks.Spec.Replication = ntsDCs(map[string]int32{"dc1": 1, "dc2": 0}) })
	waitSchema[cqlv1.Keyspace](t, ns, "nts-a", metav1.ConditionTrue, cqlv1.ReasonSynced, keyspaceTimeout, nil)
	if after := ddlStats(ns, "cluster1"); after.Statements != before.Statements || after.Plans <= before.Plans {
		t.Fatalf("adding dc2: 0 must be planned and run nothing: stats %+v -> %+v", before, after)
	}

	// dc2 exists only on cluster2: cluster1 fails, cluster2 syncs.
	b := "nts_b_" + uniqueSuffix()
	dropAfter(t, b, s1, s2)
	mustCreate(t, keyspaceObj(ns, "nts-b", cqlv1.KeyspaceSpec{
		Name: b, Replication: ntsDCs(map[string]int32{"dc2": 1}), Connections: connNames("cluster1", "cluster2"),
	}))
	ks := waitSchema[cqlv1.Keyspace](t, ns, "nts-b", metav1.ConditionFalse, cqlv1.ReasonUnknownDatacenter, keyspaceTimeout, nil)
	bad, good := mustTarget(t, ks, "cluster1", ""), mustTarget(t, ks, "cluster2", "")
	if bad.State != cqlv1.TargetFailed || bad.Reason != cqlv1.ReasonUnknownDatacenter ||
		!strings.Contains(bad.Message, `datacenter "dc2" does not exist`) || !strings.Contains(bad.Message, "its datacenters: dc1") {
		t.Errorf("cluster1 target: %+v", bad)
	}
	if good.State != cqlv1.TargetSynced || ks.Status.TargetsSynced != "1/2" {
		t.Errorf("cluster2 target: %+v (synced %s)", good, ks.Status.TargetsSynced)
	}
	if c := meta.FindStatusCondition(ks.Status.Conditions, cqlv1.ConditionReady); !strings.Contains(c.Message, "1/2 targets synced") || !strings.Contains(c.Message, `"dc2"`) {
		t.Errorf("Ready message: %q", c.Message)
	}
	if l := readLiveKeyspace(t, s2, b); l == nil || !maps.Equal(l.Replication, map[string]string{"class": fqNTS, "dc2": "1"}) {
		t.Errorf("live %s on cluster2: %+v", b, l)
	}
	if l := readLiveKeyspace(t, s1, b); l != nil {
		t.Errorf("%s must not exist on cluster1: %+v", b, l)
	}
	waitObjectEvent(t, ns, "Keyspace", "nts-b", cqlv1.ReasonUnknownDatacenter, "connection cluster1", `"dc2"`)

	updateObject(t, ns, "nts-b", func(ks *cqlv1.Keyspace) { ks.Spec.Connections = connNames("cluster2") })
	ks = waitSchema[cqlv1.Keyspace](t, ns, "nts-b", metav1.ConditionTrue, cqlv1.ReasonSynced, keyspaceTimeout, nil)
	if len(ks.Status.Targets) != 1 || ks.Status.TargetsSynced != "1/1" {
		t.Errorf("targets after removing cluster1: %+v", ks.Status.Targets)
	}

	for _, n := range []string{"nts-a", "nts-b"} {
		ks, _ := getObject[cqlv1.Keyspace](ns, n)
		deleteAndWait(t, ks, keyspaceTimeout)
	}
	// deletionPolicy defaults to Retain: both keyspaces are still there.
	if readLiveKeyspace(t, s1, a) == nil || readLiveKeyspace(t, s2, b) == nil {
		t.Error("deletionPolicy Retain (the default) must leave the keyspaces")
	}
}

// TestKeyspaceRetainVersusDelete: two Keyspaces on the namespace default connection; deleting them
// leaves the Retain one in Cassandra and drops the Delete one.
func TestKeyspaceRetainVersusDelete(t *testing.T) {
	rig := testenv.Cassandra(t)
	ns := newNamespace(t)
	s1 := cqlSession(t, rig.Cluster1)
	readyConnection(t, ns, "main", rig.Cluster1, "", true)
	keep, gone := "keep_"+uniqueSuffix(), "gone_"+uniqueSuffix()
	dropAfter(t, keep, s1)
	dropAfter(t, gone, s1)
	mustCreate(t,
		keyspaceObj(ns, "keep", cqlv1.KeyspaceSpec{Name: keep, Replication: simpleRF(1)}),
		keyspaceObj(ns, "gone", cqlv1.KeyspaceSpec{Name: gone, Replication: simpleRF(1), DeletionPolicy: cqlv1.DeletionPolicyDelete}),
	)
	for _, n := range []string{"keep", "gone"} {
		ks := waitSchema[cqlv1.Keyspace](t, ns, n, metav1.ConditionTrue, cqlv1.ReasonSynced, keyspaceTimeout, nil)
		if tg := mustTarget(t, ks, "main", ""); !tg.Default {
			t.Errorf("%s: the target must be marked as the default connection: %+v", n, tg)
		}
	}
	if readLiveKeyspace(t, s1, keep) == nil || readLiveKeyspace(t, s1, gone) == nil {
		t.Fatal("both keyspaces must exist")
	}
	for _, n := range []string{"keep", "gone"} {
		ks, _ := getObject[cqlv1.Keyspace](ns, n)
		deleteAndWait(t, ks, keyspaceTimeout)
	}
	if readLiveKeyspace(t, s1, keep) == nil {
		t.Error("deletionPolicy Retain dropped the keyspace")
	}
	if readLiveKeyspace(t, s1, gone) != nil {
		t.Error("deletionPolicy Delete left the keyspace")
	}
	waitObjectEvent(t, ns, "Keyspace", "keep", "KeyspaceRetained", keep)
	waitObjectEvent(t, ns, "Keyspace", "gone", "KeyspaceDropped", "connection main", gone)
}

// TestKeyspaceQuotedNames: a reserved word and a mixed-case name are created exactly as written.
func TestKeyspaceQuotedNames(t *testing.T) {
	rig := testenv.Cassandra(t)
	ns := newNamespace(t)
	s1 := cqlSession(t, rig.Cluster1)
	readyConnection(t, ns, "cluster1", rig.Cluster1, "", true)
	mixed := "MyKs_" + uniqueSuffix()
	if err := s1.Query(`DROP KEYSPACE IF EXISTS "select"`).Exec(); err != nil { // left by an aborted run
		t.Fatal(err)
	}
	dropAfter(t, "select", s1)
	dropAfter(t, mixed, s1)
	for name, ksName := range map[string]string{"reserved": "select", "mixed": mixed} {
		mustCreate(t, keyspaceObj(ns, name, cqlv1.KeyspaceSpec{Name: ksName, Replication: simpleRF(1), DeletionPolicy: cqlv1.DeletionPolicyDelete}))
	}
	for _, name := range []string{"reserved", "mixed"} {
		waitSchema[cqlv1.Keyspace](t, ns, name, metav1.ConditionTrue, cqlv1.ReasonSynced, keyspaceTimeout, nil)
	}
	if readLiveKeyspace(t, s1, "select") == nil {
		t.Error(`keyspace "select" was not created`)
	}
	if readLiveKeyspace(t, s1, mixed) == nil {
		t.Errorf("keyspace %q was not created with its case", mixed)
	}
	if l := readLiveKeyspace(t, s1, strings.ToLower(mixed)); l != nil {
		t.Errorf("the lower-case %q must not exist: the name was not quoted", strings.ToLower(mixed))
	}
	for _, name := range []string{"reserved", "mixed"} {
		ks, _ := getObject[cqlv1.Keyspace](ns, name)
		deleteAndWait(t, ks, keyspaceTimeout)
	}
	if readLiveKeyspace(t, s1, "select") != nil || readLiveKeyspace(t, s1, mixed) != nil {
		t.Error("DROP did not quote the names")
	}
}

// TestKeyspaceNoOpReconcile: once synced, reconciles run no DDL and write no status. Reconciles
// are forced through the connection watch (a change of the connection requeues its Keyspaces), so
// the Keyspace itself is not written by the test; each forced reconcile is seen through the apply
// counter of plans. The second forced reconcile starts only after the first has returned (one
// object is never reconciled twice at once), so the first one's status patch, if any, would have
// happened by then.
func TestKeyspaceNoOpReconcile(t *testing.T) {
	rig := testenv.Cassandra(t)
	ns := newNamespace(t)
	s1 := cqlSession(t, rig.Cluster1)
	readyConnection(t, ns, "cluster1", rig.Cluster1, "", false)
	name := "noop_" + uniqueSuffix()
	dropAfter(t, name, s1)
	mustCreate(t, keyspaceObj(ns, "noop", cqlv1.KeyspaceSpec{Name: name, Replication: simpleRF(1), Connections: connNames("cluster1")}))
	ks := waitSchema[cqlv1.Keyspace](t, ns, "noop", metav1.ConditionTrue, cqlv1.ReasonSynced, keyspaceTimeout, nil)
	if st := ddlStats(ns, "cluster1"); st.Statements != 1 {
		t.Fatalf("creating the keyspace must take exactly one statement, stats %+v", st)
	}

	// Settle: whatever reconcile follows becoming Ready has finished after two forced ones.
	nudgeConnection(t, ns, "cluster1")
	nudgeConnection(t, ns, "cluster1")
	ks, _ = getObject[cqlv1.Keyspace](ns, "noop")
	rv, status, ddl := ks.ResourceVersion, ks.Status.DeepCopy(), ddlStats(ns, "cluster1").Statements

	for range 3 {
		nudgeConnection(t, ns, "cluster1")
	}
	nudgeConnection(t, ns, "cluster1") // the reconcile of the previous nudge has returned
	after, err := getObject[cqlv1.Keyspace](ns, "noop")
	if err != nil {
		t.Fatal(err)
	}
	if st := ddlStats(ns, "cluster1"); st.Statements != ddl {
		t.Errorf("no-op reconciles ran DDL: %d statements, want %d", st.Statements, ddl)
	}
	if after.ResourceVersion != rv {
		t.Errorf("no-op reconciles wrote the Keyspace: resourceVersion %s -> %s\nbefore %+v\nafter  %+v", rv, after.ResourceVersion, status, after.Status)
	}
	deleteAndWait(t, after, keyspaceTimeout)
}

// TestKeyspaceBeforeConnection: Keyspaces created before their connection wait (ConnectionNotFound
// for a named one, NoDefaultConnection for the default) and become Ready when it is applied,
// through the connection watch.
func TestKeyspaceBeforeConnection(t *testing.T) {
	rig := testenv.Cassandra(t)
	ns := newNamespace(t)
	s1 := cqlSession(t, rig.Cluster1)
	named, byDefault := "early_"+uniqueSuffix(), "early_default_"+uniqueSuffix()
	dropAfter(t, named, s1)
	dropAfter(t, byDefault, s1)
	mustCreate(t,
		keyspaceObj(ns, "early", cqlv1.KeyspaceSpec{Name: named, Replication: simpleRF(1), Connections: connNames("late"), DeletionPolicy: cqlv1.DeletionPolicyDelete}),
		keyspaceObj(ns, "early-default", cqlv1.KeyspaceSpec{Name: byDefault, Replication: simpleRF(1), DeletionPolicy: cqlv1.DeletionPolicyDelete}),
	)
	ks := waitSchema[cqlv1.Keyspace](t, ns, "early", metav1.ConditionFalse, cqlv1.ReasonConnectionNotFound, keyspaceTimeout, nil)
	if tg := mustTarget(t, ks, "late", ""); tg.State != cqlv1.TargetPending || !strings.Contains(tg.Message, `"late" does not exist`) {
		t.Errorf("target: %+v", tg)
	}
	ks = waitSchema[cqlv1.Keyspace](t, ns, "early-default", metav1.ConditionFalse, cqlv1.ReasonNoDefaultConnection, keyspaceTimeout, nil)
	if len(ks.Status.Targets) != 1 || !ks.Status.Targets[0].Default || ks.Status.Targets[0].State != cqlv1.TargetPending {
		t.Errorf("targets: %+v", ks.Status.Targets)
	}

	mustCreate(t, connection(ns, "late", cqlv1.CassandraConnectionSpec{Hosts: hosts(rig.Cluster1), Default: true}))
	waitSchema[cqlv1.Keyspace](t, ns, "early", metav1.ConditionTrue, cqlv1.ReasonSynced, keyspaceTimeout, nil)
	ks = waitSchema[cqlv1.Keyspace](t, ns, "early-default", metav1.ConditionTrue, cqlv1.ReasonSynced, keyspaceTimeout, nil)
	if tg := mustTarget(t, ks, "late", ""); !tg.Default {
		t.Errorf("the default target: %+v", tg)
	}
	if readLiveKeyspace(t, s1, named) == nil || readLiveKeyspace(t, s1, byDefault) == nil {
		t.Fatal("the keyspaces were not created")
	}
	for _, n := range []string{"early", "early-default"} {
		ks, _ := getObject[cqlv1.Keyspace](ns, n)
		deleteAndWait(t, ks, keyspaceTimeout)
	}
	if readLiveKeyspace(t, s1, named) != nil || readLiveKeyspace(t, s1, byDefault) != nil {
		t.Error("deletionPolicy Delete left a keyspace")
	}
}

// TestKeyspaceDeleteWithoutConnection: with deletionPolicy Delete, a target whose connection is
// gone is skipped (Warning event, keyspace left in Cassandra), and a target whose cluster cannot
// be reached holds the deletion, with a Deleting condition that says how to let go, until the
// skip annotation is set.
func TestKeyspaceDeleteWithoutConnection(t *testing.T) {
	rig := testenv.Cassandra(t)
	ns := newNamespace(t)
	s1 := cqlSession(t, rig.Cluster1)

	// The connection is deleted first: it is in use by a Delete-policy Keyspace, so it waits.
	conn := readyConnection(t, ns, "doomed", rig.Cluster1, "", false)
	orphan := "orphan_" + uniqueSuffix()
	dropAfter(t, orphan, s1)
	mustCreate(t, keyspaceObj(ns, "orphan", cqlv1.KeyspaceSpec{Name: orphan, Replication: simpleRF(1), Connections: connNames("doomed"), DeletionPolicy: cqlv1.DeletionPolicyDelete}))
	waitSchema[cqlv1.Keyspace](t, ns, "orphan", metav1.ConditionTrue, cqlv1.ReasonSynced, keyspaceTimeout, nil)
	if err := k8s.Delete(ctx, conn); err != nil {
		t.Fatal(err)
	}
	conn = waitReady(t, ns, "doomed", metav1.ConditionFalse, cqlv1.ReasonInUse, 30*time.Second)
	if msg := meta.FindStatusCondition(conn.Status.Conditions, cqlv1.ConditionReady).Message; !strings.Contains(msg, "Keyspace "+ns+"/orphan") {
		t.Errorf("the InUse message must name the Keyspace: %q", msg)
	}
	// An administrator forces it away (removes the finalizer): nothing is left to reach the
	// cluster through.
	patch := client.MergeFrom(conn.DeepCopy())
	conn.Finalizers = nil
	if err := k8s.Patch(ctx, conn, patch); err != nil {
		t.Fatal(err)
	}
	deleteAndWait(t, conn, 30*time.Second)
	ks := waitSchema[cqlv1.Keyspace](t, ns, "orphan", metav1.ConditionFalse, cqlv1.ReasonConnectionNotFound, keyspaceTimeout, nil)
	deleteAndWait(t, ks, keyspaceTimeout)
	if readLiveKeyspace(t, s1, orphan) == nil {
		t.Error("the keyspace was dropped without a connection?")
	}
	if e := waitObjectEvent(t, ns, "Keyspace", "orphan", "KeyspaceNotDropped", `"doomed" no longer exists`, orphan); e.Type != corev1.EventTypeWarning {
		t.Errorf("event type %s, want Warning", e.Type)
	}

	// A connection to nowhere: the deletion waits, and says how to let go.
	mustCreate(t, connection(ns, "nowhere", cqlv1.CassandraConnectionSpec{
		Hosts: hosts("127.0.0.99"), ConnectTimeout: &metav1.Duration{Duration: time.Second},
		RequestTimeout: &metav1.Duration{Duration: time.Second},
	}))
	mustCreate(t, keyspaceObj(ns, "stuck", cqlv1.KeyspaceSpec{Replication: simpleRF(1), Connections: connNames("nowhere"), DeletionPolicy: cqlv1.DeletionPolicyDelete}))
	ks = waitSchema[cqlv1.Keyspace](t, ns, "stuck", metav1.ConditionFalse, cqlv1.ReasonUnreachable, keyspaceTimeout, nil)
	if err := k8s.Delete(ctx, ks); err != nil {
		t.Fatal(err)
	}
	ks = waitSchema[cqlv1.Keyspace](t, ns, "stuck", metav1.ConditionFalse, cqlv1.ReasonDeleting, keyspaceTimeout, nil)
	msg := meta.FindStatusCondition(ks.Status.Conditions, cqlv1.ConditionReady).Message
	for _, want := range []string{"nowhere", cqlv1.AnnotationSkipUnreachableOnDelete, "deletionPolicy: Retain"} {
		if !strings.Contains(msg, want) {
			t.Errorf("the Deleting message must say %q: %q", want, msg)
		}
	}
	patch = client.MergeFrom(ks.DeepCopy())
	ks.Annotations = map[string]string{cqlv1.AnnotationSkipUnreachableOnDelete: "true"}
	if err := k8s.Patch(ctx, ks, patch); err != nil {
		t.Fatal(err)
	}
	deleteAndWait(t, ks, keyspaceTimeout)
	if e := waitObjectEvent(t, ns, "Keyspace", "stuck", "KeyspaceNotDropped", "nowhere", "NOT dropped"); e.Type != corev1.EventTypeWarning {
		t.Errorf("event type %s, want Warning", e.Type)
	}
	c, _ := getObject[cqlv1.CassandraConnection](ns, "nowhere")
	deleteAndWait(t, c, 30*time.Second)
}

// TestKeyspaceDriftCorrected: a keyspace altered behind cqlsync's back is put back on the next
// reconcile (here forced through the connection watch instead of waiting for the resync timer).
func TestKeyspaceDriftCorrected(t *testing.T) {
	rig := testenv.Cassandra(t)
	ns := newNamespace(t)
	s2 := cqlSession(t, rig.Cluster2)
	readyConnection(t, ns, "cluster2", rig.Cluster2, "", true)
	name := "drift_" + uniqueSuffix()
	dropAfter(t, name, s2)
	mustCreate(t, keyspaceObj(ns, "drift", cqlv1.KeyspaceSpec{Name: name, Replication: ntsDCs(map[string]int32{"dc2": 1})}))
	waitSchema[cqlv1.Keyspace](t, ns, "drift", metav1.ConditionTrue, cqlv1.ReasonSynced, keyspaceTimeout, nil)

	if err := s2.Query(`ALTER KEYSPACE "` + name + `" WITH replication = {'class': 'SimpleStrategy', 'replication_factor': '1'} AND durable_writes = false`).Exec(); err != nil {
		t.Fatal(err)
	}
	nudgeConnection(t, ns, "cluster2")
	eventually(t, keyspaceTimeout, func() error {
		l := readLiveKeyspace(t, s2, name)
		if l == nil || !maps.Equal(l.Replication, map[string]string{"class": fqNTS, "dc2": "1"}) || !l.DurableWrites {
			return fmt.Errorf("drift not corrected: %+v", l)
		}
		return nil
	})
	waitObjectEvent(t, ns, "Keyspace", "drift", "KeyspaceAltered", "connection cluster2", "'class': 'SimpleStrategy'", "durable_writes false -> true", "the replication class changed: run `nodetool repair -full "+name+"` on every node")
	ks := waitSchema[cqlv1.Keyspace](t, ns, "drift", metav1.ConditionTrue, cqlv1.ReasonSynced, keyspaceTimeout, nil)
	deleteAndWait(t, ks, keyspaceTimeout)
}
