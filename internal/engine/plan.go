package engine

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
	"github.com/cqlsync/cqlsync/internal/cql/introspect"
	"github.com/cqlsync/cqlsync/internal/cql/registry"
	"github.com/cqlsync/cqlsync/internal/cql/render"
	"github.com/cqlsync/cqlsync/internal/cql/schema"
)

// Work is what Plan found out about every target of one resource, and what the approval gate
// decided may run: the input of Execute.
type Work struct {
	mode    Mode
	name    string // the object's CQL name
	targets []*targetWork
	// policy and decision are the approval gate's.
	policy   gatePolicy
	decision gateResult
	// err is the API-server error that stopped the planning of some connection's targets: those
	// are missing from targets, the others are complete. The plan is then not a plan of every
	// target, and cannot be approved.
	err error
	// retained: mode Delete with deletionPolicy Retain; nothing is planned, the object is left.
	retained bool
	// skipUnreachable: mode Delete with the annotation cqlsync.io/skip-unreachable-on-delete.
	skipUnreachable bool
}

// Err is the API-server error that cut the planning short, nil when every target was planned.
func (w *Work) Err() error { return w.err }

// targetWork is one target between planning and executing.
type targetWork struct {
	// out is the target's outcome: final when gate is nil, otherwise completed by execute.
	out     targetOutcome
	cluster Cluster
	// key is the registry key of the target's connection (its full identity: kind, namespace
	// and name); the zero Key when the connection could not be resolved.
	key registry.Key
	// gate holds what was planned for the target and what the gate lets run; nil when nothing is
	// to be executed there (it waits for something, is blocked, failed, or is another's).
	gate *gated
	// indexes are the spec's indexes on this target; checkIndexes says that the target waited for
	// them to build (its previous reason was IndexBuilding), so that they are asked about again.
	indexes      []string
	checkIndexes bool
	// checkAgreement says that the target waited for the nodes to agree (its previous reason was
	// SchemaDisagreement): with nothing left to run, it is Synced only once they do.
	checkAgreement bool
}

// Plan resolves the targets and their owners, plans each target in mode, and lets the approval
// gate decide what runs (see Pipeline.Plan).
func (r *pipeline[T, D, L]) Plan(ctx context.Context, obj T, mode Mode) (*Work, error) {
	w := &Work{mode: mode, name: obj.CQLName()}
	if mode == Delete {
		if obj.EffectiveDeletionPolicy() != cqlv1.DeletionPolicyDelete {
			w.retained = true
			return w, nil
		}
		w.skipUnreachable = obj.GetAnnotations()[cqlv1.AnnotationSkipUnreachableOnDelete] == "true"
	}
	var d D
	var specProblem *Problem
	if mode != Delete {
		d, specProblem = r.adapter.desired(obj)
		if p, ok := any(r.adapter).(preparer[T, D]); ok && specProblem == nil {
			var err error
			pm := mode
			if r.dryRun {
				pm = Preview // --dry-run writes nothing, Secrets included
			}
			if specProblem, err = p.prepare(ctx, r.Client, r.secrets, obj, &d, pm); err != nil {
				return nil, fmt.Errorf("preparing %s %s: %w", r.kind.Kind, QualifiedName(obj), err)
			}
		}
	}
	targets, err := r.resolveTargets(ctx, obj, mode == Delete)
	if err != nil {
		return nil, fmt.Errorf("resolving the connections of %s %s: %w", r.kind.Kind, QualifiedName(obj), err)
	}
	owners, err := r.ownership(ctx, obj, targets)
	if err != nil {
		return nil, fmt.Errorf("deciding who owns the targets of %s %s: %w", r.kind.Kind, QualifiedName(obj), err)
	}
	w.targets, w.err = r.forEachConnection(targets, func(ct connTarget) ([]*targetWork, error) {
		return r.planConnection(ctx, obj, d, specProblem, ct, owners, mode)
	})
	w.policy = policyOf(obj, r.dryRun && mode != Preview)
	if w.err != nil {
		w.policy.approved = "" // an approval covers a plan of every target, which this is not
	}
	w.decision = w.policy.decide(gatesOf(w.targets))
	return w, nil
}

