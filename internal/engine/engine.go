package engine

import (
	"context"
	"fmt"
	"time"

	"k8s.io/client-go/tools/events"
	"sigs.k8s.io/controller-runtime/pkg/client"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
	"github.com/cqlsync/cqlsync/internal/cql/introspect"
	"github.com/cqlsync/cqlsync/internal/cql/plan"
)

// Mode is what a plan is for.
type Mode int

const (
	// Apply makes the targets match the spec: create, alter, and drop only what the spec allows.
	Apply Mode = iota
	// Delete applies the deletion policy: with deletionPolicy Delete the plan is the drops.
	Delete
	// Preview plans as Apply does and never executes: `cqlsync plan`.
	Preview
)

func (m Mode) String() string {
	switch m {
	case Delete:
		return "delete"
	case Preview:
		return "preview"
	}
	return "apply"
}

// Pipeline is the engine for one kind: everything the schema kinds share, with the kind's adapter
// supplying what differs. Plan computes the work of every target, Execute runs what the approval
// gate lets through, and Report turns the outcome into status, events and metrics. A controller
// calls them in that order; `cqlsync plan` calls Plan in mode Preview and stops there.
type Pipeline[T Object] interface {
	// Kind describes the kind.
	Kind() Kind
	// NewObject and NewList make an empty object and list of the kind.
	NewObject() T
	NewList() client.ObjectList
	// Plan resolves obj's targets and ownership, reads each target's live schema, and plans it in
	// mode: the statements that make the target match the spec (Apply, Preview), or the drops
	// (Delete); then lets the approval gate decide what may run. An API-server error while
	// planning one connection's targets does not stop the others: the Work holds them and the
	// error (see Work.Err); an error before any target (resolving connections, ownership) is
	// returned with no Work.
	Plan(ctx context.Context, obj T, mode Mode) (*Work, error)
	// Execute runs what the gate let through: connections in parallel, the targets of one
	// connection one after the other. One target's failure never stops another. In mode
	// Preview it runs nothing.
	Execute(ctx context.Context, w *Work) *Outcome
	// Report writes the outcome into obj's status (computed from before's), and records its
	// events and metrics. It writes nothing to the API server.
	Report(before, obj T, o *Outcome)
	// Status is the part of obj's status the pipeline writes, for comparing two versions.
	Status(obj T) any
	// Preview is what the operator would do for obj now, for `cqlsync plan`.
	Preview(ctx context.Context, obj T) (ResourcePlan, error)
}

// Options are what every kind's pipeline is given.
type Options struct {
	// Client reads the resources the pipeline needs: connections, namespaces, the resources of
	// the kind with the same CQL name, UserTypes and Keyspaces (for what a target waits for).
	Client client.Client
	// Clusters opens the clusters of the connections.
	Clusters Clusters
	// Recorder records the events; nil records none.
	Recorder events.EventRecorder
	// DryRun: plan and report, never execute DDL (the manager's --dry-run).
	DryRun bool
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// SecretReader reads the Secrets of CassandraRoles' passwords without a cache (the manager's
	// API reader); nil means Client.
	SecretReader client.Reader
}

// pipeline is the one implementation of Pipeline, generic over the kind's object T, its desired
// object D and what it reads of a target's live state L.
type pipeline[T Object, D any, L any] struct {
	client.Client
	adapter  kindAdapter[T, D, L]
	kind     Kind
	objects  kindObjects[T]
	Clusters Clusters
	Recorder events.EventRecorder
	dryRun   bool
	now      func() time.Time
	secrets  client.Reader
}

func newPipeline[T Object, D any, L any](kind Kind, objects kindObjects[T], a kindAdapter[T, D, L], opts Options) *pipeline[T, D, L] {
	r := &pipeline[T, D, L]{Client: opts.Client, adapter: a, kind: kind, objects: objects,
		Clusters: opts.Clusters, Recorder: opts.Recorder, dryRun: opts.DryRun, now: opts.Now}
	if r.now == nil {
		r.now = time.Now
	}
	r.secrets = opts.SecretReader
	if r.secrets == nil {
		r.secrets = opts.Client
	}
	return r
}

// Keyspaces is the pipeline of Keyspace resources.
func Keyspaces(opts Options) Pipeline[*cqlv1.Keyspace] {
	return newPipeline(keyspaceKind, keyspaceObjects, kindAdapter[*cqlv1.Keyspace, plan.Keyspace, *introspect.KeyspaceSchema](keyspaceAdapter{}), opts)
}

// TableModels is the pipeline of TableModel resources.
func TableModels(opts Options) Pipeline[*cqlv1.TableModel] {
	return newPipeline(tableModelKind, tableModelObjects, kindAdapter[*cqlv1.TableModel, plan.Table, *introspect.KeyspaceSchema](tableModelAdapter{}), opts)
}

// UserTypes is the pipeline of UserType resources.
func UserTypes(opts Options) Pipeline[*cqlv1.UserType] {
	return newPipeline(userTypeKind, userTypeObjects, kindAdapter[*cqlv1.UserType, plan.UserType, *introspect.KeyspaceSchema](userTypeAdapter{}), opts)
}

// CassandraRoles is the pipeline of CassandraRole resources.
func CassandraRoles(opts Options) Pipeline[*cqlv1.CassandraRole] {
	return newPipeline(roleKind, roleObjects, kindAdapter[*cqlv1.CassandraRole, desiredRole, *introspect.Role](roleAdapter{}), opts)
}

// PlanAny previews any schema resource: a *Keyspace, *TableModel or *UserType.
func PlanAny(ctx context.Context, opts Options, obj client.Object) (ResourcePlan, error) {
	switch o := obj.(type) {
	case *cqlv1.Keyspace:
		return Keyspaces(opts).Preview(ctx, o)
	case *cqlv1.TableModel:
		return TableModels(opts).Preview(ctx, o)
	case *cqlv1.UserType:
		return UserTypes(opts).Preview(ctx, o)
	case *cqlv1.CassandraRole:
		return CassandraRoles(opts).Preview(ctx, o)
	}
	return ResourcePlan{}, fmt.Errorf("%T is not a schema resource", obj)
}

func (r *pipeline[T, D, L]) Kind() Kind                 { return r.kind }
func (r *pipeline[T, D, L]) NewObject() T               { return r.objects.newObject() }
func (r *pipeline[T, D, L]) NewList() client.ObjectList { return r.objects.newList() }

func (r *pipeline[T, D, L]) Status(obj T) any {
	if r.objects.statusMore != nil {
		return []any{*obj.Schema(), *r.objects.statusName(obj), r.objects.statusMore(obj)}
	}
	return []any{*obj.Schema(), *r.objects.statusName(obj)}
}
