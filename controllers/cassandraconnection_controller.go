package controllers

import (
	"context"
	"errors"
	"slices"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/tools/events"
	"k8s.io/client-go/util/workqueue"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
	"sigs.k8s.io/controller-runtime/pkg/source"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
	"github.com/cqlsync/cqlsync/internal/cql/registry"
)

// ConnectionRegistry is what the connection controller needs of internal/cql/registry.
type ConnectionRegistry interface {
	Register(ctx context.Context, key registry.Key, cfg registry.Config, opts registry.Options) (*registry.Session, error)
	Unregister(key registry.Key)
	Reset(key registry.Key)
	OnConnect(func(registry.Key))
}

// CassandraConnectionReconciler keeps one session per CassandraConnection and reports the cluster's
// state in status.
type CassandraConnectionReconciler struct {
	client.Client
	// APIReader reads Secrets straight from the API server: the manager caches only their metadata.
	APIReader client.Reader
	Registry  ConnectionRegistry
	Recorder  events.EventRecorder
	// RefreshInterval is how often a Ready connection re-reads its hosts.
	RefreshInterval time.Duration
	// Describe asks a session for the cluster's state; (*registry.Session).Describe by default.
	Describe func(ctx context.Context, s *registry.Session) (registry.ClusterInfo, error)

	connected chan event.TypedGenericEvent[*cqlv1.CassandraConnection]
	now       func() time.Time
}

// +kubebuilder:rbac:groups=cqlsync.io,resources=cassandraconnections,verbs=get;list;watch;update;patch
// +kubebuilder:rbac:groups=cqlsync.io,resources=cassandraconnections/status,verbs=get;update;patch
// +kubebuilder:rbac:groups=cqlsync.io,resources=cassandraconnections/finalizers,verbs=update
// +kubebuilder:rbac:groups="",resources=secrets,verbs=get;list;watch
// +kubebuilder:rbac:groups=cqlsync.io,resources=keyspaces;tablemodels;usertypes,verbs=get;list;watch
// +kubebuilder:rbac:groups=events.k8s.io,resources=events,verbs=create;patch

// Reconcile follows the skeleton of DESIGN.md: get, finalizer, snapshot, deferred status patch,
// then reconcileDelete or reconcileNormal.
func (r *CassandraConnectionReconciler) Reconcile(ctx context.Context, req ctrl.Request) (res ctrl.Result, retErr error) {
	key := registry.Key{Namespace: req.Namespace, Name: req.Name}
	conn := &cqlv1.CassandraConnection{}
	if err := r.Get(ctx, req.NamespacedName, conn); err != nil {
		if apierrors.IsNotFound(err) {
			r.Registry.Unregister(key) // gone without our finalizer (e.g. force-removed)
			return ctrl.Result{}, nil
		}
		return ctrl.Result{}, err
	}
	if !conn.DeletionTimestamp.IsZero() {
		return r.reconcileDelete(ctx, conn)
	}
	if err := ensureFinalizer(ctx, r.Client, conn); err != nil {
		return ctrl.Result{}, err
	}

	before := conn.DeepCopy()
	outcome, err := r.reconcileNormal(ctx, conn)
	if err != nil {
		return ctrl.Result{}, err // transient (API server); status untouched, controller-runtime backs off
	}
	setConnectionStatus(conn, outcome)
	r.recordTransition(before, conn)
	if err := patchStatus(ctx, r.Client, before, conn, func(o client.Object) any {
		return o.(*cqlv1.CassandraConnection).Status
	}); err != nil {
		return ctrl.Result{}, err
	}
	return r.nextCheck(conn, outcome), nil
}

// reconcileDelete closes the session and releases the connection, once no Keyspace, TableModel or
// UserType with deletionPolicy Delete uses it any more (see deleteDependents).
func (r *CassandraConnectionReconciler) reconcileDelete(ctx context.Context, conn *cqlv1.CassandraConnection) (ctrl.Result, error) {
	deps, err := r.deleteDependents(ctx, conn)
	if err != nil {
		return ctrl.Result{}, err
	}
	if len(deps) > 0 {
		// Their changes and deletions requeue us (a watch); the timer is only a safety net.
		return ctrl.Result{RequeueAfter: maxRetry}, r.reportInUse(ctx, conn, deps)
	}
	r.Registry.Unregister(registry.Key{Namespace: conn.Namespace, Name: conn.Name})
	log.FromContext(ctx).Info("connection deleted; session closed")
	return ctrl.Result{}, removeFinalizer(ctx, r.Client, conn)
}

