package backfill

import (
	"reflect"
	"strings"
	"testing"
	"time"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
	"github.com/cqlsync/cqlsync/internal/cql/introspect"
)

// fixture plans a copy of ks.src into ks.dst with a new primary key and every shape of column:
//
//	src: id int (key), customer text, qty int, tags set<text>, attrs map<text, int>, home addr,
//	     hist list<int>, fset frozen<set<text>>, faddr frozen<addr>
//	dst: customer_id text (partition key, from customer), id int (clustering), qty bigint,
//	     tags set<text>, attrs map<text, int>, home addr, hist frozen<list<int>>,
//	     ftags frozen<set<text>> (from tags), fhome frozen<addr> (from home),
//	     eset set<text> (from fset), uaddr addr (from faddr)
func fixture(t *testing.T) *Mapping {
	t.Helper()
	src := table("ks", "src", pk("id", "int", 0), reg("customer", "text"), reg("qty", "int"), reg("tags", "set<text>"),
		reg("attrs", "map<text, int>"), reg("home", "addr"), reg("hist", "list<int>"), reg("fset", "frozen<set<text>>"),
		reg("faddr", "frozen<addr>"))
	dst := table("ks", "dst", pk("customer_id", "text", 0), ck("id", "int", 0), reg("qty", "bigint"), reg("tags", "set<text>"),
		reg("attrs", "map<text, int>"), reg("home", "addr"), reg("hist", "frozen<list<int>>"), reg("ftags", "frozen<set<text>>"),
		reg("fhome", "frozen<addr>"), reg("eset", "set<text>"), reg("uaddr", "addr"))
	m, r := Plan(src, dst, addrTypes("ks"), addrTypes("ks"), []cqlv1.BackfillColumn{
		{Target: "customer_id", Source: "customer"}, {Target: "ftags", Source: "tags"}, {Target: "fhome", Source: "home"},
		{Target: "eset", Source: "fset"}, {Target: "uaddr", Source: "faddr"},
	})
	if r != nil {
		t.Fatalf("Plan: %v", r)
	}
	return m
}

// scan is a source row as the select returns it: every slot null until set.
type scan struct {
	t *testing.T
	m *Mapping
	v []raw
}

func newScan(t *testing.T, m *Mapping) *scan {
	v := make([]raw, m.slots)
	for i := range v {
		v[i] = raw{null: true}
	}
	return &scan{t: t, m: m, v: v}
}

func (s *scan) col(target string) *column {
	s.t.Helper()
	for _, c := range append(append([]*column(nil), s.m.keys...), s.m.cells...) {
		if c.target.Name == target {
			return c
		}
	}
	s.t.Fatalf("no target column %q", target)
	return nil
}

func (s *scan) key(target string, v []byte) *scan {
	s.v[s.col(target).value] = raw{b: v}
	return s
}

func bigintOrNull(v int64) raw {
	if v == 0 {
		return raw{null: true}
	}
	return raw{b: be64(v)}
}

func intOrNull(v int32) raw {
	if v == 0 {
		return raw{null: true}
	}
	return raw{b: be32(v)}
}

// whole sets a single-cell column: its value, WRITETIME and TTL (0: null, none).
func (s *scan) whole(target string, v []byte, wt int64, ttl int32) *scan {
	c := s.col(target)
	s.v[c.value], s.v[c.writetime], s.v[c.ttl] = raw{b: v}, bigintOrNull(wt), intOrNull(ttl)
	return s
}

// multi sets a non-frozen collection: its value, and the list of its elements' writetimes and
// TTLs (a TTL of 0 is a null element: none).
func (s *scan) multi(target string, v []byte, wts []int64, ttls []int32) *scan {
	c := s.col(target)
	var w, l [][]byte
	for i := range wts {
		w = append(w, be64(wts[i]))
		if ttls[i] == 0 {
			l = append(l, nil)
		} else {
			l = append(l, be32(ttls[i]))
		}
	}
	s.v[c.value], s.v[c.writetime], s.v[c.ttl] = raw{b: v}, raw{b: listOf(w...)}, raw{b: listOf(l...)}
	return s
}

