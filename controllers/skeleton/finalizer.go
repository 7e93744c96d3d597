package skeleton

import (
	"context"
	"slices"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"

	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
)

// Finalizer is the finalizer cqlsync puts on every resource it manages (cqlv1.Finalizer).
const Finalizer = cqlv1.Finalizer

// EnsureFinalizer adds the finalizer with a patch. The reconcile goes on with the patched object.
func EnsureFinalizer(ctx context.Context, c client.Client, obj client.Object) error {
	if controllerutil.ContainsFinalizer(obj, Finalizer) {
		return nil
	}
	before := obj.DeepCopyObject().(client.Object)
	controllerutil.AddFinalizer(obj, Finalizer)
	return c.Patch(ctx, obj, client.MergeFrom(before))
}

// FinalizersChanged passes updates that change an object's finalizers: someone removing ours by
// hand is worth a reconcile, and the generation does not move.
var FinalizersChanged = predicate.Funcs{
	UpdateFunc: func(e event.UpdateEvent) bool {
		return !slices.Equal(e.ObjectOld.GetFinalizers(), e.ObjectNew.GetFinalizers())
	},
}

// RemoveFinalizer removes the finalizer with a patch.
func RemoveFinalizer(ctx context.Context, c client.Client, obj client.Object) error {
	if !controllerutil.ContainsFinalizer(obj, Finalizer) {
		return nil
	}
	before := obj.DeepCopyObject().(client.Object)
	controllerutil.RemoveFinalizer(obj, Finalizer)
	return client.IgnoreNotFound(c.Patch(ctx, obj, client.MergeFrom(before)))
}

// EnsureFinalizerAndName adds the finalizer and, when the spec's name (specName, a field of obj)
// is empty, sets it to defaultName, in one patch. Writing the name down makes it immutable (CEL),
// so that adding a spec.name later cannot silently switch the resource to another keyspace or
// table. The reconcile goes on with the patched object: a finalizer-only patch does not change the
// generation, so no event would bring it back.
func EnsureFinalizerAndName(ctx context.Context, c client.Client, obj client.Object, specName *string, defaultName string) (wrote bool, err error) {
	if controllerutil.ContainsFinalizer(obj, Finalizer) && *specName != "" {
		return false, nil
	}
	before := obj.DeepCopyObject().(client.Object)
	controllerutil.AddFinalizer(obj, Finalizer)
	if *specName == "" {
		*specName = defaultName
	}
	return true, c.Patch(ctx, obj, client.MergeFrom(before))
}

// HasFinalizer reports whether obj holds cqlsync's finalizer.
func HasFinalizer(obj client.Object) bool { return controllerutil.ContainsFinalizer(obj, Finalizer) }
