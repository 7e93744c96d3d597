package integration

import (
	"fmt"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
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

func getConn(ns, name string) (*cqlv1.CassandraConnection, error) {
	c := &cqlv1.CassandraConnection{}
	err := k8s.Get(ctx, client.ObjectKey{Namespace: ns, Name: name}, c)
	return c, err
}

// waitReady waits for the Ready condition to have the status and reason and to describe the
// current generation, and returns the connection.
func waitReady(t *testing.T, ns, name string, status metav1.ConditionStatus, reason string, timeout time.Duration) *cqlv1.CassandraConnection {
	t.Helper()
	var c *cqlv1.CassandraConnection
	eventually(t, timeout, func() error {
		var err error
		if c, err = getConn(ns, name); err != nil {
			return err
		}
		cond := meta.FindStatusCondition(c.Status.Conditions, cqlv1.ConditionReady)
		if cond == nil {
			return fmt.Errorf("%s/%s has no Ready condition yet", ns, name)
		}
		if cond.Status != status || cond.Reason != reason || cond.ObservedGeneration != c.Generation {
			return fmt.Errorf("%s/%s Ready=%s reason=%s gen=%d/%d message=%q; want %s %s",
				ns, name, cond.Status, cond.Reason, cond.ObservedGeneration, c.Generation, cond.Message, status, reason)
		}
		return nil
	})
	return c
}

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
