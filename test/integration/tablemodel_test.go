package integration

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"

	gocql "github.com/apache/cassandra-gocql-driver/v2"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
	"github.com/cqlsync/cqlsync/internal/engine"
	"github.com/cqlsync/cqlsync/test/rig/testenv"
)

func ptrTo[T any](v T) *T { return &v }

// The live columns of the automobile table, exactly as system_schema.columns has them.
const automobileColumns = `manufacturer partition_key 0 none text
year clustering 0 asc int
model clustering 1 asc text
price regular -1 none decimal`

type clusterSession struct {
	name string
	s    *gocql.Session
}

// TestTableModelAutomobileOnTwoClusters: the cqlengine docs' sync_table(Automobile,
// keyspaces=[a, b], connections=[c1, c2]) creates the table on all four targets; resyncs with
// nothing to change run no DDL and write no status; deleting with Retain leaves the tables.
func TestTableModelAutomobileOnTwoClusters(t *testing.T) {
	rig := testenv.Cassandra(t)
	ns := newNamespace(t)
	s1, s2 := cqlSession(t, rig.Cluster1), cqlSession(t, rig.Cluster2)
	sfx := uniqueSuffix()
	ksA, ksB := "tm_auto_a_"+sfx, "tm_auto_b_"+sfx
	tmKeyspace(t, ksA, s1, s2)
	tmKeyspace(t, ksB, s1, s2)
	readyConnection(t, ns, "c1", rig.Cluster1, "", false)
	readyConnection(t, ns, "c2", rig.Cluster2, "", false)

	spec := automobile()
	spec.Connections = connNames("c1", "c2")
	spec.Keyspaces = tmKeyspaces(ksA, ksB)
	obj := tableModelObj(ns, "automobile", spec)
	mustCreate(t, obj)
	tm := waitSchema[cqlv1.TableModel](t, ns, "automobile", metav1.ConditionTrue, cqlv1.ReasonSynced, tableTimeout, nil)
	if tm.Status.TargetsSynced != "4/4" || tm.Status.Table != "automobile" || tm.Spec.Name != "automobile" || len(tm.Status.Targets) != 4 {
		t.Fatalf("status: %+v (spec.name %q)", tm.Status, tm.Spec.Name)
	}
	for _, tg := range tm.Status.Targets {
		// The message names what was applied, or (once the schema-change event of that DDL has
		// come back and a reconcile found nothing more to do) that the table matches the spec.
		if tg.State != cqlv1.TargetSynced || tg.LastSyncTime == nil || !strings.Contains(tg.Message, `"`+tg.Keyspace+`"."automobile"`) {
			t.Errorf("target %+v", tg)
		}
	}
	if d := meta.FindStatusCondition(tm.Status.Conditions, cqlv1.ConditionDrifted); d == nil || d.Status != metav1.ConditionFalse || d.Reason != cqlv1.ReasonNoDrift {
		t.Errorf("Drifted = %+v", d)
	}
	for _, cs := range []clusterSession{{"cluster1", s1}, {"cluster2", s2}} {
		for _, ks := range []string{ksA, ksB} {
			tbl := liveTable(t, cs.s, ks, "automobile")
			if tbl == nil {
				t.Fatalf("no table %s.automobile on %s", ks, cs.name)
			}
			if got := columnsText(tbl); got != automobileColumns {
				t.Errorf("%s %s.automobile columns:\n%s\nwant:\n%s", cs.name, ks, got, automobileColumns)
			}
		}
	}
	waitObjectEvent(t, ns, "TableModel", "automobile", "TableCreated", "c1/"+ksA+`: create table "`+ksA+`"."automobile"`)
	waitObjectEvent(t, ns, "TableModel", "automobile", "TableCreated", "c2/"+ksB)

	// Resyncs with nothing to change: no DDL on either cluster, no status write.
	assertQuiet(t, ns, "automobile", 4, "c1", "c2")

	// Retain: the resource goes, the tables stay.
	deleteAndWait(t, obj, tableTimeout)
	if liveTable(t, s1, ksA, "automobile") == nil || liveTable(t, s2, ksB, "automobile") == nil {
		t.Fatal("deletionPolicy Retain dropped a table")
	}
	waitObjectEvent(t, ns, "TableModel", "automobile", "TableRetained", "left in Cassandra")
}

// readingsSpec is a table with a composite partition key, a DESC clustering column, a static
// column and collections.
func readingsSpec(conn, keyspace string) cqlv1.TableModelSpec {
	return cqlv1.TableModelSpec{
		Name:        "readings",
		Connections: connNames(conn),
		Keyspaces:   tmKeyspaces(keyspace),
		Columns: []cqlv1.Column{
			{Name: "sensor", Type: "uuid"}, {Name: "day", Type: "date"}, {Name: "at", Type: "timestamp"},
			{Name: "v", Type: "varchar"}, {Name: "tags", Type: "set<text>"}, {Name: "attrs", Type: "MAP<text, text>"},
		},
		PartitionKey:  []cqlv1.ColumnName{"sensor", "day"},
		ClusteringKey: []cqlv1.ClusteringColumn{{Name: "at", Order: "DESC"}},
	}
}

