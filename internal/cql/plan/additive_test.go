package plan

import (
	"testing"

	"github.com/cqlsync/cqlsync/internal/cql/introspect"
)

// Every statement kind is classified for changePolicy AutoAdditive: only what adds runs on its own.
func TestAdditive(t *testing.T) {
	tests := []struct {
		st   Statement
		want bool
	}{
		{Statement{Kind: CreateKeyspace}, true},
		{Statement{Kind: AlterKeyspace}, false},
		{Statement{Kind: DropKeyspace}, false},
		{Statement{Kind: CreateTable}, true},
		{Statement{Kind: AddColumns}, true},
		{Statement{Kind: AlterOptions}, false},
		{Statement{Kind: DropColumns}, false},
		{Statement{Kind: CreateIndex}, true},
		{Statement{Kind: CreateIndex, Rebuild: true}, false},
		{Statement{Kind: DropIndex}, false},
		{Statement{Kind: DropIndex, Rebuild: true}, false},
		{Statement{Kind: DropTable}, false},
		{Statement{Kind: CreateType}, true},
		{Statement{Kind: AddField}, true},
		{Statement{Kind: DropType}, false},
		{Statement{Kind: "SomethingNew"}, false},
	}
	for _, tt := range tests {
		if got := tt.st.Additive(); got != tt.want {
			t.Errorf("%s (rebuild %t): Additive() = %t, want %t", tt.st.Kind, tt.st.Rebuild, got, tt.want)
		}
	}
}

// The planner marks the two statements of an index rebuild, and only those.
func TestIndexRebuildIsMarked(t *testing.T) {
	d := rich(t)
	live := simulate(d)
	tbl := live.Tables[d.Name]
	for i := range tbl.Indexes {
		if tbl.Indexes[i].Name == "readings_by_tag" {
			tbl.Indexes[i].Options["target"] = "keys(tags)"
		}
	}
	delete(live.IndexTables, "readings_by_attr")
	tbl.Indexes = slicesDelete(tbl.Indexes, "readings_by_attr")
	res := ForTable(d, live)
	var rebuild, fresh int
	for _, s := range res.Plan {
		switch {
		case s.Rebuild && (s.Kind == DropIndex || s.Kind == CreateIndex):
			rebuild++
		case s.Kind == CreateIndex && !s.Rebuild:
			fresh++
		case s.Rebuild:
			t.Errorf("only index statements rebuild: %+v", s)
		}
	}
	if rebuild != 2 || fresh != 1 {
		t.Fatalf("plan %+v: %d rebuild statements (want 2), %d new indexes (want 1)", res.Plan, rebuild, fresh)
	}
}

func slicesDelete(ixs []introspect.Index, name string) []introspect.Index {
	var out []introspect.Index
	for _, ix := range ixs {
		if ix.Name != name {
			out = append(out, ix)
		}
	}
	return out
}
