package engine

import (
	"context"
	"errors"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
	"github.com/cqlsync/cqlsync/internal/cql/apply"
	"github.com/cqlsync/cqlsync/internal/cql/plan"
	"github.com/cqlsync/cqlsync/internal/cql/registry"
)

// Errors are classified here, once: what a target's error means (classify), and what a
// connection's error means (ClassifyConnection). Both read the registry's error kinds, so one
// outage has one word on the connection and on its targets.

// classify turns the error of reading or changing a target (an apply or a drop) into its state,
// reason and message. It is the one classification of every kind and mode: schema disagreement,
// a held DDL guard and an unreachable cluster are Pending (they clear by themselves and are
// retried); an unknown datacenter and anything else Cassandra refuses are Failed. An unreachable
// cluster is Unreachable, the word its connection uses for the same outage (ClassifyConnection). done says what a success means ("table "ks"."t" matches the
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
		return cqlv1.TargetPending, cqlv1.ReasonUnreachable, err.Error() + "; retrying"
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
	case plan.DiffUnsupported:
		return cqlv1.ReasonUnsupportedByServer
	case plan.DiffInvalidMask, plan.DiffPassword:
		return cqlv1.ReasonInvalidSpec
	}
	return cqlv1.ReasonPrimaryKeyDiffers
}

// ExpandContractGuide is the guide a Blocked key or type change points to: a new table, and a
// Backfill that copies the rows.
const ExpandContractGuide = "docs/changing-a-primary-key.md"

// expandContract is what a Blocked target's message adds when the change needs a new table: how
// to make it without downtime ("" for other differences).
func expandContract(k plan.DifferenceKind) string {
	switch k {
	case plan.DiffPartitionKey, plan.DiffClusteringKey, plan.DiffClusteringOrder, plan.DiffColumnType:
		return ". To make this change without downtime, declare the new table as another TableModel and copy the rows into it with a Backfill, while the application writes to both: see " + ExpandContractGuide
	}
	return ""
}

// ConnectionClass is what a connection's error means for its Ready condition.
type ConnectionClass struct {
	// Reason is the Ready condition's reason; Hint ends its message: what to do.
	Reason, Hint string
	// Transient: the cluster may answer by itself (retried with backoff); otherwise the user must
	// change the spec or a Secret (a change is watched; retried slowly).
	Transient bool
}

// ClassifyConnection turns the error of connecting to a cluster, or of describing it, into the
// connection's Ready reason. A *Problem (a spec or Secret the user must fix) keeps its own reason.
func ClassifyConnection(err error) ConnectionClass {
	var p *Problem
	if errors.As(err, &p) {
		return ConnectionClass{Reason: p.Reason}
	}
	switch registry.KindOf(err) {
	case registry.KindAuthentication:
		return ConnectionClass{Reason: cqlv1.ReasonAuthenticationFailed, Hint: "; check the credentials in spec.auth.secretRef"}
	case registry.KindTLS:
		return ConnectionClass{Reason: cqlv1.ReasonTLSFailed, Hint: "; check spec.tls (CA, server name, client certificate)"}
	case registry.KindUnreachable:
		return ConnectionClass{Reason: cqlv1.ReasonUnreachable, Hint: "; retrying with backoff", Transient: true}
	case registry.KindConfig:
		return ConnectionClass{Reason: cqlv1.ReasonInvalidSpec}
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return ConnectionClass{Reason: cqlv1.ReasonUnreachable, Hint: "; retrying with backoff", Transient: true}
	}
	return ConnectionClass{Reason: cqlv1.ReasonConnectionFailed, Transient: true}
}
