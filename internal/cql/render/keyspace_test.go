package render

import (
	"maps"
	"testing"
)

func TestReplicationMap(t *testing.T) {
	tests := []struct {
		name string
		in   Replication
		want map[string]string
	}{
		{"simple", Replication{Strategy: "SimpleStrategy", ReplicationFactor: 3},
			map[string]string{"class": "SimpleStrategy", "replication_factor": "3"}},
		{"simple fully qualified", Replication{Strategy: "org.apache.cassandra.locator.SimpleStrategy", ReplicationFactor: 1},
			map[string]string{"class": "SimpleStrategy", "replication_factor": "1"}},
		{"simple ignores datacenters", Replication{Strategy: "SimpleStrategy", ReplicationFactor: 2, Datacenters: map[string]int32{"dc1": 3}},
			map[string]string{"class": "SimpleStrategy", "replication_factor": "2"}},
		{"network topology", Replication{Strategy: "NetworkTopologyStrategy", Datacenters: map[string]int32{"dc1": 3, "DC 2": 0}},
			map[string]string{"class": "NetworkTopologyStrategy", "dc1": "3", "DC 2": "0"}},
		{"network topology ignores rf when datacenters given", Replication{Strategy: "NetworkTopologyStrategy", ReplicationFactor: 5, Datacenters: map[string]int32{"dc1": 3}},
			map[string]string{"class": "NetworkTopologyStrategy", "dc1": "3"}},
		{"network topology auto-expansion", Replication{Strategy: "org.apache.cassandra.locator.NetworkTopologyStrategy", ReplicationFactor: 3},
			map[string]string{"class": "NetworkTopologyStrategy", "replication_factor": "3"}},
		{"a datacenter named class cannot override it", Replication{Strategy: "NetworkTopologyStrategy", Datacenters: map[string]int32{"class": 1}},
			map[string]string{"class": "NetworkTopologyStrategy"}},
		{"other strategy passed through", Replication{Strategy: "com.example.MyStrategy", ReplicationFactor: 2, Datacenters: map[string]int32{"dc1": 1}},
			map[string]string{"class": "com.example.MyStrategy", "replication_factor": "2", "dc1": "1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.in.Map(); !maps.Equal(got, tt.want) {
				t.Errorf("Map() = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestKeyspaceDDL(t *testing.T) {
	simple := Replication{Strategy: "SimpleStrategy", ReplicationFactor: 3}
	nts := Replication{Strategy: "NetworkTopologyStrategy", Datacenters: map[string]int32{"dc2": 2, "dc1": 3, "it's": 1}}
	tests := []struct {
		name, got, want string
	}{
		{"create simple", CreateKeyspace("ks", simple, true),
			`CREATE KEYSPACE IF NOT EXISTS "ks" WITH replication = {'class': 'SimpleStrategy', 'replication_factor': '3'} AND durable_writes = true`},
		{"create network topology", CreateKeyspace("MyKs", nts, false),
			`CREATE KEYSPACE IF NOT EXISTS "MyKs" WITH replication = {'class': 'NetworkTopologyStrategy', 'dc1': '3', 'dc2': '2', 'it''s': '1'} AND durable_writes = false`},
		{"alter simple", AlterKeyspace("ks", simple, false),
			`ALTER KEYSPACE "ks" WITH replication = {'class': 'SimpleStrategy', 'replication_factor': '3'} AND durable_writes = false`},
		{"alter network topology", AlterKeyspace(`we"ird`, nts, true),
			`ALTER KEYSPACE "we""ird" WITH replication = {'class': 'NetworkTopologyStrategy', 'dc1': '3', 'dc2': '2', 'it''s': '1'} AND durable_writes = true`},
		{"drop", DropKeyspace("ks"), `DROP KEYSPACE IF EXISTS "ks"`},
		{"drop reserved word", DropKeyspace("select"), `DROP KEYSPACE IF EXISTS "select"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("got\n  %s\nwant\n  %s", tt.got, tt.want)
			}
		})
	}
}

func TestStrategyShortName(t *testing.T) {
	tests := map[string]string{
		"SimpleStrategy": "SimpleStrategy",
		"org.apache.cassandra.locator.SimpleStrategy":          "SimpleStrategy",
		"org.apache.cassandra.locator.NetworkTopologyStrategy": "NetworkTopologyStrategy",
		"org.apache.cassandra.locator.LocalStrategy":           "org.apache.cassandra.locator.LocalStrategy",
		"": "",
	}
	for in, want := range tests {
		if got := StrategyShortName(in); got != want {
			t.Errorf("StrategyShortName(%q) = %q, want %q", in, got, want)
		}
	}
}
