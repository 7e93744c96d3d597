package engine

import (
	"context"
	"fmt"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
	"github.com/cqlsync/cqlsync/internal/cql/registry"
)

// A schema resource reaches its clusters through connections of two kinds: a CassandraConnection
// of its own namespace, or a ClusterCassandraConnection a platform team lends to the namespaces it
// allows. This file reads either as one view, resolves a namespace's default, and decides whether
// a namespace may use a cluster-scoped connection.

// connView is a connection of either kind, as the schema pipeline uses it.
type connView struct {
	ref cqlv1.ConnectionRef
	// key is the connection's registry key: {namespace, name}, or {"", name} for a
	// ClusterCassandraConnection.
	key        registry.Key
	spec       *cqlv1.CassandraConnectionSpec
	status     *cqlv1.CassandraConnectionStatus
	generation int64
	deleting   bool
	// shared is the spec of a ClusterCassandraConnection, nil for a CassandraConnection.
	shared *cqlv1.ClusterCassandraConnectionSpec
}

// KeyOf is the registry key of a connection a resource of namespace names.
func KeyOf(namespace string, ref cqlv1.ConnectionRef) registry.Key {
	if ref.IsCluster() {
		return registry.Key{Name: ref.Name}
	}
	return registry.Key{Namespace: namespace, Name: ref.Name}
}

// getConnView reads the connection a resource of namespace names, or says why there is none to
// use (it does not exist, or is being deleted, which is fine when the caller is being deleted
// too). The error is for API-server failures only.
func getConnView(ctx context.Context, c client.Reader, namespace string, ref cqlv1.ConnectionRef, deleting bool) (*connView, *Problem, error) {
	v := &connView{ref: ref, key: KeyOf(namespace, ref)}
	var obj client.Object
	if ref.IsCluster() {
		cc := &cqlv1.ClusterCassandraConnection{}
		obj, v.spec, v.status, v.shared = cc, &cc.Spec.CassandraConnectionSpec, &cc.Status, &cc.Spec
	} else {
		cc := &cqlv1.CassandraConnection{}
		obj, v.spec, v.status = cc, &cc.Spec, &cc.Status
	}
	err := c.Get(ctx, types.NamespacedName{Namespace: v.key.Namespace, Name: ref.Name}, obj)
	switch {
	case apierrors.IsNotFound(err) && ref.IsCluster():
		return nil, &Problem{Reason: cqlv1.ReasonConnectionNotFound, Message: fmt.Sprintf("ClusterCassandraConnection %q does not exist", ref.Name)}, nil
	case apierrors.IsNotFound(err):
		return nil, &Problem{Reason: cqlv1.ReasonConnectionNotFound, Message: fmt.Sprintf("CassandraConnection %q does not exist in namespace %q", ref.Name, namespace)}, nil
	case err != nil:
		return nil, nil, fmt.Errorf("reading %s %q: %w", kindName(ref), ref.Name, err)
	}
	v.generation, v.deleting = obj.GetGeneration(), !obj.GetDeletionTimestamp().IsZero()
	if v.deleting && !deleting {
		return nil, &Problem{Reason: cqlv1.ReasonConnectionNotFound, Message: fmt.Sprintf("%s %q is being deleted", kindName(ref), ref.Name)}, nil
	}
	return v, nil, nil
}

func kindName(ref cqlv1.ConnectionRef) string {
	if ref.IsCluster() {
		return string(cqlv1.KindClusterCassandraConnection)
	}
	return string(cqlv1.KindCassandraConnection)
}

// NamespaceDefaults lists the namespace's default connections: the ClusterCassandraConnection its
// annotation cqlsync.io/default-cluster-connection names, and its CassandraConnections with
// spec.default, sorted. Connections being deleted are left out, except when the caller is itself
// being deleted (deleting): a connection keeps its session until the Delete-policy resources being
// deleted with it have dropped their schema, so they can still use it.
func NamespaceDefaults(ctx context.Context, c client.Reader, namespace string, deleting bool) ([]cqlv1.ConnectionRef, error) {
	var out []cqlv1.ConnectionRef
	ns := &corev1.Namespace{}
	switch err := c.Get(ctx, types.NamespacedName{Name: namespace}, ns); {
	case apierrors.IsNotFound(err):
	case err != nil:
		return nil, fmt.Errorf("reading namespace %q: %w", namespace, err)
	default:
		if name := ns.Annotations[cqlv1.AnnotationDefaultClusterConnection]; name != "" {
			out = append(out, cqlv1.ClusterScoped(name))
		}
	}
	var list cqlv1.CassandraConnectionList
	if err := c.List(ctx, &list, client.InNamespace(namespace), client.MatchingFields{IndexConnDefault: "true"}); err != nil {
		return nil, fmt.Errorf("listing the default CassandraConnections of namespace %q: %w", namespace, err)
	}
	var names []string
	for _, conn := range list.Items {
		if conn.DeletionTimestamp.IsZero() || deleting {
			names = append(names, conn.Name)
		}
	}
	slices.Sort(names)
	for _, n := range names {
		out = append(out, cqlv1.Namespaced(n))
	}
	return out, nil
}

