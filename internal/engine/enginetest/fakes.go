// Package enginetest holds the fakes the unit tests of the engine and of the controllers share:
// controller-runtime's fake client with the production field indexes, and fake clusters (an
// in-memory live schema per connection that records the statements it is given). The engine
// itself is tested against real Cassandra in the integration suites.
package enginetest

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
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
	"github.com/cqlsync/cqlsync/internal/cql/cluster"
	"github.com/cqlsync/cqlsync/internal/cql/introspect"
	"github.com/cqlsync/cqlsync/internal/cql/plan"
	"github.com/cqlsync/cqlsync/internal/cql/registry"
)

// builderIndexer registers the controllers' own index functions with a fake client builder.
type builderIndexer struct{ b *fake.ClientBuilder }

func (i builderIndexer) IndexField(_ context.Context, obj client.Object, field string, fn client.IndexerFunc) error {
	i.b.WithIndex(obj, field, fn)
	return nil
}

// Indexes registers field indexes (engine.RegisterIndexes).
type Indexes func(ctx context.Context, idx client.FieldIndexer, operatorNamespace string) error

// FakeClient is a client holding objs, with the indexes register registers (the production ones). funcs, when
// given, intercept its calls (to inject API-server errors).
func FakeClient(t testing.TB, register Indexes, funcs *interceptor.Funcs, objs ...client.Object) client.Client {
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
	if err := register(context.Background(), builderIndexer{b}, "cqlsync-system"); err != nil {
		t.Fatal(err)
	}
	return b.Build()
}

// RefTime is the tests' "now".
var RefTime = metav1.NewTime(time.Date(2025, 1, 1, 10, 0, 0, 0, time.UTC))

// ObjMeta is the metadata of an object created age before RefTime.
func ObjMeta(ns, name string, age time.Duration) metav1.ObjectMeta {
	return metav1.ObjectMeta{Namespace: ns, Name: name, CreationTimestamp: metav1.NewTime(RefTime.Add(-age))}
}

// RequestNames are the requests as sorted "namespace/name".
func RequestNames(reqs []reconcile.Request) []string {
	var out []string
	for _, r := range reqs {
		out = append(out, r.Namespace+"/"+r.Name)
	}
	slices.Sort(out)
	return out
}

// ReadyConn is a CassandraConnection the connection controller reported Ready.
func ReadyConn(ns, name string, isDefault bool, defaultKeyspace string) *cqlv1.CassandraConnection {
	c := &cqlv1.CassandraConnection{ObjectMeta: ObjMeta(ns, name, time.Hour),
		Spec: cqlv1.CassandraConnectionSpec{Hosts: []cqlv1.Host{"127.0.0.1"}, Default: isDefault, DefaultKeyspace: defaultKeyspace}}
	c.Status.Conditions = []metav1.Condition{{Type: cqlv1.ConditionReady, Status: metav1.ConditionTrue, Reason: cqlv1.ReasonConnected, LastTransitionTime: RefTime}}
	return c
}

// FakeCluster is one connection's cluster: its live keyspaces, and the statements it ran.
type FakeCluster struct {
	mu        sync.Mutex
	Keyspaces map[string]*introspect.KeyspaceSchema
	// ReadErr fails every read; ApplyErr fails every non-empty plan before any statement runs.
	ReadErr, ApplyErr error
	// Warnings are what Cassandra answers every statement with.
	Warnings []string
	// Building are the indexes not ready yet, with the nodes where they are not.
	Building map[string][]string
	// TablesWarn is what TablesWarning says.
	TablesWarn string
	// Disagree, when set, is what Agreement answers; AgreeAfterApply what a plan that ran
	// returns (the nodes did not agree after it).
	Disagree, AgreeAfterApply error
	Ran                       []plan.Statement
	Plans                     int
	// Roles are the cluster's roles, by name.
	Roles map[string]*introspect.Role
	// Authn is what Auth answers (zero: not known, as on a server without system_views).
	Authn introspect.Auth
}

// Auth is f.Authn, or ReadErr.
func (f *FakeCluster) Auth(context.Context) (introspect.Auth, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.ReadErr != nil {
		return introspect.Auth{}, f.ReadErr
	}
	return f.Authn, nil
}

// NewFakeCluster is a cluster holding these keyspaces.
func NewFakeCluster(keyspaces ...*introspect.KeyspaceSchema) *FakeCluster {
	f := &FakeCluster{Keyspaces: map[string]*introspect.KeyspaceSchema{}}
	for _, ks := range keyspaces {
		f.Keyspaces[ks.Name] = ks
	}
	return f
}

