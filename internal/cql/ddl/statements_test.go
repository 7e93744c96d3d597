package ddl

import (
	"reflect"
	"strings"
	"testing"

	"github.com/cqlsync/cqlsync/internal/cql/introspect"
)

// TestParseSkipsUnmanaged: what cqlsync does not manage is reported, named, and does not stop
// the parse. The texts are as the Python driver and the server print them.
func TestParseSkipsUnmanaged(t *testing.T) {
	src := prelude + `CREATE TABLE ks.t (a int PRIMARY KEY, c text);

CREATE MATERIALIZED VIEW ks.by_c AS
    SELECT *
    FROM ks.t
    WHERE c IS NOT NULL AND a IS NOT NULL
    PRIMARY KEY (c, a)
    WITH CLUSTERING ORDER BY (a ASC)
    AND comment = '';
CREATE TRIGGER audit ON ks.t USING 'org.example.AuditTrigger';

CREATE FUNCTION ks.add_one(x int)
    RETURNS NULL ON NULL INPUT
    RETURNS int
    LANGUAGE java
    AS $$ return x + 1; /* ; */ $$;

CREATE OR REPLACE FUNCTION ks."Fn"(s text) CALLED ON NULL INPUT RETURNS text LANGUAGE java AS 'return s;';

CREATE AGGREGATE ks.total(int)
    SFUNC add_one
    STYPE int
    INITCOND 0;
CREATE ROLE admin WITH PASSWORD = 'x;y' AND LOGIN = true;
GRANT SELECT ON KEYSPACE ks TO admin;
INSERT INTO ks.t (a, c) VALUES (1, 'x');
DROP MATERIALIZED VIEW IF EXISTS ks.by_c;
ALTER MATERIALIZED VIEW ks.by_c WITH comment = 'x';
DROP FUNCTION ks.add_one;
DROP TRIGGER audit ON ks.t;
VIRTUAL TABLE ks.v (a int PRIMARY KEY);
CREATE TABLE ks.u (a int PRIMARY KEY);`
	r := Parse(src)
	want := []Skipped{
		{Line: 4, Kind: KindView, Keyspace: "ks", Name: "by_c", Reason: reasonView},
		{Line: 11, Kind: KindTrigger, Keyspace: "ks", Name: "audit", Reason: reasonTrigger + " (on table t)"},
		{Line: 13, Kind: KindFunction, Keyspace: "ks", Name: "add_one", Reason: reasonFunction},
		{Line: 19, Kind: KindFunction, Keyspace: "ks", Name: "Fn", Reason: reasonFunction},
		{Line: 21, Kind: KindAggregate, Keyspace: "ks", Name: "total", Reason: reasonAggregate},
		{Line: 25, Kind: KindStatement, Reason: "not a statement cqlsync imports: CREATE ROLE admin WITH PASSWORD ="},
		{Line: 26, Kind: KindStatement, Reason: "not a statement cqlsync imports: GRANT SELECT ON KEYSPACE ks TO"},
		{Line: 27, Kind: KindStatement, Reason: "not a statement cqlsync imports: INSERT INTO ks.t ("},
		{Line: 28, Kind: KindView, Keyspace: "ks", Name: "by_c", Reason: reasonView},
		{Line: 29, Kind: KindView, Keyspace: "ks", Name: "by_c", Reason: reasonView},
		{Line: 30, Kind: KindFunction, Keyspace: "ks", Name: "add_one", Reason: reasonFunction},
		{Line: 31, Kind: KindTrigger, Name: "audit", Reason: reasonTrigger},
		{Line: 32, Kind: KindTable, Keyspace: "ks", Name: "v", Reason: "virtual tables cannot be created with CQL"},
	}
	if !reflect.DeepEqual(r.Skipped, want) {
		t.Errorf("skipped:\n%s\nwant:\n%s", joinSkipped(r.Skipped), joinSkipped(want))
	}
	if ks := r.Keyspace("ks"); ks == nil || ks.Tables["t"] == nil || ks.Tables["u"] == nil || len(ks.Tables) != 2 {
		t.Errorf("the tables around the skipped statements: %+v", ks)
	}
}

func joinSkipped(s []Skipped) string {
	var lines []string
	for _, sk := range s {
		lines = append(lines, "  "+sk.String())
	}
	return strings.Join(lines, "\n")
}

