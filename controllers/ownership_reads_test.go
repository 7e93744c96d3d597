package controllers

import (
	"context"
	"maps"
	"slices"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
)

// A resource requeues the others of its kind, in every namespace (a cluster may be shared), with the
// same CQL name, and only those.
func TestRequestsForSameName(t *testing.T) {
	ks := func(ns, name, cqlName string) *cqlv1.Keyspace {
		return &cqlv1.Keyspace{ObjectMeta: objMeta(ns, name, 0), Spec: cqlv1.KeyspaceSpec{Name: cqlName}}
	}
	tm := func(ns, name, table string) *cqlv1.TableModel {
		return &cqlv1.TableModel{ObjectMeta: objMeta(ns, name, 0), Spec: cqlv1.TableModelSpec{Name: table}}
	}
	ut := func(ns, name, typ string) *cqlv1.UserType {
		return &cqlv1.UserType{ObjectMeta: objMeta(ns, name, 0), Spec: cqlv1.UserTypeSpec{Name: typ}}
	}
	c := fakeClient(t, nil,
		ks("ns", "a", "orders"), ks("ns", "b", "orders"), ks("ns", "orders", ""), ks("ns", "c", "billing"), ks("other", "a", "orders"),
		tm("ns", "a", "items"), tm("ns", "b", "items"), tm("ns", "items", ""), tm("ns", "c", "users"), tm("other", "a", "items"),
		ut("ns", "a", "address"), ut("ns", "address", ""), ut("ns", "b", "Address"),
	)
	if got, want := requestNames(keyspaceReconciler(c, nil).sameName(context.Background(), ks("ns", "a", "orders"))), []string{"ns/b", "ns/orders", "other/a"}; !slices.Equal(got, want) {
		t.Errorf("Keyspace sameName = %v; want %v", got, want)
	}
	if got, want := requestNames(tableModelReconciler(c, nil).sameName(context.Background(), tm("ns", "items", ""))), []string{"ns/a", "ns/b", "other/a"}; !slices.Equal(got, want) {
		t.Errorf("TableModel sameName = %v; want %v", got, want)
	}
	if got, want := requestNames(userTypeReconciler(c, nil).sameName(context.Background(), ut("ns", "a", "address"))), []string{"ns/address"}; !slices.Equal(got, want) {
		t.Errorf("UserType sameName = %v; want %v", got, want)
	}
}

