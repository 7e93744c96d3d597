package controllers

import (
	"context"
	"maps"
	"slices"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
)

// builderIndexer registers the controllers' own index functions with a fake client builder.
type builderIndexer struct{ b *fake.ClientBuilder }

func (i builderIndexer) IndexField(_ context.Context, obj client.Object, field string, fn client.IndexerFunc) error {
	i.b.WithIndex(obj, field, fn)
	return nil
}

// fakeClient is a client holding objs, with the indexes the Keyspace and TableModel controllers
// register, and the connection controller's default-connection index.
func fakeClient(t *testing.T, objs ...client.Object) client.Client {
	t.Helper()
	scheme := runtime.NewScheme()
	if err := cqlv1.AddToScheme(scheme); err != nil {
		t.Fatal(err)
	}
	b := fake.NewClientBuilder().WithScheme(scheme).WithObjects(objs...)
	idx := builderIndexer{b}
	if err := indexKeyspaceFields(context.Background(), idx); err != nil {
		t.Fatal(err)
	}
	if err := indexTableModelFields(context.Background(), idx); err != nil {
		t.Fatal(err)
	}
	b.WithIndex(&cqlv1.CassandraConnection{}, indexConnDefault, func(o client.Object) []string {
		if o.(*cqlv1.CassandraConnection).Spec.Default {
			return []string{"true"}
		}
		return nil
	})
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

// A Keyspace or TableModel requeues the others of its namespace with the same CQL name, and only
// those.
func TestRequestsForSameName(t *testing.T) {
	ks := func(ns, name, cqlName string) *cqlv1.Keyspace {
		return &cqlv1.Keyspace{ObjectMeta: objMeta(ns, name, 0), Spec: cqlv1.KeyspaceSpec{Name: cqlName}}
	}
	tm := func(ns, name, table string) *cqlv1.TableModel {
		return &cqlv1.TableModel{ObjectMeta: objMeta(ns, name, 0), Spec: cqlv1.TableModelSpec{Name: table}}
	}
	c := fakeClient(t,
		ks("ns", "a", "orders"), ks("ns", "b", "orders"), ks("ns", "orders", ""), ks("ns", "c", "billing"), ks("other", "a", "orders"),
		tm("ns", "a", "items"), tm("ns", "b", "items"), tm("ns", "items", ""), tm("ns", "c", "users"), tm("other", "a", "items"),
	)
	kr := &KeyspaceReconciler{Client: c}
	if got, want := requestNames(kr.keyspacesWithSameName(context.Background(), ks("ns", "a", "orders"))), []string{"ns/b", "ns/orders"}; !slices.Equal(got, want) {
		t.Errorf("keyspacesWithSameName = %v; want %v", got, want)
	}
	tr := &TableModelReconciler{Client: c}
	if got, want := requestNames(tr.tableModelsWithSameTable(context.Background(), tm("ns", "items", ""))), []string{"ns/a", "ns/b"}; !slices.Equal(got, want) {
		t.Errorf("tableModelsWithSameTable = %v; want %v", got, want)
	}
}

// The ownership of a Keyspace's targets, read from the API: an older duplicate going through the
// namespace default owns the keyspace on that connection only.
func TestKeyspaceOwnershipReads(t *testing.T) {
	deleting := metav1.NewTime(refTime.Time)
	older := &cqlv1.Keyspace{ObjectMeta: objMeta("ns", "older", time.Hour), Spec: cqlv1.KeyspaceSpec{Name: "orders"}}
	newer := &cqlv1.Keyspace{ObjectMeta: objMeta("ns", "newer", -time.Hour), Spec: cqlv1.KeyspaceSpec{Name: "orders", Connections: connNamesOf("c1")}}
	goneSoon := objMeta("ns", "oldest", 2*time.Hour)
	goneSoon.DeletionTimestamp, goneSoon.Finalizers = &deleting, []string{Finalizer}
	oldestDeleting := &cqlv1.Keyspace{ObjectMeta: goneSoon, Spec: cqlv1.KeyspaceSpec{Name: "orders", Connections: connNamesOf("c3")}}
	self := &cqlv1.Keyspace{ObjectMeta: objMeta("ns", "self", 0), Spec: cqlv1.KeyspaceSpec{Name: "orders", Connections: connNamesOf("c1", "c2", "c3")}}
	c := fakeClient(t, older, newer, oldestDeleting, self,
		&cqlv1.CassandraConnection{ObjectMeta: objMeta("ns", "c1", 0), Spec: cqlv1.CassandraConnectionSpec{Default: true}},
		&cqlv1.CassandraConnection{ObjectMeta: objMeta("ns", "c2", 0)},
		&cqlv1.Keyspace{ObjectMeta: objMeta("ns", "unrelated", 3*time.Hour), Spec: cqlv1.KeyspaceSpec{Name: "billing", Connections: connNamesOf("c2")}},
	)
	r := &KeyspaceReconciler{Client: c}
	got, err := r.keyspaceOwnership(context.Background(), self, []target{{name: "c1"}, {name: "c2"}, {name: "c3"}, {isDefault: true, decided: &targetOutcome{}}})
	if err != nil {
		t.Fatal(err)
	}
	want := map[schemaTarget]targetOwnership{
		keyspaceTarget("c1", "orders"): {owner: "older"},
		keyspaceTarget("c2", "orders"): {},
		keyspaceTarget("c3", "orders"): {owner: "oldest"},
	}
	if !maps.Equal(got, want) {
		t.Errorf("ownership = %+v; want %+v", got, want)
	}
	// Seen from the older one: it owns c1, and "newer" takes it over once it is gone.
	got, err = r.keyspaceOwnership(context.Background(), older, []target{{name: "c1", isDefault: true}})
	if err != nil {
		t.Fatal(err)
	}
	if want := (targetOwnership{heir: "self"}); got[keyspaceTarget("c1", "orders")] != want {
		t.Errorf("older's ownership = %+v; want %+v", got, want)
	}
}

// The ownership of a TableModel's targets, read from the API: an older duplicate going through the
// namespace default connection and its defaultKeyspace owns the table there.
func TestTableOwnershipReads(t *testing.T) {
	older := &cqlv1.TableModel{ObjectMeta: objMeta("ns", "older", time.Hour), Spec: cqlv1.TableModelSpec{Name: "items"}}
	otherKeyspace := &cqlv1.TableModel{ObjectMeta: objMeta("ns", "other-ks", time.Hour),
		Spec: cqlv1.TableModelSpec{Name: "items", Connections: connNamesOf("c2"), Keyspaces: []cqlv1.KeyspaceName{"audit"}}}
	missingConn := &cqlv1.TableModel{ObjectMeta: objMeta("ns", "missing-conn", time.Hour),
		Spec: cqlv1.TableModelSpec{Name: "items", Connections: connNamesOf("gone")}}
	self := &cqlv1.TableModel{ObjectMeta: objMeta("ns", "self", 0), Spec: cqlv1.TableModelSpec{Name: "items"}}
	c := fakeClient(t, older, otherKeyspace, missingConn, self,
		&cqlv1.CassandraConnection{ObjectMeta: objMeta("ns", "c1", 0), Spec: cqlv1.CassandraConnectionSpec{Default: true, DefaultKeyspace: "shop"}},
		&cqlv1.CassandraConnection{ObjectMeta: objMeta("ns", "c2", 0), Spec: cqlv1.CassandraConnectionSpec{DefaultKeyspace: "shop"}},
	)
	r := &TableModelReconciler{Client: c}
	conns := []tableConn{
		{name: "c1", keyspaces: []string{"shop"}},
		{name: "c2", keyspaces: []string{"shop", "audit"}},
		{name: "c3", keyspaces: []string{"shop"}, decided: &tableTargetOutcome{}},
	}
	got, err := r.tableOwnership(context.Background(), self, conns)
	if err != nil {
		t.Fatal(err)
	}
	want := map[schemaTarget]targetOwnership{
		tableTarget("c1", "shop", "items"):  {owner: "older"},
		tableTarget("c2", "shop", "items"):  {},
		tableTarget("c2", "audit", "items"): {owner: "other-ks"},
	}
	if !maps.Equal(got, want) {
		t.Errorf("ownership = %+v; want %+v", got, want)
	}
}
