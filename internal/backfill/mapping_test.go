package backfill

import (
	"strings"
	"testing"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
	"github.com/cqlsync/cqlsync/internal/cql/introspect"
)

func pk(name, typ string, pos int) introspect.Column {
	return introspect.Column{Name: name, Kind: "partition_key", Position: pos, ClusteringOrder: "none", Type: typ}
}

func ck(name, typ string, pos int) introspect.Column {
	return introspect.Column{Name: name, Kind: "clustering", Position: pos, ClusteringOrder: "asc", Type: typ}
}

func reg(name, typ string) introspect.Column {
	return introspect.Column{Name: name, Kind: "regular", Position: -1, ClusteringOrder: "none", Type: typ}
}

func static(name, typ string) introspect.Column {
	return introspect.Column{Name: name, Kind: "static", Position: -1, ClusteringOrder: "none", Type: typ}
}

func table(ks, name string, cols ...introspect.Column) *introspect.Table {
	return &introspect.Table{Keyspace: ks, Name: name, Columns: cols}
}

func udt(ks, name string, fields ...string) *introspect.UserType {
	u := &introspect.UserType{Keyspace: ks, Name: name}
	for i := 0; i+1 < len(fields); i += 2 {
		u.Fields = append(u.Fields, introspect.Field{Name: fields[i], Type: fields[i+1]})
	}
	return u
}

func types(us ...*introspect.UserType) map[string]*introspect.UserType {
	out := map[string]*introspect.UserType{}
	for _, u := range us {
		out[u.Name] = u
	}
	return out
}

// addrTypes are the user-defined types of keyspace ks: addr (street text, zip int).
func addrTypes(ks string) map[string]*introspect.UserType {
	return types(udt(ks, "addr", "street", "text", "zip", "int"))
}

// planCol plans a copy of one regular column h of type from into a column h of type to (with the
// key id int), in two keyspaces with their own types.
func planCol(from, to string, st, tt map[string]*introspect.UserType) (*Mapping, *Refusal) {
	return Plan(table("ks1", "src", pk("id", "int", 0), reg("h", from)),
		table("ks2", "dst", pk("id", "int", 0), reg("h", to)), st, tt, nil)
}

