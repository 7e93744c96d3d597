package controllers

import (
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

const (
	minRetry = 2 * time.Second
	maxRetry = 60 * time.Second
)

// retryAfter spaces retries of a failing target by how long it has been failing: a quarter of that
// time, at least minRetry and at most maxRetry. It needs no state beyond the condition's
// lastTransitionTime, survives restarts, and never loops hot.
func retryAfter(failingSince metav1.Time, now time.Time) time.Duration {
	if failingSince.IsZero() {
		return minRetry
	}
	d := now.Sub(failingSince.Time) / 4
	if d < minRetry {
		return minRetry
	}
	if d > maxRetry {
		return maxRetry
	}
	return d
}
