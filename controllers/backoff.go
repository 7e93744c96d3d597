package controllers

import (
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/util/workqueue"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
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

// schemaControllerOptions are the options of the controllers that run DDL (Keyspace, TableModel,
// UserType):
// a few reconciles at once, and failures retried from a second up to maxRetry.
func schemaControllerOptions() controller.Options {
	return controller.Options{
		MaxConcurrentReconciles: 4,
		RateLimiter:             workqueue.NewTypedItemExponentialFailureRateLimiter[reconcile.Request](time.Second, maxRetry),
	}
}