// TestTableModelChangesApplied: columns added, options changed, indexes (legacy, SAI, keys()
// target, options) created, changed, kept when removed from the spec and dropped with
// allowDropIndexes; after each change a resync runs nothing, which proves that what Cassandra
// reports (full class names, normalised policies, upper-case caching, quoted targets) compares
// equal to the spec.
func TestTableModelChangesApplied(t *testing.T) {
	rig := testenv.Cassandra(t)
	ns := newNamespace(t)
	s1 := cqlSession(t, rig.Cluster1)
	ks := "tm_changes_" + uniqueSuffix()
	tmKeyspace(t, ks, s1)
	readyConnection(t, ns, "c1", rig.Cluster1, "", false)

	mustCreate(t, tableModelObj(ns, "readings", readingsSpec("c1", ks)))
	waitSchema[cqlv1.TableModel](t, ns, "readings", metav1.ConditionTrue, cqlv1.ReasonSynced, tableTimeout, nil)
	want := `sensor partition_key 0 none uuid
day partition_key 1 none date
at clustering 0 desc timestamp
attrs regular -1 none map<text, text>
tags regular -1 none set<text>
v regular -1 none text`
	if got := columnsText(liveTable(t, s1, ks, "readings")); got != want {
		t.Fatalf("columns:\n%s\nwant:\n%s", got, want)
	}

	// Add two columns, one static.
	updateObject(t, ns, "readings", func(tm *cqlv1.TableModel) {
		tm.Spec.Columns = append(tm.Spec.Columns, cqlv1.Column{Name: "site", Type: "text", Static: true}, cqlv1.Column{Name: "Note", Type: "frozen<tuple<int, text>>"})
	})
	waitSchema[cqlv1.TableModel](t, ns, "readings", metav1.ConditionTrue, cqlv1.ReasonSynced, tableTimeout, nil)
	tbl := liveTable(t, s1, ks, "readings")
	if c := tbl.Column("site"); c == nil || c.Kind != "static" || c.Type != "text" {
		t.Fatalf("site: %+v", c)
	}
	if c := tbl.Column("Note"); c == nil || c.Kind != "regular" || c.Type != "frozen<tuple<int, text>>" {
		t.Fatalf("Note: %+v", c)
	}
	waitObjectEvent(t, ns, "TableModel", "readings", "ColumnsAdded", `add 2 columns "site" text static, "Note" frozen<tuple<int, text>> to "`+ks+`"."readings"`)

	// Options, written the way users write them.
	updateObject(t, ns, "readings", func(tm *cqlv1.TableModel) {
		tm.Spec.Options = &cqlv1.TableOptions{
			Comment: ptrTo("it's a comment"), DefaultTimeToLive: ptrTo(int32(3600)), GCGraceSeconds: ptrTo(int32(7200)),
			BloomFilterFPChance: ptrTo("0.05"), SpeculativeRetry: ptrTo("95PERCENTILE"), ReadRepair: ptrTo("NONE"),
			Compaction:  map[string]string{"class": "LeveledCompactionStrategy", "sstable_size_in_mb": "64"},
			Compression: map[string]string{"class": "ZstdCompressor", "chunk_length_in_kb": "32"},
			Caching:     map[string]string{"keys": "none", "rows_per_partition": "10"},
		}
	})
	waitSchema[cqlv1.TableModel](t, ns, "readings", metav1.ConditionTrue, cqlv1.ReasonSynced, tableTimeout, nil)
	o := liveTable(t, s1, ks, "readings").Options
	if o.Comment != "it's a comment" || o.DefaultTimeToLive != 3600 || o.GCGraceSeconds != 7200 || o.BloomFilterFPChance != 0.05 ||
		o.SpeculativeRetry != "95p" || o.ReadRepair != "NONE" ||
		o.Compaction["class"] != "org.apache.cassandra.db.compaction.LeveledCompactionStrategy" || o.Compaction["sstable_size_in_mb"] != "64" ||
		o.Compression["class"] != "org.apache.cassandra.io.compress.ZstdCompressor" || o.Compression["chunk_length_in_kb"] != "32" ||
		o.Caching["keys"] != "NONE" || o.Caching["rows_per_partition"] != "10" {
		t.Fatalf("options: %+v", o)
	}
	waitObjectEvent(t, ns, "TableModel", "readings", "TableOptionsChanged", `comment '' -> 'it''s a comment'`, "default_time_to_live 0 -> 3600")
	assertQuiet(t, ns, "readings", 2, "c1")

	// Indexes: a legacy one on a set's values, SAI on a map's keys, SAI with options on text.
	updateObject(t, ns, "readings", func(tm *cqlv1.TableModel) {
		tm.Spec.Indexes = []cqlv1.Index{
			{Name: "by_tag", Column: "tags"},
			{Name: "By_Attr", Column: "attrs", Target: "keys", Using: "sai"},
			{Name: "by_v", Column: "v", Using: "StorageAttachedIndex", Options: map[string]string{"case_sensitive": "false"}},
		}
	})
	waitSchema[cqlv1.TableModel](t, ns, "readings", metav1.ConditionTrue, cqlv1.ReasonSynced, tableTimeout, nil)
	wantIdx := `By_Attr CUSTOM keys(attrs) sai
by_tag COMPOSITES values(tags)
by_v CUSTOM v StorageAttachedIndex`
	tbl = liveTable(t, s1, ks, "readings")
	if got := indexesText(tbl); got != wantIdx {
		t.Fatalf("indexes:\n%s\nwant:\n%s", got, wantIdx)
	}
	if tbl.Index("by_v").Options["case_sensitive"] != "false" {
		t.Fatalf("by_v options: %+v", tbl.Index("by_v").Options)
	}
	waitObjectEvent(t, ns, "TableModel", "readings", "IndexCreated", `create index "By_Attr" on "`+ks+`"."readings" (keys("attrs")) using 'sai'`)
	assertQuiet(t, ns, "readings", 2, "c1")

	// A changed definition: dropped and created again.
	updateObject(t, ns, "readings", func(tm *cqlv1.TableModel) { tm.Spec.Indexes[1].Target = "entries" })
	waitSchema[cqlv1.TableModel](t, ns, "readings", metav1.ConditionTrue, cqlv1.ReasonSynced, tableTimeout, func(tm *cqlv1.TableModel) error {
		if got := liveTable(t, s1, ks, "readings").Index("By_Attr"); got == nil || got.Options["target"] != "entries(attrs)" {
			return fmt.Errorf("By_Attr: %+v", got)
		}
		return nil
	})
	waitObjectEvent(t, ns, "TableModel", "readings", "IndexDropped", `drop index "By_Attr"`, "target keys(attrs) -> entries(attrs)")

	// Removed from the spec: kept and reported, then dropped once allowed.
	updateObject(t, ns, "readings", func(tm *cqlv1.TableModel) { tm.Spec.Indexes = tm.Spec.Indexes[:2] })
	tm := waitSchema[cqlv1.TableModel](t, ns, "readings", metav1.ConditionTrue, cqlv1.ReasonSynced, tableTimeout, func(tm *cqlv1.TableModel) error {
		if d := meta.FindStatusCondition(tm.Status.Conditions, cqlv1.ConditionDrifted); d == nil || d.Status != metav1.ConditionTrue || d.Reason != cqlv1.ReasonDriftKept {
			return fmt.Errorf("Drifted = %+v", d)
		}
		return nil
	})
	if tg, err := schemaTarget(tm, "c1", ks); err != nil || len(tg.Drift) != 1 || !strings.Contains(tg.Drift[0], `index "by_v" (on v using 'StorageAttachedIndex') is not in spec.indexes`) {
		t.Fatalf("drift: %+v %v", tg, err)
	}
	if liveTable(t, s1, ks, "readings").Index("by_v") == nil {
		t.Fatal("an index not in the spec was dropped without spec.allowDropIndexes")
	}
	waitObjectEvent(t, ns, "TableModel", "readings", "DriftDetected", `index "by_v"`)
	updateObject(t, ns, "readings", func(tm *cqlv1.TableModel) { tm.Spec.AllowDropIndexes = true })
	waitSchema[cqlv1.TableModel](t, ns, "readings", metav1.ConditionTrue, cqlv1.ReasonSynced, tableTimeout, func(tm *cqlv1.TableModel) error {
		if d := meta.FindStatusCondition(tm.Status.Conditions, cqlv1.ConditionDrifted); d == nil || d.Status != metav1.ConditionFalse {
			return fmt.Errorf("Drifted = %+v", d)
		}
		return nil
	})
	if liveTable(t, s1, ks, "readings").Index("by_v") != nil {
		t.Fatal("by_v was not dropped with allowDropIndexes")
	}
	waitObjectEvent(t, ns, "TableModel", "readings", "IndexDropped", `drop index "by_v"`, "not in spec.indexes")
}