// fields sets a non-frozen user-defined type: its value, and each field's writetime and TTL (0:
// null).
func (s *scan) fields(target string, v []byte, wts []int64, ttls []int32) *scan {
	c := s.col(target)
	s.v[c.value] = raw{b: v}
	for k := range wts {
		s.v[c.fieldWritetime[k]], s.v[c.fieldTT[k]] = bigintOrNull(wts[k]), intOrNull(ttls[k])
	}
	return s
}

func (s *scan) row() row {
	s.t.Helper()
	r, err := s.m.rowOf(s.v)
	if err != nil {
		s.t.Fatalf("rowOf: %v", err)
	}
	if r.skip != "" {
		s.t.Fatalf("rowOf skipped the row: %s", r.skip)
	}
	return r
}

func str(s string) []byte { return []byte(s) }

// keyed is a row of the fixture with the key customer_id 'c1', id 7.
func keyed(t *testing.T, m *Mapping) *scan {
	return newScan(t, m).key("customer_id", str("c1")).key("id", be32(7))
}

var fixtureKeys = []any{raw{b: str("c1")}, raw{b: be32(7)}}

func args(vs ...any) []any { return vs }

func checkStatements(t *testing.T, got, want []statement) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%d statements, want %d:\n got  %v\n want %v", len(got), len(want), got, want)
		return
	}
	for i := range got {
		if got[i].cql != want[i].cql {
			t.Errorf("statement %d:\n got  %s\n want %s", i, got[i].cql, want[i].cql)
		}
		if !reflect.DeepEqual(got[i].args, want[i].args) {
			t.Errorf("statement %d (%s) args:\n got  %#v\n want %#v", i, got[i].cql, got[i].args, want[i].args)
		}
	}
}

const insertKey = `INSERT INTO "ks"."dst" ("customer_id", "id") VALUES (?, ?) USING TIMESTAMP ? AND TTL ?`

func update(set string) string {
	return `UPDATE "ks"."dst" USING TIMESTAMP ? AND TTL ? SET ` + set + ` WHERE "customer_id" = ? AND "id" = ?`
}

func TestStatementsKeyOnly(t *testing.T) {
	m := fixture(t)
	r := keyed(t, m).row()
	if len(r.cells) != 0 || len(r.keys) != 2 {
		t.Fatalf("row %+v, want 2 keys and no cell", r)
	}
	checkStatements(t, m.statements(r, 77), []statement{
		{insertKey, args(raw{b: str("c1")}, raw{b: be32(7)}, int64(77), int32(0))},
	})
	if len(r.sourceKey) != 1 || !reflect.DeepEqual(r.sourceKey[0], raw{b: be32(7)}) {
		t.Errorf("sourceKey %+v, want the source's id", r.sourceKey)
	}
}

func TestStatementsUniformRow(t *testing.T) {
	m := fixture(t)
	hist := listOf(be32(1), be32(2))
	ftags := listOf(str("a"))
	r := keyed(t, m).
		whole("qty", be32(5), 100, 60).
		multi("hist", hist, []int64{90, 100}, []int32{60, 30}). // frozen in the target: its newest part, its longest TTL
		multi("ftags", ftags, []int64{100}, []int32{60}).
		row()
	checkStatements(t, m.statements(r, 77), []statement{{
		`INSERT INTO "ks"."dst" ("customer_id", "id", "qty", "hist", "ftags") VALUES (?, ?, ?, ?, ?) USING TIMESTAMP ? AND TTL ?`,
		args(raw{b: str("c1")}, raw{b: be32(7)}, raw{b: be64(5)}, raw{b: hist}, raw{b: ftags}, int64(100), int32(60)),
	}})

	// No TTL at all: TTL 0.
	r = keyed(t, m).whole("qty", be32(-1), 100, 0).row()
	checkStatements(t, m.statements(r, 77), []statement{{
		`INSERT INTO "ks"."dst" ("customer_id", "id", "qty") VALUES (?, ?, ?) USING TIMESTAMP ? AND TTL ?`,
		args(raw{b: str("c1")}, raw{b: be32(7)}, raw{b: be64(-1)}, int64(100), int32(0)),
	}})
}