// TestParseSystemKeyspaces: DESCRIBE FULL SCHEMA and the driver's schema export include
// Cassandra's own keyspaces; each is reported once and nothing of them is kept.
func TestParseSystemKeyspaces(t *testing.T) {
	r := Parse(`CREATE KEYSPACE system_auth WITH replication = {'class': 'SimpleStrategy', 'replication_factor': '1'}  AND durable_writes = true;
CREATE TABLE system_auth.roles (role text PRIMARY KEY, can_login boolean);
CREATE TABLE system_auth.role_members (role text, member text, PRIMARY KEY (role, member));
CREATE KEYSPACE system WITH replication = {'class': 'LocalStrategy'}  AND durable_writes = true;
CREATE CUSTOM INDEX "PaxosUncommittedIndex" ON system.paxos () USING 'org.apache.cassandra.service.paxos.uncommitted.PaxosUncommittedIndex';
USE "System";
CREATE TABLE peers (peer inet PRIMARY KEY);
/*
Warning: Keyspace system_views is a virtual keyspace and cannot be recreated with CQL.
Structure, for reference:
VIRTUAL KEYSPACE system_views;
*/
VIRTUAL KEYSPACE system_virtual_schema;
CREATE MATERIALIZED VIEW system_traces.v AS SELECT * FROM system_traces.events PRIMARY KEY (a);
CREATE KEYSPACE app WITH replication = {'class': 'SimpleStrategy', 'replication_factor': '1'};
CREATE TABLE app.t (a int PRIMARY KEY);`)
	var got []string
	for _, s := range r.Skipped {
		if s.Kind != KindKeyspace || !strings.Contains(s.Reason, "system keyspace") {
			t.Errorf("unexpected skip %s", s)
		}
		got = append(got, s.Keyspace)
	}
	if want := []string{"system_auth", "system", "System", "system_virtual_schema", "system_traces"}; !reflect.DeepEqual(got, want) {
		t.Errorf("system keyspaces reported %v, want %v", got, want)
	}
	if len(r.Keyspaces) != 1 || r.Keyspaces[0].Name != "app" || r.Keyspaces[0].Tables["t"] == nil {
		t.Errorf("keyspaces %+v", r.Keyspaces)
	}
	for _, name := range []string{"system", "SYSTEM_SCHEMA", "system_views", "system_distributed"} {
		if !IsSystemKeyspace(name) {
			t.Errorf("IsSystemKeyspace(%q) = false", name)
		}
	}
	if IsSystemKeyspace("systems") || IsSystemKeyspace("app") {
		t.Error("IsSystemKeyspace is true for a user keyspace")
	}
}

// TestParseLexical: comments, string literals and quoted names do not end statements, and lines
// are counted through them.
func TestParseLexical(t *testing.T) {
	src := `-- a comment; with a semicolon
// another; one
/* a block
   comment; */ CREATE KEYSPACE ks WITH replication = {'class': 'SimpleStrategy', /* inline */ 'replication_factor': 1}; ;;
CREATE TABLE ks.t ( -- trailing comment, with ; and )
    a int, // primary
    "semi;colon" text, /* ; */
    b frozen</* here too */list<int>>,
    PRIMARY KEY (a)
) WITH comment = 'a '' quote; -- not a comment'
  AND speculative_retry = $$50ms$$;
CREATE TABLE ks.u (a int PRIMARY KEY) WITH comment = 'multi
line;
comment';
CREATE TABLE ks.w (a int PRIMARY KEY)`
	r := parseClean(t, src)
	ks := r.Keyspace("ks")
	tb := ks.Tables["t"]
	if tb == nil || tb.Column("semi;colon") == nil || tb.Column("b").Type != "frozen<list<int>>" {
		t.Fatalf("table t: %+v", tb)
	}
	if tb.Options.Comment != "a ' quote; -- not a comment" || tb.Options.SpeculativeRetry != "50ms" {
		t.Errorf("options %+v", tb.Options)
	}
	if u := ks.Tables["u"]; u == nil || u.Options.Comment != "multi\nline;\ncomment" {
		t.Errorf("table u: %+v", u)
	}
	if ks.Tables["w"] == nil {
		t.Error("the last statement needs no ';'")
	}
	// Lines after a multi-line string are right.
	r = Parse(src + ";\nCREATE TABLE ks.x (a int PRIMARY KEY, a int);")
	if len(r.Skipped) != 1 || r.Skipped[0].Line != 16 {
		t.Errorf("skipped %v, want line 16", r.Skipped)
	}
}

