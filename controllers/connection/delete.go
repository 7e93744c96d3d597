package connection

import (
	"context"
	"fmt"
	"slices"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
	"github.com/cqlsync/cqlsync/controllers/skeleton"
	"github.com/cqlsync/cqlsync/internal/engine"
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
		refs, err := engine.NamespaceDefaults(ctx, r.Client, namespace, true)
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
			return nil, fmt.Errorf("listing %ss: %w", k.kind, err)
		}
		err := meta.EachListItem(k.list, func(o runtime.Object) error {
			obj, ok := o.(engine.Object)
			if !ok || obj.EffectiveDeletionPolicy() != cqlv1.DeletionPolicyDelete || !skeleton.HasFinalizer(obj) {
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
				names = append(names, k.kind+" "+engine.QualifiedName(obj))
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