func TestPlanRefusals(t *testing.T) {
	src := table("ks", "v1", pk("id", "int", 0), reg("customer", "text"), reg("qty", "int"), reg("tags", "set<text>"))
	dst := table("ks", "v2", pk("customer_id", "text", 0), ck("id", "int", 0), reg("qty", "bigint"))
	byCustomer := []cqlv1.BackfillColumn{{Target: "customer_id", Source: "customer"}}
	if _, r := Plan(src, dst, nil, nil, byCustomer); r != nil {
		t.Fatalf("the base plan is refused: %v", r)
	}
	for _, c := range []struct {
		name     string
		src, dst *introspect.Table
		cols     []cqlv1.BackfillColumn
		reason   string
		message  []string
	}{
		{
			name:   "a counter in the source",
			src:    table("ks", "counts", pk("id", "int", 0), reg("n", "counter")),
			dst:    table("ks", "v3", pk("id", "int", 0), reg("n", "bigint")),
			reason: cqlv1.ReasonCounterTable, message: []string{"ks.counts", `"n"`, "counter"},
		},
		{
			name:   "a counter in the target",
			src:    table("ks", "v3", pk("id", "int", 0), reg("n", "bigint")),
			dst:    table("ks", "counts", pk("id", "int", 0), reg("n", "counter")),
			reason: cqlv1.ReasonCounterTable, message: []string{"ks.counts", `"n"`},
		},
		{
			name: "a target key column without a source", src: src, dst: dst,
			reason: cqlv1.ReasonUnmappedKey, message: []string{`"customer_id"`, "ks.v2", "the source has no column of that name", "spec.columns"},
		},
		{
			name: "a target key column skipped", src: src, dst: dst,
			cols:   []cqlv1.BackfillColumn{{Target: "customer_id", Skip: true}},
			reason: cqlv1.ReasonUnmappedKey, message: []string{`"customer_id"`, "spec.columns skips it"},
		},
		{
			name: "a target key column skipped, although the source has it", src: src,
			dst:    table("ks", "v2", pk("customer", "text", 0), ck("id", "int", 0)),
			cols:   []cqlv1.BackfillColumn{{Target: "customer", Skip: true}},
			reason: cqlv1.ReasonUnmappedKey, message: []string{`"customer"`, "spec.columns skips it"},
		},
		{
			// Listed without a source (the same name), which the source lacks: not "skipped".
			name: "a target key column listed under its own name", src: src, dst: dst,
			cols:   []cqlv1.BackfillColumn{{Target: "customer_id"}},
			reason: cqlv1.ReasonUnmappedKey, message: []string{`"customer_id"`, "the source has no column of that name"},
		},
		{
			name: "a target clustering column without a source", src: src,
			dst:    table("ks", "v2", pk("customer", "text", 0), ck("day", "date", 0)),
			reason: cqlv1.ReasonUnmappedKey, message: []string{`"day"`},
		},
		{
			name: "an unsafe conversion of a regular column", src: src,
			dst:    table("ks", "v2", pk("id", "int", 0), reg("qty", "smallint")),
			reason: cqlv1.ReasonUnsafeConversion, message: []string{`column "qty" (smallint) from source column "qty" (int)`, "safe conversions"},
		},
		{
			name: "an unsafe conversion of a key column", src: src,
			dst:    table("ks", "v2", pk("customer_id", "blob", 0), ck("id", "int", 0)),
			cols:   byCustomer,
			reason: cqlv1.ReasonUnsafeConversion, message: []string{`column "customer_id" (blob) from source column "customer" (text)`},
		},
		{
			name: "an unsafe conversion of a renamed column", src: src,
			dst:    table("ks", "v2", pk("id", "int", 0), reg("amount", "text")),
			cols:   []cqlv1.BackfillColumn{{Target: "amount", Source: "qty"}},
			reason: cqlv1.ReasonUnsafeConversion, message: []string{`column "amount" (text) from source column "qty" (int)`},
		},
		{
			name: "a spec column naming a missing target", src: src, dst: dst,
			cols:   append(append([]cqlv1.BackfillColumn(nil), byCustomer...), cqlv1.BackfillColumn{Target: "nope", Source: "qty"}),
			reason: cqlv1.ReasonInvalidSpec, message: []string{"spec.columns[1].target", "ks.v2", `"nope"`},
		},
		{
			name: "a spec column naming a missing source", src: src, dst: dst,
			cols:   []cqlv1.BackfillColumn{{Target: "customer_id", Source: "client"}},
			reason: cqlv1.ReasonInvalidSpec, message: []string{"spec.columns[0].source", "ks.v1", `"client"`},
		},
	} {
		m, r := Plan(c.src, c.dst, nil, nil, c.cols)
		if r == nil {
			t.Errorf("%s: Plan = %s, want refused (%s)", c.name, m.selectCQL, c.reason)
			continue
		}
		if r.Reason != c.reason {
			t.Errorf("%s: reason %s (%s), want %s", c.name, r.Reason, r.Message, c.reason)
		}
		if r.Error() != r.Message {
			t.Errorf("%s: Error() = %q, want the message %q", c.name, r.Error(), r.Message)
		}
		for _, want := range c.message {
			if !strings.Contains(r.Message, want) {
				t.Errorf("%s: message %q does not say %q", c.name, r.Message, want)
			}
		}
	}
}

