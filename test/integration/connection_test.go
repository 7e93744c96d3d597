package integration

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
	"github.com/cqlsync/cqlsync/internal/cql/registry"
	"github.com/cqlsync/cqlsync/test/rig/testenv"
)

const connectTimeout = 90 * time.Second

// TestConnectBothClusters: both local clusters connect; status.hosts shows what the nodes report.
func TestConnectBothClusters(t *testing.T) {
	rig := testenv.Cassandra(t)
	ns := newNamespace(t)
	mustCreate(t,
		connection(ns, "cluster1", cqlv1.CassandraConnectionSpec{Hosts: hosts(rig.Cluster1), Default: true, DefaultKeyspace: "ks1"}),
		connection(ns, "cluster2", cqlv1.CassandraConnectionSpec{Hosts: hosts(rig.Cluster2 + ":9042"), LocalDatacenter: "dc2"}),
	)
	for _, tc := range []struct{ name, host, cluster, dc string }{
		{"cluster1", rig.Cluster1, "cluster1", "dc1"},
		{"cluster2", rig.Cluster2, "cluster2", "dc2"},
	} {
		c := waitReady(t, ns, tc.name, metav1.ConditionTrue, cqlv1.ReasonConnected, connectTimeout)
		if c.Status.ClusterName != tc.cluster {
			t.Errorf("%s: clusterName %q, want %q", tc.name, c.Status.ClusterName, tc.cluster)
		}
		if len(c.Status.Hosts) != 1 {
			t.Fatalf("%s: want one host, got %+v", tc.name, c.Status.Hosts)
		}
		h := c.Status.Hosts[0]
		if h.Address != tc.host+":9042" || h.Datacenter != tc.dc || h.Rack != "rack1" || !h.Up ||
			!strings.HasPrefix(h.ReleaseVersion, "5.0.") || len(h.SchemaVersion) != 36 {
			t.Errorf("%s: host status %+v", tc.name, h)
		}
		if c.Status.HostsUp != "1/1" || c.Status.ObservedGeneration != c.Generation {
			t.Errorf("%s: hostsUp=%q observedGeneration=%d generation=%d", tc.name, c.Status.HostsUp, c.Status.ObservedGeneration, c.Generation)
		}
	}
	// The registry holds exactly one open session per connection, and cluster1 is the default.
	if k, err := reg.DefaultKey(ns); err != nil || k.Name != "cluster1" {
		t.Errorf("default connection: %v %v", k, err)
	}

	// A spec change is observed: observedGeneration follows the generation.
	c, _ := getObject[cqlv1.CassandraConnection](ns, "cluster2")
	c.Spec.RequestTimeout = &metav1.Duration{Duration: 20 * time.Second}
	if err := k8s.Update(ctx, c); err != nil {
		t.Fatal(err)
	}
	c = waitReady(t, ns, "cluster2", metav1.ConditionTrue, cqlv1.ReasonConnected, connectTimeout)
	if c.Status.ObservedGeneration != 2 {
		t.Errorf("observedGeneration %d after one update", c.Status.ObservedGeneration)
	}
	for _, n := range []string{"cluster1", "cluster2"} {
		c, _ := getObject[cqlv1.CassandraConnection](ns, n)
		deleteAndWait(t, c, 30*time.Second)
	}
}

// TestWrongPassword: the cluster refuses the credentials; the condition says so, and fixing the
// Secret (a watched change) makes the connection Ready without touching the connection.
func TestWrongPasswordThenFixed(t *testing.T) {
	rig := testenv.Cassandra(t)
	ns := newNamespace(t)
	ca, err := os.ReadFile(rig.Cluster3CA)
	if err != nil {
		t.Fatal(err)
	}
	mustCreate(t,
		secret(ns, "creds", map[string]string{"username": rig.Cluster3User, "password": "wrong-password"}),
		secret(ns, "ca", map[string]string{"ca.crt": string(ca)}),
		connection(ns, "secure", secureSpec(rig, "creds", "ca")),
	)
	c := waitReady(t, ns, "secure", metav1.ConditionFalse, cqlv1.ReasonAuthenticationFailed, connectTimeout)
	assertNoSecretInStatus(t, c, "wrong-password")

	s := secret(ns, "creds", map[string]string{"username": rig.Cluster3User, "password": rig.Cluster3Password})
	if err := k8s.Update(ctx, s); err != nil {
		t.Fatal(err)
	}
	c = waitReady(t, ns, "secure", metav1.ConditionTrue, cqlv1.ReasonConnected, connectTimeout)
	assertNoSecretInStatus(t, c, rig.Cluster3Password)
	deleteAndWait(t, c, 30*time.Second)
}