func TestStatementsMixedWritetimes(t *testing.T) {
	m := fixture(t)
	tags := listOf(str("a"), str("b"))
	attrs := cat(be32(2), lp(str("x")), lp(be32(1)), lp(str("y")), lp(be32(2)))
	home := cat(lp(str("s")), lp(be32(2)))
	r := keyed(t, m).
		whole("qty", be32(5), 100, 0).
		multi("tags", tags, []int64{200, 300}, []int32{5000, 0}).
		multi("attrs", attrs, []int64{200, 200}, []int32{5000, 5000}).
		fields("home", home, []int64{300, 400}, []int32{0, 0}).
		row()
	checkStatements(t, m.statements(r, 77), []statement{
		// The row marker at the oldest writetime; a cell has no TTL, so neither has the marker.
		{insertKey, args(raw{b: str("c1")}, raw{b: be32(7)}, int64(100), int32(0))},
		{update(`"qty" = ?`), append(args(int64(100), int32(0), raw{b: be64(5)}), fixtureKeys...)},
		// The elements of one writetime and TTL, gathered per column.
		{update(`"tags" = "tags" + ?, "attrs" = "attrs" + ?`), append(args(int64(200), int32(5000),
			raw{b: listOf(str("a"))}, raw{b: cat(be32(2), lp(str("x")), lp(be32(1)), lp(str("y")), lp(be32(2)))}), fixtureKeys...)},
		{update(`"tags" = "tags" + ?, "home"."street" = ?`), append(args(int64(300), int32(0), raw{b: listOf(str("b"))}, raw{b: str("s")}), fixtureKeys...)},
		{update(`"home"."zip" = ?`), append(args(int64(400), int32(0), raw{b: be32(2)}), fixtureKeys...)},
	})
}

func TestStatementsMarkerTTL(t *testing.T) {
	m := fixture(t)
	// Every cell expires: the marker expires with the last of them (the longest TTL), written at
	// the oldest writetime.
	r := keyed(t, m).whole("qty", be32(5), 100, 10).multi("tags", listOf(str("a")), []int64{50}, []int32{30}).row()
	st := m.statements(r, 77)
	if len(st) != 3 {
		t.Fatalf("%d statements, want 3: %v", len(st), st)
	}
	checkStatements(t, st[:1], []statement{{insertKey, args(raw{b: str("c1")}, raw{b: be32(7)}, int64(50), int32(30))}})

	// Whole values of one writetime and different TTLs: an UPDATE per TTL.
	r = keyed(t, m).whole("qty", be32(5), 100, 10).multi("hist", listOf(be32(1)), []int64{100}, []int32{20}).row()
	checkStatements(t, m.statements(r, 77), []statement{
		{insertKey, args(raw{b: str("c1")}, raw{b: be32(7)}, int64(100), int32(20))},
		{update(`"qty" = ?`), append(args(int64(100), int32(10), raw{b: be64(5)}), fixtureKeys...)},
		{update(`"hist" = ?`), append(args(int64(100), int32(20), raw{b: listOf(be32(1))}), fixtureKeys...)},
	})
}

