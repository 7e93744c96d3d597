package controllers

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
	"github.com/cqlsync/cqlsync/internal/cql/registry"
)

// SessionResolver is what the Keyspace and TableModel controllers need of the session registry.
type SessionResolver interface {
	Resolve(ctx context.Context, namespace, name string) (*registry.Session, error)
}

// connProblem says why a Keyspace or TableModel cannot use a connection now: the reason and
// message of its Pending targets.
type connProblem struct {
	reason  string
	message string
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
func defaultProblem(namespace string, defaults []string) *connProblem {
	switch len(defaults) {
	case 1:
		return nil
	case 0:
		return &connProblem{reason: cqlv1.ReasonNoDefaultConnection,
			message: fmt.Sprintf("spec.connections is empty and no CassandraConnection in namespace %q has spec.default: true", namespace)}
	}
	return &connProblem{reason: cqlv1.ReasonDefaultConflict,
		message: fmt.Sprintf("spec.connections is empty and several CassandraConnections are the namespace default: %s; keep spec.default on exactly one",
			strings.Join(defaults, ", "))}
}

// getConnection reads a CassandraConnection, or says why there is none to use (it does not exist,
// or is being deleted, which is fine when the caller is being deleted too). The error is for
// API-server failures only.
func getConnection(ctx context.Context, c client.Reader, namespace, name string, deleting bool) (*cqlv1.CassandraConnection, *connProblem, error) {
	conn := &cqlv1.CassandraConnection{}
	err := c.Get(ctx, types.NamespacedName{Namespace: namespace, Name: name}, conn)
	switch {
	case apierrors.IsNotFound(err):
		return nil, &connProblem{cqlv1.ReasonConnectionNotFound, fmt.Sprintf("CassandraConnection %q does not exist in namespace %q", name, namespace)}, nil
	case err != nil:
		return nil, nil, err
	case !conn.DeletionTimestamp.IsZero() && !deleting:
		return nil, &connProblem{cqlv1.ReasonConnectionNotFound, fmt.Sprintf("CassandraConnection %q is being deleted", name)}, nil
	}
	return conn, nil, nil
}

// readySession returns the session of a connection that is Ready (for its generation) and has a
// driver session, or says why there is none. A caller that is being deleted (deleting) only needs
// the session: a connection being deleted is not Ready while it waits for such callers, and one
// whose session is already closed is reported as gone (ConnectionNotFound) so nothing waits for it.
func readySession(ctx context.Context, reg SessionResolver, conn *cqlv1.CassandraConnection, deleting bool) (*registry.Session, *connProblem) {
	notReady := func(format string, args ...any) *connProblem {
		return &connProblem{cqlv1.ReasonConnectionNotReady, fmt.Sprintf(format, args...)}
	}
	if deleting {
		s, err := reg.Resolve(ctx, conn.Namespace, conn.Name)
		switch {
		case err != nil && !conn.DeletionTimestamp.IsZero() && errors.Is(err, registry.ErrNotRegistered):
			return nil, &connProblem{cqlv1.ReasonConnectionNotFound, fmt.Sprintf("CassandraConnection %q is being deleted and its session is closed", conn.Name)}
		case err != nil:
			return nil, notReady("no session for CassandraConnection %q: %v", conn.Name, err)
		case s.Driver() == nil:
			return nil, notReady("CassandraConnection %q has no driver session", conn.Name)
		}
		return s, nil
	}
	if !cqlv1.IsReadyFor(conn.Status.Conditions, conn.Generation) {
		if c := cqlv1.FindCondition(conn.Status.Conditions, cqlv1.ConditionReady); c != nil && c.Status != metav1.ConditionTrue {
			return nil, notReady("CassandraConnection %q is not Ready (%s: %s)", conn.Name, c.Reason, c.Message)
		}
		return nil, notReady("CassandraConnection %q has not been reconciled yet", conn.Name)
	}
	s, err := reg.Resolve(ctx, conn.Namespace, conn.Name)
	if err != nil {
		return nil, notReady("no session for CassandraConnection %q: %v", conn.Name, err)
	}
	if s.Driver() == nil {
		return nil, notReady("CassandraConnection %q has no driver session", conn.Name)
	}
	return s, nil
}
