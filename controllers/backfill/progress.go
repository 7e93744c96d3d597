package backfill

import (
	"fmt"
	"slices"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
	"github.com/cqlsync/cqlsync/internal/backfill"
	"github.com/cqlsync/cqlsync/internal/metrics"
)

// maxSkipped is how many splits with skipped rows status lists (the count stays exact).
const maxSkipped = 64

// progress is the splits status records, read back.
type progress struct {
	copied, verified, mismatched backfill.Set
}

// readProgress reads the split sets of status; a set that cannot be read (edited by hand) counts
// as empty: its splits are done again, which changes nothing in the target.
func readProgress(st *cqlv1.BackfillStatus, splits int) progress {
	var p progress
	p.copied, _ = backfill.ParseSet(st.Copied, splits)
	p.verified, _ = backfill.ParseSet(st.Verified, splits)
	p.mismatched, _ = backfill.ParseSet(st.Mismatched, splits)
	return p
}

func (p progress) write(st *cqlv1.BackfillStatus) {
	st.Copied, st.Verified, st.Mismatched = p.copied.String(), p.verified.String(), p.mismatched.String()
}

// done is what a runner does not do again.
func (p progress) done() backfill.Done {
	return backfill.Done{Copied: p.copied.Clone(), Verified: p.verified.Clone()}
}

// apply records a runner's events in status: splits copied, verified or mismatched, and the rows.
// It returns what changed that deserves an event: splits newly mismatched, rows newly skipped.
func apply(st *cqlv1.BackfillStatus, splits int, events []backfill.Event) (mismatched []int, skipped int64) {
	p := readProgress(st, splits)
	for _, e := range events {
		switch e.Kind {
		case backfill.SplitCopied:
			p.copied.Add(e.Split)
			st.RowsCopied += e.Rows
			metrics.BackfillSplit("copied", e.Rows)
		case backfill.SplitVerified:
			if !p.verified.Has(e.Split) {
				st.RowsVerified += e.Rows
				if e.Skipped > 0 {
					skipped += e.Skipped
					st.RowsSkipped += e.Skipped
					if len(st.Skipped) < maxSkipped {
						st.Skipped = append(st.Skipped, cqlv1.BackfillSkipped{Split: int32(e.Split), Rows: e.Skipped, Samples: e.Samples})
						slices.SortFunc(st.Skipped, func(a, b cqlv1.BackfillSkipped) int { return int(a.Split - b.Split) })
					}
					metrics.BackfillSkipped(e.Skipped)
				}
			}
			p.copied.Add(e.Split)
			p.verified.Add(e.Split)
			p.mismatched.Remove(e.Split)
			metrics.BackfillSplit("verified", e.Rows)
		case backfill.SplitMismatched:
			if !p.mismatched.Has(e.Split) {
				mismatched = append(mismatched, e.Split)
			}
			p.mismatched.Add(e.Split)
			p.verified.Remove(e.Split)
			metrics.BackfillSplit("mismatched", e.Rows)
		}
	}
	p.write(st)
	return mismatched, skipped
}

// merge adds what a worker recorded (another writer's status, read again) into st: the union of
// the split sets, and the larger counters.
func merge(st *cqlv1.BackfillStatus, splits int, from *cqlv1.BackfillStatus) {
	p, q := readProgress(st, splits), readProgress(from, splits)
	p.copied.Union(q.copied)
	p.verified.Union(q.verified)
	p.mismatched.Union(q.mismatched)
	for _, v := range p.verified.Sorted() {
		p.mismatched.Remove(v)
	}
	p.write(st)
}

// summarize sets the fields derived from the split sets: splits, progress and phase while copying
// or verifying.
func summarize(st *cqlv1.BackfillStatus, splits int) (copied, verified int) {
	p := readProgress(st, splits)
	st.Splits = int32(splits)
	copied, verified = p.copied.Len(), p.verified.Len()
	st.Progress = fmt.Sprintf("copied %d/%d, verified %d/%d", copied, splits, verified, splits)
	return copied, verified
}

// eta is the time the ops left (a copy or a verification of a split each) should take, at the
// pace of the ops done over elapsed; "" before any.
func eta(ops, left int, elapsed time.Duration) string {
	switch {
	case left <= 0:
		return "0s"
	case ops == 0 || elapsed <= 0:
		return ""
	}
	return time.Duration(float64(elapsed) / float64(ops) * float64(left)).Round(time.Second).String()
}

// now is a metav1.Time of t, at the second (as the API server stores it).
func now(t time.Time) *metav1.Time {
	n := metav1.NewTime(t.Truncate(time.Second))
	return &n
}
