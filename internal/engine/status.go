package engine

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
	"github.com/cqlsync/cqlsync/internal/cql/plan"
)

// The status of a Keyspace, a TableModel or a UserType is computed here, by pure functions of the
// reconcile's outcome, the previous status and the time, and written once by the pipeline.

// followUp is what a replication change asks of the cluster's operators: the nodetool commands
// for each datacenter concerned (plan.FollowUp), or a repair when the plan does not say.
func followUp(s plan.Statement) string {
	if s.FollowUp != "" {
		return "for existing data to follow the new replication: " + s.FollowUp
	}
	return repairHint
}

// repairHint is appended to a report of a replication change that names no command.
const repairHint = "a repair is needed on this cluster (nodetool repair -full) for existing data to follow the new replication"

// setSchemaStatus writes the outcome of a reconcile into st. what names the object in messages
// (`table "automobile"`). generation is the resource's. While a deletion waits (o.hold), only the
// Ready condition and the plan of the drops that wait change. When the reconcile was cut short (!o.complete), the targets it did are
// updated, the others keep their last status, and neither the conditions nor observedGeneration
// claim the new generation.
func setSchemaStatus(st *cqlv1.SchemaStatus, o Outcome, kind Kind, generation int64, now metav1.Time) {
	if o.hold != nil {
		setCondition(&st.Conditions, cqlv1.ConditionReady, metav1.ConditionFalse, o.hold.Reason, o.hold.Message, generation, now)
		cqlv1.SetHealthConditions(&st.Conditions, *meta.FindStatusCondition(st.Conditions, cqlv1.ConditionReady))
		st.ObservedGeneration = generation
		st.Plan = o.plan
		return
	}
	observed := generation
	if o.complete {
		st.Targets = mergeTargets(st.Targets, o.targets, now)
	} else {
		observed = st.ObservedGeneration
		st.Targets = mergePartial(st.Targets, o.targets, now)
	}
	synced := 0
	for _, t := range st.Targets {
		if t.State == cqlv1.TargetSynced {
			synced++
		}
	}
	st.TargetsSynced = fmt.Sprintf("%d/%d", synced, len(st.Targets))
	if o.complete {
		st.Plan = o.plan
	}
	status, reason, msg := readyCondition(kind.Noun, o.name, st.Targets)
	if st.Plan != nil && o.proceed != "" {
		msg = o.proceed + "; " + msg
	}
	setCondition(&st.Conditions, cqlv1.ConditionReady, status, reason, msg, observed, now)
	cqlv1.SetHealthConditions(&st.Conditions, *meta.FindStatusCondition(st.Conditions, cqlv1.ConditionReady))
	status, reason, msg = driftedCondition(st.Targets, kind.DriftHint)
	if reason == cqlv1.ReasonNoDrift {
		if c := correctedDrift(o.targets, now); c != "" {
			reason, msg = cqlv1.ReasonDriftCorrected, c
		} else if prev := meta.FindStatusCondition(st.Conditions, cqlv1.ConditionDrifted); prev != nil &&
			prev.Reason == cqlv1.ReasonDriftCorrected && prev.ObservedGeneration == observed {
			// What was set back stays said until the spec changes or the cluster drifts again: a
			// reconcile with nothing to do writes nothing.
			reason, msg = prev.Reason, prev.Message
		}
	}
	setCondition(&st.Conditions, cqlv1.ConditionDrifted, status, reason, msg, observed, now)
	st.ObservedGeneration = observed
}

func targetKey(connection, keyspace string) string { return connection + "\x00" + keyspace }

// mergeTargets makes the targets of a complete reconcile, one per outcome, in order. A target on
// which nothing happened and nothing changed keeps its message and lastSyncTime, so that a
// reconcile with nothing to do leaves the status exactly as it was.
func mergeTargets(prev []cqlv1.TargetStatus, outcomes []targetOutcome, now metav1.Time) []cqlv1.TargetStatus {
	old := make(map[string]cqlv1.TargetStatus, len(prev))
	for _, t := range prev {
		old[targetKey(t.Connection, t.Keyspace)] = t
	}
	out := make([]cqlv1.TargetStatus, 0, len(outcomes))
	for _, o := range outcomes {
		p, hadPrev := old[targetKey(o.connection, o.keyspace)]
		out = append(out, targetStatus(o, p, hadPrev, now))
	}
	return out
}

// mergePartial updates the targets an incomplete reconcile did and keeps the others as they were.
func mergePartial(prev []cqlv1.TargetStatus, outcomes []targetOutcome, now metav1.Time) []cqlv1.TargetStatus {
	out := slices.Clone(prev)
	for _, o := range outcomes {
		i := slices.IndexFunc(out, func(t cqlv1.TargetStatus) bool { return t.Connection == o.connection && t.Keyspace == o.keyspace })
		if i < 0 {
			out = append(out, targetStatus(o, cqlv1.TargetStatus{}, false, now))
			continue
		}
		out[i] = targetStatus(o, out[i], true, now)
	}
	return out
}

