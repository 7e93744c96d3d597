package controllers

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"

	"sigs.k8s.io/controller-runtime/pkg/log"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
	"github.com/cqlsync/cqlsync/internal/cql/introspect"
	"github.com/cqlsync/cqlsync/internal/cql/plan"
	"github.com/cqlsync/cqlsync/internal/cql/render"
	"github.com/cqlsync/cqlsync/internal/cql/schema"
)

// targetWork is one target between planning and executing.
type targetWork struct {
	// out is the target's outcome: final when gate is nil, otherwise completed by execute.
	out     targetOutcome
	cluster Cluster
	// gate holds what was planned for the target and what the gate lets run; nil when nothing is
	// to be executed there (it waits for something, is blocked, failed, or is another's).
	gate *gated
	// holdReason is why gate.held waits, when it is not empty.
	holdReason string
	// indexes are the spec's indexes on this target; checkIndexes says that the target waited for
	// them to build (its previous reason was IndexBuilding), so that they are asked about again.
	indexes      []string
	checkIndexes bool
	// checkAgreement says that the target waited for the nodes to agree (its previous reason was
	// SchemaDisagreement): with nothing left to run, it is Synced only once they do.
	checkAgreement bool
}

// reconcileNormal plans every target, lets the approval gate decide what runs, and executes that
// into o: connections in parallel, the keyspaces of one connection one after the other (the
// executor serialises DDL per cluster anyway). One target's failure never stops another;
// everything about Cassandra ends up in o. An API-server error while planning a target leaves
// that target out (its status stays as it was) and is returned once the others are done; o is
// then incomplete, and a plan that waits for approval cannot be approved from it.
func (r *schemaReconciler[T, D]) reconcileNormal(ctx context.Context, obj T, o *outcome) error {
	d, specProblem := r.adapter.desired(obj)
	targets, err := r.resolveTargets(ctx, obj, false)
	if err != nil {
		return err
	}
	owners, err := r.ownership(ctx, obj, targets)
	if err != nil {
		return err
	}
	works, planErr := r.planAll(ctx, obj, d, specProblem, targets, owners)
	policy := policyOf(obj, r.dryRun)
	if planErr != nil {
		policy.approved = "" // an approval covers a plan of every target, which this is not
	}
	decision := policy.decide(gatesOf(works))
	r.execute(ctx, works, policy.hold)
	for _, w := range works {
		o.targets = append(o.targets, w.out)
	}
	if planErr != nil {
		return planErr
	}
	o.complete, o.approved, o.plan = true, decision.approved, decision.pending
	if o.plan != nil && ranAny(works) {
		// What ran changed the schema versions the held statements were computed against: plan
		// them again, against the new schema, before asking for an approval.
		o.plan, o.replan = nil, true
	}
	if o.plan != nil {
		o.proceed = howToProceed(r.kind.kind, obj.GetName(), o.plan)
	}
	return nil
}

// planAll plans every target: connections in parallel, the keyspaces of one connection one after
// the other. An API-server error stops the connection it happened on; the works of the others are
// returned with it.
func (r *schemaReconciler[T, D]) planAll(ctx context.Context, obj T, d D, specProblem *problem, targets []connTarget, owners map[schemaTarget]targetOwnership) ([]*targetWork, error) {
	return r.forEachConnection(targets, func(ct connTarget) ([]*targetWork, error) {
		if ct.decided != nil || specProblem != nil {
			return r.decidedTargets(ct, specProblem), nil
		}
		var out []*targetWork
		for _, ks := range ct.keyspaces {
			if p := ct.denied[ks]; p != nil {
				out = append(out, &targetWork{out: targetOutcome{connection: ct.name, isDefault: ct.isDefault, keyspace: r.statusKeyspace(ks),
					state: cqlv1.TargetFailed, reason: p.reason, message: p.message + "; nothing was read or executed"}})
				continue
			}
			if owner := owners[r.schemaTarget(ct.clusterID, ks, obj.CQLName())].owner; owner != "" {
				out = append(out, &targetWork{out: r.duplicateOutcome(ct, ks, obj.CQLName(), owner)})
				continue
			}
			w, err := r.planTarget(ctx, obj, d, ct, ks)
			if err != nil {
				return out, err
			}
			out = append(out, w)
		}
		return out, nil
	})
}

