package schemakind

import (
	"context"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/cqlsync/cqlsync/internal/engine/enginetest"
)

func TestRecentWrites(t *testing.T) {
	now := enginetest.RefTime.Time
	w := newRecentWrites(func() time.Time { return now })
	a, b := types.NamespacedName{Namespace: "ns", Name: "a"}, types.NamespacedName{Namespace: "ns", Name: "b"}
	w.wrote(a)
	if !w.recent(a) || w.recent(b) {
		t.Fatal("a was just written, b never")
	}
	now = now.Add(readYourWrites)
	if w.recent(a) {
		t.Fatal("a write is recent for readYourWrites only")
	}
}

// A reconcile right after the reconciler wrote the object reads it from the API server, not from
// the cache (which may not have the write yet); otherwise from the cache.
func TestReadYourWrites(t *testing.T) {
	ks := sampleKeyspace()
	c := fakeClient(t, nil, ks, enginetest.ReadyConn("ns", "c1", false, ""))
	api := &countingReader{Reader: c}
	cl := enginetest.NewFakeCluster()
	r := keyspaceReconciler(c, enginetest.FakeClusters{"c1": cl})
	r.APIReader = api
	if _, err := reconcileObj(t, r, ks); err != nil { // writes the finalizer and the status
		t.Fatal(err)
	}
	if api.gets != 0 {
		t.Fatalf("the first reconcile read the API server %d times", api.gets)
	}
	cl.Keyspaces["ks1"] = enginetest.KeyspaceSchema("ks1")
	rv := ks.ResourceVersion
	if _, err := reconcileObj(t, r, ks); err != nil {
		t.Fatal(err)
	}
	if api.gets != 1 || ks.ResourceVersion != rv {
		t.Fatalf("right after a write: %d API reads (want 1), resourceVersion %s -> %s", api.gets, rv, ks.ResourceVersion)
	}
}

// countingReader counts the Gets of a reader.
type countingReader struct {
	client.Reader
	gets int
}

func (r *countingReader) Get(ctx context.Context, key client.ObjectKey, obj client.Object, opts ...client.GetOption) error {
	r.gets++
	return r.Reader.Get(ctx, key, obj, opts...)
}