func TestPlanSkipsAndUnmappedRegularColumns(t *testing.T) {
	// A regular column with no source, or skipped, is left null: no slot reads it.
	src := table("ks", "a", pk("id", "int", 0), reg("v", "int"), reg("w", "text"))
	dst := table("ks", "b", pk("id", "int", 0), reg("v", "int"), reg("w", "text"), reg("extra", "int"))
	m, r := Plan(src, dst, nil, nil, []cqlv1.BackfillColumn{{Target: "w", Skip: true}})
	if r != nil {
		t.Fatal(r)
	}
	if len(m.cells) != 1 || m.cells[0].target.Name != "v" {
		t.Fatalf("cells %v, want only v", names(m.cells))
	}
	want := `SELECT "id", "v", WRITETIME("v"), TTL("v") FROM "ks"."a" WHERE token("id") > ? AND token("id") <= ?`
	if m.selectCQL != want {
		t.Errorf("select\n got  %s\n want %s", m.selectCQL, want)
	}
	// A skipped column may name a source that does not exist: it is not read.
	if _, r := Plan(src, dst, nil, nil, []cqlv1.BackfillColumn{{Target: "w", Source: "gone", Skip: true}}); r != nil {
		t.Errorf("a skipped column with a missing source: %v", r)
	}
}

func names(cs []*column) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.target.Name)
	}
	return out
}

func TestPlanCollections(t *testing.T) {
	for _, c := range []struct {
		from, to string
		ok       bool
		want     string // in the message of a refusal
		src, dst shape
	}{
		{"list<int>", "list<int>", false, "frozen<list<int>>", 0, 0},
		{"frozen<list<int>>", "list<int>", false, "non-frozen list", 0, 0},
		{"list<int>", "frozen<list<int>>", true, "", listCells, single},
		{"frozen<list<int>>", "frozen<list<int>>", true, "", single, single},
		{"set<int>", "frozen<set<int>>", true, "", elements_, single},
		{"frozen<set<int>>", "set<int>", true, "", single, elements_},
		{"set<int>", "set<int>", true, "", elements_, elements_},
		{"set<int>", "set<bigint>", false, "the elements differ", 0, 0},
		{"frozen<set<int>>", "frozen<set<bigint>>", false, "safe conversions", 0, 0},
		{"set<int>", "frozen<set<bigint>>", false, "the elements differ", 0, 0},
		{"set<int>", "frozen<list<int>>", false, "safe conversions", 0, 0},
		{"list<int>", "frozen<set<int>>", false, "safe conversions", 0, 0},
		{"map<text, int>", "frozen<map<text, int>>", true, "", elements_, single},
		{"frozen<map<text, int>>", "map<text, int>", true, "", single, elements_},
		{"map<text, int>", "map<text, bigint>", false, "the elements differ", 0, 0},
		{"map<text, int>", "set<text>", false, "safe conversions", 0, 0},
		{"int", "set<int>", false, "safe conversions", 0, 0},
		{"set<int>", "int", false, "safe conversions", 0, 0},
		{"tuple<int, text>", "tuple<int, text>", true, "", single, single},
		{"tuple<int, text>", "tuple<bigint, text>", false, "safe conversions", 0, 0},
		{"not a type<", "int", false, "cannot read the type", 0, 0},
		{"int", "not a type<", false, "cannot read its type", 0, 0},
	} {
		m, r := planCol(c.from, c.to, nil, nil)
		if !c.ok {
			if r == nil {
				t.Errorf("%s -> %s: accepted, want refused", c.from, c.to)
				continue
			}
			if r.Reason != cqlv1.ReasonUnsafeConversion || !strings.Contains(r.Message, `column "h"`) || !strings.Contains(r.Message, c.want) {
				t.Errorf("%s -> %s: %s %q, want %s naming column \"h\" and saying %q", c.from, c.to, r.Reason, r.Message, cqlv1.ReasonUnsafeConversion, c.want)
			}
			continue
		}
		if r != nil {
			t.Errorf("%s -> %s: refused: %v", c.from, c.to, r)
			continue
		}
		col := m.cells[0]
		if col.sourceShape != c.src || col.targetShape != c.dst {
			t.Errorf("%s -> %s: shapes %d -> %d, want %d -> %d", c.from, c.to, col.sourceShape, col.targetShape, c.src, c.dst)
		}
		wantPer := 1
		if strings.Contains(c.to, "map<") {
			wantPer = 2
		}
		if col.perElement != wantPer {
			t.Errorf("%s -> %s: %d parts per element, want %d", c.from, c.to, col.perElement, wantPer)
		}
	}
}

