package integration

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
)

// A test's namespaces are retired when it ends: every cqlsync object in them is deleted with its
// finalizers taken off, so the manager drops nothing, and the test waits until the manager's cache
// has let them go. Without it, a finished test's Keyspace or TableModel would put back, as drift,
// the keyspace its cleanup dropped, and run DDL on a shared cluster during a later test (a later
// test that counts statements, or freezes a node, would see it).

var (
	namespacesMu sync.Mutex
	namespacesOf = map[*testing.T][]string{}
)

// ownNamespace records ns as one of t's namespaces and retires it when t ends.
func ownNamespace(t *testing.T, ns string) {
	namespacesMu.Lock()
	namespacesOf[t] = append(namespacesOf[t], ns)
	namespacesMu.Unlock()
	t.Cleanup(func() { retire(t) })
}

// retireKinds are the kinds a test namespace can hold that act on Cassandra.
func retireKinds() []client.ObjectList {
	return []client.ObjectList{&cqlv1.BackfillList{}, &cqlv1.TableModelList{}, &cqlv1.UserTypeList{},
		&cqlv1.CassandraRoleList{}, &cqlv1.KeyspaceList{}, &cqlv1.CassandraConnectionList{}}
}

// retire deletes the cqlsync objects of t's namespaces without their finalizers running. It is
// idempotent: dropAfter calls it before dropping a keyspace, and each namespace's cleanup again.
func retire(t *testing.T) {
	namespacesMu.Lock()
	namespaces := namespacesOf[t]
	namespacesMu.Unlock()
	for _, ns := range namespaces {
		for _, list := range retireKinds() {
			if err := k8s.List(ctx, list, client.InNamespace(ns)); err != nil {
				t.Errorf("retiring namespace %s: %v", ns, err)
				continue
			}
			_ = meta.EachListItem(list, func(o runtime.Object) error {
				obj := o.(client.Object)
				if len(obj.GetFinalizers()) > 0 {
					patch := client.MergeFrom(obj.DeepCopyObject().(client.Object))
					obj.SetFinalizers(nil)
					if err := client.IgnoreNotFound(k8s.Patch(ctx, obj, patch)); err != nil {
						t.Errorf("retiring %s/%s: %v", ns, obj.GetName(), err)
					}
				}
				if err := client.IgnoreNotFound(k8s.Delete(ctx, obj)); err != nil {
					t.Errorf("retiring %s/%s: %v", ns, obj.GetName(), err)
				}
				return nil
			})
		}
		// The manager acts on what its cache holds: the namespace is retired once the cache is
		// empty too.
		deadline := time.Now().Add(30 * time.Second)
		for _, list := range retireKinds() {
			for {
				err := managerClient.List(ctx, list, client.InNamespace(ns))
				if err == nil && meta.LenList(list) == 0 {
					break
				}
				if time.Now().After(deadline) {
					t.Errorf("retiring namespace %s: the manager still sees %T: %v", ns, list, fmt.Sprint(err))
					break
				}
				time.Sleep(20 * time.Millisecond)
			}
		}
	}
}
