package controllers

import (
	"context"
	"fmt"
	"slices"

	"sigs.k8s.io/controller-runtime/pkg/client"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
	"github.com/cqlsync/cqlsync/internal/cql/introspect"
	"github.com/cqlsync/cqlsync/internal/cql/plan"
	"github.com/cqlsync/cqlsync/internal/cql/registry"
	"github.com/cqlsync/cqlsync/internal/cql/schema"
)

// Keyspace, TableModel and UserType are reconciled by one pipeline, schemaReconciler, in the
// shape of crossplane-runtime's managed reconciler: the pipeline owns everything the kinds share
// (targets, ownership, fan-out, the per-target read -> plan -> apply, error classification,
// events, deletion, status and requeues) and each kind supplies a kindAdapter: what its desired
// object is, how it is planned against the live keyspace, and how it is dropped.

// schemaObject is a Keyspace, a TableModel or a UserType.
type schemaObject interface {
	client.Object
	cqlv1.SchemaObject
}

// kindInfo describes a kind to the pipeline.
type kindInfo struct {
	// kind is the Kubernetes kind: "Keyspace", "TableModel", "UserType".
	kind string
	// noun is what the kind makes in Cassandra, in messages: "keyspace", "table", "type".
	noun string
	// eventPrefix starts the reasons of its deletion events: "Keyspace" -> KeyspaceRetained.
	eventPrefix string
	// perKeyspace: the targets are connection x keyspace (TableModel, UserType); otherwise they
	// are connections and the object is the keyspace itself (Keyspace).
	perKeyspace bool
	// object is the kind of schema object the kind makes.
	object introspect.ObjectKind
	// usesTypes: the spec can use user-defined types (TableModel, UserType).
	usesTypes bool
	// driftHint ends the Drifted condition's message when drift is kept: what the user can do.
	driftHint string
	// changedName is the name of the kind's object a schema change is about ("" when it is about
	// another kind of object): the table of a table change, the type of a type change. Nil for a
	// Keyspace, which only keyspace-level changes concern.
	changedName func(registry.SchemaChange) string
	// dropWaitsForTables: Cassandra refuses to drop the object while tables use it (a type), so a
	// deletion waits for table changes.
	dropWaitsForTables bool
}

// kindAdapter is what a kind supplies to the pipeline. D is its desired object: the spec, parsed.
// Every method is pure: the pipeline does all the I/O.
type kindAdapter[T schemaObject, D any] interface {
	// desired parses and checks the spec. A problem (reason InvalidType or InvalidSpec, a message
	// naming the field) makes every target Failed without touching Cassandra.
	desired(obj T) (D, *problem)
	// typeRefs lists the types the spec uses, with the field that uses each, for the pipeline to
	// check against each target keyspace (nil for kinds that use no types).
	typeRefs(d D) []typeRef
	// plan compares the desired object with the live keyspace of one target (nil when the
	// keyspace does not exist; only the Keyspace kind is planned then).
	plan(d D, keyspace string, live *introspect.KeyspaceSchema) plan.Result
	// drop returns what deletes the object in the live keyspace of one target (nothing when it is
	// already gone), or a problem that holds the deletion (e.g. a type still in use).
	drop(obj T, keyspace string, live *introspect.KeyspaceSchema) (plan.Plan, *problem)
	// usedTypes lists the names of the user-defined types the spec uses, for the index that
	// requeues the object when one of them changes (nil for kinds that use no types).
	usedTypes(obj T) []string
	// indexes lists the names of the indexes the spec declares: a target is Ready only once
	// every node can serve them (nil for kinds without indexes).
	indexes(d D) []string
}

// typeRef is a use of a type by a column or a field.
type typeRef struct {
	// field names where the type is used, as the user wrote it: "spec.columns[8] (location)".
	field string
	t     schema.Type
}

// typeRefsOf lists the types of the items of a spec list (spec.columns, spec.fields), each with
// the field that uses it: "spec.columns[8] (location)".
func typeRefsOf[E any](list string, items []E, part func(E) (name string, t schema.Type)) []typeRef {
	refs := make([]typeRef, len(items))
	for i, item := range items {
		name, t := part(item)
		refs[i] = typeRef{field: fmt.Sprintf("%s[%d] (%s)", list, i, name), t: t}
	}
	return refs
}

// appendUDTs appends the user-defined types of a type text, when it parses, each once.
func appendUDTs(names []string, text string) []string {
	t, err := schema.ParseType(text)
	if err != nil {
		return names
	}
	for _, n := range t.UDTs() {
		if !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	return names
}

// problem is a reason and a message: what is wrong with a spec, or why a target cannot be
// worked on now. state is the state of the targets it decides: Pending (the zero value: it may
// clear by itself) or Failed (someone must change something).
type problem struct {
	reason  string
	message string
	state   cqlv1.TargetState
}

// Cluster is what the pipeline does on one connection's cluster; *cluster.Handle implements it.
type Cluster interface {
	// Keyspace returns the live schema of a keyspace, nil when it does not exist.
	Keyspace(ctx context.Context, name string) (*introspect.KeyspaceSchema, error)
	// Apply runs the statements of a plan that changes obj and returns those that ran.
	Apply(ctx context.Context, obj introspect.Object, p plan.Plan) (plan.Plan, error)
	// IndexesNotReady lists, for each named index of the keyspace that some node cannot serve
	// yet (still building), those nodes; nil when all are ready.
	IndexesNotReady(ctx context.Context, keyspace string, names []string) (map[string][]string, error)
	// Agreement checks that the nodes that are up agree on the schema: an
	// *apply.DisagreementError when they do not.
	Agreement(ctx context.Context) error
	// TablesWarning, called after a table was created, says whether the cluster now holds more
	// tables than the connection's spec.tablesWarnThreshold: the warning, or "".
	TablesWarning(ctx context.Context) string
}

// Clusters opens the Cluster of a connection: the registry's session of the named
// CassandraConnection (namespace "" for a ClusterCassandraConnection). Its errors are the
// registry's (registry.ErrNotRegistered, ...).
type Clusters interface {
	Cluster(ctx context.Context, namespace, connection string) (Cluster, error)
	// ClusterID is the identity of the cluster a connection's open session reaches, "" when
	// unknown (registry.ClusterInfo.ID).
	ClusterID(key registry.Key) string
}
