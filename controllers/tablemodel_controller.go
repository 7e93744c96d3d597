package controllers

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

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

// Field indexes of the TableModel controller.
const (
	indexTmConnections = "cqlsync.io/tm-connections"   // TableModel: the names in spec.connections
	indexTmUsesDefault = "cqlsync.io/tm-uses-default"  // TableModel: "true" when spec.connections is empty
	indexTmKeyspaces   = "cqlsync.io/tm-keyspaces"     // TableModel: spec.keyspaces, or tmDefaultKeyspaces
	indexKsCQLName     = "cqlsync.io/tm-keyspace-name" // Keyspace: its effective CQL name
	// tmDefaultKeyspaces is the keyspaces index value of a TableModel with empty spec.keyspaces
	// (each connection's defaultKeyspace; not a valid CQL name, so it cannot clash).
	tmDefaultKeyspaces = "<defaultKeyspace>"
)

// TableModelReconciler keeps a table in sync on every target: each of its connections times each
// of its keyspaces.
type TableModelReconciler struct {
	client.Client
	Registry SessionResolver
	// Executor runs the DDL; it must be the one the Keyspace controller uses, so that DDL on a
	// cluster is serialised across both.
	Executor *apply.Executor
	// Schemas caches the live schema per connection and keyspace until the schema version changes.
	Schemas  *introspect.SchemaCache
	Recorder events.EventRecorder
	// DriftInterval is how often a TableModel re-reads the live schema to find drift (a column
	// dropped out of band, an option changed, ...). A re-read with no schema change costs one
	// query (the schema version) per target.
	DriftInterval time.Duration
	// SchemaEvents, when set, requeues the TableModels a cluster's schema change concerns.
	SchemaEvents SchemaEvents

	now func() time.Time
}

// +kubebuilder:rbac:groups=cqlsync.io,resources=tablemodels,verbs=get;list;watch;update;patch
// +kubebuilder:rbac:groups=cqlsync.io,resources=tablemodels/status,verbs=get;update;patch
// +kubebuilder:rbac:groups=cqlsync.io,resources=tablemodels/finalizers,verbs=update
// +kubebuilder:rbac:groups=cqlsync.io,resources=keyspaces,verbs=get;list;watch
// +kubebuilder:rbac:groups=cqlsync.io,resources=cassandraconnections,verbs=get;list;watch
// +kubebuilder:rbac:groups=events.k8s.io,resources=events,verbs=create;patch

// Reconcile follows the skeleton of DESIGN.md: get, finalizer (and the default spec.name),
// snapshot, reconcileDelete or reconcileNormal, one status patch when the status changed.
func (r *TableModelReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	tm := &cqlv1.TableModel{}
	if err := r.Get(ctx, req.NamespacedName, tm); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	if !tm.DeletionTimestamp.IsZero() {
		return r.reconcileDelete(ctx, tm)
	}
	if err := r.ensureFinalizerAndName(ctx, tm); err != nil {
		return ctrl.Result{}, err
	}

	before := tm.DeepCopy()
	o, err := r.reconcileNormal(ctx, tm)
	if err != nil {
		return ctrl.Result{}, err // transient (API server); status untouched, controller-runtime backs off
	}
	setTableModelStatus(tm, o, r.timestamp())
	r.recordEvents(before, tm, o)
	if err := patchStatus(ctx, r.Client, before, tm, func(o client.Object) any {
		return o.(*cqlv1.TableModel).Status
	}); err != nil {
		return ctrl.Result{}, err
	}
	return r.nextSync(tm), nil
}

// ensureFinalizerAndName adds the finalizer and, when spec.name is empty, sets it from
// metadata.name, in one patch; the name then becomes immutable (CEL).
func (r *TableModelReconciler) ensureFinalizerAndName(ctx context.Context, tm *cqlv1.TableModel) error {
	if controllerutil.ContainsFinalizer(tm, Finalizer) && tm.Spec.Name != "" {
		return nil
	}
	before := tm.DeepCopy()
	controllerutil.AddFinalizer(tm, Finalizer)
	if tm.Spec.Name == "" {
		tm.Spec.Name = cqlv1.DefaultTableName(tm.Name)
	}
	return r.Patch(ctx, tm, client.MergeFrom(before))
}

