package backfill

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	gocql "github.com/apache/cassandra-gocql-driver/v2"
	"github.com/go-logr/logr"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/util/retry"
	"sigs.k8s.io/controller-runtime/pkg/client"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
	"github.com/cqlsync/cqlsync/controllers/connection"
	"github.com/cqlsync/cqlsync/internal/backfill"
	"github.com/cqlsync/cqlsync/internal/cql/introspect"
	"github.com/cqlsync/cqlsync/internal/cql/registry"
)

// Worker copies and verifies one share of a Backfill's splits in its own process (a pod of the
// Indexed Job of spec.workers, or `cqlsync backfill --split i/n`), and records them in the
// Backfill's status, merged with what the other workers record.
type Worker struct {
	Client client.Client
	// Namespace and Name of the Backfill.
	Namespace, Name string
	Share           backfill.Share
	// OperatorNamespace holds the Secrets of ClusterCassandraConnections that name no
	// spec.secretsNamespace.
	OperatorNamespace string
	Log               logr.Logger
	// Poll is how often a paused or waiting worker looks again (default 2s).
	Poll time.Duration
}

// Run copies and verifies the share; it returns nil once every split of the share is verified
// (at once when the Backfill is already complete), an error when the Backfill cannot run.
func (w *Worker) Run(ctx context.Context) error {
	if w.Poll == 0 {
		w.Poll = 2 * time.Second
	}
	reg := registry.New(w.Log.WithName("registry"))
	defer reg.Close()
	res := &Resolver{Client: w.Client, Session: w.session(reg),
		Keyspace: func(ctx context.Context, _ registry.Key, s *gocql.Session, ks string) (*introspect.KeyspaceSchema, error) {
			k, _, err := introspect.ReadKeyspaceSchema(ctx, s, ks)
			return k, err
		}}
	key := types.NamespacedName{Namespace: w.Namespace, Name: w.Name}
	for {
		b := &cqlv1.Backfill{}
		if err := w.Client.Get(ctx, key, b); err != nil {
			return fmt.Errorf("reading Backfill %s: %w", key, err)
		}
		splits := splitsOf(b)
		prog := readProgress(&b.Status, splits)
		if w.shareDone(prog, splits) {
			w.Log.Info("every split of the share is verified", "backfill", key, "share", w.Share.String())
			return nil
		}
		if b.Paused() {
			if err := sleep(ctx, w.Poll); err != nil {
				return err
			}
			continue
		}
		c, p, err := res.Resolve(ctx, b)
		if err != nil {
			return err
		}
		if p != nil {
			if cqlv1.Stalls(p.Reason) {
				return fmt.Errorf("%s: %s", p.Reason, p.Message)
			}
			w.Log.Info("waiting", "backfill", key, "reason", p.Reason, "message", p.Message)
			if err := sleep(ctx, w.Poll); err != nil {
				return err
			}
			continue
		}
		if b.Status.KeyOnlyTimestamp == 0 {
			if err := w.recordStart(ctx, key, c); err != nil {
				return err
			}
			continue
		}
		err = w.copy(ctx, b, c, prog)
		if errors.Is(err, errPaused) {
			w.Log.Info("paused by the annotation; waiting", "backfill", key, "annotation", cqlv1.AnnotationPaused)
			continue // the loop waits while it is paused, then resumes from what was recorded
		}
		return err
	}
}

func (w *Worker) shareDone(p progress, splits int) bool {
	for s := range splits {
		if w.Share.Owns(s) && !p.verified.Has(s) {
			return false
		}
	}
	return true
}

// recordStart fixes the timestamp of rows with no regular cell, when no manager did: the first
// worker to write it wins, the others read it.
func (w *Worker) recordStart(ctx context.Context, key types.NamespacedName, c *Copy) error {
	return retry.RetryOnConflict(retry.DefaultRetry, func() error {
		b := &cqlv1.Backfill{}
		if err := w.Client.Get(ctx, key, b); err != nil {
			return err
		}
		if b.Status.KeyOnlyTimestamp != 0 {
			return nil
		}
		b.Status.KeyOnlyTimestamp = time.Now().UnixMicro()
		b.Status.StartTime = now(time.Now())
		b.Status.Source = c.Mapping.SourceKeyspace + "." + c.Mapping.SourceTable
		b.Status.Target = c.Mapping.TargetKeyspace + "." + c.Mapping.TargetTable
		if len(b.Status.Targets) == 0 {
			b.Status.Targets = []cqlv1.TargetStatus{{State: cqlv1.TargetPending, Reason: cqlv1.ReasonCopying}}
		}
		b.Status.Targets[0].Connection, b.Status.Targets[0].Keyspace = c.Connection, c.Keyspace
		return w.Client.Status().Update(ctx, b)
	})
}

