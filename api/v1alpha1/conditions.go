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

// IsReadyFor reports whether the Ready condition is True and describes the current generation.
func IsReadyFor(conds []metav1.Condition, generation int64) bool {
	c := meta.FindStatusCondition(conds, ConditionReady)
	return c != nil && c.Status == metav1.ConditionTrue && c.ObservedGeneration == generation
}