// planConnection plans the targets of one connection, its keyspaces one after the other. An
// API-server error stops it; the works planned before are returned with it.
func (r *pipeline[T, D, L]) planConnection(ctx context.Context, obj T, d D, specProblem *Problem, ct connTarget, owners map[schemaTarget]targetOwnership, mode Mode) ([]*targetWork, error) {
	if ct.decided != nil || specProblem != nil {
		return r.decidedTargets(ct, specProblem, mode, obj.CQLName()), nil
	}
	var out []*targetWork
	for _, ks := range ct.keyspaces {
		w := &targetWork{key: KeyOf(obj.GetNamespace(), ct.ref), cluster: ct.cluster,
			out: targetOutcome{connection: ct.name, isDefault: ct.isDefault, keyspace: r.statusKeyspace(ks), name: obj.CQLName()}}
		own := owners[r.schemaTarget(ct.clusterID, ks, obj.CQLName())]
		switch {
		case ct.denied[ks] != nil:
			r.refuse(w, ct.denied[ks], "; nothing was read or executed", mode, obj.CQLName())
		case mode == Delete && keptOnDelete(r.kind.Kind, own) != "":
			w.out.release(r.kind.Kept, fmt.Sprintf("%s %q was not dropped: %s", r.kind.Noun, obj.CQLName(), keptOnDelete(r.kind.Kind, own)))
		case own.owner != "":
			w.out.set(cqlv1.TargetFailed, cqlv1.ReasonDuplicateOwner, duplicateOwnerMessage(r.kind.Kind, own.owner, r.describe(ks, obj.CQLName()), ct.name))
		default:
			// A table or type goes into a keyspace: its owner there, if any, decides who may use it,
			// and says what a missing keyspace waits for.
			var ksOwner *cqlv1.Keyspace
			if r.kind.PerKeyspace {
				var err error
				if ksOwner, err = keyspaceOwner(newClaims(ctx, r.Client, r.Clusters), ct.clusterID, ks); err != nil {
					return out, fmt.Errorf("finding the owner of keyspace %q: %w", ks, err)
				}
				p, err := r.keyspaceContentsPermitted(ctx, obj, ksOwner, ks)
				if err != nil {
					return out, fmt.Errorf("deciding whether %s may use keyspace %q: %w", QualifiedName(obj), ks, err)
				}
				if p != nil {
					r.refuse(w, p, "", mode, obj.CQLName())
					out = append(out, w)
					continue
				}
			}
			if tc, ok := any(r.adapter).(targetChecker[T, D]); ok && mode != Delete {
				p, err := tc.checkTarget(ctx, r.Client, r.Clusters, ct.cluster, obj, d, ct.ref)
				if err != nil {
					return out, fmt.Errorf("checking what %s refers to on %s: %w", QualifiedName(obj), ct.name, err)
				}
				if p != nil {
					r.refuse(w, p, "; nothing was read or executed", mode, obj.CQLName())
					out = append(out, w)
					continue
				}
			}
			if err := r.planTarget(ctx, obj, d, ct, ks, ksOwner, mode, w); err != nil {
				return out, fmt.Errorf("planning %s on %s: %w", r.describe(ks, obj.CQLName()), ct.name, err)
			}
		}
		out = append(out, w)
	}
	return out, nil
}

// refuse decides a target the resource may not act on (p says why): p's state, Failed when unset
// (its message ending with more), or, on deletion, let go with a NotDropped event, since it could
// never have created the object there.
func (r *pipeline[T, D, L]) refuse(w *targetWork, p *Problem, more string, mode Mode, name string) {
	if mode == Delete {
		w.out.release(r.kind.NotDropped, fmt.Sprintf("%s %q was NOT dropped there: %s", r.kind.Noun, name, p.Message))
		return
	}
	state := cqlv1.TargetFailed
	if p.State != "" {
		state = p.State
	}
	w.out.set(state, p.Reason, p.Message+more)
}

