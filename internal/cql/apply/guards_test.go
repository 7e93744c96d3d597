package apply

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/cqlsync/cqlsync/internal/cql/plan"
)

// A held plan sends nothing (the target has no session: any query would panic) and says which
// nodes hold it; with the guards off, or with every node up on one version, nothing holds.
func TestGuards(t *testing.T) {
	up := func(addr, version string) NodeState {
		return NodeState{Address: addr, Up: true, ReleaseVersion: version}
	}
	down := func(addr, version string) NodeState { return NodeState{Address: addr, ReleaseVersion: version} }
	tests := []struct {
		name             string
		nodeDown, vdiffs bool
		nodes            []NodeState
		want             string // "" when nothing holds
	}{
		{"a node down, held", true, false, []NodeState{up("a:9042", "5.0.9"), down("b:9042", "5.0.9")}, "node(s) b:9042 down"},
		{"a node down, proceeds", false, true, []NodeState{up("a:9042", "5.0.9"), down("b:9042", "5.0.9")}, ""},
		{"mixed versions, held", false, true, []NodeState{up("a:9042", "4.1.5"), up("b:9042", "5.0.9"), up("c:9042", "5.0.9")}, "4.1.5 on a:9042; 5.0.9 on b:9042, c:9042"},
		{"mixed versions, proceeds", true, false, []NodeState{up("a:9042", "4.1.5"), up("b:9042", "5.0.9")}, ""},
		{"a version not known yet", false, true, []NodeState{up("a:9042", "5.0.9"), up("b:9042", "")}, ""},
		{"whole cluster", true, true, []NodeState{up("a:9042", "5.0.9"), up("b:9042", "5.0.9")}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			target := Target{Key: "ns/c", HoldWhenNodeDown: tt.nodeDown, HoldWhenVersionsDiffer: tt.vdiffs,
				Nodes: func() []NodeState { return tt.nodes }, RequestTimeout: time.Second}
			err := target.guard()
			if tt.want == "" {
				if err != nil {
					t.Fatalf("held: %v", err)
				}
				return
			}
			var held *HeldError
			if !errors.As(err, &held) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("guard = %v, want a HeldError saying %q", err, tt.want)
			}
			e := NewExecutor()
			ran, err := e.Apply(context.Background(), target, plan.Plan{{Kind: plan.CreateTable, CQL: "CREATE TABLE x (id int PRIMARY KEY)"}})
			if len(ran) != 0 || !errors.As(err, &held) || e.Stats("ns/c").Statements != 0 {
				t.Fatalf("Apply ran %v (%v), stats %+v", ran, err, e.Stats("ns/c"))
			}
		})
	}
}
