package connection

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
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
	"github.com/cqlsync/cqlsync/controllers/skeleton"
	"github.com/cqlsync/cqlsync/internal/cql/registry"
	"github.com/cqlsync/cqlsync/internal/engine"
	"github.com/cqlsync/cqlsync/internal/metrics"
)

// Registry is what the connection controller needs of internal/cql/registry.
type Registry interface {
	Register(ctx context.Context, key registry.Key, cfg registry.Config, opts registry.Options) (*registry.Session, error)
	Unregister(key registry.Key)
	Reset(key registry.Key)
	OnConnect(func(registry.Key))
}

// connectionReconciler keeps one session per connection (a CassandraConnection, or a
// ClusterCassandraConnection shared by the namespaces it allows) and reports the cluster's state
// in status.
type connectionReconciler[T client.Object] struct {
	client.Client
	kind connKind[T]
	// APIReader reads Secrets straight from the API server: the manager caches only their metadata.
	APIReader client.Reader
	Registry  Registry
	Recorder  events.EventRecorder
	// RefreshInterval is how often a Ready connection re-reads its hosts.
	RefreshInterval time.Duration
	// OperatorNamespace holds the Secrets of ClusterCassandraConnections that name no
	// spec.secretsNamespace.
	OperatorNamespace string
	// Describe asks a session for the cluster's state; (*registry.Session).Describe by default.
	Describe func(ctx context.Context, s *registry.Session) (registry.ClusterInfo, error)

	connected chan event.TypedGenericEvent[T]
	now       func() time.Time
}

// +kubebuilder:rbac:groups=cqlsync.io,resources=cassandraconnections;clustercassandraconnections,verbs=get;list;watch;update;patch
// +kubebuilder:rbac:groups=cqlsync.io,resources=cassandraconnections/status;clustercassandraconnections/status,verbs=get;update;patch
// +kubebuilder:rbac:groups=cqlsync.io,resources=cassandraconnections/finalizers;clustercassandraconnections/finalizers,verbs=update
// +kubebuilder:rbac:groups="",resources=secrets,verbs=get;list;watch
// +kubebuilder:rbac:groups="",resources=namespaces,verbs=get;list;watch

// Reconcile follows the skeleton of every cqlsync reconciler: get, finalizer, snapshot, one
// deferred status write (deletion included: a deletion that waits says why in Ready), the work,
// then the next check.
func (r *connectionReconciler[T]) Reconcile(ctx context.Context, req ctrl.Request) (res ctrl.Result, retErr error) {
	key := registry.Key{Namespace: req.Namespace, Name: req.Name}
	conn := r.kind.newObject()
	if err := r.Get(ctx, req.NamespacedName, conn); err != nil {
		if apierrors.IsNotFound(err) {
			r.Registry.Unregister(key) // gone without our finalizer (e.g. force-removed)
			metrics.ConnectionGone(key.String())
			return ctrl.Result{}, nil
		}
		return ctrl.Result{}, fmt.Errorf("reading %s %s: %w", r.kind.kind, key, err)
	}
	deleting := !conn.GetDeletionTimestamp().IsZero()
	if deleting && !skeleton.HasFinalizer(conn) {
		return ctrl.Result{}, nil
	}
	if !deleting {
		if err := skeleton.EnsureFinalizer(ctx, r.Client, conn); err != nil {
			return ctrl.Result{}, fmt.Errorf("adding the finalizer to %s %s: %w", r.kind.kind, key, err)
		}
	}

	before := conn.DeepCopyObject().(T)
	var outcome *connOutcome
	defer func() {
		if outcome == nil || outcome.released {
			return // cut short by the API server, or gone: nothing to report
		}
		setConnectionStatus(r.kind.status(conn), conn.GetGeneration(), *outcome)
		r.recordTransition(before, conn)
		if !deleting {
			metrics.ConnectionUp(key.String(), cqlv1.IsReadyFor(r.kind.status(conn).Conditions, conn.GetGeneration()))
		}
		if err := r.patchStatus(ctx, before, conn); err != nil {
			retErr = errors.Join(retErr, fmt.Errorf("writing the status of %s %s: %w", r.kind.kind, key, err))
		}
		if retErr == nil {
			res = r.nextCheck(conn, *outcome)
		}
	}()
	var err error
	if deleting {
		outcome, err = r.reconcileDelete(ctx, conn)
	} else {
		outcome, err = r.reconcileNormal(ctx, conn)
	}
	return ctrl.Result{}, err
}

func (r *connectionReconciler[T]) patchStatus(ctx context.Context, before, conn T) error {
	wrote, err := skeleton.PatchStatus(ctx, r.Client, before, conn, func(o client.Object) any { return *r.kind.status(o.(T)) })
	if wrote {
		metrics.StatusWritten(r.kind.kind)
	}
	return err
}

