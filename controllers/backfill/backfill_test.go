package backfill

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/client-go/tools/events"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
	"github.com/cqlsync/cqlsync/internal/backfill"
)

// TestApplyRecordsSplits: copied, verified and mismatched splits land in the status sets; rows
// are counted once per verified split; skipped rows are counted and sampled; a split verified
// again (a restart lost the record of it) is not counted twice.
func TestApplyRecordsSplits(t *testing.T) {
	st := &cqlv1.BackfillStatus{}
	mism, skipped := apply(st, 8, []backfill.Event{
		{Kind: backfill.SplitCopied, Split: 0, Rows: 10},
		{Kind: backfill.SplitCopied, Split: 1, Rows: 5},
		{Kind: backfill.SplitCopied, Split: 2, Rows: 7},
		{Kind: backfill.SplitMismatched, Split: 1, Rows: 5, Mismatches: 1},
		{Kind: backfill.SplitVerified, Split: 0, Rows: 10, Skipped: 2, Samples: []string{`"id"=1: null`}},
	})
	if st.Copied != "0-2" || st.Verified != "0" || st.Mismatched != "1" || st.RowsCopied != 22 || st.RowsVerified != 10 ||
		st.RowsSkipped != 2 || len(st.Skipped) != 1 || st.Skipped[0].Split != 0 || len(mism) != 1 || mism[0] != 1 || skipped != 2 {
		t.Fatalf("status %+v, mismatched %v, skipped %d", st, mism, skipped)
	}
	mism, skipped = apply(st, 8, []backfill.Event{
		{Kind: backfill.SplitCopied, Split: 1, Rows: 5},
		{Kind: backfill.SplitMismatched, Split: 1, Rows: 5},            // still: no second warning
		{Kind: backfill.SplitVerified, Split: 0, Rows: 10, Skipped: 2}, // again, after a restart
	})
	if st.Verified != "0" || st.Mismatched != "1" || st.RowsVerified != 10 || st.RowsSkipped != 2 || st.RowsCopied != 27 || len(mism) != 0 || skipped != 0 {
		t.Fatalf("after the second batch: status %+v, mismatched %v, skipped %d", st, mism, skipped)
	}
	apply(st, 8, []backfill.Event{{Kind: backfill.SplitVerified, Split: 1, Rows: 5}})
	if st.Verified != "0-1" || st.Mismatched != "" || st.RowsVerified != 15 {
		t.Fatalf("after the third batch: status %+v", st)
	}
	if c, v := summarize(st, 8); c != 3 || v != 2 || st.Progress != "copied 3/8, verified 2/8" || st.Splits != 8 {
		t.Errorf("summarize: %d %d %+v", c, v, st)
	}
}

// TestMergeUnionsWorkers: what another worker recorded is added, never lost; a verified split is
// no longer mismatched.
func TestMergeUnionsWorkers(t *testing.T) {
	st := &cqlv1.BackfillStatus{Copied: "0-3", Verified: "0", Mismatched: "2"}
	merge(st, 16, &cqlv1.BackfillStatus{Copied: "4-5,9", Verified: "2,9", Mismatched: "5"})
	if st.Copied != "0-5,9" || st.Verified != "0,2,9" || st.Mismatched != "5" {
		t.Errorf("merged %+v", st)
	}
	// A set edited by hand into something unreadable counts as empty: its splits are done again.
	if p := readProgress(&cqlv1.BackfillStatus{Copied: "zz"}, 4); p.copied.Len() != 0 {
		t.Errorf("an unreadable set read as %v", p.copied.Sorted())
	}
}

func TestETA(t *testing.T) {
	for _, c := range []struct {
		ops, left int
		elapsed   time.Duration
		want      string
	}{
		{0, 10, time.Second, ""},
		{10, 0, time.Second, "0s"},
		{10, 30, 10 * time.Second, "30s"},
		{4, 2, 3 * time.Second, "2s"},
	} {
		if got := eta(c.ops, c.left, c.elapsed); got != c.want {
			t.Errorf("eta(%d, %d, %s) = %q, want %q", c.ops, c.left, c.elapsed, got, c.want)
		}
	}
}

// TestPickTarget: the target TableModel's one Synced target, or the one named; anything else
// says which field to set.
func TestPickTarget(t *testing.T) {
	tm := &cqlv1.TableModel{ObjectMeta: metav1.ObjectMeta{Name: "orders"}}
	if _, p := pickTarget(tm, cqlv1.BackfillTarget{}); p == nil || p.Reason != cqlv1.ReasonTargetNotReady {
		t.Errorf("not reconciled: %+v", p)
	}
	tm.Status.Targets = []cqlv1.TargetStatus{
		{Connection: "c1", Keyspace: "a", State: cqlv1.TargetSynced},
		{Connection: "ClusterCassandraConnection/shared", Keyspace: "a", State: cqlv1.TargetPending, Reason: cqlv1.ReasonUnreachable},
	}
	if _, p := pickTarget(tm, cqlv1.BackfillTarget{}); p == nil || p.Reason != cqlv1.ReasonInvalidSpec || !strings.Contains(p.Message, "spec.target.connection") {
		t.Errorf("two targets: %+v", p)
	}
	ref := cqlv1.Namespaced("c1")
	if ts, p := pickTarget(tm, cqlv1.BackfillTarget{Connection: &ref}); p != nil || ts.Connection != "c1" {
		t.Errorf("named c1: %+v %+v", ts, p)
	}
	shared := cqlv1.ClusterScoped("shared")
	if _, p := pickTarget(tm, cqlv1.BackfillTarget{Connection: &shared, Keyspace: "a"}); p == nil || p.Reason != cqlv1.ReasonTargetNotReady {
		t.Errorf("a target not Synced: %+v", p)
	}
	if _, p := pickTarget(tm, cqlv1.BackfillTarget{Connection: &ref, Keyspace: "b"}); p == nil || p.Reason != cqlv1.ReasonInvalidSpec || !strings.Contains(p.Message, "c1/a") {
		t.Errorf("no such keyspace: %+v", p)
	}
}

