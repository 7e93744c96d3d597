package controllers

import (
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
	"github.com/cqlsync/cqlsync/internal/cql/registry"
)

func TestSchemaChangeConcerns(t *testing.T) {
	named := &cqlv1.TableModel{ObjectMeta: metav1.ObjectMeta{Name: "automobile"}, Spec: cqlv1.TableModelSpec{
		Connections: []cqlv1.ConnectionName{"cluster1"}, Keyspaces: []cqlv1.KeyspaceName{"ks1", "ks2"},
	}}
	byDefault := &cqlv1.TableModel{ObjectMeta: metav1.ObjectMeta{Name: "events"}, Spec: cqlv1.TableModelSpec{Name: "Events"}}
	change := func(conn, ks, table string) registry.SchemaChange {
		return registry.SchemaChange{Key: registry.Key{Namespace: "ns", Name: conn}, Keyspace: ks, Table: table}
	}
	cases := []struct {
		name      string
		tm        *cqlv1.TableModel
		c         registry.SchemaChange
		isDefault bool
		want      bool
	}{
		{"its table", named, change("cluster1", "ks2", "automobile"), false, true},
		{"keyspace-level change", named, change("cluster1", "ks1", ""), false, true},
		{"another table", named, change("cluster1", "ks1", "other"), false, false},
		{"another keyspace", named, change("cluster1", "ks3", "automobile"), false, false},
		{"another connection", named, change("cluster2", "ks1", "automobile"), false, false},
		{"default connection, any keyspace", byDefault, change("cluster1", "whatever", "Events"), true, true},
		{"case-sensitive table name", byDefault, change("cluster1", "whatever", "events"), true, false},
		{"not the default connection", byDefault, change("cluster1", "ks1", "Events"), false, false},
	}
	for _, tc := range cases {
		if got := schemaChangeConcerns(tc.tm, tc.c, tc.isDefault); got != tc.want {
			t.Errorf("%s: got %t, want %t", tc.name, got, tc.want)
		}
	}
}
