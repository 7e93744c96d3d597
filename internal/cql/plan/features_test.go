package plan

import (
	"strings"
	"testing"

	"github.com/cqlsync/cqlsync/internal/cql/introspect"
	"github.com/cqlsync/cqlsync/internal/cql/schema"
)

func TestParseVersion(t *testing.T) {
	for s, want := range map[string]Version{"5.0.9": {5, 0, 9}, "4.1.10": {4, 1, 10}, "5.1-SNAPSHOT": {5, 1, 0}, "4.0": {4, 0, 0}} {
		if v, ok := ParseVersion(s); !ok || v != want {
			t.Errorf("ParseVersion(%q) = %v %v", s, v, ok)
		}
	}
	for _, s := range []string{"", "5", "x.y", "five.0"} {
		if _, ok := ParseVersion(s); ok {
			t.Errorf("ParseVersion(%q) accepted", s)
		}
	}
	if !(Version{4, 1, 10}).Less(Version{5, 0, 0}) || (Version{5, 0, 9}).Less(Version{5, 0, 1}) || !(Version{5, 0, 1}).Less(Version{5, 0, 9}) {
		t.Error("Less")
	}
}

func TestUnsupported(t *testing.T) {
	vec, _ := schema.ParseType("list<frozen<vector<float, 2>>>")
	ucs, wp := "UnifiedCompactionStrategy", "99p"
	d := Table{Columns: []Column{{Name: "e", Type: vec}},
		Indexes: []Index{{Name: "i", Column: "e", Using: "StorageAttachedIndex", Options: map[string]string{"source_model": "OTHER"}}},
		Options: TableOptions{Compaction: map[string]string{"class": ucs}, AdditionalWritePolicy: &wp}}
	msgs := func(ds []Difference) string {
		var out []string
		for _, d := range ds {
			if d.Kind != DiffUnsupported {
				t.Errorf("kind %s", d.Kind)
			}
			out = append(out, d.Message)
		}
		return strings.Join(out, "\n")
	}
	if got := msgs(Unsupported(d, nil, Version{3, 11, 17})); !strings.Contains(got, `column "e"`) || !strings.Contains(got, `index "i"`) ||
		!strings.Contains(got, "compaction class UnifiedCompactionStrategy needs Cassandra 5.0") ||
		!strings.Contains(got, "additional_write_policy needs Cassandra 4.0 or later; the server runs 3.11.17") ||
		!strings.Contains(got, "the option source_model of index \"i\" needs Cassandra 5.1") {
		t.Errorf("on 3.11:\n%s", got)
	}
	if got := msgs(Unsupported(d, nil, Version{5, 0, 9})); got != `the option source_model of index "i" needs Cassandra 5.1 or later; the server runs 5.0.9` {
		t.Errorf("on 5.0.9:\n%s", got)
	}
	if got := Unsupported(d, nil, Version{}); got != nil {
		t.Errorf("an unknown release: %v", got)
	}

	// A mask needs 5.0; changing additional_write_policy of an existing table too (4.x's ALTER
	// TABLE ignores it), while creating a table with it does not.
	mask, err := schema.NewMask("mask_inner", []string{"1", "NULL"})
	if err != nil {
		t.Fatal(err)
	}
	text, _ := schema.ParseType("text")
	other := "90p"
	m := Table{Columns: []Column{{Name: "email", Type: text, Mask: mask}}, Options: TableOptions{AdditionalWritePolicy: &other}}
	live := &introspect.Table{Options: introspect.TableOptions{AdditionalWritePolicy: "99p"}}
	if got := msgs(Unsupported(m, nil, Version{4, 1, 10})); got != `the mask of column "email" (MASKED WITH system.mask_inner(1, null)) needs Cassandra 5.0 or later; the server runs 4.1.10` {
		t.Errorf("a mask on 4.1:\n%s", got)
	}
	if got := msgs(Unsupported(m, live, Version{4, 0, 19})); !strings.Contains(got, "changing the option additional_write_policy of an existing table (from 99p to 90p") ||
		!strings.Contains(got, "needs Cassandra 5.0 or later; the server runs 4.0.19") {
		t.Errorf("additional_write_policy changed on 4.0:\n%s", got)
	}
	live.Options.AdditionalWritePolicy = "90p"
	m.Columns[0].Mask = nil
	if got := Unsupported(m, live, Version{4, 0, 19}); got != nil {
		t.Errorf("additional_write_policy unchanged on 4.0: %v", got)
	}
	m.Columns[0].Mask = mask
	if got := Unsupported(m, live, Version{5, 0, 9}); got != nil {
		t.Errorf("on 5.0: %v", got)
	}
}
