package integration

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
	"github.com/cqlsync/cqlsync/internal/cql/registry"
	"github.com/cqlsync/cqlsync/test/rig/testenv"
)

// labeledNamespace creates a namespace with labels for one test.
func labeledNamespace(t *testing.T, prefix string, labels map[string]string) string {
	t.Helper()
	name := fmt.Sprintf("%s-%d", prefix, time.Now().UnixNano()%1000000)
	mustCreate(t, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels}})
	return name
}

// setNamespaceMeta changes a namespace's labels or annotations, retrying on conflicts.
func setNamespaceMeta(t *testing.T, name string, change func(*corev1.Namespace)) {
	t.Helper()
	eventually(t, 10*time.Second, func() error {
		ns := &corev1.Namespace{}
		if err := k8s.Get(ctx, client.ObjectKey{Name: name}, ns); err != nil {
			return err
		}
		change(ns)
		return k8s.Update(ctx, ns)
	})
}

// TestOwnershipAcrossNamespaces: two namespaces declare the same keyspace on cluster1 through
// differently named connections, one by IP address and one by DNS name. The connections share a
// cluster identity; the older Keyspace owns the keyspace, the other is DuplicateOwner naming it;
// there is no ALTER flip-flop over three resyncs; and deleting the non-owner with deletionPolicy
// Delete drops nothing.
func TestOwnershipAcrossNamespaces(t *testing.T) {
	rig := testenv.Cassandra(t)
	// The namespaces sort in creation order: if both Keyspaces are created in the same second,
	// the tie-break (namespace/name) still makes nsA's the owner.
	nsA, nsB := labeledNamespace(t, "owner-a", nil), labeledNamespace(t, "owner-b", nil)
	s1 := cqlSession(t, rig.Cluster1)
	mustCreate(t,
		connection(nsA, "east", cqlv1.CassandraConnectionSpec{Hosts: hosts(rig.Cluster1)}),
		connection(nsB, "primary", cqlv1.CassandraConnectionSpec{Hosts: hosts("localhost")}))
	a := waitReady(t, nsA, "east", metav1.ConditionTrue, cqlv1.ReasonConnected, connectTimeout)
	b := waitReady(t, nsB, "primary", metav1.ConditionTrue, cqlv1.ReasonConnected, connectTimeout)
	if a.Status.ClusterID == "" || a.Status.ClusterID != b.Status.ClusterID || !strings.HasPrefix(a.Status.ClusterID, "cluster1/") {
		t.Fatalf("an IP address and a DNS name to the same cluster must share its identity: %q vs %q", a.Status.ClusterID, b.Status.ClusterID)
	}
	name := "shared_ks_" + uniqueSuffix()
	dropAfter(t, name, s1)

	mustCreate(t, keyspaceObj(nsA, "orders", cqlv1.KeyspaceSpec{Name: name, Replication: simpleRF(1), Connections: connNames("east")}))
	waitSchema[cqlv1.Keyspace](t, nsA, "orders", metav1.ConditionTrue, cqlv1.ReasonSynced, keyspaceTimeout, nil)
	mustCreate(t, keyspaceObj(nsB, "orders", cqlv1.KeyspaceSpec{Name: name, Replication: simpleRF(2), Connections: connNames("primary"),
		DeletionPolicy: cqlv1.DeletionPolicyDelete}))
	owned := fmt.Sprintf(`Keyspace "%s/orders" already manages keyspace %q`, nsA, name)
	ks := waitSchema[cqlv1.Keyspace](t, nsB, "orders", metav1.ConditionFalse, cqlv1.ReasonDuplicateOwner, keyspaceTimeout, nil)
	if tg := mustTarget(t, ks, "primary", ""); tg.State != cqlv1.TargetFailed || !strings.Contains(tg.Message, owned) {
		t.Errorf("the non-owner's target: %+v", tg)
	}

	// Three resyncs of both: no statement, the replication stays the owner's.
	statsA, statsB := ddlStats(nsA, "east"), ddlStats(nsB, "primary")
	eventually(t, keyspaceTimeout, func() error {
		if a, b := ddlStats(nsA, "east"), ddlStats(nsB, "primary"); a.Plans < statsA.Plans+3 || b.Plans < statsB.Plans {
			return fmt.Errorf("resyncs: %d of the owner", a.Plans-statsA.Plans)
		}
		return nil
	})
	if a, b := ddlStats(nsA, "east"), ddlStats(nsB, "primary"); a.Statements != statsA.Statements || b.Statements != statsB.Statements {
		t.Errorf("an ALTER flip-flop: %d statements by the owner, %d by the duplicate", a.Statements-statsA.Statements, b.Statements-statsB.Statements)
	}
	if got := readLiveKeyspace(t, s1, name); got == nil || got.Replication["replication_factor"] != "1" {
		t.Fatalf("the owner's replication must stay: %+v", got)
	}

	ks, _ = getObject[cqlv1.Keyspace](nsB, "orders")
	deleteAndWait(t, ks, keyspaceTimeout)
	if readLiveKeyspace(t, s1, name) == nil {
		t.Fatal("deleting the non-owner with deletionPolicy Delete dropped the keyspace")
	}
	waitObjectEvent(t, nsB, "Keyspace", "orders", "KeyspaceKept", fmt.Sprintf(`Keyspace "%s/orders" manages it`, nsA))
}

