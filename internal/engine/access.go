package engine

import (
	"context"
	"fmt"
	"strings"

	"sigs.k8s.io/controller-runtime/pkg/client"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
)

// KeyspaceAccess says why a resource of namespace that is not a schema kind (a Backfill) may not
// read or write the tables of keyspace through the connection ref, nil when it may, by the rules
// the schema kinds follow: the connection exists and is not being deleted, a
// ClusterCassandraConnection allows the namespace and the keyspace, the keyspace is not a system
// keyspace, and a keyspace a Keyspace of another namespace owns on that cluster is that
// namespace's unless it shares it (spec.allowedNamespaces). what names the refused use, for the
// message ("a Backfill of namespace \"a\" may not read it"). Only API-server errors are returned.
func KeyspaceAccess(ctx context.Context, c client.Reader, clusters Clusters, namespace string, ref cqlv1.ConnectionRef, keyspace, what string) (*Problem, error) {
	v, p, err := getConnView(ctx, c, namespace, ref, false)
	if err != nil || p != nil {
		return p, err
	}
	if p, err := namespacePermitted(ctx, c, namespace, v); err != nil || p != nil {
		return p, err
	}
	if p := keyspacePermitted(v, keyspace, namespace); p != nil {
		return p, nil
	}
	owner, err := keyspaceOwner(newClaims(ctx, c, clusters), clusterIdentity(clusters, v), keyspace)
	if err != nil {
		return nil, fmt.Errorf("finding the owner of keyspace %q: %w", keyspace, err)
	}
	return contentsPermitted(ctx, c, namespace, owner, keyspace, what)
}

// ParseConnection reads the connection a target's status names (TargetStatus.Connection: "name"
// or "ClusterCassandraConnection/name") back into a reference.
func ParseConnection(s string) cqlv1.ConnectionRef {
	if name, ok := strings.CutPrefix(s, string(cqlv1.KindClusterCassandraConnection)+"/"); ok {
		return cqlv1.ClusterScoped(name)
	}
	return cqlv1.Namespaced(s)
}
