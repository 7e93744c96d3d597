package controllers

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/tools/events"
	"k8s.io/client-go/util/workqueue"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
	"github.com/cqlsync/cqlsync/internal/cql/apply"
	"github.com/cqlsync/cqlsync/internal/cql/introspect"
	"github.com/cqlsync/cqlsync/internal/cql/plan"
	"github.com/cqlsync/cqlsync/internal/cql/registry"
	"github.com/cqlsync/cqlsync/internal/cql/render"
)

// Field indexes on Keyspace.
const (
	indexKsConnections = "cqlsync.io/connections"  // the names in spec.connections
	indexKsUsesDefault = "cqlsync.io/uses-default" // "true" when spec.connections is empty
)

// SessionResolver is what the Keyspace controller needs of the session registry.
type SessionResolver interface {
	Resolve(ctx context.Context, namespace, name string) (*registry.Session, error)
}

// KeyspaceReconciler keeps a keyspace in sync on every target connection.
type KeyspaceReconciler struct {
	client.Client
	Registry SessionResolver
	// Executor runs the DDL; its per-connection locks must be shared with every other controller
	// that runs DDL.
	Executor *apply.Executor
	Recorder events.EventRecorder
	// ResyncInterval is how often a synced Keyspace re-reads the live keyspace to correct drift.
	ResyncInterval time.Duration

	now func() time.Time
}

// +kubebuilder:rbac:groups=cqlsync.io,resources=keyspaces,verbs=get;list;watch;update;patch
// +kubebuilder:rbac:groups=cqlsync.io,resources=keyspaces/status,verbs=get;update;patch
// +kubebuilder:rbac:groups=cqlsync.io,resources=keyspaces/finalizers,verbs=update
// +kubebuilder:rbac:groups=cqlsync.io,resources=cassandraconnections,verbs=get;list;watch
// +kubebuilder:rbac:groups=events.k8s.io,resources=events,verbs=create;patch

// Reconcile follows the skeleton of DESIGN.md: get, finalizer (and the default spec.name),
// snapshot, reconcileDelete or reconcileNormal, one status patch when the status changed.
func (r *KeyspaceReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	ks := &cqlv1.Keyspace{}
	if err := r.Get(ctx, req.NamespacedName, ks); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	if !ks.DeletionTimestamp.IsZero() {
		return r.reconcileDelete(ctx, ks)
	}
	if err := r.ensureFinalizerAndName(ctx, ks); err != nil {
		return ctrl.Result{}, err
	}

	before := ks.DeepCopy()
	o, err := r.reconcileNormal(ctx, ks)
	if err != nil {
		return ctrl.Result{}, err // transient (API server); status untouched, controller-runtime backs off
	}
	setKeyspaceStatus(ks, o, r.timestamp())
	r.recordEvents(before, ks, o)
	if err := patchStatus(ctx, r.Client, before, ks, func(o client.Object) any {
		return o.(*cqlv1.Keyspace).Status
	}); err != nil {
		return ctrl.Result{}, err
	}
	return r.nextSync(ks), nil
}

// ensureFinalizerAndName adds the finalizer and, when spec.name is empty, sets it from
// metadata.name, in one patch. Writing the name down makes it immutable (CEL), so that adding a
// spec.name later cannot silently switch the resource to another keyspace.
// The reconcile goes on with the patched object: a finalizer-only patch does not change the
// generation, so no event would bring it back.
func (r *KeyspaceReconciler) ensureFinalizerAndName(ctx context.Context, ks *cqlv1.Keyspace) error {
	if controllerutil.ContainsFinalizer(ks, Finalizer) && ks.Spec.Name != "" {
		return nil
	}
	before := ks.DeepCopy()
	controllerutil.AddFinalizer(ks, Finalizer)
	if ks.Spec.Name == "" {
		ks.Spec.Name = cqlv1.DefaultKeyspaceName(ks.Name)
	}
	return r.Patch(ctx, ks, client.MergeFrom(before))
}

// target is one connection a Keyspace is synced to. When the namespace default cannot be
// resolved, decided holds the outcome and there is nothing to connect to.
type target struct {
	name      string
	isDefault bool
	decided   *targetOutcome
}

