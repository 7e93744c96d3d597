package backfill

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	gocql "github.com/apache/cassandra-gocql-driver/v2"
	"golang.org/x/time/rate"

	"github.com/cqlsync/cqlsync/internal/cql/render"
)

// Config is what a Runner copies, and how.
type Config struct {
	Session *gocql.Session
	Mapping *Mapping
	// Splits is the number of splits of the ring; Share the ones this runner owns.
	Splits int
	Share  Share
	// Concurrency is the number of splits in flight; Writers the writes in flight per split.
	Concurrency, Writers int
	PageSize             int
	// RowsPerSecond caps the source rows read per second (0: no cap).
	RowsPerSecond int
	Consistency   gocql.Consistency
	// KeyOnlyTimestamp is the writetime of rows with no regular cell.
	KeyOnlyTimestamp int64
	// MaxAttempts is how many times a split that keeps mismatching is copied again before the
	// runner gives up on it (default 5).
	MaxAttempts int
}

// EventKind is what happened to a split.
type EventKind int

// What a Runner reports about a split.
const (
	// SplitCopied: every row of the split was written into the target.
	SplitCopied EventKind = iota
	// SplitVerified: every row of the split is in the target, equal or newer.
	SplitVerified
	// SplitMismatched: the verification found rows missing or older; the split is copied again.
	SplitMismatched
)

// Event is a report about one split.
type Event struct {
	Kind  EventKind
	Split int
	// Rows is the number of source rows scanned.
	Rows int64
	// Skipped is the number of rows that could not be copied (null new key), Samples up to three
	// of their source keys (CQL literals); set on SplitVerified.
	Skipped int64
	Samples []string
	// Mismatches is the number of rows that differed (SplitMismatched), Example one of them.
	Mismatches int64
	Example    string
}

// Done is what is already done: splits copied and splits verified.
type Done struct {
	Copied, Verified Set
}

// VerificationError is returned when splits still mismatch after MaxAttempts copies.
type VerificationError struct {
	Splits  []int
	Example string
}

func (e *VerificationError) Error() string {
	var s []string
	for _, i := range e.Splits {
		s = append(s, fmt.Sprint(i))
	}
	return fmt.Sprintf("splits %s still differ after being copied again (%s)", strings.Join(s, ","), e.Example)
}

// Run copies the splits of the share that are not copied yet, then verifies those not verified,
// copying again any that mismatches, and calls report after each split (from several goroutines
// at once, never concurrently for one split). It returns nil when every split of the share is
// verified, ctx's error when cancelled, the first error of the cluster otherwise.
func Run(ctx context.Context, cfg Config, done Done, report func(Event)) error {
	if cfg.Concurrency < 1 {
		cfg.Concurrency = 1
	}
	if cfg.Writers < 1 {
		cfg.Writers = 8
	}
	if cfg.MaxAttempts < 1 {
		cfg.MaxAttempts = 5
	}
	var limiter *rate.Limiter
	if cfg.RowsPerSecond > 0 {
		limiter = rate.NewLimiter(rate.Limit(cfg.RowsPerSecond), max(1, cfg.RowsPerSecond/20))
	}
	w := &work{cfg: cfg, ranges: Ranges(cfg.Splits), limiter: limiter}
	var toCopy, toVerify []int
	for s := range cfg.Splits {
		if !cfg.Share.Owns(s) || done.Verified.Has(s) {
			continue
		}
		toVerify = append(toVerify, s)
		if !done.Copied.Has(s) {
			toCopy = append(toCopy, s)
		}
	}
	err := forEach(ctx, toCopy, cfg.Concurrency, func(ctx context.Context, s int) error {
		n, err := w.copySplit(ctx, s)
		if err == nil {
			report(Event{Kind: SplitCopied, Split: s, Rows: n})
		}
		return err
	})
	if err != nil {
		return err
	}
	var mu sync.Mutex
	var failed []int
	var example string
	err = forEach(ctx, toVerify, cfg.Concurrency, func(ctx context.Context, s int) error {
		for attempt := 1; ; attempt++ {
			res, err := w.verifySplit(ctx, s)
			if err != nil {
				return err
			}
			if res.Mismatches == 0 {
				res.Kind = SplitVerified
				report(res)
				return nil
			}
			res.Kind = SplitMismatched
			report(res)
			if attempt >= cfg.MaxAttempts {
				mu.Lock()
				failed, example = append(failed, s), res.Example
				mu.Unlock()
				return nil
			}
			n, err := w.copySplit(ctx, s)
			if err != nil {
				return err
			}
			report(Event{Kind: SplitCopied, Split: s, Rows: n})
		}
	})
	if err != nil {
		return err
	}
	if len(failed) > 0 {
		return &VerificationError{Splits: failed, Example: example}
	}
	return nil
}

