package controllers

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
	"github.com/cqlsync/cqlsync/internal/cql/plan"
)

func TestTableModelStatus(t *testing.T) {
	t0 := metav1.NewTime(time.Date(2025, 1, 1, 10, 0, 0, 0, time.UTC))
	t1 := metav1.NewTime(t0.Add(time.Minute))
	create := plan.Statement{Kind: plan.CreateTable, Summary: `create table "ks1"."t"`}
	add := plan.Statement{Kind: plan.AddColumns, Summary: `add 1 column "c" int to "ks1"."t"`}
	synced := func(conn, ks string, applied ...plan.Statement) tableTargetOutcome {
		return tableTargetOutcome{connection: conn, keyspace: ks, state: cqlv1.TableSynced, reason: cqlv1.ReasonSynced,
			message: `table "` + ks + `"."t" matches the spec`, applied: applied}
	}
	syncedAt := func(conn, ks, msg string, at metav1.Time, drift ...string) cqlv1.TableTarget {
		return cqlv1.TableTarget{Connection: conn, Keyspace: ks, State: cqlv1.TableSynced, Reason: cqlv1.ReasonSynced, Message: msg, LastSyncTime: &at, Drift: drift}
	}
	tests := []struct {
		name         string
		prev         []cqlv1.TableTarget
		outcome      tableModelOutcome
		wantReady    metav1.ConditionStatus
		wantReason   string
		wantMsg      []string
		wantDrifted  metav1.ConditionStatus
		wantDReason  string
		wantDMsg     []string
		wantSynced   string
		wantTargets  []cqlv1.TableTarget
		checkTargets bool
	}{
		{
			name:      "created on two clusters x two keyspaces",
			outcome:   tableModelOutcome{table: "t", targets: []tableTargetOutcome{synced("c1", "ks1", create), synced("c1", "ks2", create), synced("c2", "ks1", create), synced("c2", "ks2", create)}},
			wantReady: metav1.ConditionTrue, wantReason: cqlv1.ReasonSynced, wantMsg: []string{`"t"`, "c1/ks1, c1/ks2, c2/ks1, c2/ks2"},
			wantDrifted: metav1.ConditionFalse, wantDReason: cqlv1.ReasonNoDrift, wantSynced: "4/4",
			wantTargets: []cqlv1.TableTarget{
				syncedAt("c1", "ks1", create.Summary, t1), syncedAt("c1", "ks2", create.Summary, t1),
				syncedAt("c2", "ks1", create.Summary, t1), syncedAt("c2", "ks2", create.Summary, t1),
			}, checkTargets: true,
		},
		{
			name:      "nothing happened: message and lastSyncTime kept",
			prev:      []cqlv1.TableTarget{syncedAt("c1", "ks1", create.Summary, t0)},
			outcome:   tableModelOutcome{table: "t", targets: []tableTargetOutcome{synced("c1", "ks1")}},
			wantReady: metav1.ConditionTrue, wantReason: cqlv1.ReasonSynced, wantDrifted: metav1.ConditionFalse, wantDReason: cqlv1.ReasonNoDrift,
			wantSynced: "1/1", wantTargets: []cqlv1.TableTarget{syncedAt("c1", "ks1", create.Summary, t0)}, checkTargets: true,
		},
		{
			name:      "a column added: new message and time",
			prev:      []cqlv1.TableTarget{syncedAt("c1", "ks1", create.Summary, t0)},
			outcome:   tableModelOutcome{table: "t", targets: []tableTargetOutcome{synced("c1", "ks1", add)}},
			wantReady: metav1.ConditionTrue, wantReason: cqlv1.ReasonSynced, wantDrifted: metav1.ConditionFalse, wantDReason: cqlv1.ReasonNoDrift,
			wantSynced: "1/1", wantTargets: []cqlv1.TableTarget{syncedAt("c1", "ks1", add.Summary, t1)}, checkTargets: true,
		},
		{
			name: "drift kept",
			outcome: tableModelOutcome{table: "t", targets: []tableTargetOutcome{func() tableTargetOutcome {
				o := synced("c1", "ks1")
				o.drift = []string{`column "x" int is not in spec.columns`}
				return o
			}()}},
			wantReady: metav1.ConditionTrue, wantReason: cqlv1.ReasonSynced,
			wantDrifted: metav1.ConditionTrue, wantDReason: cqlv1.ReasonDriftKept, wantDMsg: []string{`c1/ks1: column "x" int`, "allowDropColumns"},
			wantSynced:  "1/1",
			wantTargets: []cqlv1.TableTarget{syncedAt("c1", "ks1", `table "ks1"."t" matches the spec`, t1, `column "x" int is not in spec.columns`)}, checkTargets: true,
		},
		{
			name: "one blocked, one synced, one pending: Blocked is the reason",
			outcome: tableModelOutcome{table: "t", targets: []tableTargetOutcome{
				{connection: "c1", keyspace: "ks1", state: cqlv1.TablePending, reason: cqlv1.ReasonKeyspaceNotFound, message: "no keyspace"},
				{connection: "c2", keyspace: "ks1", state: cqlv1.TableBlocked, reason: cqlv1.ReasonPrimaryKeyDiffers, message: "partition key: ..."},
				synced("c3", "ks1", create),
			}},
			wantReady: metav1.ConditionFalse, wantReason: cqlv1.ReasonPrimaryKeyDiffers,
			wantMsg:     []string{"1/3 targets synced", "c1/ks1: Pending: no keyspace", "c2/ks1: Blocked: partition key"},
			wantDrifted: metav1.ConditionTrue, wantDReason: cqlv1.ReasonDriftBlocked, wantDMsg: []string{"c2/ks1: partition key"},
			wantSynced: "1/3",
		},
		{
			name: "failed before blocked",
			outcome: tableModelOutcome{table: "t", targets: []tableTargetOutcome{
				{connection: "c2", keyspace: "ks1", state: cqlv1.TableBlocked, reason: cqlv1.ReasonColumnTypeDiffers, message: "type"},
				{connection: "c1", keyspace: "ks1", state: cqlv1.TableFailed, reason: cqlv1.ReasonInvalidType, message: "spec.columns[1] (x): unknown type"},
			}},
			wantReady: metav1.ConditionFalse, wantReason: cqlv1.ReasonInvalidType, wantMsg: []string{"0/2", "spec.columns[1] (x)"},
			wantDrifted: metav1.ConditionTrue, wantDReason: cqlv1.ReasonDriftBlocked, wantSynced: "0/2",
		},
		{
			name: "applied then failed: both in the message, no sync time",
			outcome: tableModelOutcome{table: "t", targets: []tableTargetOutcome{
				{connection: "c1", keyspace: "ks1", state: cqlv1.TableFailed, reason: cqlv1.ReasonFailed, message: "create index: boom", applied: plan.Plan{add}},
			}},
			wantReady: metav1.ConditionFalse, wantReason: cqlv1.ReasonFailed, wantDrifted: metav1.ConditionFalse, wantDReason: cqlv1.ReasonNoDrift, wantSynced: "0/1",
			wantTargets: []cqlv1.TableTarget{{Connection: "c1", Keyspace: "ks1", State: cqlv1.TableFailed, Reason: cqlv1.ReasonFailed,
				Message: add.Summary + "; then: create index: boom"}}, checkTargets: true,
		},
		{
			name: "no default connection",
			outcome: tableModelOutcome{table: "t", targets: []tableTargetOutcome{
				{state: cqlv1.TablePending, reason: cqlv1.ReasonNoDefaultConnection, message: "no default"},
			}},
			wantReady: metav1.ConditionFalse, wantReason: cqlv1.ReasonNoDefaultConnection, wantMsg: []string{"default connection: Pending: no default"},
			wantDrifted: metav1.ConditionFalse, wantDReason: cqlv1.ReasonNoDrift, wantSynced: "0/1",
		},
		{
			name: "no target at all", outcome: tableModelOutcome{table: "t"},
			wantReady: metav1.ConditionFalse, wantReason: cqlv1.ReasonPending, wantDrifted: metav1.ConditionFalse, wantDReason: cqlv1.ReasonNoDrift, wantSynced: "0/0",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tm := &cqlv1.TableModel{ObjectMeta: metav1.ObjectMeta{Generation: 3}}
			tm.Status.Targets = tt.prev
			setTableModelStatus(tm, tt.outcome, t1)
			ready := cqlv1.FindCondition(tm.Status.Conditions, cqlv1.ConditionReady)
			if ready.Status != tt.wantReady || ready.Reason != tt.wantReason || ready.ObservedGeneration != 3 {
				t.Errorf("Ready = %s %s (gen %d) %q; want %s %s", ready.Status, ready.Reason, ready.ObservedGeneration, ready.Message, tt.wantReady, tt.wantReason)
			}
			for _, f := range tt.wantMsg {
				if !strings.Contains(ready.Message, f) {
					t.Errorf("Ready message %q lacks %q", ready.Message, f)
				}
			}
			drifted := cqlv1.FindCondition(tm.Status.Conditions, cqlv1.ConditionDrifted)
			if drifted.Status != tt.wantDrifted || drifted.Reason != tt.wantDReason {
				t.Errorf("Drifted = %s %s %q; want %s %s", drifted.Status, drifted.Reason, drifted.Message, tt.wantDrifted, tt.wantDReason)
			}
			for _, f := range tt.wantDMsg {
				if !strings.Contains(drifted.Message, f) {
					t.Errorf("Drifted message %q lacks %q", drifted.Message, f)
				}
			}
			if tm.Status.TargetsSynced != tt.wantSynced || tm.Status.ObservedGeneration != 3 || tm.Status.Table != tt.outcome.table {
				t.Errorf("targetsSynced %q observedGeneration %d table %q", tm.Status.TargetsSynced, tm.Status.ObservedGeneration, tm.Status.Table)
			}
			if tt.checkTargets && !equality.Semantic.DeepEqual(tm.Status.Targets, tt.wantTargets) {
				t.Errorf("targets:\n got %+v\nwant %+v", tm.Status.Targets, tt.wantTargets)
			}
			// Computing the same outcome again later changes nothing: no status write.
			again := tm.DeepCopy()
			for i := range tt.outcome.targets {
				tt.outcome.targets[i].applied = nil
			}
			setTableModelStatus(again, tt.outcome, metav1.NewTime(t1.Add(time.Hour)))
			if !equality.Semantic.DeepEqual(again.Status, tm.Status) && len(tt.outcome.targets) > 0 && tt.outcome.targets[0].state == cqlv1.TableSynced {
				t.Errorf("a second reconcile with nothing to do changed the status:\n%+v\n%+v", tm.Status, again.Status)
			}
		})
	}
}

