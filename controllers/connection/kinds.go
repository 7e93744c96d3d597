package connection

import (
	"sigs.k8s.io/controller-runtime/pkg/client"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
	"github.com/cqlsync/cqlsync/internal/cql/registry"
)

// connKind is what the connection reconciler needs to know of a connection kind: how to make its
// objects, where its spec and status are, its registry key, how schema resources name it, and the
// namespace of the Secrets it reads.
type connKind[T client.Object] struct {
	kind      string
	newObject func() T
	newList   func() client.ObjectList
	spec      func(T) *cqlv1.CassandraConnectionSpec
	status    func(T) *cqlv1.CassandraConnectionStatus
	// namespaced: a CassandraConnection, which belongs to its namespace and may be its default.
	namespaced bool
	// ref is how a Keyspace, TableModel or UserType names the connection.
	ref func(T) cqlv1.ConnectionRef
	// secretsNamespace is the namespace of the Secrets the connection names, given the
	// operator's namespace.
	secretsNamespace func(obj T, operatorNamespace string) string
}

// key is the registry key of a connection: its namespace and name, namespace "" for a
// ClusterCassandraConnection.
func (k connKind[T]) key(obj T) registry.Key {
	return registry.Key{Namespace: obj.GetNamespace(), Name: obj.GetName()}
}

var cassandraConnectionKind = connKind[*cqlv1.CassandraConnection]{
	kind:             "CassandraConnection",
	newObject:        func() *cqlv1.CassandraConnection { return &cqlv1.CassandraConnection{} },
	newList:          func() client.ObjectList { return &cqlv1.CassandraConnectionList{} },
	spec:             func(c *cqlv1.CassandraConnection) *cqlv1.CassandraConnectionSpec { return &c.Spec },
	status:           func(c *cqlv1.CassandraConnection) *cqlv1.CassandraConnectionStatus { return &c.Status },
	namespaced:       true,
	ref:              func(c *cqlv1.CassandraConnection) cqlv1.ConnectionRef { return cqlv1.Namespaced(c.Name) },
	secretsNamespace: func(c *cqlv1.CassandraConnection, _ string) string { return c.Namespace },
}

var clusterCassandraConnectionKind = connKind[*cqlv1.ClusterCassandraConnection]{
	kind:      "ClusterCassandraConnection",
	newObject: func() *cqlv1.ClusterCassandraConnection { return &cqlv1.ClusterCassandraConnection{} },
	newList:   func() client.ObjectList { return &cqlv1.ClusterCassandraConnectionList{} },
	spec: func(c *cqlv1.ClusterCassandraConnection) *cqlv1.CassandraConnectionSpec {
		return &c.Spec.CassandraConnectionSpec
	},
	status: func(c *cqlv1.ClusterCassandraConnection) *cqlv1.CassandraConnectionStatus { return &c.Status },
	ref:    func(c *cqlv1.ClusterCassandraConnection) cqlv1.ConnectionRef { return cqlv1.ClusterScoped(c.Name) },
	secretsNamespace: func(c *cqlv1.ClusterCassandraConnection, operatorNamespace string) string {
		if c.Spec.SecretsNamespace != "" {
			return c.Spec.SecretsNamespace
		}
		return operatorNamespace
	},
}