func TestPlanUserTypes(t *testing.T) {
	same := addrTypes("ks2")
	swapped := types(udt("ks2", "addr", "zip", "int", "street", "text"))
	longer := types(udt("ks2", "addr", "street", "text", "zip", "int", "city", "text"))
	retyped := types(udt("ks2", "addr", "street", "text", "zip", "bigint"))
	renamed := types(udt("ks2", "address", "street", "text", "zip", "int"))
	// A type holding another: the inner ones differ, the outer ones read the same.
	nestedSrc := types(udt("ks1", "inner", "a", "int"), udt("ks1", "outer", "i", "frozen<inner>"))
	nestedSame := types(udt("ks2", "inner", "a", "int"), udt("ks2", "outer", "i", "frozen<inner>"))
	nestedDiff := types(udt("ks2", "inner", "a", "text"), udt("ks2", "outer", "i", "frozen<inner>"))
	for _, c := range []struct {
		from, to string
		st, tt   map[string]*introspect.UserType
		ok       bool
		want     string
	}{
		{"addr", "addr", addrTypes("ks1"), same, true, ""},
		{"frozen<addr>", "frozen<addr>", addrTypes("ks1"), same, true, ""},
		{"addr", "frozen<addr>", addrTypes("ks1"), same, true, ""},
		{"frozen<addr>", "addr", addrTypes("ks1"), same, true, ""},
		{"frozen<addr>", "frozen<address>", addrTypes("ks1"), renamed, true, ""},
		{"addr", "address", addrTypes("ks1"), renamed, true, ""},
		{"frozen<list<frozen<addr>>>", "frozen<list<frozen<addr>>>", addrTypes("ks1"), same, true, ""},
		{"set<frozen<addr>>", "set<frozen<addr>>", addrTypes("ks1"), same, true, ""},
		{"frozen<outer>", "frozen<outer>", nestedSrc, nestedSame, true, ""},

		{"addr", "addr", addrTypes("ks1"), swapped, false, `differ at field "zip"`},
		{"addr", "addr", addrTypes("ks1"), longer, false, "different fields"},
		{"addr", "addr", addrTypes("ks1"), retyped, false, `differ at field "zip"`},
		// The column types read the same, frozen<addr>, but the types of the two keyspaces differ.
		{"frozen<addr>", "frozen<addr>", addrTypes("ks1"), swapped, false, `differ at field "zip"`},
		{"frozen<addr>", "frozen<addr>", addrTypes("ks1"), longer, false, "different fields"},
		{"frozen<addr>", "addr", addrTypes("ks1"), swapped, false, `differ at field "zip"`},
		{"frozen<list<frozen<addr>>>", "frozen<list<frozen<addr>>>", addrTypes("ks1"), swapped, false, `differ at field "zip"`},
		{"set<frozen<addr>>", "set<frozen<addr>>", addrTypes("ks1"), swapped, false, `differ at field "zip"`},
		{"map<int, frozen<addr>>", "frozen<map<int, frozen<addr>>>", addrTypes("ks1"), swapped, false, `differ at field "zip"`},
		{"frozen<outer>", "frozen<outer>", nestedSrc, nestedDiff, false, `"inner" and "inner" differ at field "a"`},
		{"outer", "outer", nestedSrc, nestedDiff, false, `"inner" and "inner" differ at field "a"`},
		{"addr", "addr", addrTypes("ks1"), nil, false, "not found"},
		{"frozen<addr>", "frozen<addr>", nil, same, false, "not found"},
		{"frozen<addr>", "text", addrTypes("ks1"), same, false, "safe conversions"},
		{"text", "frozen<addr>", addrTypes("ks1"), same, false, "safe conversions"},
		{"addr", "set<text>", addrTypes("ks1"), same, false, "safe conversions"},
	} {
		m, r := planCol(c.from, c.to, c.st, c.tt)
		if !c.ok {
			if r == nil {
				t.Errorf("%s -> %s: accepted, want refused", c.from, c.to)
			} else if r.Reason != cqlv1.ReasonUnsafeConversion || !strings.Contains(r.Message, `column "h"`) || !strings.Contains(r.Message, c.want) {
				t.Errorf("%s -> %s: %s %q, want %s saying %q", c.from, c.to, r.Reason, r.Message, cqlv1.ReasonUnsafeConversion, c.want)
			}
			continue
		}
		if r != nil {
			t.Errorf("%s -> %s: refused: %v", c.from, c.to, r)
			continue
		}
		col := m.cells[0]
		if col.targetShape == fields_ && strings.Join(col.fieldNames, ",") != "street,zip" {
			t.Errorf("%s -> %s: fields %v, want street, zip", c.from, c.to, col.fieldNames)
		}
	}
}

