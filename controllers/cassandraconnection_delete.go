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
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
)

// deleteDependents names the Keyspaces, TableModels and UserTypes of the connection's namespace
// that have deletionPolicy Delete, still hold our finalizer, and target this connection (by name,
// or through the namespace default when this connection is the default). Closing the session
// before they are gone would leave their schema behind when they are deleted, which is what
// happens when a whole namespace is deleted: its objects are deleted in no particular order. Like
// a PersistentVolumeClaim in use by a Pod, the connection waits for them.
func (r *CassandraConnectionReconciler) deleteDependents(ctx context.Context, conn *cqlv1.CassandraConnection) ([]string, error) {
	var names []string
	for _, k := range []struct {
		kind string
		list client.ObjectList
	}{{"Keyspace", &cqlv1.KeyspaceList{}}, {"TableModel", &cqlv1.TableModelList{}}, {"UserType", &cqlv1.UserTypeList{}}} {
		list := k.list
		if err := r.List(ctx, list, client.InNamespace(conn.Namespace)); err != nil {
			return nil, err
		}
		err := meta.EachListItem(list, func(o runtime.Object) error {
			obj, ok := o.(schemaObject)
			if !ok || obj.EffectiveDeletionPolicy() != cqlv1.DeletionPolicyDelete || !controllerutil.ContainsFinalizer(obj, Finalizer) {
				return nil
			}
			conns := obj.TargetConnections()
			if (len(conns) == 0 && conn.Spec.Default) || slices.Contains(conns, cqlv1.ConnectionName(conn.Name)) {
				names = append(names, k.kind+" "+obj.GetName())
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
func (r *CassandraConnectionReconciler) reportInUse(ctx context.Context, conn *cqlv1.CassandraConnection, deps []string) error {
	log.FromContext(ctx).Info("deletion waits: resources with deletionPolicy Delete still use this connection", "dependents", deps)
	before := conn.DeepCopy()
	meta.SetStatusCondition(&conn.Status.Conditions, metav1.Condition{
		Type: cqlv1.ConditionReady, Status: metav1.ConditionFalse, Reason: cqlv1.ReasonInUse,
		ObservedGeneration: conn.Generation,
		Message: fmt.Sprintf("being deleted, but %s (deletionPolicy Delete) still use this connection to drop their schema when deleted; "+
			"the session stays open until they are gone: delete them, or set their spec.deletionPolicy to Retain",
			strings.Join(deps, ", ")),
	})
	return patchStatus(ctx, r.Client, before, conn, func(o client.Object) any {
		return o.(*cqlv1.CassandraConnection).Status
	})
}

// connectionsBeingDeleted maps a Keyspace, TableModel or UserType event to the connections of its namespace
// that are being deleted, so that a connection in use sees its users go (or change policy).
func (r *CassandraConnectionReconciler) connectionsBeingDeleted(ctx context.Context, o client.Object) []reconcile.Request {
	var list cqlv1.CassandraConnectionList
	if err := r.List(ctx, &list, client.InNamespace(o.GetNamespace())); err != nil {
		log.FromContext(ctx).Error(err, "listing connections")
		return nil
	}
	var deleting []cqlv1.CassandraConnection
	for _, c := range list.Items {
		if !c.DeletionTimestamp.IsZero() {
			deleting = append(deleting, c)
		}
	}
	return requestsFor(deleting)
}
