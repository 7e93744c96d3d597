package engine

import (
	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
	"github.com/cqlsync/cqlsync/internal/cql/plan"
)

// targetOutcome is what one reconcile found out, or did, on one target.
type targetOutcome struct {
	connection string // empty when the namespace default could not be resolved
	isDefault  bool
	name       string // the object's CQL name
	keyspace   string // empty for a Keyspace, or when the connection's defaultKeyspace is unknown
	state      cqlv1.TargetState
	reason     string
	message    string
	// drift lists live parts kept although the spec does not have them.
	drift []string
	// applied are the statements that ran on this target in this reconcile.
	applied plan.Plan
	// tooManyTables, when set, says that a table created here brought the cluster past the
	// connection's spec.tablesWarnThreshold (a Warning event).
	tooManyTables string
	// corrected: the statements that ran set back an out-of-band change (the spec was already
	// in effect on this target: it was Synced for the current generation).
	corrected bool
	// gateHeld: statements wait on this target for the approval gate (reason AwaitingApproval,
	// Paused or DryRun).
	gateHeld bool
	// Deletion only. inUse: the object is still used (a type by tables), so only its users going
	// lets it go. released is set when the deletion lets go of the target without dropping
	// anything there (another resource owns it, its connection is gone...): releaseEvent is the
	// event that says so (Kept or NotDropped), released its note.
	inUse        bool
	released     string
	releaseEvent cqlv1.EventReason
}

// set sets the target's state, reason and message.
func (t *targetOutcome) set(state cqlv1.TargetState, reason, message string) {
	t.state, t.reason, t.message = state, reason, message
}

// release lets go of a target of a deletion without dropping anything there.
func (t *targetOutcome) release(event cqlv1.EventReason, note string) {
	t.state, t.releaseEvent, t.released = cqlv1.TargetSynced, event, note
}

// Outcome is what one reconcile of a resource found out and did. Status is a pure function of it,
// the previous status and the time (see Report).
type Outcome struct {
	mode Mode
	// name is the effective CQL name.
	name string
	// targets are the outcomes of the targets that were worked on.
	targets []targetOutcome
	// complete is false when an API-server error cut the reconcile short: targets then holds the
	// targets that were done (DDL may have run on them), and the others keep their last status.
	complete bool
	// hold is set while a deletion with deletionPolicy Delete waits: the Ready condition's reason
	// (Deleting, InUse, or why its drops wait) and message.
	hold *Problem
	// released: the deletion is done (or the object is retained): the finalizer may go.
	// retained: deletionPolicy Retain left the object in Cassandra.
	released, retained bool
	// plan is what waits to run (status.plan), nil when nothing does; proceed says how to let it
	// run, for the Ready condition's message.
	plan    *cqlv1.PendingPlan
	proceed string
	// approved is the hash of the approved plan that ran in this reconcile, if any.
	approved string
	// replan: statements ran while others wait; plan those again soon, against the new schema.
	replan bool
}

// Released reports that a deletion is done: the object was dropped where it had to be (or is
// retained), and the resource's finalizer may go.
func (o *Outcome) Released() bool { return o != nil && o.released }

// Replan reports that statements ran while others wait: the resource should be planned again
// soon, against the new schema, before the waiting ones are offered for approval.
func (o *Outcome) Replan() bool { return o != nil && o.replan }