// reconcileNormal registers the connection and describes the cluster. Only API-server errors are
// returned; everything about the cluster or the user's input is in the outcome.
func (r *CassandraConnectionReconciler) reconcileNormal(ctx context.Context, conn *cqlv1.CassandraConnection) (connOutcome, error) {
	logger := log.FromContext(ctx)
	key := registry.Key{Namespace: conn.Namespace, Name: conn.Name}
	o := connOutcome{insecure: conn.Spec.TLS != nil && conn.Spec.TLS.InsecureSkipVerify}

	if conn.Spec.Default {
		conflicts, err := r.otherDefaults(ctx, conn)
		if err != nil {
			return o, err
		}
		o.conflicts = conflicts
	}

	cfg, err := buildConfig(ctx, r.APIReader, conn)
	var ue *userError
	if errors.As(err, &ue) {
		// An unusable spec or Secret (e.g. revoked credentials) leaves no session behind.
		r.Registry.Unregister(key)
		o.userErr = ue
		return o, nil
	}
	if err != nil {
		return o, err
	}

	session, err := r.Registry.Register(ctx, key, cfg, registry.Options{Default: conn.Spec.Default, Lazy: conn.Spec.LazyConnect})
	if err != nil {
		logger.Info("cannot connect", "kind", registry.KindOf(err), "error", err.Error())
		o.connectErr = err
		return o, nil
	}
	if session == nil { // lazy and not needed yet
		o.lazyPending = true
		return o, nil
	}
	info, err := r.Describe(ctx, session)
	if err != nil {
		logger.Info("cluster does not answer; the session will be re-opened", "error", err.Error())
		r.Registry.Reset(key)
		o.connectErr = err
		return o, nil
	}
	o.info = &info
	return o, nil
}

// otherDefaults lists the other connections of the namespace that also claim to be the default.
func (r *CassandraConnectionReconciler) otherDefaults(ctx context.Context, conn *cqlv1.CassandraConnection) ([]string, error) {
	var list cqlv1.CassandraConnectionList
	if err := r.List(ctx, &list, client.InNamespace(conn.Namespace), client.MatchingFields{indexConnDefault: "true"}); err != nil {
		return nil, err
	}
	var names []string
	for _, c := range list.Items {
		if c.Name != conn.Name && c.DeletionTimestamp.IsZero() {
			names = append(names, c.Name)
		}
	}
	slices.Sort(names)
	return names, nil
}

// nextCheck decides when to look again: Ready connections refresh their hosts periodically, an
// unreachable cluster is retried with a backoff that grows with the outage, and problems the user
// must fix wait for a change (of the spec or a Secret, both watched) with a slow safety net.
func (r *CassandraConnectionReconciler) nextCheck(conn *cqlv1.CassandraConnection, o connOutcome) ctrl.Result {
	ready := meta.FindStatusCondition(conn.Status.Conditions, cqlv1.ConditionReady)
	switch {
	case o.connectErr != nil && registry.KindOf(o.connectErr) != registry.KindAuthentication && registry.KindOf(o.connectErr) != registry.KindTLS:
		return ctrl.Result{RequeueAfter: retryAfter(ready.LastTransitionTime, r.now())}
	case o.userErr != nil || o.connectErr != nil || len(o.conflicts) > 0:
		return ctrl.Result{RequeueAfter: 5 * time.Minute}
	case o.lazyPending:
		return ctrl.Result{} // OnConnect requeues us
	}
	return ctrl.Result{RequeueAfter: r.RefreshInterval}
}

// recordTransition emits an event when Ready changes.
func (r *CassandraConnectionReconciler) recordTransition(before, after *cqlv1.CassandraConnection) {
	if r.Recorder == nil {
		return
	}
	was := meta.FindStatusCondition(before.Status.Conditions, cqlv1.ConditionReady)
	now := meta.FindStatusCondition(after.Status.Conditions, cqlv1.ConditionReady)
	if now == nil || (was != nil && was.Status == now.Status && was.Reason == now.Reason) {
		return
	}
	typ := corev1.EventTypeNormal
	if now.Status != metav1.ConditionTrue {
		typ = corev1.EventTypeWarning
	}
	r.Recorder.Eventf(after, nil, typ, now.Reason, "Connect", "%s", now.Message)
}

