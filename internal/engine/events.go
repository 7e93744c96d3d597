package engine

import (
	"context"
	"fmt"
	"hash/fnv"
	"strings"
	"unicode/utf8"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/log"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
	"github.com/cqlsync/cqlsync/internal/cql/plan"
)

// recordEvents emits an event for every statement applied, a Warning when a target newly fails or
// is blocked, and a Warning when a target's drift changes. prev is the status before the
// reconcile.
func (r *pipeline[T, D, L]) recordEvents(obj T, prev []cqlv1.TargetStatus, o *Outcome) {
	targets := o.targets
	old := map[string]cqlv1.TargetStatus{}
	for _, t := range prev {
		old[targetKey(t.Connection, t.Keyspace)] = t
	}
	for _, t := range targets {
		label := targetLabel(t.connection, t.keyspace, false)
		r.recordApplied(obj, label, t.applied)
		if t.released != "" {
			typ := corev1.EventTypeNormal
			if t.releaseEvent == r.kind.NotDropped {
				typ = corev1.EventTypeWarning
			}
			r.event(obj, typ, t.releaseEvent, eventAction(label, string(t.releaseEvent)), "%s: %s", label, t.released)
		}
		if o.mode == Delete {
			continue // the targets' status is not rewritten while a deletion waits: its Ready condition says why
		}
		if t.tooManyTables != "" {
			r.event(obj, corev1.EventTypeWarning, cqlv1.EventTooManyTables, eventAction(label, "too many tables"), "%s: %s", label, t.tooManyTables)
		}
		p, had := old[targetKey(t.connection, t.keyspace)]
		if t.state == cqlv1.TargetFailed || t.state == cqlv1.TargetBlocked {
			if !had || p.State != t.state || p.Reason != t.reason {
				r.event(obj, corev1.EventTypeWarning, cqlv1.EventReason(t.reason), eventAction(label, "sync"), "%s: %s", label, t.message)
			}
		}
		if drift := strings.Join(t.drift, "; "); drift != "" && (!had || strings.Join(p.Drift, "; ") != drift) {
			r.event(obj, corev1.EventTypeWarning, cqlv1.EventDriftDetected, eventAction(label, "drift "+drift), "%s: %s", label, drift)
		}
	}
}

// recordApplied emits a Normal event for each statement that ran on a target.
func (r *pipeline[T, D, L]) recordApplied(obj T, label string, applied plan.Plan) {
	for _, st := range applied {
		note := st.Summary
		if st.ReplicationChanged {
			note += "; " + followUp(st)
		}
		r.event(obj, corev1.EventTypeNormal, statementEventReason(st.Kind), eventAction(label, st.Summary), "%s: %s", label, note)
		if len(st.Warnings) > 0 {
			r.event(obj, corev1.EventTypeWarning, cqlv1.EventCassandraWarning, eventAction(label, "warned: "+st.Summary),
				"%s: Cassandra warned when running %s: %s", label, st.Summary, strings.Join(st.Warnings, "; "))
		}
	}
}

// logWarnings logs what Cassandra warned about when it ran the statements of a target (the
// Warning events say it on the resource too).
func logWarnings(ctx context.Context, label string, applied plan.Plan) {
	for _, st := range applied {
		if len(st.Warnings) > 0 {
			log.FromContext(ctx).Info("Cassandra warned when running a statement", "target", label, "statement", st.Summary, "warnings", st.Warnings)
		}
	}
}

// event records an event about the resource.
func (r *pipeline[T, D, L]) event(obj T, typ string, reason cqlv1.EventReason, action, note string, args ...any) {
	if r.Recorder != nil {
		r.Recorder.Eventf(obj, nil, typ, string(reason), action, note, args...)
	}
}