// TestWorkerJob: the Job is Indexed, one pod per share, each running the manager's worker on its
// completion index; its name is a valid DNS label however long the Backfill's name.
func TestWorkerJob(t *testing.T) {
	b := &cqlv1.Backfill{ObjectMeta: metav1.ObjectMeta{Namespace: "team-a", Name: strings.Repeat("x", 250), UID: "u1"},
		Spec: cqlv1.BackfillSpec{Workers: &cqlv1.BackfillWorkers{Count: 4}}}
	j := WorkerJob(b, JobOptions{Namespace: "cqlsync-system", ServiceAccount: "sa"}, "img:1")
	c := j.Spec.Template.Spec.Containers[0]
	if errs := validation.IsDNS1123Label(j.Name); len(errs) > 0 {
		t.Errorf("job name %q: %v", j.Name, errs)
	}
	if j.Namespace != "cqlsync-system" || *j.Spec.CompletionMode != batchv1.IndexedCompletion || *j.Spec.Completions != 4 ||
		*j.Spec.Parallelism != 4 || c.Image != "img:1" || c.Command[0] != WorkerEntrypoint ||
		strings.Join(c.Args, " ") != "backfill --namespace team-a --name "+b.Name+" --split $(JOB_COMPLETION_INDEX)/4" ||
		j.Spec.Template.Spec.ServiceAccountName != "sa" || j.Labels[LabelBackfillNamespace] != "team-a" {
		t.Errorf("job %+v", j)
	}
	other := b.DeepCopy()
	other.Namespace = "team-b"
	if JobName(other) == JobName(b) {
		t.Error("two Backfills of one name in two namespaces share a Job name")
	}
}

// TestCommandFlags: bad flags exit 2 with the usage; the share may come from the pod's
// completion index.
func TestCommandFlags(t *testing.T) {
	for _, args := range [][]string{{}, {"--split", "3/3", "x"}, {"--split", "a", "x"}} {
		var out, errOut bytes.Buffer
		if code := Command(context.Background(), args, &out, &errOut); code != 2 || !strings.Contains(errOut.String(), "Usage: cqlsync backfill") {
			t.Errorf("Command(%v) = %d, stderr %q", args, code, errOut.String())
		}
	}
	t.Setenv("JOB_COMPLETION_INDEX", "7")
	var out, errOut bytes.Buffer
	// A valid share from the index, and then no kubeconfig to read: exit 1, not 2.
	t.Setenv("KUBECONFIG", "/nonexistent")
	t.Setenv("KUBERNETES_SERVICE_HOST", "")
	if code := Command(context.Background(), []string{"--split", "$(JOB_COMPLETION_INDEX)/8", "x"}, &out, &errOut); code != 1 {
		t.Errorf("Command with the index from the environment = %d, stderr %q", code, errOut.String())
	}
}

// TestJobMismatchWarnsOnce: with workers, mismatched splits reach status only; the manager warns
// once per set of splits, not at every reconcile.
func TestJobMismatchWarnsOnce(t *testing.T) {
	s := runtime.NewScheme()
	if err := cqlv1.AddToScheme(s); err != nil {
		t.Fatal(err)
	}
	if err := batchv1.AddToScheme(s); err != nil {
		t.Fatal(err)
	}
	b := &cqlv1.Backfill{ObjectMeta: metav1.ObjectMeta{Namespace: "a", Name: "orders"},
		Spec:   cqlv1.BackfillSpec{Splits: 4, Workers: &cqlv1.BackfillWorkers{Count: 2}},
		Status: cqlv1.BackfillStatus{Copied: "0-3", Verified: "0", Mismatched: "3", KeyOnlyTimestamp: 1}}
	opts := JobOptions{Namespace: "ops"}
	job := WorkerJob(b, opts, "img")
	c := fake.NewClientBuilder().WithScheme(s).WithObjects(b, job).Build()
	rec := events.NewFakeRecorder(10)
	r := &Reconciler{Client: c, Recorder: rec, Jobs: opts, now: time.Now}
	for range 3 {
		if _, err := r.reconcileJob(context.Background(), b); err != nil {
			t.Fatal(err)
		}
	}
	mismatches := 0
	for len(rec.Events) > 0 {
		if e := <-rec.Events; strings.Contains(e, string(cqlv1.EventBackfillMismatch)) {
			mismatches++
			if !strings.Contains(e, "splits 3 differ") {
				t.Errorf("event %q", e)
			}
		}
	}
	if mismatches != 1 {
		t.Fatalf("%d BackfillMismatch events after 3 reconciles, want 1", mismatches)
	}
	b.Status.Mismatched = "2-3"
	if _, err := r.reconcileJob(context.Background(), b); err != nil || len(rec.Events) != 1 {
		t.Errorf("a new set of mismatched splits: %d events, %v", len(rec.Events), err)
	}
}
