package plan

import (
	"strings"
	"testing"

	"github.com/cqlsync/cqlsync/internal/cql/introspect"
	"github.com/cqlsync/cqlsync/internal/cql/schema"
)

func mustMask(t *testing.T, fn string, args ...string) *schema.Mask {
	t.Helper()
	m, err := schema.NewMask(fn, args)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestMasks: a table is created with its masks; a live column whose mask is missing or differs
// is masked again, one the spec does not mask is unmasked, equal masks plan nothing, and a new
// column is added with its mask.
func TestMasks(t *testing.T) {
	text, _ := schema.ParseType("text")
	id, _ := schema.ParseType("int")
	d := Table{Keyspace: "ks", Name: "people", PartitionKey: []string{"id"}, Columns: []Column{
		{Name: "id", Type: id},
		{Name: "email", Type: text, Mask: mustMask(t, "mask_inner", "1", "NULL")},
		{Name: "name", Type: text, Mask: mustMask(t, "DEFAULT")},
		{Name: "note", Type: text},
		{Name: "phone", Type: text, Mask: mustMask(t, "ks.redact", "'it''s'", "2.50")},
	}}
	res := ForTable(d, nil)
	if len(res.Plan) != 1 || res.Plan[0].CQL != `CREATE TABLE IF NOT EXISTS "ks"."people" ("id" int, "email" text MASKED WITH mask_inner(1, null), `+
		`"name" text MASKED WITH mask_default(), "note" text, "phone" text MASKED WITH "ks"."redact"('it''s', 2.50), PRIMARY KEY (("id")))` {
		t.Fatalf("create: %+v", res)
	}

	col := func(name string, m *schema.Mask) introspect.Column {
		k := introspect.KindRegular
		if name == "id" {
			k = introspect.KindPartitionKey
		}
		return introspect.Column{Name: name, Kind: k, Type: map[bool]string{true: "int", false: "text"}[name == "id"], Mask: m}
	}
	live := &introspect.Table{Keyspace: "ks", Name: "people", Columns: []introspect.Column{
		col("id", nil),
		col("email", &schema.Mask{Function: "mask_inner", Arguments: []string{"1", "null"}}),                  // the same
		col("name", &schema.Mask{Function: "mask_null"}),                                                      // another function
		col("note", &schema.Mask{Function: "mask_replace", Arguments: []string{"'x'"}}),                       // not in the spec
		col("phone", &schema.Mask{Keyspace: "ks", Function: "redact", Arguments: []string{"'it''s'", "2.5"}}), // 2.5 is 2.50
	}}
	ks := &introspect.KeyspaceSchema{Name: "ks", Tables: map[string]*introspect.Table{"people": live}}
	d.Columns = append(d.Columns, Column{Name: "ssn", Type: text, Mask: mustMask(t, "mask_hash", "'SHA-256'")})
	res = ForTable(d, ks)
	var got []string
	for _, st := range res.Plan {
		got = append(got, string(st.Kind)+": "+st.CQL)
	}
	want := []string{
		`AddColumns: ALTER TABLE "ks"."people" ADD "ssn" text MASKED WITH mask_hash('SHA-256')`,
		`AlterColumnMask: ALTER TABLE "ks"."people" ALTER "name" MASKED WITH mask_default()`,
		`DropColumnMask: ALTER TABLE "ks"."people" ALTER "note" DROP MASKED`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") || len(res.Blocked) > 0 {
		t.Errorf("plan:\n%s\nwant:\n%s\nblocked: %v", strings.Join(got, "\n"), strings.Join(want, "\n"), res.Blocked)
	}
	for _, st := range res.Plan[1:] {
		if st.Additive() {
			t.Errorf("%s is additive: changing or dropping a mask waits for approval under AutoAdditive", st.Kind)
		}
	}
	if !strings.Contains(res.Plan[2].Summary, "Cassandra has system.mask_replace('x'); the spec declares none") {
		t.Errorf("summary: %s", res.Plan[2].Summary)
	}

	// A function of another keyspace: Cassandra refuses it, so nothing is sent.
	d.Columns[1].Mask = mustMask(t, "other.redact")
	if res := ForTable(d, ks); len(res.Plan) != 0 || len(res.Blocked) != 1 || !strings.Contains(res.Blocked[0].Message, "functions of the table's own keyspace") {
		t.Errorf("a function of another keyspace: %+v", res)
	}

	// An argument that is no literal never reaches a statement (the engine refuses it before).
	d.Columns[1].Mask = &schema.Mask{Function: "mask_replace", Arguments: []string{"1); DROP TABLE x; --"}}
	if res := ForTable(d, ks); len(res.Plan) != 0 || len(res.Blocked) != 1 || res.Blocked[0].Kind != DiffInvalidMask {
		t.Errorf("a bad argument: %+v", res)
	}
	if res := ForTable(d, nil); len(res.Plan) != 0 || len(res.Blocked) != 1 {
		t.Errorf("a bad argument at creation: %+v", res)
	}
}

func TestNewMask(t *testing.T) {
	for _, c := range []struct {
		fn   string
		args []string
		want string // String(), or the error's text
	}{
		{"DEFAULT", nil, "system.mask_default()"},
		{"mask_inner", []string{"1", "NULL"}, "system.mask_inner(1, null)"},
		{"system.mask_outer", []string{"1", "2", "'#'"}, "system.mask_outer(1, 2, '#')"},
		{"ks.fn", []string{"-3", "TRUE"}, "ks.fn(-3, true)"},
		{"mask_nope", nil, `"mask_nope" is not a built-in mask function`},
		{"mask_inner", []string{"1"}, "mask_inner takes 2 to 3 argument(s) after the column, got 1"},
		{"mask_replace", []string{"now()"}, "argument 1 (now()) is not a CQL literal"},
		{"mask_replace", []string{"'a'b'"}, "is not a CQL literal"},
		{"a.b.c", nil, "keyspace.function"},
	} {
		m, err := schema.NewMask(c.fn, c.args)
		got := ""
		if err != nil {
			got = err.Error()
		} else {
			got = m.String()
		}
		if !strings.Contains(got, c.want) {
			t.Errorf("NewMask(%q, %q) = %q, want %q", c.fn, c.args, got, c.want)
		}
	}
}
