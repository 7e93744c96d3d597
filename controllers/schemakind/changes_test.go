package schemakind

import (
	"context"
	"slices"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
	"github.com/cqlsync/cqlsync/internal/cql/registry"
	"github.com/cqlsync/cqlsync/internal/engine"
	"github.com/cqlsync/cqlsync/internal/engine/enginetest"
)

func TestSchemaChangeConcerns(t *testing.T) {
	now := metav1.Now()
	namedTable := &cqlv1.TableModel{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "automobile"}, Spec: cqlv1.TableModelSpec{
		Connections: enginetest.ConnNames("cluster1"), Keyspaces: enginetest.KeyspaceNames("ks1", "ks2")}}
	defaultTable := &cqlv1.TableModel{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "events"}, Spec: cqlv1.TableModelSpec{Name: "Events"}}
	keyspace := &cqlv1.Keyspace{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "ks1"}, Spec: cqlv1.KeyspaceSpec{Connections: enginetest.ConnNames("cluster1")}}
	userType := &cqlv1.UserType{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "address"}, Spec: cqlv1.UserTypeSpec{
		Connections: enginetest.ConnNames("cluster1"), Keyspaces: enginetest.KeyspaceNames("ks1")}}
	deletingType := userType.DeepCopy()
	deletingType.DeletionTimestamp = &now
	change := func(conn, ks, table, typ string) registry.SchemaChange {
		return registry.SchemaChange{Key: registry.Key{Namespace: "ns", Name: conn}, Keyspace: ks, Table: table, Type: typ}
	}
	cases := []struct {
		name      string
		obj       cqlv1.SchemaObject
		kind      engine.Kind
		c         registry.SchemaChange
		isDefault bool
		want      bool
	}{
		{"table: its table", namedTable, engine.TableModels(engine.Options{}).Kind(), change("cluster1", "ks2", "automobile", ""), false, true},
		{"table: keyspace-level change", namedTable, engine.TableModels(engine.Options{}).Kind(), change("cluster1", "ks1", "", ""), false, true},
		{"table: another table", namedTable, engine.TableModels(engine.Options{}).Kind(), change("cluster1", "ks1", "other", ""), false, false},
		{"table: a type of the same name", namedTable, engine.TableModels(engine.Options{}).Kind(), change("cluster1", "ks1", "", "automobile"), false, false},
		{"table: another keyspace", namedTable, engine.TableModels(engine.Options{}).Kind(), change("cluster1", "ks3", "automobile", ""), false, false},
		{"table: another connection", namedTable, engine.TableModels(engine.Options{}).Kind(), change("cluster2", "ks1", "automobile", ""), false, false},
		{"table: default connection, any keyspace", defaultTable, engine.TableModels(engine.Options{}).Kind(), change("cluster1", "whatever", "Events", ""), true, true},
		{"table: case-sensitive name", defaultTable, engine.TableModels(engine.Options{}).Kind(), change("cluster1", "whatever", "events", ""), true, false},
		{"table: not the default connection", defaultTable, engine.TableModels(engine.Options{}).Kind(), change("cluster1", "ks1", "Events", ""), false, false},
		{"keyspace: itself", keyspace, engine.Keyspaces(engine.Options{}).Kind(), change("cluster1", "ks1", "", ""), false, true},
		{"keyspace: a table in it", keyspace, engine.Keyspaces(engine.Options{}).Kind(), change("cluster1", "ks1", "t", ""), false, false},
		{"keyspace: another keyspace", keyspace, engine.Keyspaces(engine.Options{}).Kind(), change("cluster1", "ks2", "", ""), false, false},
		{"type: its type", userType, engine.UserTypes(engine.Options{}).Kind(), change("cluster1", "ks1", "", "address"), false, true},
		{"type: another type", userType, engine.UserTypes(engine.Options{}).Kind(), change("cluster1", "ks1", "", "person"), false, false},
		{"type: a table", userType, engine.UserTypes(engine.Options{}).Kind(), change("cluster1", "ks1", "users", ""), false, false},
		{"type being deleted: a table (its users may be gone)", deletingType, engine.UserTypes(engine.Options{}).Kind(), change("cluster1", "ks1", "users", ""), false, true},
		{"type being deleted: another keyspace's table", deletingType, engine.UserTypes(engine.Options{}).Kind(), change("cluster1", "ks2", "users", ""), false, false},
		{"resync: every resource of the connection", keyspace, engine.Keyspaces(engine.Options{}).Kind(), change("cluster1", "", "", ""), false, true},
		{"resync: a table of the connection", namedTable, engine.TableModels(engine.Options{}).Kind(), change("cluster1", "", "", ""), false, true},
		{"resync: another connection", namedTable, engine.TableModels(engine.Options{}).Kind(), change("cluster2", "", "", ""), false, false},
	}
	for _, tc := range cases {
		if got := schemaChangeConcerns(tc.obj, tc.kind, tc.c, tc.isDefault); got != tc.want {
			t.Errorf("%s: got %t, want %t", tc.name, got, tc.want)
		}
		// The candidates forSchemaChange lists never leave out a resource the change concerns.
		name, none := changeCandidates(tc.kind, tc.c)
		if tc.want && (none || (name != "" && name != tc.obj.CQLName())) {
			t.Errorf("%s: candidates (name %q, none %t) leave the resource out", tc.name, name, none)
		}
	}
}

// fakeEvents is a SchemaEvents with no default connection.
type fakeEvents struct{}

func (fakeEvents) OnSchemaChange(func(registry.SchemaChange)) {}
func (fakeEvents) DefaultKey(string) (registry.Key, error) {
	return registry.Key{}, registry.ErrNotRegistered
}

// TestForSchemaChange: through the client's field index, a table's change requeues the
// TableModels of that table only, a keyspace's change every TableModel of the keyspace, and a
// type's change none.
func TestForSchemaChange(t *testing.T) {
	tm := func(ns, name, table string) *cqlv1.TableModel {
		return &cqlv1.TableModel{ObjectMeta: enginetest.ObjMeta(ns, name, time.Hour), Spec: cqlv1.TableModelSpec{Name: table,
			Connections: enginetest.ConnNames("cluster1"), Keyspaces: enginetest.KeyspaceNames("ks1")}}
	}
	c := fakeClient(t, nil, tm("ns", "a", "automobile"), tm("ns", "a2", "automobile"), tm("ns", "b", "bicycle"),
		tm("other", "a", "automobile"))
	r := tableModelReconciler(c, enginetest.FakeClusters{})
	change := func(ks, table, typ string) registry.SchemaChange {
		return registry.SchemaChange{Key: registry.Key{Namespace: "ns", Name: "cluster1"}, Keyspace: ks, Table: table, Type: typ}
	}
	for _, tc := range []struct {
		c    registry.SchemaChange
		want []string
	}{
		{change("ks1", "automobile", ""), []string{"ns/a", "ns/a2"}},
		{change("ks1", "bicycle", ""), []string{"ns/b"}},
		{change("ks1", "", ""), []string{"ns/a", "ns/a2", "ns/b"}},
		{change("ks1", "", "address"), nil},
		{change("ks2", "automobile", ""), nil},
	} {
		if got := enginetest.RequestNames(r.forSchemaChange(context.Background(), fakeEvents{}, tc.c)); !slices.Equal(got, tc.want) {
			t.Errorf("%+v: requeued %v, want %v", tc.c, got, tc.want)
		}
	}
}
