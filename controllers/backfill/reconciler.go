package backfill

import (
	"context"
	"errors"
	"fmt"
	"time"

	gocql "github.com/apache/cassandra-gocql-driver/v2"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/tools/events"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
	"github.com/cqlsync/cqlsync/controllers/skeleton"
	"github.com/cqlsync/cqlsync/internal/backfill"
	"github.com/cqlsync/cqlsync/internal/engine"
	"github.com/cqlsync/cqlsync/internal/metrics"
)

// +kubebuilder:rbac:groups=cqlsync.io,resources=backfills,verbs=get;list;watch;update;patch
// +kubebuilder:rbac:groups=cqlsync.io,resources=backfills/status,verbs=get;update;patch
// +kubebuilder:rbac:groups=cqlsync.io,resources=backfills/finalizers,verbs=update
// +kubebuilder:rbac:groups=batch,resources=jobs,verbs=get;list;watch;create;delete

// Reconciler runs Backfills: in the manager, or as the Indexed Job of spec.workers.
type Reconciler struct {
	Client   client.Client
	Resolver *Resolver
	Recorder events.EventRecorder
	Jobs     JobOptions
	runners  *runners
	// runCtx is the context of the copies running in the manager: cancelled when it stops.
	runCtx context.Context
	now    func() time.Time
}

// defaultSplits is spec.splits when the API server did not default it (an object written before
// the default existed).
const defaultSplits = 256

func splitsOf(b *cqlv1.Backfill) int {
	if b.Spec.Splits > 0 {
		return int(b.Spec.Splits)
	}
	return defaultSplits
}

