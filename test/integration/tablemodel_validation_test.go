package integration

import (
	"fmt"
	"strings"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func automobile() cqlv1.TableModelSpec {
	return cqlv1.TableModelSpec{
		Columns: []cqlv1.Column{
			{Name: "manufacturer", Type: "text"}, {Name: "year", Type: "int"}, {Name: "model", Type: "text"},
			{Name: "price", Type: "decimal"},
		},
		PartitionKey:  []cqlv1.ColumnName{"manufacturer"},
		ClusteringKey: []cqlv1.ClusteringColumn{{Name: "year"}, {Name: "model"}},
	}
}

// TestTableModelValidation: the API server rejects each bad TableModel with the field named.
func TestTableModelValidation(t *testing.T) {
	ns := newNamespace(t)
	cases := []struct {
		name   string
		mutate func(s *cqlv1.TableModelSpec)
		want   string
	}{
		{"no partition key", func(s *cqlv1.TableModelSpec) { s.PartitionKey = nil }, "spec.partitionKey"},
		{"partition key not a column", func(s *cqlv1.TableModelSpec) { s.PartitionKey = []cqlv1.ColumnName{"nope"} }, "spec.partitionKey: every partition key column"},
		{"clustering key not a column", func(s *cqlv1.TableModelSpec) { s.ClusteringKey = []cqlv1.ClusteringColumn{{Name: "nope"}} }, "spec.clusteringKey: every clustering column"},
		{"duplicate column", func(s *cqlv1.TableModelSpec) { s.Columns = append(s.Columns, cqlv1.Column{Name: "year", Type: "int"}) }, "spec.columns[4]: Duplicate value"},
		{"bad column name", func(s *cqlv1.TableModelSpec) { s.Columns[3].Name = "price-eur" }, "spec.columns[3].name"},
		{"static key column", func(s *cqlv1.TableModelSpec) { s.Columns[0].Static = true }, "a key column cannot be static"},
		{"static without clustering", func(s *cqlv1.TableModelSpec) {
			s.ClusteringKey = nil
			s.Columns[3].Static = true
		}, "static columns need a clustering key"},
		{"counter mixed", func(s *cqlv1.TableModelSpec) {
			s.Columns = append(s.Columns, cqlv1.Column{Name: "hits", Type: "counter"})
		}, "counter columns cannot be mixed"},
		{"bad clustering order", func(s *cqlv1.TableModelSpec) { s.ClusteringKey[0].Order = "UP" }, "spec.clusteringKey[0].order"},
		{"key in both", func(s *cqlv1.TableModelSpec) { s.ClusteringKey = []cqlv1.ClusteringColumn{{Name: "manufacturer"}} }, "both the partition key and the clustering key"},
		{"index on unknown column", func(s *cqlv1.TableModelSpec) { s.Indexes = []cqlv1.Index{{Name: "i", Column: "nope"}} }, "spec.indexes: every index column"},
		{"bad index target", func(s *cqlv1.TableModelSpec) { s.Indexes = []cqlv1.Index{{Name: "i", Column: "year", Target: "all"}} }, "spec.indexes[0].target"},
		{"bad table name", func(s *cqlv1.TableModelSpec) { s.Name = "my-table" }, "spec.name"},
		{"bad keyspace", func(s *cqlv1.TableModelSpec) { s.Keyspaces = []cqlv1.KeyspaceName{"ks-1"} }, "spec.keyspaces[0]"},
		{"compaction without class", func(s *cqlv1.TableModelSpec) {
			s.Options = &cqlv1.TableOptions{Compaction: map[string]string{"min_threshold": "4"}}
		}, "spec.options.compaction must include 'class'"},
		{"negative ttl", func(s *cqlv1.TableModelSpec) { v := int32(-1); s.Options = &cqlv1.TableOptions{DefaultTimeToLive: &v} }, "spec.options.defaultTimeToLive"},
		{"bad deletion policy", func(s *cqlv1.TableModelSpec) { s.DeletionPolicy = "Drop" }, "spec.deletionPolicy"},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			spec := automobile()
			tc.mutate(&spec)
			tm := &cqlv1.TableModel{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "bad-" + strings.ReplaceAll(tc.name, " ", "-")}, Spec: spec}
			err := k8s.Create(ctx, tm)
			if err == nil {
				t.Fatalf("case %d accepted: %+v", i, spec)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("rejection must say %q, got: %v", tc.want, err)
			}
		})
	}

	// A good model is accepted; its key fields are immutable. The controller patches the object
	// (finalizer, spec.name) meanwhile, so each update is retried on a conflict.
	tm := &cqlv1.TableModel{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "automobile"}, Spec: automobile()}
	mustCreate(t, tm)
	update := func(change func(*cqlv1.TableModel)) error {
		for {
			cur := &cqlv1.TableModel{}
			if err := k8s.Get(ctx, clientKey(tm), cur); err != nil {
				return err
			}
			change(cur)
			err := k8s.Update(ctx, cur)
			if !apierrors.IsConflict(err) {
				return err
			}
		}
	}
	if err := update(func(tm *cqlv1.TableModel) { tm.Spec.PartitionKey = []cqlv1.ColumnName{"model"} }); err == nil || !strings.Contains(err.Error(), "spec.partitionKey is immutable") {
		t.Fatalf("changing the partition key: %v", err)
	}
	if err := update(func(tm *cqlv1.TableModel) { tm.Spec.ClusteringKey[1].Order = "DESC" }); err == nil || !strings.Contains(err.Error(), "spec.clusteringKey is immutable") {
		t.Fatalf("changing the clustering order: %v", err)
	}
	if err := update(func(tm *cqlv1.TableModel) {
		tm.Spec.Columns = append(tm.Spec.Columns, cqlv1.Column{Name: "color", Type: "text"})
	}); err != nil {
		t.Fatalf("adding a column must be allowed: %v", err)
	}
	// spec.name is set from metadata.name by the controller, and then immutable.
	eventually(t, tableTimeout, func() error {
		cur, err := getObject[cqlv1.TableModel](ns, "automobile")
		if err != nil || cur.Spec.Name != "automobile" {
			return fmt.Errorf("spec.name %q %v", cur.Spec.Name, err)
		}
		return nil
	})
	if err := update(func(tm *cqlv1.TableModel) { tm.Spec.Name = "car" }); err == nil || !strings.Contains(err.Error(), "spec.name is immutable") {
		t.Fatalf("changing spec.name: %v", err)
	}

	// Rules added with the controller: index options need a custom class, compression needs a
	// class unless it is disabled, metadata.name must be usable as a table name without spec.name.
	for _, bad := range []struct {
		name   string
		mutate func(s *cqlv1.TableModelSpec)
		want   string
	}{
		{"legacy-index-options", func(s *cqlv1.TableModelSpec) {
			s.Indexes = []cqlv1.Index{{Name: "i", Column: "year", Options: map[string]string{"a": "b"}}}
		}, "spec.indexes: options are only allowed on a custom index"},
		{"compression-without-class", func(s *cqlv1.TableModelSpec) {
			s.Options = &cqlv1.TableOptions{Compression: map[string]string{"chunk_length_in_kb": "16"}}
		}, "spec.options.compression must include 'class'"},
		{strings.Repeat("x", 49), func(s *cqlv1.TableModelSpec) {}, "metadata.name cannot be used as the table name"},
	} {
		spec := automobile()
		bad.mutate(&spec)
		err := k8s.Create(ctx, &cqlv1.TableModel{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: bad.name}, Spec: spec})
		if err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("%s: want a rejection saying %q, got %v", bad.name, bad.want, err)
		}
	}
	spec := automobile()
	spec.Options = &cqlv1.TableOptions{Compression: map[string]string{"enabled": "false"}}
	spec.Indexes = []cqlv1.Index{{Name: "i", Column: "year", Using: "sai", Options: map[string]string{"a": "b"}}}
	mustCreate(t, &cqlv1.TableModel{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "uncompressed"}, Spec: spec})
}