func (f *FakeCluster) Keyspace(_ context.Context, name string) (*introspect.KeyspaceSchema, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.ReadErr != nil {
		return nil, f.ReadErr
	}
	return f.Keyspaces[name], nil
}

// Role returns the fake's role of that name (nil: none).
func (f *FakeCluster) Role(_ context.Context, name string) (*introspect.Role, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.ReadErr != nil {
		return nil, f.ReadErr
	}
	return f.Roles[name], nil
}

func (f *FakeCluster) Apply(_ context.Context, _ introspect.Object, p plan.Plan) (plan.Plan, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.Plans++
	if len(p) == 0 {
		return nil, nil
	}
	if f.ApplyErr != nil {
		return nil, f.ApplyErr
	}
	f.Ran = append(f.Ran, p...)
	out := slices.Clone(p)
	for i := range out {
		out[i].Warnings = f.Warnings
	}
	return out, f.AgreeAfterApply
}

func (f *FakeCluster) IndexesNotReady(_ context.Context, _ string, names []string) (map[string][]string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[string][]string{}
	for _, n := range names {
		if nodes, ok := f.Building[n]; ok {
			out[n] = nodes
		}
	}
	return out, nil
}

func (f *FakeCluster) TablesWarning(context.Context) string { return f.TablesWarn }

func (f *FakeCluster) Agreement(context.Context) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.Disagree
}

// Statements are the statements the cluster ran, in order.
func (f *FakeCluster) Statements() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]string, len(f.Ran))
	for i, s := range f.Ran {
		out[i] = s.CQL
	}
	return out
}

// FakeClusters are the clusters of the connections, by name.
type FakeClusters map[string]*FakeCluster

// ClusterID is "cluster-" and the connection's name: in these tests, connections of different
// names reach different clusters.
func (f FakeClusters) ClusterID(key registry.Key) string {
	if _, ok := f[key.Name]; ok {
		return "cluster-" + key.Name
	}
	return ""
}

func (f FakeClusters) Cluster(_ context.Context, _, name string) (cluster.Cluster, error) {
	c, ok := f[name]
	if !ok {
		return nil, registry.ErrNotRegistered
	}
	return c, nil
}

// UnreachableErr is what the driver says when no node answers.
var UnreachableErr = &registry.Error{Kind: registry.KindUnreachable, Err: errors.New("gocql: no hosts available in the pool")}

// KeyspaceSchema is an existing, empty keyspace.
func KeyspaceSchema(name string) *introspect.KeyspaceSchema {
	return &introspect.KeyspaceSchema{Name: name, Replication: map[string]string{"class": "org.apache.cassandra.locator.SimpleStrategy", "replication_factor": "1"},
		DurableWrites: true, Tables: map[string]*introspect.Table{}, Types: map[string]*introspect.UserType{}, IndexTables: map[string]string{}}
}

// ConnNames are references to CassandraConnections of these names.
func ConnNames(names ...string) []cqlv1.ConnectionRef {
	out := make([]cqlv1.ConnectionRef, len(names))
	for i, n := range names {
		out[i] = cqlv1.Namespaced(n)
	}
	return out
}

// KeyspaceNames are these keyspace names, as spec.keyspaces holds them.
func KeyspaceNames(names ...string) []cqlv1.KeyspaceName {
	out := make([]cqlv1.KeyspaceName, len(names))
	for i, n := range names {
		out[i] = cqlv1.KeyspaceName(n)
	}
	return out
}

// SampleUserType is a UserType "address" (street text, zip int) in keyspace ks1 through c1.
func SampleUserType() *cqlv1.UserType {
	return &cqlv1.UserType{ObjectMeta: ObjMeta("ns", "address", 0), Spec: cqlv1.UserTypeSpec{
		Connections: ConnNames("c1"), Keyspaces: KeyspaceNames("ks1"),
		Fields: []cqlv1.Field{{Name: "street", Type: "text"}, {Name: "zip", Type: "int"}}}}
}

// Statements is a plan of statements of these kinds, each with its own CQL.
func Statements(kinds ...plan.Kind) plan.Plan {
	var p plan.Plan
	for i, k := range kinds {
		p = append(p, plan.Statement{Kind: k, CQL: string(k) + " #" + string(rune('a'+i)), Summary: string(k)})
	}
	return p
}
