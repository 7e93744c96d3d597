package engine

import (
	"context"
	"fmt"
	"slices"

	"sigs.k8s.io/controller-runtime/pkg/client"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
	"github.com/cqlsync/cqlsync/internal/cql/cluster"
	"github.com/cqlsync/cqlsync/internal/cql/introspect"
	"github.com/cqlsync/cqlsync/internal/cql/plan"
	"github.com/cqlsync/cqlsync/internal/cql/registry"
	"github.com/cqlsync/cqlsync/internal/cql/schema"
)

// Object is a Keyspace, a TableModel or a UserType: a resource the engine keeps in Cassandra.
type Object interface {
	client.Object
	cqlv1.SchemaObject
}

// Kind describes a kind to the pipeline: what it is called, and how its targets and its objects
// behave. What it does in Cassandra is its adapter's.
type Kind struct {
	// Kind is the Kubernetes kind: "Keyspace", "TableModel", "UserType".
	Kind string
	// Noun is what the kind makes in Cassandra, in messages: "keyspace", "table", "type".
	Noun string
	// Retained, Kept and NotDropped are the reasons of its deletion events (KeyspaceRetained,
	// TableKept, TypeNotDropped...): see the api's EventReason constants.
	Retained, Kept, NotDropped cqlv1.EventReason
	// PerKeyspace: the targets are connection x keyspace (TableModel, UserType); otherwise they
	// are connections and the object is the keyspace itself (Keyspace).
	PerKeyspace bool
	// Object is the kind of schema object the kind makes.
	Object introspect.ObjectKind
	// UsesTypes: the spec can use user-defined types (TableModel, UserType).
	UsesTypes bool
	// DriftHint ends the Drifted condition's message when drift is kept: what the user can do.
	DriftHint string
	// ChangedName is the name of the kind's object a schema change is about ("" when it is about
	// another kind of object): the table of a table change, the type of a type change. Nil for a
	// Keyspace, which only keyspace-level changes concern.
	ChangedName func(registry.SchemaChange) string
	// DropWaitsForTables: Cassandra refuses to drop the object while tables use it (a type), so a
	// deletion waits for table changes.
	DropWaitsForTables bool
}

// kindAdapter is what a kind supplies to the pipeline. D is its desired object: the spec, parsed;
// L is what it reads of a target's live state (the keyspace's schema for the kinds that live in
// keyspaces, the role for a CassandraRole). Every method but observe is pure: the pipeline does
// all the I/O, observe included, through the target's Cluster.
type kindAdapter[T Object, D any, L any] interface {
	// observe reads the live state of one target: the keyspace named keyspace (for a Keyspace, its
	// own name), or the object named name.
	observe(ctx context.Context, c Cluster, keyspace, name string) (L, error)
	// permitted says why the resource may not act on a target (the keyspace, or the object named
	// target) through a connection, nil when it may: the allow-lists of a
	// ClusterCassandraConnection, system keyspaces.
	permitted(obj Object, v *connView, target, namespace string) *Problem
	// keyspaceOf is the live keyspace in L, for the checks of the kinds that live in keyspaces (a
	// missing keyspace, the types the spec uses); nil when absent or not a keyspace's.
	keyspaceOf(live L) *introspect.KeyspaceSchema
	// version is a short digest of the live object the plan of a target was computed against
	// (nothing else moves it): an approved plan runs only while it is unchanged.
	version(live L, object introspect.Object) string
	// desired parses and checks the spec. A problem (reason InvalidType or InvalidSpec, a message
	// naming the field) makes every target Failed without touching Cassandra.
	desired(obj T) (D, *Problem)
	// typeRefs lists the types the spec uses, with the field that uses each, for the pipeline to
	// check against each target keyspace (nil for kinds that use no types).
	typeRefs(d D) []typeRef
	// plan compares the desired object with the live keyspace of one target (nil when the
	// keyspace does not exist; only the Keyspace kind is planned then).
	plan(d D, keyspace string, live L, server plan.Version) plan.Result
	// drop returns what deletes the object in the live keyspace of one target (nothing when it is
	// already gone), or a problem that holds the deletion (e.g. a type still in use).
	drop(obj T, keyspace string, live L) (plan.Plan, *Problem)
	// usedTypes lists the names of the user-defined types the spec uses, for the index that
	// requeues the object when one of them changes (nil for kinds that use no types).
	usedTypes(obj T) []string
	// indexes lists the names of the indexes the spec declares: a target is Ready only once
	// every node can serve them (nil for kinds without indexes).
	indexes(d D) []string
	// unsupported lists what the spec asks for that a server of the given release lacks (the
	// oldest release of the target's nodes; zero when unknown), given the live keyspace (some
	// changes of an existing object need a newer release than creating it): the target is
	// Blocked (UnsupportedByServer) and nothing is sent.
	unsupported(d D, server plan.Version, live L) []plan.Difference
}

// keyspaceLive is the live state of the kinds that live in keyspaces (Keyspace, TableModel,
// UserType): the keyspace's schema, read through the cluster's cache.
type keyspaceLive struct{}

func (keyspaceLive) observe(ctx context.Context, c Cluster, keyspace, _ string) (*introspect.KeyspaceSchema, error) {
	return c.Keyspace(ctx, keyspace)
}

func (keyspaceLive) permitted(_ Object, v *connView, keyspace, namespace string) *Problem {
	return keyspacePermitted(v, keyspace, namespace)
}

func (keyspaceLive) keyspaceOf(live *introspect.KeyspaceSchema) *introspect.KeyspaceSchema {
	return live
}

func (keyspaceLive) version(live *introspect.KeyspaceSchema, o introspect.Object) string {
	return live.ObjectDigest(o.Kind, o.Name)
}

// preparer is what an adapter implements when its desired object needs more than the spec (a
// CassandraRole's password, from a Secret): the pipeline calls prepare once per reconcile, after
// desired, with the mode (Preview writes nothing) and a reader of Secrets that bypasses the
// cache (only what it reads is fetched). A problem fails every target.
type preparer[T Object, D any] interface {
	prepare(ctx context.Context, c client.Client, secrets client.Reader, obj T, d *D, mode Mode) (*Problem, error)
}

// targetChecker is what an adapter implements to refuse a target, before its live state is read,
// for what its spec refers to (a CassandraRole's grants on keyspaces the namespace may not use:
// NotPermitted) or for what the target's cluster lacks (roles on a cluster without
// authentication: UnsupportedByServer). cl is the target's cluster. The Problem's State is the
// target's (Failed when unset); the error is for API-server failures only.
type targetChecker[T Object, D any] interface {
	checkTarget(ctx context.Context, c client.Client, clusters Clusters, cl Cluster, obj T, d D, ref cqlv1.ConnectionRef) (*Problem, error)
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

// Problem is a reason and a message: what is wrong with a spec or a Secret, why a target cannot
// be worked on now, or why a deletion waits. It is the one such type of the engine and the
// controllers. State is the state of the targets it decides: Pending (the zero value: it may
// clear by itself) or Failed (someone must change something).
type Problem struct {
	State   cqlv1.TargetState
	Reason  string
	Message string
}

// Error makes a Problem an error, so that it can travel through functions that return one; its
// text is the message (never a secret).
func (p *Problem) Error() string { return p.Message }

// Cluster is what the pipeline does on one connection's cluster (see cluster.Cluster).
type Cluster = cluster.Cluster

// Clusters opens the Cluster of a connection (see cluster.Clusters).
type Clusters = cluster.Clusters