func TestStatementsFrozenSourceIntoNonFrozenTarget(t *testing.T) {
	m := fixture(t)
	// A frozen set written element by element, a frozen type field by field (its null field
	// left out), all at the frozen value's writetime and TTL.
	r := keyed(t, m).
		whole("eset", listOf(str("a"), str("b")), 500, 0).
		whole("uaddr", cat(lp(str("s")), lp(nil)), 500, 0).
		row()
	checkStatements(t, m.statements(r, 77), []statement{
		{insertKey, args(raw{b: str("c1")}, raw{b: be32(7)}, int64(500), int32(0))},
		{update(`"eset" = "eset" + ?, "uaddr"."street" = ?`), append(args(int64(500), int32(0), raw{b: listOf(str("a"), str("b"))}, raw{b: str("s")}), fixtureKeys...)},
	})
}

func TestRowOfNonFrozenTypeIntoFrozen(t *testing.T) {
	m := fixture(t)
	// fhome is frozen: one cell, as new as its newest field; the null zip field has no cell, so
	// its missing TTL does not make the value live forever.
	home := cat(lp(str("s")), lp(nil))
	r := keyed(t, m).fields("fhome", home, []int64{300, 0}, []int32{100, 0}).row()
	if len(r.cells) != 1 || r.cells[0].op != opSet || r.cells[0].wt != 300 || r.cells[0].ttl != 100 || !reflect.DeepEqual(r.cells[0].parts, [][]byte{home}) {
		t.Errorf("fhome cells %+v, want one whole value at 300 with TTL 100", r.cells)
	}
	// A value written before the type had its zip field ends after street.
	short := lp(str("s"))
	r = keyed(t, m).fields("fhome", short, []int64{300, 0}, []int32{100, 0}).row()
	if len(r.cells) != 1 || r.cells[0].wt != 300 || r.cells[0].ttl != 100 {
		t.Errorf("fhome cells %+v, want one at 300 with TTL 100", r.cells)
	}
	// Both fields live, one without a TTL: none.
	r = keyed(t, m).fields("fhome", cat(lp(str("s")), lp(be32(1))), []int64{300, 200}, []int32{100, 0}).row()
	if len(r.cells) != 1 || r.cells[0].wt != 300 || r.cells[0].ttl != 0 {
		t.Errorf("fhome cells %+v, want one at 300 with no TTL", r.cells)
	}
}

func TestRowOfSkipsANullKey(t *testing.T) {
	m := fixture(t)
	r, err := m.rowOf(newScan(t, m).key("id", be32(7)).whole("qty", be32(5), 100, 0).v)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(r.skip, `"customer_id"`) || !strings.Contains(r.skip, `"customer"`) || !strings.Contains(r.skip, "null") {
		t.Errorf("skip = %q, want it to name the null key column and its source", r.skip)
	}
	if len(r.sourceKey) != 1 || !reflect.DeepEqual(r.sourceKey[0], raw{b: be32(7)}) {
		t.Errorf("the skipped row's sourceKey %+v, want its id (for the samples)", r.sourceKey)
	}
	if got := sampleKey(m, r); got != `"id"=7` {
		t.Errorf("sampleKey = %q", got)
	}
}

func TestRowOfErrors(t *testing.T) {
	m := fixture(t)
	for name, s := range map[string]*scan{
		"a converted value of the wrong width": keyed(t, m).whole("qty", []byte{1, 2, 3}, 100, 0),
		"a writetime of the wrong width":       keyed(t, m).whole("qty", be32(1), 100, 0),
		"a truncated set":                      keyed(t, m).multi("tags", []byte{0, 0, 0, 2}, []int64{1, 2}, []int32{0, 0}),
		"a truncated type":                     keyed(t, m).fields("home", []byte{0, 0, 0, 9, 1}, []int64{1, 2}, []int32{0, 0}),
	} {
		if name == "a writetime of the wrong width" {
			s.v[s.col("qty").writetime] = raw{b: []byte{1}}
		}
		if r, err := m.rowOf(s.v); err == nil {
			t.Errorf("%s: rowOf = %+v, want an error", name, r)
		} else if !strings.Contains(err.Error(), "column ") {
			t.Errorf("%s: error %q does not name the column", name, err)
		}
	}
	// A key that does not convert.
	src := table("ks", "a", pk("id", "int", 0))
	dst := table("ks", "b", pk("id", "bigint", 0))
	km, r := Plan(src, dst, nil, nil, nil)
	if r != nil {
		t.Fatal(r)
	}
	if _, err := km.rowOf([]raw{{b: []byte{1}}}); err == nil {
		t.Errorf("rowOf with a 1-byte int key: want an error")
	}
}

