package backfill

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
	"github.com/cqlsync/cqlsync/controllers/skeleton"
	"github.com/cqlsync/cqlsync/internal/engine"
)

// JobOptions are where and how the Indexed Job of a Backfill's spec.workers runs.
type JobOptions struct {
	// Image is the workers' image when spec.workers.image is empty (flag --backfill-image).
	Image string
	// Namespace is where the Jobs run: the operator's, so that they use its service account
	// (which reads connections and their Secrets) and nothing is created in the teams'
	// namespaces.
	Namespace string
	// ServiceAccount is the workers' service account (flag --backfill-service-account).
	ServiceAccount string
	// OperatorNamespace is the manager's --operator-namespace, which the workers are given: where
	// the Secrets of ClusterCassandraConnections that name no spec.secretsNamespace are.
	OperatorNamespace string
}

// Labels of a Backfill's Job.
const (
	// JobAppName is the app.kubernetes.io/name of every Backfill's Job (the manager caches only
	// those Jobs).
	JobAppName             = "cqlsync-backfill"
	LabelBackfillName      = "cqlsync.io/backfill"
	LabelBackfillNamespace = "cqlsync.io/backfill-namespace"
)

// WorkerEntrypoint is the command of the workers: the manager binary of the operator's image,
// whose first argument "backfill" runs a worker.
const WorkerEntrypoint = "/manager"

// JobName is the name of a Backfill's Job: its name, cut to fit, and a hash of its namespace and
// name (two Backfills of different namespaces share the operator's namespace).
func JobName(b *cqlv1.Backfill) string {
	sum := sha256.Sum256([]byte(b.Namespace + "/" + b.Name))
	name := b.Name
	if len(name) > 40 {
		name = strings.TrimRight(name[:40], "-.")
	}
	return "backfill-" + name + "-" + hex.EncodeToString(sum[:])[:8]
}

// WorkerJob is the Indexed Job of a Backfill's spec.workers: count pods of image, pod i running
// `/manager backfill --namespace NS --name NAME --split i/count`, i being the pod's completion
// index.
func WorkerJob(b *cqlv1.Backfill, o JobOptions, image string) *batchv1.Job {
	n := b.Spec.Workers.Count
	labels := map[string]string{
		"app.kubernetes.io/name":       JobAppName,
		"app.kubernetes.io/managed-by": "cqlsync",
		LabelBackfillName:              b.Name,
		LabelBackfillNamespace:         b.Namespace,
	}
	return &batchv1.Job{
		ObjectMeta: metav1.ObjectMeta{Name: JobName(b), Namespace: o.Namespace, Labels: labels,
			Annotations: map[string]string{"cqlsync.io/backfill-uid": string(b.UID)}},
		Spec: batchv1.JobSpec{
			CompletionMode:       ptr.To(batchv1.IndexedCompletion),
			Completions:          ptr.To(n),
			Parallelism:          ptr.To(n),
			BackoffLimitPerIndex: ptr.To(int32(6)),
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec: corev1.PodSpec{
					RestartPolicy:      corev1.RestartPolicyNever,
					ServiceAccountName: o.ServiceAccount,
					SecurityContext:    &corev1.PodSecurityContext{RunAsNonRoot: ptr.To(true), SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault}},
					Containers: []corev1.Container{{
						Name:    "worker",
						Image:   image,
						Command: []string{WorkerEntrypoint},
						Args:    workerArgs(b, o),
						SecurityContext: &corev1.SecurityContext{AllowPrivilegeEscalation: ptr.To(false), ReadOnlyRootFilesystem: ptr.To(true),
							Capabilities: &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}}},
					}},
				},
			},
		},
	}
}

// workerArgs are the arguments of worker i of a Backfill's Job (i is the pod's completion index).
func workerArgs(b *cqlv1.Backfill, o JobOptions) []string {
	args := []string{"backfill", "--namespace", b.Namespace, "--name", b.Name,
		"--split", fmt.Sprintf("$(JOB_COMPLETION_INDEX)/%d", b.Spec.Workers.Count)}
	if o.OperatorNamespace != "" {
		args = append(args, "--operator-namespace", o.OperatorNamespace)
	}
	return args
}

