package controllers

import (
	"context"
	"fmt"
	"slices"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
)

// connectionNames are the names in a spec.connections: the values of a "connections" index.
func connectionNames(conns []cqlv1.ConnectionName) []string {
	var names []string
	for _, c := range conns {
		names = append(names, string(c))
	}
	return names
}

// usesDefaultIndex is the value of a "uses-default" index: "true" when spec.connections is empty.
func usesDefaultIndex(conns []cqlv1.ConnectionName) []string {
	if len(conns) == 0 {
		return []string{"true"}
	}
	return nil
}

// requestsForConnection maps a connection to the objects of its namespace that name it (index
// byName) and, for a default connection, to those that use the namespace default (index
// usesDefault). Updates call it with both the old and the new object, so a connection that stops
// being the default requeues them too. newList makes an empty list of the objects' kind.
func requestsForConnection(ctx context.Context, c client.Reader, o client.Object, newList func() client.ObjectList, byName, usesDefault string) []reconcile.Request {
	conn, ok := o.(*cqlv1.CassandraConnection)
	if !ok {
		return nil
	}
	reqs := listRequests(ctx, c, newList(), conn.Namespace, byName, conn.Name)
	if conn.Spec.Default {
		reqs = append(reqs, listRequests(ctx, c, newList(), conn.Namespace, usesDefault, "true")...)
	}
	return reqs
}

// listRequests lists the objects of the namespace whose index field has the value, into list,
// and returns a request for each. A failure is logged: a map function cannot return it.
func listRequests(ctx context.Context, c client.Reader, list client.ObjectList, namespace, field, value string) []reconcile.Request {
	if err := c.List(ctx, list, client.InNamespace(namespace), client.MatchingFields{field: value}); err != nil {
		log.FromContext(ctx).Error(err, "listing objects for a watch", "list", fmt.Sprintf("%T", list), "field", field, "value", value)
		return nil
	}
	var reqs []reconcile.Request
	_ = meta.EachListItem(list, func(o runtime.Object) error {
		if obj, ok := o.(client.Object); ok {
			reqs = append(reqs, reconcile.Request{NamespacedName: client.ObjectKeyFromObject(obj)})
		}
		return nil
	})
	return reqs
}

// withoutRequest is reqs without the request for key.
func withoutRequest(reqs []reconcile.Request, key client.ObjectKey) []reconcile.Request {
	return slices.DeleteFunc(reqs, func(r reconcile.Request) bool { return r.NamespacedName == key })
}
