package introspect

import (
	"slices"
	"testing"
)

func TestSchemaVersions(t *testing.T) {
	tests := []struct {
		name  string
		nodes []Node
		want  []string
	}{
		{"single node", []Node{{HostID: "a", SchemaVersion: "v1", Local: true, Up: true}}, []string{"v1"}},
		{"agreement", []Node{
			{HostID: "a", SchemaVersion: "v1", Local: true, Up: true},
			{HostID: "b", SchemaVersion: "v1", Up: true},
		}, []string{"v1"}},
		{"disagreement", []Node{
			{HostID: "a", SchemaVersion: "v2", Local: true, Up: true},
			{HostID: "b", SchemaVersion: "v1", Up: true},
			{HostID: "c", SchemaVersion: "v2", Up: true},
		}, []string{"v1", "v2"}},
		{"a down node is ignored", []Node{
			{HostID: "a", SchemaVersion: "v2", Local: true, Up: true},
			{HostID: "b", SchemaVersion: "v1", Up: false},
		}, []string{"v2"}},
		{"a node without a version is ignored", []Node{
			{HostID: "a", SchemaVersion: "v2", Local: true, Up: true},
			{HostID: "b", SchemaVersion: "", Up: true},
		}, []string{"v2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := SchemaVersions(tt.nodes); !slices.Equal(got, tt.want) {
				t.Errorf("SchemaVersions = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestDatacenters(t *testing.T) {
	nodes := []Node{{Datacenter: "dc2"}, {Datacenter: "dc1"}, {Datacenter: "dc2"}, {Datacenter: ""}}
	if got, want := Datacenters(nodes), []string{"dc1", "dc2"}; !slices.Equal(got, want) {
		t.Errorf("Datacenters = %v, want %v", got, want)
	}
}
