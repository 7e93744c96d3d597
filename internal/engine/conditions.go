package engine

import (
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// setCondition sets one condition for the given generation; its lastTransitionTime moves (to now)
// only when the status changes.
func setCondition(conds *[]metav1.Condition, typ string, status metav1.ConditionStatus, reason, message string, generation int64, now metav1.Time) {
	meta.SetStatusCondition(conds, metav1.Condition{
		Type: typ, Status: status, Reason: reason, Message: message,
		ObservedGeneration: generation, LastTransitionTime: now,
	})
}

// timestamp is t at the precision the API stores (seconds), so that a status computed twice in
// the same second compares equal to what was stored.
func timestamp(t time.Time) metav1.Time {
	return metav1.NewTime(t.Truncate(time.Second))
}
