package engine

import (
	"context"
	"fmt"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
)

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

// Preview plans obj in mode Preview and reports, per target, what the operator would do now:
// the same Plan as a reconcile, stopped before Execute.
func (r *pipeline[T, D, L]) Preview(ctx context.Context, obj T) (ResourcePlan, error) {
	rp := ResourcePlan{Kind: r.kind.Kind, Namespace: obj.GetNamespace(), Name: obj.GetName(), CQLName: obj.CQLName(),
		ChangePolicy: obj.EffectiveChangePolicy()}
	w, err := r.Plan(ctx, obj, Preview)
	if err == nil {
		err = w.Err()
	}
	if err != nil {
		return rp, err
	}
	if ov, ok := r.Clusters.(*overlay); ok {
		ov.record(r.kind, obj.CQLName(), w)
	}
	for _, t := range w.targets {
		tp := TargetPlan{Connection: t.out.connection, Keyspace: t.out.keyspace, State: t.out.state, Reason: t.out.reason,
			Message: t.out.message, Drift: t.out.drift}
		if g := t.gate; g != nil {
			tp.SchemaVersion = g.schemaVersion()
			tp.State, tp.Reason, tp.Message = cqlv1.TargetSynced, cqlv1.ReasonSynced, r.kind.Noun+" "+r.qualified(g.keyspace, obj.CQLName())+" matches the spec"
			for i, st := range g.planned {
				ps := PlannedStatement{Kind: string(st.Kind), Additive: st.Additive(), CQL: st.Shown(), Summary: st.Summary}
				if g.waits[i] {
					ps.Waits = w.policy.hold
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