// TestParseMalformed: a malformed statement is skipped with its line, and parsing goes on.
func TestParseMalformed(t *testing.T) {
	tests := []struct {
		name, src string
		line      int
		reason    string
	}{
		{"garbage", "this is not CQL", 2, "not a statement cqlsync imports: this is not CQL"},
		{"unterminated string", "CREATE TABLE ks.t (a int PRIMARY KEY) WITH comment = 'oops", 2, "line 2: unterminated string literal"},
		{"unterminated quoted name", `CREATE TABLE ks."oops (a int PRIMARY KEY)`, 2, "line 2: unterminated quoted name"},
		{"unterminated $$", "CREATE TABLE ks.t (a int PRIMARY KEY) WITH comment = $$oops", 2, "line 2: unterminated string literal"},
		{"bad character", "CREATE TABLE ks.t (a int PRIMARY KEY) WITH comment = @x", 2, `expected a constant`},
		{"invalid UTF-8", "CREATE TABLE ks.t (a int PRIMARY KEY) WITH comment = '\xff'", 2, "invalid UTF-8"},
		{"invalid UTF-8 outside strings", "CREATE TABLE ks.t\xff (a int PRIMARY KEY)", 2, "invalid UTF-8"},
		{"missing parenthesis", "CREATE TABLE ks.t a int PRIMARY KEY)", 2, "expected '('"},
		{"problem on a later line", "CREATE TABLE ks.t (\n  a int PRIMARY KEY,\n  b int int\n)", 2, "line 4: expected ','"},
		{"only a keyword", "CREATE", 2, "not a statement cqlsync imports: CREATE"},
		{"a lone number", "42", 2, "not a statement cqlsync imports: 42"},
		{"USE without a name", "USE", 2, "expected a keyspace name"},
		{"unbalanced map", "CREATE KEYSPACE k2 WITH replication = {'class': 'SimpleStrategy'", 2, "expected ','"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Parse(prelude + tt.src + ";\nCREATE TABLE ks.after (a int PRIMARY KEY);")
			if len(r.Skipped) != 1 || r.Skipped[0].Line != tt.line || !strings.Contains(r.Skipped[0].Reason, tt.reason) {
				t.Fatalf("skipped %+v, want one at line %d with a reason containing %q", r.Skipped, tt.line, tt.reason)
			}
			if ks := r.Keyspace("ks"); ks == nil || ks.Tables["after"] == nil {
				t.Errorf("parsing must go on after a malformed statement: %+v", ks)
			}
		})
	}
	// String() names the statement's line, and the problem's when it is another.
	r := Parse(prelude + "CREATE TABLE ks.t (\n  a int PRIMARY KEY,\n  b int int\n);\nCREATE TABLE ks.u (a int PRIMARY KEY, a int);")
	want := []string{"line 2: table ks.t: skipped: line 4: expected ',', found \"int\"", "line 6: table ks.u: skipped: duplicate column a"}
	if len(r.Skipped) != 2 || r.Skipped[0].String() != want[0] || r.Skipped[1].String() != want[1] {
		t.Errorf("skipped:\n%s\nwant:\n  %s", joinSkipped(r.Skipped), strings.Join(want, "\n  "))
	}
	// An unterminated comment runs to the end: what follows is lost, and said so.
	r = Parse(prelude + "/* never closed\nCREATE TABLE ks.t (a int PRIMARY KEY);")
	if len(r.Skipped) != 1 || r.Skipped[0].Line != 2 || !strings.Contains(r.Skipped[0].Reason, "unterminated comment") {
		t.Errorf("skipped %v", r.Skipped)
	}
	for _, src := range []string{"", "   \n\t", "-- only a comment", ";;;", "/* */"} {
		if r := Parse(src); len(r.Keyspaces)+len(r.Skipped)+len(r.Warnings) != 0 {
			t.Errorf("Parse(%q) = %+v, want nothing", src, r)
		}
	}
}