// TestTableModelDriftCorrected: a column and an index dropped out of band are restored, an option
// changed out of band is set back, an extra live column (with an index on it) is reported and
// kept, and dropped only once the spec allows it.
func TestTableModelDriftCorrected(t *testing.T) {
	rig := testenv.Cassandra(t)
	ns := newNamespace(t)
	s1 := cqlSession(t, rig.Cluster1)
	ks := "tm_drift_" + uniqueSuffix()
	tmKeyspace(t, ks, s1)
	readyConnection(t, ns, "c1", rig.Cluster1, "", false)
	spec := readingsSpec("c1", ks)
	spec.Indexes = []cqlv1.Index{{Name: "by_tag", Column: "tags"}}
	spec.Options = &cqlv1.TableOptions{Comment: ptrTo("managed by cqlsync")}
	mustCreate(t, tableModelObj(ns, "readings", spec))
	waitSchema[cqlv1.TableModel](t, ns, "readings", metav1.ConditionTrue, cqlv1.ReasonSynced, tableTimeout, nil)
	q := `"` + ks + `"."readings"`

	// Out of band: a column, an index and an option.
	cql(t, s1, `DROP INDEX "`+ks+`"."by_tag"`, `ALTER TABLE `+q+` DROP "v"`, `ALTER TABLE `+q+` WITH comment = 'hacked'`)
	eventually(t, tableTimeout, func() error {
		tbl := liveTable(t, s1, ks, "readings")
		if c := tbl.Column("v"); c == nil || c.Type != "text" {
			return fmt.Errorf("column v not restored: %+v", c)
		}
		if tbl.Index("by_tag") == nil {
			return fmt.Errorf("index by_tag not restored")
		}
		if tbl.Options.Comment != "managed by cqlsync" {
			return fmt.Errorf("comment is %q", tbl.Options.Comment)
		}
		return nil
	})
	waitObjectEvent(t, ns, "TableModel", "readings", "ColumnsAdded", `"v" text`)
	waitObjectEvent(t, ns, "TableModel", "readings", "IndexCreated", `"by_tag"`)
	waitObjectEvent(t, ns, "TableModel", "readings", "TableOptionsChanged", `comment 'hacked' -> 'managed by cqlsync'`)

	// An extra column with an index on it: reported, kept.
	cql(t, s1, `ALTER TABLE `+q+` ADD "extra" int`, `CREATE INDEX "by_extra" ON `+q+` ("extra")`)
	tm := waitSchema[cqlv1.TableModel](t, ns, "readings", metav1.ConditionTrue, cqlv1.ReasonSynced, tableTimeout, func(tm *cqlv1.TableModel) error {
		d := meta.FindStatusCondition(tm.Status.Conditions, cqlv1.ConditionDrifted)
		if d == nil || d.Status != metav1.ConditionTrue || d.Reason != cqlv1.ReasonDriftKept || !strings.Contains(d.Message, `column "extra" int is not in spec.columns`) {
			return fmt.Errorf("Drifted = %+v", d)
		}
		// The two statements are two changes: the index may be seen a moment after the column.
		if tg, err := schemaTarget(tm, "c1", ks); err != nil || len(tg.Drift) != 2 {
			return fmt.Errorf("drift so far: %q %v", tg.Drift, err)
		}
		return nil
	})
	tg, err := schemaTarget(tm, "c1", ks)
	if err != nil || strings.Join(tg.Drift, "\n") != `index "by_extra" (on extra) is not in spec.indexes`+"\n"+`column "extra" int is not in spec.columns` {
		t.Fatalf("drift: %q %v", tg.Drift, err)
	}
	assertQuiet(t, ns, "readings", 2, "c1")
	if liveTable(t, s1, ks, "readings").Column("extra") == nil {
		t.Fatal("an extra column was dropped without spec.allowDropColumns")
	}

	// allowDropColumns alone: the index that is kept keeps its column too.
	updateObject(t, ns, "readings", func(tm *cqlv1.TableModel) { tm.Spec.AllowDropColumns = true })
	tm = waitSchema[cqlv1.TableModel](t, ns, "readings", metav1.ConditionTrue, cqlv1.ReasonSynced, tableTimeout, nil)
	if tg, _ := schemaTarget(tm, "c1", ks); len(tg.Drift) != 2 || !strings.Contains(tg.Drift[1], `index "by_extra" depends on it`) {
		t.Fatalf("drift: %q", tg.Drift)
	}
	// And with allowDropIndexes both go.
	updateObject(t, ns, "readings", func(tm *cqlv1.TableModel) { tm.Spec.AllowDropIndexes = true })
	waitSchema[cqlv1.TableModel](t, ns, "readings", metav1.ConditionTrue, cqlv1.ReasonSynced, tableTimeout, func(tm *cqlv1.TableModel) error {
		if d := meta.FindStatusCondition(tm.Status.Conditions, cqlv1.ConditionDrifted); d == nil || d.Status != metav1.ConditionFalse {
			return fmt.Errorf("Drifted = %+v", d)
		}
		return nil
	})
	tbl := liveTable(t, s1, ks, "readings")
	if tbl.Column("extra") != nil || tbl.Index("by_extra") != nil {
		t.Fatalf("extra column or index left: %s\n%s", columnsText(tbl), indexesText(tbl))
	}
	waitObjectEvent(t, ns, "TableModel", "readings", "ColumnsDropped", `drop 1 column "extra" from `+q)
}

