package controllers

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
	"github.com/cqlsync/cqlsync/internal/cql/apply"
	"github.com/cqlsync/cqlsync/internal/cql/plan"
)

func TestKeyspaceStatus(t *testing.T) {
	t0 := metav1.NewTime(time.Date(2025, 1, 1, 10, 0, 0, 0, time.UTC))
	t1 := metav1.NewTime(t0.Add(time.Minute))
	create := plan.Statement{Kind: plan.CreateKeyspace, Summary: `create keyspace "ks"`}
	alterRF := plan.Statement{Kind: plan.AlterKeyspace, Summary: `alter keyspace "ks": replication a -> b`, ReplicationChanged: true}
	alterDW := plan.Statement{Kind: plan.AlterKeyspace, Summary: `alter keyspace "ks": durable_writes true -> false`}
	synced := func(conn string, applied ...plan.Statement) targetOutcome {
		return targetOutcome{connection: conn, state: cqlv1.TargetSynced, reason: cqlv1.ReasonSynced, message: `keyspace "ks" matches the spec`, applied: applied}
	}
	syncedAt := func(conn, msg string, at metav1.Time) cqlv1.KeyspaceTarget {
		return cqlv1.KeyspaceTarget{Connection: conn, State: cqlv1.TargetSynced, Reason: cqlv1.ReasonSynced, Message: msg, LastSyncTime: &at}
	}

	tests := []struct {
		name        string
		prev        []cqlv1.KeyspaceTarget
		outcome     keyspaceOutcome
		wantReady   metav1.ConditionStatus
		wantReason  string
		wantMsg     []string // fragments of the Ready message
		wantSynced  string
		wantTargets []cqlv1.KeyspaceTarget
	}{
		{
			name:       "created on both targets",
			outcome:    keyspaceOutcome{keyspace: "ks", targets: []targetOutcome{synced("c1", create), synced("c2", create)}},
			wantReady:  metav1.ConditionTrue,
			wantReason: cqlv1.ReasonSynced,
			wantMsg:    []string{`"ks"`, "c1, c2"},
			wantSynced: "2/2",
			wantTargets: []cqlv1.KeyspaceTarget{
				syncedAt("c1", `create keyspace "ks"`, t1), syncedAt("c2", `create keyspace "ks"`, t1),
			},
		},
		{
			name:        "nothing happened: message and lastSyncTime kept",
			prev:        []cqlv1.KeyspaceTarget{syncedAt("c1", `create keyspace "ks"`, t0)},
			outcome:     keyspaceOutcome{keyspace: "ks", targets: []targetOutcome{synced("c1")}},
			wantReady:   metav1.ConditionTrue,
			wantReason:  cqlv1.ReasonSynced,
			wantSynced:  "1/1",
			wantTargets: []cqlv1.KeyspaceTarget{syncedAt("c1", `create keyspace "ks"`, t0)},
		},
		{
			name:        "already in sync when first seen: synced now",
			prev:        []cqlv1.KeyspaceTarget{{Connection: "c1", State: cqlv1.TargetPending, Reason: cqlv1.ReasonConnectionNotReady, Message: "x"}},
			outcome:     keyspaceOutcome{keyspace: "ks", targets: []targetOutcome{synced("c1")}},
			wantReady:   metav1.ConditionTrue,
			wantReason:  cqlv1.ReasonSynced,
			wantSynced:  "1/1",
			wantTargets: []cqlv1.KeyspaceTarget{syncedAt("c1", `keyspace "ks" matches the spec`, t1)},
		},
		{
			name:       "replication altered: repair needed in the message",
			prev:       []cqlv1.KeyspaceTarget{syncedAt("c1", `create keyspace "ks"`, t0)},
			outcome:    keyspaceOutcome{keyspace: "ks", targets: []targetOutcome{synced("c1", alterRF)}},
			wantReady:  metav1.ConditionTrue,
			wantReason: cqlv1.ReasonSynced,
			wantSynced: "1/1",
			wantTargets: []cqlv1.KeyspaceTarget{
				syncedAt("c1", `alter keyspace "ks": replication a -> b; `+repairHint, t1),
			},
		},
		{
			name:        "durable writes altered: no repair",
			prev:        []cqlv1.KeyspaceTarget{syncedAt("c1", `create keyspace "ks"`, t0)},
			outcome:     keyspaceOutcome{keyspace: "ks", targets: []targetOutcome{synced("c1", alterDW)}},
			wantReady:   metav1.ConditionTrue,
			wantReason:  cqlv1.ReasonSynced,
			wantSynced:  "1/1",
			wantTargets: []cqlv1.KeyspaceTarget{syncedAt("c1", `alter keyspace "ks": durable_writes true -> false`, t1)},
		},
		{
			name: "one target failed, the other synced: Failed wins",
			outcome: keyspaceOutcome{keyspace: "ks", targets: []targetOutcome{
				synced("c1", create),
				{connection: "c2", state: cqlv1.TargetFailed, reason: cqlv1.ReasonUnknownDatacenter, message: `datacenter "dc9" does not exist`},
			}},
			wantReady:  metav1.ConditionFalse,
			wantReason: cqlv1.ReasonUnknownDatacenter,
			wantMsg:    []string{"1/2 targets synced", `c2: datacenter "dc9" does not exist`},
			wantSynced: "1/2",
			wantTargets: []cqlv1.KeyspaceTarget{
				syncedAt("c1", `create keyspace "ks"`, t1),
				{Connection: "c2", State: cqlv1.TargetFailed, Reason: cqlv1.ReasonUnknownDatacenter, Message: `datacenter "dc9" does not exist`},
			},
		},
		{
			name: "failed before pending, whatever the order",
			outcome: keyspaceOutcome{keyspace: "ks", targets: []targetOutcome{
				{connection: "c1", state: cqlv1.TargetPending, reason: cqlv1.ReasonConnectionNotFound, message: "gone"},
				{connection: "c2", state: cqlv1.TargetFailed, reason: cqlv1.ReasonFailed, message: "boom"},
			}},
			wantReady:  metav1.ConditionFalse,
			wantReason: cqlv1.ReasonFailed,
			wantMsg:    []string{"0/2", "c1: gone", "c2: boom"},
			wantSynced: "0/2",
			wantTargets: []cqlv1.KeyspaceTarget{
				{Connection: "c1", State: cqlv1.TargetPending, Reason: cqlv1.ReasonConnectionNotFound, Message: "gone"},
				{Connection: "c2", State: cqlv1.TargetFailed, Reason: cqlv1.ReasonFailed, Message: "boom"},
			},
		},
		{
			name:       "a failed target keeps the time it was last synced",
			prev:       []cqlv1.KeyspaceTarget{syncedAt("c1", "ok", t0)},
			outcome:    keyspaceOutcome{keyspace: "ks", targets: []targetOutcome{{connection: "c1", state: cqlv1.TargetPending, reason: cqlv1.ReasonSchemaDisagreement, message: "versions a, b"}}},
			wantReady:  metav1.ConditionFalse,
			wantReason: cqlv1.ReasonSchemaDisagreement,
			wantSynced: "0/1",
			wantTargets: []cqlv1.KeyspaceTarget{
				{Connection: "c1", State: cqlv1.TargetPending, Reason: cqlv1.ReasonSchemaDisagreement, Message: "versions a, b", LastSyncTime: &t0},
			},
		},
		{
			name: "a statement ran before agreement failed: both are said",
			outcome: keyspaceOutcome{keyspace: "ks", targets: []targetOutcome{
				{connection: "c1", state: cqlv1.TargetPending, reason: cqlv1.ReasonSchemaDisagreement, message: "no agreement", applied: plan.Plan{alterRF}},
			}},
			wantReady:  metav1.ConditionFalse,
			wantReason: cqlv1.ReasonSchemaDisagreement,
			wantSynced: "0/1",
			wantTargets: []cqlv1.KeyspaceTarget{{
				Connection: "c1", State: cqlv1.TargetPending, Reason: cqlv1.ReasonSchemaDisagreement, LastSyncTime: &t1,
				Message: `alter keyspace "ks": replication a -> b; ` + repairHint + "; then: no agreement",
			}},
		},
		{
			name: "no default connection",
			outcome: keyspaceOutcome{keyspace: "ks", targets: []targetOutcome{
				{isDefault: true, state: cqlv1.TargetPending, reason: cqlv1.ReasonNoDefaultConnection, message: "none"},
			}},
			wantReady:  metav1.ConditionFalse,
			wantReason: cqlv1.ReasonNoDefaultConnection,
			wantMsg:    []string{"default connection: none"},
			wantSynced: "0/1",
			wantTargets: []cqlv1.KeyspaceTarget{
				{Default: true, State: cqlv1.TargetPending, Reason: cqlv1.ReasonNoDefaultConnection, Message: "none"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ks := &cqlv1.Keyspace{ObjectMeta: metav1.ObjectMeta{Generation: 3}}
			ks.Status.Targets = tt.prev
			setKeyspaceStatus(ks, tt.outcome, t1)
			c := cqlv1.FindCondition(ks.Status.Conditions, cqlv1.ConditionReady)
			if c == nil || c.Status != tt.wantReady || c.Reason != tt.wantReason || c.ObservedGeneration != 3 {
				t.Fatalf("Ready = %+v, want %s/%s", c, tt.wantReady, tt.wantReason)
			}
			for _, m := range tt.wantMsg {
				if !strings.Contains(c.Message, m) {
					t.Errorf("Ready message %q does not say %q", c.Message, m)
				}
			}
			if ks.Status.SyncedTargets != tt.wantSynced || ks.Status.Keyspace != "ks" || ks.Status.ObservedGeneration != 3 {
				t.Errorf("status = %+v", ks.Status)
			}
			if len(ks.Status.Targets) != len(tt.wantTargets) {
				t.Fatalf("targets = %+v, want %+v", ks.Status.Targets, tt.wantTargets)
			}
			for i, got := range ks.Status.Targets {
				want := tt.wantTargets[i]
				if got.Connection != want.Connection || got.Default != want.Default || got.State != want.State ||
					got.Reason != want.Reason || got.Message != want.Message || !got.LastSyncTime.Equal(want.LastSyncTime) {
					t.Errorf("target %d =\n  %+v (at %v)\nwant\n  %+v (at %v)", i, got, got.LastSyncTime, want, want.LastSyncTime)
				}
			}
		})
	}
}

// TestKeyspaceStatusIdempotent: computing the status again from the same outcome with nothing
// applied, later, changes nothing, so patchStatus writes nothing.
func TestKeyspaceStatusIdempotent(t *testing.T) {
	t0 := metav1.NewTime(time.Date(2025, 1, 1, 10, 0, 0, 0, time.UTC))
	ks := &cqlv1.Keyspace{ObjectMeta: metav1.ObjectMeta{Generation: 1}}
	first := keyspaceOutcome{keyspace: "ks", targets: []targetOutcome{
		{connection: "c1", state: cqlv1.TargetSynced, reason: cqlv1.ReasonSynced, message: "ok",
			applied: plan.Plan{{Kind: plan.CreateKeyspace, Summary: "create"}}},
		{connection: "c2", state: cqlv1.TargetFailed, reason: cqlv1.ReasonFailed, message: "boom"},
	}}
	setKeyspaceStatus(ks, first, t0)
	snapshot := ks.Status.DeepCopy()

	again := keyspaceOutcome{keyspace: "ks", targets: []targetOutcome{
		{connection: "c1", state: cqlv1.TargetSynced, reason: cqlv1.ReasonSynced, message: "ok"},
		{connection: "c2", state: cqlv1.TargetFailed, reason: cqlv1.ReasonFailed, message: "boom"},
	}}
	setKeyspaceStatus(ks, again, metav1.NewTime(t0.Add(time.Hour)))
	if !equalStatus(*snapshot, ks.Status) {
		t.Fatalf("status changed with nothing done:\n%+v\n%+v", *snapshot, ks.Status)
	}
}

func TestKeyspaceDeletingStatus(t *testing.T) {
	t0 := metav1.NewTime(time.Date(2025, 1, 1, 10, 0, 0, 0, time.UTC))
	ks := &cqlv1.Keyspace{ObjectMeta: metav1.ObjectMeta{Generation: 2}}
	setKeyspaceStatus(ks, keyspaceOutcome{keyspace: "ks", targets: []targetOutcome{
		{connection: "c1", state: cqlv1.TargetSynced, reason: cqlv1.ReasonSynced, message: "ok"}}}, t0)
	targets := ks.Status.DeepCopy().Targets
	setKeyspaceStatus(ks, keyspaceOutcome{deleting: "could not drop on c1"}, t0)
	c := cqlv1.FindCondition(ks.Status.Conditions, cqlv1.ConditionReady)
	if c.Status != metav1.ConditionFalse || c.Reason != cqlv1.ReasonDeleting || c.Message != "could not drop on c1" {
		t.Fatalf("Ready = %+v", c)
	}
	if len(ks.Status.Targets) != 1 || ks.Status.Targets[0].Message != targets[0].Message || ks.Status.Keyspace != "ks" {
		t.Fatalf("targets changed while deleting: %+v", ks.Status)
	}
}

func TestDesiredKeyspace(t *testing.T) {
	rf := int32(2)
	off := false
	ks := &cqlv1.Keyspace{ObjectMeta: metav1.ObjectMeta{Name: "my-app-data"}, Spec: cqlv1.KeyspaceSpec{
		Replication: cqlv1.KeyspaceReplication{Strategy: cqlv1.SimpleStrategy, ReplicationFactor: &rf},
	}}
	d := desiredKeyspace(ks)
	if d.Name != "my_app_data" || d.Replication.Strategy != "SimpleStrategy" || d.Replication.ReplicationFactor != 2 || !d.DurableWrites {
		t.Fatalf("desired = %+v", d)
	}
	ks.Spec.Name = "Other"
	ks.Spec.DurableWrites = &off
	ks.Spec.Replication = cqlv1.KeyspaceReplication{Strategy: cqlv1.NetworkTopologyStrategy, Datacenters: map[string]cqlv1.ReplicaCount{"dc1": 3}}
	d = desiredKeyspace(ks)
	if d.Name != "Other" || d.Replication.Datacenters["dc1"] != 3 || d.DurableWrites {
		t.Fatalf("desired = %+v", d)
	}
}

// equalStatus is the comparison patchStatus makes.
func equalStatus(a, b cqlv1.KeyspaceStatus) bool { return equality.Semantic.DeepEqual(a, b) }

func TestApplyResult(t *testing.T) {
	st := plan.Statement{Summary: `alter keyspace "ks": durable_writes true -> false`}
	tests := []struct {
		name      string
		err       error
		state     cqlv1.KeyspaceTargetState
		reason    string
		fragments []string
	}{
		{"applied", nil, cqlv1.TargetSynced, cqlv1.ReasonSynced, []string{`"ks" matches the spec`}},
		{"disagreement before DDL", &apply.DisagreementError{Versions: []string{"a", "b"}},
			cqlv1.TargetPending, cqlv1.ReasonSchemaDisagreement, []string{"a, b", "retrying"}},
		{"disagreement after DDL", fmt.Errorf("wrapped: %w", &apply.DisagreementError{After: &st, Waited: time.Second, Versions: []string{"a", "b"}}),
			cqlv1.TargetPending, cqlv1.ReasonSchemaDisagreement, []string{st.Summary, "retrying"}},
		{"unknown datacenter", &apply.UnknownDatacenterError{Datacenter: "dc9", Known: []string{"dc1"}},
			cqlv1.TargetFailed, cqlv1.ReasonUnknownDatacenter, []string{"spec.replication.datacenters", `"dc9"`, "dc1"}},
		{"refused statement", &apply.StatementError{Statement: st, Err: errors.New("boom")},
			cqlv1.TargetFailed, cqlv1.ReasonFailed, []string{st.Summary, "boom"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			state, reason, msg := applyResult("ks", tt.err)
			if state != tt.state || reason != tt.reason {
				t.Fatalf("applyResult = %s/%s, want %s/%s", state, reason, tt.state, tt.reason)
			}
			for _, f := range tt.fragments {
				if !strings.Contains(msg, f) {
					t.Errorf("message %q does not say %q", msg, f)
				}
			}
		})
	}
}