// forEach runs f on the items, n at a time, and returns the first error (which cancels the rest).
func forEach(ctx context.Context, items []int, n int, f func(context.Context, int) error) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(n, len(items)) {
		wg.Go(func() {
			for s := range next {
				if err := f(ctx, s); err != nil {
					cancel(err)
				}
			}
		})
	}
feed:
	for _, s := range items {
		select {
		case next <- s:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	if err := context.Cause(ctx); err != nil && ctx.Err() != nil {
		return err
	}
	return nil
}

type work struct {
	cfg     Config
	ranges  []TokenRange
	limiter *rate.Limiter
}

// scan reads the split's source rows page by page (readPages) and hands each to f, on
// cfg.Writers goroutines. It returns the number of rows read.
func (w *work) scan(ctx context.Context, s int, f func(context.Context, row) error) (int64, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	rows := make(chan row, w.cfg.Writers*4)
	var wg sync.WaitGroup
	for range w.cfg.Writers {
		wg.Go(func() {
			for r := range rows {
				if ctx.Err() != nil {
					continue
				}
				if err := f(ctx, r); err != nil {
					cancel(err)
				}
			}
		})
	}
	rng := w.ranges[s]
	n, scanErr := w.readPages(ctx, s, rng, func(r row) bool {
		select {
		case rows <- r:
		case <-ctx.Done():
		}
		return ctx.Err() == nil
	})
	close(rows)
	wg.Wait()
	if scanErr != nil {
		return n, scanErr
	}
	if err := context.Cause(ctx); err != nil && ctx.Err() != nil {
		return n, err
	}
	return n, nil
}

// readPages reads the rows of split s in rng, one page per request (the paging state carried by
// hand), and hands each to f until f returns false. Each row's scanned time is when its page was
// requested: the TTLs the server returns are the ones left at that moment, or less, whereas a
// page can wait for seconds before its last row is handed out (writes, a rate limit). Taking the
// time a row is reached would make copied cells live longer than their source. The next page is
// read while one is handed out, as the driver's own prefetch would. It returns the number of
// rows handed to f.
func (w *work) readPages(ctx context.Context, s int, rng TokenRange, f func(row) bool) (int64, error) {
	ctx, cancel := context.WithCancel(ctx)
	pages := make(chan page, 1)
	go w.fetchPages(ctx, s, rng, pages)
	defer func() {
		cancel()
		for range pages { // until fetchPages has returned
		}
	}()
	var n int64
	for p := range pages {
		for _, r := range p.rows {
			if w.limiter != nil {
				if err := w.limiter.Wait(ctx); err != nil {
					return n, err
				}
			}
			n++
			if !f(r) {
				return n, nil
			}
		}
		if p.err != nil {
			return n, p.err
		}
	}
	return n, nil
}

// page is the rows of one page of a split, read, and the error that ended the split's reading.
type page struct {
	rows []row
	err  error
}

// fetchPages reads the pages of split s into pages, each row stamped with the time its page was
// requested, until the last page, an error (sent with the rows before it) or ctx's end. It
// closes pages.
func (w *work) fetchPages(ctx context.Context, s int, rng TokenRange, pages chan<- page) {
	defer close(pages)
	m := w.cfg.Mapping
	var state []byte
	for {
		requested := time.Now()
		iter := w.cfg.Session.Query(m.selectCQL, rng.Start, rng.End).
			Consistency(w.cfg.Consistency).PageSize(w.cfg.PageSize).PageState(state).Idempotent(true).IterContext(ctx)
		state = iter.PageState()
		var p page
		for {
			vals := make([]raw, m.slots)
			dest := make([]any, m.slots)
			for i := range vals {
				dest[i] = &vals[i]
			}
			if !iter.Scan(dest...) {
				break
			}
			r, err := m.rowOf(vals)
			if err != nil {
				p.err = fmt.Errorf("split %d: %w", s, err)
				break
			}
			r.scanned = requested
			p.rows = append(p.rows, r)
		}
		if err := iter.Close(); err != nil && p.err == nil {
			p.err = fmt.Errorf("reading split %d of %s.%s: %w", s, m.SourceKeyspace, m.SourceTable, err)
		}
		select {
		case pages <- p:
		case <-ctx.Done():
			return
		}
		if p.err != nil || len(state) == 0 {
			return
		}
	}
}

// copySplit writes every copyable row of split s into the target.
func (w *work) copySplit(ctx context.Context, s int) (int64, error) {
	m := w.cfg.Mapping
	return w.scan(ctx, s, func(ctx context.Context, r row) error {
		if r.skip != "" {
			return nil
		}
		for _, st := range m.statements(r, w.cfg.KeyOnlyTimestamp) {
			err := w.cfg.Session.Query(st.cql, st.args...).Consistency(w.cfg.Consistency).Idempotent(true).ExecContext(ctx)
			if err != nil {
				return fmt.Errorf("writing into %s.%s: %w", m.TargetKeyspace, m.TargetTable, err)
			}
		}
		return nil
	})
}

// verifySplit checks every row of split s against the target.
func (w *work) verifySplit(ctx context.Context, s int) (Event, error) {
	m := w.cfg.Mapping
	l := m.verifyLayout()
	var skipped, mismatches atomic.Int64
	var mu sync.Mutex
	var samples []string
	var example string
	n, err := w.scan(ctx, s, func(ctx context.Context, r row) error {
		if r.skip != "" {
			if skipped.Add(1) <= 3 {
				mu.Lock()
				samples = append(samples, sampleKey(m, r)+": "+r.skip)
				mu.Unlock()
			}
			return nil
		}
		args := make([]any, len(r.keys))
		for i, k := range r.keys {
			args[i] = raw{b: k}
		}
		vals := make([]raw, l.slots)
		dest := make([]any, l.slots)
		for i := range vals {
			dest[i] = &vals[i]
		}
		err := w.cfg.Session.Query(l.cql, args...).Consistency(w.cfg.Consistency).Idempotent(true).ScanContext(ctx, dest...)
		switch {
		case errors.Is(err, gocql.ErrNotFound):
			vals = nil
		case err != nil:
			return fmt.Errorf("reading %s.%s: %w", m.TargetKeyspace, m.TargetTable, err)
		}
		why, err := m.mismatch(r, vals)
		if err != nil {
			return err
		}
		if why != "" && mismatches.Add(1) == 1 {
			mu.Lock()
			example = sampleKey(m, r) + ": " + why
			mu.Unlock()
		}
		return nil
	})
	if err != nil {
		return Event{}, err
	}
	return Event{Split: s, Rows: n, Skipped: skipped.Load(), Samples: samples, Mismatches: mismatches.Load(), Example: example}, nil
}

// sampleKey is the source primary key of a row, as name=value pairs in CQL literals (the bytes
// of a type it does not render, as a blob literal 0x...).
func sampleKey(m *Mapping, r row) string {
	var parts []string
	for i, k := range r.sourceKey {
		parts = append(parts, render.Ident(m.sourceKeyNames[i])+"="+literal(m.sourceKeyTypes[i], k))
	}
	return strings.Join(parts, " ")
}

// literal renders a value of a key column as a CQL literal.
func literal(typ string, v raw) string {
	if v.null {
		return "null"
	}
	switch typ {
	case "text", "ascii", "varchar":
		return "'" + strings.ReplaceAll(string(v.b), "'", "''") + "'"
	case "uuid", "timeuuid":
		if len(v.b) == 16 {
			h := fmt.Sprintf("%x", v.b)
			return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
		}
	case "tinyint", "smallint", "int", "bigint":
		if n, err := signed(v.b, len(v.b)); err == nil && integerWidth[typ] == len(v.b) {
			return strconv.FormatInt(n, 10)
		}
	}
	return fmt.Sprintf("0x%x", v.b)
}
