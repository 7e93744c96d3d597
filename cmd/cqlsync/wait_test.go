package main

import (
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
)

// healthOf reads Ready and Stalled for the object's current generation only: a condition of an
// older generation says nothing of the spec being waited for.
func TestHealthOf(t *testing.T) {
	tm := &cqlv1.TableModel{ObjectMeta: metav1.ObjectMeta{Generation: 3}}
	cond := func(typ string, status metav1.ConditionStatus, reason string, gen int64) metav1.Condition {
		return metav1.Condition{Type: typ, Status: status, Reason: reason, Message: "m", ObservedGeneration: gen}
	}
	cases := []struct {
		name           string
		conds          []metav1.Condition
		ready, stalled bool
	}{
		{"no status", nil, false, false},
		{"ready", []metav1.Condition{cond(cqlv1.ConditionReady, metav1.ConditionTrue, cqlv1.ReasonSynced, 3)}, true, false},
		{"ready for an older generation", []metav1.Condition{cond(cqlv1.ConditionReady, metav1.ConditionTrue, cqlv1.ReasonSynced, 2)}, false, false},
		{"stalled", []metav1.Condition{cond(cqlv1.ConditionReady, metav1.ConditionFalse, cqlv1.ReasonColumnTypeDiffers, 3),
			cond(cqlv1.ConditionStalled, metav1.ConditionTrue, cqlv1.ReasonColumnTypeDiffers, 3)}, false, true},
		{"stalled for an older generation", []metav1.Condition{cond(cqlv1.ConditionReady, metav1.ConditionFalse, cqlv1.ReasonColumnTypeDiffers, 2),
			cond(cqlv1.ConditionStalled, metav1.ConditionTrue, cqlv1.ReasonColumnTypeDiffers, 2)}, false, false},
		{"reconciling", []metav1.Condition{cond(cqlv1.ConditionReady, metav1.ConditionFalse, cqlv1.ReasonKeyspaceNotFound, 3),
			cond(cqlv1.ConditionReconciling, metav1.ConditionTrue, cqlv1.ReasonKeyspaceNotFound, 3)}, false, false},
	}
	for _, tc := range cases {
		h := healthOf(tm, tc.conds)
		if h.ready != tc.ready || (h.stalled != nil) != tc.stalled {
			t.Errorf("%s: ready=%v stalled=%v, want %v %v", tc.name, h.ready, h.stalled != nil, tc.ready, tc.stalled)
		}
		if !h.ready && h.why == "" {
			t.Errorf("%s: no reason given for waiting", tc.name)
		}
	}
}
