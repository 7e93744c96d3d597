package engine

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"

	"sigs.k8s.io/controller-runtime/pkg/log"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
	"github.com/cqlsync/cqlsync/internal/cql/plan"
	"github.com/cqlsync/cqlsync/internal/cql/render"
)

// Execute runs what the gate let through on each target (see Pipeline.Execute) and gathers the
// outcome. In mode Delete the outcome says whether the object may go (Outcome.Released) or why
// the deletion waits.
func (r *pipeline[T, D, L]) Execute(ctx context.Context, w *Work) *Outcome {
	o := &Outcome{mode: w.mode, name: w.name}
	if w.retained {
		o.released, o.retained = true, true
		return o
	}
	if w.mode != Preview {
		r.execute(ctx, w.targets, w.policy.hold, w.mode)
	}
	for _, t := range w.targets {
		o.targets = append(o.targets, t.out)
	}
	if w.err != nil {
		return o // incomplete: the targets that were not planned keep their last status
	}
	o.complete, o.approved, o.plan = true, w.decision.approved, w.decision.pending
	if o.plan != nil && ranAny(w.targets) {
		// What ran changed the schema versions the held statements were computed against: plan
		// them again, against the new schema, before asking for an approval.
		o.plan, o.replan = nil, true
	}
	if o.plan != nil {
		o.proceed = howToProceed(r.kind.Kind, w.name, o.plan)
	}
	if w.mode == Delete {
		r.settleDeletion(o, w.skipUnreachable)
	}
	return o
}

// gatesOf is the gated part of the works: those with statements to decide on.
func gatesOf(works []*targetWork) []*gated {
	var out []*gated
	for _, w := range works {
		if w.gate != nil {
			out = append(out, w.gate)
		}
	}
	return out
}

// ranAny reports whether a statement ran on any target.
func ranAny(works []*targetWork) bool {
	for _, w := range works {
		if len(w.out.applied) > 0 {
			return true
		}
	}
	return false
}

// execute runs what the gate let through on each target, connections in parallel and the targets
// of one connection one after the other (the executor serialises DDL per cluster anyway), and
// completes their outcomes: what ran, what waits (holdReason), or how it failed. A target with
// nothing to run still hands the executor its empty plan, which counts a resync.
func (r *pipeline[T, D, L]) execute(ctx context.Context, works []*targetWork, holdReason string, mode Mode) {
	byConn := map[string][]*targetWork{}
	var order []string
	for _, w := range works {
		if w.gate == nil {
			continue
		}
		if _, ok := byConn[w.out.connection]; !ok {
			order = append(order, w.out.connection)
		}
		byConn[w.out.connection] = append(byConn[w.out.connection], w)
	}
	var wg sync.WaitGroup
	for _, conn := range order {
		wg.Go(func() {
			for _, w := range byConn[conn] {
				r.executeTarget(ctx, w, holdReason, mode)
			}
		})
	}
	wg.Wait()
}

// executeTarget runs one target's statements and classifies what happened, once, for every mode.
func (r *pipeline[T, D, L]) executeTarget(ctx context.Context, w *targetWork, holdReason string, mode Mode) {
	g := w.gate
	applied, err := w.cluster.Apply(ctx, g.object, g.run)
	w.out.applied = applied
	logWarnings(ctx, targetLabel(g.connection, w.out.keyspace, false), applied)
	if err != nil {
		log.FromContext(ctx).Info("applying the plan failed", "mode", mode.String(), "connection", g.connection, "keyspace", g.keyspace,
			"applied", len(applied), "of", len(g.run), "error", err.Error())
	}
	done := r.kind.Noun + " " + r.qualified(g.keyspace, w.out.name) + " matches the spec"
	if mode == Delete {
		done = r.kind.Noun + " " + r.qualified(g.keyspace, w.out.name) + " was dropped"
	}
	w.out.set(classify(err, done))
	// A drop goes through the same steps: Plan sets neither checkAgreement nor indexes in mode
	// Delete, and a drop creates no table.
	if err == nil && len(applied) == 0 && w.checkAgreement {
		// What ran before is on the node that answers, not yet on every node: a node that lacks
		// it would fail queries. The check is one read of the nodes' schema versions.
		if aerr := w.cluster.Agreement(ctx); aerr != nil {
			w.out.set(classify(aerr, ""))
			return
		}
	}
	if err == nil && len(g.held) > 0 {
		w.out.set(cqlv1.TargetPending, holdReason, heldMessage(holdReason, g.held))
		w.out.gateHeld = true
		return
	}
	if slices.ContainsFunc(applied, func(st plan.Statement) bool { return st.Kind == plan.CreateTable }) {
		if msg := w.cluster.TablesWarning(ctx); msg != "" {
			w.out.tooManyTables = msg
			log.FromContext(ctx).Info("too many tables in the cluster", "connection", g.connection, "keyspace", g.keyspace, "warning", msg)
		}
	}
	if err == nil && len(w.indexes) > 0 && (w.checkIndexes || createsIndex(applied)) {
		r.awaitIndexes(ctx, w)
	}
}

// createsIndex reports whether a statement that ran created an index.
func createsIndex(applied plan.Plan) bool {
	return slices.ContainsFunc(applied, func(st plan.Statement) bool { return st.Kind == plan.CreateIndex })
}

// awaitIndexes keeps a target Pending, with reason IndexBuilding, while a node cannot serve one of
// its indexes yet: queries that use an index fail until it is built. The target is asked about
// again at every retry until all are ready (only then, not at every resync).
func (r *pipeline[T, D, L]) awaitIndexes(ctx context.Context, w *targetWork) {
	notReady, err := w.cluster.IndexesNotReady(ctx, w.gate.keyspace, w.indexes)
	if err != nil {
		log.FromContext(ctx).Info("cannot read whether the indexes are built", "connection", w.gate.connection, "keyspace", w.gate.keyspace, "error", err.Error())
		w.out.set(cqlv1.TargetPending, cqlv1.ReasonIndexBuilding, "cannot read whether the indexes are built yet ("+err.Error()+"); retrying")
		return
	}
	if len(notReady) == 0 {
		return
	}
	names := slices.Sorted(maps.Keys(notReady))
	parts := make([]string, len(names))
	for i, n := range names {
		parts[i] = fmt.Sprintf("%s on %s", render.Ident(n), strings.Join(notReady[n], ", "))
	}
	w.out.set(cqlv1.TargetPending, cqlv1.ReasonIndexBuilding,
		"index(es) still building, queries using them fail until then: "+strings.Join(parts, "; ")+"; retrying")
}
