package controllers

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
	"sigs.k8s.io/controller-runtime/pkg/log"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
)

// deleteDependents names the Keyspaces, TableModels and UserTypes that have deletionPolicy
// Delete, still hold our finalizer, and reach their clusters through this connection: by naming
// it, or through their namespace's default when it is that default. For a CassandraConnection
// they are in its namespace; for a ClusterCassandraConnection, in any namespace. Closing the
// session before they are gone would leave their schema behind when they are deleted, which is
// what happens when a whole namespace is deleted: its objects are deleted in no particular order.
// Like a PersistentVolumeClaim in use by a Pod, the connection waits for them.
func (r *connectionReconciler[T]) deleteDependents(ctx context.Context, conn T) ([]string, error) {
	self := r.kind.ref(conn)
	var opts []client.ListOption
	if r.kind.namespaced {
		opts = append(opts, client.InNamespace(conn.GetNamespace()))
	}
	defaults := map[string]bool{} // namespace: this connection is its default
	isDefault := func(namespace string) (bool, error) {
		if d, ok := defaults[namespace]; ok {
			return d, nil
		}
		refs, err := namespaceDefaults(ctx, r.Client, namespace, true)
		if err != nil {
			return false, err
		}
		defaults[namespace] = slices.Contains(refs, self)
		return defaults[namespace], nil
	}
	var names []string
	for _, k := range []struct {
		kind string
		list client.ObjectList
	}{{"Keyspace", &cqlv1.KeyspaceList{}}, {"TableModel", &cqlv1.TableModelList{}}, {"UserType", &cqlv1.UserTypeList{}}} {
		if err := r.List(ctx, k.list, opts...); err != nil {
			return nil, err
		}
		err := meta.EachListItem(k.list, func(o runtime.Object) error {
			obj, ok := o.(schemaObject)
			if !ok || obj.EffectiveDeletionPolicy() != cqlv1.DeletionPolicyDelete || !controllerutil.ContainsFinalizer(obj, Finalizer) {
				return nil
			}
			refs := obj.TargetConnections()
			uses := slices.ContainsFunc(refs, func(ref cqlv1.ConnectionRef) bool { return ref.Kind == self.Kind && ref.Name == self.Name })
			if !uses && len(refs) == 0 {
				var err error
				if uses, err = isDefault(obj.GetNamespace()); err != nil {
					return err
				}
			}
			if uses {
				names = append(names, k.kind+" "+qualifiedName(obj))
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	slices.Sort(names)
	return names, nil
}

// reportInUse says, in the Ready condition, which resources the deletion waits for and how to go on.
func (r *connectionReconciler[T]) reportInUse(ctx context.Context, conn T, deps []string) error {
	log.FromContext(ctx).Info("deletion waits: resources with deletionPolicy Delete still use this connection", "dependents", deps)
	before := conn.DeepCopyObject().(T)
	meta.SetStatusCondition(&r.kind.status(conn).Conditions, metav1.Condition{
		Type: cqlv1.ConditionReady, Status: metav1.ConditionFalse, Reason: cqlv1.ReasonInUse,
		ObservedGeneration: conn.GetGeneration(),
		Message: fmt.Sprintf("being deleted, but %s (deletionPolicy Delete) still use this connection to drop their schema when deleted; "+
			"the session stays open until they are gone: delete them, or set their spec.deletionPolicy to Retain",
			strings.Join(deps, ", ")),
	})
	return r.patchStatus(ctx, before, conn)
}