// TestTableModelBlockedTargetDoesNotStopOthers: a live table whose primary key, clustering order
// or column type differs from the spec blocks that target, with the exact difference, and nothing
// runs there, while the other cluster gets the table. Once the live table is fixed by hand, the
// target syncs.
func TestTableModelBlockedTargetDoesNotStopOthers(t *testing.T) {
	rig := testenv.Cassandra(t)
	ns := newNamespace(t)
	s1, s2 := cqlSession(t, rig.Cluster1), cqlSession(t, rig.Cluster2)
	ks := "tm_blocked_" + uniqueSuffix()
	tmKeyspace(t, ks, s1, s2)
	readyConnection(t, ns, "c1", rig.Cluster1, "", false)
	readyConnection(t, ns, "c2", rig.Cluster2, "", false)
	cql(t, s1,
		`CREATE TABLE "`+ks+`"."pk" (manufacturer text, year int, model text, price decimal, PRIMARY KEY ((manufacturer, year), model))`,
		`CREATE TABLE "`+ks+`"."ck" (manufacturer text, year int, model text, price decimal, PRIMARY KEY (manufacturer, year, model)) WITH CLUSTERING ORDER BY (year ASC, model DESC)`,
		`CREATE TABLE "`+ks+`"."ty" (manufacturer text, year int, model text, price int, PRIMARY KEY (manufacturer, year, model))`,
	)
	cases := []struct {
		table, reason, message string
	}{
		{"pk", cqlv1.ReasonPrimaryKeyDiffers, `partition key: Cassandra has ("manufacturer", "year"), the spec says ("manufacturer"); clustering key: Cassandra has ("model" ASC), the spec says ("year" ASC, "model" ASC)`},
		{"ck", cqlv1.ReasonPrimaryKeyDiffers, `clustering order of "model": Cassandra has DESC, the spec says ASC`},
		{"ty", cqlv1.ReasonColumnTypeDiffers, `column "price": Cassandra has type int, the spec says decimal`},
	}
	for _, tc := range cases {
		spec := automobile()
		spec.Name = tc.table
		spec.Connections = connNames("c1", "c2")
		spec.Keyspaces = tmKeyspaces(ks)
		spec.Columns = append(spec.Columns, cqlv1.Column{Name: "color", Type: "text"}) // not added on the blocked target either
		mustCreate(t, tableModelObj(ns, "t-"+tc.table, spec))
	}
	for _, tc := range cases {
		tm := waitSchema[cqlv1.TableModel](t, ns, "t-"+tc.table, metav1.ConditionFalse, tc.reason, tableTimeout, func(tm *cqlv1.TableModel) error {
			if tm.Status.TargetsSynced != "1/2" {
				return fmt.Errorf("targets %s", tm.Status.TargetsSynced)
			}
			return nil
		})
		blocked, err := schemaTarget(tm, "c1", ks)
		if err != nil || blocked.State != cqlv1.TargetBlocked || blocked.Reason != tc.reason || !strings.HasPrefix(blocked.Message, tc.message) || !strings.Contains(blocked.Message, "; nothing was executed on this target") ||
			!strings.HasSuffix(blocked.Message, "with a Backfill, while the application writes to both: see "+engine.ExpandContractGuide) {
			t.Errorf("%s: c1 target %+v %v\nwant message starting %q", tc.table, blocked, err, tc.message)
		}
		if synced, err := schemaTarget(tm, "c2", ks); err != nil || synced.State != cqlv1.TargetSynced {
			t.Errorf("%s: c2 target %+v %v", tc.table, synced, err)
		}
		if d := meta.FindStatusCondition(tm.Status.Conditions, cqlv1.ConditionDrifted); d == nil || d.Status != metav1.ConditionTrue || d.Reason != cqlv1.ReasonDriftBlocked {
			t.Errorf("%s: Drifted = %+v", tc.table, d)
		}
		if tbl := liveTable(t, s2, ks, tc.table); tbl == nil || tbl.Column("color") == nil {
			t.Errorf("%s: not created on cluster2", tc.table)
		}
		if tbl := liveTable(t, s1, ks, tc.table); tbl.Column("color") != nil {
			t.Errorf("%s: a column was added on the blocked target", tc.table)
		}
		waitObjectEvent(t, ns, "TableModel", "t-"+tc.table, tc.reason, "c1/"+ks)
	}
	if st := ddlStats(ns, "c1"); st.Statements != 0 {
		t.Fatalf("%d statements ran on the blocked cluster", st.Statements)
	}

	// Fixed by hand (the old table dropped): the target syncs on its own.
	cql(t, s1, `DROP TABLE "`+ks+`"."ty"`)
	waitSchema[cqlv1.TableModel](t, ns, "t-ty", metav1.ConditionTrue, cqlv1.ReasonSynced, tableTimeout, nil)
	if got, want := columnsText(liveTable(t, s1, ks, "ty")), strings.Replace(automobileColumns, "\nprice", "\ncolor regular -1 none text\nprice", 1); got != want {
		t.Fatalf("ty on cluster1:\n%s", got)
	}
}

