package controllers

import (
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/util/workqueue"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
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

// nextSync is when a Keyspace or TableModel is reconciled again: one that is not Ready is retried
// with a backoff that grows with how long it has not been Ready (retryAfter); a Ready one re-reads
// the live schema every interval, to correct drift.
func nextSync(conditions []metav1.Condition, now func() time.Time, interval time.Duration) ctrl.Result {
	ready := cqlv1.FindCondition(conditions, cqlv1.ConditionReady)
	if ready == nil || ready.Status != metav1.ConditionTrue {
		var since metav1.Time
		if ready != nil {
			since = ready.LastTransitionTime
		}
		return ctrl.Result{RequeueAfter: retryAfter(since, now())}
	}
	return ctrl.Result{RequeueAfter: interval}
}

// schemaControllerOptions are the options of the controllers that run DDL (Keyspace, TableModel):
// a few reconciles at once, and failures retried from a second up to maxRetry.
func schemaControllerOptions() controller.Options {
	return controller.Options{
		MaxConcurrentReconciles: 4,
		RateLimiter:             workqueue.NewTypedItemExponentialFailureRateLimiter[reconcile.Request](time.Second, maxRetry),
	}
}