// forEachConnection runs f for each connection's targets, connections in parallel, and returns
// the works in the order of targets with the API-server errors joined.
func (r *pipeline[T, D, L]) forEachConnection(targets []connTarget, f func(connTarget) ([]*targetWork, error)) ([]*targetWork, error) {
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

// decidedTargets are the works of a connection's targets when nothing is read or run on them:
// the connection is unusable, or the spec is. On deletion, a connection that is gone (or no
// connection or keyspace is left to look in) lets its targets go: waiting would hang forever;
// one that cannot be used now holds them.
func (r *pipeline[T, D, L]) decidedTargets(ct connTarget, specProblem *Problem, mode Mode, name string) []*targetWork {
	keyspaces := ct.keyspaces
	if len(keyspaces) == 0 {
		keyspaces = []string{""} // the connection's defaultKeyspace, which is unknown
	}
	if mode == Delete && ct.decided != nil && connectionGone(ct) != "" {
		keyspaces = []string{""} // one note for the connection
	}
	var out []*targetWork
	for _, ks := range keyspaces {
		w := &targetWork{out: targetOutcome{connection: ct.name, isDefault: ct.isDefault, keyspace: r.statusKeyspace(ks)}}
		to := &w.out
		switch {
		case mode == Delete && connectionGone(ct) != "":
			to.release(r.kind.NotDropped, fmt.Sprintf("%s %q was NOT dropped on its cluster: %s", r.kind.Noun, name, connectionGone(ct)))
		case specProblem != nil:
			to.set(cqlv1.TargetFailed, specProblem.Reason, specProblem.Message+"; nothing was executed")
		case ct.decided.State != "":
			to.set(ct.decided.State, ct.decided.Reason, ct.decided.Message)
		default:
			to.set(cqlv1.TargetPending, ct.decided.Reason, ct.decided.Message)
		}
		out = append(out, w)
	}
	return out
}

// connectionGone says why nothing is left to reach a connection's cluster through, "" when the
// connection may still come back (it is only not usable now).
func connectionGone(ct connTarget) string {
	switch ct.decided.Reason {
	case cqlv1.ReasonConnectionNotFound:
		return fmt.Sprintf("connection %q no longer exists (%s)", ct.name, ct.decided.Message)
	case cqlv1.ReasonNoDefaultConnection:
		return "no default CassandraConnection is left in the namespace"
	case cqlv1.ReasonNoDefaultKeyspace:
		return ct.decided.Message
	}
	return ""
}

// planTarget reads the live keyspace of one target, checks what the object needs there (the
// keyspace, the types it uses), and plans it: the adapter's plan (Apply, Preview) or its drop
// (Delete). Everything about Cassandra goes into w; only API-server errors are returned.
func (r *pipeline[T, D, L]) planTarget(ctx context.Context, obj T, d D, ct connTarget, keyspace string, ksOwner *cqlv1.Keyspace, mode Mode, w *targetWork) error {
	o := &w.out
	live, err := r.adapter.observe(ctx, ct.cluster, keyspace, obj.CQLName())
	if err != nil {
		log.FromContext(ctx).Info("cannot read the live state", "connection", ct.name, "keyspace", keyspace, "error", err.Error())
		o.set(classify(fmt.Errorf("reading the live %s: %w", r.kind.Noun, err), ""))
		return nil
	}
	version := func() string { return r.adapter.version(live, r.object(keyspace, obj.CQLName())) }
	if mode == Delete {
		p, inUse := r.adapter.drop(obj, keyspace, live)
		switch {
		case inUse != nil:
			o.set(cqlv1.TargetPending, inUse.Reason, inUse.Message)
			o.inUse = true
		case len(p) > 0:
			w.gate = &gated{connection: ct.name, keyspace: keyspace, object: r.object(keyspace, obj.CQLName()), liveVersion: version, planned: p}
		default:
			o.set(cqlv1.TargetSynced, cqlv1.ReasonSynced, r.kind.Noun+" "+r.qualified(keyspace, obj.CQLName())+" is not there")
		}
		return nil
	}
	if r.kind.PerKeyspace {
		lks := r.adapter.keyspaceOf(live)
		if lks == nil {
			o.set(cqlv1.TargetPending, cqlv1.ReasonKeyspaceNotFound, missingKeyspaceMessage(ksOwner, keyspace))
			return nil
		}
		p, err := r.checkTypes(ctx, obj, r.adapter.typeRefs(d), ct, keyspace, lks)
		if err != nil {
			return err
		}
		if p != nil {
			o.set(p.State, p.Reason, p.Message)
			return nil
		}
	}

	if ds := r.adapter.unsupported(d, ct.server, live); len(ds) > 0 {
		msgs := make([]string, len(ds))
		for i, d := range ds {
			msgs[i] = d.Message
		}
		o.set(cqlv1.TargetBlocked, cqlv1.ReasonUnsupportedByServer, fmt.Sprintf("%s (connection %s); nothing was sent to this target: remove it from the spec, or upgrade the cluster",
			strings.Join(msgs, "; "), ct.name))
		return nil
	}
	res := r.adapter.plan(d, keyspace, live, ct.server)
	o.drift = res.Drift
	if len(res.Blocked) > 0 {
		msgs := make([]string, len(res.Blocked))
		for i, b := range res.Blocked {
			msgs[i] = b.Message
		}
		o.set(cqlv1.TargetBlocked, blockedReason(res.Blocked[0].Kind),
			strings.Join(msgs, "; ")+"; nothing was executed on this target (Cassandra cannot change this in place: change the spec, or fix the live schema)"+
				expandContract(res.Blocked[0].Kind))
		return nil
	}
	w.gate = &gated{connection: ct.name, keyspace: keyspace, object: r.object(keyspace, obj.CQLName()), liveVersion: version, planned: res.Plan}
	w.indexes = r.adapter.indexes(d)
	for _, t := range obj.Schema().Targets {
		if t.Connection == ct.name && t.Keyspace == o.keyspace {
			w.checkIndexes = w.checkIndexes || t.Reason == cqlv1.ReasonIndexBuilding
			w.checkAgreement = w.checkAgreement || t.Reason == cqlv1.ReasonSchemaDisagreement
		}
	}
	return nil
}

// checkTypes checks every type the spec uses against the target keyspace: it must be a type of
// that keyspace, and exist there. A missing type that a UserType (of any namespace) declares on
// this cluster and keyspace is waited for (UserTypeNotFound); any other is InvalidType (a misspelt
// native type looks like one). Only API-server errors are returned.
func (r *pipeline[T, D, L]) checkTypes(ctx context.Context, obj T, refs []typeRef, ct connTarget, keyspace string, live *introspect.KeyspaceSchema) (*Problem, error) {
	failed := func(format string, args ...any) *Problem {
		return &Problem{State: cqlv1.TargetFailed, Reason: cqlv1.ReasonInvalidType, Message: fmt.Sprintf(format, args...) + "; nothing was executed on this target"}
	}
	var cl *claims
	for _, ref := range refs {
		if other := foreignUDT(ref.t, keyspace); other != "" {
			return failed("%s: %s is a type of keyspace %q; a %s can only use the types of its own keyspace (%q)",
				ref.field, ref.t, other, r.kind.Noun, keyspace), nil
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
				return &Problem{State: cqlv1.TargetPending, Reason: cqlv1.ReasonUserTypeNotFound, Message: fmt.Sprintf(
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
// any namespace), its owner, declares it on this cluster, and so is meant to create it.
func missingKeyspaceMessage(owner *cqlv1.Keyspace, keyspace string) string {
	if owner != nil {
		// With duplicates, the oldest is the one that creates it (see ownership).
		return fmt.Sprintf("keyspace %q does not exist on this cluster yet; waiting for Keyspace %q to create it", keyspace, QualifiedName(owner))
	}
	return fmt.Sprintf("keyspace %q does not exist on this cluster and no Keyspace resource manages it there: create one (or the keyspace)", keyspace)
}

// keyspaceOwner is the Keyspace resource, of any namespace, that owns the keyspace on the cluster:
// the first in ownership order of those that declare it there; nil when none does.
func keyspaceOwner(cl *claims, clusterID, keyspace string) (*cqlv1.Keyspace, error) {
	keyspaces, err := cl.sameName(&cqlv1.KeyspaceList{}, keyspace)
	if err != nil {
		return nil, err
	}
	var owner *claimant
	var ownerObj *cqlv1.Keyspace
	for _, ks := range keyspaces {
		c := cl.claimantOf(ks, false)
		if slices.Contains(c.targets, schemaTarget{cluster: clusterID, keyspace: keyspace}) && (owner == nil || precedes(c, *owner)) {
			owner, ownerObj = &c, ks.(*cqlv1.Keyspace)
		}
	}
	return ownerObj, cl.err
}

// keyspaceContentsPermitted says why a TableModel or UserType of obj's namespace may not put its
// table or type into the keyspace owner owns on the target's cluster, nil when it may (see
// contentsPermitted). Only API-server errors are returned.
func (r *pipeline[T, D, L]) keyspaceContentsPermitted(ctx context.Context, obj T, owner *cqlv1.Keyspace, keyspace string) (*Problem, error) {
	return contentsPermitted(ctx, r.Client, obj.GetNamespace(), owner, keyspace,
		fmt.Sprintf("a %s of namespace %q may not put its %s in it", r.kind.Kind, obj.GetNamespace(), r.kind.Noun))
}

// contentsPermitted says why namespace may not use the contents of the keyspace owner owns on a
// cluster, nil when it may: a keyspace's contents belong to its owner, the Keyspace resource that
// manages it there; another namespace may use it only when that Keyspace's spec.allowedNamespaces
// selects it. A keyspace no Keyspace manages is open to every namespace the connection allows.
// refused says what is refused, for the message. Only API-server errors are returned.
func contentsPermitted(ctx context.Context, c client.Reader, namespace string, owner *cqlv1.Keyspace, keyspace, refused string) (*Problem, error) {
	if owner == nil || owner.Namespace == namespace {
		return nil, nil
	}
	if sel := owner.Spec.AllowedNamespaces; sel != nil {
		selector, err := metav1.LabelSelectorAsSelector(sel)
		if err == nil {
			ns := &corev1.Namespace{}
			if err := c.Get(ctx, types.NamespacedName{Name: namespace}, ns); client.IgnoreNotFound(err) != nil {
				return nil, fmt.Errorf("reading namespace %q: %w", namespace, err)
			}
			if selector.Matches(labels.Set(ns.Labels)) {
				return nil, nil
			}
		}
	}
	return &Problem{State: cqlv1.TargetFailed, Reason: cqlv1.ReasonNotPermitted, Message: fmt.Sprintf(
		"keyspace %q belongs on this cluster to Keyspace %q: %s (the Keyspace's spec.allowedNamespaces does not select namespace %q); nothing was read or executed",
		keyspace, QualifiedName(owner), refused, namespace)}, nil
}