// TestTableModelWaitsForKeyspace: a missing keyspace leaves its target Pending (KeyspaceNotFound,
// saying whether a Keyspace resource manages it) while the others sync; a Keyspace resource
// created afterwards, or together with the TableModel, makes it converge.
func TestTableModelWaitsForKeyspace(t *testing.T) {
	rig := testenv.Cassandra(t)
	ns := newNamespace(t)
	s1 := cqlSession(t, rig.Cluster1)
	sfx := uniqueSuffix()
	present, late, together := "tm_present_"+sfx, "tm_late_"+sfx, "tm_together_"+sfx
	tmKeyspace(t, present, s1)
	dropAfter(t, late, s1)
	dropAfter(t, together, s1)
	readyConnection(t, ns, "c1", rig.Cluster1, "", false)

	spec := automobile()
	spec.Connections = connNames("c1")
	spec.Keyspaces = tmKeyspaces(present, late)
	mustCreate(t, tableModelObj(ns, "auto", spec))
	tm := waitSchema[cqlv1.TableModel](t, ns, "auto", metav1.ConditionFalse, cqlv1.ReasonKeyspaceNotFound, tableTimeout, nil)
	tg, err := schemaTarget(tm, "c1", late)
	if err != nil || tg.State != cqlv1.TargetPending || !strings.Contains(tg.Message, `keyspace "`+late+`" does not exist on this cluster and no Keyspace resource`) {
		t.Fatalf("late target: %+v %v", tg, err)
	}
	if tg, err := schemaTarget(tm, "c1", present); err != nil || tg.State != cqlv1.TargetSynced {
		t.Fatalf("present target: %+v %v", tg, err)
	}

	ksSpec := func(name string) cqlv1.KeyspaceSpec {
		rf := int32(1)
		return cqlv1.KeyspaceSpec{Name: name, Replication: cqlv1.KeyspaceReplication{Strategy: cqlv1.SimpleStrategy, ReplicationFactor: &rf},
			Connections: connNames("c1"), DeletionPolicy: cqlv1.DeletionPolicyDelete}
	}
	mustCreate(t, &cqlv1.Keyspace{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "late"}, Spec: ksSpec(late)})
	tm = waitSchema[cqlv1.TableModel](t, ns, "auto", metav1.ConditionTrue, cqlv1.ReasonSynced, tableTimeout, nil)
	if liveTable(t, s1, late, "auto") == nil || liveTable(t, s1, present, "auto") == nil {
		t.Fatalf("no table in the late keyspace; status %+v", tm.Status)
	}

	// Keyspace and TableModel applied together, TableModel first.
	spec2 := automobile()
	spec2.Connections = connNames("c1")
	spec2.Keyspaces = tmKeyspaces(together)
	mustCreate(t, tableModelObj(ns, "auto-together", spec2),
		&cqlv1.Keyspace{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "together"}, Spec: ksSpec(together)})
	waitSchema[cqlv1.TableModel](t, ns, "auto-together", metav1.ConditionTrue, cqlv1.ReasonSynced, tableTimeout, nil)
	if got := columnsText(liveTable(t, s1, together, "auto_together")); got != automobileColumns {
		t.Fatalf("columns:\n%s", got)
	}
}