// TestTLS: CA verification succeeds with the right CA and fails with TLSFailed with another CA.
func TestTLS(t *testing.T) {
	rig := testenv.Cassandra(t)
	ns := newNamespace(t)
	ca, err := os.ReadFile(rig.Cluster3CA)
	if err != nil {
		t.Fatal(err)
	}
	mustCreate(t,
		secret(ns, "creds", map[string]string{"username": rig.Cluster3User, "password": rig.Cluster3Password}),
		secret(ns, "right-ca", map[string]string{"ca.crt": string(ca)}),
		secret(ns, "wrong-ca", map[string]string{"ca.crt": string(selfSignedCA(t))}),
		connection(ns, "right", secureSpec(rig, "creds", "right-ca")),
		connection(ns, "wrong", secureSpec(rig, "creds", "wrong-ca")),
	)
	right := waitReady(t, ns, "right", metav1.ConditionTrue, cqlv1.ReasonConnected, connectTimeout)
	if right.Status.ClusterName != "cluster3" {
		t.Errorf("clusterName %q", right.Status.ClusterName)
	}
	wrong := waitReady(t, ns, "wrong", metav1.ConditionFalse, cqlv1.ReasonTLSFailed, connectTimeout)
	if msg := meta.FindStatusCondition(wrong.Status.Conditions, cqlv1.ConditionReady).Message; !strings.Contains(msg, "spec.tls") {
		t.Errorf("the TLS failure must point at spec.tls: %q", msg)
	}
	// Without TLS the TLS-only node does not answer the handshake: never Ready.
	plain := secureSpec(rig, "creds", "right-ca")
	plain.TLS = nil
	plain.ConnectTimeout = &metav1.Duration{Duration: 2 * time.Second}
	mustCreate(t, connection(ns, "plain", plain))
	c := waitFalse(t, ns, "plain", connectTimeout)
	if r := meta.FindStatusCondition(c.Status.Conditions, cqlv1.ConditionReady).Reason; r == cqlv1.ReasonConnected {
		t.Errorf("plain connection to a TLS-only node: %s", r)
	}
	for _, n := range []string{"right", "wrong", "plain"} {
		c, _ := getObject[cqlv1.CassandraConnection](ns, n)
		deleteAndWait(t, c, 30*time.Second)
	}
}

// TestSecretRotationReconnects: a changed Secret content opens a new session.
func TestSecretRotationReconnects(t *testing.T) {
	rig := testenv.Cassandra(t)
	ns := newNamespace(t)
	ca, err := os.ReadFile(rig.Cluster3CA)
	if err != nil {
		t.Fatal(err)
	}
	mustCreate(t,
		secret(ns, "creds", map[string]string{"username": rig.Cluster3User, "password": rig.Cluster3Password}),
		secret(ns, "ca", map[string]string{"ca.crt": string(ca)}),
		connection(ns, "rotating", secureSpec(rig, "creds", "ca")),
	)
	c := waitReady(t, ns, "rotating", metav1.ConditionTrue, cqlv1.ReasonConnected, connectTimeout)
	key := registry.Key{Namespace: ns, Name: "rotating"}
	first := reg.Peek(key)
	if first == nil {
		t.Fatal("no open session after Ready")
	}

	// Create a role on the cluster with the current session, then rotate the Secret to it.
	role, pw := "rotated_"+fmt.Sprint(time.Now().UnixNano()%1000000), "pw-"+fmt.Sprint(time.Now().UnixNano())
	if err := first.Driver().Query(fmt.Sprintf("CREATE ROLE %s WITH PASSWORD = '%s' AND LOGIN = true", role, pw)).Exec(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = first.Driver().Query("DROP ROLE IF EXISTS " + role).Exec() }()
	if err := k8s.Update(ctx, secret(ns, "creds", map[string]string{"username": role, "password": pw})); err != nil {
		t.Fatal(err)
	}
	eventually(t, connectTimeout, func() error {
		s := reg.Peek(key)
		if s == nil || s == first {
			return fmt.Errorf("session not replaced yet")
		}
		if !first.Closed() {
			return fmt.Errorf("old session still open")
		}
		return nil
	})
	c = waitReady(t, ns, "rotating", metav1.ConditionTrue, cqlv1.ReasonConnected, connectTimeout)
	deleteAndWait(t, c, 30*time.Second)
}