// copy runs the share and records its events every reportInterval, and at the end.
func (w *Worker) copy(ctx context.Context, b *cqlv1.Backfill, c *Copy, prog progress) error {
	key := types.NamespacedName{Namespace: w.Namespace, Name: w.Name}
	splits := splitsOf(b)
	cfg := configOf(b, c, w.Share)
	var mu sync.Mutex
	var pending []backfill.Event
	var rows, ops int64
	started := time.Now()
	owned := 0
	for s := range splits {
		if w.Share.Owns(s) {
			owned++
		}
	}
	lastRows, lastFlush := int64(0), started
	flush := func() error {
		mu.Lock()
		evs := slices.Clone(pending)
		total, done := rows, ops
		mu.Unlock()
		if len(evs) == 0 {
			return nil
		}
		t := time.Now()
		err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
			fresh := &cqlv1.Backfill{}
			if err := w.Client.Get(ctx, key, fresh); err != nil {
				return err
			}
			apply(&fresh.Status, splits, evs)
			summarize(&fresh.Status, splits)
			p := readProgress(&fresh.Status, splits)
			ws := cqlv1.BackfillWorkerStatus{Index: int32(w.Share.Index), Of: int32(w.Share.Of), Splits: int32(owned),
				RowsCopied: total, LastReport: now(t)}
			for s := range splits {
				if w.Share.Owns(s) {
					if p.copied.Has(s) {
						ws.SplitsCopied++
					}
					if p.verified.Has(s) {
						ws.SplitsVerified++
					}
				}
			}
			if d := t.Sub(lastFlush).Seconds(); d > 0 {
				ws.RowsPerSecond = int64(float64(total-lastRows) / d)
			}
			ws.EstimatedTimeLeft = eta(int(done), 2*owned-int(ws.SplitsCopied)-int(ws.SplitsVerified), t.Sub(started))
			i := slices.IndexFunc(fresh.Status.Workers, func(x cqlv1.BackfillWorkerStatus) bool { return x.Index == ws.Index })
			if i < 0 {
				fresh.Status.Workers = append(fresh.Status.Workers, ws)
				slices.SortFunc(fresh.Status.Workers, func(a, b cqlv1.BackfillWorkerStatus) int { return int(a.Index - b.Index) })
			} else {
				fresh.Status.Workers[i] = ws
			}
			return w.Client.Status().Update(ctx, fresh)
		})
		if err != nil {
			return err
		}
		mu.Lock()
		pending = pending[len(evs):]
		mu.Unlock()
		lastRows, lastFlush = total, t
		return nil
	}
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	paused := false
	result := make(chan error, 1)
	go func() {
		result <- backfill.Run(runCtx, cfg, prog.done(), func(e backfill.Event) {
			mu.Lock()
			pending = append(pending, e)
			rows += e.Rows
			ops++
			mu.Unlock()
		})
	}()
	w.Log.Info("worker started", "backfill", key, "share", w.Share.String(), "copy", c.Mapping.Describe(), "splits", owned)
	tick := time.NewTicker(reportInterval)
	defer tick.Stop()
	for {
		select {
		case err := <-result:
			// The last report must reach the API server: retry it as long as ctx lets.
			for {
				ferr := flush()
				if ferr == nil || ctx.Err() != nil || apierrors.IsNotFound(ferr) {
					if err == nil {
						err = ferr
					}
					break
				}
				w.Log.Info("recording progress failed, retrying", "error", ferr.Error())
				if sleep(ctx, time.Second) != nil {
					break
				}
			}
			if paused && ctx.Err() == nil {
				return errPaused
			}
			return err
		case <-tick.C:
			if err := flush(); err != nil {
				w.Log.Info("recording progress failed; will retry", "error", err.Error())
			}
			fresh := &cqlv1.Backfill{}
			switch err := w.Client.Get(ctx, key, fresh); {
			case apierrors.IsNotFound(err):
				cancel() // the Backfill was deleted: stop copying
			case err == nil && fresh.Paused():
				paused = true
				cancel()
			}
		}
	}
}

// session opens a connection's session with the worker's own registry: the connection's spec
// and its Secrets, read as the manager reads them.
func (w *Worker) session(reg *registry.Registry) func(ctx context.Context, key registry.Key) (*gocql.Session, error) {
	return func(ctx context.Context, key registry.Key) (*gocql.Session, error) {
		var spec *cqlv1.CassandraConnectionSpec
		secrets := key.Namespace
		if key.Namespace == "" {
			cc := &cqlv1.ClusterCassandraConnection{}
			if err := w.Client.Get(ctx, types.NamespacedName{Name: key.Name}, cc); err != nil {
				return nil, err
			}
			spec, secrets = &cc.Spec.CassandraConnectionSpec, cc.SecretsNamespaceOr(w.OperatorNamespace)
		} else {
			cc := &cqlv1.CassandraConnection{}
			if err := w.Client.Get(ctx, types.NamespacedName{Namespace: key.Namespace, Name: key.Name}, cc); err != nil {
				return nil, err
			}
			spec = &cc.Spec
		}
		cfg, err := connection.Config(ctx, w.Client, spec, secrets)
		if err != nil {
			return nil, err
		}
		s, err := reg.Register(ctx, key, cfg, registry.Options{})
		if err != nil {
			return nil, err
		}
		if s.Driver() == nil {
			return nil, fmt.Errorf("connection %s has no driver session", key)
		}
		return s.Driver(), nil
	}
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