func TestTableModelStatusDeleting(t *testing.T) {
	now := metav1.NewTime(time.Date(2025, 1, 1, 10, 0, 0, 0, time.UTC))
	tm := &cqlv1.TableModel{ObjectMeta: metav1.ObjectMeta{Generation: 2}}
	tm.Status.Targets = []cqlv1.TableTarget{{Connection: "c1", Keyspace: "ks1", State: cqlv1.TableSynced, Reason: cqlv1.ReasonSynced}}
	setTableModelStatus(tm, tableModelOutcome{deleting: "waiting for c1"}, now)
	ready := cqlv1.FindCondition(tm.Status.Conditions, cqlv1.ConditionReady)
	if ready.Reason != cqlv1.ReasonDeleting || ready.Message != "waiting for c1" || len(tm.Status.Targets) != 1 {
		t.Fatalf("%+v %+v", ready, tm.Status.Targets)
	}
}

func TestEventAction(t *testing.T) {
	if got := eventAction("c1/ks1", "create table"); got != "c1/ks1: create table" {
		t.Fatal(got)
	}
	long := strings.Repeat("é", 100)
	a, b := eventAction("c1/ks1", long+"a"), eventAction("c1/ks1", long+"b")
	if len(a) > maxEventAction || len(b) > maxEventAction || a == b || !utf8.ValidString(a) {
		t.Fatalf("%q %q", a, b)
	}
}