func TestRowOfSourceKeyIntoRegularColumn(t *testing.T) {
	// The new key (b) drops a column of the old one (a), kept as a regular column: it has no
	// writetime or TTL of its own, and takes the row marker's.
	src := table("ks", "s", pk("a", "int", 0), ck("b", "int", 0), reg("v", "text"), reg("w", "text"))
	dst := table("ks", "t", pk("b", "int", 0), reg("a", "int"), reg("v", "text"), reg("w", "text"))
	m, rf := Plan(src, dst, nil, nil, nil)
	if rf != nil {
		t.Fatal(rf)
	}
	base := func() *scan { return newScan(t, m).key("b", be32(2)).key("a", be32(1)) }
	insert := `INSERT INTO "ks"."t" ("b", "a", "v") VALUES (?, ?, ?) USING TIMESTAMP ? AND TTL ?`

	// With one other cell: one INSERT, at its writetime and TTL.
	r := base().whole("v", str("x"), 100, 60).row()
	checkStatements(t, m.statements(r, 77), []statement{
		{insert, args(raw{b: be32(2)}, raw{b: be32(1)}, raw{b: str("x")}, int64(100), int32(60))},
	})
	// Other cells of different writetimes: at the oldest, with no TTL when one has none.
	r = base().whole("v", str("x"), 100, 60).whole("w", str("y"), 200, 0).row()
	if len(r.cells) != 3 || r.cells[0].wt != 100 || r.cells[0].ttl != 0 {
		t.Errorf("cells %+v, want a at 100 with no TTL", r.cells)
	}
	// Every other cell expires: a expires with the last of them.
	r = base().whole("v", str("x"), 100, 60).whole("w", str("y"), 200, 90).row()
	if r.cells[0].wt != 100 || r.cells[0].ttl != 90 {
		t.Errorf("cell a at %d with TTL %d, want 100 and 90", r.cells[0].wt, r.cells[0].ttl)
	}
	// No other cell.
	r = base().row()
	if len(r.cells) != 1 || r.cells[0].wt != 0 || r.cells[0].ttl != 0 || !reflect.DeepEqual(r.cells[0].parts, [][]byte{be32(1)}) {
		t.Errorf("cells %+v, want a alone, at 0 with no TTL", r.cells)
	}
	// The verification compares it as it was written.
	r = base().whole("v", str("x"), 100, 60).row()
	l := m.verifyLayout()
	vals := make([]raw, l.slots)
	vals[0] = raw{b: be32(2)}
	vals[l.value[0]], vals[l.writetime[0]] = raw{b: be32(1)}, raw{b: be64(100)}
	vals[l.value[1]], vals[l.writetime[1]] = raw{b: str("x")}, raw{b: be64(100)}
	vals[l.value[2]], vals[l.writetime[2]] = raw{null: true}, raw{null: true}
	if why, err := m.mismatch(r, vals); err != nil || why != "" {
		t.Errorf("mismatch = %q, %v; want none", why, err)
	}
}

func TestNewest(t *testing.T) {
	for _, c := range []struct {
		wts  []int64
		ttls []int32
		wt   int64
		ttl  int32
	}{
		{[]int64{100, 300, 200}, []int32{10, 50, 20}, 300, 50},
		{[]int64{100, 300, 200}, []int32{10, 0, 20}, 300, 0},
		{[]int64{300, 100}, []int32{5, 60}, 300, 60}, // the longest TTL, not the newest part's
		{[]int64{100, 200}, []int32{10}, 200, 0},     // a part without a TTL
		{[]int64{100}, nil, 100, 0},
		{nil, nil, 0, 0},
	} {
		wt, ttl := newest(c.wts, c.ttls)
		if wt != c.wt || ttl != c.ttl {
			t.Errorf("newest(%v, %v) = %d, %d; want %d, %d", c.wts, c.ttls, wt, ttl, c.wt, c.ttl)
		}
	}
}