// A UserType requeues the TableModels and UserTypes, of any namespace, that use its type; a Ready
// Keyspace requeues the TableModels and UserTypes that go into it (the reconcile finds out
// whether they are on the same cluster).
func TestRequestsForDependencies(t *testing.T) {
	address := &cqlv1.UserType{ObjectMeta: objMeta("ns", "address", 0), Spec: cqlv1.UserTypeSpec{Fields: []cqlv1.Field{{Name: "street", Type: "text"}}}}
	person := &cqlv1.UserType{ObjectMeta: objMeta("ns", "person", 0), Spec: cqlv1.UserTypeSpec{Keyspaces: keyspaceNamesOf("ks1"),
		Fields: []cqlv1.Field{{Name: "home", Type: "frozen<address>"}}}}
	users := &cqlv1.TableModel{ObjectMeta: objMeta("ns", "users", 0), Spec: cqlv1.TableModelSpec{Keyspaces: keyspaceNamesOf("ks2"),
		Columns: []cqlv1.Column{{Name: "id", Type: "int"}, {Name: "homes", Type: "map<text, frozen<address>>"}}}}
	plain := &cqlv1.TableModel{ObjectMeta: objMeta("ns", "plain", 0), Spec: cqlv1.TableModelSpec{Keyspaces: keyspaceNamesOf("ks1"),
		Columns: []cqlv1.Column{{Name: "id", Type: "int"}, {Name: "bad", Type: "map<"}}}}
	elsewhere := &cqlv1.TableModel{ObjectMeta: objMeta("other", "users", 0), Spec: cqlv1.TableModelSpec{
		Columns: []cqlv1.Column{{Name: "home", Type: "frozen<address>"}}}}
	ks1 := &cqlv1.Keyspace{ObjectMeta: objMeta("ns", "ks1", 0)}
	ks1.Status.Conditions = []metav1.Condition{{Type: cqlv1.ConditionReady, Status: metav1.ConditionTrue}}
	c := fakeClient(t, nil, address, person, users, plain, elsewhere, ks1)
	ctx := context.Background()

	if got, want := requestNames(tableModelReconciler(c, nil).forUserType(ctx, address)), []string{"ns/users", "other/users"}; !slices.Equal(got, want) {
		t.Errorf("TableModels for UserType address = %v; want %v", got, want)
	}
	if got, want := requestNames(userTypeReconciler(c, nil).forUserType(ctx, address)), []string{"ns/person"}; !slices.Equal(got, want) {
		t.Errorf("UserTypes for UserType address = %v; want %v", got, want)
	}
	// ks1 by name, and everything that uses the connections' default keyspaces.
	if got, want := requestNames(tableModelReconciler(c, nil).forKeyspace(ctx, ks1)), []string{"ns/plain", "other/users"}; !slices.Equal(got, want) {
		t.Errorf("TableModels for Keyspace ks1 = %v; want %v", got, want)
	}
	if got, want := requestNames(userTypeReconciler(c, nil).forKeyspace(ctx, ks1)), []string{"ns/address", "ns/person"}; !slices.Equal(got, want) {
		t.Errorf("UserTypes for Keyspace ks1 = %v; want %v", got, want)
	}
	notReady := ks1.DeepCopy()
	notReady.Generation = 2
	if got := tableModelReconciler(c, nil).forKeyspace(ctx, notReady); len(got) != 0 {
		t.Errorf("a Keyspace that is not Ready for its generation requeues nothing: %v", got)
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
	c := fakeClient(t, nil, older, newer, oldestDeleting, self,
		&cqlv1.CassandraConnection{ObjectMeta: objMeta("ns", "c1", 0), Spec: cqlv1.CassandraConnectionSpec{Default: true}},
		&cqlv1.CassandraConnection{ObjectMeta: objMeta("ns", "c2", 0)},
		&cqlv1.CassandraConnection{ObjectMeta: objMeta("ns", "c3", 0)},
		&cqlv1.Keyspace{ObjectMeta: objMeta("ns", "unrelated", 3*time.Hour), Spec: cqlv1.KeyspaceSpec{Name: "billing", Connections: connNamesOf("c2")}},
	)
	r := keyspaceReconciler(c, fakeClusters{"c1": nil, "c2": nil, "c3": nil})
	orders := []string{"orders"}
	got, err := r.ownership(context.Background(), self, []connTarget{{name: "c1", clusterID: "cluster-c1", keyspaces: orders},
		{name: "c2", clusterID: "cluster-c2", keyspaces: orders}, {name: "c3", clusterID: "cluster-c3", keyspaces: orders},
		{isDefault: true, keyspaces: orders, decided: &problem{}}})
	if err != nil {
		t.Fatal(err)
	}
	want := map[schemaTarget]targetOwnership{
		ksTarget("c1", "orders"): {owner: "ns/older"},
		ksTarget("c2", "orders"): {},
		ksTarget("c3", "orders"): {owner: "ns/oldest"},
	}
	if !maps.Equal(got, want) {
		t.Errorf("ownership = %+v; want %+v", got, want)
	}
	// Seen from the older one: it owns c1, and "newer" takes it over once it is gone.
	got, err = r.ownership(context.Background(), older, []connTarget{{name: "c1", clusterID: "cluster-c1", isDefault: true, keyspaces: orders}})
	if err != nil {
		t.Fatal(err)
	}
	if want := (targetOwnership{heir: "ns/self"}); got[ksTarget("c1", "orders")] != want {
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
	c := fakeClient(t, nil, older, otherKeyspace, missingConn, self,
		&cqlv1.CassandraConnection{ObjectMeta: objMeta("ns", "c1", 0), Spec: cqlv1.CassandraConnectionSpec{Default: true, DefaultKeyspace: "shop"}},
		&cqlv1.CassandraConnection{ObjectMeta: objMeta("ns", "c2", 0), Spec: cqlv1.CassandraConnectionSpec{DefaultKeyspace: "shop"}},
	)
	r := tableModelReconciler(c, fakeClusters{"c1": nil, "c2": nil})
	conns := []connTarget{
		{name: "c1", clusterID: "cluster-c1", keyspaces: []string{"shop"}},
		{name: "c2", clusterID: "cluster-c2", keyspaces: []string{"shop", "audit"}},
		{name: "c3", keyspaces: []string{"shop"}, decided: &problem{}},
	}
	got, err := r.ownership(context.Background(), self, conns)
	if err != nil {
		t.Fatal(err)
	}
	want := map[schemaTarget]targetOwnership{
		tblTarget("c1", "shop", "items"):  {owner: "ns/older"},
		tblTarget("c2", "shop", "items"):  {},
		tblTarget("c2", "audit", "items"): {owner: "ns/other-ks"},
	}
	if !maps.Equal(got, want) {
		t.Errorf("ownership = %+v; want %+v", got, want)
	}
}