// TestClusterCassandraConnection: a platform team shares cluster3 (password and TLS, with its
// Secrets in the platform's namespace) with the namespaces labelled team=a, for keyspaces team_a_*.
//   - From an allowed namespace it syncs, through one session, however many namespaces use it.
//   - The admission policy refuses a resource of another namespace, or for a keyspace outside the
//     allow-list, naming the connection and the namespace or keyspace.
//   - What admission cannot see, the operator refuses: the namespace's default (its annotation)
//     from a namespace that is not allowed, or a connection's defaultKeyspace outside the list:
//     NotPermitted, and no statement is sent.
//   - Removing the label takes effect at once, without a restart; putting it back too.
//   - Deleting the connection waits for the Delete-policy resources of every namespace (InUse).
func TestClusterCassandraConnection(t *testing.T) {
	rig := testenv.Cassandra(t)
	ca, err := os.ReadFile(rig.Cluster3CA)
	if err != nil {
		t.Fatal(err)
	}
	platform := labeledNamespace(t, "platform", nil)
	mustCreate(t,
		secret(platform, "creds", map[string]string{"username": rig.Cluster3User, "password": rig.Cluster3Password}),
		secret(platform, "ca", map[string]string{"ca.crt": string(ca)}))
	team := "a" + uniqueSuffix()
	shared := "shared-" + team
	spec := secureSpec(rig, "creds", "ca")
	spec.DefaultKeyspace = "outside_" + team
	mustCreate(t, &cqlv1.ClusterCassandraConnection{ObjectMeta: metav1.ObjectMeta{Name: shared}, Spec: cqlv1.ClusterCassandraConnectionSpec{
		CassandraConnectionSpec: spec, SecretsNamespace: platform,
		AllowedNamespaces: &metav1.LabelSelector{MatchLabels: map[string]string{"team": team}},
		AllowedKeyspaces:  []string{"team_" + team + "_*"},
	}})
	t.Cleanup(func() {
		cc := &cqlv1.ClusterCassandraConnection{ObjectMeta: metav1.ObjectMeta{Name: shared}}
		deleteAndWait(t, cc, keyspaceTimeout)
	})
	eventually(t, connectTimeout, func() error {
		cc := &cqlv1.ClusterCassandraConnection{}
		if err := k8s.Get(ctx, client.ObjectKey{Name: shared}, cc); err != nil {
			return err
		}
		if c := meta.FindStatusCondition(cc.Status.Conditions, cqlv1.ConditionReady); c == nil || c.Status != metav1.ConditionTrue || cc.Status.ClusterID == "" {
			return fmt.Errorf("not Ready with an identity: %+v", cc.Status)
		}
		return nil
	})
	ref := []cqlv1.ConnectionRef{cqlv1.ClusterScoped(shared)}
	s3 := testenv.SecureCQLSession(t, rig)
	ksA, ksA2 := "team_"+team+"_orders", "team_"+team+"_billing"
	dropAfter(t, ksA, s3)
	dropAfter(t, ksA2, s3)

	// Two allowed namespaces, one session.
	nsA := labeledNamespace(t, "team-a", map[string]string{"team": team})
	nsA2 := labeledNamespace(t, "team-a2", map[string]string{"team": team})
	mustCreate(t, keyspaceObj(nsA, "orders", cqlv1.KeyspaceSpec{Name: ksA, Replication: simpleRF(1), Connections: ref, DeletionPolicy: cqlv1.DeletionPolicyDelete}))
	waitSchema[cqlv1.Keyspace](t, nsA, "orders", metav1.ConditionTrue, cqlv1.ReasonSynced, keyspaceTimeout, nil)
	open := reg.Open()
	mustCreate(t, keyspaceObj(nsA2, "billing", cqlv1.KeyspaceSpec{Name: ksA2, Replication: simpleRF(1), Connections: ref}))
	ks := waitSchema[cqlv1.Keyspace](t, nsA2, "billing", metav1.ConditionTrue, cqlv1.ReasonSynced, keyspaceTimeout, nil)
	if reg.Open() != open || reg.Peek(registry.Key{Name: shared}) == nil {
		t.Errorf("a second namespace opened a session of its own: %d open sessions, was %d", reg.Open(), open)
	}
	if tg := ks.Status.Targets[0]; tg.Connection != "ClusterCassandraConnection/"+shared {
		t.Errorf("the target names the connection by kind: %+v", tg)
	}

	// Admission: another namespace, or another keyspace.
	other := labeledNamespace(t, "team-b", map[string]string{"team": "b"})
	err = k8s.Create(ctx, keyspaceObj(other, "orders", cqlv1.KeyspaceSpec{Name: "team_" + team + "_x", Replication: simpleRF(1), Connections: ref}))
	if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("ClusterCassandraConnection %s does not allow namespace %s", shared, other)) {
		t.Errorf("admission must refuse another namespace: %v", err)
	}
	err = k8s.Create(ctx, keyspaceObj(nsA, "elsewhere", cqlv1.KeyspaceSpec{Name: "other_" + team, Replication: simpleRF(1), Connections: ref}))
	if err == nil || !strings.Contains(err.Error(), "does not allow keyspace(s) other_"+team) {
		t.Errorf("admission must refuse a keyspace outside the allow-list: %v", err)
	}

	// What only the operator sees: a default through the namespace annotation, from a namespace
	// that is not allowed; a defaultKeyspace outside the list.
	stats := ddlStats("", shared)
	setNamespaceMeta(t, other, func(ns *corev1.Namespace) {
		ns.Annotations = map[string]string{cqlv1.AnnotationDefaultClusterConnection: shared}
	})
	mustCreate(t, keyspaceObj(other, "sneaky", cqlv1.KeyspaceSpec{Name: "team_" + team + "_sneaky", Replication: simpleRF(1)}))
	ks = waitSchema[cqlv1.Keyspace](t, other, "sneaky", metav1.ConditionFalse, cqlv1.ReasonNotPermitted, keyspaceTimeout, nil)
	if tg := ks.Status.Targets[0]; tg.State != cqlv1.TargetFailed || !strings.Contains(tg.Message, fmt.Sprintf("does not allow namespace %q", other)) {
		t.Errorf("target: %+v", tg)
	}
	mustCreate(t, tableModelObj(nsA, "items", cqlv1.TableModelSpec{Connections: ref,
		Columns: []cqlv1.Column{{Name: "id", Type: "int"}}, PartitionKey: []cqlv1.ColumnName{"id"}}))
	tm := waitSchema[cqlv1.TableModel](t, nsA, "items", metav1.ConditionFalse, cqlv1.ReasonNotPermitted, tableTimeout, nil)
	if tg := tm.Status.Targets[0]; !strings.Contains(tg.Message, fmt.Sprintf("does not allow keyspace %q", spec.DefaultKeyspace)) {
		t.Errorf("target: %+v", tg)
	}
	if now := ddlStats("", shared); now.Statements != stats.Statements || now.Plans != stats.Plans {
		t.Errorf("refused resources reached the cluster: %d plans, %d statements", now.Plans-stats.Plans, now.Statements-stats.Statements)
	}

	// Labels: removing the team label refuses nsA2 at once, putting it back lets it sync again.
	setNamespaceMeta(t, nsA2, func(ns *corev1.Namespace) { delete(ns.Labels, "team") })
	waitSchema[cqlv1.Keyspace](t, nsA2, "billing", metav1.ConditionFalse, cqlv1.ReasonNotPermitted, keyspaceTimeout, nil)
	setNamespaceMeta(t, nsA2, func(ns *corev1.Namespace) { ns.Labels["team"] = team })
	waitSchema[cqlv1.Keyspace](t, nsA2, "billing", metav1.ConditionTrue, cqlv1.ReasonSynced, keyspaceTimeout, nil)

	// Deleting the connection waits for nsA's Delete-policy Keyspace, then drops its keyspace.
	cc := &cqlv1.ClusterCassandraConnection{ObjectMeta: metav1.ObjectMeta{Name: shared}}
	if err := k8s.Delete(ctx, cc); err != nil {
		t.Fatal(err)
	}
	eventually(t, keyspaceTimeout, func() error {
		if err := k8s.Get(ctx, client.ObjectKey{Name: shared}, cc); err != nil {
			return err
		}
		c := meta.FindStatusCondition(cc.Status.Conditions, cqlv1.ConditionReady)
		if c == nil || c.Reason != cqlv1.ReasonInUse || !strings.Contains(c.Message, "Keyspace "+nsA+"/orders") {
			return fmt.Errorf("Ready = %+v", c)
		}
		return nil
	})
	for _, o := range []client.Object{ks, tm} {
		deleteAndWait(t, o, keyspaceTimeout)
	}
	k, _ := getObject[cqlv1.Keyspace](nsA, "orders")
	deleteAndWait(t, k, keyspaceTimeout)
	if readLiveKeyspace(t, s3, ksA) != nil {
		t.Error("the Delete-policy Keyspace did not drop its keyspace through the shared connection")
	}
	k2, _ := getObject[cqlv1.Keyspace](nsA2, "billing")
	deleteAndWait(t, k2, keyspaceTimeout)
	deleteAndWait(t, cc, keyspaceTimeout)
}

