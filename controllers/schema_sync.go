package controllers

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
	"github.com/cqlsync/cqlsync/internal/cql/introspect"
	"github.com/cqlsync/cqlsync/internal/cql/render"
	"github.com/cqlsync/cqlsync/internal/cql/schema"
)

// reconcileNormal syncs every target into o: connections in parallel, the keyspaces of one
// connection one after the other (the executor serialises DDL per cluster anyway). One target's
// failure never stops another; everything about Cassandra ends up in o. An API-server error
// stops the targets of its connection that are not done yet and is returned; o then holds what
// was done (o.complete is false).
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
	results := make([][]targetOutcome, len(targets))
	errs := make([]error, len(targets))
	var wg sync.WaitGroup
	for i, ct := range targets {
		if ct.decided != nil || specProblem != nil {
			results[i] = r.decidedTargets(ct, specProblem)
			continue
		}
		wg.Go(func() {
			for _, ks := range ct.keyspaces {
				if owner := owners[r.schemaTarget(ct.name, ks, o.name)].owner; owner != "" {
					results[i] = append(results[i], r.duplicateOutcome(ct, ks, o.name, owner))
					continue
				}
				to, err := r.syncTarget(ctx, obj, d, ct, ks)
				if err != nil {
					errs[i] = err
					return
				}
				results[i] = append(results[i], to)
			}
		})
	}
	wg.Wait()
	for _, rs := range results {
		o.targets = append(o.targets, rs...)
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	o.complete = true
	return nil
}

// decidedTargets are the outcomes of a connection's targets when nothing is run on them: the
// connection is unusable, or the spec is.
func (r *schemaReconciler[T, D]) decidedTargets(ct connTarget, specProblem *problem) []targetOutcome {
	keyspaces := ct.keyspaces
	if len(keyspaces) == 0 {
		keyspaces = []string{""} // the connection's defaultKeyspace, which is unknown
	}
	var out []targetOutcome
	for _, ks := range keyspaces {
		to := targetOutcome{connection: ct.name, isDefault: ct.isDefault, keyspace: r.statusKeyspace(ks)}
		switch {
		case specProblem != nil:
			to.state, to.reason, to.message = cqlv1.TargetFailed, specProblem.reason, specProblem.message+"; nothing was executed"
		default:
			to.state, to.reason, to.message = cqlv1.TargetPending, ct.decided.reason, ct.decided.message
		}
		out = append(out, to)
	}
	return out
}

// syncTarget is the pipeline of one target: read the live keyspace, check what the object needs
// there (the keyspace, the types it uses), plan, and apply. Only API-server errors are returned.
func (r *schemaReconciler[T, D]) syncTarget(ctx context.Context, obj T, d D, ct connTarget, keyspace string) (targetOutcome, error) {
	logger := log.FromContext(ctx).WithValues("connection", ct.name, "keyspace", keyspace)
	o := targetOutcome{connection: ct.name, isDefault: ct.isDefault, keyspace: r.statusKeyspace(keyspace)}
	live, err := ct.cluster.Keyspace(ctx, keyspace)
	if err != nil {
		logger.Info("cannot read the live schema", "error", err.Error())
		o.state, o.reason, o.message = classify(fmt.Errorf("reading system_schema: %w", err), "")
		return o, nil
	}
	if r.kind.perKeyspace {
		if live == nil {
			msg, err := r.missingKeyspaceMessage(ctx, obj.GetNamespace(), keyspace)
			if err != nil {
				return o, err
			}
			o.state, o.reason, o.message = cqlv1.TargetPending, cqlv1.ReasonKeyspaceNotFound, msg
			return o, nil
		}
		p, err := r.checkTypes(ctx, obj, r.adapter.typeRefs(d), ct.name, keyspace, live)
		if err != nil || p != nil {
			if p != nil {
				o.state, o.reason, o.message = p.state, p.reason, p.message
			}
			return o, err
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
		return o, nil
	}
	applied, err := ct.cluster.Apply(ctx, keyspace, res.Plan)
	o.applied = applied
	if err != nil {
		logger.Info("applying the plan failed", "applied", len(applied), "of", len(res.Plan), "error", err.Error())
	}
	o.state, o.reason, o.message = classify(err, r.kind.noun+" "+r.qualified(keyspace, obj.CQLName())+" matches the spec")
	return o, nil
}

// typeProblem is why a target cannot use the types its spec names: Pending while a UserType
// resource is meant to create a missing one, Failed otherwise.
type typeProblem struct {
	state   cqlv1.TargetState
	reason  string
	message string
}

// checkTypes checks every type the spec uses against the target keyspace: it must be a type of
// that keyspace, and exist there. A missing type that a UserType of the namespace declares on
// this connection and keyspace is waited for (UserTypeNotFound); any other is InvalidType (a
// misspelt native type looks like one). Only API-server errors are returned.
func (r *schemaReconciler[T, D]) checkTypes(ctx context.Context, obj T, refs []typeRef, connection, keyspace string, live *introspect.KeyspaceSchema) (*typeProblem, error) {
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
				cl = newClaims(ctx, r.Client, obj.GetNamespace())
			}
			declaredBy, err := declaringUserType(cl, schemaTarget{connection: connection, keyspace: keyspace, name: name})
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

// declaringUserType names the oldest UserType of the namespace that declares the type on the
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

// missingKeyspaceMessage says that the keyspace does not exist and whether a Keyspace resource of
// the namespace is meant to create it.
func (r *schemaReconciler[T, D]) missingKeyspaceMessage(ctx context.Context, namespace, keyspace string) (string, error) {
	var list cqlv1.KeyspaceList
	if err := r.List(ctx, &list, client.InNamespace(namespace), client.MatchingFields{indexCQLName: keyspace}); err != nil {
		return "", err
	}
	if len(list.Items) > 0 {
		// With duplicates, the oldest is the one that creates it (see ownership).
		owner := slices.MinFunc(list.Items, func(a, b cqlv1.Keyspace) int {
			if precedes(claimant{name: a.Name, created: a.CreationTimestamp}, claimant{name: b.Name, created: b.CreationTimestamp}) {
				return -1
			}
			return 1
		})
		return fmt.Sprintf("keyspace %q does not exist on this cluster yet; waiting for Keyspace %q to create it", keyspace, owner.Name), nil
	}
	return fmt.Sprintf("keyspace %q does not exist on this cluster and no Keyspace resource in namespace %q manages it: create one (or the keyspace)", keyspace, namespace), nil
}
