package v1alpha1

import (
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Condition types.
const (
	// ConditionReady is True when the resource is fully in effect on every target.
	ConditionReady = "Ready"
	// ConditionDrifted is True when a live schema differs in ways the spec does not let us correct.
	ConditionDrifted = "Drifted"
	// ConditionReconciling (kstatus's convention) is True, with Ready's reason and message, while
	// the resource is not Ready but will get there by itself: work is under way, or it waits for
	// something that comes without a person (a dependency being created, schema agreement, an
	// index building, a cluster that does not answer yet). Absent otherwise.
	ConditionReconciling = "Reconciling"
	// ConditionStalled (kstatus's convention) is True, with Ready's reason and message, when
	// nothing will change without a person: a change Cassandra cannot make in place, invalid
	// input, a refused permission, a duplicate owner, bad credentials, and changes that wait for
	// a person on purpose (AwaitingApproval, Paused, DryRun). Absent otherwise.
	ConditionStalled = "Stalled"
)

// Reasons of a CassandraConnection's Ready condition.
const (
	// ReasonConnected: a session is open and the cluster answered.
	ReasonConnected = "Connected"
	// ReasonNotConnectedYet: lazyConnect is set and nothing has needed the session yet.
	ReasonNotConnectedYet = "NotConnectedYet"
	// ReasonUnreachable: no contact point answered within the timeouts; retried with backoff. A
	// Keyspace's, TableModel's or UserType's target whose cluster does not answer (while its live
	// schema is read or DDL runs, or because its connection is Unreachable) says the same word
	// (state Pending).
	ReasonUnreachable = "Unreachable"
	// ReasonAuthenticationFailed: the cluster refused the credentials.
	ReasonAuthenticationFailed = "AuthenticationFailed"
	// ReasonTLSFailed: the TLS handshake failed (unknown CA, wrong server name, bad client cert...).
	ReasonTLSFailed = "TLSFailed"
	// ReasonSecretNotFound: a referenced Secret does not exist.
	ReasonSecretNotFound = "SecretNotFound"
	// ReasonSecretKeyNotFound: a referenced Secret lacks the named key.
	ReasonSecretKeyNotFound = "SecretKeyNotFound"
	// ReasonInvalidSecret: a Secret's content cannot be used (e.g. a CA that is not PEM).
	ReasonInvalidSecret = "InvalidSecret"
	// ReasonInvalidSpec: the spec passed the API server but cannot be used (checked by the controller).
	ReasonInvalidSpec = "InvalidSpec"
	// ReasonDefaultConflict: more than one connection in the namespace has spec.default set.
	ReasonDefaultConflict = "DefaultConflict"
	// ReasonConnectionFailed: connecting failed for a reason no other connection reason names;
	// the message has the driver's error.
	ReasonConnectionFailed = "ConnectionFailed"
	// ReasonInUse: the connection is being deleted, but Keyspaces, TableModels or UserTypes with
	// deletionPolicy Delete still use it; it keeps its session until they are gone, so that their
	// deletion can drop their schema through it. A UserType being deleted with deletionPolicy
	// Delete reports it too while live tables or types still use its type: Cassandra cannot drop
	// it until they are gone.
	ReasonInUse = "InUse"
)

// stallingReasons are the reasons of a Ready condition that is not True after which nothing will
// change without a person (Stalled); every other reason of a Ready condition that is not True is
// one that clears by itself (Reconciling). TestEveryReasonHasAHealth keeps the two lists complete.
var stallingReasons = map[string]bool{
	// Blocked: Cassandra cannot make the change in place.
	ReasonPrimaryKeyDiffers: true, ReasonColumnTypeDiffers: true, ReasonStaticDiffers: true,
	ReasonIndexNameTaken: true, ReasonFieldTypeDiffers: true, ReasonFieldNotInSpec: true, ReasonUnsupportedByServer: true,
	// Invalid input, refused permission, ownership, refused statements.
	ReasonInvalidSpec: true, ReasonInvalidType: true, ReasonUnknownDatacenter: true, ReasonNotPermitted: true,
	ReasonDuplicateOwner: true, ReasonFailed: true, ReasonNoDefaultKeyspace: true, ReasonDefaultConflict: true,
	// A connection's credentials, TLS or Secret content.
	ReasonAuthenticationFailed: true, ReasonTLSFailed: true, ReasonSecretKeyNotFound: true, ReasonInvalidSecret: true,
	// Changes that wait for a person on purpose.
	ReasonAwaitingApproval: true, ReasonPaused: true, ReasonDryRun: true,
	// A Backfill that cannot run as specified, or whose target keeps differing.
	ReasonSourceNotFound: true, ReasonCounterTable: true, ReasonUnsafeConversion: true, ReasonUnmappedKey: true,
	ReasonVerificationFailed: true,
}

// progressingReasons are the reasons of a Ready condition that is not True that clear by
// themselves: the resource is Reconciling.
var progressingReasons = map[string]bool{
	ReasonPending: true, ReasonConnectionNotFound: true, ReasonConnectionNotReady: true, ReasonNoDefaultConnection: true,
	ReasonKeyspaceNotFound: true, ReasonUserTypeNotFound: true, ReasonSchemaDisagreement: true, ReasonIndexBuilding: true,
	ReasonNodeDown: true, ReasonClusterUpgrading: true, ReasonUnreachable: true, ReasonDeleting: true, ReasonInUse: true,
	ReasonConnectionFailed: true, ReasonSecretNotFound: true,
	ReasonCopying: true, ReasonVerifying: true, ReasonTargetNotReady: true,
}

// readyReasons are the reasons of a Ready condition that is True; driftedReasons those of the
// Drifted condition. Neither stands on a Ready condition that is not True.
var (
	readyReasons   = map[string]bool{ReasonSynced: true, ReasonConnected: true, ReasonNotConnectedYet: true, ReasonVerified: true}
	driftedReasons = map[string]bool{ReasonNoDrift: true, ReasonDriftKept: true, ReasonDriftBlocked: true, ReasonDriftCorrected: true}
)

// IsReadyReason reports whether the reason is one of a Ready condition that is True.
func IsReadyReason(reason string) bool { return readyReasons[reason] }

// IsDriftedReason reports whether the reason is one of the Drifted condition.
func IsDriftedReason(reason string) bool { return driftedReasons[reason] }

// Stalls reports whether a Ready condition that is not True with this reason needs a person
// (Stalled) rather than time (Reconciling).
func Stalls(reason string) bool { return stallingReasons[reason] }

// SetHealthConditions sets Reconciling and Stalled from the Ready condition (kstatus's
// conventions, which Flux reads): both absent when Ready is True; Stalled when Ready's reason
// needs a person (Stalls), Reconciling otherwise, each with Ready's reason, message and
// observedGeneration.
func SetHealthConditions(conds *[]metav1.Condition, ready metav1.Condition) {
	if ready.Status == metav1.ConditionTrue {
		meta.RemoveStatusCondition(conds, ConditionReconciling)
		meta.RemoveStatusCondition(conds, ConditionStalled)
		return
	}
	set, drop := ConditionReconciling, ConditionStalled
	if Stalls(ready.Reason) {
		set, drop = ConditionStalled, ConditionReconciling
	}
	meta.RemoveStatusCondition(conds, drop)
	meta.SetStatusCondition(conds, metav1.Condition{Type: set, Status: metav1.ConditionTrue, Reason: ready.Reason,
		Message: ready.Message, ObservedGeneration: ready.ObservedGeneration, LastTransitionTime: ready.LastTransitionTime})
}

// IsReadyFor reports whether the Ready condition is True and describes the current generation.
func IsReadyFor(conds []metav1.Condition, generation int64) bool {
	c := meta.FindStatusCondition(conds, ConditionReady)
	return c != nil && c.Status == metav1.ConditionTrue && c.ObservedGeneration == generation
}