func TestPlanConversions(t *testing.T) {
	for _, c := range []struct {
		from, to string
		ok       bool
		convert  bool
	}{
		{"int", "bigint", true, true},
		{"tinyint", "varint", true, true},
		{"bigint", "varint", true, true},
		{"float", "double", true, true},
		{"ascii", "text", true, false},
		{"varchar", "text", true, false}, // the same type
		{"int", "int", true, false},
		{"text", "ascii", false, false},
		{"bigint", "int", false, false},
		{"double", "float", false, false},
		{"int", "text", false, false},
		{"timestamp", "bigint", false, false},
	} {
		m, r := planCol(c.from, c.to, nil, nil)
		if (r == nil) != c.ok {
			t.Errorf("%s -> %s: refusal %v, want ok %v", c.from, c.to, r, c.ok)
			continue
		}
		if r != nil {
			if r.Reason != cqlv1.ReasonUnsafeConversion || !strings.Contains(r.Message, `column "h"`) {
				t.Errorf("%s -> %s: %s %q", c.from, c.to, r.Reason, r.Message)
			}
			continue
		}
		if (m.cells[0].convert != nil) != c.convert {
			t.Errorf("%s -> %s: a conversion %v, want %v", c.from, c.to, m.cells[0].convert != nil, c.convert)
		}
	}
}

