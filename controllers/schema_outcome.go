package controllers

import (
	"context"
	"errors"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
	"github.com/cqlsync/cqlsync/internal/cql/apply"
	"github.com/cqlsync/cqlsync/internal/cql/plan"
	"github.com/cqlsync/cqlsync/internal/cql/registry"
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
}

// outcome is what one reconcile of a resource found out. Status is a pure function of it, the
// previous status and the time.
type outcome struct {
	// name is the effective CQL name.
	name string
	// targets are the outcomes of the targets that were worked on.
	targets []targetOutcome
	// complete is false when an API-server error cut the reconcile short: targets then holds the
	// targets that were done (DDL may have run on them), and the others keep their last status.
	complete bool
	// hold is set while a deletion with deletionPolicy Delete waits: the Ready condition's reason
	// (Deleting, InUse, or why its drops wait) and message.
	hold *problem
	// plan is what waits to run (status.plan), nil when nothing does; proceed says how to let it
	// run, for the Ready condition's message.
	plan    *cqlv1.PendingPlan
	proceed string
	// approved is the hash of the approved plan that ran in this reconcile, if any.
	approved string
	// replan: statements ran while others wait; plan those again soon, against the new schema.
	replan bool
}

// classify turns the error of reading or changing a target into its state, reason and message.
// It is the one classification of every kind: schema disagreement and an unreachable cluster are
// Pending (they clear by themselves and are retried); an unknown datacenter and anything else
// Cassandra refuses are Failed. done says what a success means ("table "ks"."t" matches the
// spec").
func classify(err error, done string) (cqlv1.TargetState, string, string) {
	var (
		disagree  *apply.DisagreementError
		unknownDC *apply.UnknownDatacenterError
		held      *apply.HeldError
	)
	switch {
	case err == nil:
		return cqlv1.TargetSynced, cqlv1.ReasonSynced, done
	case errors.As(err, &held) && held.NodeDown():
		return cqlv1.TargetPending, cqlv1.ReasonNodeDown, err.Error() + "; nothing was executed, retrying (set it to Proceed to run DDL anyway)"
	case errors.As(err, &held):
		return cqlv1.TargetPending, cqlv1.ReasonClusterUpgrading, err.Error() + "; nothing was executed, retrying (set it to Proceed to run DDL anyway)"
	case errors.As(err, &disagree):
		return cqlv1.TargetPending, cqlv1.ReasonSchemaDisagreement, err.Error() + "; retrying"
	case errors.As(err, &unknownDC):
		return cqlv1.TargetFailed, cqlv1.ReasonUnknownDatacenter, "spec.replication.datacenters: " + err.Error()
	case unreachable(err):
		return cqlv1.TargetPending, cqlv1.ReasonConnectionNotReady, err.Error() + "; retrying"
	}
	return cqlv1.TargetFailed, cqlv1.ReasonFailed, err.Error()
}

// unreachable reports whether err means the cluster did not answer in time.
func unreachable(err error) bool {
	return registry.KindOf(err) == registry.KindUnreachable || errors.Is(err, context.DeadlineExceeded)
}

// blockedReason is the reason of a Blocked target, from its first difference.
func blockedReason(k plan.DifferenceKind) string {
	switch k {
	case plan.DiffColumnType:
		return cqlv1.ReasonColumnTypeDiffers
	case plan.DiffStatic:
		return cqlv1.ReasonStaticDiffers
	case plan.DiffIndexName:
		return cqlv1.ReasonIndexNameTaken
	case plan.DiffFieldType:
		return cqlv1.ReasonFieldTypeDiffers
	case plan.DiffFieldNotInSpec:
		return cqlv1.ReasonFieldNotInSpec
	}
	return cqlv1.ReasonPrimaryKeyDiffers
}