// statementEventReason is the reason of the event of a statement that ran.
func statementEventReason(k plan.Kind) cqlv1.EventReason {
	switch k {
	case plan.CreateKeyspace:
		return cqlv1.EventKeyspaceCreated
	case plan.AlterKeyspace:
		return cqlv1.EventKeyspaceAltered
	case plan.DropKeyspace:
		return cqlv1.EventKeyspaceDropped
	case plan.CreateTable:
		return cqlv1.EventTableCreated
	case plan.AddColumns:
		return cqlv1.EventColumnsAdded
	case plan.AlterOptions:
		return cqlv1.EventTableOptionsChanged
	case plan.AlterMask:
		return cqlv1.EventColumnMaskChanged
	case plan.DropMask:
		return cqlv1.EventColumnMaskDropped
	case plan.DropColumns:
		return cqlv1.EventColumnsDropped
	case plan.CreateIndex:
		return cqlv1.EventIndexCreated
	case plan.DropIndex:
		return cqlv1.EventIndexDropped
	case plan.DropTable:
		return cqlv1.EventTableDropped
	case plan.CreateType:
		return cqlv1.EventTypeCreated
	case plan.AddField:
		return cqlv1.EventTypeFieldAdded
	case plan.DropType:
		return cqlv1.EventTypeDropped
	case plan.CreateRole:
		return cqlv1.EventRoleCreated
	case plan.AlterRole:
		return cqlv1.EventRoleAltered
	case plan.DropRole:
		return cqlv1.EventRoleDropped
	case plan.GrantPermission:
		return cqlv1.EventPermissionGranted
	case plan.RevokePermission:
		return cqlv1.EventPermissionRevoked
	}
	return cqlv1.EventReason(k)
}

// maxEventAction is the API server's limit on an event's action.
const maxEventAction = 128

// eventAction is the action of an event: what was done where. The event recorder folds events
// with the same reason and action into one series that keeps the first note, so the action names
// the target and the change: two different statements never share one, and the same statement
// repeated (a drift corrected twice) counts up one series. Long actions are cut and made unique
// with a hash of the whole text.
func eventAction(label, what string) string {
	a := label + ": " + what
	if len(a) <= maxEventAction {
		return a
	}
	h := fnv.New32a()
	h.Write([]byte(a))
	suffix := fmt.Sprintf(" ~%08x", h.Sum32())
	cut := maxEventAction - len(suffix)
	for cut > 0 && !utf8.RuneStart(a[cut]) {
		cut--
	}
	return a[:cut] + suffix
}

// recordPlanEvents says when a new plan starts to wait, when an approved plan runs, and when the
// annotation approves a plan other than the one that waits (it is void: the live schema or the
// spec changed since).
func (r *pipeline[T, D, L]) recordPlanEvents(obj T, before *cqlv1.PendingPlan, o Outcome) {
	if o.approved != "" {
		r.event(obj, corev1.EventTypeNormal, cqlv1.EventPlanApproved, "Approve "+o.approved,
			"plan %s was approved (annotation %s) and recomputed to the same hash: running it", o.approved, cqlv1.AnnotationApprovePlan)
	}
	if o.plan == nil {
		return
	}
	if before == nil || before.Hash != o.plan.Hash {
		n := 0
		for _, t := range o.plan.Targets {
			n += len(t.Statements)
		}
		r.event(obj, corev1.EventTypeNormal, cqlv1.EventPlanPending, "Plan "+o.plan.Hash,
			"%d statement(s) on %d target(s) wait (%s): %s", n, len(o.plan.Targets), o.plan.Reason, o.proceed)
	}
	if approved := obj.GetAnnotations()[cqlv1.AnnotationApprovePlan]; approved != "" && approved != o.plan.Hash && o.plan.Reason == cqlv1.ReasonAwaitingApproval {
		r.event(obj, corev1.EventTypeWarning, cqlv1.EventApprovalVoid, "Approve "+approved+" not "+o.plan.Hash,
			"the annotation %s approves plan %s, but the plan that waits is %s: the live schema or the spec changed since %s was computed, so nothing ran; approve %s to run it",
			cqlv1.AnnotationApprovePlan, approved, o.plan.Hash, approved, o.plan.Hash)
	}
}
