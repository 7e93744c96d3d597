package cluster

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/go-logr/logr"

	"github.com/cqlsync/cqlsync/internal/cql/apply"
	"github.com/cqlsync/cqlsync/internal/cql/introspect"
	"github.com/cqlsync/cqlsync/internal/cql/plan"
	"github.com/cqlsync/cqlsync/internal/cql/registry"
	"github.com/cqlsync/cqlsync/internal/cql/render"
	"github.com/cqlsync/cqlsync/internal/cql/schema"
	"github.com/cqlsync/cqlsync/test/rig/testenv"
)

// TestHandleOnCassandra drives a keyspace and a user-defined type through a handle on cluster1:
// every read after a plan ran sees what it did (the cached keyspace is dropped), a read with
// nothing changed costs no system_schema query, and an unknown connection is the registry's error.
func TestHandleOnCassandra(t *testing.T) {
	rig := testenv.Cassandra(t)
	ctx := context.Background()
	reg := registry.New(logr.Discard())
	t.Cleanup(reg.Close)
	key := registry.Key{Namespace: "test", Name: "c1"}
	cfg := registry.Config{Hosts: []string{rig.Cluster1}, Port: 9042, RequestTimeout: 12 * time.Second,
		ConnectTimeout: 12 * time.Second, SchemaAgreementTimeout: 30 * time.Second}
	cache := introspect.NewSchemaCache()
	Follow(reg, cache)
	heard := make(chan bool, 16)
	reg.OnEvents(func(_ registry.Key, up bool) { heard <- up })
	if _, err := reg.Register(ctx, key, cfg, registry.Options{}); err != nil {
		t.Fatal(err)
	}
	pool := &Pool{Registry: reg, Executor: apply.NewExecutor(), Cache: cache}
	if _, err := pool.Get(ctx, "test", "nope"); !errors.Is(err, registry.ErrNotRegistered) {
		t.Fatalf("an unknown connection: %v", err)
	}
	h, err := pool.Get(ctx, "test", "c1")
	if err != nil {
		t.Fatal(err)
	}
	if h.Key() != "test/c1" {
		t.Fatalf("key = %q", h.Key())
	}
	ks := fmt.Sprintf("Handle_%d", time.Now().UnixNano()%1000000)
	keyspaceObj := introspect.Object{Kind: introspect.KeyspaceObject, Keyspace: ks}
	typeObj := introspect.Object{Kind: introspect.TypeObject, Keyspace: ks, Name: "Address"}
	t.Cleanup(func() { _, _ = h.Apply(context.Background(), keyspaceObj, plan.DropKeyspaceIfExists(ks)) })

	live, err := h.Keyspace(ctx, ks)
	if err != nil || live != nil {
		t.Fatalf("missing keyspace: %+v %v", live, err)
	}
	desired := plan.Keyspace{Name: ks, Replication: render.Replication{Strategy: render.SimpleStrategy, ReplicationFactor: 1}, DurableWrites: true}
	if ran, err := h.Apply(ctx, keyspaceObj, plan.ForKeyspace(desired, live.Keyspace())); err != nil || len(ran) != 1 {
		t.Fatalf("create keyspace: %v %v", ran, err)
	}
	if live, err = h.Keyspace(ctx, ks); err != nil || live == nil || live.Replication["replication_factor"] != "1" {
		t.Fatalf("the keyspace after CREATE: %+v %v", live, err)
	}

	street, _ := schema.ParseType("text")
	zip, _ := schema.ParseType("int")
	ut := plan.UserType{Keyspace: ks, Name: "Address", Fields: []plan.Field{{Name: "street", Type: street}}}
	if ran, err := h.Apply(ctx, typeObj, plan.ForUserType(ut, live).Plan); err != nil || len(ran) != 1 || ran[0].Kind != plan.CreateType {
		t.Fatalf("create type: %v %v", ran, err)
	}
	ut.Fields = append(ut.Fields, plan.Field{Name: "Zip", Type: zip})
	live, err = h.Keyspace(ctx, ks)
	if err != nil {
		t.Fatal(err)
	}
	res := plan.ForUserType(ut, live)
	if len(res.Plan) != 1 || res.Plan[0].CQL != fmt.Sprintf(`ALTER TYPE "%s"."Address" ADD "Zip" int`, ks) {
		t.Fatalf("the type was created as asked, so only the new field is planned: %+v", res)
	}
	if _, err := h.Apply(ctx, typeObj, res.Plan); err != nil {
		t.Fatal(err)
	}
	live, err = h.Keyspace(ctx, ks)
	if err != nil {
		t.Fatal(err)
	}
	if got := live.Types["Address"]; got == nil || !slices.Equal(fieldNames(got), []string{"street", "Zip"}) {
		t.Fatalf("type after ALTER: %+v", got)
	}
	if res := plan.ForUserType(ut, live); len(res.Plan)+len(res.Blocked)+len(res.Drift) != 0 {
		t.Fatalf("nothing left to do: %+v", res)
	}
	// The session's events are heard: once checked, a read with nothing changed costs nothing.
	select {
	case up := <-heard:
		if !up {
			t.Fatal("the session's events were reported down")
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the session's schema change events were never heard")
	}
	if _, err := h.Keyspace(ctx, ks); err != nil {
		t.Fatal(err)
	}
	before := cache.Stats()
	if _, err := h.Keyspace(ctx, ks); err != nil {
		t.Fatal(err)
	}
	if after := cache.Stats(); after.SchemaQueries != before.SchemaQueries || after.Hits != before.Hits+1 {
		t.Fatalf("a read with nothing changed must come from the cache: %+v -> %+v", before, after)
	}
	if _, err := h.Apply(ctx, typeObj, plan.DropTypeIfExists(ks, "Address")); err != nil {
		t.Fatal(err)
	}
	if live, err = h.Keyspace(ctx, ks); err != nil || live.HasType("Address") {
		t.Fatalf("type after DROP: %+v %v", live, err)
	}
}

func fieldNames(ut *introspect.UserType) []string {
	var out []string
	for _, f := range ut.Fields {
		out = append(out, f.Name)
	}
	return out
}