func TestStatementsCached(t *testing.T) {
	m := fixture(t)
	r1 := keyed(t, m).whole("qty", be32(5), 100, 0).multi("tags", listOf(str("a")), []int64{200}, []int32{0}).row()
	r2 := keyed(t, m).whole("qty", be32(6), 300, 0).multi("tags", listOf(str("b")), []int64{400}, []int32{0}).row()
	s1, s2 := m.statements(r1, 1), m.statements(r2, 1)
	if len(s1) != 3 || len(s2) != 3 {
		t.Fatalf("statements %v and %v", s1, s2)
	}
	for i := range s1 {
		if s1[i].cql != s2[i].cql {
			t.Errorf("statement %d differs between rows of one shape: %s, %s", i, s1[i].cql, s2[i].cql)
		}
	}
	if len(m.stmts.m) != 3 {
		t.Errorf("%d statements cached, want 3 (the marker, the qty update, the tags update)", len(m.stmts.m))
	}
	// The arguments are the second row's, not the first's.
	if !reflect.DeepEqual(s2[1].args[2], raw{b: be64(6)}) {
		t.Errorf("the second row's qty argument = %#v", s2[1].args[2])
	}
}

// target is the verification's read of the fixture's target row, set by column.
type target struct {
	t *testing.T
	m *Mapping
	l *verifyLayout
	v []raw
}

func newTarget(t *testing.T, m *Mapping) *target {
	l := m.verifyLayout()
	v := make([]raw, l.slots)
	for i := range v {
		v[i] = raw{null: true}
	}
	v[0] = raw{b: str("c1")}
	return &target{t: t, m: m, l: l, v: v}
}

func (tg *target) idx(name string) int {
	tg.t.Helper()
	for i, c := range tg.m.cells {
		if c.target.Name == name {
			return i
		}
	}
	tg.t.Fatalf("no cell column %q", name)
	return -1
}

func (tg *target) whole(name string, v []byte, wt int64) *target {
	i := tg.idx(name)
	tg.v[tg.l.value[i]], tg.v[tg.l.writetime[i]] = raw{b: v, null: v == nil}, bigintOrNull(wt)
	return tg
}

func (tg *target) multi(name string, v []byte, wts ...int64) *target {
	i := tg.idx(name)
	var w [][]byte
	for _, x := range wts {
		w = append(w, be64(x))
	}
	tg.v[tg.l.value[i]], tg.v[tg.l.writetime[i]] = raw{b: v, null: v == nil}, raw{b: listOf(w...)}
	return tg
}

func (tg *target) fields(name string, v []byte, wts ...int64) *target {
	i := tg.idx(name)
	tg.v[tg.l.value[i]] = raw{b: v, null: v == nil}
	for k, x := range wts {
		tg.v[tg.l.fieldWT[i][k]] = bigintOrNull(x)
	}
	return tg
}

