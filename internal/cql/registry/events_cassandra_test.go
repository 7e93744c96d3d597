package registry

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/go-logr/logr"

	"github.com/cqlsync/cqlsync/internal/cql/events"
	"github.com/cqlsync/cqlsync/test/rig/testenv"
)

// TestSchemaChangeEventsOnCassandra: DDL on a real cluster reaches OnSchemaChange subscribers with
// the connection, keyspace, table and kind of change, option-only changes included; closing the
// session reports its events down.
func TestSchemaChangeEventsOnCassandra(t *testing.T) {
	rig := testenv.Cassandra(t)
	r := New(logr.Discard())
	defer r.Close()
	changes := make(chan SchemaChange, 64)
	r.OnSchemaChange(func(c SchemaChange) {
		select {
		case changes <- c:
		default:
		}
	})
	heard := make(chan bool, 16)
	r.OnEvents(func(_ Key, up bool) { heard <- up })
	key := Key{Namespace: "events", Name: "cluster1"}
	cfg := Config{Hosts: []string{rig.Cluster1}, Port: 9042, ConnectTimeout: 5 * time.Second,
		RequestTimeout: 12 * time.Second, SchemaAgreementTimeout: 30 * time.Second}
	s, err := r.Register(context.Background(), key, cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	ks := fmt.Sprintf("regevents_%d", time.Now().UnixNano()%1000000)
	exec := func(stmt string) {
		t.Helper()
		if err := s.Driver().Query(stmt).Exec(); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	defer func() { _ = s.Driver().Query(`DROP KEYSPACE IF EXISTS "` + ks + `"`).Exec() }()
	exec(`CREATE KEYSPACE "` + ks + `" WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}`)
	waitChange(t, changes, SchemaChange{Key: key, Keyspace: ks, Change: events.Created})
	exec(`CREATE TABLE "` + ks + `"."t" (id int PRIMARY KEY)`)
	waitChange(t, changes, SchemaChange{Key: key, Keyspace: ks, Table: "t", Change: events.Created})
	exec(`ALTER TABLE "` + ks + `"."t" ADD extra text`)
	waitChange(t, changes, SchemaChange{Key: key, Keyspace: ks, Table: "t", Change: events.Updated})
	// What the driver's metadata diff used to miss: an option, a keyspace's replication.
	exec(`ALTER TABLE "` + ks + `"."t" WITH comment = 'x'`)
	waitChange(t, changes, SchemaChange{Key: key, Keyspace: ks, Table: "t", Change: events.Updated})
	exec(`ALTER KEYSPACE "` + ks + `" WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 2}`)
	waitChange(t, changes, SchemaChange{Key: key, Keyspace: ks, Change: events.Updated})
	// Closing the session stops its listener, and says its events are no longer heard.
	r.Unregister(key)
	select {
	case up := <-heard:
		for up {
			up = <-heard
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no events-down after the session was closed")
	}
}

func waitChange(t *testing.T, changes <-chan SchemaChange, want SchemaChange) {
	t.Helper()
	timeout := time.After(30 * time.Second)
	var seen []SchemaChange
	for {
		select {
		case c := <-changes:
			if c == want {
				return
			}
			seen = append(seen, c)
		case <-timeout:
			t.Fatalf("no schema change %+v within 30s; saw %+v", want, seen)
		}
	}
}