// reconcileDelete closes the session and releases the connection, once no Keyspace, TableModel or
// UserType with deletionPolicy Delete uses it any more (see deleteDependents); until then the
// outcome says which resources it waits for.
func (r *connectionReconciler[T]) reconcileDelete(ctx context.Context, conn T) (*connOutcome, error) {
	deps, err := r.deleteDependents(ctx, conn)
	if err != nil {
		return nil, fmt.Errorf("listing the resources that still use %s %s: %w", r.kind.kind, r.kind.key(conn), err)
	}
	if len(deps) > 0 {
		log.FromContext(ctx).Info("deletion waits: resources with deletionPolicy Delete still use this connection", "dependents", deps)
		return &connOutcome{dependents: deps}, nil
	}
	r.Registry.Unregister(r.kind.key(conn))
	metrics.ConnectionGone(r.kind.key(conn).String())
	log.FromContext(ctx).Info("connection deleted; session closed")
	if err := skeleton.RemoveFinalizer(ctx, r.Client, conn); err != nil {
		return nil, fmt.Errorf("removing the finalizer of %s %s: %w", r.kind.kind, r.kind.key(conn), err)
	}
	return &connOutcome{released: true}, nil
}

// reconcileNormal registers the connection and describes the cluster. Only API-server errors are
// returned; everything about the cluster or the user's input is in the outcome.
func (r *connectionReconciler[T]) reconcileNormal(ctx context.Context, conn T) (*connOutcome, error) {
	logger := log.FromContext(ctx)
	key := r.kind.key(conn)
	spec := r.kind.spec(conn)
	o := &connOutcome{insecure: spec.TLS != nil && spec.TLS.InsecureSkipVerify}

	if r.kind.namespaced && spec.Default {
		conflicts, err := r.otherDefaults(ctx, conn)
		if err != nil {
			return nil, fmt.Errorf("reading the other default connections of namespace %q: %w", conn.GetNamespace(), err)
		}
		o.conflicts = conflicts
	}

	cfg, err := Config(ctx, r.APIReader, spec, r.kind.secretsNamespace(conn, r.OperatorNamespace))
	var ue *engine.Problem
	if errors.As(err, &ue) {
		// An unusable spec or Secret (e.g. revoked credentials) leaves no session behind.
		r.Registry.Unregister(key)
		o.connectErr = ue
		return o, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading the Secrets of %s %s: %w", r.kind.kind, key, err)
	}

	session, err := r.Registry.Register(ctx, key, cfg, registry.Options{Default: r.kind.namespaced && spec.Default, Lazy: spec.LazyConnect})
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

// otherDefaults lists the other default connections of the namespace: its CassandraConnections
// with spec.default, and the ClusterCassandraConnection its annotation names.
func (r *connectionReconciler[T]) otherDefaults(ctx context.Context, conn T) ([]string, error) {
	defaults, err := engine.NamespaceDefaults(ctx, r.Client, conn.GetNamespace(), false)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, d := range defaults {
		if d != r.kind.ref(conn) {
			names = append(names, d.String())
		}
	}
	slices.Sort(names)
	return names, nil
}

// nextCheck decides when to look again: Ready connections refresh their hosts periodically, a
// cluster that may answer by itself is retried with a backoff that grows with the outage, and
// problems the user must fix wait for a change (of the spec or a Secret, both watched) with a slow
// safety net. A deletion that waits is requeued by its dependents' changes (a watch); the timer
// is only a safety net.
func (r *connectionReconciler[T]) nextCheck(conn T, o connOutcome) ctrl.Result {
	ready := meta.FindStatusCondition(r.kind.status(conn).Conditions, cqlv1.ConditionReady)
	switch {
	case len(o.dependents) > 0:
		return ctrl.Result{RequeueAfter: skeleton.MaxRetry}
	case o.connectErr != nil && engine.ClassifyConnection(o.connectErr).Transient:
		return ctrl.Result{RequeueAfter: skeleton.RetryAfter(ready.LastTransitionTime, r.now())}
	case o.connectErr != nil || len(o.conflicts) > 0:
		return ctrl.Result{RequeueAfter: 5 * time.Minute}
	case o.lazyPending:
		return ctrl.Result{} // OnConnect requeues us
	}
	return ctrl.Result{RequeueAfter: r.RefreshInterval}
}

// recordTransition emits an event when Ready changes.
func (r *connectionReconciler[T]) recordTransition(before, after T) {
	if r.Recorder == nil {
		return
	}
	was := meta.FindStatusCondition(r.kind.status(before).Conditions, cqlv1.ConditionReady)
	now := meta.FindStatusCondition(r.kind.status(after).Conditions, cqlv1.ConditionReady)
	if now == nil || (was != nil && was.Status == now.Status && was.Reason == now.Reason) {
		return
	}
	typ := corev1.EventTypeNormal
	if now.Status != metav1.ConditionTrue {
		typ = corev1.EventTypeWarning
	}
	r.Recorder.Eventf(after, nil, typ, now.Reason, "Connect", "%s", now.Message) // the event reason is the condition reason
}

// SetupWithManager registers the controller and its watches. The field indexes it lists by are
// registered once, by Setup.
func (r *connectionReconciler[T]) SetupWithManager(mgr ctrl.Manager) error {
	if r.Describe == nil {
		r.Describe = func(ctx context.Context, s *registry.Session) (registry.ClusterInfo, error) { return s.Describe(ctx) }
	}
	if r.now == nil {
		r.now = time.Now
	}
	if r.RefreshInterval <= 0 {
		r.RefreshInterval = time.Minute
	}

	// A lazily connected session that opens on a schema resource's behalf refreshes its
	// connection's status.
	r.connected = make(chan event.TypedGenericEvent[T], 64)
	r.Registry.OnConnect(func(k registry.Key) {
		if (k.Namespace != "") != r.kind.namespaced {
			return // the other kind's
		}
		c := r.kind.newObject()
		c.SetNamespace(k.Namespace)
		c.SetName(k.Name)
		select {
		case r.connected <- event.TypedGenericEvent[T]{Object: c}:
		default: // the periodic refresh catches up
		}
	})

	b := ctrl.NewControllerManagedBy(mgr).
		Named(strings.ToLower(r.kind.kind)). // the controller (and metric) name: "cassandraconnection"
		// Our own status patches do not trigger a reconcile (the periodic refresh is a RequeueAfter);
		// spec, deletion, finalizer and annotation changes do.
		For(r.kind.newObject(), builder.WithPredicates(predicate.Or(
			predicate.GenerationChangedPredicate{}, predicate.AnnotationChangedPredicate{}, skeleton.FinalizersChanged))).
		// Secrets: metadata only in the cache; a change of content changes resourceVersion.
		Watches(&corev1.Secret{}, handler.EnqueueRequestsFromMapFunc(r.forSecret), builder.OnlyMetadata).
		WatchesRawSource(source.Channel(r.connected, &handler.TypedEnqueueRequestForObject[T]{})).
		// A connection being deleted waits for the Keyspaces, TableModels and UserTypes dropping
		// through it.
		Watches(&cqlv1.Keyspace{}, handler.EnqueueRequestsFromMapFunc(r.beingDeleted)).
		Watches(&cqlv1.TableModel{}, handler.EnqueueRequestsFromMapFunc(r.beingDeleted)).
		Watches(&cqlv1.UserType{}, handler.EnqueueRequestsFromMapFunc(r.beingDeleted))
	if r.kind.namespaced {
		// Default conflicts involve the other default connections of the namespace: its
		// CassandraConnections, and the namespace's own annotation.
		b = b.Watches(&cqlv1.CassandraConnection{}, handler.EnqueueRequestsFromMapFunc(r.defaultsInNamespace), builder.WithPredicates(skeleton.ConnectionUsable)).
			Watches(&corev1.Namespace{}, handler.EnqueueRequestsFromMapFunc(r.defaultsInNamespace), builder.WithPredicates(predicate.AnnotationChangedPredicate{}))
	}
	return b.WithOptions(controller.Options{
		RateLimiter: workqueue.NewTypedItemExponentialFailureRateLimiter[reconcile.Request](time.Second, skeleton.MaxRetry),
	}).Complete(r)
}

// forSecret maps a Secret to the connections that read it.
func (r *connectionReconciler[T]) forSecret(ctx context.Context, o client.Object) []reconcile.Request {
	return skeleton.ListRequests(ctx, r.Client, r.kind.newList(), "", engine.IndexConnSecrets, o.GetNamespace()+"/"+o.GetName())
}

// defaultsInNamespace maps a connection or a Namespace to the default connections of the namespace.
func (r *connectionReconciler[T]) defaultsInNamespace(ctx context.Context, o client.Object) []reconcile.Request {
	ns := o.GetNamespace()
	if _, ok := o.(*corev1.Namespace); ok {
		ns = o.GetName()
	}
	return skeleton.ListRequests(ctx, r.Client, r.kind.newList(), ns, engine.IndexConnDefault, "true")
}

// beingDeleted maps a schema resource to the connections of its kind that are being deleted (in
// its namespace, or cluster-scoped), so that a connection in use sees its users go or change
// policy.
func (r *connectionReconciler[T]) beingDeleted(ctx context.Context, o client.Object) []reconcile.Request {
	list := r.kind.newList()
	var opts []client.ListOption
	if r.kind.namespaced {
		opts = append(opts, client.InNamespace(o.GetNamespace()))
	}
	if err := r.List(ctx, list, opts...); err != nil {
		log.FromContext(ctx).Error(err, "listing connections")
		return nil
	}
	var reqs []reconcile.Request
	_ = meta.EachListItem(list, func(obj runtime.Object) error {
		if c, ok := obj.(client.Object); ok && !c.GetDeletionTimestamp().IsZero() {
			reqs = append(reqs, reconcile.Request{NamespacedName: client.ObjectKeyFromObject(c)})
		}
		return nil
	})
	return reqs
}
