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
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
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
}

// Labels of a Backfill's Job.
const (
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
		"app.kubernetes.io/name":       "cqlsync-backfill",
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
						Args: []string{"backfill", "--namespace", b.Namespace, "--name", b.Name,
							"--split", fmt.Sprintf("$(JOB_COMPLETION_INDEX)/%d", n)},
						SecurityContext: &corev1.SecurityContext{AllowPrivilegeEscalation: ptr.To(false), ReadOnlyRootFilesystem: ptr.To(true),
							Capabilities: &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}}},
					}},
				},
			},
		},
	}
}

// reconcileJob runs the copy as the Indexed Job of spec.workers: the workers record their splits
// in status; this sums them up.
func (r *Reconciler) reconcileJob(ctx context.Context, b *cqlv1.Backfill) (ctrl.Result, error) {
	splits := splitsOf(b)
	job := &batchv1.Job{}
	err := r.Client.Get(ctx, types.NamespacedName{Namespace: r.Jobs.Namespace, Name: JobName(b)}, job)
	switch {
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
		if image == "" {
			return r.problem(b, &engine.Problem{Reason: cqlv1.ReasonInvalidSpec, Message: "spec.workers.image is empty and the manager runs without --backfill-image: name the operator's image"}), nil
		}
		if b.Status.KeyOnlyTimestamp == 0 {
			// The workers read it from status: record it before they start.
			r.started(b, c)
			r.inProgress(b, 0, 0, splits)
			return ctrl.Result{RequeueAfter: time.Millisecond}, nil
		}
		if err := r.Client.Create(ctx, WorkerJob(b, r.Jobs, image)); err != nil && !apierrors.IsAlreadyExists(err) {
			return ctrl.Result{}, fmt.Errorf("creating the Job of the workers: %w", err)
		}
	case err != nil:
		return ctrl.Result{}, err
	}
	copied, verified := summarize(&b.Status, splits)
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
		r.complete(b, b)
		return ctrl.Result{}, r.deleteJob(ctx, b)
	}
	for _, c := range job.Status.Conditions {
		if c.Type == batchv1.JobFailed && c.Status == corev1.ConditionTrue {
			return r.problem(b, &engine.Problem{Reason: cqlv1.ReasonFailed, Message: fmt.Sprintf(
				"the workers' Job %s/%s failed (%s: %s); delete it to start the splits left again", r.Jobs.Namespace, JobName(b), c.Reason, c.Message)}), nil
		}
	}
	r.inProgress(b, copied, verified, splits)
	return ctrl.Result{}, nil
}

// deleteJob deletes the Job of a Backfill's workers, if any.
func (r *Reconciler) deleteJob(ctx context.Context, b *cqlv1.Backfill) error {
	if b.Spec.Workers == nil || r.Jobs.Namespace == "" {
		return nil
	}
	job := &batchv1.Job{ObjectMeta: metav1.ObjectMeta{Namespace: r.Jobs.Namespace, Name: JobName(b)}}
	err := r.Client.Delete(ctx, job, client.PropagationPolicy(metav1.DeletePropagationBackground))
	return client.IgnoreNotFound(err)
}
