package controllers

import (
	"context"
	"time"

	"k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// patchStatus writes obj's status when it differs from before's, as one merge patch of the status
// subresource, and says whether it did. A reconcile with nothing to report writes nothing.
func patchStatus(ctx context.Context, c client.Client, before, obj client.Object, statusOf func(client.Object) any) (wrote bool, err error) {
	if equality.Semantic.DeepEqual(statusOf(before), statusOf(obj)) {
		return false, nil
	}
	err = c.Status().Patch(ctx, obj, client.MergeFrom(before))
	return err == nil, client.IgnoreNotFound(err)
}

// timestamp is t at the precision the API stores (seconds), so that a status computed twice in
// the same second compares equal to what was stored.
func timestamp(t time.Time) metav1.Time {
	return metav1.NewTime(t.Truncate(time.Second))
}
