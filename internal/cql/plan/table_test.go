package plan

import (
	"slices"
	"strings"
	"testing"

	"github.com/cqlsync/cqlsync/internal/cql/introspect"
)

func ptr[T any](v T) *T { return &v }

// automobile is the cqlengine docs' model with a price.
func automobile(t testing.TB) Table {
	return Table{
		Keyspace: "ks1", Name: "automobile",
		Columns: []Column{
			{Name: "manufacturer", Type: typeOf(t, "text")}, {Name: "year", Type: typeOf(t, "int")},
			{Name: "model", Type: typeOf(t, "text")}, {Name: "price", Type: typeOf(t, "decimal")},
		},
		PartitionKey:  []string{"manufacturer"},
		ClusteringKey: []ClusteringColumn{{Name: "year"}, {Name: "model"}},
	}
}

// rich has every kind of column, options and indexes.
func rich(t testing.TB) Table {
	return Table{
		Keyspace: "ks1", Name: "sensor_readings",
		Columns: []Column{
			{Name: "sensor", Type: typeOf(t, "uuid")}, {Name: "day", Type: typeOf(t, "date")},
			{Name: "at", Type: typeOf(t, "timestamp")}, {Name: "site", Type: typeOf(t, "text"), Static: true},
			{Name: "tags", Type: typeOf(t, "set<text>")}, {Name: "attrs", Type: typeOf(t, "map<text, varchar>")},
			{Name: "values", Type: typeOf(t, "list<double>")}, {Name: "loc", Type: typeOf(t, "frozen<address>")},
		},
		PartitionKey:  []string{"sensor", "day"},
		ClusteringKey: []ClusteringColumn{{Name: "at", Descending: true}},
		Indexes: []Index{
			{Name: "readings_by_tag", Column: "tags"},
			{Name: "readings_by_attr", Column: "attrs", Target: "keys", Using: "sai"},
		},
		Options: TableOptions{
			Comment: ptr("sensor readings"), DefaultTimeToLive: ptr(int32(2592000)),
			Compaction: map[string]string{"class": "TimeWindowCompactionStrategy", "compaction_window_unit": "DAYS", "compaction_window_size": "1"},
		},
	}
}

type planCase struct {
	name        string
	desired     Table
	live        func(Table) *introspect.KeyspaceSchema // nil: the keyspace has no such table
	want        []string                               // CQL, in order
	wantKinds   []Kind
	wantBlocked []string // fragments of each blocking difference, in order
	wantDrift   []string // fragments of each drift entry, in order
}

func tableOf(ks *introspect.KeyspaceSchema, name string) *introspect.Table { return ks.Tables[name] }

