package plan

import (
	"strings"
	"testing"

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
	if got := msgs(Unsupported(d, Version{3, 11, 17})); !strings.Contains(got, `column "e"`) || !strings.Contains(got, `index "i"`) ||
		!strings.Contains(got, "compaction class UnifiedCompactionStrategy needs Cassandra 5.0") ||
		!strings.Contains(got, "additional_write_policy needs Cassandra 4.0 or later; the server runs 3.11.17") ||
		!strings.Contains(got, "the option source_model of index \"i\" needs Cassandra 5.1") {
		t.Errorf("on 3.11:\n%s", got)
	}
	if got := msgs(Unsupported(d, Version{5, 0, 9})); got != `the option source_model of index "i" needs Cassandra 5.1 or later; the server runs 5.0.9` {
		t.Errorf("on 5.0.9:\n%s", got)
	}
	if got := Unsupported(d, Version{}); got != nil {
		t.Errorf("an unknown release: %v", got)
	}
}