// reconcileJob runs the copy as the Indexed Job of spec.workers: the workers record their splits
// in status; this sums them up.
func (r *Reconciler) reconcileJob(ctx context.Context, b *cqlv1.Backfill) (ctrl.Result, error) {
	splits := splitsOf(b)
	job := &batchv1.Job{}
	err := r.Client.Get(ctx, types.NamespacedName{Namespace: r.Jobs.Namespace, Name: JobName(b)}, job)
	switch {
	case apierrors.IsNotFound(err) && b.Spec.Workers.External && b.Status.KeyOnlyTimestamp != 0:
		// External workers, started: no Job to create, nothing to resolve again.
	case apierrors.IsNotFound(err):
		c, p, err := r.Resolver.Resolve(ctx, b)
		if err != nil {
			return ctrl.Result{}, err
		}
		if p != nil {
			return r.problem(b, p), nil
		}
		image := b.Spec.Workers.Image
		if image == "" {
			image = r.Jobs.Image
		}
		if image == "" && !b.Spec.Workers.External {
			return r.problem(b, &engine.Problem{Reason: cqlv1.ReasonInvalidSpec, Message: "spec.workers.image is empty and the manager runs without --backfill-image: name the operator's image"}), nil
		}
		if b.Status.KeyOnlyTimestamp == 0 {
			// The workers read it from status: record it before they start.
			r.started(b, c)
			r.inProgress(b, 0, 0, splits)
			return ctrl.Result{RequeueAfter: time.Millisecond}, nil
		}
		if !b.Spec.Workers.External {
			if err := r.Client.Create(ctx, WorkerJob(b, r.Jobs, image)); err != nil && !apierrors.IsAlreadyExists(err) {
				return ctrl.Result{}, fmt.Errorf("creating the Job of the workers: %w", err)
			}
		}
	case err != nil:
		return ctrl.Result{}, err
	}
	copiedBefore := b.Status.Phase == cqlv1.BackfillVerifying
	copied, verified := summarize(&b.Status, splits)
	if copied == splits && !copiedBefore && verified < splits {
		r.event(b, corev1.EventTypeNormal, cqlv1.EventBackfillCopied, "Copy", "every split is copied by the workers (%d rows written); verifying", b.Status.RowsCopied)
	}
	var rate int64
	var left time.Duration
	for _, w := range b.Status.Workers {
		rate += w.RowsPerSecond
		if d, err := time.ParseDuration(w.EstimatedTimeLeft); err == nil && d > left {
			left = d
		}
	}
	b.Status.RowsPerSecond, b.Status.EstimatedTimeLeft = rate, ""
	if left > 0 {
		b.Status.EstimatedTimeLeft = left.String()
	}
	if verified == splits {
		r.complete(b)
		return ctrl.Result{}, r.deleteJob(ctx, b)
	}
	for _, c := range job.Status.Conditions {
		if c.Type == batchv1.JobFailed && c.Status == corev1.ConditionTrue {
			p := &engine.Problem{Reason: cqlv1.ReasonFailed, Message: fmt.Sprintf(
				"the workers' Job %s/%s failed (%s: %s); delete it to start the splits left again", r.Jobs.Namespace, JobName(b), c.Reason, c.Message)}
			if b.Status.Mismatched != "" {
				p.Reason, p.Message = cqlv1.ReasonVerificationFailed, fmt.Sprintf(
					"splits %s still differ from the source after being copied again, and the workers' Job %s/%s failed; rows the application deleted from the target only, or writes to the source that do not reach the target, keep it from matching; delete the Job to verify again",
					b.Status.Mismatched, r.Jobs.Namespace, JobName(b))
			}
			return r.problem(b, p), nil
		}
	}
	if m := b.Status.Mismatched; m != "" {
		// The workers' mismatches reach status, not the manager: warn once per set of splits (the
		// Ready message names the set warned about).
		if ready := meta.FindStatusCondition(b.Status.Conditions, cqlv1.ConditionReady); ready == nil || !strings.Contains(ready.Message, "splits "+m+" mismatched") {
			r.event(b, corev1.EventTypeWarning, cqlv1.EventBackfillMismatch, "Verify", "splits %s differ from the source: the workers copy them again", m)
		}
	}
	r.inProgress(b, copied, verified, splits)
	return ctrl.Result{}, nil
}

// deleteJob deletes the Job of a Backfill's workers, if any.
func (r *Reconciler) deleteJob(ctx context.Context, b *cqlv1.Backfill) error {
	if (b.Spec.Workers == nil && !skeleton.HasFinalizer(b)) || r.Jobs.Namespace == "" {
		return nil // it never had one
	}
	job := &batchv1.Job{ObjectMeta: metav1.ObjectMeta{Namespace: r.Jobs.Namespace, Name: JobName(b)}}
	err := r.Client.Delete(ctx, job, client.PropagationPolicy(metav1.DeletePropagationBackground))
	return client.IgnoreNotFound(err)
}
