package events

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"os"
	"testing"
	"time"

	gocql "github.com/apache/cassandra-gocql-driver/v2"
	"github.com/go-logr/logr"

	"github.com/cqlsync/cqlsync/test/rig/testenv"
)

// TestSchemaChangesOnCassandra: every change cqlsync corrects is announced, those the driver's
// metadata diff misses included (table options, indexes, replication, durable_writes), on a plain
// cluster and on one with a password and TLS.
func TestSchemaChangesOnCassandra(t *testing.T) {
	rig := testenv.Cassandra(t)
	t.Run("plain", func(t *testing.T) {
		cfg := Config{Addresses: func() []string { return []string{net.JoinHostPort(rig.Cluster1, "9042")} }}
		schemaChanges(t, cfg, testenv.CQLSession(t, rig.Cluster1))
	})
	t.Run("password and TLS", func(t *testing.T) {
		pem, err := os.ReadFile(rig.Cluster3CA)
		if err != nil {
			t.Fatal(err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			t.Fatal("no certificate in the CA file")
		}
		cfg := Config{
			Addresses: func() []string { return []string{net.JoinHostPort(rig.Cluster3, "9042")} },
			TLS:       &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12},
			Username:  rig.Cluster3User, Password: rig.Cluster3Password,
		}
		schemaChanges(t, cfg, testenv.SecureCQLSession(t, rig))
	})
}

func schemaChanges(t *testing.T, cfg Config, s *gocql.Session) {
	r := newRecorder()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		Run(ctx, cfg, Handler{Up: func(a string) { r.ups <- a }, Changed: func(c Change) {
			select {
			case r.changes <- c:
			default:
			}
		}, Down: func(err error) { r.downs <- err }}, logr.Discard())
		close(done)
	}()
	defer func() { cancel(); <-done }()
	receive(t, r.ups, "Up")

	ks := fmt.Sprintf("events_%d", time.Now().UnixNano()%1000000)
	defer func() { _ = s.Query(`DROP KEYSPACE IF EXISTS "` + ks + `"`).Exec() }()
	for _, step := range []struct {
		stmt string
		want Change
	}{
		{`CREATE KEYSPACE "` + ks + `" WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}`, Change{Type: Created, Target: TargetKeyspace, Keyspace: ks}},
		{`ALTER KEYSPACE "` + ks + `" WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 2}`, Change{Type: Updated, Target: TargetKeyspace, Keyspace: ks}},
		{`ALTER KEYSPACE "` + ks + `" WITH durable_writes = false`, Change{Type: Updated, Target: TargetKeyspace, Keyspace: ks}},
		{`CREATE TYPE "` + ks + `".address (street text)`, Change{Type: Created, Target: TargetType, Keyspace: ks, Name: "address"}},
		{`ALTER TYPE "` + ks + `".address ADD zip int`, Change{Type: Updated, Target: TargetType, Keyspace: ks, Name: "address"}},
		{`CREATE TABLE "` + ks + `".t (id int PRIMARY KEY, v text)`, Change{Type: Created, Target: TargetTable, Keyspace: ks, Name: "t"}},
		{`ALTER TABLE "` + ks + `".t WITH comment = 'hello'`, Change{Type: Updated, Target: TargetTable, Keyspace: ks, Name: "t"}},
		{`ALTER TABLE "` + ks + `".t WITH default_time_to_live = 60`, Change{Type: Updated, Target: TargetTable, Keyspace: ks, Name: "t"}},
		{`CREATE INDEX t_v ON "` + ks + `".t (v) USING 'sai'`, Change{Type: Updated, Target: TargetTable, Keyspace: ks, Name: "t"}},
		{`DROP INDEX "` + ks + `".t_v`, Change{Type: Updated, Target: TargetTable, Keyspace: ks, Name: "t"}},
		{`ALTER TABLE "` + ks + `".t DROP v`, Change{Type: Updated, Target: TargetTable, Keyspace: ks, Name: "t"}},
		{`DROP TABLE "` + ks + `".t`, Change{Type: Dropped, Target: TargetTable, Keyspace: ks, Name: "t"}},
		{`DROP KEYSPACE "` + ks + `"`, Change{Type: Dropped, Target: TargetKeyspace, Keyspace: ks}},
	} {
		if err := s.Query(step.stmt).Exec(); err != nil {
			t.Fatalf("%s: %v", step.stmt, err)
		}
		start := time.Now()
		deadline := time.After(10 * time.Second)
	wait:
		for {
			select {
			case c := <-r.changes:
				if c.String() == step.want.String() {
					t.Logf("%-110s -> %v after %v", step.stmt, c, time.Since(start).Round(time.Millisecond))
					break wait
				}
			case <-deadline:
				t.Fatalf("%s: no %v within 10s", step.stmt, step.want)
			}
		}
	}
}