// targetStatus is one target's status from its outcome and its previous status.
func targetStatus(o targetOutcome, prev cqlv1.TargetStatus, hadPrev bool, now metav1.Time) cqlv1.TargetStatus {
	t := cqlv1.TargetStatus{
		Connection: o.connection, Default: o.isDefault, Keyspace: o.keyspace,
		State: o.state, Reason: o.reason, Message: o.message, Drift: slices.Clone(o.drift),
	}
	if hadPrev {
		t.LastSyncTime = prev.LastSyncTime
	}
	switch {
	case len(o.applied) > 0:
		t.LastSyncTime = &now
		t.Message = appliedMessage(o.applied)
		if o.state != cqlv1.TargetSynced {
			t.Message += "; then: " + o.message
		}
	case o.state == cqlv1.TargetSynced && hadPrev && prev.State == cqlv1.TargetSynced:
		t.Message = prev.Message // nothing happened: keep what the last change said
	case o.state == cqlv1.TargetSynced:
		t.LastSyncTime = &now
	}
	return t
}

// appliedMessage describes the statements a target ran.
func appliedMessage(applied plan.Plan) string {
	parts := make([]string, 0, len(applied)+1)
	for _, s := range applied {
		parts = append(parts, s.Summary)
	}
	for _, s := range applied {
		if s.ReplicationChanged {
			parts = append(parts, followUp(s))
		}
	}
	return strings.Join(parts, "; ")
}

// targetLabel names a target in messages and events: "connection c1" for a Keyspace's target,
// "c1/ks1" for a TableModel's or a UserType's.
func targetLabel(connection, keyspace string, isDefault bool) string {
	conn := connection
	switch {
	case conn == "":
		conn = "default connection"
	case isDefault:
		conn += " (default)"
	}
	if keyspace == "" {
		if connection == "" {
			return conn
		}
		return "connection " + conn
	}
	return conn + "/" + keyspace
}

func statusLabel(t cqlv1.TargetStatus) string {
	return targetLabel(t.Connection, t.Keyspace, t.Default)
}

// readyCondition computes the Ready condition from the targets: True when all are Synced;
// otherwise the reason of the first Failed target, else of the first Blocked one, else of the
// first Pending one.
func readyCondition(noun, name string, targets []cqlv1.TargetStatus) (metav1.ConditionStatus, string, string) {
	if len(targets) == 0 {
		return metav1.ConditionFalse, cqlv1.ReasonPending, "no target"
	}
	reason := ""
	for _, state := range []cqlv1.TargetState{cqlv1.TargetFailed, cqlv1.TargetBlocked, cqlv1.TargetPending} {
		for _, t := range targets {
			if t.State == state && reason == "" {
				reason = t.Reason
			}
		}
	}
	synced := 0
	var notSynced, labels []string
	for _, t := range targets {
		labels = append(labels, statusLabel(t))
		if t.State == cqlv1.TargetSynced {
			synced++
			continue
		}
		notSynced = append(notSynced, fmt.Sprintf("%s: %s: %s", statusLabel(t), t.State, t.Message))
	}
	if synced == len(targets) {
		return metav1.ConditionTrue, cqlv1.ReasonSynced, fmt.Sprintf("%s %q is in sync on %s", noun, name, strings.Join(labels, ", "))
	}
	return metav1.ConditionFalse, reason, fmt.Sprintf("%d/%d targets synced; %s", synced, len(targets), strings.Join(notSynced, "; "))
}

// driftedCondition computes the Drifted condition: True when a target is Blocked (a difference
// cqlsync must not correct) or keeps live parts the spec does not have. hint says what the user
// can do about kept drift.
func driftedCondition(targets []cqlv1.TargetStatus, hint string) (metav1.ConditionStatus, string, string) {
	var blocked, kept []string
	for _, t := range targets {
		if t.State == cqlv1.TargetBlocked {
			blocked = append(blocked, fmt.Sprintf("%s: %s", statusLabel(t), t.Message))
		}
		if len(t.Drift) > 0 {
			kept = append(kept, fmt.Sprintf("%s: %s", statusLabel(t), strings.Join(t.Drift, "; ")))
		}
	}
	switch {
	case len(blocked) > 0:
		return metav1.ConditionTrue, cqlv1.ReasonDriftBlocked, strings.Join(append(blocked, kept...), "; ")
	case len(kept) > 0:
		return metav1.ConditionTrue, cqlv1.ReasonDriftKept, strings.Join(kept, "; ") + " (" + hint + ")"
	}
	return metav1.ConditionFalse, cqlv1.ReasonNoDrift, "no difference the spec does not allow to correct on the targets that were read"
}

// correctedDrift says which targets had an out-of-band change set back in this reconcile (see
// targetOutcome.corrected), and with what: the Drifted condition's message when nothing else
// drifted. "" when none did.
func correctedDrift(targets []targetOutcome, now metav1.Time) string {
	var parts []string
	for _, t := range targets {
		if t.corrected && len(t.applied) > 0 {
			parts = append(parts, targetLabel(t.connection, t.keyspace, t.isDefault)+": "+appliedMessage(t.applied))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return "the live schema had drifted and was set back at " + now.UTC().Format(time.RFC3339) + ": " + strings.Join(parts, "; ")
}