// forEachConnection runs f for each connection's targets, connections in parallel, and returns
// the works in the order of targets with the API-server errors joined.
func (r *schemaReconciler[T, D]) forEachConnection(targets []connTarget, f func(connTarget) ([]*targetWork, error)) ([]*targetWork, error) {
	results := make([][]*targetWork, len(targets))
	errs := make([]error, len(targets))
	var wg sync.WaitGroup
	for i, ct := range targets {
		wg.Go(func() { results[i], errs[i] = f(ct) })
	}
	wg.Wait()
	var works []*targetWork
	for _, rs := range results {
		works = append(works, rs...)
	}
	return works, errors.Join(errs...)
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
// of one connection one after the other, and completes their outcomes: what ran, what waits
// (holdReason), or how it failed. A target with nothing to run still hands the executor its empty
// plan, which counts a resync.
func (r *schemaReconciler[T, D]) execute(ctx context.Context, works []*targetWork, holdReason string) {
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
				r.executeTarget(ctx, w, holdReason)
			}
		})
	}
	wg.Wait()
}

func (r *schemaReconciler[T, D]) executeTarget(ctx context.Context, w *targetWork, holdReason string) {
	g := w.gate
	applied, err := w.cluster.Apply(ctx, g.object, g.run)
	w.out.applied = applied
	logWarnings(ctx, targetLabel(g.connection, w.out.keyspace, false), applied)
	if err != nil {
		log.FromContext(ctx).Info("applying the plan failed", "connection", g.connection, "keyspace", g.keyspace,
			"applied", len(applied), "of", len(g.run), "error", err.Error())
	}
	w.out.state, w.out.reason, w.out.message = classify(err, r.kind.noun+" "+r.qualified(g.keyspace, w.out.name)+" matches the spec")
	if err == nil && len(applied) == 0 && w.checkAgreement {
		// What ran before is on the node that answers, not yet on every node: a node that lacks
		// it would fail queries. The check is one read of the nodes' schema versions.
		if aerr := w.cluster.Agreement(ctx); aerr != nil {
			w.out.state, w.out.reason, w.out.message = classify(aerr, "")
			return
		}
	}
	if err == nil && len(g.held) > 0 {
		w.holdReason = holdReason
		w.out.state, w.out.reason, w.out.message = cqlv1.TargetPending, holdReason, heldMessage(holdReason, g.held)
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
func (r *schemaReconciler[T, D]) awaitIndexes(ctx context.Context, w *targetWork) {
	notReady, err := w.cluster.IndexesNotReady(ctx, w.gate.keyspace, w.indexes)
	if err != nil {
		log.FromContext(ctx).Info("cannot read whether the indexes are built", "connection", w.gate.connection, "keyspace", w.gate.keyspace, "error", err.Error())
		w.out.state, w.out.reason, w.out.message = cqlv1.TargetPending, cqlv1.ReasonIndexBuilding,
			"cannot read whether the indexes are built yet ("+err.Error()+"); retrying"
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
	w.out.state, w.out.reason = cqlv1.TargetPending, cqlv1.ReasonIndexBuilding
	w.out.message = "index(es) still building, queries using them fail until then: " + strings.Join(parts, "; ") + "; retrying"
}

// decidedTargets are the outcomes of a connection's targets when nothing is run on them: the
// connection is unusable, or the spec is.
func (r *schemaReconciler[T, D]) decidedTargets(ct connTarget, specProblem *problem) []*targetWork {
	keyspaces := ct.keyspaces
	if len(keyspaces) == 0 {
		keyspaces = []string{""} // the connection's defaultKeyspace, which is unknown
	}
	var out []*targetWork
	for _, ks := range keyspaces {
		to := targetOutcome{connection: ct.name, isDefault: ct.isDefault, keyspace: r.statusKeyspace(ks)}
		switch {
		case specProblem != nil:
			to.state, to.reason, to.message = cqlv1.TargetFailed, specProblem.reason, specProblem.message+"; nothing was executed"
		case ct.decided.state != "":
			to.state, to.reason, to.message = ct.decided.state, ct.decided.reason, ct.decided.message
		default:
			to.state, to.reason, to.message = cqlv1.TargetPending, ct.decided.reason, ct.decided.message
		}
		out = append(out, &targetWork{out: to})
	}
	return out
}

// planTarget is the first half of a target's pipeline: read the live keyspace, check what the
// object needs there (the keyspace, the types it uses), and plan. Only API-server errors are
// returned.
func (r *schemaReconciler[T, D]) planTarget(ctx context.Context, obj T, d D, ct connTarget, keyspace string) (*targetWork, error) {
	w := &targetWork{cluster: ct.cluster, out: targetOutcome{connection: ct.name, isDefault: ct.isDefault,
		keyspace: r.statusKeyspace(keyspace), name: obj.CQLName()}}
	o := &w.out
	live, err := ct.cluster.Keyspace(ctx, keyspace)
	if err != nil {
		log.FromContext(ctx).Info("cannot read the live schema", "connection", ct.name, "keyspace", keyspace, "error", err.Error())
		o.state, o.reason, o.message = classify(fmt.Errorf("reading system_schema: %w", err), "")
		return w, nil
	}
	if r.kind.perKeyspace {
		if live == nil {
			msg, err := r.missingKeyspaceMessage(ctx, ct, keyspace)
			if err != nil {
				return nil, err
			}
			o.state, o.reason, o.message = cqlv1.TargetPending, cqlv1.ReasonKeyspaceNotFound, msg
			return w, nil
		}
		p, err := r.checkTypes(ctx, obj, r.adapter.typeRefs(d), ct, keyspace, live)
		if err != nil {
			return nil, err
		}
		if p != nil {
			o.state, o.reason, o.message = p.state, p.reason, p.message
			return w, nil
		}
	}

	res := r.adapter.plan(d, keyspace, live)
	o.drift = res.Drift
	if len(res.Blocked) > 0 {
		msgs := make([]string, len(res.Blocked))
		for i, b := range res.Blocked {
			msgs[i] = b.Message
		}
		o.state, o.reason = cqlv1.TargetBlocked, blockedReason(res.Blocked[0].Kind)
		o.message = strings.Join(msgs, "; ") + "; nothing was executed on this target (Cassandra cannot change this in place: change the spec, or fix the live schema)"
		return w, nil
	}
	w.gate = &gated{connection: ct.name, keyspace: keyspace, object: r.object(keyspace, obj.CQLName()), live: live, planned: res.Plan}
	w.indexes = r.adapter.indexes(d)
	for _, t := range obj.Schema().Targets {
		if t.Connection == ct.name && t.Keyspace == o.keyspace {
			w.checkIndexes = w.checkIndexes || t.Reason == cqlv1.ReasonIndexBuilding
			w.checkAgreement = w.checkAgreement || t.Reason == cqlv1.ReasonSchemaDisagreement
		}
	}
	return w, nil
}

// typeProblem is why a target cannot use the types its spec names: Pending while a UserType
// resource is meant to create a missing one, Failed otherwise.
type typeProblem struct {
	state   cqlv1.TargetState
	reason  string
	message string
}

// checkTypes checks every type the spec uses against the target keyspace: it must be a type of
// that keyspace, and exist there. A missing type that a UserType (of any namespace) declares on
// this cluster and keyspace is waited for (UserTypeNotFound); any other is InvalidType (a misspelt
// native type looks like one). Only API-server errors are returned.
func (r *schemaReconciler[T, D]) checkTypes(ctx context.Context, obj T, refs []typeRef, ct connTarget, keyspace string, live *introspect.KeyspaceSchema) (*typeProblem, error) {
	failed := func(format string, args ...any) *typeProblem {
		return &typeProblem{cqlv1.TargetFailed, cqlv1.ReasonInvalidType, fmt.Sprintf(format, args...) + "; nothing was executed on this target"}
	}
	var cl *claims
	for _, ref := range refs {
		if other := foreignUDT(ref.t, keyspace); other != "" {
			return failed("%s: %s is a type of keyspace %q; a %s can only use the types of its own keyspace (%q)",
				ref.field, ref.t, other, r.kind.noun, keyspace), nil
		}
		for _, name := range ref.t.UDTs() {
			if live.HasType(name) {
				continue
			}
			if cl == nil {
				cl = newClaims(ctx, r.Client, r.Clusters)
			}
			declaredBy, err := declaringUserType(cl, schemaTarget{cluster: ct.clusterID, keyspace: keyspace, name: name})
			if err != nil {
				return nil, err
			}
			if declaredBy != "" {
				return &typeProblem{cqlv1.TargetPending, cqlv1.ReasonUserTypeNotFound, fmt.Sprintf(
					"%s: type %s does not exist in keyspace %q yet; waiting for UserType %q to create it", ref.field, render.Ident(name), keyspace, declaredBy)}, nil
			}
			return failed("%s: %v in keyspace %q (create it with a UserType, or fix the type)", ref.field, schema.UnknownType(name), keyspace), nil
		}
	}
	return nil, nil
}

// declaringUserType names ("namespace/name") the oldest UserType that declares the type on the
// target, "" when none does.
func declaringUserType(cl *claims, t schemaTarget) (string, error) {
	types, err := cl.sameName(&cqlv1.UserTypeList{}, t.name)
	if err != nil {
		return "", err
	}
	var owner *claimant
	for _, ut := range types {
		c := cl.claimantOf(ut, true)
		if slices.Contains(c.targets, t) && (owner == nil || precedes(c, *owner)) {
			owner = &c
		}
	}
	if cl.err != nil {
		return "", cl.err
	}
	if owner == nil {
		return "", nil
	}
	return owner.name, nil
}

// foreignUDT returns the keyspace qualifier of a user-defined type reference in t that is not
// keyspace, or "".
func foreignUDT(t schema.Type, keyspace string) string {
	if t.Kind == schema.KindUDT && t.Keyspace != "" && t.Keyspace != keyspace {
		return t.Keyspace
	}
	for _, p := range t.Params {
		if k := foreignUDT(p, keyspace); k != "" {
			return k
		}
	}
	return ""
}

// missingKeyspaceMessage says that the keyspace does not exist and whether a Keyspace resource (of
// any namespace) declares it on this cluster, and so is meant to create it.
func (r *schemaReconciler[T, D]) missingKeyspaceMessage(ctx context.Context, ct connTarget, keyspace string) (string, error) {
	cl := newClaims(ctx, r.Client, r.Clusters)
	keyspaces, err := cl.sameName(&cqlv1.KeyspaceList{}, keyspace)
	if err != nil {
		return "", err
	}
	var owner *claimant
	for _, ks := range keyspaces {
		c := cl.claimantOf(ks, false)
		if slices.Contains(c.targets, schemaTarget{cluster: ct.clusterID, keyspace: keyspace}) && (owner == nil || precedes(c, *owner)) {
			owner = &c
		}
	}
	if cl.err != nil {
		return "", cl.err
	}
	if owner != nil {
		// With duplicates, the oldest is the one that creates it (see ownership).
		return fmt.Sprintf("keyspace %q does not exist on this cluster yet; waiting for Keyspace %q to create it", keyspace, owner.name), nil
	}
	return fmt.Sprintf("keyspace %q does not exist on this cluster and no Keyspace resource manages it there: create one (or the keyspace)", keyspace), nil
}