// targets resolves spec.connections, or the namespace default when it is empty.
func (r *KeyspaceReconciler) targets(ctx context.Context, ks *cqlv1.Keyspace) ([]target, error) {
	if len(ks.Spec.Connections) > 0 {
		ts := make([]target, len(ks.Spec.Connections))
		for i, c := range ks.Spec.Connections {
			ts[i] = target{name: string(c)}
		}
		return ts, nil
	}
	var list cqlv1.CassandraConnectionList
	if err := r.List(ctx, &list, client.InNamespace(ks.Namespace), client.MatchingFields{indexConnDefault: "true"}); err != nil {
		return nil, err
	}
	var names []string
	for _, c := range list.Items {
		if c.DeletionTimestamp.IsZero() {
			names = append(names, c.Name)
		}
	}
	slices.Sort(names)
	switch len(names) {
	case 1:
		return []target{{name: names[0], isDefault: true}}, nil
	case 0:
		return []target{{isDefault: true, decided: &targetOutcome{
			isDefault: true, state: cqlv1.TargetPending, reason: cqlv1.ReasonNoDefaultConnection,
			message: fmt.Sprintf("spec.connections is empty and no CassandraConnection in namespace %q has spec.default: true", ks.Namespace),
		}}}, nil
	}
	return []target{{isDefault: true, decided: &targetOutcome{
		isDefault: true, state: cqlv1.TargetPending, reason: cqlv1.ReasonDefaultConflict,
		message: fmt.Sprintf("spec.connections is empty and several CassandraConnections are the namespace default: %s; keep spec.default on exactly one",
			strings.Join(names, ", ")),
	}}}, nil
}

// desiredKeyspace turns the spec into the plan's desired keyspace.
func desiredKeyspace(ks *cqlv1.Keyspace) plan.Keyspace {
	r := render.Replication{Strategy: string(ks.Spec.Replication.Strategy)}
	if ks.Spec.Replication.ReplicationFactor != nil {
		r.ReplicationFactor = *ks.Spec.Replication.ReplicationFactor
	}
	if len(ks.Spec.Replication.Datacenters) > 0 {
		r.Datacenters = make(map[string]int32, len(ks.Spec.Replication.Datacenters))
		for dc, n := range ks.Spec.Replication.Datacenters {
			r.Datacenters[dc] = int32(n)
		}
	}
	return plan.Keyspace{Name: ks.KeyspaceName(), Replication: r, DurableWrites: ks.Spec.DurableWritesOrDefault()}
}

// reconcileNormal syncs every target in parallel; one target's failure never stops another. Only
// API-server errors are returned; everything about Cassandra is in the outcome.
func (r *KeyspaceReconciler) reconcileNormal(ctx context.Context, ks *cqlv1.Keyspace) (keyspaceOutcome, error) {
	desired := desiredKeyspace(ks)
	o := keyspaceOutcome{keyspace: desired.Name}
	ts, err := r.targets(ctx, ks)
	if err != nil {
		return o, err
	}
	o.targets = make([]targetOutcome, len(ts))
	errs := make([]error, len(ts))
	var wg sync.WaitGroup
	for i, t := range ts {
		if t.decided != nil {
			o.targets[i] = *t.decided
			continue
		}
		wg.Go(func() {
			o.targets[i], errs[i] = r.syncTarget(ctx, ks.Namespace, t, desired)
		})
	}
	wg.Wait()
	return o, errors.Join(errs...)
}

// connectionSession returns the session of a connection that exists and is Ready, or the outcome
// that explains why there is none. The error is for API-server failures only.
func (r *KeyspaceReconciler) connectionSession(ctx context.Context, namespace string, t target) (*registry.Session, *targetOutcome, error) {
	pending := func(reason, format string, args ...any) *targetOutcome {
		return &targetOutcome{connection: t.name, isDefault: t.isDefault, state: cqlv1.TargetPending,
			reason: reason, message: fmt.Sprintf(format, args...)}
	}
	conn := &cqlv1.CassandraConnection{}
	err := r.Get(ctx, types.NamespacedName{Namespace: namespace, Name: t.name}, conn)
	switch {
	case apierrors.IsNotFound(err):
		return nil, pending(cqlv1.ReasonConnectionNotFound, "CassandraConnection %q does not exist in namespace %q", t.name, namespace), nil
	case err != nil:
		return nil, nil, err
	case !conn.DeletionTimestamp.IsZero():
		return nil, pending(cqlv1.ReasonConnectionNotFound, "CassandraConnection %q is being deleted", t.name), nil
	}
	if !cqlv1.IsReadyFor(conn.Status.Conditions, conn.Generation) {
		if c := cqlv1.FindCondition(conn.Status.Conditions, cqlv1.ConditionReady); c != nil && c.Status != metav1.ConditionTrue {
			return nil, pending(cqlv1.ReasonConnectionNotReady, "CassandraConnection %q is not Ready (%s: %s)", t.name, c.Reason, c.Message), nil
		}
		return nil, pending(cqlv1.ReasonConnectionNotReady, "CassandraConnection %q has not been reconciled yet", t.name), nil
	}
	s, err := r.Registry.Resolve(ctx, namespace, t.name)
	if err != nil {
		return nil, pending(cqlv1.ReasonConnectionNotReady, "no session for CassandraConnection %q: %v", t.name, err), nil
	}
	if s.Driver() == nil {
		return nil, pending(cqlv1.ReasonConnectionNotReady, "CassandraConnection %q has no driver session", t.name), nil
	}
	return s, nil, nil
}