func TestForTable(t *testing.T) {
	same := func(d Table) *introspect.KeyspaceSchema { return simulate(d) }
	without := func(mutate func(d *Table)) func(Table) *introspect.KeyspaceSchema {
		return func(d Table) *introspect.KeyspaceSchema {
			mutate(&d)
			return simulate(d)
		}
	}
	withLive := func(mutate func(lt *introspect.Table, ks *introspect.KeyspaceSchema)) func(Table) *introspect.KeyspaceSchema {
		return func(d Table) *introspect.KeyspaceSchema {
			ks := simulate(d)
			mutate(ks.Tables[d.Name], ks)
			return ks
		}
	}
	auto := automobile(t)
	r := rich(t)
	cases := []planCase{
		{name: "create the automobile table", desired: auto,
			want:      []string{`CREATE TABLE IF NOT EXISTS "ks1"."automobile" ("manufacturer" text, "year" int, "model" text, "price" decimal, PRIMARY KEY (("manufacturer"), "year", "model")) WITH CLUSTERING ORDER BY ("year" ASC, "model" ASC)`},
			wantKinds: []Kind{CreateTable}},
		{name: "create a rich table and its indexes", desired: r,
			want: []string{
				`CREATE TABLE IF NOT EXISTS "ks1"."sensor_readings" ("sensor" uuid, "day" date, "at" timestamp, "site" text static, "tags" set<text>, "attrs" map<text, text>, "values" list<double>, "loc" frozen<"address">, PRIMARY KEY (("sensor", "day"), "at")) WITH CLUSTERING ORDER BY ("at" DESC) AND "comment" = 'sensor readings' AND "default_time_to_live" = 2592000 AND "compaction" = {'class': 'TimeWindowCompactionStrategy', 'compaction_window_size': '1', 'compaction_window_unit': 'DAYS'}`,
				`CREATE INDEX IF NOT EXISTS "readings_by_tag" ON "ks1"."sensor_readings" (values("tags"))`,
				`CREATE CUSTOM INDEX IF NOT EXISTS "readings_by_attr" ON "ks1"."sensor_readings" (keys("attrs")) USING 'sai'`,
			},
			wantKinds: []Kind{CreateTable, CreateIndex, CreateIndex}},
		{name: "nothing to do (automobile)", desired: auto, live: same},
		{name: "nothing to do (rich: varchar is text, class names, sai spelt differently)", desired: r, live: withLive(func(lt *introspect.Table, _ *introspect.KeyspaceSchema) {
			lt.Index("readings_by_attr").Options["class_name"] = "org.apache.cassandra.index.sai.StorageAttachedIndex"
		})},
		{name: "add a column", desired: auto, live: without(func(d *Table) { d.Columns = d.Columns[:3] }),
			want: []string{`ALTER TABLE "ks1"."automobile" ADD "price" decimal`}, wantKinds: []Kind{AddColumns}},
		{name: "add several columns, one static", desired: r, live: without(func(d *Table) {
			d.Columns = slices.DeleteFunc(slices.Clone(d.Columns), func(c Column) bool { return c.Name == "site" || c.Name == "loc" })
		}), want: []string{`ALTER TABLE "ks1"."sensor_readings" ADD ("site" text static, "loc" frozen<"address">)`}, wantKinds: []Kind{AddColumns}},
		{name: "change options", desired: func() Table {
			d := auto
			d.Options = TableOptions{Comment: ptr("cars"), GCGraceSeconds: ptr(int32(3600)), BloomFilterFPChance: ptr(0.02),
				SpeculativeRetry: ptr("95PERCENTILE"), CDC: ptr(true), ReadRepair: ptr("NONE"),
				Caching: map[string]string{"keys": "NONE"}}
			return d
		}(), live: func(d Table) *introspect.KeyspaceSchema { return simulate(automobile(t)) },
			want:      []string{`ALTER TABLE "ks1"."automobile" WITH "comment" = 'cars' AND "gc_grace_seconds" = 3600 AND "bloom_filter_fp_chance" = 0.02 AND "speculative_retry" = '95PERCENTILE' AND "cdc" = true AND "read_repair" = 'NONE' AND "caching" = {'keys': 'NONE'}`},
			wantKinds: []Kind{AlterOptions}},
		{name: "options already as the spec says, in other spellings", desired: func() Table {
			d := auto
			d.Options = TableOptions{SpeculativeRetry: ptr("99PERCENTILE"), AdditionalWritePolicy: ptr("99.0p"), ReadRepair: ptr("blocking"),
				Caching:     map[string]string{"keys": "all"},
				Compaction:  map[string]string{"class": "org.apache.cassandra.db.compaction.SizeTieredCompactionStrategy", "min_threshold": "4.0"},
				Compression: map[string]string{"class": "LZ4Compressor", "enabled": "true"}}
			return d
		}(), live: func(Table) *introspect.KeyspaceSchema { return simulate(automobile(t)) }},
		{name: "an option changed out of band is set back", desired: r, live: withLive(func(lt *introspect.Table, _ *introspect.KeyspaceSchema) {
			lt.Options.Comment = "changed"
			lt.Options.Compaction = liveDefaults().Compaction
		}), want: []string{`ALTER TABLE "ks1"."sensor_readings" WITH "comment" = 'sensor readings' AND "compaction" = {'class': 'TimeWindowCompactionStrategy', 'compaction_window_size': '1', 'compaction_window_unit': 'DAYS'}`},
			wantKinds: []Kind{AlterOptions}},
		{name: "a compaction sub-option differs", desired: func() Table {
			d := auto
			d.Options.Compaction = map[string]string{"class": "SizeTieredCompactionStrategy", "min_threshold": "6"}
			return d
		}(), live: func(Table) *introspect.KeyspaceSchema { return simulate(automobile(t)) },
			want: []string{`ALTER TABLE "ks1"."automobile" WITH "compaction" = {'class': 'SizeTieredCompactionStrategy', 'min_threshold': '6'}`}},
		{name: "compression turned off", desired: func() Table {
			d := auto
			d.Options.Compression = map[string]string{"enabled": "false"}
			return d
		}(), live: func(Table) *introspect.KeyspaceSchema { return simulate(automobile(t)) },
			want: []string{`ALTER TABLE "ks1"."automobile" WITH "compression" = {'enabled': 'false'}`}},
		{name: "missing indexes are created", desired: r, live: without(func(d *Table) { d.Indexes = nil }),
			want: []string{
				`CREATE INDEX IF NOT EXISTS "readings_by_tag" ON "ks1"."sensor_readings" (values("tags"))`,
				`CREATE CUSTOM INDEX IF NOT EXISTS "readings_by_attr" ON "ks1"."sensor_readings" (keys("attrs")) USING 'sai'`,
			}, wantKinds: []Kind{CreateIndex, CreateIndex}},
		{name: "an index whose definition changed is dropped and created again", desired: r, live: without(func(d *Table) {
			d.Indexes = []Index{{Name: "readings_by_tag", Column: "tags", Using: "sai"}, {Name: "readings_by_attr", Column: "attrs", Target: "values", Using: "sai"}}
		}), want: []string{
			`DROP INDEX IF EXISTS "ks1"."readings_by_tag"`,
			`DROP INDEX IF EXISTS "ks1"."readings_by_attr"`,
			`CREATE INDEX IF NOT EXISTS "readings_by_tag" ON "ks1"."sensor_readings" (values("tags"))`,
			`CREATE CUSTOM INDEX IF NOT EXISTS "readings_by_attr" ON "ks1"."sensor_readings" (keys("attrs")) USING 'sai'`,
		}, wantKinds: []Kind{DropIndex, DropIndex, CreateIndex, CreateIndex}},
		{name: "custom index options differ", desired: func() Table {
			d := r
			d.Indexes = []Index{{Name: "by_site", Column: "site", Using: "sai", Options: map[string]string{"case_sensitive": "false"}}}
			return d
		}(), live: withLive(func(lt *introspect.Table, _ *introspect.KeyspaceSchema) {
			delete(lt.Index("by_site").Options, "case_sensitive")
		}), want: []string{
			`DROP INDEX IF EXISTS "ks1"."by_site"`,
			`CREATE CUSTOM INDEX IF NOT EXISTS "by_site" ON "ks1"."sensor_readings" ("site") USING 'sai' WITH OPTIONS = {'case_sensitive': 'false'}`,
		}},
		{name: "an extra index is kept and reported", desired: r, live: without(func(d *Table) {
			d.Indexes = append(slices.Clone(d.Indexes), Index{Name: "by_site", Column: "site"})
		}), wantDrift: []string{`index "by_site" (on site) is not in spec.indexes`}},
		{name: "an extra index is dropped when allowed", desired: func() Table { d := r; d.AllowDropIndexes = true; return d }(), live: without(func(d *Table) {
			d.Indexes = append(slices.Clone(d.Indexes), Index{Name: "by_site", Column: "site"})
		}), want: []string{`DROP INDEX IF EXISTS "ks1"."by_site"`}, wantKinds: []Kind{DropIndex}},
		{name: "an extra column is kept and reported", desired: auto, live: without(func(d *Table) {
			d.Columns = append(slices.Clone(d.Columns), Column{Name: "color", Type: typeOf(t, "text")})
		}), wantDrift: []string{`column "color" text is not in spec.columns`}},
		{name: "an extra column is dropped when allowed", desired: func() Table { d := auto; d.AllowDropColumns = true; return d }(), live: without(func(d *Table) {
			d.Columns = append(slices.Clone(d.Columns), Column{Name: "color", Type: typeOf(t, "text")}, Column{Name: "Owner", Type: typeOf(t, "text")})
		}), want: []string{`ALTER TABLE "ks1"."automobile" DROP ("Owner", "color")`}, wantKinds: []Kind{DropColumns}},
		{name: "an extra column an extra index depends on is kept", desired: func() Table { d := auto; d.AllowDropColumns = true; return d }(), live: without(func(d *Table) {
			d.Columns = append(slices.Clone(d.Columns), Column{Name: "color", Type: typeOf(t, "text")})
			d.Indexes = []Index{{Name: "by_color", Column: "color"}}
		}), wantDrift: []string{`index "by_color" (on color) is not in spec.indexes`, `column "color" text is not in spec.columns but is kept: index "by_color" depends on it`}},
		{name: "everything at once, in order", desired: func() Table {
			d := r
			d.AllowDropColumns, d.AllowDropIndexes = true, true
			d.Options.Comment = ptr("new")
			return d
		}(), live: without(func(d *Table) {
			d.Columns = append(slices.DeleteFunc(slices.Clone(d.Columns), func(c Column) bool { return c.Name == "values" }),
				Column{Name: "old", Type: typeOf(t, "int")})
			d.Indexes = []Index{{Name: "readings_by_tag", Column: "tags", Target: "values", Using: "sai"}, {Name: "by_old", Column: "old", Using: "sai"}}
			d.Options.Comment = ptr("old")
		}), want: []string{
			`DROP INDEX IF EXISTS "ks1"."readings_by_tag"`,
			`DROP INDEX IF EXISTS "ks1"."by_old"`,
			`ALTER TABLE "ks1"."sensor_readings" DROP "old"`,
			`ALTER TABLE "ks1"."sensor_readings" ADD "values" list<double>`,
			`ALTER TABLE "ks1"."sensor_readings" WITH "comment" = 'new'`,
			`CREATE INDEX IF NOT EXISTS "readings_by_tag" ON "ks1"."sensor_readings" (values("tags"))`,
			`CREATE CUSTOM INDEX IF NOT EXISTS "readings_by_attr" ON "ks1"."sensor_readings" (keys("attrs")) USING 'sai'`,
		}, wantKinds: []Kind{DropIndex, DropIndex, DropColumns, AddColumns, AlterOptions, CreateIndex, CreateIndex}},
		{name: "partition key differs", desired: auto, live: without(func(d *Table) {
			d.PartitionKey = []string{"manufacturer", "year"}
			d.ClusteringKey = []ClusteringColumn{{Name: "model"}}
		}), wantBlocked: []string{`partition key: Cassandra has ("manufacturer", "year"), the spec says ("manufacturer")`,
			`clustering key: Cassandra has ("model" ASC), the spec says ("year" ASC, "model" ASC)`}},
		{name: "clustering order differs", desired: auto, live: without(func(d *Table) {
			d.ClusteringKey = []ClusteringColumn{{Name: "year", Descending: true}, {Name: "model"}}
			d.Columns = d.Columns[:3] // a missing column is not added either
		}), wantBlocked: []string{`clustering order of "year": Cassandra has DESC, the spec says ASC`}},
		{name: "a column type differs", desired: auto, live: without(func(d *Table) {
			d.Columns = slices.Clone(d.Columns)
			d.Columns[3].Type = typeOf(t, "varint")
			d.Options.Comment = ptr("x") // an option change is not applied either
		}), wantBlocked: []string{`column "price": Cassandra has type varint, the spec says decimal`}},
		{name: "a key column type differs", desired: auto, live: without(func(d *Table) {
			d.Columns = slices.Clone(d.Columns)
			d.Columns[1].Type = typeOf(t, "bigint")
		}), wantBlocked: []string{`column "year": Cassandra has type bigint, the spec says int`}},
		{name: "a collection frozen in Cassandra", desired: r, live: without(func(d *Table) {
			d.Columns = slices.Clone(d.Columns)
			d.Columns[4].Type = typeOf(t, "frozen<set<text>>")
			d.Indexes = nil
		}), wantBlocked: []string{`column "tags": Cassandra has type frozen<set<text>>, the spec says set<text>`}},
		{name: "static differs", desired: r, live: without(func(d *Table) {
			d.Columns = slices.Clone(d.Columns)
			d.Columns[3].Static = false
		}), wantBlocked: []string{`column "site": Cassandra has it not static, the spec says static`}},
		{name: "an index name is used by another table", desired: r, live: func(d Table) *introspect.KeyspaceSchema {
			ks := simulate(automobile(t))
			ks.Tables["automobile"].Indexes = []introspect.Index{{Name: "readings_by_tag", Table: "automobile", Kind: introspect.IndexKindComposites, Options: map[string]string{"target": "model"}}}
			ks.IndexTables["readings_by_tag"] = "automobile"
			return ks
		}, wantBlocked: []string{`index "readings_by_tag" of spec.indexes already exists on table "automobile" of keyspace "ks1"`}},
		{name: "blocked and drifted together", desired: auto, live: without(func(d *Table) {
			d.Columns = append(slices.Clone(d.Columns), Column{Name: "color", Type: typeOf(t, "text")})
			d.Columns[3].Type = typeOf(t, "float")
		}), wantBlocked: []string{`column "price"`}, wantDrift: []string{`column "color" text`}},
		{name: "quoted and reserved names", desired: Table{Keyspace: "Ks", Name: "order", Columns: []Column{
			{Name: "select", Type: typeOf(t, "int")}, {Name: "From", Type: typeOf(t, "text")}, {Name: `key`, Type: typeOf(t, "map<text, int>")}},
			PartitionKey: []string{"select"}, Indexes: []Index{{Name: "Order_By_Key", Column: "key", Target: "keys"}, {Name: "by_from", Column: "From", Using: "sai"}}},
			want: []string{
				`CREATE TABLE IF NOT EXISTS "Ks"."order" ("select" int, "From" text, "key" map<text, int>, PRIMARY KEY (("select")))`,
				`CREATE INDEX IF NOT EXISTS "Order_By_Key" ON "Ks"."order" (keys("key"))`,
				`CREATE CUSTOM INDEX IF NOT EXISTS "by_from" ON "Ks"."order" ("From") USING 'sai'`,
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var ks *introspect.KeyspaceSchema
			if tc.live != nil {
				ks = tc.live(tc.desired)
			}
			res := ForTable(tc.desired, ks)
			var got []string
			for _, s := range res.Plan {
				got = append(got, s.CQL)
				if s.Summary == "" {
					t.Errorf("statement without a summary: %s", s.CQL)
				}
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("plan:\n got: %s\nwant: %s", strings.Join(got, "\n      "), strings.Join(tc.want, "\n      "))
			}
			if tc.wantKinds != nil {
				var kinds []Kind
				for _, s := range res.Plan {
					kinds = append(kinds, s.Kind)
				}
				if !slices.Equal(kinds, tc.wantKinds) {
					t.Errorf("kinds = %v, want %v", kinds, tc.wantKinds)
				}
			}
			checkFragments(t, "blocked", differenceMessages(res.Blocked), tc.wantBlocked)
			checkFragments(t, "drift", res.Drift, tc.wantDrift)
			if len(res.Blocked) > 0 && len(res.Plan) > 0 {
				t.Errorf("a blocked target must plan nothing: %+v", res.Plan)
			}
		})
	}
}

