package engine

import (
	"fmt"
	"strings"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
)

// Deletion is mode Delete of the one pipeline: Plan makes the drops the plan (the adapter's drop
// on every target, except those another resource owns or takes over, and those with no
// connection left to reach them through), the approval gate decides on them like on any change
// (under changePolicy Manual or AutoAdditive they wait for an approved plan, and a paused
// resource or a --dry-run manager runs none), Execute runs them with the same fan-out and
// classification as any statement, and this file decides whether the deletion is done.

// settleDeletion decides, once the drops ran, whether the object may go: every target was dropped
// or let go, and no drop waits for the gate. Otherwise the deletion waits (o.hold): with reason
// InUse when an object is still used (only its users going lets it go), else why the drops wait
// when a plan does, else Deleting. The annotation cqlsync.io/skip-unreachable-on-delete
// (skipUnreachable) lets go of targets that cannot be dropped now, never of objects in use or of
// drops that wait for the gate.
func (r *pipeline[T, D, L]) settleDeletion(o *Outcome, skipUnreachable bool) {
	var waiting []*targetOutcome
	for i := range o.targets {
		t := &o.targets[i]
		switch {
		case t.released != "", t.state == cqlv1.TargetSynced, t.gateHeld:
		case skipUnreachable && !t.inUse:
			t.release(r.kind.NotDropped, fmt.Sprintf("%s %q was NOT dropped there (%s; annotation %s)",
				r.kind.Noun, o.name, t.message, cqlv1.AnnotationSkipUnreachableOnDelete))
		default:
			waiting = append(waiting, t)
		}
	}
	if len(waiting) == 0 && o.plan == nil {
		o.released = true
		return
	}
	o.hold = r.deletionHold(o.name, waiting, o.plan)
	if o.plan != nil {
		o.hold.Message = o.proceed + "; " + o.hold.Message
	}
}

// deletionHold is the Ready condition while a deletion waits.
func (r *pipeline[T, D, L]) deletionHold(name string, waiting []*targetOutcome, pending *cqlv1.PendingPlan) *Problem {
	parts := make([]string, 0, len(waiting)+1)
	reason := cqlv1.ReasonDeleting
	if pending != nil {
		reason = pending.Reason
		for _, t := range pending.Targets {
			parts = append(parts, targetLabel(t.Connection, t.Keyspace, false)+" (the drop waits: "+pending.Reason+")")
		}
	}
	for _, t := range waiting {
		parts = append(parts, targetLabel(t.connection, t.keyspace, t.isDefault)+" ("+t.message+")")
		if t.inUse {
			reason = t.reason
		}
	}
	msg := fmt.Sprintf("deletionPolicy Delete: %s %q could not be dropped yet on %s; retrying. To let the resource go and leave the %s there, set spec.deletionPolicy: Retain",
		r.kind.Noun, name, strings.Join(parts, "; "), r.kind.Noun)
	switch reason {
	case cqlv1.ReasonDeleting:
		msg += fmt.Sprintf(" or the annotation %s: \"true\"", cqlv1.AnnotationSkipUnreachableOnDelete)
	case cqlv1.ReasonInUse:
		msg += ", or delete what still uses it"
	}
	return &Problem{Reason: reason, Message: msg}
}