// TestTableModelInvalidType: a type that does not parse or names no type of the keyspace makes the
// TableModel Ready=False InvalidType naming the column, and nothing runs on Cassandra; creating the
// missing user-defined type makes it converge.
func TestTableModelInvalidType(t *testing.T) {
	rig := testenv.Cassandra(t)
	ns := newNamespace(t)
	s1 := cqlSession(t, rig.Cluster1)
	ks := "tm_types_" + uniqueSuffix()
	tmKeyspace(t, ks, s1)
	readyConnection(t, ns, "c1", rig.Cluster1, "", false)
	base := func(typ string) cqlv1.TableModelSpec {
		return cqlv1.TableModelSpec{Connections: connNames("c1"), Keyspaces: tmKeyspaces(ks),
			Columns:      []cqlv1.Column{{Name: "id", Type: "uuid"}, {Name: "home", Type: typ}},
			PartitionKey: []cqlv1.ColumnName{"id"}}
	}
	cases := []struct{ name, typ, message string }{
		{"malformed", "list<>", `spec.columns[1] (home): invalid CQL type "list<>"`},
		{"unknown", "strnig", `spec.columns[1] (home): unknown type "strnig"`},
		{"udt-later", "frozen<address>", `spec.columns[1] (home): unknown type "address"`},
		{"injection", "int, x int) ; DROP KEYSPACE ks1; --", `spec.columns[1] (home): invalid CQL type`},
	}
	for _, tc := range cases {
		mustCreate(t, tableModelObj(ns, tc.name, base(tc.typ)))
	}
	for _, tc := range cases {
		tm := waitSchema[cqlv1.TableModel](t, ns, tc.name, metav1.ConditionFalse, cqlv1.ReasonInvalidType, tableTimeout, nil)
		tg, err := schemaTarget(tm, "c1", ks)
		if err != nil || tg.State != cqlv1.TargetFailed || !strings.Contains(tg.Message, tc.message) {
			t.Errorf("%s: %+v %v; want %q", tc.name, tg, err, tc.message)
		}
		if c := meta.FindStatusCondition(tm.Status.Conditions, cqlv1.ConditionReady); !strings.Contains(c.Message, tc.message) {
			t.Errorf("%s: Ready message %q lacks %q", tc.name, c.Message, tc.message)
		}
		waitObjectEvent(t, ns, "TableModel", tc.name, cqlv1.ReasonInvalidType, tc.message)
	}
	if st := ddlStats(ns, "c1"); st.Statements != 0 {
		t.Fatalf("%d statements ran for invalid types", st.Statements)
	}
	if live := readLive(t, s1, ks); len(live.Tables) != 0 {
		t.Fatalf("tables were created: %v", live.Tables)
	}

	cql(t, s1, `CREATE TYPE "`+ks+`"."address" (street text, city text)`)
	waitSchema[cqlv1.TableModel](t, ns, "udt-later", metav1.ConditionTrue, cqlv1.ReasonSynced, tableTimeout, nil)
	if c := liveTable(t, s1, ks, "udt_later").Column("home"); c == nil || c.Type != "frozen<address>" {
		t.Fatalf("home: %+v", c)
	}
}