func (r *Reconciler) Reconcile(ctx context.Context, req ctrl.Request) (res ctrl.Result, retErr error) {
	b := &cqlv1.Backfill{}
	if err := r.Client.Get(ctx, req.NamespacedName, b); err != nil {
		if apierrors.IsNotFound(err) {
			r.runners.stop(req.NamespacedName)
		}
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	if !b.DeletionTimestamp.IsZero() {
		r.runners.stop(req.NamespacedName)
		if err := r.deleteJob(ctx, b); err != nil {
			return ctrl.Result{}, err
		}
		return ctrl.Result{}, skeleton.RemoveFinalizer(ctx, r.Client, b)
	}
	switch {
	case b.Spec.Workers != nil && !b.Spec.Workers.External && !skeleton.HasFinalizer(b):
		// The Job lives in the operator's namespace, where no owner reference reaches: the
		// finalizer deletes it.
		return ctrl.Result{}, skeleton.EnsureFinalizer(ctx, r.Client, b)
	case (b.Spec.Workers == nil || b.Spec.Workers.External) && skeleton.HasFinalizer(b):
		// spec.workers was removed (or made external): its Job goes, and the finalizer with it.
		if err := r.deleteJob(ctx, b); err != nil {
			return ctrl.Result{}, err
		}
		return ctrl.Result{}, skeleton.RemoveFinalizer(ctx, r.Client, b)
	}
	before := b.DeepCopy()
	defer func() {
		wrote, err := skeleton.PatchStatus(ctx, r.Client, before, b, func(o client.Object) any { return o.(*cqlv1.Backfill).Status })
		if wrote {
			metrics.StatusWritten("Backfill")
		}
		retErr = errors.Join(retErr, err)
	}()
	b.Status.ObservedGeneration = b.Generation
	splits := splitsOf(b)
	if _, verified := summarize(&b.Status, splits); verified == splits {
		r.runners.stop(req.NamespacedName)
		r.complete(b)
		return ctrl.Result{}, r.deleteJob(ctx, b)
	}
	if b.Paused() {
		r.runners.stop(req.NamespacedName)
		if b.Status.Phase != cqlv1.BackfillPaused {
			r.event(b, corev1.EventTypeNormal, cqlv1.EventBackfillPaused, "Pause", "paused by the annotation %s; %s", cqlv1.AnnotationPaused, b.Status.Progress)
		}
		b.Status.RowsPerSecond, b.Status.EstimatedTimeLeft = 0, ""
		r.setReady(b, cqlv1.BackfillPaused, cqlv1.TargetPending, cqlv1.ReasonPaused, fmt.Sprintf(
			"paused by the annotation %s=true: nothing is copied until it is removed (%s)", cqlv1.AnnotationPaused, b.Status.Progress))
		return ctrl.Result{}, nil
	}
	if b.Status.Phase == cqlv1.BackfillPaused {
		r.event(b, corev1.EventTypeNormal, cqlv1.EventBackfillResumed, "Resume", "the annotation %s was removed; %s", cqlv1.AnnotationPaused, b.Status.Progress)
	}
	if b.Spec.Workers != nil {
		r.runners.stop(req.NamespacedName)
		return r.reconcileJob(ctx, b)
	}
	return r.reconcileInManager(ctx, b, before)
}

// reconcileInManager runs the copy in this manager and records its progress.
func (r *Reconciler) reconcileInManager(ctx context.Context, b *cqlv1.Backfill, before *cqlv1.Backfill) (ctrl.Result, error) {
	key := types.NamespacedName{Namespace: b.Namespace, Name: b.Name}
	splits := splitsOf(b)
	rn := r.runners.get(key, b.UID)
	if rn != nil && rn.generation != b.Generation {
		r.runners.stop(key) // a new rate, concurrency or page size: start again from what is recorded
		rn = nil
	}
	if rn == nil {
		c, p, err := r.Resolver.Resolve(ctx, b)
		if err != nil {
			return ctrl.Result{}, err
		}
		if p != nil {
			return r.problem(b, p), nil
		}
		if b.Status.KeyOnlyTimestamp == 0 {
			// Recorded before anything is written with it: a restart must copy with the same.
			r.started(b, c)
			r.inProgress(b, 0, 0, splits)
			return ctrl.Result{RequeueAfter: time.Millisecond}, nil
		}
		r.started(b, c)
		prog := readProgress(&b.Status, splits)
		rn = r.runners.start(r.runCtx, b, configOf(b, c, backfill.All), prog.done())
	}
	events, finished, runErr, rate, ops, elapsed := rn.drain(r.now())
	r.record(b, before, events)
	copied, verified := summarize(&b.Status, splits)
	b.Status.RowsPerSecond, b.Status.EstimatedTimeLeft = rate, eta(ops, 2*splits-copied-verified, elapsed)
	switch {
	case verified == splits:
		r.runners.stop(key)
		r.complete(b)
		return ctrl.Result{}, nil
	case finished:
		r.runners.stop(key)
		var verr *backfill.VerificationError
		if errors.As(runErr, &verr) {
			b.Status.RowsPerSecond, b.Status.EstimatedTimeLeft = 0, ""
			r.setReady(b, b.Status.Phase, cqlv1.TargetFailed, cqlv1.ReasonVerificationFailed, fmt.Sprintf(
				"%v. Rows the application deleted from the target only, or writes to the source that do not reach the target, keep it from matching; the splits are verified again in %s",
				verr, skeleton.MaxRetry))
			return ctrl.Result{RequeueAfter: skeleton.MaxRetry}, nil
		}
		p := &engine.Problem{Reason: cqlv1.ReasonUnreachable, Message: fmt.Sprintf("the copy stopped: %v; it resumes from the splits recorded", runErr)}
		if refusedByCassandra(runErr) {
			p.Reason, p.Message = cqlv1.ReasonFailed, fmt.Sprintf("Cassandra refused a statement of the copy: %v; nothing more is copied until the spec or the tables change", runErr)
		}
		if runErr == nil {
			p.Reason, p.Message = cqlv1.ReasonCopying, "the copy ended before every split was verified; it resumes"
		}
		return r.problem(b, p), nil
	}
	r.inProgress(b, copied, verified, splits)
	return ctrl.Result{}, nil
}

// started records the start of a copy: the first start sets startTime and the timestamp of rows
// with no regular cell, which stays fixed for the Backfill's life.
func (r *Reconciler) started(b *cqlv1.Backfill, c *Copy) {
	b.Status.Source = c.Mapping.SourceKeyspace + "." + c.Mapping.SourceTable
	b.Status.Target = c.Mapping.TargetKeyspace + "." + c.Mapping.TargetTable
	if len(b.Status.Targets) == 0 {
		b.Status.Targets = []cqlv1.TargetStatus{{}}
	}
	b.Status.Targets[0].Connection, b.Status.Targets[0].Keyspace = c.Connection, c.Keyspace
	what := "started"
	if b.Status.StartTime == nil {
		b.Status.StartTime = now(r.now())
	} else {
		what = "resumed"
	}
	if b.Status.KeyOnlyTimestamp == 0 {
		b.Status.KeyOnlyTimestamp = r.now().UnixMicro()
	}
	r.event(b, corev1.EventTypeNormal, cqlv1.EventBackfillStarted, "Start", "copy %s %s on %s: %d splits, %s",
		c.Mapping.Describe(), what, c.Connection, splitsOf(b), b.Status.Progress)
}

// record applies a runner's events to status, with the events a person should see.
func (r *Reconciler) record(b *cqlv1.Backfill, before *cqlv1.Backfill, evs []backfill.Event) {
	splits := splitsOf(b)
	copiedBefore, _ := summarize(before.Status.DeepCopy(), splits)
	mismatched, skipped := apply(&b.Status, splits, evs)
	if len(mismatched) > 0 {
		example := ""
		for _, e := range evs {
			if e.Kind == backfill.SplitMismatched && e.Example != "" {
				example = e.Example
			}
		}
		r.event(b, corev1.EventTypeWarning, cqlv1.EventBackfillMismatch, "Verify", "splits %v differ from the source (%s): copied again", mismatched, example)
	}
	if skipped > 0 {
		r.event(b, corev1.EventTypeWarning, cqlv1.EventRowsSkipped, "Verify", "%d source rows could not be copied (a null in a column of the new primary key); status.skipped has samples", skipped)
	}
	if copied, _ := summarize(&b.Status, splits); copied == splits && copiedBefore < splits {
		r.event(b, corev1.EventTypeNormal, cqlv1.EventBackfillCopied, "Copy", "every split is copied (%d rows written); verifying", b.Status.RowsCopied)
	}
}

// inProgress sets the phase and Ready of a copy under way.
func (r *Reconciler) inProgress(b *cqlv1.Backfill, copied, verified, splits int) {
	phase, reason, doing := cqlv1.BackfillCopying, cqlv1.ReasonCopying, "copying"
	if copied == splits {
		phase, reason, doing = cqlv1.BackfillVerifying, cqlv1.ReasonVerifying, "verifying"
	}
	msg := fmt.Sprintf("%s %s -> %s: %s", doing, b.Status.Source, b.Status.Target, b.Status.Progress)
	if b.Status.RowsPerSecond > 0 {
		msg += fmt.Sprintf("; %d rows/s", b.Status.RowsPerSecond)
	}
	if b.Status.EstimatedTimeLeft != "" {
		msg += ", about " + b.Status.EstimatedTimeLeft + " left"
	}
	if m := b.Status.Mismatched; m != "" {
		msg += "; splits " + m + " mismatched and copied again"
	}
	r.setReady(b, phase, cqlv1.TargetPending, reason, msg)
}

// complete marks a Backfill whose every split is verified.
func (r *Reconciler) complete(b *cqlv1.Backfill) {
	if b.Status.Phase != cqlv1.BackfillComplete {
		b.Status.CompletionTime = now(r.now())
		if b.Spec.Workers != nil && b.Status.RowsSkipped > 0 {
			// The manager's own copy says so as it goes; workers' copies are summed up here.
			r.event(b, corev1.EventTypeWarning, cqlv1.EventRowsSkipped, "Verify", "%d source rows could not be copied (a null in a column of the new primary key); status.skipped has samples", b.Status.RowsSkipped)
		}
		r.event(b, corev1.EventTypeNormal, cqlv1.EventBackfillVerified, "Verify", "every split of %s -> %s is copied and verified: %d rows verified, %d skipped",
			b.Status.Source, b.Status.Target, b.Status.RowsVerified, b.Status.RowsSkipped)
	}
	b.Status.RowsPerSecond, b.Status.EstimatedTimeLeft = 0, ""
	msg := fmt.Sprintf("every split of %s -> %s is copied and verified: %d source rows are in the target, equal or newer", b.Status.Source, b.Status.Target, b.Status.RowsVerified-b.Status.RowsSkipped)
	if b.Status.RowsSkipped > 0 {
		msg += fmt.Sprintf("; %d rows could not be copied (status.skipped)", b.Status.RowsSkipped)
	}
	r.setReady(b, cqlv1.BackfillComplete, cqlv1.TargetSynced, cqlv1.ReasonVerified, msg)
}

// problem records why the copy cannot run now, and when to look again.
func (r *Reconciler) problem(b *cqlv1.Backfill, p *engine.Problem) ctrl.Result {
	state, phase := cqlv1.TargetPending, cqlv1.BackfillPending
	if cqlv1.Stalls(p.Reason) {
		state, phase = cqlv1.TargetFailed, cqlv1.BackfillRefused
	}
	b.Status.RowsPerSecond, b.Status.EstimatedTimeLeft = 0, ""
	r.setReady(b, phase, state, p.Reason, p.Message)
	ready := meta.FindStatusCondition(b.Status.Conditions, cqlv1.ConditionReady)
	return ctrl.Result{RequeueAfter: skeleton.RetryAfter(ready.LastTransitionTime, r.now())}
}

// setReady sets the phase, the Ready condition, its health conditions and the one target.
func (r *Reconciler) setReady(b *cqlv1.Backfill, phase cqlv1.BackfillPhase, state cqlv1.TargetState, reason, msg string) {
	b.Status.Phase = phase
	status, synced := metav1.ConditionFalse, "0/1"
	if state == cqlv1.TargetSynced {
		status, synced = metav1.ConditionTrue, "1/1"
	}
	ready := metav1.Condition{Type: cqlv1.ConditionReady, Status: status, Reason: reason, Message: msg, ObservedGeneration: b.Generation}
	meta.SetStatusCondition(&b.Status.Conditions, ready)
	cqlv1.SetHealthConditions(&b.Status.Conditions, *meta.FindStatusCondition(b.Status.Conditions, cqlv1.ConditionReady))
	t := cqlv1.TargetStatus{State: state, Reason: reason, Message: msg}
	if len(b.Status.Targets) == 1 {
		old := b.Status.Targets[0]
		t.Connection, t.Keyspace, t.LastSyncTime = old.Connection, old.Keyspace, old.LastSyncTime
	}
	if state == cqlv1.TargetSynced && t.LastSyncTime == nil {
		t.LastSyncTime = b.Status.CompletionTime
	}
	b.Status.Targets, b.Status.TargetsSynced = []cqlv1.TargetStatus{t}, synced
}

func (r *Reconciler) event(b *cqlv1.Backfill, typ string, reason cqlv1.EventReason, action, note string, args ...any) {
	if r.Recorder != nil {
		r.Recorder.Eventf(b, nil, typ, string(reason), action, note, args...)
	}
}

// configOf is the copy of a resolved Backfill for a share of its splits.
func configOf(b *cqlv1.Backfill, c *Copy, share backfill.Share) backfill.Config {
	cons := gocql.LocalQuorum
	if b.Spec.Consistency != "" {
		cons = gocql.ParseConsistency(b.Spec.Consistency)
	}
	pageSize := int(b.Spec.PageSize)
	if pageSize == 0 {
		pageSize = 1000
	}
	return backfill.Config{Session: c.Session, Mapping: c.Mapping, Splits: splitsOf(b), Share: share,
		Concurrency: max(1, int(b.Spec.Concurrency)), PageSize: pageSize, RowsPerSecond: int(b.Spec.RowsPerSecond),
		Consistency: cons, KeyOnlyTimestamp: b.Status.KeyOnlyTimestamp}
}