// TestSecretProblems: missing Secret, missing key and a TLS Secret without a CA are conditions
// that name the Secret and key; creating the Secret heals the connection.
func TestSecretProblems(t *testing.T) {
	rig := testenv.Cassandra(t)
	ns := newNamespace(t)
	ca, err := os.ReadFile(rig.Cluster3CA)
	if err != nil {
		t.Fatal(err)
	}
	mustCreate(t,
		secret(ns, "no-password", map[string]string{"username": "cassandra"}),
		secret(ns, "tls-without-ca", map[string]string{"tls.crt": "x"}),
		secret(ns, "not-pem", map[string]string{"ca.crt": "hello"}),
		secret(ns, "creds", map[string]string{"username": rig.Cluster3User, "password": rig.Cluster3Password}),
		connection(ns, "missing-secret", secureSpec(rig, "absent", "absent-ca")),
		connection(ns, "missing-key", secureSpec(rig, "no-password", "absent-ca")),
		connection(ns, "missing-ca", secureSpec(rig, "creds", "tls-without-ca")),
		connection(ns, "bad-ca", secureSpec(rig, "creds", "not-pem")),
	)
	for _, tc := range []struct{ name, reason, mention string }{
		{"missing-secret", cqlv1.ReasonSecretNotFound, `Secret "absent" not found`},
		{"missing-key", cqlv1.ReasonSecretKeyNotFound, `Secret "no-password" has no key "password"`},
		{"missing-ca", cqlv1.ReasonSecretKeyNotFound, `spec.tls.caSecretRef: Secret "tls-without-ca" has no key "ca.crt"`},
		{"bad-ca", cqlv1.ReasonInvalidSecret, "holds no PEM certificate"},
	} {
		c := waitReady(t, ns, tc.name, metav1.ConditionFalse, tc.reason, 30*time.Second)
		if msg := meta.FindStatusCondition(c.Status.Conditions, cqlv1.ConditionReady).Message; !strings.Contains(msg, tc.mention) {
			t.Errorf("%s: message %q must mention %q", tc.name, msg, tc.mention)
		}
	}
	// Creating the missing Secrets heals the first connection.
	mustCreate(t,
		secret(ns, "absent", map[string]string{"username": rig.Cluster3User, "password": rig.Cluster3Password}),
		secret(ns, "absent-ca", map[string]string{"ca.crt": string(ca)}),
	)
	waitReady(t, ns, "missing-secret", metav1.ConditionTrue, cqlv1.ReasonConnected, connectTimeout)
	var list cqlv1.CassandraConnectionList
	if err := k8s.List(ctx, &list, client.InNamespace(ns)); err != nil {
		t.Fatal(err)
	}
	for i := range list.Items {
		deleteAndWait(t, &list.Items[i], 30*time.Second)
	}
}

// TestTwoDefaults: both defaults are marked DefaultConflict; removing one heals the other.
func TestTwoDefaults(t *testing.T) {
	rig := testenv.Cassandra(t)
	ns := newNamespace(t)
	mustCreate(t,
		connection(ns, "first", cqlv1.CassandraConnectionSpec{Hosts: hosts(rig.Cluster1), Default: true}),
		connection(ns, "second", cqlv1.CassandraConnectionSpec{Hosts: hosts(rig.Cluster2), Default: true}),
	)
	first := waitReady(t, ns, "first", metav1.ConditionFalse, cqlv1.ReasonDefaultConflict, connectTimeout)
	second := waitReady(t, ns, "second", metav1.ConditionFalse, cqlv1.ReasonDefaultConflict, connectTimeout)
	if m := meta.FindStatusCondition(first.Status.Conditions, cqlv1.ConditionReady).Message; !strings.Contains(m, "second") {
		t.Errorf("first's message must name second: %q", m)
	}
	if _, err := reg.DefaultKey(ns); err == nil {
		t.Error("the registry must not pick a default silently")
	}
	second.Spec.Default = false
	if err := k8s.Update(ctx, second); err != nil {
		t.Fatal(err)
	}
	waitReady(t, ns, "first", metav1.ConditionTrue, cqlv1.ReasonConnected, connectTimeout)
	waitReady(t, ns, "second", metav1.ConditionTrue, cqlv1.ReasonConnected, connectTimeout)
	if k, err := reg.DefaultKey(ns); err != nil || k.Name != "first" {
		t.Errorf("default after the fix: %v %v", k, err)
	}
	deleteAndWait(t, first, 30*time.Second)
	deleteAndWait(t, second, 30*time.Second)
}

