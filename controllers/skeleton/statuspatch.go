package skeleton

import (
	"context"

	"k8s.io/apimachinery/pkg/api/equality"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// PatchStatus writes obj's status when it differs from before's, as one merge patch of the status
// subresource, and says whether it did. A reconcile with nothing to report writes nothing.
func PatchStatus(ctx context.Context, c client.Client, before, obj client.Object, statusOf func(client.Object) any) (wrote bool, err error) {
	if equality.Semantic.DeepEqual(statusOf(before), statusOf(obj)) {
		return false, nil
	}
	err = c.Status().Patch(ctx, obj, client.MergeFrom(before))
	return err == nil, client.IgnoreNotFound(err)
}