// TestTableModelDeletionPolicies: Retain leaves the table, Delete drops it on every target; a
// target whose connection is gone does not hold the deletion.
func TestTableModelDeletionPolicies(t *testing.T) {
	rig := testenv.Cassandra(t)
	ns := newNamespace(t)
	s1, s2 := cqlSession(t, rig.Cluster1), cqlSession(t, rig.Cluster2)
	ks := "tm_delete_" + uniqueSuffix()
	tmKeyspace(t, ks, s1, s2)
	readyConnection(t, ns, "c1", rig.Cluster1, "", false)
	readyConnection(t, ns, "c2", rig.Cluster2, "", false)
	mk := func(name string, policy cqlv1.DeletionPolicy, conns ...string) *cqlv1.TableModel {
		spec := automobile()
		spec.Name = name
		spec.Connections = connNames(conns...)
		spec.Keyspaces = tmKeyspaces(ks)
		spec.DeletionPolicy = policy
		obj := tableModelObj(ns, strings.ReplaceAll(name, "_", "-"), spec)
		mustCreate(t, obj)
		return obj
	}
	retain := mk("kept", cqlv1.DeletionPolicyRetain, "c1", "c2")
	del := mk("dropped", cqlv1.DeletionPolicyDelete, "c1", "c2")
	waitSchema[cqlv1.TableModel](t, ns, "kept", metav1.ConditionTrue, cqlv1.ReasonSynced, tableTimeout, nil)
	waitSchema[cqlv1.TableModel](t, ns, "dropped", metav1.ConditionTrue, cqlv1.ReasonSynced, tableTimeout, nil)

	deleteAndWait(t, retain, tableTimeout)
	deleteAndWait(t, del, tableTimeout)
	for _, cs := range []clusterSession{{"cluster1", s1}, {"cluster2", s2}} {
		if liveTable(t, cs.s, ks, "kept") == nil {
			t.Errorf("%s: Retain dropped the table", cs.name)
		}
		if liveTable(t, cs.s, ks, "dropped") != nil {
			t.Errorf("%s: Delete left the table", cs.name)
		}
	}
	waitObjectEvent(t, ns, "TableModel", "dropped", "TableDropped", "c1/"+ks+`: drop table "`+ks+`"."dropped"`)
	waitObjectEvent(t, ns, "TableModel", "dropped", "TableDropped", "c2/"+ks)

	// A connection that no longer exists cannot hold the deletion.
	orphan := mk("orphan", cqlv1.DeletionPolicyDelete, "c1", "gone")
	waitSchema[cqlv1.TableModel](t, ns, "orphan", metav1.ConditionFalse, cqlv1.ReasonConnectionNotFound, tableTimeout, nil)
	deleteAndWait(t, orphan, tableTimeout)
	if liveTable(t, s1, ks, "orphan") != nil {
		t.Error("the reachable target kept the table")
	}
	waitObjectEvent(t, ns, "TableModel", "orphan", "TableNotDropped", `connection gone: table "orphan" was NOT dropped`)
}

// TestTableModelDefaultKeyspace: with no keyspaces, each connection's defaultKeyspace; a
// connection without one leaves its target Pending until it gets one; with no connections, the
// namespace default connection.
func TestTableModelDefaultKeyspace(t *testing.T) {
	rig := testenv.Cassandra(t)
	ns := newNamespace(t)
	s1, s2 := cqlSession(t, rig.Cluster1), cqlSession(t, rig.Cluster2)
	sfx := uniqueSuffix()
	k1, k2 := "tm_default_1_"+sfx, "tm_default_2_"+sfx
	tmKeyspace(t, k1, s1)
	tmKeyspace(t, k2, s2)
	readyConnection(t, ns, "c1", rig.Cluster1, k1, true)
	readyConnection(t, ns, "c2", rig.Cluster2, "", false)

	store := cqlv1.TableModelSpec{
		Connections: connNames("c1", "c2"),
		Columns: []cqlv1.Column{{Name: "sequence_id", Type: "uuid"}, {Name: "position", Type: "bigint"},
			{Name: "topic", Type: "text"}, {Name: "state", Type: "blob"}},
		PartitionKey:  []cqlv1.ColumnName{"sequence_id"},
		ClusteringKey: []cqlv1.ClusteringColumn{{Name: "position", Order: "DESC"}},
	}
	mustCreate(t, tableModelObj(ns, "integer-sequenced-items", store))
	tm := waitSchema[cqlv1.TableModel](t, ns, "integer-sequenced-items", metav1.ConditionFalse, cqlv1.ReasonNoDefaultKeyspace, tableTimeout, nil)
	if tm.Spec.Name != "integer_sequenced_items" || tm.Status.TargetsSynced != "1/2" {
		t.Fatalf("spec.name %q, targets %s", tm.Spec.Name, tm.Status.TargetsSynced)
	}
	if tg, err := schemaTarget(tm, "c2", ""); err != nil || tg.State != cqlv1.TargetPending || !strings.Contains(tg.Message, `CassandraConnection "c2" has no spec.defaultKeyspace`) {
		t.Fatalf("c2: %+v %v", tg, err)
	}
	want := `sequence_id partition_key 0 none uuid
position clustering 0 desc bigint
state regular -1 none blob
topic regular -1 none text`
	if got := columnsText(liveTable(t, s1, k1, "integer_sequenced_items")); got != want {
		t.Fatalf("columns:\n%s\nwant:\n%s", got, want)
	}

	// The connection gets a default keyspace: its target follows (the connection watch).
	eventually(t, 10*time.Second, func() error {
		c, err := getObject[cqlv1.CassandraConnection](ns, "c2")
		if err != nil {
			return err
		}
		c.Spec.DefaultKeyspace = k2
		return k8s.Update(ctx, c)
	})
	waitSchema[cqlv1.TableModel](t, ns, "integer-sequenced-items", metav1.ConditionTrue, cqlv1.ReasonSynced, tableTimeout, nil)
	if liveTable(t, s2, k2, "integer_sequenced_items") == nil {
		t.Fatal("not created in c2's default keyspace")
	}

	// No connections: the namespace default (c1) and its default keyspace.
	mustCreate(t, tableModelObj(ns, "on-default", cqlv1.TableModelSpec{
		Columns: []cqlv1.Column{{Name: "id", Type: "int"}}, PartitionKey: []cqlv1.ColumnName{"id"}}))
	tm = waitSchema[cqlv1.TableModel](t, ns, "on-default", metav1.ConditionTrue, cqlv1.ReasonSynced, tableTimeout, nil)
	if _, err := schemaTarget(tm, "c1", k1); err != nil {
		t.Fatal(err)
	}
}