// tableConn is one connection of a TableModel and the keyspaces the table goes into through it.
// When the connection cannot be used, decided says why and every one of its targets gets it.
type tableConn struct {
	name      string
	keyspaces []string
	// decided is set when there is nothing to connect to: each target gets this outcome (with
	// its keyspace filled in).
	decided *tableTargetOutcome
	session *registry.Session
}

// connections resolves spec.connections (or the namespace default) and, for each, its keyspaces
// and its session. Only API-server errors are returned.
func (r *TableModelReconciler) connections(ctx context.Context, tm *cqlv1.TableModel) ([]tableConn, error) {
	var names []string
	if len(tm.Spec.Connections) > 0 {
		for _, c := range tm.Spec.Connections {
			names = append(names, string(c))
		}
	} else {
		var list cqlv1.CassandraConnectionList
		if err := r.List(ctx, &list, client.InNamespace(tm.Namespace), client.MatchingFields{indexConnDefault: "true"}); err != nil {
			return nil, err
		}
		var defaults []string
		for _, c := range list.Items {
			if c.DeletionTimestamp.IsZero() {
				defaults = append(defaults, c.Name)
			}
		}
		switch len(defaults) {
		case 1:
			names = defaults
		case 0:
			return []tableConn{{keyspaces: specKeyspaces(tm), decided: &tableTargetOutcome{state: cqlv1.TablePending, reason: cqlv1.ReasonNoDefaultConnection,
				message: fmt.Sprintf("spec.connections is empty and no CassandraConnection in namespace %q has spec.default: true", tm.Namespace)}}}, nil
		default:
			return []tableConn{{keyspaces: specKeyspaces(tm), decided: &tableTargetOutcome{state: cqlv1.TablePending, reason: cqlv1.ReasonDefaultConflict,
				message: fmt.Sprintf("spec.connections is empty and several CassandraConnections are the namespace default: %s; keep spec.default on exactly one",
					strings.Join(defaults, ", "))}}}, nil
		}
	}
	out := make([]tableConn, 0, len(names))
	for _, name := range names {
		tc, err := r.resolveConnection(ctx, tm, name)
		if err != nil {
			return nil, err
		}
		out = append(out, tc)
	}
	return out, nil
}

func specKeyspaces(tm *cqlv1.TableModel) []string {
	var out []string
	for _, k := range tm.Spec.Keyspaces {
		out = append(out, string(k))
	}
	return out
}

// resolveConnection reads one CassandraConnection: its keyspaces (spec.keyspaces, or its
// defaultKeyspace) and its session when it is Ready.
func (r *TableModelReconciler) resolveConnection(ctx context.Context, tm *cqlv1.TableModel, name string) (tableConn, error) {
	tc := tableConn{name: name, keyspaces: specKeyspaces(tm)}
	pending := func(reason, format string, args ...any) (tableConn, error) {
		tc.decided = &tableTargetOutcome{connection: name, state: cqlv1.TablePending, reason: reason, message: fmt.Sprintf(format, args...)}
		return tc, nil
	}
	conn := &cqlv1.CassandraConnection{}
	err := r.Get(ctx, types.NamespacedName{Namespace: tm.Namespace, Name: name}, conn)
	switch {
	case apierrors.IsNotFound(err):
		return pending(cqlv1.ReasonConnectionNotFound, "CassandraConnection %q does not exist in namespace %q", name, tm.Namespace)
	case err != nil:
		return tc, err
	case !conn.DeletionTimestamp.IsZero():
		return pending(cqlv1.ReasonConnectionNotFound, "CassandraConnection %q is being deleted", name)
	}
	if len(tc.keyspaces) == 0 {
		if conn.Spec.DefaultKeyspace == "" {
			return pending(cqlv1.ReasonNoDefaultKeyspace,
				"spec.keyspaces is empty and CassandraConnection %q has no spec.defaultKeyspace: list the keyspaces in spec.keyspaces or set the connection's defaultKeyspace", name)
		}
		tc.keyspaces = []string{conn.Spec.DefaultKeyspace}
	}
	if !cqlv1.IsReadyFor(conn.Status.Conditions, conn.Generation) {
		if c := cqlv1.FindCondition(conn.Status.Conditions, cqlv1.ConditionReady); c != nil && c.Status != metav1.ConditionTrue {
			return pending(cqlv1.ReasonConnectionNotReady, "CassandraConnection %q is not Ready (%s: %s)", name, c.Reason, c.Message)
		}
		return pending(cqlv1.ReasonConnectionNotReady, "CassandraConnection %q has not been reconciled yet", name)
	}
	s, err := r.Registry.Resolve(ctx, tm.Namespace, name)
	if err != nil {
		return pending(cqlv1.ReasonConnectionNotReady, "no session for CassandraConnection %q: %v", name, err)
	}
	if s.Driver() == nil {
		return pending(cqlv1.ReasonConnectionNotReady, "CassandraConnection %q has no driver session", name)
	}
	tc.session = s
	return tc, nil
}