// syncTarget reads the live keyspace on one connection, plans and applies the difference.
func (r *KeyspaceReconciler) syncTarget(ctx context.Context, namespace string, t target, desired plan.Keyspace) (targetOutcome, error) {
	logger := log.FromContext(ctx).WithValues("connection", t.name)
	s, decided, err := r.connectionSession(ctx, namespace, t)
	if err != nil || decided != nil {
		if decided == nil {
			return targetOutcome{}, err
		}
		return *decided, nil
	}
	o := targetOutcome{connection: t.name, isDefault: t.isDefault}
	at := apply.TargetOf(s)

	readCtx, cancel := context.WithTimeout(ctx, at.RequestTimeout)
	live, err := introspect.ReadKeyspace(readCtx, at.Session, desired.Name)
	cancel()
	if err != nil {
		logger.Info("cannot read the live keyspace", "error", err.Error())
		o.state, o.reason, o.message = cqlv1.TargetPending, cqlv1.ReasonConnectionNotReady,
			"reading system_schema.keyspaces: "+err.Error()
		if registry.KindOf(err) != registry.KindUnreachable {
			o.state, o.reason = cqlv1.TargetFailed, cqlv1.ReasonFailed
		}
		return o, nil
	}

	applied, err := r.Executor.Apply(ctx, at, plan.ForKeyspace(desired, live))
	o.applied = applied
	if err != nil {
		logger.Info("applying the keyspace failed", "error", err.Error())
	}
	o.state, o.reason, o.message = applyResult(desired.Name, err)
	return o, nil
}

