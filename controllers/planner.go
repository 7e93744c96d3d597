package controllers

import (
	"context"
	"fmt"

	"sigs.k8s.io/controller-runtime/pkg/client"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
	"github.com/cqlsync/cqlsync/internal/cql/apply"
	"github.com/cqlsync/cqlsync/internal/cql/cluster"
	"github.com/cqlsync/cqlsync/internal/cql/introspect"
	"github.com/cqlsync/cqlsync/internal/cql/plan"
	"github.com/cqlsync/cqlsync/internal/cql/registry"
)

// Planner is the first half of the schema pipeline on its own: targets, ownership, the live read,
// the checks and the plan, and what the approval gate would let run, for any Keyspace, TableModel
// or UserType, without executing anything. `cqlsync plan` uses it, so that the CLI and the
// operator compute the same statements with the same code.
type Planner struct {
	// Client reads the resources of the namespace (connections, duplicates, UserTypes).
	Client client.Client
	// Clusters opens the clusters to read the live schema from.
	Clusters Clusters
}

// ResourcePlan is what the operator would do for one resource now.
type ResourcePlan struct {
	Kind      string `json:"kind"`
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
	// CQLName is the keyspace, table or type name.
	CQLName string `json:"cqlName"`
	// ChangePolicy is the resource's spec.changePolicy.
	ChangePolicy cqlv1.ChangePolicy `json:"changePolicy"`
	Targets      []TargetPlan       `json:"targets"`
}

// TargetPlan is what the operator would do on one target.
type TargetPlan struct {
	Connection string `json:"connection"`
	Keyspace   string `json:"keyspace,omitempty"`
	// State, Reason and Message are what status.targets would say if nothing ran: Synced when
	// there is nothing to do, Pending with the statements that would run (or why the target waits:
	// KeyspaceNotFound, ConnectionNotReady...), Blocked or Failed with why.
	State   cqlv1.TargetState `json:"state"`
	Reason  string            `json:"reason"`
	Message string            `json:"message,omitempty"`
	// SchemaVersion is the version of the live keyspace the statements were computed against.
	SchemaVersion string `json:"schemaVersion,omitempty"`
	// Statements would run, in order; Waits is set on those the approval gate would hold.
	Statements []PlannedStatement `json:"statements,omitempty"`
	// Drift lists live parts kept on purpose.
	Drift []string `json:"drift,omitempty"`
}

// PlannedStatement is one statement of a TargetPlan.
type PlannedStatement struct {
	// Kind is what the statement does (CreateTable, AddColumns, DropIndex...).
	Kind     string `json:"kind"`
	Additive bool   `json:"additive"`
	CQL      string `json:"cql"`
	Summary  string `json:"summary"`
	// Waits is the reason the approval gate would hold it (AwaitingApproval, Paused), "" when it
	// would run at once.
	Waits string `json:"waits,omitempty"`
}

// Plan computes what the operator would do for obj (a *Keyspace, *TableModel or *UserType) now.
// Only API-server errors are returned; everything about Cassandra is in the plan.
func (p Planner) Plan(ctx context.Context, obj client.Object) (ResourcePlan, error) {
	ro := reconcilerOptions{clusters: p.Clusters}
	switch o := obj.(type) {
	case *cqlv1.Keyspace:
		return planWith(ctx, newSchemaReconciler(p.Client, keyspaceKind, keyspaceObjects, kindAdapter[*cqlv1.Keyspace, plan.Keyspace](keyspaceAdapter{}), ro), o)
	case *cqlv1.TableModel:
		return planWith(ctx, newSchemaReconciler(p.Client, tableModelKind, tableModelObjects, kindAdapter[*cqlv1.TableModel, plan.Table](tableModelAdapter{}), ro), o)
	case *cqlv1.UserType:
		return planWith(ctx, newSchemaReconciler(p.Client, userTypeKind, userTypeObjects, kindAdapter[*cqlv1.UserType, plan.UserType](userTypeAdapter{}), ro), o)
	}
	return ResourcePlan{}, fmt.Errorf("%T is not a schema resource", obj)
}

func planWith[T schemaObject, D any](ctx context.Context, r *schemaReconciler[T, D], obj T) (ResourcePlan, error) {
	rp := ResourcePlan{Kind: r.kind.kind, Namespace: obj.GetNamespace(), Name: obj.GetName(), CQLName: obj.CQLName(),
		ChangePolicy: obj.EffectiveChangePolicy()}
	d, specProblem := r.adapter.desired(obj)
	targets, err := r.resolveTargets(ctx, obj, false)
	if err != nil {
		return rp, err
	}
	owners, err := r.ownership(ctx, obj, targets)
	if err != nil {
		return rp, err
	}
	works, err := r.planAll(ctx, obj, d, specProblem, targets, owners)
	if err != nil {
		return rp, err
	}
	policy := policyOf(obj, false)
	policy.decide(gatesOf(works))
	for _, w := range works {
		tp := TargetPlan{Connection: w.out.connection, Keyspace: w.out.keyspace, State: w.out.state, Reason: w.out.reason,
			Message: w.out.message, Drift: w.out.drift}
		if g := w.gate; g != nil {
			tp.SchemaVersion = g.schemaVersion()
			tp.State, tp.Reason, tp.Message = cqlv1.TargetSynced, cqlv1.ReasonSynced, r.kind.noun+" "+r.qualified(g.keyspace, obj.CQLName())+" matches the spec"
			for i, st := range g.planned {
				ps := PlannedStatement{Kind: string(st.Kind), Additive: st.Additive(), CQL: st.CQL, Summary: st.Summary}
				if g.waits[i] {
					ps.Waits = policy.hold
				}
				tp.Statements = append(tp.Statements, ps)
			}
			if len(tp.Statements) > 0 {
				tp.State, tp.Reason, tp.Message = cqlv1.TargetPending, cqlv1.ReasonPending, fmt.Sprintf("%d statement(s) to run", len(tp.Statements))
			}
		}
		rp.Targets = append(rp.Targets, tp)
	}
	return rp, nil
}

// ConnectionConfig is the session configuration of a connection: its spec and the Secrets it
// references, read through secrets in secretsNamespace. A missing Secret or key, or unusable PEM
// content, is an error naming the Secret and the key, never the value.
func ConnectionConfig(ctx context.Context, secrets client.Reader, spec *cqlv1.CassandraConnectionSpec, secretsNamespace string) (registry.Config, error) {
	return buildConfig(ctx, secrets, spec, secretsNamespace)
}

// NewClusters opens the clusters of a registry's sessions, reading the live schema through cache
// and executing through exec.
func NewClusters(reg *registry.Registry, exec *apply.Executor, cache *introspect.SchemaCache) Clusters {
	return clusterPool{&cluster.Pool{Registry: reg, Executor: exec, Cache: cache}}
}

// RegisterIndexes registers the field indexes the controllers (and the Planner) list by: the CLI
// registers them with its in-memory client. operatorNamespace holds the Secrets of the
// ClusterCassandraConnections that name no spec.secretsNamespace.
func RegisterIndexes(ctx context.Context, idx client.FieldIndexer, operatorNamespace string) error {
	return registerIndexes(ctx, idx, operatorNamespace)
}
