package controllers

import (
	"context"
	"slices"

	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
)

// Finalizer is the finalizer cqlsync puts on every resource it manages, so that it can close a
// session or apply a deletion policy before the object goes away.
const Finalizer = "cqlsync.io/finalizer"

// ensureFinalizer adds the finalizer with a patch. The reconcile goes on with the patched object.
func ensureFinalizer(ctx context.Context, c client.Client, obj client.Object) error {
	if controllerutil.ContainsFinalizer(obj, Finalizer) {
		return nil
	}
	before := obj.DeepCopyObject().(client.Object)
	controllerutil.AddFinalizer(obj, Finalizer)
	return c.Patch(ctx, obj, client.MergeFrom(before))
}

// finalizersChanged passes updates that change an object's finalizers: someone removing ours by
// hand is worth a reconcile, and the generation does not move.
var finalizersChanged = predicate.Funcs{
	UpdateFunc: func(e event.UpdateEvent) bool {
		return !slices.Equal(e.ObjectOld.GetFinalizers(), e.ObjectNew.GetFinalizers())
	},
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
func ensureFinalizerAndName(ctx context.Context, c client.Client, obj client.Object, specName *string, defaultName string) (wrote bool, err error) {
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
