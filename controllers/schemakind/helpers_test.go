package schemakind

import (
	"context"
	"testing"
	"time"

	"k8s.io/client-go/tools/events"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
	"github.com/cqlsync/cqlsync/internal/engine"
	"github.com/cqlsync/cqlsync/internal/engine/enginetest"
)

// Unit tests of the schema reconcilers run the real reconcilers and pipelines against
// controller-runtime's fake client (with the production field indexes) and fake clusters (see
// enginetest). The engine itself is tested against real Cassandra in the integration suites.

func fakeClient(t *testing.T, funcs *interceptor.Funcs, objs ...client.Object) client.Client {
	t.Helper()
	return enginetest.FakeClient(t, engine.RegisterIndexes, funcs, objs...)
}

// testReconciler is a kind's reconciler and the recorder of its events.
type testReconciler[T engine.Object] struct {
	*Reconciler[T]
	recorder *events.FakeRecorder
}

func newTestReconciler[T engine.Object](c client.Client, clusters engine.Clusters, pipeline func(engine.Options) engine.Pipeline[T]) *testReconciler[T] {
	return newTestReconcilerWith(c, clusters, pipeline, false)
}

// newTestReconcilerWith makes a reconciler whose manager runs with --dry-run when dryRun is set.
func newTestReconcilerWith[T engine.Object](c client.Client, clusters engine.Clusters, pipeline func(engine.Options) engine.Pipeline[T], dryRun bool) *testReconciler[T] {
	rec := events.NewFakeRecorder(100)
	now := func() time.Time { return enginetest.RefTime.Time }
	p := pipeline(engine.Options{Client: c, Clusters: clusters, Recorder: rec, Now: now, DryRun: dryRun})
	return &testReconciler[T]{Reconciler: New(c, p, nil, 0, nil, now), recorder: rec}
}

func keyspaceReconciler(c client.Client, clusters engine.Clusters) *testReconciler[*cqlv1.Keyspace] {
	return newTestReconciler(c, clusters, engine.Keyspaces)
}

func tableModelReconciler(c client.Client, clusters engine.Clusters) *testReconciler[*cqlv1.TableModel] {
	return newTestReconciler(c, clusters, engine.TableModels)
}

func userTypeReconciler(c client.Client, clusters engine.Clusters) *testReconciler[*cqlv1.UserType] {
	return newTestReconciler(c, clusters, engine.UserTypes)
}

// reconcileObj runs one reconcile of the object and reads it back into obj (left as it was when
// it is gone).
func reconcileObj[T engine.Object](t *testing.T, r *testReconciler[T], obj T) (ctrl.Result, error) {
	t.Helper()
	res, err := r.Reconcile(context.Background(), ctrl.Request{NamespacedName: client.ObjectKeyFromObject(obj)})
	if getErr := r.Get(context.Background(), client.ObjectKeyFromObject(obj), obj); getErr != nil && client.IgnoreNotFound(getErr) != nil {
		t.Fatal(getErr)
	}
	return res, err
}

// recordedEvents drains the events the reconciler's fake recorder got, as "Type Reason Note".
func recordedEvents[T engine.Object](r *testReconciler[T]) []string {
	var out []string
	for {
		select {
		case e := <-r.recorder.Events:
			out = append(out, e)
		default:
			return out
		}
	}
}
