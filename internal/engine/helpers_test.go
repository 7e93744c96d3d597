package engine

import (
	"testing"
	"time"

	"k8s.io/client-go/tools/events"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
	"github.com/cqlsync/cqlsync/internal/cql/introspect"
	"github.com/cqlsync/cqlsync/internal/cql/plan"
	"github.com/cqlsync/cqlsync/internal/engine/enginetest"
)

func fakeClient(t *testing.T, funcs *interceptor.Funcs, objs ...client.Object) client.Client {
	t.Helper()
	return enginetest.FakeClient(t, RegisterIndexes, funcs, objs...)
}

func testOptions(c client.Client, clusters Clusters) Options {
	return Options{Client: c, Clusters: clusters, Recorder: events.NewFakeRecorder(100), Now: func() time.Time { return enginetest.RefTime.Time }}
}

func keyspacePipeline(c client.Client, clusters Clusters) *pipeline[*cqlv1.Keyspace, plan.Keyspace, *introspect.KeyspaceSchema] {
	return Keyspaces(testOptions(c, clusters)).(*pipeline[*cqlv1.Keyspace, plan.Keyspace, *introspect.KeyspaceSchema])
}

func tableModelPipeline(c client.Client, clusters Clusters) *pipeline[*cqlv1.TableModel, plan.Table, *introspect.KeyspaceSchema] {
	return TableModels(testOptions(c, clusters)).(*pipeline[*cqlv1.TableModel, plan.Table, *introspect.KeyspaceSchema])
}