// defaultProblem says why a resource with empty spec.connections has no connection when the
// namespace does not have exactly one default (defaults, from namespaceDefaults); nil when it has.
func defaultProblem(namespace string, defaults []cqlv1.ConnectionRef) *Problem {
	switch len(defaults) {
	case 1:
		return nil
	case 0:
		return &Problem{Reason: cqlv1.ReasonNoDefaultConnection, Message: fmt.Sprintf(
			"spec.connections is empty and namespace %q has no default connection: set spec.default on one of its CassandraConnections, or name a ClusterCassandraConnection in its annotation %s",
			namespace, cqlv1.AnnotationDefaultClusterConnection)}
	}
	names := make([]string, len(defaults))
	for i, d := range defaults {
		names[i] = d.String()
	}
	return &Problem{Reason: cqlv1.ReasonDefaultConflict, Message: fmt.Sprintf(
		"spec.connections is empty and namespace %q has several default connections: %s; keep exactly one (spec.default, or the annotation %s)",
		namespace, strings.Join(names, ", "), cqlv1.AnnotationDefaultClusterConnection)}
}

// namespacePermitted says why a ClusterCassandraConnection does not let the namespace use it, nil
// when it does (and for a CassandraConnection, which belongs to its namespace). Only API-server
// errors are returned.
func namespacePermitted(ctx context.Context, c client.Reader, namespace string, v *connView) (*Problem, error) {
	if v.shared == nil {
		return nil, nil
	}
	notPermitted := func(format string, args ...any) (*Problem, error) {
		return &Problem{Reason: cqlv1.ReasonNotPermitted, State: cqlv1.TargetFailed, Message: fmt.Sprintf(format, args...)}, nil
	}
	if v.shared.AllowedNamespaces == nil {
		return notPermitted("ClusterCassandraConnection %q allows no namespace (its spec.allowedNamespaces is empty): namespace %q may not use it", v.ref.Name, namespace)
	}
	sel, err := metav1.LabelSelectorAsSelector(v.shared.AllowedNamespaces)
	if err != nil {
		return notPermitted("ClusterCassandraConnection %q has an unusable spec.allowedNamespaces (%v): namespace %q may not use it", v.ref.Name, err, namespace)
	}
	ns := &corev1.Namespace{}
	if err := c.Get(ctx, types.NamespacedName{Name: namespace}, ns); client.IgnoreNotFound(err) != nil {
		return nil, fmt.Errorf("reading namespace %q: %w", namespace, err)
	}
	if !sel.Matches(labels.Set(ns.Labels)) {
		return notPermitted("ClusterCassandraConnection %q does not allow namespace %q: its labels do not match spec.allowedNamespaces (%s)", v.ref.Name, namespace, sel)
	}
	return nil, nil
}

// keyspacePermitted says why a keyspace may not be managed through the connection, nil when it
// may: never a system keyspace, and for a ClusterCassandraConnection only those its
// spec.allowedKeyspaces allow.
func keyspacePermitted(v *connView, keyspace, namespace string) *Problem {
	switch {
	case cqlv1.IsSystemKeyspace(keyspace):
		return &Problem{Reason: cqlv1.ReasonNotPermitted, State: cqlv1.TargetFailed, Message: fmt.Sprintf("keyspace %q is a system keyspace: cqlsync never creates, alters or drops it", keyspace)}
	case v.shared != nil && !v.shared.KeyspaceAllowed(keyspace, namespace):
		return &Problem{Reason: cqlv1.ReasonNotPermitted, State: cqlv1.TargetFailed, Message: fmt.Sprintf("ClusterCassandraConnection %q does not allow keyspace %q to namespace %q (its spec.allowedKeyspaces: %s; %s is %q there)",
			v.ref.Name, keyspace, namespace, strings.Join(v.shared.AllowedKeyspaces, ", "), cqlv1.NamespacePlaceholder, cqlv1.NamespaceCQLName(namespace))}
	}
	return nil
}
