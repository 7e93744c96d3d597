package integration

import (
	"fmt"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
	"github.com/cqlsync/cqlsync/test/rig/testenv"
)

// TestVectorIndexOptions: an SAI index on a vector column with similarity_function is created
// with it, answers an ANN query, is left alone on a resync, and is rebuilt when its similarity
// function changes. source_model, which Cassandra 5.0 does not have, blocks the target with
// UnsupportedByServer and nothing is sent. A similarity function or model Cassandra does not know
// is refused at admission, naming the option.
func TestVectorIndexOptions(t *testing.T) {
	rig := testenv.Cassandra(t)
	ns := newNamespace(t)
	s1 := cqlSession(t, rig.Cluster1)
	ks := "vec_" + uniqueSuffix()
	tmKeyspace(t, ks, s1)
	readyConnection(t, ns, "c1", rig.Cluster1, ks, true)
	spec := cqlv1.TableModelSpec{Name: "docs",
		Columns:      []cqlv1.Column{{Name: "id", Type: "int"}, {Name: "embedding", Type: "vector<float, 3>"}},
		PartitionKey: []cqlv1.ColumnName{"id"},
		Indexes: []cqlv1.Index{{Name: "docs_ann", Column: "embedding", Using: "sai",
			Options: map[string]string{"similarity_function": "DOT_PRODUCT"}}},
	}
	mustCreate(t, tableModelObj(ns, "docs", spec))
	waitSchema[cqlv1.TableModel](t, ns, "docs", metav1.ConditionTrue, cqlv1.ReasonSynced, tableTimeout, nil)
	idx := liveTable(t, s1, ks, "docs").Index("docs_ann")
	if idx == nil || !strings.EqualFold(idx.Options["similarity_function"], "DOT_PRODUCT") {
		t.Fatalf("the vector index: %+v", idx)
	}
	cql(t, s1, `INSERT INTO "`+ks+`".docs (id, embedding) VALUES (1, [0.1, 0.2, 0.3])`,
		`INSERT INTO "`+ks+`".docs (id, embedding) VALUES (2, [0.9, 0.1, 0.0])`)
	var id int
	if err := s1.Query(`SELECT id FROM "` + ks + `".docs ORDER BY embedding ANN OF [1.0, 0.0, 0.0] LIMIT 1`).Scan(&id); err != nil || id != 2 {
		t.Errorf("ANN query: id %d, %v", id, err)
	}
	assertQuiet(t, ns, "docs", 2, "c1")

	updateObject(t, ns, "docs", func(tm *cqlv1.TableModel) { tm.Spec.Indexes[0].Options["similarity_function"] = "EUCLIDEAN" })
	waitSchema[cqlv1.TableModel](t, ns, "docs", metav1.ConditionTrue, cqlv1.ReasonSynced, tableTimeout, func(tm *cqlv1.TableModel) error {
		if got := liveTable(t, s1, ks, "docs").Index("docs_ann"); got == nil || !strings.EqualFold(got.Options["similarity_function"], "EUCLIDEAN") {
			return fmt.Errorf("docs_ann: %+v", got)
		}
		return nil
	})
	waitObjectEvent(t, ns, "TableModel", "docs", "IndexDropped", `drop index "docs_ann"`)

	modelled := spec
	modelled.Name = "modelled"
	modelled.Indexes = []cqlv1.Index{{Name: "modelled_ann", Column: "embedding", Using: "sai", Options: map[string]string{"source_model": "OTHER"}}}
	mustCreate(t, tableModelObj(ns, "modelled", modelled))
	tm := waitSchema[cqlv1.TableModel](t, ns, "modelled", metav1.ConditionFalse, cqlv1.ReasonUnsupportedByServer, tableTimeout, nil)
	if tg := mustTarget(t, tm, "c1", ks); tg.State != cqlv1.TargetBlocked ||
		!strings.Contains(tg.Message, `the option source_model of index "modelled_ann" needs Cassandra 5.1 or later; the server runs 5.0.`) ||
		!strings.Contains(tg.Message, "nothing was sent") {
		t.Errorf("source_model on 5.0: %+v", tg)
	}
	if liveTable(t, s1, ks, "modelled") != nil {
		t.Error("a Blocked table was created")
	}

	for _, c := range []struct{ key, value string }{{"similarity_function", "MANHATTAN"}, {"source_model", "GPT9"}} {
		bad := spec
		bad.Name = "bad"
		bad.Indexes = []cqlv1.Index{{Name: "bad_ann", Column: "embedding", Using: "sai", Options: map[string]string{c.key: c.value}}}
		err := k8s.Create(ctx, tableModelObj(ns, "bad", bad))
		if err == nil || !strings.Contains(err.Error(), "options."+c.key+" must be") {
			t.Errorf("%s %s at admission: %v", c.key, c.value, err)
		}
	}
}