func differenceMessages(ds []Difference) []string {
	var out []string
	for _, d := range ds {
		out = append(out, d.Message)
	}
	return out
}

func checkFragments(t *testing.T, what string, got, want []string) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s = %q, want %d entries saying %q", what, got, len(want), want)
		return
	}
	for i := range want {
		if !strings.Contains(got[i], want[i]) {
			t.Errorf("%s[%d] = %q, want it to say %q", what, i, got[i], want[i])
		}
	}
}

func TestBlockedKinds(t *testing.T) {
	auto := automobile(t)
	live := simulate(auto)
	lt := live.Tables["automobile"]
	lt.Columns[0].Kind = introspect.KindClustering // manufacturer is no longer the partition key
	res := ForTable(auto, live)
	if len(res.Blocked) == 0 || res.Blocked[0].Kind != DiffPartitionKey {
		t.Fatalf("want a partition key difference first, got %+v", res.Blocked)
	}
}

func TestSummaries(t *testing.T) {
	r := rich(t)
	p := ForTable(r, nil).Plan
	want := []string{
		`create table "ks1"."sensor_readings" (8 columns, primary key (("sensor", "day"), "at" DESC))`,
		`create index "readings_by_tag" on "ks1"."sensor_readings" (values("tags"))`,
		`create index "readings_by_attr" on "ks1"."sensor_readings" (keys("attrs")) using 'sai'`,
	}
	for i, s := range p {
		if s.Summary != want[i] {
			t.Errorf("summary %d = %q, want %q", i, s.Summary, want[i])
		}
	}
	live := simulate(r)
	live.Tables[r.Name].Options.Comment = "old"
	live.Tables[r.Name].Options.DefaultTimeToLive = 0
	p = ForTable(r, live).Plan
	if len(p) != 1 || p[0].Summary != `alter table "ks1"."sensor_readings": comment 'old' -> 'sensor readings', default_time_to_live 0 -> 2592000` {
		t.Errorf("alter summary: %+v", p)
	}
	if d := DropTableIfExists("ks", "t"); len(d) != 1 || d[0].CQL != `DROP TABLE IF EXISTS "ks"."t"` || d[0].Kind != DropTable {
		t.Errorf("drop: %+v", d)
	}
}

