package backfill

import (
	"context"
	"sync"
	"time"

	"github.com/go-logr/logr"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/event"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
	"github.com/cqlsync/cqlsync/internal/backfill"
)

// reportInterval is how often a running copy asks for its progress to be recorded: status is
// written at most this often per Backfill, and a restart redoes at most the splits finished in
// the last interval, besides those in flight.
const reportInterval = time.Second

// run is a copy running in the manager.
type run struct {
	uid        types.UID
	generation int64
	cancel     context.CancelFunc
	started    time.Time

	mu       sync.Mutex
	events   []backfill.Event
	finished bool
	err      error
	// since the run started: rows scanned and split operations done (for the rate and the ETA).
	rows int64
	ops  int
	// at the last drain, for the rate of the interval.
	lastDrain time.Time
	lastRows  int64
}

// drain takes the events reported since the last drain, and says whether the run finished (and
// how), the rows per second since the last drain, and the operations done since it started.
func (r *run) drain(now time.Time) (events []backfill.Event, finished bool, err error, rate int64, ops int, elapsed time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	events, r.events = r.events, nil
	if d := now.Sub(r.lastDrain); d > 0 {
		rate = int64(float64(r.rows-r.lastRows) / d.Seconds())
	}
	r.lastDrain, r.lastRows = now, r.rows
	return events, r.finished, r.err, rate, r.ops, now.Sub(r.started)
}

// runners are the copies running in this manager, by Backfill.
type runners struct {
	mu sync.Mutex
	m  map[types.NamespacedName]*run
	// notify asks for a reconcile of a Backfill whose copy has progress to record.
	notify chan event.GenericEvent
	log    logr.Logger
}

func newRunners(log logr.Logger) *runners {
	return &runners{m: map[types.NamespacedName]*run{}, notify: make(chan event.GenericEvent, 256), log: log}
}

// get is the run of a Backfill, nil when none runs for this object (a Backfill deleted and
// created again under the same name is another object).
func (rs *runners) get(key types.NamespacedName, uid types.UID) *run {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	r := rs.m[key]
	if r != nil && r.uid != uid {
		r.cancel()
		delete(rs.m, key)
		return nil
	}
	return r
}

// stop cancels the run of a Backfill, if any, and forgets it.
func (rs *runners) stop(key types.NamespacedName) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	if r := rs.m[key]; r != nil {
		r.cancel()
		delete(rs.m, key)
	}
}

// start runs a copy of b in the background.
func (rs *runners) start(ctx context.Context, b *cqlv1.Backfill, cfg backfill.Config, done backfill.Done) *run {
	key := types.NamespacedName{Namespace: b.Namespace, Name: b.Name}
	rs.stop(key)
	ctx, cancel := context.WithCancel(ctx)
	now := time.Now()
	r := &run{uid: b.UID, generation: b.Generation, cancel: cancel, started: now, lastDrain: now}
	rs.mu.Lock()
	rs.m[key] = r
	rs.mu.Unlock()

	obj := &cqlv1.Backfill{}
	obj.Namespace, obj.Name = b.Namespace, b.Name
	poke := func() {
		select {
		case rs.notify <- event.GenericEvent{Object: obj}:
		default: // a reconcile is already queued
		}
	}
	dirty := make(chan struct{}, 1)
	go func() {
		defer cancel()
		tick := time.NewTicker(reportInterval)
		defer tick.Stop()
		finished := make(chan struct{})
		go func() {
			defer close(finished)
			err := backfill.Run(ctx, cfg, done, func(e backfill.Event) {
				r.mu.Lock()
				r.events = append(r.events, e)
				r.rows += e.Rows
				r.ops++
				r.mu.Unlock()
				select {
				case dirty <- struct{}{}:
				default:
				}
			})
			r.mu.Lock()
			r.finished, r.err = true, err
			r.mu.Unlock()
		}()
		for {
			select {
			case <-finished:
				poke()
				return
			case <-tick.C:
				select {
				case <-dirty:
					poke()
				default:
				}
			}
		}
	}()
	rs.log.Info("backfill started", "backfill", key, "copy", cfg.Mapping.Describe(), "splits", cfg.Splits,
		"copied", done.Copied.Len(), "verified", done.Verified.Len())
	return r
}