// reconcileDelete applies the deletion policy, then releases the finalizer.
func (r *KeyspaceReconciler) reconcileDelete(ctx context.Context, ks *cqlv1.Keyspace) (ctrl.Result, error) {
	if !controllerutil.ContainsFinalizer(ks, Finalizer) {
		return ctrl.Result{}, nil
	}
	name := ks.KeyspaceName()
	if ks.Spec.DeletionPolicyOrDefault() != cqlv1.DeletionPolicyDelete {
		r.event(ks, "", corev1.EventTypeNormal, "KeyspaceRetained", "Delete",
			"deletionPolicy is Retain: keyspace %q and its data are left in Cassandra", name)
		return ctrl.Result{}, removeFinalizer(ctx, r.Client, ks)
	}

	ts, err := r.targets(ctx, ks)
	if err != nil {
		return ctrl.Result{}, err
	}
	blocked := make([]string, len(ts))
	errs := make([]error, len(ts))
	var wg sync.WaitGroup
	for i, t := range ts {
		wg.Go(func() { blocked[i], errs[i] = r.dropOnTarget(ctx, ks, t, name) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return ctrl.Result{}, err
	}
	var waiting []string
	for i, b := range blocked {
		if b == "" {
			continue
		}
		waiting = append(waiting, b)
		if ks.Annotations[cqlv1.AnnotationSkipUnreachableOnDelete] == "true" {
			r.event(ks, ts[i].name, corev1.EventTypeWarning, "KeyspaceNotDropped", "Delete",
				"%s: keyspace %q was NOT dropped there (annotation %s)", b, name, cqlv1.AnnotationSkipUnreachableOnDelete)
		}
	}
	if len(waiting) == 0 || ks.Annotations[cqlv1.AnnotationSkipUnreachableOnDelete] == "true" {
		return ctrl.Result{}, removeFinalizer(ctx, r.Client, ks)
	}

	before := ks.DeepCopy()
	setKeyspaceStatus(ks, keyspaceOutcome{deleting: fmt.Sprintf(
		"deletionPolicy Delete: keyspace %q could not be dropped yet on %s; retrying. To let the resource go and leave the keyspace there, set spec.deletionPolicy: Retain or the annotation %s: \"true\"",
		name, strings.Join(waiting, "; "), cqlv1.AnnotationSkipUnreachableOnDelete)}, r.timestamp())
	if err := patchStatus(ctx, r.Client, before, ks, func(o client.Object) any {
		return o.(*cqlv1.Keyspace).Status
	}); err != nil {
		return ctrl.Result{}, err
	}
	ready := cqlv1.FindCondition(ks.Status.Conditions, cqlv1.ConditionReady)
	return ctrl.Result{RequeueAfter: retryAfter(ready.LastTransitionTime, r.now())}, nil
}

// dropOnTarget drops the keyspace through one connection. It returns "" when the target is done
// (dropped, or skipped because there is no connection left to reach it through), otherwise a
// description of what holds the deletion.
func (r *KeyspaceReconciler) dropOnTarget(ctx context.Context, ks *cqlv1.Keyspace, t target, name string) (string, error) {
	if t.decided != nil {
		if t.decided.reason == cqlv1.ReasonNoDefaultConnection {
			r.event(ks, "", corev1.EventTypeWarning, "KeyspaceNotDropped", "Delete",
				"no default CassandraConnection is left in the namespace: keyspace %q was not dropped anywhere", name)
			return "", nil
		}
		return "default connection (" + t.decided.message + ")", nil
	}
	conn := &cqlv1.CassandraConnection{}
	err := r.Get(ctx, types.NamespacedName{Namespace: ks.Namespace, Name: t.name}, conn)
	gone := apierrors.IsNotFound(err)
	if err != nil && !gone {
		return "", err
	}
	s, err := r.Registry.Resolve(ctx, ks.Namespace, t.name)
	if err == nil && s.Driver() == nil {
		err = fmt.Errorf("no driver session")
	}
	if err != nil {
		if gone || (!conn.DeletionTimestamp.IsZero() && errors.Is(err, registry.ErrNotRegistered)) {
			// Nothing is left to reach that cluster through: waiting would hang forever.
			r.event(ks, t.name, corev1.EventTypeWarning, "KeyspaceNotDropped", "Delete",
				"CassandraConnection %q no longer exists: keyspace %q was NOT dropped on its cluster", t.name, name)
			return "", nil
		}
		return fmt.Sprintf("%s (%v)", t.name, err), nil
	}
	applied, err := r.Executor.Apply(ctx, apply.TargetOf(s), plan.DropKeyspaceIfExists(name))
	for _, st := range applied {
		r.event(ks, t.name, corev1.EventTypeNormal, "KeyspaceDropped", string(st.Kind), "connection %s: %s", t.name, st.Summary)
	}
	if err != nil {
		return fmt.Sprintf("%s (%v)", t.name, err), nil
	}
	return "", nil
}

// nextSync: targets that are not synced are retried with a backoff that grows with how long the
// Keyspace has not been Ready; a synced Keyspace re-reads the live keyspace every ResyncInterval.
func (r *KeyspaceReconciler) nextSync(ks *cqlv1.Keyspace) ctrl.Result {
	ready := cqlv1.FindCondition(ks.Status.Conditions, cqlv1.ConditionReady)
	if ready == nil || ready.Status != metav1.ConditionTrue {
		var since metav1.Time
		if ready != nil {
			since = ready.LastTransitionTime
		}
		return ctrl.Result{RequeueAfter: retryAfter(since, r.now())}
	}
	return ctrl.Result{RequeueAfter: r.ResyncInterval}
}

// recordEvents emits an event for every statement applied, and a Warning when a target newly
// fails.
func (r *KeyspaceReconciler) recordEvents(before, after *cqlv1.Keyspace, o keyspaceOutcome) {
	prev := map[string]cqlv1.KeyspaceTarget{}
	for _, t := range before.Status.Targets {
		prev[t.Connection] = t
	}
	for _, t := range o.targets {
		for _, st := range t.applied {
			note := fmt.Sprintf("connection %s: %s", t.connection, st.Summary)
			if st.ReplicationChanged {
				note += "; " + repairHint
			}
			r.event(after, t.connection, corev1.EventTypeNormal, eventReason(st.Kind), string(st.Kind), "%s", note)
		}
		if t.state == cqlv1.TargetFailed {
			if p, ok := prev[t.connection]; !ok || p.State != t.state || p.Reason != t.reason {
				r.event(after, t.connection, corev1.EventTypeWarning, t.reason, "Sync", "connection %s: %s", t.connection, t.message)
			}
		}
	}
}

func eventReason(k plan.Kind) string {
	switch k {
	case plan.CreateKeyspace:
		return "KeyspaceCreated"
	case plan.AlterKeyspace:
		return "KeyspaceAltered"
	case plan.DropKeyspace:
		return "KeyspaceDropped"
	}
	return string(k)
}

// event records an event about a Keyspace. When it concerns one target, the connection is the
// event's related object: events that differ only by connection are then not merged into one
// series by the recorder (which ignores the note when it groups events).
func (r *KeyspaceReconciler) event(obj *cqlv1.Keyspace, connection, typ, reason, action, note string, args ...any) {
	if r.Recorder == nil {
		return
	}
	var related runtime.Object
	if connection != "" {
		related = &cqlv1.CassandraConnection{ObjectMeta: metav1.ObjectMeta{Namespace: obj.Namespace, Name: connection}}
	}
	r.Recorder.Eventf(obj, related, typ, reason, action, note, args...)
}

// timestamp is now, at the precision the API stores (seconds), so that a status computed twice
// in the same second compares equal to what was stored.
func (r *KeyspaceReconciler) timestamp() metav1.Time {
	return metav1.NewTime(r.now().Truncate(time.Second))
}

// SetupWithManager registers the controller, its indexes and its watches. It relies on the
// connection controller's default-connection index (indexConnDefault).
func (r *KeyspaceReconciler) SetupWithManager(ctx context.Context, mgr ctrl.Manager) error {
	if r.now == nil {
		r.now = time.Now
	}
	if r.ResyncInterval <= 0 {
		r.ResyncInterval = 5 * time.Minute
	}
	if r.Executor == nil {
		r.Executor = apply.Default
	}
	idx := mgr.GetFieldIndexer()
	if err := idx.IndexField(ctx, &cqlv1.Keyspace{}, indexKsConnections, func(o client.Object) []string {
		var names []string
		for _, c := range o.(*cqlv1.Keyspace).Spec.Connections {
			names = append(names, string(c))
		}
		return names
	}); err != nil {
		return err
	}
	if err := idx.IndexField(ctx, &cqlv1.Keyspace{}, indexKsUsesDefault, func(o client.Object) []string {
		if len(o.(*cqlv1.Keyspace).Spec.Connections) == 0 {
			return []string{"true"}
		}
		return nil
	}); err != nil {
		return err
	}
	return ctrl.NewControllerManagedBy(mgr).
		Named("keyspace").
		// Our own status patches do not trigger a reconcile; spec, deletion and annotation
		// changes (cqlsync.io/skip-unreachable-on-delete) do.
		For(&cqlv1.Keyspace{}, builder.WithPredicates(predicate.Or(
			predicate.GenerationChangedPredicate{}, predicate.AnnotationChangedPredicate{}))).
		// A connection that appears, becomes Ready, changes or goes away requeues its Keyspaces.
		Watches(&cqlv1.CassandraConnection{}, handler.EnqueueRequestsFromMapFunc(r.keyspacesForConnection)).
		WithOptions(controller.Options{
			MaxConcurrentReconciles: 4,
			RateLimiter:             workqueue.NewTypedItemExponentialFailureRateLimiter[reconcile.Request](time.Second, maxRetry),
		}).
		Complete(r)
}

// keyspacesForConnection maps a connection to the Keyspaces that name it and, for a default
// connection, to those that use the namespace default. Updates call it with both the old and the
// new object, so a connection that stops being the default requeues them too.
func (r *KeyspaceReconciler) keyspacesForConnection(ctx context.Context, o client.Object) []reconcile.Request {
	conn, ok := o.(*cqlv1.CassandraConnection)
	if !ok {
		return nil
	}
	var reqs []reconcile.Request
	add := func(field, value string) {
		var list cqlv1.KeyspaceList
		if err := r.List(ctx, &list, client.InNamespace(conn.Namespace), client.MatchingFields{field: value}); err != nil {
			log.FromContext(ctx).Error(err, "listing keyspaces for a connection", "connection", conn.Name)
			return
		}
		for _, ks := range list.Items {
			reqs = append(reqs, reconcile.Request{NamespacedName: types.NamespacedName{Namespace: ks.Namespace, Name: ks.Name}})
		}
	}
	add(indexKsConnections, conn.Name)
	if conn.Spec.Default {
		add(indexKsUsesDefault, "true")
	}
	return reqs
}
