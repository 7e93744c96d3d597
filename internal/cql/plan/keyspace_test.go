package plan

import (
	"maps"
	"testing"

	"github.com/cqlsync/cqlsync/internal/cql/introspect"
	"github.com/cqlsync/cqlsync/internal/cql/render"
)

func simple(rf int32) render.Replication {
	return render.Replication{Strategy: render.SimpleStrategy, ReplicationFactor: rf}
}

func nts(dcs map[string]int32) render.Replication {
	return render.Replication{Strategy: render.NetworkTopologyStrategy, Datacenters: dcs}
}

func live(name string, durable bool, repl map[string]string) *introspect.Keyspace {
	return &introspect.Keyspace{Name: name, DurableWrites: durable, Replication: repl}
}

const (
	fqSimple = "org.apache.cassandra.locator.SimpleStrategy"
	fqNTS    = "org.apache.cassandra.locator.NetworkTopologyStrategy"
)

func TestForKeyspace(t *testing.T) {
	tests := []struct {
		name        string
		desired     Keyspace
		live        *introspect.Keyspace
		wantKind    Kind   // "" means no statement
		wantCQL     string // exact text
		wantRepair  bool
		wantSummary string
	}{
		{
			name:     "missing simple keyspace is created",
			desired:  Keyspace{Name: "ks1", Replication: simple(1), DurableWrites: true},
			wantKind: CreateKeyspace,
			wantCQL:  `CREATE KEYSPACE IF NOT EXISTS "ks1" WITH replication = {'class': 'SimpleStrategy', 'replication_factor': '1'} AND durable_writes = true`,
		},
		{
			name:     "missing network topology keyspace is created",
			desired:  Keyspace{Name: "ks2", Replication: nts(map[string]int32{"dc2": 1, "dc1": 3}), DurableWrites: false},
			wantKind: CreateKeyspace,
			wantCQL:  `CREATE KEYSPACE IF NOT EXISTS "ks2" WITH replication = {'class': 'NetworkTopologyStrategy', 'dc1': '3', 'dc2': '1'} AND durable_writes = false`,
		},
		{
			name:     "reserved word is quoted",
			desired:  Keyspace{Name: "select", Replication: simple(1), DurableWrites: true},
			wantKind: CreateKeyspace,
			wantCQL:  `CREATE KEYSPACE IF NOT EXISTS "select" WITH replication = {'class': 'SimpleStrategy', 'replication_factor': '1'} AND durable_writes = true`,
		},
		{
			name:     "mixed case is quoted and kept",
			desired:  Keyspace{Name: "MyKs", Replication: simple(2), DurableWrites: true},
			wantKind: CreateKeyspace,
			wantCQL:  `CREATE KEYSPACE IF NOT EXISTS "MyKs" WITH replication = {'class': 'SimpleStrategy', 'replication_factor': '2'} AND durable_writes = true`,
		},
		{
			name:    "same simple keyspace: nothing",
			desired: Keyspace{Name: "ks", Replication: simple(1), DurableWrites: true},
			live:    live("ks", true, map[string]string{"class": fqSimple, "replication_factor": "1"}),
		},
		{
			name:    "same network topology keyspace: nothing",
			desired: Keyspace{Name: "ks", Replication: nts(map[string]int32{"dc1": 3, "dc2": 2}), DurableWrites: true},
			live:    live("ks", true, map[string]string{"class": fqNTS, "dc1": "3", "dc2": "2"}),
		},
		{
			name:    "a datacenter with 0 replicas matches its absence (Cassandra does not store it)",
			desired: Keyspace{Name: "ks", Replication: nts(map[string]int32{"dc1": 1, "dc2": 0}), DurableWrites: true},
			live:    live("ks", true, map[string]string{"class": fqNTS, "dc1": "1"}),
		},
		{
			name:        "replication factor changed",
			desired:     Keyspace{Name: "ks", Replication: simple(3), DurableWrites: true},
			live:        live("ks", true, map[string]string{"class": fqSimple, "replication_factor": "1"}),
			wantKind:    AlterKeyspace,
			wantCQL:     `ALTER KEYSPACE "ks" WITH replication = {'class': 'SimpleStrategy', 'replication_factor': '3'} AND durable_writes = true`,
			wantRepair:  true,
			wantSummary: `alter keyspace "ks": replication {'class': 'SimpleStrategy', 'replication_factor': '1'} -> {'class': 'SimpleStrategy', 'replication_factor': '3'}`,
		},
		{
			name:        "durable writes changed only: no repair",
			desired:     Keyspace{Name: "ks", Replication: simple(1), DurableWrites: false},
			live:        live("ks", true, map[string]string{"class": fqSimple, "replication_factor": "1"}),
			wantKind:    AlterKeyspace,
			wantCQL:     `ALTER KEYSPACE "ks" WITH replication = {'class': 'SimpleStrategy', 'replication_factor': '1'} AND durable_writes = false`,
			wantSummary: `alter keyspace "ks": durable_writes true -> false`,
		},
		{
			name:       "strategy changed",
			desired:    Keyspace{Name: "ks", Replication: nts(map[string]int32{"dc1": 1}), DurableWrites: true},
			live:       live("ks", true, map[string]string{"class": fqSimple, "replication_factor": "1"}),
			wantKind:   AlterKeyspace,
			wantCQL:    `ALTER KEYSPACE "ks" WITH replication = {'class': 'NetworkTopologyStrategy', 'dc1': '1'} AND durable_writes = true`,
			wantRepair: true,
		},
		{
			name:       "datacenter added",
			desired:    Keyspace{Name: "ks", Replication: nts(map[string]int32{"dc1": 1, "dc2": 1}), DurableWrites: true},
			live:       live("ks", true, map[string]string{"class": fqNTS, "dc1": "1"}),
			wantKind:   AlterKeyspace,
			wantCQL:    `ALTER KEYSPACE "ks" WITH replication = {'class': 'NetworkTopologyStrategy', 'dc1': '1', 'dc2': '1'} AND durable_writes = true`,
			wantRepair: true,
		},
		{
			name:        "datacenter removed and durable writes changed: one statement",
			desired:     Keyspace{Name: "MyKs", Replication: nts(map[string]int32{"dc1": 1}), DurableWrites: false},
			live:        live("MyKs", true, map[string]string{"class": fqNTS, "dc1": "1", "dc2": "2"}),
			wantKind:    AlterKeyspace,
			wantCQL:     `ALTER KEYSPACE "MyKs" WITH replication = {'class': 'NetworkTopologyStrategy', 'dc1': '1'} AND durable_writes = false`,
			wantRepair:  true,
			wantSummary: `alter keyspace "MyKs": replication {'class': 'NetworkTopologyStrategy', 'dc1': '1', 'dc2': '2'} -> {'class': 'NetworkTopologyStrategy', 'dc1': '1'}, durable_writes true -> false`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := ForKeyspace(tt.desired, tt.live)
			if tt.wantKind == "" {
				if len(p) != 0 {
					t.Fatalf("want no statement, got %+v", p)
				}
				if p.RepairNeeded() {
					t.Fatal("an empty plan needs no repair")
				}
				return
			}
			if len(p) != 1 {
				t.Fatalf("want one statement, got %+v", p)
			}
			if p[0].Kind != tt.wantKind || p[0].CQL != tt.wantCQL {
				t.Errorf("got %s\n  %s\nwant %s\n  %s", p[0].Kind, p[0].CQL, tt.wantKind, tt.wantCQL)
			}
			if p.RepairNeeded() != tt.wantRepair || p[0].ReplicationChanged != tt.wantRepair {
				t.Errorf("repair needed = %t, want %t", p.RepairNeeded(), tt.wantRepair)
			}
			if tt.wantSummary != "" && p[0].Summary != tt.wantSummary {
				t.Errorf("summary\n  %s\nwant\n  %s", p[0].Summary, tt.wantSummary)
			}
		})
	}
}

