package controllers

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
	"github.com/cqlsync/cqlsync/internal/cql/registry"
)

// connTarget is one connection of a resource and the keyspaces it acts on through it: for a
// Keyspace, the keyspace itself; for a TableModel or a UserType, spec.keyspaces or the
// connection's defaultKeyspace. When the connection cannot be used, decided says why, and every
// one of its targets gets that outcome (Pending).
type connTarget struct {
	name      string // empty when the namespace default could not be resolved
	isDefault bool
	keyspaces []string
	cluster   Cluster
	decided   *problem
}

// resolveTargets resolves spec.connections (or the namespace default) and, for each, its
// keyspaces and its cluster. deleting: the resource is being deleted and only needs a session to
// drop through (see readyCluster). Only API-server errors are returned.
func (r *schemaReconciler[T, D]) resolveTargets(ctx context.Context, obj T, deleting bool) ([]connTarget, error) {
	names := connectionNames(obj.TargetConnections())
	isDefault := len(names) == 0
	if isDefault {
		defaults, err := defaultConnections(ctx, r.Client, obj.GetNamespace(), deleting)
		if err != nil {
			return nil, err
		}
		if p := defaultProblem(obj.GetNamespace(), defaults); p != nil {
			return []connTarget{{isDefault: true, keyspaces: r.specKeyspaces(obj), decided: p}}, nil
		}
		names = defaults
	}
	out := make([]connTarget, 0, len(names))
	for _, name := range names {
		ct := connTarget{name: name, isDefault: isDefault, keyspaces: r.specKeyspaces(obj)}
		conn, p, err := getConnection(ctx, r.Client, obj.GetNamespace(), name, deleting)
		switch {
		case err != nil:
			return nil, err
		case p != nil:
			ct.decided = p
		case len(ct.keyspaces) == 0 && conn.Spec.DefaultKeyspace == "":
			ct.decided = &problem{cqlv1.ReasonNoDefaultKeyspace, fmt.Sprintf(
				"spec.keyspaces is empty and CassandraConnection %q has no spec.defaultKeyspace: list the keyspaces in spec.keyspaces or set the connection's defaultKeyspace", name)}
		default:
			if len(ct.keyspaces) == 0 {
				ct.keyspaces = []string{conn.Spec.DefaultKeyspace}
			}
			ct.cluster, ct.decided = r.readyCluster(ctx, conn, deleting)
		}
		out = append(out, ct)
	}
	return out, nil
}

// specKeyspaces are the keyspaces the resource names: spec.keyspaces of a TableModel or a
// UserType (empty: the connection's default, resolved per connection), the keyspace itself for a
// Keyspace.
func (r *schemaReconciler[T, D]) specKeyspaces(obj T) []string {
	if !r.kind.perKeyspace {
		return []string{obj.CQLName()}
	}
	var out []string
	for _, k := range obj.TargetKeyspaces() {
		out = append(out, string(k))
	}
	return out
}

// statusKeyspace is the keyspace a target shows in status: none for a Keyspace, whose targets
// are connections.
func (r *schemaReconciler[T, D]) statusKeyspace(keyspace string) string {
	if r.kind.perKeyspace {
		return keyspace
	}
	return ""
}

// connectionNames are the names in a spec.connections.
func connectionNames(conns []cqlv1.ConnectionName) []string {
	var names []string
	for _, c := range conns {
		names = append(names, string(c))
	}
	return names
}

// defaultConnections lists the names of the namespace's default CassandraConnections, sorted.
// Connections being deleted are left out, except when the caller is itself being deleted
// (deleting): a connection keeps its session until the Delete-policy resources being deleted with
// it have dropped their schema, so they can still use it.
func defaultConnections(ctx context.Context, c client.Reader, namespace string, deleting bool) ([]string, error) {
	var list cqlv1.CassandraConnectionList
	if err := c.List(ctx, &list, client.InNamespace(namespace), client.MatchingFields{indexConnDefault: "true"}); err != nil {
		return nil, err
	}
	var names []string
	for _, conn := range list.Items {
		if conn.DeletionTimestamp.IsZero() || deleting {
			names = append(names, conn.Name)
		}
	}
	slices.Sort(names)
	return names, nil
}

// defaultProblem says why a resource with empty spec.connections has no connection when the
// namespace does not have exactly one default (defaults, from defaultConnections); nil when it has.
func defaultProblem(namespace string, defaults []string) *problem {
	switch len(defaults) {
	case 1:
		return nil
	case 0:
		return &problem{reason: cqlv1.ReasonNoDefaultConnection,
			message: fmt.Sprintf("spec.connections is empty and no CassandraConnection in namespace %q has spec.default: true", namespace)}
	}
	return &problem{reason: cqlv1.ReasonDefaultConflict,
		message: fmt.Sprintf("spec.connections is empty and several CassandraConnections are the namespace default: %s; keep spec.default on exactly one",
			strings.Join(defaults, ", "))}
}

// getConnection reads a CassandraConnection, or says why there is none to use (it does not exist,
// or is being deleted, which is fine when the caller is being deleted too). The error is for
// API-server failures only.
func getConnection(ctx context.Context, c client.Reader, namespace, name string, deleting bool) (*cqlv1.CassandraConnection, *problem, error) {
	conn := &cqlv1.CassandraConnection{}
	err := c.Get(ctx, types.NamespacedName{Namespace: namespace, Name: name}, conn)
	switch {
	case apierrors.IsNotFound(err):
		return nil, &problem{cqlv1.ReasonConnectionNotFound, fmt.Sprintf("CassandraConnection %q does not exist in namespace %q", name, namespace)}, nil
	case err != nil:
		return nil, nil, err
	case !conn.DeletionTimestamp.IsZero() && !deleting:
		return nil, &problem{cqlv1.ReasonConnectionNotFound, fmt.Sprintf("CassandraConnection %q is being deleted", name)}, nil
	}
	return conn, nil, nil
}

// readyCluster returns the cluster of a connection that is Ready (for its generation) and has a
// session, or says why there is none. A caller that is being deleted (deleting) only needs the
// session: a connection being deleted is not Ready while it waits for such callers, and one whose
// session is already closed is reported as gone (ConnectionNotFound) so nothing waits for it.
func (r *schemaReconciler[T, D]) readyCluster(ctx context.Context, conn *cqlv1.CassandraConnection, deleting bool) (Cluster, *problem) {
	notReady := func(format string, args ...any) *problem {
		return &problem{cqlv1.ReasonConnectionNotReady, fmt.Sprintf(format, args...)}
	}
	if !deleting && !cqlv1.IsReadyFor(conn.Status.Conditions, conn.Generation) {
		if c := meta.FindStatusCondition(conn.Status.Conditions, cqlv1.ConditionReady); c != nil && c.Status != metav1.ConditionTrue {
			return nil, notReady("CassandraConnection %q is not Ready (%s: %s)", conn.Name, c.Reason, c.Message)
		}
		return nil, notReady("CassandraConnection %q has not been reconciled yet", conn.Name)
	}
	c, err := r.Clusters.Cluster(ctx, conn.Namespace, conn.Name)
	switch {
	case err != nil && deleting && !conn.DeletionTimestamp.IsZero() && errors.Is(err, registry.ErrNotRegistered):
		return nil, &problem{cqlv1.ReasonConnectionNotFound, fmt.Sprintf("CassandraConnection %q is being deleted and its session is closed", conn.Name)}
	case err != nil:
		return nil, notReady("no session for CassandraConnection %q: %v", conn.Name, err)
	}
	return c, nil
}