// TestUnreachableHost: nothing listens there; the condition says Unreachable and nothing crashes.
func TestUnreachableHost(t *testing.T) {
	testenv.Cassandra(t)
	ns := newNamespace(t)
	mustCreate(t, connection(ns, "nowhere", cqlv1.CassandraConnectionSpec{
		Hosts: hosts("127.0.0.9:9"), ConnectTimeout: &metav1.Duration{Duration: time.Second},
	}))
	c := waitReady(t, ns, "nowhere", metav1.ConditionFalse, cqlv1.ReasonUnreachable, 30*time.Second)
	if c.Status.HostsUp != "0/0" {
		t.Errorf("hostsUp %q", c.Status.HostsUp)
	}
	deleteAndWait(t, c, 30*time.Second)
}

// TestDeleteClosesSession: deleting the connection closes its session; no driver goroutine and no
// TCP connection to the node is left behind.
func TestDeleteClosesSession(t *testing.T) {
	rig := testenv.Cassandra(t)
	ns := newNamespace(t)
	baseGoroutines := driverGoroutines()
	baseConns, err := openConnsTo(rig.Cluster2, 9042)
	if err != nil {
		t.Fatal(err)
	}
	mustCreate(t, connection(ns, "short-lived", cqlv1.CassandraConnectionSpec{Hosts: hosts(rig.Cluster2)}))
	c := waitReady(t, ns, "short-lived", metav1.ConditionTrue, cqlv1.ReasonConnected, connectTimeout)
	if n, _ := openConnsTo(rig.Cluster2, 9042); n <= baseConns {
		t.Fatalf("expected open connections to %s while Ready, got %d (baseline %d)", rig.Cluster2, n, baseConns)
	}
	if driverGoroutines() <= baseGoroutines {
		t.Fatal("expected driver goroutines while Ready")
	}
	deleteAndWait(t, c, 30*time.Second)
	if s := reg.Peek(registry.Key{Namespace: ns, Name: "short-lived"}); s != nil {
		t.Fatal("the registry still holds the session")
	}
	eventually(t, 30*time.Second, func() error {
		n, err := openConnsTo(rig.Cluster2, 9042)
		if err != nil {
			return err
		}
		g := driverGoroutines()
		if n > baseConns || g > baseGoroutines {
			return fmt.Errorf("left behind: %d connections to %s (baseline %d), %d driver goroutines (baseline %d)", n, rig.Cluster2, baseConns, g, baseGoroutines)
		}
		return nil
	})
}

