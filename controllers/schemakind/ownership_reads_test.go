package schemakind

import (
	"context"
	"slices"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
	"github.com/cqlsync/cqlsync/internal/engine/enginetest"
)

// A resource requeues the others of its kind, in every namespace (a cluster may be shared), with the
// same CQL name, and only those.
func TestRequestsForSameName(t *testing.T) {
	ks := func(ns, name, cqlName string) *cqlv1.Keyspace {
		return &cqlv1.Keyspace{ObjectMeta: enginetest.ObjMeta(ns, name, 0), Spec: cqlv1.KeyspaceSpec{Name: cqlName}}
	}
	tm := func(ns, name, table string) *cqlv1.TableModel {
		return &cqlv1.TableModel{ObjectMeta: enginetest.ObjMeta(ns, name, 0), Spec: cqlv1.TableModelSpec{Name: table}}
	}
	ut := func(ns, name, typ string) *cqlv1.UserType {
		return &cqlv1.UserType{ObjectMeta: enginetest.ObjMeta(ns, name, 0), Spec: cqlv1.UserTypeSpec{Name: typ}}
	}
	c := fakeClient(t, nil,
		ks("ns", "a", "orders"), ks("ns", "b", "orders"), ks("ns", "orders", ""), ks("ns", "c", "billing"), ks("other", "a", "orders"),
		tm("ns", "a", "items"), tm("ns", "b", "items"), tm("ns", "items", ""), tm("ns", "c", "users"), tm("other", "a", "items"),
		ut("ns", "a", "address"), ut("ns", "address", ""), ut("ns", "b", "Address"),
	)
	if got, want := enginetest.RequestNames(keyspaceReconciler(c, nil).sameName(context.Background(), ks("ns", "a", "orders"))), []string{"ns/b", "ns/orders", "other/a"}; !slices.Equal(got, want) {
		t.Errorf("Keyspace sameName = %v; want %v", got, want)
	}
	if got, want := enginetest.RequestNames(tableModelReconciler(c, nil).sameName(context.Background(), tm("ns", "items", ""))), []string{"ns/a", "ns/b", "other/a"}; !slices.Equal(got, want) {
		t.Errorf("TableModel sameName = %v; want %v", got, want)
	}
	if got, want := enginetest.RequestNames(userTypeReconciler(c, nil).sameName(context.Background(), ut("ns", "a", "address"))), []string{"ns/address"}; !slices.Equal(got, want) {
		t.Errorf("UserType sameName = %v; want %v", got, want)
	}
}

// A UserType requeues the TableModels and UserTypes, of any namespace, that use its type; a Ready
// Keyspace requeues the TableModels and UserTypes that go into it (the reconcile finds out
// whether they are on the same cluster).
func TestRequestsForDependencies(t *testing.T) {
	address := &cqlv1.UserType{ObjectMeta: enginetest.ObjMeta("ns", "address", 0), Spec: cqlv1.UserTypeSpec{Fields: []cqlv1.Field{{Name: "street", Type: "text"}}}}
	person := &cqlv1.UserType{ObjectMeta: enginetest.ObjMeta("ns", "person", 0), Spec: cqlv1.UserTypeSpec{Keyspaces: enginetest.KeyspaceNames("ks1"),
		Fields: []cqlv1.Field{{Name: "home", Type: "frozen<address>"}}}}
	users := &cqlv1.TableModel{ObjectMeta: enginetest.ObjMeta("ns", "users", 0), Spec: cqlv1.TableModelSpec{Keyspaces: enginetest.KeyspaceNames("ks2"),
		Columns: []cqlv1.Column{{Name: "id", Type: "int"}, {Name: "homes", Type: "map<text, frozen<address>>"}}}}
	plain := &cqlv1.TableModel{ObjectMeta: enginetest.ObjMeta("ns", "plain", 0), Spec: cqlv1.TableModelSpec{Keyspaces: enginetest.KeyspaceNames("ks1"),
		Columns: []cqlv1.Column{{Name: "id", Type: "int"}, {Name: "bad", Type: "map<"}}}}
	elsewhere := &cqlv1.TableModel{ObjectMeta: enginetest.ObjMeta("other", "users", 0), Spec: cqlv1.TableModelSpec{
		Columns: []cqlv1.Column{{Name: "home", Type: "frozen<address>"}}}}
	ks1 := &cqlv1.Keyspace{ObjectMeta: enginetest.ObjMeta("ns", "ks1", 0)}
	ks1.Status.Conditions = []metav1.Condition{{Type: cqlv1.ConditionReady, Status: metav1.ConditionTrue}}
	c := fakeClient(t, nil, address, person, users, plain, elsewhere, ks1)
	ctx := context.Background()

	if got, want := enginetest.RequestNames(tableModelReconciler(c, nil).forUserType(ctx, address)), []string{"ns/users", "other/users"}; !slices.Equal(got, want) {
		t.Errorf("TableModels for UserType address = %v; want %v", got, want)
	}
	if got, want := enginetest.RequestNames(userTypeReconciler(c, nil).forUserType(ctx, address)), []string{"ns/person"}; !slices.Equal(got, want) {
		t.Errorf("UserTypes for UserType address = %v; want %v", got, want)
	}
	// ks1 by name, and everything that uses the connections' default keyspaces.
	if got, want := enginetest.RequestNames(tableModelReconciler(c, nil).forKeyspace(ctx, ks1)), []string{"ns/plain", "other/users"}; !slices.Equal(got, want) {
		t.Errorf("TableModels for Keyspace ks1 = %v; want %v", got, want)
	}
	if got, want := enginetest.RequestNames(userTypeReconciler(c, nil).forKeyspace(ctx, ks1)), []string{"ns/address", "ns/person"}; !slices.Equal(got, want) {
		t.Errorf("UserTypes for Keyspace ks1 = %v; want %v", got, want)
	}
	notReady := ks1.DeepCopy()
	notReady.Generation = 2
	if got := tableModelReconciler(c, nil).forKeyspace(ctx, notReady); len(got) != 0 {
		t.Errorf("a Keyspace that is not Ready for its generation requeues nothing: %v", got)
	}
}