func TestMismatch(t *testing.T) {
	m := fixture(t)
	entry := func(k string, v int32) []byte { return cat(lp(str(k)), lp(be32(v))) }
	mapOf := func(entries ...[]byte) []byte { return cat(append([][]byte{be32(int32(len(entries)))}, entries...)...) }
	home := cat(lp(str("s")), lp(be32(2)))
	src := keyed(t, m).
		whole("qty", be32(5), 100, 0).
		multi("tags", listOf(str("a"), str("b")), []int64{200, 300}, []int32{0, 0}).
		multi("attrs", mapOf(entry("x", 1)), []int64{200}, []int32{0}).
		fields("home", home, []int64{300, 400}, []int32{0, 0}).
		multi("ftags", listOf(str("a")), []int64{200}, []int32{0}).
		row()
	// equal is the target row as the copy wrote it.
	equal := func() *target {
		return newTarget(t, m).
			whole("qty", be64(5), 100).
			multi("tags", listOf(str("a"), str("b")), 200, 300).
			multi("attrs", mapOf(entry("x", 1)), 200).
			fields("home", home, 300, 400).
			whole("ftags", listOf(str("a")), 200)
	}
	for _, c := range []struct {
		name   string
		target []raw
		want   string // "" when the row matches
	}{
		{"the missing row", nil, "the row is missing"},
		{"an equal row", equal().v, ""},
		{"a newer cell of another value", equal().whole("qty", be64(9), 101).v, ""},
		{"an older cell", equal().whole("qty", be64(5), 99).v, `column "qty": older in the target (writetime 99, source 100)`},
		{"another value at the same writetime", equal().whole("qty", be64(9), 100).v, `column "qty": a different value at the same writetime 100`},
		{"a missing cell", equal().whole("qty", nil, 0).v, `column "qty": missing`},
		{"a frozen value, newer", equal().whole("ftags", listOf(str("z")), 201).v, ""},
		{"a frozen value, older", equal().whole("ftags", listOf(str("a")), 199).v, `column "ftags": older in the target (writetime 199, source 200)`},
		{"a set element missing", equal().multi("tags", listOf(str("a")), 200).v, `column "tags": an element is missing`},
		{"a set element older", equal().multi("tags", listOf(str("a"), str("b")), 200, 299).v, `column "tags": an element is older in the target (writetime 299, source 300)`},
		{"a set element newer", equal().multi("tags", listOf(str("a"), str("b")), 200, 301).v, ""},
		{"another set element", equal().multi("tags", listOf(str("a"), str("b"), str("c")), 200, 300, 50).v, ""},
		{"the set missing", equal().multi("tags", nil).v, `column "tags": missing`},
		{"a map entry with a newer value", equal().multi("attrs", mapOf(entry("x", 9)), 201).v, ""},
		{"a map entry with another value at the same writetime", equal().multi("attrs", mapOf(entry("x", 9)), 200).v, `column "attrs": an element is a different value at the same writetime 200`},
		{"a map entry older", equal().multi("attrs", mapOf(entry("x", 1)), 150).v, `column "attrs": an element is older in the target (writetime 150, source 200)`},
		{"a map entry missing", equal().multi("attrs", mapOf(entry("y", 1)), 200).v, `column "attrs": an element is missing`},
		{"a map whose value is the key sought", equal().multi("attrs", cat(be32(1), lp(str("q")), lp(str("x"))), 200).v, `column "attrs": an element is missing`},
		{"a field newer", equal().fields("home", cat(lp(str("s")), lp(be32(3))), 300, 401).v, ""},
		{"a field older", equal().fields("home", home, 300, 399).v, `field "zip" of column "home": older in the target (writetime 399, source 400)`},
		{"a field of another value", equal().fields("home", cat(lp(str("t")), lp(be32(2))), 300, 400).v, `field "street" of column "home": a different value at the same writetime 300`},
		{"a field null", equal().fields("home", cat(lp(str("s")), lp(nil)), 300, 0).v, `field "zip" of column "home": missing`},
		{"a value ending before a field", equal().fields("home", lp(str("s")), 300, 0).v, `field "zip" of column "home": missing`},
		{"the type missing", equal().fields("home", nil, 0, 0).v, `field "street" of column "home": missing`},
	} {
		got, err := m.mismatch(src, c.target)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if got != c.want {
			t.Errorf("%s: mismatch = %q, want %q", c.name, got, c.want)
		}
	}
	// Bytes that do not read are errors, not mismatches.
	bad := equal()
	bad.v[bad.l.writetime[bad.idx("qty")]] = raw{b: []byte{1, 2}}
	if why, err := m.mismatch(src, bad.v); err == nil {
		t.Errorf("a 2-byte writetime: mismatch = %q, want an error", why)
	}
	bad = equal().multi("tags", []byte{0, 0, 0, 5}, 200)
	if why, err := m.mismatch(src, bad.v); err == nil {
		t.Errorf("a truncated set: mismatch = %q, want an error", why)
	}
}