func TestNormalizeRetryPolicy(t *testing.T) {
	for in, want := range map[string]string{
		"99p": "99p", "99PERCENTILE": "99p", "99.0p": "99p", "99.90p": "99.9p", "50.55556P": "50.5556p",
		"50ms": "50ms", "50MS": "50ms", "50.7ms": "50ms", "NONE": "NEVER", "never": "NEVER", "always": "ALWAYS",
		"min(50ms, 90p)": "MIN(90p,50ms)", "MAX(99PERCENTILE,10MS)": "MAX(99p,10ms)",
		"weird": "WEIRD", "": "", "MIN(": "MIN(", "xp": "XP", "1e400p": "1E400P",
	} {
		if got := NormalizeRetryPolicy(in); got != want {
			t.Errorf("NormalizeRetryPolicy(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNormalizeClasses(t *testing.T) {
	for in, want := range map[string]string{
		"org.apache.cassandra.db.compaction.LeveledCompactionStrategy": "LeveledCompactionStrategy",
		"LeveledCompactionStrategy":                                    "LeveledCompactionStrategy",
		"org.apache.cassandra.io.compress.ZstdCompressor":              "ZstdCompressor",
		"com.example.MyStrategy":                                       "com.example.MyStrategy",
	} {
		if got := NormalizeOptionClass(in); got != want {
			t.Errorf("NormalizeOptionClass(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{
		"sai": "StorageAttachedIndex", "SAI": "StorageAttachedIndex", "StorageAttachedIndex": "StorageAttachedIndex",
		"org.apache.cassandra.index.sai.StorageAttachedIndex": "StorageAttachedIndex", "SASIIndex": "SASIIndex",
		"org.apache.cassandra.index.sasi.SASIIndex": "SASIIndex", "com.example.Idx": "com.example.Idx",
	} {
		if got := NormalizeIndexClass(in); got != want {
			t.Errorf("NormalizeIndexClass(%q) = %q, want %q", in, got, want)
		}
	}
}
