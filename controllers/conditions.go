package controllers

import (
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
)

// setCondition sets one condition for the given generation; its lastTransitionTime moves (to now)
// only when the status changes.
func setCondition(conds *[]metav1.Condition, typ string, status metav1.ConditionStatus, reason, message string, generation int64, now metav1.Time) {
	meta.SetStatusCondition(conds, metav1.Condition{
		Type: typ, Status: status, Reason: reason, Message: message,
		ObservedGeneration: generation, LastTransitionTime: now,
	})
}

// setDeleting marks a resource whose deletion waits for targets: Ready=False, reason Deleting,
// the message saying what it waits for and how to let go. Nothing else in status changes.
func setDeleting(conds *[]metav1.Condition, observedGeneration *int64, generation int64, message string, now metav1.Time) {
	setCondition(conds, cqlv1.ConditionReady, metav1.ConditionFalse, cqlv1.ReasonDeleting, message, generation, now)
	*observedGeneration = generation
}
