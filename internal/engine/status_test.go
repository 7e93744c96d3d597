package engine

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
	"github.com/cqlsync/cqlsync/internal/cql/apply"
	"github.com/cqlsync/cqlsync/internal/cql/plan"
	"github.com/cqlsync/cqlsync/internal/engine/enginetest"
)

var (
	tableKind     = tableModelKind
	alterRF       = plan.Statement{Kind: plan.AlterKeyspace, Summary: `alter keyspace "ks": replication a -> b`, ReplicationChanged: true}
	createTableSt = plan.Statement{Kind: plan.CreateTable, Summary: `create table "ks"."t"`}
)

func TestSetSchemaStatus(t *testing.T) {
	t0 := metav1.NewTime(time.Date(2025, 1, 1, 10, 0, 0, 0, time.UTC))
	t1 := metav1.NewTime(t0.Add(time.Hour))
	tests := []struct {
		name        string
		kind        Kind
		prev        []cqlv1.TargetStatus
		outcome     Outcome
		wantReady   metav1.ConditionStatus
		wantReason  string
		wantMsg     []string
		wantSynced  string
		wantTargets []cqlv1.TargetStatus
	}{
		{
			name: "all synced, a replication change applied: the message and a repair hint",
			kind: keyspaceKind,
			outcome: Outcome{name: "ks", complete: true, targets: []targetOutcome{
				{connection: "c1", state: cqlv1.TargetSynced, reason: cqlv1.ReasonSynced, message: "ok", applied: plan.Plan{alterRF}},
				{connection: "c2", isDefault: true, state: cqlv1.TargetSynced, reason: cqlv1.ReasonSynced, message: "ok"},
			}},
			wantReady: metav1.ConditionTrue, wantReason: cqlv1.ReasonSynced, wantSynced: "2/2",
			wantMsg: []string{`keyspace "ks" is in sync on connection c1, connection c2 (default)`},
			wantTargets: []cqlv1.TargetStatus{
				{Connection: "c1", State: cqlv1.TargetSynced, Reason: cqlv1.ReasonSynced, LastSyncTime: &t1, Message: alterRF.Summary + "; " + repairHint},
				{Connection: "c2", Default: true, State: cqlv1.TargetSynced, Reason: cqlv1.ReasonSynced, LastSyncTime: &t1, Message: "ok"},
			},
		},
		{
			name: "nothing happened on a synced target: its message and time are kept",
			kind: tableKind,
			prev: []cqlv1.TargetStatus{{Connection: "c1", Keyspace: "ks", State: cqlv1.TargetSynced, Reason: cqlv1.ReasonSynced, Message: "create table", LastSyncTime: &t0}},
			outcome: Outcome{name: "t", complete: true, targets: []targetOutcome{
				{connection: "c1", keyspace: "ks", state: cqlv1.TargetSynced, reason: cqlv1.ReasonSynced, message: "matches"},
			}},
			wantReady: metav1.ConditionTrue, wantReason: cqlv1.ReasonSynced, wantSynced: "1/1",
			wantMsg:     []string{`table "t" is in sync on c1/ks`},
			wantTargets: []cqlv1.TargetStatus{{Connection: "c1", Keyspace: "ks", State: cqlv1.TargetSynced, Reason: cqlv1.ReasonSynced, Message: "create table", LastSyncTime: &t0}},
		},
		{
			name: "Failed comes before Blocked before Pending",
			kind: tableKind,
			outcome: Outcome{name: "t", complete: true, targets: []targetOutcome{
				{connection: "c1", keyspace: "a", state: cqlv1.TargetPending, reason: cqlv1.ReasonKeyspaceNotFound, message: "waiting"},
				{connection: "c1", keyspace: "b", state: cqlv1.TargetBlocked, reason: cqlv1.ReasonPrimaryKeyDiffers, message: "pk"},
				{connection: "c2", keyspace: "a", state: cqlv1.TargetFailed, reason: cqlv1.ReasonFailed, message: "boom"},
			}},
			wantReady: metav1.ConditionFalse, wantReason: cqlv1.ReasonFailed, wantSynced: "0/3",
			wantMsg: []string{"0/3 targets synced", "c1/a: Pending: waiting", "c1/b: Blocked: pk", "c2/a: Failed: boom"},
			wantTargets: []cqlv1.TargetStatus{
				{Connection: "c1", Keyspace: "a", State: cqlv1.TargetPending, Reason: cqlv1.ReasonKeyspaceNotFound, Message: "waiting"},
				{Connection: "c1", Keyspace: "b", State: cqlv1.TargetBlocked, Reason: cqlv1.ReasonPrimaryKeyDiffers, Message: "pk"},
				{Connection: "c2", Keyspace: "a", State: cqlv1.TargetFailed, Reason: cqlv1.ReasonFailed, Message: "boom"},
			},
		},
		{
			name: "DDL ran, then agreement failed: both are said, and the sync time moves",
			kind: keyspaceKind,
			outcome: Outcome{name: "ks", complete: true, targets: []targetOutcome{
				{connection: "c1", state: cqlv1.TargetPending, reason: cqlv1.ReasonSchemaDisagreement, message: "no agreement", applied: plan.Plan{alterRF}},
			}},
			wantReady: metav1.ConditionFalse, wantReason: cqlv1.ReasonSchemaDisagreement, wantSynced: "0/1",
			wantTargets: []cqlv1.TargetStatus{{
				Connection: "c1", State: cqlv1.TargetPending, Reason: cqlv1.ReasonSchemaDisagreement, LastSyncTime: &t1,
				Message: alterRF.Summary + "; " + repairHint + "; then: no agreement",
			}},
		},
		{
			name: "no default connection",
			kind: keyspaceKind,
			outcome: Outcome{name: "ks", complete: true, targets: []targetOutcome{
				{isDefault: true, state: cqlv1.TargetPending, reason: cqlv1.ReasonNoDefaultConnection, message: "none"},
			}},
			wantReady: metav1.ConditionFalse, wantReason: cqlv1.ReasonNoDefaultConnection, wantSynced: "0/1",
			wantMsg:     []string{"default connection: Pending: none"},
			wantTargets: []cqlv1.TargetStatus{{Default: true, State: cqlv1.TargetPending, Reason: cqlv1.ReasonNoDefaultConnection, Message: "none"}},
		},
		{
			name:       "no target",
			kind:       tableKind,
			outcome:    Outcome{name: "t", complete: true},
			wantReady:  metav1.ConditionFalse,
			wantReason: cqlv1.ReasonPending, wantSynced: "0/0",
			wantMsg: []string{"no target"},
		},
		{
			name: "cut short by an API error: the targets done are updated, the others kept",
			kind: tableKind,
			prev: []cqlv1.TargetStatus{
				{Connection: "c1", Keyspace: "a", State: cqlv1.TargetPending, Reason: cqlv1.ReasonPending, Message: "old a"},
				{Connection: "c1", Keyspace: "b", State: cqlv1.TargetPending, Reason: cqlv1.ReasonPending, Message: "old b"},
			},
			outcome: Outcome{name: "t", targets: []targetOutcome{
				{connection: "c1", keyspace: "a", state: cqlv1.TargetSynced, reason: cqlv1.ReasonSynced, message: "ok", applied: plan.Plan{createTableSt}},
			}},
			wantReady: metav1.ConditionFalse, wantReason: cqlv1.ReasonPending, wantSynced: "1/2",
			wantTargets: []cqlv1.TargetStatus{
				{Connection: "c1", Keyspace: "a", State: cqlv1.TargetSynced, Reason: cqlv1.ReasonSynced, Message: createTableSt.Summary, LastSyncTime: &t1},
				{Connection: "c1", Keyspace: "b", State: cqlv1.TargetPending, Reason: cqlv1.ReasonPending, Message: "old b"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := cqlv1.SchemaStatus{Targets: tt.prev, ObservedGeneration: 2}
			setSchemaStatus(&st, tt.outcome, tt.kind, 3, t1)
			wantGen := int64(3)
			if !tt.outcome.complete {
				wantGen = 2
			}
			c := meta.FindStatusCondition(st.Conditions, cqlv1.ConditionReady)
			if c == nil || c.Status != tt.wantReady || c.Reason != tt.wantReason || c.ObservedGeneration != wantGen || st.ObservedGeneration != wantGen {
				t.Fatalf("Ready = %+v (observed %d), want %s/%s at generation %d", c, st.ObservedGeneration, tt.wantReady, tt.wantReason, wantGen)
			}
			for _, m := range tt.wantMsg {
				if !strings.Contains(c.Message, m) {
					t.Errorf("Ready message %q does not say %q", c.Message, m)
				}
			}
			if st.TargetsSynced != tt.wantSynced {
				t.Errorf("targetsSynced = %q, want %q", st.TargetsSynced, tt.wantSynced)
			}
			if len(st.Targets) != len(tt.wantTargets) {
				t.Fatalf("targets = %+v, want %+v", st.Targets, tt.wantTargets)
			}
			for i, got := range st.Targets {
				if want := tt.wantTargets[i]; !equality.Semantic.DeepEqual(got, want) {
					t.Errorf("target %d =\n  %+v (at %v)\nwant\n  %+v (at %v)", i, got, got.LastSyncTime, want, want.LastSyncTime)
				}
			}
		})
	}
}

// Computing the status again from the same outcome with nothing applied, later, changes nothing,
// so the pipeline writes nothing.
func TestSchemaStatusIdempotent(t *testing.T) {
	t0 := metav1.NewTime(time.Date(2025, 1, 1, 10, 0, 0, 0, time.UTC))
	var st cqlv1.SchemaStatus
	first := Outcome{name: "t", complete: true, targets: []targetOutcome{
		{connection: "c1", keyspace: "ks", state: cqlv1.TargetSynced, reason: cqlv1.ReasonSynced, message: "ok", applied: plan.Plan{createTableSt}},
		{connection: "c2", keyspace: "ks", state: cqlv1.TargetFailed, reason: cqlv1.ReasonFailed, message: "boom", drift: []string{"column x"}},
	}}
	setSchemaStatus(&st, first, tableKind, 1, t0)
	snapshot := st.DeepCopy()
	again := first
	again.targets = []targetOutcome{
		{connection: "c1", keyspace: "ks", state: cqlv1.TargetSynced, reason: cqlv1.ReasonSynced, message: "ok"},
		{connection: "c2", keyspace: "ks", state: cqlv1.TargetFailed, reason: cqlv1.ReasonFailed, message: "boom", drift: []string{"column x"}},
	}
	setSchemaStatus(&st, again, tableKind, 1, metav1.NewTime(t0.Add(time.Hour)))
	if !equality.Semantic.DeepEqual(*snapshot, st) {
		t.Fatalf("status changed with nothing done:\n%+v\n%+v", *snapshot, st)
	}
}

// While a deletion waits, only the Ready condition changes: the targets keep their last state.
func TestSchemaStatusWhileDeleting(t *testing.T) {
	t0 := metav1.NewTime(time.Date(2025, 1, 1, 10, 0, 0, 0, time.UTC))
	var st cqlv1.SchemaStatus
	setSchemaStatus(&st, Outcome{name: "ks", complete: true, targets: []targetOutcome{
		{connection: "c1", state: cqlv1.TargetSynced, reason: cqlv1.ReasonSynced, message: "ok"}}}, keyspaceKind, 2, t0)
	targets := st.DeepCopy().Targets
	setSchemaStatus(&st, Outcome{hold: &Problem{Reason: cqlv1.ReasonDeleting, Message: "could not drop on c1"}}, keyspaceKind, 2, t0)
	c := meta.FindStatusCondition(st.Conditions, cqlv1.ConditionReady)
	if c.Status != metav1.ConditionFalse || c.Reason != cqlv1.ReasonDeleting || c.Message != "could not drop on c1" {
		t.Fatalf("Ready = %+v", c)
	}
	if !equality.Semantic.DeepEqual(st.Targets, targets) || st.TargetsSynced != "1/1" {
		t.Fatalf("targets changed while deleting: %+v", st)
	}
}

func TestDriftedCondition(t *testing.T) {
	tests := []struct {
		name    string
		targets []cqlv1.TargetStatus
		status  metav1.ConditionStatus
		reason  string
		says    []string
	}{
		{"nothing", []cqlv1.TargetStatus{{Connection: "c1", Keyspace: "ks", State: cqlv1.TargetSynced}}, metav1.ConditionFalse, cqlv1.ReasonNoDrift, nil},
		{"kept drift", []cqlv1.TargetStatus{{Connection: "c1", Keyspace: "ks", State: cqlv1.TargetSynced, Drift: []string{"column x", "index y"}}},
			metav1.ConditionTrue, cqlv1.ReasonDriftKept, []string{"c1/ks: column x; index y", "(hint)"}},
		{"blocked wins", []cqlv1.TargetStatus{
			{Connection: "c1", Keyspace: "ks", State: cqlv1.TargetSynced, Drift: []string{"column x"}},
			{Connection: "c2", Keyspace: "ks", State: cqlv1.TargetBlocked, Message: "pk differs"}},
			metav1.ConditionTrue, cqlv1.ReasonDriftBlocked, []string{"c2/ks: pk differs", "c1/ks: column x"}},
	}
	for _, tt := range tests {
		status, reason, msg := driftedCondition(tt.targets, "hint")
		if status != tt.status || reason != tt.reason {
			t.Errorf("%s: %s/%s, want %s/%s", tt.name, status, reason, tt.status, tt.reason)
		}
		for _, s := range tt.says {
			if !strings.Contains(msg, s) {
				t.Errorf("%s: message %q does not say %q", tt.name, msg, s)
			}
		}
	}
}

// One classification for every kind and every step.
func TestClassify(t *testing.T) {
	st := plan.Statement{Summary: `alter keyspace "ks": durable_writes true -> false`}
	tests := []struct {
		name      string
		err       error
		state     cqlv1.TargetState
		reason    string
		fragments []string
	}{
		{"applied", nil, cqlv1.TargetSynced, cqlv1.ReasonSynced, []string{`done`}},
		{"disagreement before DDL", &apply.DisagreementError{Versions: []string{"a", "b"}},
			cqlv1.TargetPending, cqlv1.ReasonSchemaDisagreement, []string{"a, b", "retrying"}},
		{"disagreement after DDL", fmt.Errorf("wrapped: %w", &apply.DisagreementError{After: &st, Waited: time.Second, Versions: []string{"a", "b"}}),
			cqlv1.TargetPending, cqlv1.ReasonSchemaDisagreement, []string{st.Summary, "retrying"}},
		{"unknown datacenter", &apply.UnknownDatacenterError{Datacenter: "dc9", Known: []string{"dc1"}},
			cqlv1.TargetFailed, cqlv1.ReasonUnknownDatacenter, []string{"spec.replication.datacenters", `"dc9"`, "dc1"}},
		{"unreachable", &apply.StatementError{Statement: st, Err: enginetest.UnreachableErr},
			cqlv1.TargetPending, cqlv1.ReasonUnreachable, []string{"no hosts available", "retrying"}},
		{"timed out", fmt.Errorf("reading system_schema: %w", errors.Join(errors.New("x"), contextDeadline())),
			cqlv1.TargetPending, cqlv1.ReasonUnreachable, []string{"retrying"}},
		{"refused statement", &apply.StatementError{Statement: st, Err: errors.New("boom")},
			cqlv1.TargetFailed, cqlv1.ReasonFailed, []string{st.Summary, "boom"}},
		{"node down, held", &apply.HeldError{NodesDown: []string{"10.0.0.2:9042"}},
			cqlv1.TargetPending, cqlv1.ReasonNodeDown, []string{"10.0.0.2:9042", "whenNodeDown: Hold", "nothing was executed", "Proceed"}},
		{"upgrade, held", &apply.HeldError{Versions: map[string][]string{"4.1.5": {"10.0.0.1:9042"}, "5.0.9": {"10.0.0.2:9042"}}},
			cqlv1.TargetPending, cqlv1.ReasonClusterUpgrading, []string{"4.1.5 on 10.0.0.1:9042; 5.0.9 on 10.0.0.2:9042", "whenVersionsDiffer: Hold"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			state, reason, msg := classify(tt.err, "done")
			if state != tt.state || reason != tt.reason {
				t.Fatalf("classify = %s/%s, want %s/%s", state, reason, tt.state, tt.reason)
			}
			for _, f := range tt.fragments {
				if !strings.Contains(msg, f) {
					t.Errorf("message %q does not say %q", msg, f)
				}
			}
		})
	}
}

func TestTargetLabel(t *testing.T) {
	for _, tt := range []struct {
		conn, ks  string
		isDefault bool
		want      string
	}{
		{"c1", "", false, "connection c1"},
		{"c1", "", true, "connection c1 (default)"},
		{"", "", true, "default connection"},
		{"c1", "ks", false, "c1/ks"},
		{"", "ks", true, "default connection/ks"},
	} {
		if got := targetLabel(tt.conn, tt.ks, tt.isDefault); got != tt.want {
			t.Errorf("targetLabel(%q, %q, %t) = %q, want %q", tt.conn, tt.ks, tt.isDefault, got, tt.want)
		}
	}
}

func contextDeadline() error { return context.DeadlineExceeded }
