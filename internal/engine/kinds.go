package engine

import (
	"sigs.k8s.io/controller-runtime/pkg/client"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
	"github.com/cqlsync/cqlsync/internal/cql/introspect"
	"github.com/cqlsync/cqlsync/internal/cql/registry"
)

// The three schema kinds, as the pipeline sees them: what they are called and how they behave
// (Kind), and how to make their objects and lists and where their status names the object
// (kindObjects). What they do in Cassandra is their adapters' (keyspace_adapter.go,
// tablemodel_adapter.go, usertype_adapter.go).

var (
	// keyspaceKind: the targets are connections, and the object is the keyspace itself.
	keyspaceKind = Kind{Kind: "Keyspace", Noun: "keyspace", Retained: cqlv1.EventKeyspaceRetained, Kept: cqlv1.EventKeyspaceKept, NotDropped: cqlv1.EventKeyspaceNotDropped, Object: introspect.KeyspaceObject,
		DriftHint: "set the spec to what the cluster has, or let cqlsync set the cluster back"}

	// tableModelKind: a table in each connection x keyspace; it may use user-defined types.
	tableModelKind = Kind{Kind: "TableModel", Noun: "table", Retained: cqlv1.EventTableRetained, Kept: cqlv1.EventTableKept, NotDropped: cqlv1.EventTableNotDropped, Object: introspect.TableObject, PerKeyspace: true, UsesTypes: true,
		DriftHint:   "kept: set spec.allowDropColumns / spec.allowDropIndexes to drop them, or add them to the spec",
		ChangedName: func(c registry.SchemaChange) string { return c.Table }}

	// userTypeKind: a type in each connection x keyspace; it may use other types, and Cassandra
	// refuses to drop it while tables use it.
	userTypeKind = Kind{Kind: "UserType", Noun: "type", Retained: cqlv1.EventTypeRetained, Kept: cqlv1.EventTypeKept, NotDropped: cqlv1.EventTypeNotDropped, Object: introspect.TypeObject, PerKeyspace: true, UsesTypes: true,
		DriftHint:          "Cassandra cannot drop a field of a type: add them to spec.fields",
		ChangedName:        func(c registry.SchemaChange) string { return c.Type },
		DropWaitsForTables: true}
)

// roleKind: a role on each connection's cluster, with its grants; the object is the role.
var roleKind = Kind{Kind: "CassandraRole", Noun: "role", Retained: cqlv1.EventRoleRetained, Kept: cqlv1.EventRoleKept, NotDropped: cqlv1.EventRoleNotDropped, Object: introspect.RoleObject,
	DriftHint: "a CassandraRole cannot declare permissions on roles or functions, nor roles granted to the role: revoke them by hand, or leave them"}

// kindObjects makes the objects and lists of a kind, and finds the kind's own status field that
// holds the effective CQL name (status.keyspace, status.table, status.type).
type kindObjects[T Object] struct {
	newObject  func() T
	newList    func() client.ObjectList
	statusName func(T) *string
	// statusMore is the rest of the kind's own status, when it has more than its name (nil:
	// none): a change of it is written too.
	statusMore func(T) any
}

var (
	keyspaceObjects = kindObjects[*cqlv1.Keyspace]{
		newObject:  func() *cqlv1.Keyspace { return &cqlv1.Keyspace{} },
		newList:    func() client.ObjectList { return &cqlv1.KeyspaceList{} },
		statusName: func(o *cqlv1.Keyspace) *string { return &o.Status.Keyspace },
	}
	tableModelObjects = kindObjects[*cqlv1.TableModel]{
		newObject:  func() *cqlv1.TableModel { return &cqlv1.TableModel{} },
		newList:    func() client.ObjectList { return &cqlv1.TableModelList{} },
		statusName: func(o *cqlv1.TableModel) *string { return &o.Status.Table },
	}
	roleObjects = kindObjects[*cqlv1.CassandraRole]{
		newObject:  func() *cqlv1.CassandraRole { return &cqlv1.CassandraRole{} },
		newList:    func() client.ObjectList { return &cqlv1.CassandraRoleList{} },
		statusName: func(o *cqlv1.CassandraRole) *string { return &o.Status.Role },
		statusMore: func(o *cqlv1.CassandraRole) any {
			return []any{o.Status.CredentialsSecret, o.Status.PasswordRotatedAt}
		},
	}
	userTypeObjects = kindObjects[*cqlv1.UserType]{
		newObject:  func() *cqlv1.UserType { return &cqlv1.UserType{} },
		newList:    func() client.ObjectList { return &cqlv1.UserTypeList{} },
		statusName: func(o *cqlv1.UserType) *string { return &o.Status.Type },
	}
)