func TestMismatchOfAKeyOnlyRow(t *testing.T) {
	m := fixture(t)
	r := keyed(t, m).row()
	if why, err := m.mismatch(r, newTarget(t, m).v); err != nil || why != "" {
		t.Errorf("a key-only row that exists: %q, %v", why, err)
	}
	if why, _ := m.mismatch(r, nil); why != "the row is missing" {
		t.Errorf("a key-only row that does not exist: %q", why)
	}
}

func TestLiteral(t *testing.T) {
	for _, c := range []struct {
		typ  string
		v    raw
		want string
	}{
		{"text", raw{b: []byte("it's")}, `'it''s'`},
		{"ascii", raw{b: []byte{}}, `''`},
		{"int", raw{b: be32(-2)}, "-2"},
		{"bigint", raw{b: []byte{0, 0, 0, 0, 0, 0, 1, 0}}, "256"},
		{"int", raw{b: []byte{1}}, "0x01"}, // malformed: the bytes
		{"uuid", raw{b: []byte{0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0, 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0}}, "12345678-9abc-def0-1234-56789abcdef0"},
		{"blob", raw{b: []byte{0xca, 0xfe}}, "0xcafe"},
		{"int", raw{null: true}, "null"},
	} {
		if got := literal(c.typ, c.v); got != c.want {
			t.Errorf("literal(%s, %v) = %s, want %s", c.typ, c.v, got, c.want)
		}
	}
}

// TestAgedTTL: a row written a while after it was read has that time taken off its TTLs, and a
// cell whose TTL ran out meanwhile is not written.
func TestAgedTTL(t *testing.T) {
	r := row{scanned: time.Now().Add(-3500 * time.Millisecond), cells: []cell{
		{col: 0, op: opSet, parts: [][]byte{{1}}, wt: 5, ttl: 100},
		{col: 1, op: opSet, parts: [][]byte{{2}}, wt: 5, ttl: 2},
		{col: 2, op: opSet, parts: [][]byte{{3}}, wt: 5},
	}}
	got := r.aged()
	if len(got.cells) != 2 || got.cells[0].ttl != 97 || got.cells[1].ttl != 0 || r.cells[0].ttl != 100 {
		t.Errorf("aged cells %+v (original %+v)", got.cells, r.cells)
	}
	if fresh := (row{cells: r.cells}).aged(); len(fresh.cells) != 3 || fresh.cells[0].ttl != 100 {
		t.Errorf("a row with no read time: %+v", fresh.cells)
	}
}

// TestExpiredRowIsNotWritten: a row whose every cell expired between its read and its write is
// not written at all (not even its key: its row marker would have expired with its cells).
func TestExpiredRowIsNotWritten(t *testing.T) {
	m := &Mapping{TargetKeyspace: "ks", TargetTable: "t", keys: []*column{{target: introspect.Column{Name: "id"}}},
		cells: []*column{{target: introspect.Column{Name: "v"}}}}
	r := row{keys: [][]byte{{0, 0, 0, 1}}, scanned: time.Now().Add(-5 * time.Second),
		cells: []cell{{col: 0, op: opSet, parts: [][]byte{{1}}, wt: 9, ttl: 3}}}
	if st := m.statements(r, 1); len(st) != 0 {
		t.Errorf("statements of an expired row: %+v", st)
	}
	r.cells[0].ttl = 0 // no TTL: written
	if st := m.statements(r, 1); len(st) != 1 {
		t.Errorf("statements of a live row: %+v", st)
	}
}