// TestTableModelHostileNames: reserved words and mixed case as names, quotes and CQL in a comment:
// everything is quoted or escaped, exactly the intended statement runs, names come out exactly;
// names the CRD cannot accept are refused by the API server; a 200-column table works.
func TestTableModelHostileNames(t *testing.T) {
	rig := testenv.Cassandra(t)
	ns := newNamespace(t)
	s1 := cqlSession(t, rig.Cluster1)
	ks := "tm_Hostile_" + uniqueSuffix()
	tmKeyspace(t, ks, s1)
	readyConnection(t, ns, "c1", rig.Cluster1, "", false)
	comment := `x"; DROP KEYSPACE ` + ks + `; -- and '; DROP KEYSPACE ` + ks + `; --`
	mustCreate(t, tableModelObj(ns, "reserved", cqlv1.TableModelSpec{
		Name: "order", Connections: connNames("c1"), Keyspaces: tmKeyspaces(ks),
		Columns: []cqlv1.Column{{Name: "select", Type: "int"}, {Name: "key", Type: "map<text, int>"}, {Name: "from", Type: "text"},
			{Name: "Order", Type: "text"}, {Name: "MixedCase", Type: "int"}},
		PartitionKey:  []cqlv1.ColumnName{"select"},
		ClusteringKey: []cqlv1.ClusteringColumn{{Name: "Order"}},
		Indexes:       []cqlv1.Index{{Name: "Key_Index", Column: "key", Target: "keys"}, {Name: "from", Column: "from", Using: "sai"}},
		Options:       &cqlv1.TableOptions{Comment: &comment},
	}))
	waitSchema[cqlv1.TableModel](t, ns, "reserved", metav1.ConditionTrue, cqlv1.ReasonSynced, tableTimeout, nil)
	tbl := liveTable(t, s1, ks, "order")
	if tbl == nil {
		t.Fatal(`no table "order"`)
	}
	wantCols := `select partition_key 0 none int
Order clustering 0 asc text
MixedCase regular -1 none int
from regular -1 none text
key regular -1 none map<text, int>`
	if got := columnsText(tbl); got != wantCols {
		t.Fatalf("columns:\n%s\nwant:\n%s", got, wantCols)
	}
	if got, want := indexesText(tbl), "Key_Index COMPOSITES keys(key)\nfrom CUSTOM \"from\" sai"; got != want {
		t.Fatalf("indexes:\n%s\nwant:\n%s", got, want)
	}
	if tbl.Options.Comment != comment {
		t.Fatalf("comment %q", tbl.Options.Comment)
	}
	if readLive(t, s1, ks) == nil {
		t.Fatal("the keyspace is gone")
	}
	assertQuiet(t, ns, "reserved", 2, "c1")

	// Names the API server refuses.
	for _, bad := range []struct {
		name string
		spec func(s *cqlv1.TableModelSpec)
		want string
	}{
		{"quote", func(s *cqlv1.TableModelSpec) { s.Name = `a"b` }, "spec.name"},
		{"space", func(s *cqlv1.TableModelSpec) { s.Name = "a b" }, "spec.name"},
		{"semicolon", func(s *cqlv1.TableModelSpec) { s.Columns[3].Name = "x;DROP" }, "spec.columns[3].name"},
		{"injection", func(s *cqlv1.TableModelSpec) { s.Columns[3].Name = `x"; DROP KEYSPACE ks1; --` }, "spec.columns[3].name"},
	} {
		spec := automobile()
		spec.Connections = connNames("c1")
		bad.spec(&spec)
		err := k8s.Create(ctx, tableModelObj(ns, "bad-"+bad.name, spec))
		if err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("%s: %v", bad.name, err)
		}
	}

	// 200 columns.
	wide := cqlv1.TableModelSpec{Name: "wide", Connections: connNames("c1"), Keyspaces: tmKeyspaces(ks), PartitionKey: []cqlv1.ColumnName{"c000"}}
	for i := range 200 {
		wide.Columns = append(wide.Columns, cqlv1.Column{Name: cqlv1.ColumnName(fmt.Sprintf("c%03d", i)), Type: "text"})
	}
	mustCreate(t, tableModelObj(ns, "wide", wide))
	waitSchema[cqlv1.TableModel](t, ns, "wide", metav1.ConditionTrue, cqlv1.ReasonSynced, tableTimeout, nil)
	if tbl := liveTable(t, s1, ks, "wide"); tbl == nil || len(tbl.Columns) != 200 {
		t.Fatal("the wide table does not have 200 columns")
	}
}
