package introspect

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/cqlsync/cqlsync/test/rig/testenv"
)

// TestLookupNeverReusesAReadFromBeforeAStatement: a lookup that finds a refresh under way may share
// its result while events vouch for the keyspace, but not when something was marked after that
// refresh began: a statement that ran meanwhile must be seen, or it would be planned again. (The
// fault suite caught a CREATE TABLE sent twice this way.)
func TestLookupNeverReusesAReadFromBeforeAStatement(t *testing.T) {
	ctx := context.Background()
	s := testenv.CQLSession(t, testenv.Cassandra(t).Cluster1)
	ks := fmt.Sprintf("cache_race_%d", time.Now().UnixNano()%1000000)
	q := `"` + ks + `"`
	run := func(st string) {
		t.Helper()
		if err := s.Query(st).Exec(); err != nil {
			t.Fatalf("%s: %v", st, err)
		}
	}
	run(`CREATE KEYSPACE ` + q + ` WITH replication = {'class': 'SimpleStrategy', 'replication_factor': '1'}`)
	t.Cleanup(func() { _ = s.Query(`DROP KEYSPACE IF EXISTS ` + q).Exec() })
	run(`CREATE TABLE ` + q + `.a (id int PRIMARY KEY)`)

	cache := NewSchemaCache()
	cache.EventsUp("c", true)
	if _, err := cache.Keyspace(ctx, "c", s, ks); err != nil { // checked, and trusted from now on
		t.Fatal(err)
	}

	// A refresh (of a marked table) that holds still once it has started.
	started, release := make(chan struct{}), make(chan struct{})
	cache.beforeRead = func() {
		cache.beforeRead = nil // only this refresh waits (the next one starts after it is done)
		close(started)
		<-release
	}
	cache.Changed("c", Object{Kind: TableObject, Keyspace: ks, Name: "a"})
	first := make(chan *KeyspaceSchema, 1)
	go func() {
		got, _ := cache.Keyspace(ctx, "c", s, ks)
		first <- got
	}()
	<-started
	// Meanwhile a statement creates table b, and marks it, as cluster.Handle.Apply does.
	run(`CREATE TABLE ` + q + `.b (id int PRIMARY KEY)`)
	cache.Changed("c", Object{Kind: TableObject, Keyspace: ks, Name: "b"})
	second := make(chan *KeyspaceSchema, 1)
	go func() {
		got, err := cache.Keyspace(ctx, "c", s, ks)
		if err != nil {
			t.Error(err)
		}
		second <- got
	}()
	// The second lookup has counted itself (under the lock where it also finds the refresh under
	// way) before the first refresh may finish.
	for deadline := time.Now().Add(10 * time.Second); cache.Stats().Lookups < 3; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the second lookup never started")
		}
	}
	close(release)
	<-first
	got := <-second
	if got == nil || got.Tables["b"] == nil {
		t.Fatalf("the lookup after the statement was answered with a read from before it: tables %v", tableNames(got))
	}
}

func tableNames(ks *KeyspaceSchema) []string {
	if ks == nil {
		return nil
	}
	var out []string
	for n := range ks.Tables {
		out = append(out, n)
	}
	return out
}