func TestParseAlterAndDrop(t *testing.T) {
	src := prelude + `USE ks;
CREATE TYPE addr (street text);
CREATE TABLE t (a int, b int, c text, d int, PRIMARY KEY (a, b));
CREATE INDEX t_d ON t (d);
ALTER TABLE t ADD e list<text>;
ALTER TABLE t ADD (f int STATIC, g frozen<addr>);
ALTER TABLE t ADD IF NOT EXISTS c int;
ALTER TABLE t DROP c USING TIMESTAMP 1795976851327000;
ALTER TABLE ks.t DROP (e, f);
ALTER TABLE t DROP IF EXISTS nope;
ALTER TABLE IF EXISTS nope DROP x;
ALTER TABLE t WITH comment = 'altered' AND caching = {'keys': 'NONE'};
ALTER TYPE addr ADD city text;
ALTER TYPE addr ADD IF NOT EXISTS city int;
ALTER TYPE addr RENAME street TO "Street" AND city TO town;
ALTER KEYSPACE ks WITH durable_writes = false;
CREATE TABLE gone (a int PRIMARY KEY, v int);
CREATE INDEX gone_v ON gone (v);
DROP TABLE gone;
CREATE INDEX ON t (b);
DROP INDEX ks.t_b_idx;
DROP INDEX IF EXISTS nope;
CREATE TYPE unused (x int);
DROP TYPE unused;
DROP TABLE IF EXISTS nope;
DROP TYPE IF EXISTS nope;
CREATE KEYSPACE tmp WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1};
DROP KEYSPACE tmp;
DROP KEYSPACE IF EXISTS tmp;`
	r := Parse(src)
	for _, s := range r.Skipped {
		t.Errorf("skipped: %s", s)
	}
	if len(r.Warnings) != 2 {
		t.Errorf("warnings %v, want the two IF NOT EXISTS no-ops", r.Warnings)
	}
	want := &introspect.KeyspaceSchema{
		Name:        "ks",
		Replication: map[string]string{"class": simpleStrategy, "replication_factor": "1"},
		Tables: map[string]*introspect.Table{"t": {
			Keyspace: "ks", Name: "t",
			Columns: []introspect.Column{pk("a", "int", 0), ck("b", "int", 0, "asc"), reg("d", "int"), reg("g", "frozen<addr>")},
			Options: func() introspect.TableOptions {
				o := DefaultTableOptions()
				o.Comment, o.Caching = "altered", map[string]string{"keys": "NONE", "rows_per_partition": "NONE"}
				return o
			}(),
			Indexes: []introspect.Index{{Name: "t_d", Table: "t", Kind: introspect.IndexKindComposites, Options: map[string]string{"target": "d"}}},
		}},
		Types: map[string]*introspect.UserType{"addr": {Keyspace: "ks", Name: "addr",
			Fields: []introspect.Field{{Name: "Street", Type: "text"}, {Name: "town", Type: "text"}}}},
		IndexTables: map[string]string{"t_d": "t"},
	}
	if len(r.Keyspaces) != 1 {
		t.Fatalf("keyspaces %v", r.Keyspaces)
	}
	if d := diffKeyspace(want, r.Keyspaces[0]); d != "" {
		t.Error(d)
	}
}

