package controllers

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/tools/events"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
	"github.com/cqlsync/cqlsync/internal/cql/introspect"
	"github.com/cqlsync/cqlsync/internal/cql/plan"
	"github.com/cqlsync/cqlsync/internal/cql/registry"
)

// Unit tests of the controllers run the real reconcilers against controller-runtime's fake client
// (with the production field indexes) and fake clusters: an in-memory live schema per connection
// that records the statements it is given. internal/cql itself is tested against real Cassandra.

// builderIndexer registers the controllers' own index functions with a fake client builder.
type builderIndexer struct{ b *fake.ClientBuilder }

func (i builderIndexer) IndexField(_ context.Context, obj client.Object, field string, fn client.IndexerFunc) error {
	i.b.WithIndex(obj, field, fn)
	return nil
}

// fakeClient is a client holding objs, with every index the controllers register. funcs, when
// given, intercept its calls (to inject API-server errors).
func fakeClient(t *testing.T, funcs *interceptor.Funcs, objs ...client.Object) client.Client {
	t.Helper()
	scheme := runtime.NewScheme()
	if err := cqlv1.AddToScheme(scheme); err != nil {
		t.Fatal(err)
	}
	if err := clientgoscheme.AddToScheme(scheme); err != nil {
		t.Fatal(err)
	}
	b := fake.NewClientBuilder().WithScheme(scheme).WithObjects(objs...).
		WithStatusSubresource(&cqlv1.CassandraConnection{}, &cqlv1.Keyspace{}, &cqlv1.TableModel{}, &cqlv1.UserType{})
	if funcs != nil {
		b = b.WithInterceptorFuncs(*funcs)
	}
	if err := registerIndexes(context.Background(), builderIndexer{b}, "cqlsync-system"); err != nil {
		t.Fatal(err)
	}
	return b.Build()
}

var refTime = metav1.NewTime(time.Date(2025, 1, 1, 10, 0, 0, 0, time.UTC))

func objMeta(ns, name string, age time.Duration) metav1.ObjectMeta {
	return metav1.ObjectMeta{Namespace: ns, Name: name, CreationTimestamp: metav1.NewTime(refTime.Add(-age))}
}

func requestNames(reqs []reconcile.Request) []string {
	var out []string
	for _, r := range reqs {
		out = append(out, r.Namespace+"/"+r.Name)
	}
	slices.Sort(out)
	return out
}

// readyConn is a CassandraConnection the connection controller reported Ready.
func readyConn(ns, name string, isDefault bool, defaultKeyspace string) *cqlv1.CassandraConnection {
	c := &cqlv1.CassandraConnection{ObjectMeta: objMeta(ns, name, time.Hour),
		Spec: cqlv1.CassandraConnectionSpec{Hosts: []cqlv1.Host{"127.0.0.1"}, Default: isDefault, DefaultKeyspace: defaultKeyspace}}
	c.Status.Conditions = []metav1.Condition{{Type: cqlv1.ConditionReady, Status: metav1.ConditionTrue, Reason: cqlv1.ReasonConnected, LastTransitionTime: refTime}}
	return c
}

// fakeCluster is one connection's cluster: its live keyspaces, and the statements it ran.
type fakeCluster struct {
	mu        sync.Mutex
	keyspaces map[string]*introspect.KeyspaceSchema
	// readErr fails every read; applyErr fails every non-empty plan before any statement runs.
	readErr, applyErr error
	// warnings are what Cassandra answers every statement with.
	warnings []string
	// building are the indexes not ready yet, with the nodes where they are not.
	building map[string][]string
	// tablesWarning is what TablesWarning says.
	tablesWarning string
	// disagree, when set, is what Agreement answers; agreeAfterApply what a plan that ran
	// returns (the nodes did not agree after it).
	disagree, agreeAfterApply error
	ran                       []plan.Statement
	plans                     int
}

func newFakeCluster(keyspaces ...*introspect.KeyspaceSchema) *fakeCluster {
	f := &fakeCluster{keyspaces: map[string]*introspect.KeyspaceSchema{}}
	for _, ks := range keyspaces {
		f.keyspaces[ks.Name] = ks
	}
	return f
}

func (f *fakeCluster) Keyspace(_ context.Context, name string) (*introspect.KeyspaceSchema, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.readErr != nil {
		return nil, f.readErr
	}
	return f.keyspaces[name], nil
}

func (f *fakeCluster) Apply(_ context.Context, _ introspect.Object, p plan.Plan) (plan.Plan, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.plans++
	if len(p) == 0 {
		return nil, nil
	}
	if f.applyErr != nil {
		return nil, f.applyErr
	}
	f.ran = append(f.ran, p...)
	out := slices.Clone(p)
	for i := range out {
		out[i].Warnings = f.warnings
	}
	return out, f.agreeAfterApply
}

