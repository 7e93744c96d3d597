package schemakind

import (
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/types"
)

// readYourWrites is how long after the reconciler wrote an object it reads that object from the
// API server instead of the informer cache.
const readYourWrites = 5 * time.Second

// recentWrites remembers which objects a reconciler wrote lately. The informer cache lags behind
// a write by a few milliseconds, and the write's own consequences (the schema change event of the
// DDL that was just run) requeue the object within that time: read from the cache, it would still
// show the status before the write, and the next reconcile would report again what it found
// (overwriting the statement that ran with "matches the spec", and writing status for nothing).
type recentWrites struct {
	mu      sync.Mutex
	now     func() time.Time
	written map[types.NamespacedName]time.Time
}

func newRecentWrites(now func() time.Time) *recentWrites {
	return &recentWrites{now: now, written: map[types.NamespacedName]time.Time{}}
}

// wrote records a write of the object.
func (w *recentWrites) wrote(key types.NamespacedName) {
	w.mu.Lock()
	defer w.mu.Unlock()
	now := w.now()
	w.written[key] = now
	if len(w.written) > 1024 { // forget the old ones now and then
		for k, at := range w.written {
			if now.Sub(at) >= readYourWrites {
				delete(w.written, k)
			}
		}
	}
}

// recent reports whether the object was written less than readYourWrites ago.
func (w *recentWrites) recent(key types.NamespacedName) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	at, ok := w.written[key]
	return ok && w.now().Sub(at) < readYourWrites
}