func TestParseAlterErrors(t *testing.T) {
	base := prelude + `CREATE TYPE ks.addr (street text);
CREATE TABLE ks.t (a int, b int, c int, l list<int>, PRIMARY KEY (a, b));
CREATE TABLE ks.n (a int PRIMARY KEY, n counter);
CREATE TABLE ks.s (a int PRIMARY KEY, v int);
CREATE INDEX t_c ON ks.t (c);
`
	tests := []struct{ src, reason string }{
		{`ALTER TABLE ks.t ADD c int`, "column c already exists"},
		{`ALTER TABLE ks.t ADD x int PRIMARY KEY`, "cannot add a PRIMARY KEY column"},
		{`ALTER TABLE ks.s ADD x int static`, "static columns are only allowed"},
		{`ALTER TABLE ks.t ADD x nope`, "unknown type ks.nope"},
		{`ALTER TABLE ks.n ADD x int`, "cannot mix counter"},
		{`ALTER TABLE ks.t DROP a`, "cannot drop PRIMARY KEY column a"},
		{`ALTER TABLE ks.t DROP c`, "index t_c depends on it"},
		{`ALTER TABLE ks.t DROP nope`, "column nope does not exist"},
		{`ALTER TABLE ks.nope DROP c`, "table ks.nope does not exist"},
		{`ALTER TABLE ks.t RENAME b TO bb`, "ADD, DROP, ALTER or WITH"},
		{`ALTER TABLE ks.t ALTER c TYPE bigint`, "altering the type of a column"},
		{`ALTER TABLE ks.t ALTER c MASKED WITH mask_inner(1)`, "mask_inner takes 2 to 3 argument(s)"},
		{`ALTER TABLE ks.t ALTER c MASKED WITH mask_replace(now())`, "a function call"},
		{`ALTER TABLE ks.t ALTER c MASKED WITH mask_inner(1, 2`, "line 7: the mask of column c: unbalanced '('"},
		{`ALTER TABLE ks.t ALTER c DROP`, "expected MASKED WITH or DROP MASKED"},
		{`ALTER TABLE ks.t ALTER c`, "expected MASKED WITH or DROP MASKED"},
		{`ALTER TABLE ks.t ALTER nope DROP MASKED`, "column nope was not found in table t"},
		{`ALTER TABLE ks.t ALTER c DROP MASKED extra`, `unexpected "extra"`},
		{`ALTER TABLE ks.t ADD x text MASKED WITH other.fn()`, "does not belong to the same keyspace"},
		{`ALTER TABLE ks.t ADD (x text MASKED WITH mask_null(), y text MASKED WITH mask_inner(1, 2)`, "unbalanced '('"},
		{`ALTER TABLE ks.t WITH ID = 89f47aa0-ec22-11f1-8b11-85e15e98f2c6`, "id cannot be altered"},
		{`ALTER TABLE ks.n WITH default_time_to_live = 5`, "default_time_to_live on a table with counters"},
		{`ALTER TABLE ks.t WITH gc_grace_seconds = -5`, "gc_grace_seconds must be between"},
		{`ALTER TYPE ks.addr ADD street int`, "duplicate field street"},
		{`ALTER TYPE ks.addr RENAME nope TO x`, "unknown field nope"},
		{`ALTER TYPE ks.addr ALTER street TYPE blob`, "ADD or RENAME"},
		{`ALTER TYPE ks.nope ADD x int`, "type ks.nope does not exist"},
		{`CREATE TABLE ks.u (a int PRIMARY KEY, x frozen<addr>); DROP TYPE ks.addr`, "column x of table u uses it"},
		{`CREATE TYPE ks.b (x frozen<addr>); DROP TYPE ks.addr`, "type b uses it"},
		{`DROP TABLE ks.nope`, "does not exist"},
		{`DROP INDEX ks.nope`, "does not exist"},
		{`DROP KEYSPACE nope`, "does not exist"},
		{`ALTER KEYSPACE nope WITH durable_writes = false`, "does not exist"},
		{`ALTER KEYSPACE ks WITH replication = {'class': 'LocalStrategy'}`, "reserved"},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			r := Parse(base + tt.src + ";")
			if len(r.Skipped) != 1 || !strings.Contains(r.Skipped[0].Reason, tt.reason) {
				t.Fatalf("skipped %+v, want one with a reason containing %q", r.Skipped, tt.reason)
			}
		})
	}
}

// TestParseAlterMasks: ALTER TABLE sets, changes and drops column masks, and ADD adds masked
// columns.
func TestParseAlterMasks(t *testing.T) {
	src := prelude + `USE ks;
CREATE TABLE t (id int, c int, a text MASKED WITH DEFAULT, b text, d text, PRIMARY KEY (id, c));
ALTER TABLE t ALTER b MASKED WITH mask_inner(1, null);
ALTER TABLE t ALTER a DROP MASKED;
ALTER TABLE t ALTER d MASKED WITH mask_null();
ALTER TABLE t ALTER d MASKED WITH system.mask_outer(2, 1, '*');
ALTER TABLE t ALTER c MASKED WITH mask_default();
ALTER TABLE t ALTER IF EXISTS nope MASKED WITH DEFAULT;
ALTER TABLE t ALTER IF EXISTS id MASKED WITH ks.redact('x');
ALTER TABLE t ALTER b DROP MASKED;
ALTER TABLE t ALTER b MASKED WITH mask_hash();
ALTER TABLE t ADD e bigint MASKED WITH mask_replace(-5);
ALTER TABLE t ADD (f text STATIC MASKED WITH mask_replace('n/a'), g int);
ALTER TABLE t DROP d;
ALTER TABLE t ADD d text;`
	r := parseClean(t, src)
	want := []introspect.Column{
		masked(pk("id", "int", 0), "ks", "redact", "'x'"),
		masked(ck("c", "int", 0, "asc"), "", "mask_default"),
		reg("a", "text"),
		masked(reg("b", "text"), "", "mask_hash"),
		reg("d", "text"),
		masked(reg("e", "bigint"), "", "mask_replace", "-5"),
		masked(static("f", "text"), "", "mask_replace", "'n/a'"),
		reg("g", "int"),
	}
	if got := table(t, r, "t").Columns; !reflect.DeepEqual(got, want) {
		t.Errorf("columns:\n got %s\nwant %s", columnsText(got), columnsText(want))
	}
}
