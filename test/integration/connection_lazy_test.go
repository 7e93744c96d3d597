package integration

import (
	"fmt"
	"os"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ctrlmetrics "sigs.k8s.io/controller-runtime/pkg/metrics"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
	"github.com/cqlsync/cqlsync/internal/cql/registry"
	"github.com/cqlsync/cqlsync/test/rig/testenv"
)

// TestLazyConnect: a lazy connection is Ready without a session; the first user opens it, and
// the connection then reports the cluster.
func TestLazyConnect(t *testing.T) {
	rig := testenv.Cassandra(t)
	ns := newNamespace(t)
	mustCreate(t, connection(ns, "lazy", cqlv1.CassandraConnectionSpec{Hosts: hosts(rig.Cluster1), LazyConnect: true}))
	c := waitReady(t, ns, "lazy", metav1.ConditionTrue, cqlv1.ReasonNotConnectedYet, connectTimeout)
	key := registry.Key{Namespace: ns, Name: "lazy"}
	if reg.Peek(key) != nil || len(c.Status.Hosts) != 0 {
		t.Fatalf("a lazy connection must not connect by itself: hosts=%v", c.Status.Hosts)
	}
	// What a Keyspace reconcile does when it needs the session.
	if _, err := reg.Resolve(ctx, ns, "lazy"); err != nil {
		t.Fatal(err)
	}
	c = waitReady(t, ns, "lazy", metav1.ConditionTrue, cqlv1.ReasonConnected, connectTimeout)
	if c.Status.ClusterName != "cluster1" || c.Status.HostsUp != "1/1" {
		t.Errorf("after first use: %+v", c.Status)
	}
	deleteAndWait(t, c, 30*time.Second)
}

// TestReadyConnectionWritesNoStatus: periodic refreshes that find nothing new write nothing.
func TestReadyConnectionWritesNoStatus(t *testing.T) {
	rig := testenv.Cassandra(t)
	ns := newNamespace(t)
	// cluster3: no other test runs DDL there, so its schema version (part of status) holds still.
	ca, err := os.ReadFile(rig.Cluster3CA)
	if err != nil {
		t.Fatal(err)
	}
	mustCreate(t,
		secret(ns, "creds", map[string]string{"username": rig.Cluster3User, "password": rig.Cluster3Password}),
		secret(ns, "ca", map[string]string{"ca.crt": string(ca)}),
		connection(ns, "quiet", secureSpec(rig, "creds", "ca")),
	)
	c := waitReady(t, ns, "quiet", metav1.ConditionTrue, cqlv1.ReasonConnected, connectTimeout)
	rv := c.ResourceVersion
	start := reconciles(t, "cassandraconnection")
	// The suite refreshes Ready connections every 3s: wait for at least six more reconciles.
	eventually(t, 30*time.Second, func() error {
		if n := reconciles(t, "cassandraconnection"); n < start+6 {
			return fmt.Errorf("%v reconciles so far", n-start)
		}
		return nil
	})
	c, err = getObject[cqlv1.CassandraConnection](ns, "quiet")
	if err != nil {
		t.Fatal(err)
	}
	if c.ResourceVersion != rv {
		t.Fatalf("refreshes with nothing new wrote the object: resourceVersion %s -> %s; status %+v", rv, c.ResourceVersion, c.Status)
	}
	deleteAndWait(t, c, 30*time.Second)
}

// reconciles reads controller-runtime's reconcile counter of a controller from the in-process
// metrics registry.
func reconciles(t *testing.T, controller string) float64 {
	t.Helper()
	families, err := ctrlmetrics.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var total float64
	for _, f := range families {
		if f.GetName() != "controller_runtime_reconcile_total" {
			continue
		}
		for _, m := range f.GetMetric() {
			if label(m, "controller") == controller {
				total += m.GetCounter().GetValue()
			}
		}
	}
	return total
}

func label(m *dto.Metric, name string) string {
	for _, l := range m.GetLabel() {
		if l.GetName() == name {
			return l.GetValue()
		}
	}
	return ""
}