func (f *fakeCluster) IndexesNotReady(_ context.Context, _ string, names []string) (map[string][]string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[string][]string{}
	for _, n := range names {
		if nodes, ok := f.building[n]; ok {
			out[n] = nodes
		}
	}
	return out, nil
}

func (f *fakeCluster) TablesWarning(context.Context) string { return f.tablesWarning }

func (f *fakeCluster) Agreement(context.Context) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.disagree
}

func (f *fakeCluster) statements() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]string, len(f.ran))
	for i, s := range f.ran {
		out[i] = s.CQL
	}
	return out
}

// fakeClusters are the clusters of the connections, by name.
type fakeClusters map[string]*fakeCluster

// ClusterID is "cluster-" and the connection's name: in these tests, connections of different
// names reach different clusters.
func (f fakeClusters) ClusterID(key registry.Key) string {
	if _, ok := f[key.Name]; ok {
		return "cluster-" + key.Name
	}
	return ""
}

func (f fakeClusters) Cluster(_ context.Context, _, name string) (Cluster, error) {
	c, ok := f[name]
	if !ok {
		return nil, registry.ErrNotRegistered
	}
	return c, nil
}

// unreachableErr is what the driver says when no node answers.
var unreachableErr = &registry.Error{Kind: registry.KindUnreachable, Err: errors.New("gocql: no hosts available in the pool")}

// keyspaceSchema is an existing, empty keyspace.
func keyspaceSchema(name string) *introspect.KeyspaceSchema {
	return &introspect.KeyspaceSchema{Name: name, Replication: map[string]string{"class": "org.apache.cassandra.locator.SimpleStrategy", "replication_factor": "1"},
		DurableWrites: true, Tables: map[string]*introspect.Table{}, Types: map[string]*introspect.UserType{}, IndexTables: map[string]string{}}
}

func options(c client.Client, clusters Clusters) reconcilerOptions {
	return reconcilerOptions{clusters: clusters, recorder: events.NewFakeRecorder(100), now: func() time.Time { return refTime.Time }}
}

func keyspaceReconciler(c client.Client, clusters Clusters) *schemaReconciler[*cqlv1.Keyspace, plan.Keyspace] {
	return newSchemaReconciler(c, keyspaceKind, keyspaceObjects, kindAdapter[*cqlv1.Keyspace, plan.Keyspace](keyspaceAdapter{}), options(c, clusters))
}

func tableModelReconciler(c client.Client, clusters Clusters) *schemaReconciler[*cqlv1.TableModel, plan.Table] {
	return newSchemaReconciler(c, tableModelKind, tableModelObjects, kindAdapter[*cqlv1.TableModel, plan.Table](tableModelAdapter{}), options(c, clusters))
}

func userTypeReconciler(c client.Client, clusters Clusters) *schemaReconciler[*cqlv1.UserType, plan.UserType] {
	return newSchemaReconciler(c, userTypeKind, userTypeObjects, kindAdapter[*cqlv1.UserType, plan.UserType](userTypeAdapter{}), options(c, clusters))
}

// reconcile runs one reconcile of the object and reads it back into obj (left as it was when it is
// gone).
func reconcileObj[T schemaObject, D any](t *testing.T, r *schemaReconciler[T, D], obj T) (ctrl.Result, error) {
	t.Helper()
	res, err := r.Reconcile(context.Background(), ctrl.Request{NamespacedName: client.ObjectKeyFromObject(obj)})
	if getErr := r.Get(context.Background(), client.ObjectKeyFromObject(obj), obj); getErr != nil && client.IgnoreNotFound(getErr) != nil {
		t.Fatal(getErr)
	}
	return res, err
}

// recordedEvents drains the events the reconciler's fake recorder got, as "Type Reason Note".
func recordedEvents[T schemaObject, D any](r *schemaReconciler[T, D]) []string {
	rec := r.Recorder.(*events.FakeRecorder)
	var out []string
	for {
		select {
		case e := <-rec.Events:
			out = append(out, e)
		default:
			return out
		}
	}
}

func connNamesOf(names ...string) []cqlv1.ConnectionRef {
	out := make([]cqlv1.ConnectionRef, len(names))
	for i, n := range names {
		out[i] = cqlv1.Namespaced(n)
	}
	return out
}

func keyspaceNamesOf(names ...string) []cqlv1.KeyspaceName {
	out := make([]cqlv1.KeyspaceName, len(names))
	for i, n := range names {
		out[i] = cqlv1.KeyspaceName(n)
	}
	return out
}