// reconcileNormal syncs every target: connections in parallel, the keyspaces of one connection
// one after the other (the executor serialises DDL per cluster anyway). One target's failure
// never stops another. Only API-server errors are returned.
func (r *TableModelReconciler) reconcileNormal(ctx context.Context, tm *cqlv1.TableModel) (tableModelOutcome, error) {
	o := tableModelOutcome{table: tm.TableName()}
	desired, problem := desiredTable(tm)
	conns, err := r.connections(ctx, tm)
	if err != nil {
		return o, err
	}
	results := make([][]tableTargetOutcome, len(conns))
	errs := make([]error, len(conns))
	var wg sync.WaitGroup
	for i, tc := range conns {
		if tc.decided != nil || problem != nil {
			results[i] = decidedTargets(tc, problem)
			continue
		}
		wg.Go(func() {
			for _, ks := range tc.keyspaces {
				to, err := r.syncTarget(ctx, tm, tc, ks, desired)
				if err != nil {
					errs[i] = err
					return
				}
				results[i] = append(results[i], to)
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return o, err
	}
	for _, rs := range results {
		o.targets = append(o.targets, rs...)
	}
	return o, nil
}

// decidedTargets are the outcomes of a connection's targets when nothing is run on them: the
// connection is unusable, or the spec is.
func decidedTargets(tc tableConn, problem *specProblem) []tableTargetOutcome {
	keyspaces := tc.keyspaces
	if len(keyspaces) == 0 {
		keyspaces = []string{""} // the connection's defaultKeyspace, which is unknown
	}
	var out []tableTargetOutcome
	for _, ks := range keyspaces {
		to := tableTargetOutcome{connection: tc.name, keyspace: ks}
		switch {
		case problem != nil:
			to.state, to.reason, to.message = cqlv1.TableFailed, problem.reason, problem.message+"; nothing was executed"
		default:
			to.state, to.reason, to.message = tc.decided.state, tc.decided.reason, tc.decided.message
		}
		out = append(out, to)
	}
	return out
}

// syncTarget reads the live keyspace, plans the table and applies the plan on one target.
func (r *TableModelReconciler) syncTarget(ctx context.Context, tm *cqlv1.TableModel, tc tableConn, keyspace string, desired plan.Table) (tableTargetOutcome, error) {
	logger := log.FromContext(ctx).WithValues("connection", tc.name, "keyspace", keyspace)
	o := tableTargetOutcome{connection: tc.name, keyspace: keyspace}
	at := apply.TargetOf(tc.session)
	desired.Keyspace = keyspace

	readCtx, cancel := context.WithTimeout(ctx, at.RequestTimeout)
	ks, err := r.Schemas.Keyspace(readCtx, at.Key, at.Session, keyspace)
	cancel()
	if err != nil {
		logger.Info("cannot read the live schema", "error", err.Error())
		o.state, o.reason, o.message = cqlv1.TablePending, cqlv1.ReasonConnectionNotReady, "reading system_schema: "+err.Error()
		if registry.KindOf(err) != registry.KindUnreachable {
			o.state, o.reason = cqlv1.TableFailed, cqlv1.ReasonFailed
		}
		return o, nil
	}
	if ks == nil {
		msg, err := r.missingKeyspaceMessage(ctx, tm.Namespace, keyspace)
		if err != nil {
			return o, err
		}
		o.state, o.reason, o.message = cqlv1.TablePending, cqlv1.ReasonKeyspaceNotFound, msg
		return o, nil
	}
	if p := checkUDTs(desired, keyspace, ks.HasType); p != nil {
		o.state, o.reason, o.message = cqlv1.TableFailed, p.reason, p.message+"; nothing was executed on this target"
		return o, nil
	}

	res := plan.ForTable(desired, ks)
	o.drift = res.Drift
	if len(res.Blocked) > 0 {
		msgs := make([]string, len(res.Blocked))
		for i, d := range res.Blocked {
			msgs[i] = d.Message
		}
		o.state, o.reason = cqlv1.TableBlocked, blockedReason(res.Blocked[0].Kind)
		o.message = strings.Join(msgs, "; ") + "; nothing was executed on this target (Cassandra cannot change this in place: migrate the data to a new table, or fix the live table)"
		return o, nil
	}

	applied, err := r.Executor.Apply(ctx, at, res.Plan)
	o.applied = applied
	var disagree *apply.DisagreementError
	switch {
	case err == nil:
		o.state, o.reason, o.message = cqlv1.TableSynced, cqlv1.ReasonSynced,
			fmt.Sprintf("table %s matches the spec", render.QualifiedName(keyspace, desired.Name))
	case errors.As(err, &disagree):
		o.state, o.reason, o.message = cqlv1.TablePending, cqlv1.ReasonSchemaDisagreement, err.Error()+"; retrying"
	case registry.KindOf(err) == registry.KindUnreachable || errors.Is(err, context.DeadlineExceeded):
		o.state, o.reason, o.message = cqlv1.TablePending, cqlv1.ReasonConnectionNotReady, err.Error()+"; retrying"
	default:
		logger.Info("applying the table failed", "error", err.Error())
		o.state, o.reason, o.message = cqlv1.TableFailed, cqlv1.ReasonFailed, err.Error()
	}
	if len(applied) > 0 {
		// The next read must see what was just done, even if a node answers with an old version.
		r.Schemas.InvalidateKeyspace(at.Key, keyspace)
	}
	return o, nil
}

func blockedReason(k plan.DifferenceKind) string {
	switch k {
	case plan.DiffColumnType:
		return cqlv1.ReasonColumnTypeDiffers
	case plan.DiffStatic:
		return cqlv1.ReasonStaticDiffers
	case plan.DiffIndexName:
		return cqlv1.ReasonIndexNameTaken
	}
	return cqlv1.ReasonPrimaryKeyDiffers
}

// missingKeyspaceMessage says that the keyspace does not exist and whether a Keyspace resource of
// the namespace is meant to create it.
func (r *TableModelReconciler) missingKeyspaceMessage(ctx context.Context, namespace, keyspace string) (string, error) {
	var list cqlv1.KeyspaceList
	if err := r.List(ctx, &list, client.InNamespace(namespace), client.MatchingFields{indexKsCQLName: keyspace}); err != nil {
		return "", err
	}
	if len(list.Items) > 0 {
		return fmt.Sprintf("keyspace %q does not exist on this cluster yet; waiting for Keyspace %q to create it", keyspace, list.Items[0].Name), nil
	}
	return fmt.Sprintf("keyspace %q does not exist on this cluster and no Keyspace resource in namespace %q manages it: create one (or the keyspace)", keyspace, namespace), nil
}

// reconcileDelete applies the deletion policy, then releases the finalizer.
func (r *TableModelReconciler) reconcileDelete(ctx context.Context, tm *cqlv1.TableModel) (ctrl.Result, error) {
	if !controllerutil.ContainsFinalizer(tm, Finalizer) {
		return ctrl.Result{}, nil
	}
	table := tm.TableName()
	if tm.Spec.DeletionPolicyOrDefault() != cqlv1.DeletionPolicyDelete {
		r.event(tm, corev1.EventTypeNormal, "TableRetained", "Delete",
			"deletionPolicy is Retain: table %q and its data are left in Cassandra", table)
		return ctrl.Result{}, removeFinalizer(ctx, r.Client, tm)
	}
	conns, err := r.connections(ctx, tm)
	if err != nil {
		return ctrl.Result{}, err
	}
	waiting := make([][]string, len(conns))
	var wg sync.WaitGroup
	for i, tc := range conns {
		wg.Go(func() { waiting[i] = r.dropOnConnection(ctx, tm, tc, table) })
	}
	wg.Wait()
	var held []string
	for _, w := range waiting {
		held = append(held, w...)
	}
	if len(held) == 0 {
		return ctrl.Result{}, removeFinalizer(ctx, r.Client, tm)
	}
	if tm.Annotations[cqlv1.AnnotationSkipUnreachableOnDelete] == "true" {
		for _, w := range held {
			r.event(tm, corev1.EventTypeWarning, "TableNotDropped", "Delete",
				"%s: table %q was NOT dropped there (annotation %s)", w, table, cqlv1.AnnotationSkipUnreachableOnDelete)
		}
		return ctrl.Result{}, removeFinalizer(ctx, r.Client, tm)
	}
	before := tm.DeepCopy()
	setTableModelStatus(tm, tableModelOutcome{deleting: fmt.Sprintf(
		"deletionPolicy Delete: table %q could not be dropped yet on %s; retrying. To let the resource go and leave the table there, set spec.deletionPolicy: Retain or the annotation %s: \"true\"",
		table, strings.Join(held, "; "), cqlv1.AnnotationSkipUnreachableOnDelete)}, r.timestamp())
	if err := patchStatus(ctx, r.Client, before, tm, func(o client.Object) any {
		return o.(*cqlv1.TableModel).Status
	}); err != nil {
		return ctrl.Result{}, err
	}
	ready := cqlv1.FindCondition(tm.Status.Conditions, cqlv1.ConditionReady)
	return ctrl.Result{RequeueAfter: retryAfter(ready.LastTransitionTime, r.now())}, nil
}

// dropOnConnection drops the table in each keyspace of one connection. It returns what holds the
// deletion (targets that could not be reached), nothing when the connection is done: dropped, or
// skipped because there is no connection left to reach its cluster through.
func (r *TableModelReconciler) dropOnConnection(ctx context.Context, tm *cqlv1.TableModel, tc tableConn, table string) []string {
	if tc.session == nil {
		switch tc.decided.reason {
		case cqlv1.ReasonConnectionNotFound, cqlv1.ReasonNoDefaultConnection, cqlv1.ReasonNoDefaultKeyspace:
			// Nothing is left to reach that cluster through (or no keyspace to look in): waiting
			// would hang forever.
			r.event(tm, corev1.EventTypeWarning, "TableNotDropped", "Delete",
				"%s: table %q was NOT dropped (%s)", connLabel(tc.name), table, tc.decided.message)
			return nil
		}
		return []string{fmt.Sprintf("%s (%s)", connLabel(tc.name), tc.decided.message)}
	}
	var held []string
	at := apply.TargetOf(tc.session)
	for _, ks := range tc.keyspaces {
		applied, err := r.Executor.Apply(ctx, at, plan.DropTableIfExists(ks, table))
		for _, st := range applied {
			label := tc.name + "/" + ks
			r.event(tm, corev1.EventTypeNormal, "TableDropped", eventAction(label, st.Summary), "%s: %s", label, st.Summary)
		}
		if err != nil {
			held = append(held, fmt.Sprintf("%s/%s (%v)", tc.name, ks, err))
		}
	}
	return held
}

func connLabel(name string) string {
	if name == "" {
		return "default connection"
	}
	return "connection " + name
}

// nextSync: a TableModel that is not Ready is retried with a backoff that grows with how long it
// has not been Ready (at most a minute, whatever the cause: a Blocked target may be fixed by hand
// in Cassandra, a missing user-defined type may be created); a Ready one re-reads the live schema
// every DriftInterval.
func (r *TableModelReconciler) nextSync(tm *cqlv1.TableModel) ctrl.Result {
	ready := cqlv1.FindCondition(tm.Status.Conditions, cqlv1.ConditionReady)
	if ready == nil || ready.Status != metav1.ConditionTrue {
		var since metav1.Time
		if ready != nil {
			since = ready.LastTransitionTime
		}
		return ctrl.Result{RequeueAfter: retryAfter(since, r.now())}
	}
	return ctrl.Result{RequeueAfter: r.DriftInterval}
}

// recordEvents emits an event for every statement applied, a Warning when a target newly fails or
// is blocked, and a Warning when a target's drift changes.
func (r *TableModelReconciler) recordEvents(before, after *cqlv1.TableModel, o tableModelOutcome) {
	prev := map[string]cqlv1.TableTarget{}
	for _, t := range before.Status.Targets {
		prev[targetKey(t.Connection, t.Keyspace)] = t
	}
	for _, t := range o.targets {
		label := t.connection + "/" + t.keyspace
		for _, st := range t.applied {
			r.event(after, corev1.EventTypeNormal, tableEventReason(st.Kind), eventAction(label, st.Summary), "%s: %s", label, st.Summary)
		}
		p, had := prev[targetKey(t.connection, t.keyspace)]
		if t.state == cqlv1.TableFailed || t.state == cqlv1.TableBlocked {
			if !had || p.State != t.state || p.Reason != t.reason {
				r.event(after, corev1.EventTypeWarning, t.reason, eventAction(label, "sync"), "%s: %s", label, t.message)
			}
		}
		if len(t.drift) > 0 && (!had || strings.Join(p.Drift, "\n") != strings.Join(t.drift, "\n")) {
			r.event(after, corev1.EventTypeWarning, "DriftDetected", eventAction(label, "drift "+strings.Join(t.drift, "; ")), "%s: %s", label, strings.Join(t.drift, "; "))
		}
	}
}

// maxEventAction is the API server's limit on an event's action.
const maxEventAction = 128

// eventAction is the action of an event: what was done where. The event recorder folds events
// with the same reason and action into one series that keeps the first note, so the action names
// the target and the change: two different statements never share one, and the same statement
// repeated (a drift corrected twice) counts up one series. Long actions are cut and made unique
// with a hash of the whole text.
func eventAction(label, what string) string {
	a := label + ": " + what
	if len(a) <= maxEventAction {
		return a
	}
	h := fnv.New32a()
	h.Write([]byte(a))
	suffix := fmt.Sprintf(" ~%08x", h.Sum32())
	cut := maxEventAction - len(suffix)
	for cut > 0 && !utf8.RuneStart(a[cut]) {
		cut--
	}
	return a[:cut] + suffix
}

func tableEventReason(k plan.Kind) string {
	switch k {
	case plan.CreateTable:
		return "TableCreated"
	case plan.AddColumns:
		return "ColumnsAdded"
	case plan.AlterOptions:
		return "TableOptionsChanged"
	case plan.DropColumns:
		return "ColumnsDropped"
	case plan.CreateIndex:
		return "IndexCreated"
	case plan.DropIndex:
		return "IndexDropped"
	case plan.DropTable:
		return "TableDropped"
	}
	return string(k)
}

func (r *TableModelReconciler) event(obj *cqlv1.TableModel, typ, reason, action, note string, args ...any) {
	if r.Recorder != nil {
		r.Recorder.Eventf(obj, nil, typ, reason, action, note, args...)
	}
}

func (r *TableModelReconciler) timestamp() metav1.Time {
	return metav1.NewTime(r.now().Truncate(time.Second))
}

// SetupWithManager registers the controller, its indexes and its watches. It relies on the
// connection controller's default-connection index (indexConnDefault).
func (r *TableModelReconciler) SetupWithManager(ctx context.Context, mgr ctrl.Manager) error {
	if r.now == nil {
		r.now = time.Now
	}
	if r.DriftInterval <= 0 {
		r.DriftInterval = 5 * time.Minute
	}
	if r.Executor == nil {
		r.Executor = apply.Default
	}
	if r.Schemas == nil {
		r.Schemas = introspect.DefaultSchemaCache
	}
	idx := mgr.GetFieldIndexer()
	for field, fn := range map[string]client.IndexerFunc{
		indexTmConnections: func(o client.Object) []string { return specConnNames(o.(*cqlv1.TableModel)) },
		indexTmUsesDefault: func(o client.Object) []string {
			if len(o.(*cqlv1.TableModel).Spec.Connections) == 0 {
				return []string{"true"}
			}
			return nil
		},
		indexTmKeyspaces: func(o client.Object) []string {
			tm := o.(*cqlv1.TableModel)
			if len(tm.Spec.Keyspaces) == 0 {
				return []string{tmDefaultKeyspaces}
			}
			return specKeyspaces(tm)
		},
	} {
		if err := idx.IndexField(ctx, &cqlv1.TableModel{}, field, fn); err != nil {
			return err
		}
	}
	if err := idx.IndexField(ctx, &cqlv1.Keyspace{}, indexKsCQLName, func(o client.Object) []string {
		return []string{o.(*cqlv1.Keyspace).KeyspaceName()}
	}); err != nil {
		return err
	}
	b := ctrl.NewControllerManagedBy(mgr)
	if r.SchemaEvents != nil {
		// A schema change announced by a cluster (e.g. a column dropped out of band) requeues the
		// TableModels it concerns at once; the drift interval is the safety net.
		b = b.WatchesRawSource(r.schemaChangeSource(r.SchemaEvents))
	}
	return b.
		Named("tablemodel").
		// Our own status patches do not trigger a reconcile; spec, deletion and annotation
		// changes do.
		For(&cqlv1.TableModel{}, builder.WithPredicates(predicate.Or(
			predicate.GenerationChangedPredicate{}, predicate.AnnotationChangedPredicate{}))).
		// A connection that appears, becomes Ready, changes or goes away requeues its TableModels.
		Watches(&cqlv1.CassandraConnection{}, handler.EnqueueRequestsFromMapFunc(r.tableModelsForConnection)).
		// A Keyspace that becomes Ready requeues the TableModels that go into it.
		Watches(&cqlv1.Keyspace{}, handler.EnqueueRequestsFromMapFunc(r.tableModelsForKeyspace)).
		WithOptions(controller.Options{
			MaxConcurrentReconciles: 4,
			RateLimiter:             workqueue.NewTypedItemExponentialFailureRateLimiter[reconcile.Request](time.Second, maxRetry),
		}).
		Complete(r)
}

func specConnNames(tm *cqlv1.TableModel) []string {
	var names []string
	for _, c := range tm.Spec.Connections {
		names = append(names, string(c))
	}
	return names
}

// tableModelsForConnection maps a connection to the TableModels that name it and, for a default
// connection, to those that use the namespace default. Updates call it with both the old and the
// new object.
func (r *TableModelReconciler) tableModelsForConnection(ctx context.Context, o client.Object) []reconcile.Request {
	conn, ok := o.(*cqlv1.CassandraConnection)
	if !ok {
		return nil
	}
	reqs := r.listRequests(ctx, conn.Namespace, indexTmConnections, conn.Name)
	if conn.Spec.Default {
		reqs = append(reqs, r.listRequests(ctx, conn.Namespace, indexTmUsesDefault, "true")...)
	}
	return reqs
}

// tableModelsForKeyspace maps a Ready Keyspace to the TableModels of its namespace that name its
// CQL name in spec.keyspaces, and to those that use their connections' default keyspaces (the
// reconcile finds out whether that is this one).
func (r *TableModelReconciler) tableModelsForKeyspace(ctx context.Context, o client.Object) []reconcile.Request {
	ks, ok := o.(*cqlv1.Keyspace)
	if !ok || !cqlv1.IsReadyFor(ks.Status.Conditions, ks.Generation) {
		return nil
	}
	reqs := r.listRequests(ctx, ks.Namespace, indexTmKeyspaces, ks.KeyspaceName())
	return append(reqs, r.listRequests(ctx, ks.Namespace, indexTmKeyspaces, tmDefaultKeyspaces)...)
}

func (r *TableModelReconciler) listRequests(ctx context.Context, namespace, field, value string) []reconcile.Request {
	var list cqlv1.TableModelList
	if err := r.List(ctx, &list, client.InNamespace(namespace), client.MatchingFields{field: value}); err != nil {
		log.FromContext(ctx).Error(err, "listing table models", "field", field, "value", value)
		return nil
	}
	reqs := make([]reconcile.Request, 0, len(list.Items))
	for _, tm := range list.Items {
		reqs = append(reqs, reconcile.Request{NamespacedName: types.NamespacedName{Namespace: tm.Namespace, Name: tm.Name}})
	}
	return reqs
}
