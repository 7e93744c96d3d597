package apply

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	gocql "github.com/apache/cassandra-gocql-driver/v2"

	"github.com/cqlsync/cqlsync/internal/cql/introspect"
	"github.com/cqlsync/cqlsync/internal/cql/plan"
	"github.com/cqlsync/cqlsync/internal/cql/render"
	"github.com/cqlsync/cqlsync/test/rig/testenv"
)

func session(t *testing.T, host string) *gocql.Session {
	t.Helper()
	cc := gocql.NewCluster(host)
	cc.Timeout = 12 * time.Second
	s, err := gocql.NewSession(*cc)
	if err != nil {
		t.Fatalf("connecting to %s: %v", host, err)
	}
	t.Cleanup(s.Close)
	return s
}

// TestApplyOnCassandra runs create, no-op, alter, an unknown datacenter and drop on cluster1 and
// checks each against system_schema.
func TestApplyOnCassandra(t *testing.T) {
	rig := testenv.Cassandra(t)
	ctx := context.Background()
	s := session(t, rig.Cluster1)
	e := NewExecutor()
	target := Target{Key: "test/cluster1", Session: s, RequestTimeout: 12 * time.Second, AgreementTimeout: 30 * time.Second}
	name := fmt.Sprintf("Apply_Test_%d", time.Now().UnixNano()%1000000)
	t.Cleanup(func() { _ = s.Query(render.DropKeyspace(name)).Exec() })

	nodes, err := introspect.Nodes(ctx, s, "")
	if err != nil {
		t.Fatal(err)
	}
	if dcs := introspect.Datacenters(nodes); !slices.Equal(dcs, []string{"dc1"}) {
		t.Fatalf("cluster1 datacenters = %v, want [dc1]", dcs)
	}
	if v := introspect.SchemaVersions(nodes); len(v) != 1 {
		t.Fatalf("a single-node cluster must agree with itself: %v", v)
	}

	read := func() *introspect.Keyspace {
		t.Helper()
		ks, err := introspect.ReadKeyspace(ctx, s, name)
		if err != nil {
			t.Fatal(err)
		}
		return ks
	}
	if ks := read(); ks != nil {
		t.Fatalf("keyspace %s exists before the test: %+v", name, ks)
	}
	if ks, err := introspect.ReadKeyspace(ctx, s, "system_schema"); err != nil || ks == nil || !ks.DurableWrites {
		t.Fatalf("system_schema must be readable: %+v %v", ks, err)
	}

	desired := plan.Keyspace{Name: name, Replication: render.Replication{Strategy: "SimpleStrategy", ReplicationFactor: 1}, DurableWrites: true}
	run := func(p plan.Plan) (plan.Plan, error) {
		t.Helper()
		return e.Apply(ctx, target, p)
	}

	// Create.
	if done, err := run(plan.ForKeyspace(desired, read())); err != nil || len(done) != 1 || done[0].Kind != plan.CreateKeyspace {
		t.Fatalf("create: %v %+v", err, done)
	}
	ks := read()
	if ks == nil || !maps.Equal(ks.Replication, map[string]string{"class": "org.apache.cassandra.locator.SimpleStrategy", "replication_factor": "1"}) || !ks.DurableWrites {
		t.Fatalf("after create: %+v", ks)
	}
	// Names are case-sensitive: the lower-case form is another keyspace, which does not exist.
	if ks, err := introspect.ReadKeyspace(ctx, s, strings.ToLower(name)); err != nil || ks != nil {
		t.Fatalf("%s must not be found: %+v %v", strings.ToLower(name), ks, err)
	}
	if got := e.Stats(target.Key); got != (Stats{Plans: 1, Statements: 1}) {
		t.Fatalf("stats after create = %+v", got)
	}

	// Nothing to do.
	if p := plan.ForKeyspace(desired, read()); len(p) != 0 {
		t.Fatalf("the same keyspace must plan nothing, got %+v", p)
	}

	// Alter to NetworkTopologyStrategy with the real DC, durable writes off.
	desired.Replication = render.Replication{Strategy: "NetworkTopologyStrategy", Datacenters: map[string]int32{"dc1": 1}}
	desired.DurableWrites = false
	done, err := run(plan.ForKeyspace(desired, read()))
	if err != nil || len(done) != 1 || !done.RepairNeeded() {
		t.Fatalf("alter: %v %+v", err, done)
	}
	ks = read()
	if !maps.Equal(ks.Replication, map[string]string{"class": "org.apache.cassandra.locator.NetworkTopologyStrategy", "dc1": "1"}) || ks.DurableWrites {
		t.Fatalf("after alter: %+v", ks)
	}
	if p := plan.ForKeyspace(desired, ks); len(p) != 0 {
		t.Fatalf("after alter the plan must be empty, got %+v", p)
	}

	// A datacenter the cluster does not have.
	bad := desired
	bad.Replication = render.Replication{Strategy: "NetworkTopologyStrategy", Datacenters: map[string]int32{"dc1": 1, "nodc": 1}}
	done, err = run(plan.ForKeyspace(bad, read()))
	var unknown *UnknownDatacenterError
	if !errors.As(err, &unknown) || unknown.Datacenter != "nodc" || !slices.Equal(unknown.Known, []string{"dc1"}) || len(done) != 0 {
		t.Fatalf("want an UnknownDatacenterError for nodc naming dc1, got %v (%+v), done %+v", err, unknown, done)
	}
	if ks := read(); ks.Replication["nodc"] != "" {
		t.Fatalf("a refused ALTER changed the keyspace: %+v", ks)
	}

	// Drop, twice (IF EXISTS).
	for range 2 {
		if _, err := run(plan.DropKeyspaceIfExists(name)); err != nil {
			t.Fatal(err)
		}
	}
	if ks := read(); ks != nil {
		t.Fatalf("after drop: %+v", ks)
	}
	if got := e.Stats(target.Key); got.Statements != 5 || got.Plans != 5 {
		t.Fatalf("stats = %+v, want 5 plans and 5 statements (create, alter, refused alter, 2 drops)", got)
	}
}