func TestDropKeyspaceIfExists(t *testing.T) {
	for name, want := range map[string]string{
		"ks":     `DROP KEYSPACE IF EXISTS "ks"`,
		"select": `DROP KEYSPACE IF EXISTS "select"`,
		"MyKs":   `DROP KEYSPACE IF EXISTS "MyKs"`,
	} {
		p := DropKeyspaceIfExists(name)
		if len(p) != 1 || p[0].Kind != DropKeyspace || p[0].CQL != want || p[0].ReplicationChanged {
			t.Errorf("DropKeyspaceIfExists(%q) = %+v, want %s", name, p, want)
		}
	}
}

func TestNormalizeReplication(t *testing.T) {
	tests := []struct {
		in, want map[string]string
	}{
		{map[string]string{"class": fqSimple, "replication_factor": "3"}, map[string]string{"class": "SimpleStrategy", "replication_factor": "3"}},
		{map[string]string{"class": "NetworkTopologyStrategy", "dc1": "3", "dc2": "0"}, map[string]string{"class": "NetworkTopologyStrategy", "dc1": "3"}},
		{map[string]string{"class": fqNTS, "dc1": "1"}, map[string]string{"class": "NetworkTopologyStrategy", "dc1": "1"}},
		// SimpleStrategy keeps a 0 factor: Cassandra stores it as it is.
		{map[string]string{"class": fqSimple, "replication_factor": "0"}, map[string]string{"class": "SimpleStrategy", "replication_factor": "0"}},
		{map[string]string{"class": "org.apache.cassandra.locator.LocalStrategy"}, map[string]string{"class": "org.apache.cassandra.locator.LocalStrategy"}},
	}
	for _, tt := range tests {
		if got := NormalizeReplication(tt.in); !maps.Equal(got, tt.want) {
			t.Errorf("NormalizeReplication(%v) = %v, want %v", tt.in, got, tt.want)
		}
	}
}
