package controllers

import (
	"errors"
	"fmt"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
	"github.com/cqlsync/cqlsync/internal/cql/apply"
	"github.com/cqlsync/cqlsync/internal/cql/plan"
)

// targetOutcome is what one reconcile found out, or did, on one target connection.
type targetOutcome struct {
	connection string // empty when the namespace default could not be resolved
	isDefault  bool
	state      cqlv1.KeyspaceTargetState
	reason     string
	message    string
	// applied are the statements that ran on this target in this reconcile.
	applied plan.Plan
}

// keyspaceOutcome is what one reconcile of a Keyspace found out. Status is a pure function of it,
// the previous status and the time.
type keyspaceOutcome struct {
	keyspace string
	targets  []targetOutcome
	// deleting is set while deletionPolicy Delete waits for targets: the Ready condition's message.
	deleting string
}

// repairHint is appended to every report of a replication change.
const repairHint = "a repair is needed on this cluster (nodetool repair -full) for existing data to follow the new replication"

// applyResult turns the result of applying a target's plan into its state, reason and message:
// schema disagreement is Pending (it clears by itself), an unknown datacenter and any other error
// are Failed.
func applyResult(keyspace string, err error) (cqlv1.KeyspaceTargetState, string, string) {
	var (
		disagree  *apply.DisagreementError
		unknownDC *apply.UnknownDatacenterError
	)
	switch {
	case err == nil:
		return cqlv1.TargetSynced, cqlv1.ReasonSynced, fmt.Sprintf("keyspace %q matches the spec", keyspace)
	case errors.As(err, &disagree):
		return cqlv1.TargetPending, cqlv1.ReasonSchemaDisagreement, err.Error() + "; retrying"
	case errors.As(err, &unknownDC):
		return cqlv1.TargetFailed, cqlv1.ReasonUnknownDatacenter, "spec.replication.datacenters: " + err.Error()
	}
	return cqlv1.TargetFailed, cqlv1.ReasonFailed, err.Error()
}

// appliedMessage describes the statements a target ran.
func appliedMessage(applied plan.Plan) string {
	parts := make([]string, 0, len(applied)+1)
	for _, s := range applied {
		parts = append(parts, s.Summary)
	}
	msg := strings.Join(parts, "; ")
	if applied.RepairNeeded() {
		msg += "; " + repairHint
	}
	return msg
}

// keyspaceTargets merges the outcomes into the previous targets. A target on which nothing
// happened and nothing changed keeps its message and lastSyncTime, so that a reconcile with
// nothing to do leaves the status exactly as it was.
func keyspaceTargets(prev []cqlv1.KeyspaceTarget, outcomes []targetOutcome, now metav1.Time) []cqlv1.KeyspaceTarget {
	old := map[string]cqlv1.KeyspaceTarget{}
	for _, t := range prev {
		old[t.Connection] = t
	}
	out := make([]cqlv1.KeyspaceTarget, 0, len(outcomes))
	for _, o := range outcomes {
		t := cqlv1.KeyspaceTarget{
			Connection: o.connection, Default: o.isDefault,
			State: o.state, Reason: o.reason, Message: o.message,
		}
		p, hadPrev := old[o.connection]
		if hadPrev {
			t.LastSyncTime = p.LastSyncTime
		}
		switch {
		case len(o.applied) > 0:
			t.LastSyncTime = &now
			if o.state == cqlv1.TargetSynced {
				t.Message = appliedMessage(o.applied)
			} else {
				t.Message = appliedMessage(o.applied) + "; then: " + o.message
			}
		case o.state == cqlv1.TargetSynced && hadPrev && p.State == cqlv1.TargetSynced:
			t.Message = p.Message // nothing happened: keep what the last change said
		case o.state == cqlv1.TargetSynced:
			t.LastSyncTime = &now
		}
		out = append(out, t)
	}
	return out
}

// keyspaceReady computes the Ready condition from the targets: True when all are Synced;
// otherwise the reason of the first Failed target, or else of the first Pending one.
func keyspaceReady(keyspace string, targets []cqlv1.KeyspaceTarget) (metav1.ConditionStatus, string, string) {
	synced := 0
	var notSynced []string
	reason := ""
	for _, state := range []cqlv1.KeyspaceTargetState{cqlv1.TargetFailed, cqlv1.TargetPending} {
		for _, t := range targets {
			if t.State == state && reason == "" {
				reason = t.Reason
			}
		}
	}
	for _, t := range targets {
		if t.State == cqlv1.TargetSynced {
			synced++
			continue
		}
		notSynced = append(notSynced, fmt.Sprintf("%s: %s", targetLabel(t), t.Message))
	}
	if len(targets) == 0 {
		return metav1.ConditionFalse, cqlv1.ReasonPending, "no target connection"
	}
	if synced == len(targets) {
		names := make([]string, len(targets))
		for i, t := range targets {
			names[i] = t.Connection
		}
		return metav1.ConditionTrue, cqlv1.ReasonSynced,
			fmt.Sprintf("keyspace %q is in sync on %s", keyspace, strings.Join(names, ", "))
	}
	return metav1.ConditionFalse, reason, fmt.Sprintf("%d/%d targets synced; %s", synced, len(targets), strings.Join(notSynced, "; "))
}

func targetLabel(t cqlv1.KeyspaceTarget) string {
	switch {
	case t.Connection == "":
		return "default connection"
	case t.Default:
		return t.Connection + " (default)"
	}
	return t.Connection
}

// setKeyspaceStatus writes the outcome of a reconcile into ks.Status. While a deletion waits
// (o.deleting set), only the Ready condition changes: the targets keep their last sync state.
func setKeyspaceStatus(ks *cqlv1.Keyspace, o keyspaceOutcome, now metav1.Time) {
	if o.deleting != "" {
		setDeleting(&ks.Status.Conditions, &ks.Status.ObservedGeneration, ks.Generation, o.deleting, now)
		return
	}
	ks.Status.Keyspace = o.keyspace
	ks.Status.Targets = keyspaceTargets(ks.Status.Targets, o.targets, now)
	synced := 0
	for _, t := range ks.Status.Targets {
		if t.State == cqlv1.TargetSynced {
			synced++
		}
	}
	ks.Status.SyncedTargets = fmt.Sprintf("%d/%d", synced, len(ks.Status.Targets))
	status, reason, msg := keyspaceReady(o.keyspace, ks.Status.Targets)
	setCondition(&ks.Status.Conditions, cqlv1.ConditionReady, status, reason, msg, ks.Generation, now)
	ks.Status.ObservedGeneration = ks.Generation
}
