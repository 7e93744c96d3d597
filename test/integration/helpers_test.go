package integration

import (
	"fmt"
	"testing"
	"time"

	gocql "github.com/apache/cassandra-gocql-driver/v2"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
	"github.com/cqlsync/cqlsync/test/rig/testenv"
)

// eventually polls cond until it returns nil or the timeout passes, then fails with its last error.
func eventually(t *testing.T, timeout time.Duration, cond func() error) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	var err error
	for {
		if err = cond(); err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("not true after %s: %v", timeout, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// waitReady waits for the connection's Ready condition to have the status and reason and to
// describe the current generation, and returns the connection.
func waitReady(t *testing.T, ns, name string, status metav1.ConditionStatus, reason string, timeout time.Duration) *cqlv1.CassandraConnection {
	t.Helper()
	return waitCondition[cqlv1.CassandraConnection](t, ns, name, status, reason, timeout,
		func(c *cqlv1.CassandraConnection) []metav1.Condition { return c.Status.Conditions }, nil)
}

// readyConnection creates a connection to host (with a default keyspace, when given) and waits
// until it is Ready.
func readyConnection(t *testing.T, ns, name, host, defaultKeyspace string, isDefault bool) *cqlv1.CassandraConnection {
	t.Helper()
	mustCreate(t, connection(ns, name, cqlv1.CassandraConnectionSpec{Hosts: hosts(host), Default: isDefault, DefaultKeyspace: defaultKeyspace}))
	return waitReady(t, ns, name, metav1.ConditionTrue, cqlv1.ReasonConnected, connectTimeout)
}

// cqlSession opens the test's own session to a cluster, to check what cqlsync did and to change
// the schema behind its back.
func cqlSession(t testing.TB, host string) *gocql.Session { return testenv.CQLSession(t, host) }

func connection(ns, name string, spec cqlv1.CassandraConnectionSpec) *cqlv1.CassandraConnection {
	return &cqlv1.CassandraConnection{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}, Spec: spec}
}

func hosts(h ...string) []cqlv1.Host {
	out := make([]cqlv1.Host, len(h))
	for i, s := range h {
		out[i] = cqlv1.Host(s)
	}
	return out
}

func secret(ns, name string, data map[string]string) *corev1.Secret {
	s := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}, Data: map[string][]byte{}}
	for k, v := range data {
		s.Data[k] = []byte(v)
	}
	return s
}

func mustCreate(t *testing.T, objs ...client.Object) {
	t.Helper()
	for _, o := range objs {
		if err := k8s.Create(ctx, o); err != nil {
			t.Fatalf("create %T %s: %v", o, o.GetName(), err)
		}
	}
}

// deleteAndWait deletes the object and waits until the API server no longer has it (finalizers run).
func deleteAndWait(t *testing.T, obj client.Object, timeout time.Duration) {
	t.Helper()
	if err := k8s.Delete(ctx, obj); err != nil && !apierrors.IsNotFound(err) {
		t.Fatal(err)
	}
	eventually(t, timeout, func() error {
		err := k8s.Get(ctx, client.ObjectKeyFromObject(obj), obj)
		if apierrors.IsNotFound(err) {
			return nil
		}
		return fmt.Errorf("%s still exists (finalizers %v): %v", obj.GetName(), obj.GetFinalizers(), err)
	})
}

func clientKey(o client.Object) client.ObjectKey { return client.ObjectKeyFromObject(o) }