// SetupWithManager registers the controller and its watches. The field indexes it lists by are
// registered once, by Setup.
func (r *CassandraConnectionReconciler) SetupWithManager(mgr ctrl.Manager) error {
	if r.Describe == nil {
		r.Describe = func(ctx context.Context, s *registry.Session) (registry.ClusterInfo, error) { return s.Describe(ctx) }
	}
	if r.now == nil {
		r.now = time.Now
	}
	if r.RefreshInterval <= 0 {
		r.RefreshInterval = time.Minute
	}

	// A lazily connected session that opens on a Keyspace's behalf refreshes its connection's status.
	r.connected = make(chan event.TypedGenericEvent[*cqlv1.CassandraConnection], 64)
	r.Registry.OnConnect(func(k registry.Key) {
		c := &cqlv1.CassandraConnection{ObjectMeta: metav1.ObjectMeta{Namespace: k.Namespace, Name: k.Name}}
		select {
		case r.connected <- event.TypedGenericEvent[*cqlv1.CassandraConnection]{Object: c}:
		default: // the periodic refresh catches up
		}
	})

	return ctrl.NewControllerManagedBy(mgr).
		// Our own status patches do not trigger a reconcile (the periodic refresh is a RequeueAfter);
		// spec, deletion, finalizer and annotation changes do.
		For(&cqlv1.CassandraConnection{}, builder.WithPredicates(predicate.Or(
			predicate.GenerationChangedPredicate{}, predicate.AnnotationChangedPredicate{}, finalizersChanged))).
		// Secrets: metadata only in the cache; a change of content changes resourceVersion.
		Watches(&corev1.Secret{}, handler.EnqueueRequestsFromMapFunc(r.connectionsForSecret), builder.OnlyMetadata).
		// Default conflicts involve the other connections of the namespace.
		Watches(&cqlv1.CassandraConnection{}, handler.EnqueueRequestsFromMapFunc(r.defaultsInNamespace), builder.WithPredicates(connectionUsable)).
		WatchesRawSource(source.Channel(r.connected, &handler.TypedEnqueueRequestForObject[*cqlv1.CassandraConnection]{})).
		// A connection being deleted waits for the Keyspaces, TableModels and UserTypes dropping
		// through it.
		Watches(&cqlv1.Keyspace{}, handler.EnqueueRequestsFromMapFunc(r.connectionsBeingDeleted)).
		Watches(&cqlv1.TableModel{}, handler.EnqueueRequestsFromMapFunc(r.connectionsBeingDeleted)).
		Watches(&cqlv1.UserType{}, handler.EnqueueRequestsFromMapFunc(r.connectionsBeingDeleted)).
		WithOptions(controller.Options{
			RateLimiter: workqueue.NewTypedItemExponentialFailureRateLimiter[reconcile.Request](time.Second, maxRetry),
		}).
		Complete(r)
}

func (r *CassandraConnectionReconciler) connectionsForSecret(ctx context.Context, o client.Object) []reconcile.Request {
	var list cqlv1.CassandraConnectionList
	if err := r.List(ctx, &list, client.InNamespace(o.GetNamespace()), client.MatchingFields{indexConnSecrets: o.GetName()}); err != nil {
		log.FromContext(ctx).Error(err, "listing connections for a Secret", "secret", o.GetName())
		return nil
	}
	return requestsFor(list.Items)
}

func (r *CassandraConnectionReconciler) defaultsInNamespace(ctx context.Context, o client.Object) []reconcile.Request {
	var list cqlv1.CassandraConnectionList
	if err := r.List(ctx, &list, client.InNamespace(o.GetNamespace()), client.MatchingFields{indexConnDefault: "true"}); err != nil {
		log.FromContext(ctx).Error(err, "listing default connections")
		return nil
	}
	return requestsFor(list.Items)
}

func requestsFor(items []cqlv1.CassandraConnection) []reconcile.Request {
	reqs := make([]reconcile.Request, 0, len(items))
	for _, c := range items {
		reqs = append(reqs, reconcile.Request{NamespacedName: types.NamespacedName{Namespace: c.Namespace, Name: c.Name}})
	}
	return reqs
}
