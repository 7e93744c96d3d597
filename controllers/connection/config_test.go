package connection

import (
	"context"
	"testing"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
	"github.com/cqlsync/cqlsync/internal/engine"
	"github.com/cqlsync/cqlsync/internal/engine/enginetest"
)

// spec.ddlGuards reach the session's configuration; without them DDL holds during an upgrade and
// proceeds with a node down (the documented defaults).
func TestBuildConfigGuards(t *testing.T) {
	c := enginetest.FakeClient(t, engine.RegisterIndexes, nil)
	for _, tt := range []struct {
		name                   string
		guards                 *cqlv1.DDLGuards
		nodeDown, versionsDiff bool
	}{
		{"defaults", nil, false, true},
		{"empty", &cqlv1.DDLGuards{}, false, true},
		{"hold both", &cqlv1.DDLGuards{WhenNodeDown: cqlv1.GuardHold, WhenVersionsDiffer: cqlv1.GuardHold}, true, true},
		{"proceed both", &cqlv1.DDLGuards{WhenNodeDown: cqlv1.GuardProceed, WhenVersionsDiffer: cqlv1.GuardProceed}, false, false},
	} {
		spec := &cqlv1.CassandraConnectionSpec{Hosts: []cqlv1.Host{"127.0.0.1"}, DDLGuards: tt.guards}
		cfg, err := Config(context.Background(), c, spec, "ns")
		if err != nil || cfg.HoldWhenNodeDown != tt.nodeDown || cfg.HoldWhenVersionsDiffer != tt.versionsDiff {
			t.Errorf("%s: hold when a node is down %t, when versions differ %t, %v", tt.name, cfg.HoldWhenNodeDown, cfg.HoldWhenVersionsDiffer, err)
		}
	}
}
