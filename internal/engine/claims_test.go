package engine

import (
	"context"
	"maps"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
	"github.com/cqlsync/cqlsync/internal/engine/enginetest"
)

// The ownership of a Keyspace's targets, read from the API: an older duplicate going through the
// namespace default owns the keyspace on that connection only.
func TestKeyspaceOwnershipReads(t *testing.T) {
	deleting := metav1.NewTime(enginetest.RefTime.Time)
	older := &cqlv1.Keyspace{ObjectMeta: enginetest.ObjMeta("ns", "older", time.Hour), Spec: cqlv1.KeyspaceSpec{Name: "orders"}}
	newer := &cqlv1.Keyspace{ObjectMeta: enginetest.ObjMeta("ns", "newer", -time.Hour), Spec: cqlv1.KeyspaceSpec{Name: "orders", Connections: enginetest.ConnNames("c1")}}
	goneSoon := enginetest.ObjMeta("ns", "oldest", 2*time.Hour)
	goneSoon.DeletionTimestamp, goneSoon.Finalizers = &deleting, []string{cqlv1.Finalizer}
	oldestDeleting := &cqlv1.Keyspace{ObjectMeta: goneSoon, Spec: cqlv1.KeyspaceSpec{Name: "orders", Connections: enginetest.ConnNames("c3")}}
	self := &cqlv1.Keyspace{ObjectMeta: enginetest.ObjMeta("ns", "self", 0), Spec: cqlv1.KeyspaceSpec{Name: "orders", Connections: enginetest.ConnNames("c1", "c2", "c3")}}
	c := fakeClient(t, nil, older, newer, oldestDeleting, self,
		&cqlv1.CassandraConnection{ObjectMeta: enginetest.ObjMeta("ns", "c1", 0), Spec: cqlv1.CassandraConnectionSpec{Default: true}},
		&cqlv1.CassandraConnection{ObjectMeta: enginetest.ObjMeta("ns", "c2", 0)},
		&cqlv1.CassandraConnection{ObjectMeta: enginetest.ObjMeta("ns", "c3", 0)},
		&cqlv1.Keyspace{ObjectMeta: enginetest.ObjMeta("ns", "unrelated", 3*time.Hour), Spec: cqlv1.KeyspaceSpec{Name: "billing", Connections: enginetest.ConnNames("c2")}},
	)
	r := keyspacePipeline(c, enginetest.FakeClusters{"c1": nil, "c2": nil, "c3": nil})
	orders := []string{"orders"}
	got, err := r.ownership(context.Background(), self, []connTarget{{name: "c1", clusterID: "cluster-c1", keyspaces: orders},
		{name: "c2", clusterID: "cluster-c2", keyspaces: orders}, {name: "c3", clusterID: "cluster-c3", keyspaces: orders},
		{isDefault: true, keyspaces: orders, decided: &Problem{}}})
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
	older := &cqlv1.TableModel{ObjectMeta: enginetest.ObjMeta("ns", "older", time.Hour), Spec: cqlv1.TableModelSpec{Name: "items"}}
	otherKeyspace := &cqlv1.TableModel{ObjectMeta: enginetest.ObjMeta("ns", "other-ks", time.Hour),
		Spec: cqlv1.TableModelSpec{Name: "items", Connections: enginetest.ConnNames("c2"), Keyspaces: []cqlv1.KeyspaceName{"audit"}}}
	missingConn := &cqlv1.TableModel{ObjectMeta: enginetest.ObjMeta("ns", "missing-conn", time.Hour),
		Spec: cqlv1.TableModelSpec{Name: "items", Connections: enginetest.ConnNames("gone")}}
	self := &cqlv1.TableModel{ObjectMeta: enginetest.ObjMeta("ns", "self", 0), Spec: cqlv1.TableModelSpec{Name: "items"}}
	c := fakeClient(t, nil, older, otherKeyspace, missingConn, self,
		&cqlv1.CassandraConnection{ObjectMeta: enginetest.ObjMeta("ns", "c1", 0), Spec: cqlv1.CassandraConnectionSpec{Default: true, DefaultKeyspace: "shop"}},
		&cqlv1.CassandraConnection{ObjectMeta: enginetest.ObjMeta("ns", "c2", 0), Spec: cqlv1.CassandraConnectionSpec{DefaultKeyspace: "shop"}},
	)
	r := tableModelPipeline(c, enginetest.FakeClusters{"c1": nil, "c2": nil})
	conns := []connTarget{
		{name: "c1", clusterID: "cluster-c1", keyspaces: []string{"shop"}},
		{name: "c2", clusterID: "cluster-c2", keyspaces: []string{"shop", "audit"}},
		{name: "c3", keyspaces: []string{"shop"}, decided: &Problem{}},
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
