package controllers

import (
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
)

func tmWith(mutate func(s *cqlv1.TableModelSpec)) *cqlv1.TableModel {
	tm := &cqlv1.TableModel{ObjectMeta: metav1.ObjectMeta{Name: "my-table"}, Spec: cqlv1.TableModelSpec{
		Columns: []cqlv1.Column{{Name: "id", Type: "uuid"}, {Name: "at", Type: "timestamp"}, {Name: "v", Type: "VARCHAR"},
			{Name: "m", Type: "map<text, int>"}, {Name: "f", Type: "frozen<list<int>>"}},
		PartitionKey:  []cqlv1.ColumnName{"id"},
		ClusteringKey: []cqlv1.ClusteringColumn{{Name: "at", Order: "DESC"}},
	}}
	if mutate != nil {
		mutate(&tm.Spec)
	}
	return tm
}

func TestDesiredTable(t *testing.T) {
	d, p := desiredTable(tmWith(func(s *cqlv1.TableModelSpec) {
		s.Indexes = []cqlv1.Index{{Name: "by_m", Column: "m", Target: "keys"}, {Name: "by_f", Column: "f", Target: "full", Using: "sai"}}
		ttl, fp := int32(60), "0.05"
		s.Options = &cqlv1.TableOptions{DefaultTimeToLive: &ttl, BloomFilterFPChance: &fp}
		s.AllowDropColumns = true
	}))
	if p != nil {
		t.Fatal(p.message)
	}
	if d.Name != "my_table" || d.Columns[2].Type.String() != "text" || !d.ClusteringKey[0].Descending || !d.AllowDropColumns ||
		len(d.Indexes) != 2 || *d.Options.DefaultTimeToLive != 60 || *d.Options.BloomFilterFPChance != 0.05 {
		t.Fatalf("%+v", d)
	}

	bad := []struct {
		name       string
		mutate     func(s *cqlv1.TableModelSpec)
		wantReason string
		want       string
	}{
		{"unknown syntax", func(s *cqlv1.TableModelSpec) { s.Columns[2].Type = "list<>" }, cqlv1.ReasonInvalidType, "spec.columns[2] (v)"},
		{"trailing text", func(s *cqlv1.TableModelSpec) { s.Columns[2].Type = "int; DROP KEYSPACE ks1" }, cqlv1.ReasonInvalidType, "spec.columns[2] (v)"},
		{"collection in the key", func(s *cqlv1.TableModelSpec) { s.Columns[0].Type = "set<int>" }, cqlv1.ReasonInvalidType, "spec.columns[0] (id): set<int> cannot be in the primary key"},
		{"duration in the key", func(s *cqlv1.TableModelSpec) { s.Columns[1].Type = "duration" }, cqlv1.ReasonInvalidType, "spec.columns[1] (at): duration"},
		{"counter mixed (case the CRD cannot see)", func(s *cqlv1.TableModelSpec) { s.Columns[2].Type = " Counter " }, cqlv1.ReasonInvalidType, "counter columns cannot be mixed"},
		{"keys on a list", func(s *cqlv1.TableModelSpec) { s.Indexes = []cqlv1.Index{{Name: "i", Column: "f", Target: "keys"}} }, cqlv1.ReasonInvalidSpec, "spec.indexes[0] (i): target keys"},
		{"full on a non-frozen map", func(s *cqlv1.TableModelSpec) { s.Indexes = []cqlv1.Index{{Name: "i", Column: "m", Target: "full"}} }, cqlv1.ReasonInvalidSpec, "target full"},
		{"values on text", func(s *cqlv1.TableModelSpec) { s.Indexes = []cqlv1.Index{{Name: "i", Column: "v", Target: "values"}} }, cqlv1.ReasonInvalidSpec, "target values"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			_, p := desiredTable(tmWith(tt.mutate))
			if p == nil || p.reason != tt.wantReason || !strings.Contains(p.message, tt.want) {
				t.Fatalf("problem = %+v; want %s saying %q", p, tt.wantReason, tt.want)
			}
		})
	}
}

func TestCheckUDTs(t *testing.T) {
	d, p := desiredTable(tmWith(func(s *cqlv1.TableModelSpec) {
		s.Columns = append(s.Columns, cqlv1.Column{Name: "addr", Type: "frozen<address>"}, cqlv1.Column{Name: "n", Type: "strnig"})
	}))
	if p != nil {
		t.Fatal(p.message)
	}
	has := func(name string) bool { return name == "address" }
	p = checkUDTs(d, "ks1", has)
	if p == nil || p.reason != cqlv1.ReasonInvalidType || !strings.Contains(p.message, `spec.columns[6] (n): unknown type "strnig"`) || !strings.Contains(p.message, `keyspace "ks1"`) {
		t.Fatalf("%+v", p)
	}
	d, _ = desiredTable(tmWith(func(s *cqlv1.TableModelSpec) {
		s.Columns = append(s.Columns, cqlv1.Column{Name: "addr", Type: "frozen<other.address>"})
	}))
	if p := checkUDTs(d, "ks1", has); p == nil || !strings.Contains(p.message, `keyspace "other"`) {
		t.Fatalf("%+v", p)
	}
	d, _ = desiredTable(tmWith(func(s *cqlv1.TableModelSpec) {
		s.Columns = append(s.Columns, cqlv1.Column{Name: "addr", Type: "list<frozen<ks1.address>>"})
	}))
	if p := checkUDTs(d, "ks1", has); p != nil {
		t.Fatalf("%+v", p)
	}
}
