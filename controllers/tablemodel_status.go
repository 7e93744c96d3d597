package controllers

import (
	"fmt"
	"slices"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
	"github.com/cqlsync/cqlsync/internal/cql/plan"
)

// tableTargetOutcome is what one reconcile found out, or did, on one connection x keyspace.
type tableTargetOutcome struct {
	connection string // empty when the namespace default could not be resolved
	keyspace   string // empty when the connection's defaultKeyspace could not be read
	state      cqlv1.TableTargetState
	reason     string
	message    string
	// drift lists live columns and indexes kept although they are not in the spec.
	drift []string
	// applied are the statements that ran on this target in this reconcile.
	applied plan.Plan
}

// tableModelOutcome is what one reconcile of a TableModel found out. Status is a pure function of
// it, the previous status and the time.
type tableModelOutcome struct {
	table   string
	targets []tableTargetOutcome
	// deleting is set while deletionPolicy Delete waits for targets: the Ready condition's message.
	deleting string
}

func targetKey(connection, keyspace string) string { return connection + "\x00" + keyspace }

// tableTargets merges the outcomes into the previous targets. A target on which nothing happened
// and nothing changed keeps its message and lastSyncTime, so that a reconcile with nothing to do
// leaves the status exactly as it was.
func tableTargets(prev []cqlv1.TableTarget, outcomes []tableTargetOutcome, now metav1.Time) []cqlv1.TableTarget {
	old := map[string]cqlv1.TableTarget{}
	for _, t := range prev {
		old[targetKey(t.Connection, t.Keyspace)] = t
	}
	out := make([]cqlv1.TableTarget, 0, len(outcomes))
	for _, o := range outcomes {
		t := cqlv1.TableTarget{
			Connection: o.connection, Keyspace: o.keyspace,
			State: o.state, Reason: o.reason, Message: o.message,
			Drift: slices.Clone(o.drift),
		}
		p, hadPrev := old[targetKey(o.connection, o.keyspace)]
		if hadPrev {
			t.LastSyncTime = p.LastSyncTime
		}
		switch {
		case len(o.applied) > 0:
			summaries := make([]string, len(o.applied))
			for i, s := range o.applied {
				summaries[i] = s.Summary
			}
			t.Message = strings.Join(summaries, "; ")
			if o.state == cqlv1.TableSynced {
				t.LastSyncTime = &now
			} else {
				t.Message += "; then: " + o.message
			}
		case o.state == cqlv1.TableSynced && hadPrev && p.State == cqlv1.TableSynced:
			t.Message = p.Message // nothing happened: keep what the last change said
		case o.state == cqlv1.TableSynced:
			t.LastSyncTime = &now
		}
		out = append(out, t)
	}
	return out
}

func tableTargetLabel(t cqlv1.TableTarget) string {
	conn, ks := t.Connection, t.Keyspace
	if conn == "" {
		conn = "default connection"
	}
	if ks == "" {
		return conn
	}
	return conn + "/" + ks
}

// tableModelReady computes the Ready condition from the targets: True when all are Synced;
// otherwise the reason of the first Failed target, else of the first Blocked one, else of the
// first Pending one.
func tableModelReady(table string, targets []cqlv1.TableTarget) (metav1.ConditionStatus, string, string) {
	if len(targets) == 0 {
		return metav1.ConditionFalse, cqlv1.ReasonPending, "no target"
	}
	reason := ""
	for _, state := range []cqlv1.TableTargetState{cqlv1.TableFailed, cqlv1.TableBlocked, cqlv1.TablePending} {
		for _, t := range targets {
			if t.State == state && reason == "" {
				reason = t.Reason
			}
		}
	}
	synced := 0
	var notSynced, labels []string
	for _, t := range targets {
		labels = append(labels, tableTargetLabel(t))
		if t.State == cqlv1.TableSynced {
			synced++
			continue
		}
		notSynced = append(notSynced, fmt.Sprintf("%s: %s: %s", tableTargetLabel(t), t.State, t.Message))
	}
	if synced == len(targets) {
		return metav1.ConditionTrue, cqlv1.ReasonSynced, fmt.Sprintf("table %q is in sync on %s", table, strings.Join(labels, ", "))
	}
	return metav1.ConditionFalse, reason, fmt.Sprintf("%d/%d targets synced; %s", synced, len(targets), strings.Join(notSynced, "; "))
}

// tableModelDrifted computes the Drifted condition: True when a target is Blocked (a difference
// cqlsync must not correct) or keeps live columns or indexes the spec does not have.
func tableModelDrifted(targets []cqlv1.TableTarget) (metav1.ConditionStatus, string, string) {
	var blocked, kept []string
	for _, t := range targets {
		if t.State == cqlv1.TableBlocked {
			blocked = append(blocked, fmt.Sprintf("%s: %s", tableTargetLabel(t), t.Message))
		}
		if len(t.Drift) > 0 {
			kept = append(kept, fmt.Sprintf("%s: %s", tableTargetLabel(t), strings.Join(t.Drift, "; ")))
		}
	}
	switch {
	case len(blocked) > 0:
		return metav1.ConditionTrue, cqlv1.ReasonDriftBlocked, strings.Join(append(blocked, kept...), "; ")
	case len(kept) > 0:
		return metav1.ConditionTrue, cqlv1.ReasonDriftKept, strings.Join(kept, "; ") +
			" (kept: set spec.allowDropColumns / spec.allowDropIndexes to drop them, or add them to the spec)"
	}
	return metav1.ConditionFalse, cqlv1.ReasonNoDrift, "no difference the spec does not allow to correct on the targets that were read"
}

// setTableModelStatus writes the outcome of a reconcile into tm.Status. While a deletion waits
// (o.deleting set), only the Ready condition changes.
func setTableModelStatus(tm *cqlv1.TableModel, o tableModelOutcome, now metav1.Time) {
	if o.deleting != "" {
		setDeleting(&tm.Status.Conditions, &tm.Status.ObservedGeneration, tm.Generation, o.deleting, now)
		return
	}
	tm.Status.Table = o.table
	tm.Status.Targets = tableTargets(tm.Status.Targets, o.targets, now)
	synced := 0
	for _, t := range tm.Status.Targets {
		if t.State == cqlv1.TableSynced {
			synced++
		}
	}
	tm.Status.TargetsSynced = fmt.Sprintf("%d/%d", synced, len(tm.Status.Targets))
	status, reason, msg := tableModelReady(o.table, tm.Status.Targets)
	setCondition(&tm.Status.Conditions, cqlv1.ConditionReady, status, reason, msg, tm.Generation, now)
	status, reason, msg = tableModelDrifted(tm.Status.Targets)
	setCondition(&tm.Status.Conditions, cqlv1.ConditionDrifted, status, reason, msg, tm.Generation, now)
	tm.Status.ObservedGeneration = tm.Generation
}
