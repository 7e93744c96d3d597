package introspect

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	gocql "github.com/apache/cassandra-gocql-driver/v2"

	"github.com/cqlsync/cqlsync/test/rig/testenv"
)

// TestReadKeyspaceSchemaOnCassandra reads a keyspace with two tables, a user-defined type and
// indexes from a real cluster, and checks what the cache reads: the whole keyspace once; then,
// without events, one query per lookup to check it, and only what changed when it did; with
// events, nothing but the objects marked.
func TestReadKeyspaceSchemaOnCassandra(t *testing.T) {
	rig := testenv.Cassandra(t)
	ctx := context.Background()
	cc := gocql.NewCluster(rig.Cluster1)
	cc.Timeout = 30 * time.Second
	s, err := gocql.NewSession(*cc)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close) // after the drop below: cleanups run last registered first
	ks := fmt.Sprintf("Introspect_%d", time.Now().UnixNano()%1000000)
	q := `"` + ks + `"`
	run := func(stmts ...string) {
		t.Helper()
		for _, st := range stmts {
			if err := s.Query(st).Exec(); err != nil {
				t.Fatalf("%s: %v", st, err)
			}
		}
	}
	t.Cleanup(func() {
		if err := s.Query(`DROP KEYSPACE IF EXISTS ` + q).Exec(); err != nil {
			t.Logf("dropping %s: %v", ks, err)
		}
	})

	cache := NewSchemaCache()
	if got, err := cache.Keyspace(ctx, "c", s, ks); err != nil || got != nil {
		t.Fatalf("a missing keyspace: %+v %v", got, err)
	}
	if st := cache.Stats(); st.SchemaQueries != 1 || st.FullReads != 1 {
		t.Fatalf("a missing keyspace costs one query: %+v", st)
	}
	cache.Forget("c", ks) // as its CREATED event will

	run(`CREATE KEYSPACE `+q+` WITH replication = {'class': 'SimpleStrategy', 'replication_factor': '1'}`,
		`CREATE TYPE `+q+`."Addr" (street text)`,
		`CREATE TYPE `+q+`.person ("Home" frozen<"Addr">, tags set<text>, pair tuple<int, list<int>>)`,
		`CREATE TABLE `+q+`.t1 (a int, b text, "C" frozen<"Addr">, s int static, m map<text, int>, PRIMARY KEY ((a), b)) WITH CLUSTERING ORDER BY (b DESC) AND comment = 'x'`,
		`CREATE TABLE `+q+`.t2 (id uuid PRIMARY KEY, v text)`,
		`CREATE INDEX i_m ON `+q+`.t1 (keys(m))`,
		`CREATE CUSTOM INDEX i_v ON `+q+`.t2 (v) USING 'sai'`)

	got, err := cache.Keyspace(ctx, "c", s, ks)
	if err != nil || got == nil {
		t.Fatalf("%+v %v", got, err)
	}
	if st := cache.Stats(); st.SchemaQueries != 1+SchemaQueriesPerKeyspace {
		t.Fatalf("reading a keyspace must cost %d queries: %+v", SchemaQueriesPerKeyspace, st)
	}
	if len(got.Tables) != 2 || !got.HasType("Addr") || got.HasType("addr") || got.IndexTables["i_v"] != "t2" {
		t.Fatalf("keyspace: %+v", got)
	}
	if got.Replication["replication_factor"] != "1" || got.Replication["class"] != "org.apache.cassandra.locator.SimpleStrategy" || !got.DurableWrites {
		t.Fatalf("keyspace row: %+v %v", got.Replication, got.DurableWrites)
	}
	// Fields in the order of creation, types as Cassandra reports them.
	wantFields := []Field{{Name: "Home", Type: `frozen<"Addr">`}, {Name: "tags", Type: "set<text>"}, {Name: "pair", Type: "frozen<tuple<int, frozen<list<int>>>>"}}
	if p := got.Types["person"]; p == nil || p.Keyspace != ks || fmt.Sprint(p.Fields) != fmt.Sprint(wantFields) {
		t.Fatalf("type person: %+v, want fields %+v", p, wantFields)
	}
	t1 := got.Tables["t1"]
	want := []Column{
		{Name: "a", Kind: KindPartitionKey, Position: 0, ClusteringOrder: "none", Type: "int"},
		{Name: "b", Kind: KindClustering, Position: 0, ClusteringOrder: "desc", Type: "text"},
		{Name: "C", Kind: KindRegular, Position: -1, ClusteringOrder: "none", Type: `frozen<"Addr">`},
		{Name: "m", Kind: KindRegular, Position: -1, ClusteringOrder: "none", Type: "map<text, int>"},
		{Name: "s", Kind: KindStatic, Position: -1, ClusteringOrder: "none", Type: "int"},
	}
	if fmt.Sprint(t1.Columns) != fmt.Sprint(want) {
		t.Fatalf("columns:\n%+v\nwant\n%+v", t1.Columns, want)
	}
	if t1.Options.Comment != "x" || t1.Options.Compaction["class"] != "org.apache.cassandra.db.compaction.SizeTieredCompactionStrategy" || t1.Options.GCGraceSeconds != 864000 {
		t.Fatalf("options: %+v", t1.Options)
	}
	if ix := t1.Index("i_m"); ix == nil || ix.Kind != IndexKindComposites || ix.Options["target"] != "keys(m)" {
		t.Fatalf("i_m: %+v", ix)
	}
	if ix := got.Tables["t2"].Index("i_v"); ix == nil || ix.Kind != IndexKindCustom || ix.Options["class_name"] != "sai" {
		t.Fatalf("i_v: %+v", ix)
	}

	// No change, no events: one query per lookup checks it, and the cached copy is returned
	// (concurrent lookups may share a check that started after them).
	before := cache.Stats()
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if again, err := cache.Keyspace(ctx, "c", s, ks); err != nil || again != got {
				t.Errorf("a lookup without a schema change must return the cached copy: %v", err)
			}
		})
	}
	wg.Wait()
	st := cache.Stats()
	if checks := st.ChangeChecks - before.ChangeChecks; st.SchemaQueries-before.SchemaQueries != checks || checks+st.Hits-before.Hits != 8 || checks == 0 {
		t.Fatalf("cache stats %+v after %+v", st, before)
	}
	// Another connection name is another entry.
	if _, err := cache.Keyspace(ctx, "other", s, ks); err != nil || cache.Stats().SchemaQueries != st.SchemaQueries+SchemaQueriesPerKeyspace {
		t.Fatalf("another connection must read: %+v %v", cache.Stats(), err)
	}

	// A change out of band, unmarked and without events: the check sees the keyspace moved, the
	// stamps say which table, and only that table is read again.
	run(`ALTER TABLE ` + q + `.t2 ADD w int`)
	before = cache.Stats()
	next, err := cache.Keyspace(ctx, "c", s, ks)
	if err != nil || next.Tables["t2"].Column("w") == nil || next.Tables["t1"] != t1 {
		t.Fatalf("after a change: %+v %v", next, err)
	}
	if st := cache.Stats(); st.SchemaQueries-before.SchemaQueries != 1+2+SchemaQueriesPerTable || st.ObjectReads-before.ObjectReads != 1 {
		t.Fatalf("a changed table must cost a check, the stamps and the table: %+v after %+v", st, before)
	}

	// Events heard: one check more, then nothing at all until something is marked.
	cache.EventsUp("c", true)
	if _, err := cache.Keyspace(ctx, "c", s, ks); err != nil {
		t.Fatal(err)
	}
	before = cache.Stats()
	for range 5 {
		if again, err := cache.Keyspace(ctx, "c", s, ks); err != nil || again == nil {
			t.Fatal(err)
		}
	}
	if st := cache.Stats(); st.SchemaQueries != before.SchemaQueries || st.Hits != before.Hits+5 {
		t.Fatalf("with events, unchanged lookups cost nothing: %+v after %+v", st, before)
	}
	// A marked table, type or keyspace row is read again, alone.
	run(`ALTER TABLE `+q+`.t1 WITH comment = 'y'`, `ALTER TYPE `+q+`.person ADD x int`, `ALTER KEYSPACE `+q+` WITH durable_writes = false`)
	cache.Changed("c", Object{Kind: TableObject, Keyspace: ks, Name: "t1"})
	cache.Changed("c", Object{Kind: TypeObject, Keyspace: ks, Name: "person"})
	cache.Changed("c", Object{Kind: KeyspaceObject, Keyspace: ks})
	before = cache.Stats()
	marked, err := cache.Keyspace(ctx, "c", s, ks)
	if err != nil || marked.Tables["t1"].Options.Comment != "y" || len(marked.Types["person"].Fields) != 4 || marked.DurableWrites || marked.Tables["t2"] != next.Tables["t2"] {
		t.Fatalf("after marks: %+v %v", marked, err)
	}
	if st := cache.Stats(); st.SchemaQueries-before.SchemaQueries != 1+SchemaQueriesPerTable+1 || st.ChangeChecks != before.ChangeChecks {
		t.Fatalf("marks must cost the row, the table and the type, and no check: %+v after %+v", st, before)
	}
	// Trust lasts TrustFor: then a check again.
	cache.now = func() time.Time { return time.Now().Add(2 * cache.TrustFor) }
	before = cache.Stats()
	if _, err := cache.Keyspace(ctx, "c", s, ks); err != nil || cache.Stats().ChangeChecks != before.ChangeChecks+1 {
		t.Fatalf("after TrustFor: %+v %v", cache.Stats(), err)
	}
	cache.now = time.Now

	// Events lost: a table dropped out of band is seen by the check, its index with it.
	cache.EventsUp("c", false)
	run(`DROP TABLE ` + q + `.t2`)
	if got, err := cache.Keyspace(ctx, "c", s, ks); err != nil || got.Tables["t2"] != nil || got.IndexTables["i_v"] != "" || got.IndexTables["i_m"] != "t1" {
		t.Fatalf("after a drop: %+v %v", got, err)
	}
	// Forget and Invalidate: read whole again.
	before = cache.Stats()
	cache.Forget("c", ks)
	if _, err := cache.Keyspace(ctx, "c", s, ks); err != nil || cache.Stats().SchemaQueries != before.SchemaQueries+SchemaQueriesPerKeyspace {
		t.Fatalf("after Forget: %+v %v", cache.Stats(), err)
	}
	cache.Invalidate("c")
	if _, err := cache.Keyspace(ctx, "c", s, ks); err != nil || cache.Stats().SchemaQueries != before.SchemaQueries+2*SchemaQueriesPerKeyspace {
		t.Fatalf("after Invalidate: %+v %v", cache.Stats(), err)
	}
	// A keyspace dropped: absent after its check.
	run(`DROP KEYSPACE ` + q)
	if got, err := cache.Keyspace(ctx, "c", s, ks); err != nil || got != nil {
		t.Fatalf("after DROP KEYSPACE: %+v %v", got, err)
	}
}