// TestStoppedNodeRecovers: a stopped node makes the connection Unreachable, and the Keyspace,
// TableModel and UserType on it report the same thing (Pending, ConnectionNotReady); once the node
// is restarted the connection and all three become Ready by themselves.
func TestStoppedNodeRecovers(t *testing.T) {
	rig := testenv.Cassandra(t)
	if rig.Script == "" {
		t.Fatal("CQLSYNC_CASSANDRA_SCRIPT is unset")
	}
	ns := newNamespace(t)
	mustCreate(t, connection(ns, "flaky", cqlv1.CassandraConnectionSpec{
		Hosts: hosts(rig.Cluster2), ConnectTimeout: &metav1.Duration{Duration: 2 * time.Second},
		RequestTimeout: &metav1.Duration{Duration: 3 * time.Second},
	}))
	waitReady(t, ns, "flaky", metav1.ConditionTrue, cqlv1.ReasonConnected, connectTimeout)
	ks := "flaky_" + uniqueSuffix()
	dropAfter(t, ks, cqlSession(t, rig.Cluster2))
	mustCreate(t,
		keyspaceObj(ns, "ks", cqlv1.KeyspaceSpec{Name: ks, Replication: simpleRF(1), Connections: connNames("flaky")}),
		userTypeObj(ns, "point", cqlv1.UserTypeSpec{Connections: connNames("flaky"), Keyspaces: tmKeyspaces(ks), Fields: fields("x", "int")}),
		tableModelObj(ns, "shapes", cqlv1.TableModelSpec{Connections: connNames("flaky"), Keyspaces: tmKeyspaces(ks),
			Columns: []cqlv1.Column{{Name: "id", Type: "int"}, {Name: "p", Type: "frozen<point>"}}, PartitionKey: []cqlv1.ColumnName{"id"}}),
	)
	allThree := func(status metav1.ConditionStatus, reason string) {
		t.Helper()
		k := waitSchema[cqlv1.Keyspace](t, ns, "ks", status, reason, 2*time.Minute, nil)
		u := waitSchema[cqlv1.UserType](t, ns, "point", status, reason, tableTimeout, nil)
		m := waitSchema[cqlv1.TableModel](t, ns, "shapes", status, reason, tableTimeout, nil)
		for kind, st := range map[string]*cqlv1.SchemaStatus{"Keyspace": &k.Status.SchemaStatus, "UserType": &u.Status.SchemaStatus, "TableModel": &m.Status.SchemaStatus} {
			want := cqlv1.TargetSynced
			if status != metav1.ConditionTrue {
				want = cqlv1.TargetPending
			}
			if len(st.Targets) != 1 || st.Targets[0].State != want || st.Targets[0].Reason != reason {
				t.Errorf("%s targets: %+v", kind, st.Targets)
			}
		}
	}
	allThree(metav1.ConditionTrue, cqlv1.ReasonSynced)

	restarted := false
	defer func() {
		if !restarted { // never leave the shared cluster down for the tests that follow
			_ = exec.Command(rig.Script, "start", "cluster2").Run()
		}
	}()
	if out, err := exec.Command(rig.Script, "stop", "cluster2").CombinedOutput(); err != nil {
		t.Fatalf("stopping cluster2: %v\n%s", err, out)
	}
	c := waitReady(t, ns, "flaky", metav1.ConditionFalse, cqlv1.ReasonUnreachable, connectTimeout)
	if len(c.Status.Hosts) != 1 || c.Status.Hosts[0].Up || c.Status.HostsUp != "0/1" {
		t.Errorf("hosts while down: %+v %s", c.Status.Hosts, c.Status.HostsUp)
	}
	allThree(metav1.ConditionFalse, cqlv1.ReasonUnreachable)
	if out, err := exec.Command(rig.Script, "start", "cluster2").CombinedOutput(); err != nil {
		t.Fatalf("starting cluster2: %v\n%s", err, out)
	}
	restarted = true
	c = waitReady(t, ns, "flaky", metav1.ConditionTrue, cqlv1.ReasonConnected, 2*time.Minute)
	if c.Status.HostsUp != "1/1" {
		t.Errorf("hostsUp after recovery %q", c.Status.HostsUp)
	}
	allThree(metav1.ConditionTrue, cqlv1.ReasonSynced)
	for _, name := range []string{"shapes", "point", "ks"} {
		var obj client.Object = &cqlv1.TableModel{}
		switch name {
		case "point":
			obj = &cqlv1.UserType{}
		case "ks":
			obj = &cqlv1.Keyspace{}
		}
		if err := k8s.Get(ctx, client.ObjectKey{Namespace: ns, Name: name}, obj); err != nil {
			t.Fatal(err)
		}
		deleteAndWait(t, obj, 30*time.Second)
	}
	deleteAndWait(t, c, 30*time.Second)
}

func secureSpec(rig testenv.Rig, credsSecret, caSecret string) cqlv1.CassandraConnectionSpec {
	return cqlv1.CassandraConnectionSpec{
		Hosts: hosts(rig.Cluster3),
		Auth:  &cqlv1.AuthSpec{SecretRef: cqlv1.CredentialsSecretRef{Name: credsSecret}},
		TLS:   &cqlv1.TLSSpec{CASecretRef: &cqlv1.SecretKeyRef{Name: caSecret}},
	}
}

// waitFalse waits for Ready=False for the current generation, whatever the reason.
func waitFalse(t *testing.T, ns, name string, timeout time.Duration) *cqlv1.CassandraConnection {
	t.Helper()
	var c *cqlv1.CassandraConnection
	eventually(t, timeout, func() error {
		var err error
		if c, err = getObject[cqlv1.CassandraConnection](ns, name); err != nil {
			return err
		}
		cond := meta.FindStatusCondition(c.Status.Conditions, cqlv1.ConditionReady)
		if cond == nil || cond.Status != metav1.ConditionFalse || cond.ObservedGeneration != c.Generation {
			return fmt.Errorf("not False yet: %+v", cond)
		}
		return nil
	})
	return c
}

func assertNoSecretInStatus(t *testing.T, c *cqlv1.CassandraConnection, secretValue string) {
	t.Helper()
	if strings.Contains(fmt.Sprintf("%+v", c.Status), secretValue) {
		t.Errorf("status leaks a secret value: %+v", c.Status)
	}
}

// selfSignedCA makes a CA that signed nothing the cluster uses.
func selfSignedCA(t *testing.T) []byte {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: "not the cluster's CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}