func TestPlanSelectQuotesEveryName(t *testing.T) {
	src := table(`Shop`, `Or"ders`,
		pk("Tenant", "text", 0), pk(`i"d`, "int", 1), ck("ts", "timestamp", 0),
		static("Plan", "text"), reg("Qty", "int"), reg(`no"te`, "text"), reg("tags", "set<text>"), reg("home", `"Addr"`),
		reg("select", "int"))
	dst := table("shop2", "orders_v2",
		pk(`i"d`, "int", 0), ck("Tenant", "text", 0), ck("ts", "timestamp", 1),
		static("Plan", "text"), reg("Qty", "bigint"), reg(`No"te`, "text"), reg("tags", "set<text>"), reg("home", `frozen<"Addr">`),
		reg("from", "int"))
	st := types(udt("Shop", "Addr", `Str"eet`, "text", "zip", "int"))
	tt := types(udt("shop2", "Addr", `Str"eet`, "text", "zip", "int"))
	m, r := Plan(src, dst, st, tt, []cqlv1.BackfillColumn{{Target: `No"te`, Source: `no"te`}, {Target: "from", Source: "select"}})
	if r != nil {
		t.Fatal(r)
	}
	want := `SELECT "Tenant", "i""d", "ts", ` +
		`"Plan", WRITETIME("Plan"), TTL("Plan"), ` +
		`"Qty", WRITETIME("Qty"), TTL("Qty"), ` +
		`"no""te", WRITETIME("no""te"), TTL("no""te"), ` +
		`"tags", WRITETIME("tags"), TTL("tags"), ` +
		`"home", WRITETIME("home"."Str""eet"), TTL("home"."Str""eet"), WRITETIME("home"."zip"), TTL("home"."zip"), ` +
		`"select", WRITETIME("select"), TTL("select") ` +
		`FROM "Shop"."Or""ders" WHERE token("Tenant", "i""d") > ? AND token("Tenant", "i""d") <= ?`
	if m.selectCQL != want {
		t.Errorf("select\n got  %s\n want %s", m.selectCQL, want)
	}
	if m.Describe() != `Shop.Or"ders -> shop2.orders_v2` {
		t.Errorf("Describe() = %q", m.Describe())
	}
	// The slots: the source key first, then per column its value and writetime(s) and TTL(s).
	if m.slots != 23 {
		t.Errorf("%d slots, want 23", m.slots)
	}
	if got := []int{m.keys[0].value, m.keys[1].value, m.keys[2].value}; got[0] != 1 || got[1] != 0 || got[2] != 2 {
		t.Errorf("key slots %v, want [1 0 2] (the source key columns, reused)", got)
	}
	for _, k := range m.keys {
		if k.writetime != -1 || k.ttl != -1 {
			t.Errorf("key %q reads a writetime or TTL (%d, %d): a key column has none", k.target.Name, k.writetime, k.ttl)
		}
	}
	if got := names(m.cells); strings.Join(got, ",") != `Plan,Qty,No"te,tags,home,from` {
		t.Errorf("cells %v", got)
	}
	home := m.cells[4]
	if home.value != 15 || home.writetime != -1 || home.ttl != -1 ||
		len(home.fieldWritetime) != 2 || home.fieldWritetime[0] != 16 || home.fieldTT[0] != 17 || home.fieldWritetime[1] != 18 || home.fieldTT[1] != 19 {
		t.Errorf("home slots: value %d, writetime %d, ttl %d, fields %v %v", home.value, home.writetime, home.ttl, home.fieldWritetime, home.fieldTT)
	}
	if qty := m.cells[1]; qty.value != 6 || qty.writetime != 7 || qty.ttl != 8 || qty.convert == nil {
		t.Errorf("Qty slots %d %d %d, converted %v", qty.value, qty.writetime, qty.ttl, qty.convert != nil)
	}
	// The verification's select of the target quotes every name too.
	wantVerify := `SELECT "i""d", "Plan", WRITETIME("Plan"), "Qty", WRITETIME("Qty"), "No""te", WRITETIME("No""te"), ` +
		`"tags", WRITETIME("tags"), "home", WRITETIME("home"), "from", WRITETIME("from") ` +
		`FROM "shop2"."orders_v2" WHERE "i""d" = ? AND "Tenant" = ? AND "ts" = ?`
	if l := m.verifyLayout(); l.cql != wantVerify || l.slots != 13 {
		t.Errorf("verify select (%d slots)\n got  %s\n want %s", l.slots, l.cql, wantVerify)
	}
}

func TestPlanSourceKeyIntoRegularColumn(t *testing.T) {
	// The new primary key drops a column of the old one, which stays as a regular column: it has
	// no writetime or TTL to read.
	src := table("ks", "a", pk("a", "int", 0), ck("b", "int", 0), reg("v", "text"))
	dst := table("ks", "b", pk("b", "int", 0), reg("a", "int"), reg("v", "text"))
	m, r := Plan(src, dst, nil, nil, nil)
	if r != nil {
		t.Fatal(r)
	}
	want := `SELECT "a", "b", "v", WRITETIME("v"), TTL("v") FROM "ks"."a" WHERE token("a") > ? AND token("a") <= ?`
	if m.selectCQL != want {
		t.Errorf("select\n got  %s\n want %s", m.selectCQL, want)
	}
	if a := m.cells[0]; a.target.Name != "a" || a.value != 0 || a.writetime != -1 || a.ttl != -1 {
		t.Errorf("cell a: value %d, writetime %d, ttl %d; want 0, -1, -1", a.value, a.writetime, a.ttl)
	}
}
