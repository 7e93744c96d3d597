package integration

import (
	"strings"
	"testing"

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

	// A good model is accepted; its key fields are immutable.
	tm := &cqlv1.TableModel{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "automobile"}, Spec: automobile()}
	mustCreate(t, tm)
	tm.Spec.PartitionKey = []cqlv1.ColumnName{"model"}
	if err := k8s.Update(ctx, tm); err == nil || !strings.Contains(err.Error(), "spec.partitionKey is immutable") {
		t.Fatalf("changing the partition key: %v", err)
	}
	_ = k8s.Get(ctx, clientKey(tm), tm)
	tm.Spec.ClusteringKey[1].Order = "DESC"
	if err := k8s.Update(ctx, tm); err == nil || !strings.Contains(err.Error(), "spec.clusteringKey is immutable") {
		t.Fatalf("changing the clustering order: %v", err)
	}
	_ = k8s.Get(ctx, clientKey(tm), tm)
	tm.Spec.Columns = append(tm.Spec.Columns, cqlv1.Column{Name: "color", Type: "text"})
	if err := k8s.Update(ctx, tm); err != nil {
		t.Fatalf("adding a column must be allowed: %v", err)
	}
}