// TestSystemKeyspacesRefused: no resource may name a system keyspace.
func TestSystemKeyspacesRefused(t *testing.T) {
	ns := newNamespace(t)
	for _, tc := range []struct {
		obj  client.Object
		want string
	}{
		{keyspaceObj(ns, "a", cqlv1.KeyspaceSpec{Name: "system_auth", Replication: simpleRF(1)}), "spec.name cannot be a system keyspace"},
		{keyspaceObj(ns, "b", cqlv1.KeyspaceSpec{Name: "System_Auth", Replication: simpleRF(1)}), "spec.name cannot be a system keyspace"},
		{keyspaceObj(ns, "system-schema", cqlv1.KeyspaceSpec{Replication: simpleRF(1)}), "it is a system keyspace"},
		{tableModelObj(ns, "t2", cqlv1.TableModelSpec{Keyspaces: tmKeyspaces("SYSTEM"), Columns: []cqlv1.Column{{Name: "id", Type: "int"}},
			PartitionKey: []cqlv1.ColumnName{"id"}}), "system keyspaces are Cassandra's own"},
		{tableModelObj(ns, "t", cqlv1.TableModelSpec{Keyspaces: tmKeyspaces("system"), Columns: []cqlv1.Column{{Name: "id", Type: "int"}},
			PartitionKey: []cqlv1.ColumnName{"id"}}), "system keyspaces are Cassandra's own"},
		{userTypeObj(ns, "u", cqlv1.UserTypeSpec{Keyspaces: tmKeyspaces("system_traces"), Fields: fields("a", "int")}), "system keyspaces are Cassandra's own"},
		{connection(ns, "c", cqlv1.CassandraConnectionSpec{Hosts: hosts("127.0.0.1"), DefaultKeyspace: "system_views"}), "defaultKeyspace cannot be a system keyspace"},
	} {
		if err := k8s.Create(ctx, tc.obj); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%T %s: want a rejection saying %q, got %v", tc.obj, tc.obj.GetName(), tc.want, err)
		}
	}
}
