package skeleton

import (
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/util/workqueue"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
)

const (
	MinRetry = 2 * time.Second
	MaxRetry = 60 * time.Second
)

// RetryAfter spaces retries of a failing target by how long it has been failing: a quarter of that
// time, at least MinRetry and at most MaxRetry. It needs no state beyond the condition's
// lastTransitionTime, survives restarts, and never loops hot.
func RetryAfter(failingSince metav1.Time, now time.Time) time.Duration {
	if failingSince.IsZero() {
		return MinRetry
	}
	d := now.Sub(failingSince.Time) / 4
	if d < MinRetry {
		return MinRetry
	}
	if d > MaxRetry {
		return MaxRetry
	}
	return d
}

// SchemaControllerOptions are the options of the controllers that run DDL (Keyspace, TableModel,
// UserType):
// a few reconciles at once, and failures retried from a second up to MaxRetry.
func SchemaControllerOptions() controller.Options {
	return controller.Options{
		MaxConcurrentReconciles: 4,
		RateLimiter:             workqueue.NewTypedItemExponentialFailureRateLimiter[reconcile.Request](time.Second, MaxRetry),
	}
}
