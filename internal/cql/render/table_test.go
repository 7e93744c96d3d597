package render

import "testing"

// typ is a CQLType for tests: the text is taken as already rendered.
type typ string

func (t typ) CQL() string { return string(t) }

func TestTableStatements(t *testing.T) {
	tests := []struct {
		name string
		got  string
		want string
	}{
		{"create, one partition key column, no clustering",
			CreateTable(Table{Keyspace: "ks", Name: "t", Columns: []Column{{Name: "id", Type: typ("uuid")}, {Name: "v", Type: typ("text")}}, PartitionKey: []string{"id"}}),
			`CREATE TABLE IF NOT EXISTS "ks"."t" ("id" uuid, "v" text, PRIMARY KEY (("id")))`},
		{"create, automobile",
			CreateTable(Table{Keyspace: "ks1", Name: "automobile", Columns: []Column{
				{Name: "manufacturer", Type: typ("text")}, {Name: "year", Type: typ("int")}, {Name: "model", Type: typ("text")}, {Name: "price", Type: typ("decimal")}},
				PartitionKey: []string{"manufacturer"}, Clustering: []ClusteringColumn{{Name: "year"}, {Name: "model"}}}),
			`CREATE TABLE IF NOT EXISTS "ks1"."automobile" ("manufacturer" text, "year" int, "model" text, "price" decimal, PRIMARY KEY (("manufacturer"), "year", "model")) WITH CLUSTERING ORDER BY ("year" ASC, "model" ASC)`},
		{"create, composite key, DESC, static, options",
			CreateTable(Table{Keyspace: "ks", Name: "Readings", Columns: []Column{
				{Name: "sensor", Type: typ("uuid")}, {Name: "day", Type: typ("date")}, {Name: "at", Type: typ("timestamp")},
				{Name: "site", Type: typ("text"), Static: true}, {Name: "loc", Type: typ(`frozen<"address">`)}},
				PartitionKey: []string{"sensor", "day"}, Clustering: []ClusteringColumn{{Name: "at", Descending: true}},
				Options: []Option{StringOption("comment", "it's"), IntOption("default_time_to_live", 86400),
					MapOption("compaction", map[string]string{"class": "TimeWindowCompactionStrategy", "compaction_window_unit": "DAYS"}),
					FloatOption("bloom_filter_fp_chance", 0.01), BoolOption("cdc", false)}}),
			`CREATE TABLE IF NOT EXISTS "ks"."Readings" ("sensor" uuid, "day" date, "at" timestamp, "site" text static, "loc" frozen<"address">, PRIMARY KEY (("sensor", "day"), "at")) WITH CLUSTERING ORDER BY ("at" DESC) AND "comment" = 'it''s' AND "default_time_to_live" = 86400 AND "compaction" = {'class': 'TimeWindowCompactionStrategy', 'compaction_window_unit': 'DAYS'} AND "bloom_filter_fp_chance" = 0.01 AND "cdc" = false`},
		{"create, hostile names",
			CreateTable(Table{Keyspace: `k"s`, Name: `x"; DROP KEYSPACE ks1; --`, Columns: []Column{{Name: "select", Type: typ("int")}, {Name: `a"b`, Type: typ("text")}},
				PartitionKey: []string{"select"}, Options: []Option{StringOption("comment", `'; DROP KEYSPACE ks1; --`)}}),
			`CREATE TABLE IF NOT EXISTS "k""s"."x""; DROP KEYSPACE ks1; --" ("select" int, "a""b" text, PRIMARY KEY (("select"))) WITH "comment" = '''; DROP KEYSPACE ks1; --'`},
		{"add one", AlterTableAdd("ks", "t", []Column{{Name: "c", Type: typ("int")}}), `ALTER TABLE "ks"."t" ADD "c" int`},
		{"add several", AlterTableAdd("ks", "t", []Column{{Name: "c", Type: typ("int")}, {Name: "S", Type: typ("set<text>"), Static: true}}),
			`ALTER TABLE "ks"."t" ADD ("c" int, "S" set<text> static)`},
		{"drop one", AlterTableDrop("ks", "t", []string{"c"}), `ALTER TABLE "ks"."t" DROP "c"`},
		{"drop several", AlterTableDrop("ks", "t", []string{"c", "order"}), `ALTER TABLE "ks"."t" DROP ("c", "order")`},
		{"with options", AlterTableWith("ks", "t", []Option{StringOption("comment", "x"), IntOption("gc_grace_seconds", 3600),
			MapOption("caching", map[string]string{"keys": "ALL", "rows_per_partition": "NONE"})}),
			`ALTER TABLE "ks"."t" WITH "comment" = 'x' AND "gc_grace_seconds" = 3600 AND "caching" = {'keys': 'ALL', 'rows_per_partition': 'NONE'}`},
		{"zero option never splices nothing", AlterTableWith("ks", "t", []Option{{}}), `ALTER TABLE "ks"."t" WITH "" = ''`},
		{"drop table", DropTable("ks", "t"), `DROP TABLE IF EXISTS "ks"."t"`},
		{"legacy index", CreateIndex(Index{Keyspace: "ks", Table: "t", Name: "t_by_model", Column: "model"}),
			`CREATE INDEX IF NOT EXISTS "t_by_model" ON "ks"."t" ("model")`},
		{"legacy index, options ignored", CreateIndex(Index{Keyspace: "ks", Table: "t", Name: "i", Column: "c", Options: map[string]string{"a": "b"}}),
			`CREATE INDEX IF NOT EXISTS "i" ON "ks"."t" ("c")`},
		{"keys", CreateIndex(Index{Keyspace: "ks", Table: "t", Name: "i", Column: "m", Target: TargetKeys}), `CREATE INDEX IF NOT EXISTS "i" ON "ks"."t" (keys("m"))`},
		{"values", CreateIndex(Index{Keyspace: "ks", Table: "t", Name: "i", Column: "l", Target: TargetValues}), `CREATE INDEX IF NOT EXISTS "i" ON "ks"."t" (values("l"))`},
		{"entries", CreateIndex(Index{Keyspace: "ks", Table: "t", Name: "i", Column: "m", Target: TargetEntries}), `CREATE INDEX IF NOT EXISTS "i" ON "ks"."t" (entries("m"))`},
		{"full", CreateIndex(Index{Keyspace: "ks", Table: "t", Name: "i", Column: "f", Target: TargetFull}), `CREATE INDEX IF NOT EXISTS "i" ON "ks"."t" (full("f"))`},
		{"unknown target is the column", CreateIndex(Index{Keyspace: "ks", Table: "t", Name: "i", Column: "f", Target: `x")) ; --`}), `CREATE INDEX IF NOT EXISTS "i" ON "ks"."t" ("f")`},
		{"sai", CreateIndex(Index{Keyspace: "ks", Table: "t", Name: "i", Column: "c", Using: "sai"}), `CREATE CUSTOM INDEX IF NOT EXISTS "i" ON "ks"."t" ("c") USING 'sai'`},
		{"sai with options", CreateIndex(Index{Keyspace: "ks", Table: "t", Name: "i", Column: "c", Using: "StorageAttachedIndex",
			Options: map[string]string{"case_sensitive": "false", "normalize": "true"}}),
			`CREATE CUSTOM INDEX IF NOT EXISTS "i" ON "ks"."t" ("c") USING 'StorageAttachedIndex' WITH OPTIONS = {'case_sensitive': 'false', 'normalize': 'true'}`},
		{"sai on map entries", CreateIndex(Index{Keyspace: "ks", Table: "t", Name: "i", Column: "m", Target: TargetEntries, Using: "sai"}),
			`CREATE CUSTOM INDEX IF NOT EXISTS "i" ON "ks"."t" (entries("m")) USING 'sai'`},
		{"drop index", DropIndex("ks", `i"x`), `DROP INDEX IF EXISTS "ks"."i""x"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("\n got: %s\nwant: %s", tt.got, tt.want)
			}
		})
	}
}

func TestOptionAccessors(t *testing.T) {
	o := StringOption("comment", "a'b")
	if o.Name() != "comment" || o.Literal() != `'a''b'` {
		t.Fatalf("%q %q", o.Name(), o.Literal())
	}
	if got := TargetExpr("MyCol", ""); got != `"MyCol"` {
		t.Fatal(got)
	}
}

func TestColumnWithoutType(t *testing.T) {
	// A column without a type must still render as one token Cassandra rejects, not as nothing.
	got := AlterTableAdd("ks", "t", []Column{{Name: "c"}})
	if got != `ALTER TABLE "ks"."t" ADD "c" <no type>` {
		t.Fatal(got)
	}
}
