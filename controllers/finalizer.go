package controllers

import (
	"context"

	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
)

// Finalizer is the finalizer cqlsync puts on every resource it manages, so that it can close a
// session or apply a deletion policy before the object goes away.
const Finalizer = "cqlsync.io/finalizer"

// ensureFinalizer adds the finalizer with a patch; it reports whether it had to.
func ensureFinalizer(ctx context.Context, c client.Client, obj client.Object) (bool, error) {
	if controllerutil.ContainsFinalizer(obj, Finalizer) {
		return false, nil
	}
	before := obj.DeepCopyObject().(client.Object)
	controllerutil.AddFinalizer(obj, Finalizer)
	return true, c.Patch(ctx, obj, client.MergeFrom(before))
}

// removeFinalizer removes the finalizer with a patch.
func removeFinalizer(ctx context.Context, c client.Client, obj client.Object) error {
	if !controllerutil.ContainsFinalizer(obj, Finalizer) {
		return nil
	}
	before := obj.DeepCopyObject().(client.Object)
	controllerutil.RemoveFinalizer(obj, Finalizer)
	return client.IgnoreNotFound(c.Patch(ctx, obj, client.MergeFrom(before)))
}

// ensureFinalizerAndName adds the finalizer and, when the spec's name (specName, a field of obj)
// is empty, sets it to defaultName, in one patch. Writing the name down makes it immutable (CEL),
// so that adding a spec.name later cannot silently switch the resource to another keyspace or
// table. The reconcile goes on with the patched object: a finalizer-only patch does not change the
// generation, so no event would bring it back.
func ensureFinalizerAndName(ctx context.Context, c client.Client, obj client.Object, specName *string, defaultName string) error {
	if controllerutil.ContainsFinalizer(obj, Finalizer) && *specName != "" {
		return nil
	}
	before := obj.DeepCopyObject().(client.Object)
	controllerutil.AddFinalizer(obj, Finalizer)
	if *specName == "" {
		*specName = defaultName
	}
	return c.Patch(ctx, obj, client.MergeFrom(before))
}
