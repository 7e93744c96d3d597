package bench

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	gocql "github.com/apache/cassandra-gocql-driver/v2"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/watch"
	"sigs.k8s.io/controller-runtime/pkg/client"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
	"github.com/cqlsync/cqlsync/internal/backfill"
	"github.com/cqlsync/cqlsync/test/rig/testenv"
)

// How every Backfill of BenchmarkBackfill copies, and the floor with it.
const (
	bfSplits      = 256
	bfConcurrency = 4
	// bfWriters is backfill.Config's default Writers, which the manager runs with.
	bfWriters  = 8
	bfPageSize = 1000
	// bfSmallRows is the Backfill the manager's RSS is first read after; bfRateRows the
	// Backfill capped by spec.rowsPerSecond.
	bfSmallRows = 10_000
	bfRateRows  = 100_000
	// bfCustomers is the number of distinct customer_id: the target's partitions.
	bfCustomers = 10_000
)

// bfConsistency is spec.consistency's default, LOCAL_QUORUM (on cluster1's single node, one
// replica), which the Backfills keep and the floor uses.
const bfConsistency = gocql.LocalQuorum

// BenchmarkBackfill is `make bench-backfill`: it measures Backfills on cluster1, in fresh keyspaces
// it drops afterwards, from a table keyed by id (id int, customer_id text, qty int, amount
// bigint; each row written by one INSERT, all its cells at one timestamp) into one keyed by
// (customer_id, id):
//   - throughput: CQLSYNC_BENCH_BACKFILL_ROWS rows (default 1,000,000) copied first by the floor,
//     a minimal copy loop in this process doing what the Backfill does (the same token-range
//     splits, page size, consistency, 4 splits x 8 writes in flight, WRITETIME and TTL read of
//     every regular column, one prepared INSERT ... USING TIMESTAMP ? AND TTL ? per row), then by
//     a Backfill (256 splits, concurrency 4, pageSize 1000), timed from `kubectl apply` to every
//     split copied (status.copied) and to Ready (Verified);
//   - memory: the manager's RSS (and its peak, VmHWM) after a 10,000-row Backfill, run first,
//     and after the N-row one;
//   - the rate limit: a Backfill of 100,000 rows with spec.rowsPerSecond
//     CQLSYNC_BENCH_BACKFILL_RATE (default 5000; 0 skips it), its copy rate against the cap.
//
// Status is written at most once a second while a copy runs, so the times are late by up to
// about a second. The floor runs on the benchmark's own session (the driver's defaults), the
// Backfill on the manager's session of the connection. It prints figures and fails only when
// something does not work; it runs once whatever b.N (use -benchtime 1x).
func BenchmarkBackfill(b *testing.B) {
	rig := testenv.Cassandra(b)
	rows := envInts(b, "CQLSYNC_BENCH_BACKFILL_ROWS", []int{1_000_000})[0]
	rate := envInts(b, "CQLSYNC_BENCH_BACKFILL_RATE", []int{5000})[0]
	if rows < 1 {
		b.Fatalf("CQLSYNC_BENCH_BACKFILL_ROWS=%d: want at least one row", rows)
	}
	m := startManager(b, envDuration(b, "CQLSYNC_BENCH_DRIFT_INTERVAL", 70*time.Second))
	cql := openClusters(b, rig, os.Getenv("CQLSYNC_BENCH_FRESH_CLUSTERS") == "1")
	// Once, before anything is loaded: a wipe later would take the tables with it.
	cql.freshen()
	s := cql.sessions[0]
	sfx := time.Now().UnixNano() % 100000
	var figures []string
	row := func(what, figure, goal string) {
		figures = append(figures, fmt.Sprintf("| %s | %s | %s |", what, figure, goal))
	}

	// Memory, first: a small Backfill, after which the manager has run one copy.
	small := m.copyTables(b, cql, rig.Cluster1, "bench-bf-small", fmt.Sprintf("bench_bf_small_%d", sfx), false)
	loadRows(b, s, small.ks, bfSmallRows)
	b.Logf("manager RSS before any Backfill: %.1f MiB", m.rss(b))
	m.settle(b)
	smallRun := m.runBackfill(b, small.ns, 0, 10*time.Minute)
	rssSmall, peakSmall := m.rss(b), m.peakRSS(b)
	checkBackfill(b, smallRun, bfSmallRows)
	b.Logf("%d rows: copied after %.1fs, Verified after %.1fs; manager RSS %.1f MiB, peak %.1f MiB",
		bfSmallRows, smallRun.copied.Seconds(), smallRun.verified.Seconds(), rssSmall, peakSmall)
	m.cleanupCopy(b, cql, small)

	// Throughput: the floor, then cqlsync, over the same source rows.
	big := m.copyTables(b, cql, rig.Cluster1, "bench-bf-copy", fmt.Sprintf("bench_bf_copy_%d_%d", rows, sfx), true)
	took := loadRows(b, s, big.ks, rows)
	b.Logf("loaded %d rows in %.1fs (%.0f rows/s)", rows, took.Seconds(), float64(rows)/took.Seconds())
	m.settle(b)
	cpuBefore := m.cpu(b)
	start := time.Now()
	floorRows, err := floorCopy(context.Background(), s, big.ks, "orders_floor")
	floorTook := time.Since(start)
	cpuAfter := m.cpu(b)
	if err != nil {
		b.Fatalf("floor: %v", err)
	}
	if floorRows != int64(rows) {
		b.Errorf("floor: %d rows read from the source, want %d", floorRows, rows)
	}
	floorRate := perSecond(int(floorRows), floorTook)
	b.Logf("floor: %d rows copied in %.1fs (%.0f rows/s); CPU seconds: this benchmark %.1f, Cassandra %.1f",
		floorRows, floorTook.Seconds(), floorRate, cpuAfter.bench-cpuBefore.bench, cpuAfter.cassandra-cpuBefore.cassandra)

	m.settle(b)
	cpuBefore = m.cpu(b)
	run := m.runBackfill(b, big.ns, 0, 60*time.Minute)
	cpuAfter = m.cpu(b)
	rssBig, peakBig := m.rss(b), m.peakRSS(b)
	checkBackfill(b, run, rows)
	copyRate := perSecond(rows, run.copied)
	b.Logf("cqlsync: copying after %.1fs, every split copied after %.1fs (%.0f rows/s; %.0f rows/s from the first status of the copy), "+
		"Verified after %.1fs; manager RSS %.1f MiB, peak %.1f MiB", run.copying.Seconds(), run.copied.Seconds(), copyRate,
		perSecond(rows, run.copied-run.copying), run.verified.Seconds(), rssBig, peakBig)
	b.Logf("cqlsync: CPU seconds for the copy and the verification: manager %.1f, Cassandra %.1f, control plane %.1f (%s)",
		cpuAfter.manager-cpuBefore.manager, cpuAfter.cassandra-cpuBefore.cassandra,
		cpuAfter.controlPlaneTotal()-cpuBefore.controlPlaneTotal(), cpuAfter.controlPlaneSince(cpuBefore))
	m.cleanupCopy(b, cql, big)

	n := thousands(int64(rows))
	row("floor: "+n+" rows copied by a loop in the benchmark", fmt.Sprintf("%.1f s, %s rows/s", floorTook.Seconds(), thousands(int64(floorRate))), "")
	row("cqlsync: `kubectl apply` to every split copied", fmt.Sprintf("%.1f s, %s rows/s", run.copied.Seconds(), thousands(int64(copyRate))), "")
	row("cqlsync copy rate / floor", fmt.Sprintf("%.2fx", copyRate/floorRate), "at least 0.8x")
	row("cqlsync: `kubectl apply` to Ready (Verified), copy and verification", fmt.Sprintf("%.1f s", run.verified.Seconds()), "")
	row("manager RSS after a "+thousands(bfSmallRows)+"-row Backfill", fmt.Sprintf("%.1f MiB (peak %.1f MiB)", rssSmall, peakSmall), "")
	row("manager RSS after the "+n+"-row Backfill", fmt.Sprintf("%.1f MiB (peak %.1f MiB)", rssBig, peakBig), "")
	row("RSS growth", fmt.Sprintf("%.1f MiB", rssBig-rssSmall), "at most 50 MiB")
	b.ReportMetric(copyRate, "copy-rows/s")
	b.ReportMetric(copyRate/floorRate, "cqlsync/floor")
	b.ReportMetric(rssBig-rssSmall, "rss-growth-MiB")

	// The rate limit.
	if rate > 0 {
		capped := m.copyTables(b, cql, rig.Cluster1, "bench-bf-rate", fmt.Sprintf("bench_bf_rate_%d", sfx), false)
		loadRows(b, s, capped.ks, bfRateRows)
		m.settle(b)
		// Copy and verification are capped alike: twice rows/rate, and time to spare.
		run := m.runBackfill(b, capped.ns, rate, 10*time.Minute+4*time.Duration(bfRateRows/rate)*time.Second)
		checkBackfill(b, run, bfRateRows)
		achieved := perSecond(bfRateRows, run.copied)
		b.Logf("rowsPerSecond %d: every split copied after %.1fs (%.0f rows/s, %.2fx; %.0f rows/s from the first status of the copy), Verified after %.1fs",
			rate, run.copied.Seconds(), achieved, achieved/float64(rate), perSecond(bfRateRows, run.copied-run.copying), run.verified.Seconds())
		m.cleanupCopy(b, cql, capped)
		row(fmt.Sprintf("spec.rowsPerSecond %s, %s rows: `kubectl apply` to every split copied", thousands(int64(rate)), thousands(bfRateRows)),
			fmt.Sprintf("%.1f s, %s rows/s, %.2fx the cap", run.copied.Seconds(), thousands(int64(achieved)), achieved/float64(rate)), "")
		b.ReportMetric(achieved/float64(rate), "rate/cap")
	}

	b.Logf("Backfill on cluster1 (%d splits, concurrency %d x %d writes in flight, pageSize %d, LOCAL_QUORUM), %s:\n"+
		"| measurement | figure | goal |\n|---|---|---|\n%s",
		bfSplits, bfConcurrency, bfWriters, bfPageSize, time.Now().UTC().Format("2006-01-02"), strings.Join(figures, "\n"))
}

// bfTables is the namespace and keyspace of one measured copy.
type bfTables struct{ ns, ks string }

// copyTables creates keyspace ks, and namespace ns with connection c1 to host and the TableModels
// orders-src (table orders_src, keyed by id) and orders-dst (orders_dst, keyed by (customer_id,
// id)), and with floor orders-floor (orders_floor, as orders_dst), and waits until they are Ready.
func (m *manager) copyTables(b *testing.B, cql *cqlClusters, host, ns, ks string, floor bool) bfTables {
	cql.createKeyspace(ks)
	m.kubectl(b, "apply", "-f", m.write(b, ns+"-conn.yaml", fmt.Sprintf(
		"apiVersion: v1\nkind: Namespace\nmetadata: {name: %s}\n---\napiVersion: cqlsync.io/v1alpha1\nkind: CassandraConnection\nmetadata: {name: c1, namespace: %s}\nspec: {hosts: [%q]}\n",
		ns, ns, host)))
	m.waitReady(b, ns, &cqlv1.CassandraConnectionList{}, 1, 2*time.Minute)
	const model = `---
apiVersion: cqlsync.io/v1alpha1
kind: TableModel
metadata: {name: %s, namespace: %s}
spec:
  name: %s
  connections: [c1]
  keyspaces: [%s]
  columns: [%s]
  partitionKey: [%s]
%s`
	const (
		byID       = "{name: id, type: int}, {name: customer_id, type: text}, {name: qty, type: int}, {name: amount, type: bigint}"
		byCustomer = "{name: customer_id, type: text}, {name: id, type: int}, {name: qty, type: int}, {name: amount, type: bigint}"
	)
	yaml := fmt.Sprintf(model, "orders-src", ns, "orders_src", ks, byID, "id", "") +
		fmt.Sprintf(model, "orders-dst", ns, "orders_dst", ks, byCustomer, "customer_id", "  clusteringKey: [{name: id}]\n")
	n := 2
	if floor {
		// A TableModel too, so that the floor's table is the Backfill's target's twin.
		yaml += fmt.Sprintf(model, "orders-floor", ns, "orders_floor", ks, byCustomer, "customer_id", "  clusteringKey: [{name: id}]\n")
		n++
	}
	m.kubectl(b, "apply", "-f", m.write(b, ns+"-tables.yaml", yaml))
	m.waitReady(b, ns, &cqlv1.TableModelList{}, n, 5*time.Minute)
	return bfTables{ns: ns, ks: ks}
}

// cleanupCopy deletes the namespace's Backfill, TableModels (deletionPolicy Retain: the tables go
// with the keyspace) and connection, then drops the keyspace.
func (m *manager) cleanupCopy(b *testing.B, cql *cqlClusters, t bfTables) {
	m.kubectl(b, "delete", "backfills", "--all", "-n", t.ns, "--wait=true", "--timeout=5m")
	m.cleanup(b, t.ns)
	cql.dropKeyspace(t.ks)
}

// loadRows writes n rows into ks.orders_src as applications mostly write: all the cells of a row
// by one INSERT, at one (client-side) timestamp, without TTL. It returns the time taken.
func loadRows(b *testing.B, s *gocql.Session, ks string, n int) time.Duration {
	ins := fmt.Sprintf(`INSERT INTO %s.orders_src (id, customer_id, qty, amount) VALUES (?, ?, ?, ?)`, ks)
	var next atomic.Int64
	var mu sync.Mutex
	var firstErr error
	start := time.Now()
	var wg sync.WaitGroup
	for range 64 {
		wg.Go(func() {
			for {
				id := int(next.Add(1) - 1)
				if id >= n {
					return
				}
				err := s.Query(ins, id, fmt.Sprintf("customer-%d", id%bfCustomers), id%1000, int64(id)*1001).
					Consistency(bfConsistency).Idempotent(true).Exec()
				if err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = fmt.Errorf("row %d: %w", id, err)
					}
					mu.Unlock()
					next.Store(int64(n)) // stop every loader
					return
				}
			}
		})
	}
	wg.Wait()
	if firstErr != nil {
		b.Fatalf("loading %s.orders_src: %v", ks, firstErr)
	}
	return time.Since(start)
}

// bfRun is what one Backfill took, from its `kubectl apply`: until the first status of the copy
// (startTime set), until every split was copied, until Ready (Verified); and its last status.
type bfRun struct {
	copying, copied, verified time.Duration
	status                    cqlv1.BackfillStatus
}

// runBackfill applies Backfill orders (orders-src into orders-dst) in ns and waits, watching it,
// until it is Ready (Verified), noting when its status first showed the copy started and every
// split copied. It fails when the Backfill is refused or stalls, or after timeout.
func (m *manager) runBackfill(b *testing.B, ns string, rowsPerSecond int, timeout time.Duration) bfRun {
	file := m.write(b, ns+"-backfill.yaml", fmt.Sprintf(`apiVersion: cqlsync.io/v1alpha1
kind: Backfill
metadata: {name: orders, namespace: %s}
spec:
  source: {tableModel: orders-src}
  target: {tableModel: orders-dst}
  splits: %d
  concurrency: %d
  pageSize: %d
  rowsPerSecond: %d
`, ns, bfSplits, bfConcurrency, bfPageSize, rowsPerSecond))
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	start := time.Now()
	m.kubectl(b, "apply", "-f", file)
	var run bfRun
	// see notes what a version of the Backfill shows, and says whether it is Verified.
	see := func(bf *cqlv1.Backfill) bool {
		if bf.Name != "orders" {
			return false
		}
		at := time.Since(start)
		run.status = bf.Status
		if run.copying == 0 && bf.Status.StartTime != nil {
			run.copying = at
		}
		if copied, err := backfill.ParseSet(bf.Status.Copied, bfSplits); err == nil && copied.Len() == bfSplits && run.copied == 0 {
			run.copied = at
		}
		if s := meta.FindStatusCondition(bf.Status.Conditions, cqlv1.ConditionStalled); s != nil && s.Status == metav1.ConditionTrue {
			b.Fatalf("%s: the Backfill stalled: %s: %s", ns, s.Reason, s.Message)
		}
		ready := meta.FindStatusCondition(bf.Status.Conditions, cqlv1.ConditionReady)
		if ready != nil && ready.Reason == cqlv1.ReasonVerificationFailed {
			b.Fatalf("%s: %s", ns, ready.Message)
		}
		if ready != nil && ready.Status == metav1.ConditionTrue && ready.Reason == cqlv1.ReasonVerified && ready.ObservedGeneration == bf.Generation {
			run.verified = at
			if run.copied == 0 {
				run.copied = at
			}
			if run.copying == 0 {
				run.copying = at
			}
			return true
		}
		return false
	}
	for {
		list := &cqlv1.BackfillList{}
		if err := m.c.List(ctx, list, client.InNamespace(ns)); err != nil {
			b.Fatalf("%s: listing Backfills: %v (status %+v)", ns, err, run.status)
		}
		for i := range list.Items {
			if see(&list.Items[i]) {
				return run
			}
		}
		w, err := m.c.Watch(ctx, list, &client.ListOptions{Namespace: ns, Raw: &metav1.ListOptions{ResourceVersion: list.ResourceVersion}})
		if err != nil {
			b.Fatalf("%s: watching Backfills: %v (status %+v)", ns, err, run.status)
		}
		for ev := range w.ResultChan() {
			if ev.Type != watch.Added && ev.Type != watch.Modified {
				continue
			}
			if bf, ok := ev.Object.(*cqlv1.Backfill); ok && see(bf) {
				w.Stop()
				return run
			}
		}
		w.Stop()
		if ctx.Err() != nil {
			b.Fatalf("%s: the Backfill is not Verified after %s: %+v", ns, timeout, run.status)
		}
		// The watch ended (an error event, or the server closed it): list again.
	}
}

// checkBackfill fails the benchmark (it goes on) when a Backfill's status does not account for
// exactly the rows of the source.
func checkBackfill(b *testing.B, run bfRun, rows int) {
	st := run.status
	if st.RowsVerified != int64(rows) || st.RowsSkipped != 0 || st.Mismatched != "" || st.RowsCopied < int64(rows) {
		b.Errorf("Backfill %s -> %s of %d rows: %d copied, %d verified, %d skipped, mismatched %q",
			st.Source, st.Target, rows, st.RowsCopied, st.RowsVerified, st.RowsSkipped, st.Mismatched)
	}
}

// peakRSS is the manager's peak resident set size so far (VmHWM) in MiB.
func (m *manager) peakRSS(b *testing.B) float64 {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", m.proc.Pid))
	if err != nil {
		b.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmHWM:" {
			kb, err := strconv.ParseFloat(f[1], 64)
			if err != nil {
				b.Fatal(err)
			}
			return kb / 1024
		}
	}
	b.Fatal("no VmHWM in /proc/<pid>/status")
	return 0
}

// cqlBytes is a value as the protocol carries it, nil for a null: the floor copies the bytes
// without decoding them, as the Backfill does.
type cqlBytes []byte

// UnmarshalCQL keeps a copy of the bytes (the driver reuses its buffer).
func (v *cqlBytes) UnmarshalCQL(_ gocql.TypeInfo, data []byte) error {
	if data == nil {
		*v = nil
		return nil
	}
	*v = append(make(cqlBytes, 0, len(data)), data...)
	return nil
}

// MarshalCQL gives the bytes back.
func (v cqlBytes) MarshalCQL(gocql.TypeInfo) ([]byte, error) { return v, nil }

// floorRow is a source row as the floor writes it.
type floorRow struct {
	customer, id, qty, amount cqlBytes
	wt                        int64
	ttl                       int32
}

// floorCopy is the floor of a Backfill: ks.orders_src copied into ks.<target> by a minimal loop
// doing what the Backfill does (internal/backfill's Run and its copy of a split), with nothing
// around it: the splits of backfill.Ranges, bfConcurrency at a time, each scanned page by page
// (bfPageSize) with WRITETIME and TTL of every regular column, its rows handed to bfWriters
// goroutines that write each with one prepared INSERT ... USING TIMESTAMP ? AND TTL ?, reads and
// writes at bfConsistency. Every row of the source was written at one timestamp: a row whose
// cells differ is an error, not a second statement. It returns the rows read.
func floorCopy(ctx context.Context, s *gocql.Session, ks, target string) (int64, error) {
	sel := fmt.Sprintf(`SELECT id, customer_id, WRITETIME(customer_id), TTL(customer_id), qty, WRITETIME(qty), TTL(qty), `+
		`amount, WRITETIME(amount), TTL(amount) FROM %s.orders_src WHERE token(id) > ? AND token(id) <= ?`, ks)
	ins := fmt.Sprintf(`INSERT INTO %s.%s (customer_id, id, qty, amount) VALUES (?, ?, ?, ?) USING TIMESTAMP ? AND TTL ?`, ks, target)
	ranges := backfill.Ranges(bfSplits)
	var total atomic.Int64

	copySplit := func(ctx context.Context, rng backfill.TokenRange) error {
		ctx, cancel := context.WithCancelCause(ctx)
		defer cancel(nil)
		rows := make(chan floorRow, bfWriters*4)
		var wg sync.WaitGroup
		for range bfWriters {
			wg.Go(func() {
				for r := range rows {
					if ctx.Err() != nil {
						continue
					}
					err := s.Query(ins, r.customer, r.id, r.qty, r.amount, r.wt, r.ttl).
						Consistency(bfConsistency).Idempotent(true).ExecContext(ctx)
					if err != nil {
						cancel(fmt.Errorf("writing into %s.%s: %w", ks, target, err))
					}
				}
			})
		}
		iter := s.Query(sel, rng.Start, rng.End).Consistency(bfConsistency).PageSize(bfPageSize).Idempotent(true).IterContext(ctx)
		var scanErr error
		for {
			var r floorRow
			var customerWT, customerTTL, qtyWT, qtyTTL, amountWT, amountTTL cqlBytes
			if !iter.Scan(&r.id, &r.customer, &customerWT, &customerTTL, &r.qty, &qtyWT, &qtyTTL, &r.amount, &amountWT, &amountTTL) {
				break
			}
			if string(qtyWT) != string(amountWT) || string(qtyTTL) != string(amountTTL) {
				scanErr = fmt.Errorf("row id=0x%x: its cells have different writetimes or TTLs", []byte(r.id))
				break
			}
			var err error
			if r.wt, err = bigintOf(qtyWT); err != nil {
				scanErr = err
				break
			}
			if r.ttl, err = ttlOf(qtyTTL); err != nil {
				scanErr = err
				break
			}
			total.Add(1)
			select {
			case rows <- r:
			case <-ctx.Done():
			}
			if ctx.Err() != nil {
				break
			}
		}
		if err := iter.Close(); err != nil && scanErr == nil {
			scanErr = fmt.Errorf("reading %s.orders_src: %w", ks, err)
		}
		close(rows)
		wg.Wait()
		if scanErr != nil {
			return scanErr
		}
		if err := context.Cause(ctx); err != nil && ctx.Err() != nil {
			return err
		}
		return nil
	}

	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	next := make(chan int)
	var wg sync.WaitGroup
	for range bfConcurrency {
		wg.Go(func() {
			for i := range next {
				if err := copySplit(ctx, ranges[i]); err != nil {
					cancel(err)
				}
			}
		})
	}
feed:
	for i := range ranges {
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	if err := context.Cause(ctx); err != nil && ctx.Err() != nil {
		return total.Load(), err
	}
	return total.Load(), nil
}

// bigintOf reads a writetime (a bigint).
func bigintOf(v cqlBytes) (int64, error) {
	if len(v) != 8 {
		return 0, errors.New("a writetime is not 8 bytes")
	}
	return int64(binary.BigEndian.Uint64(v)), nil
}

// ttlOf reads a TTL (an int; null without TTL).
func ttlOf(v cqlBytes) (int32, error) {
	switch len(v) {
	case 0:
		return 0, nil
	case 4:
		return int32(binary.BigEndian.Uint32(v)), nil
	}
	return 0, errors.New("a TTL is not 4 bytes")
}

// perSecond is n over d; 0 when d is not positive.
func perSecond(n int, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return float64(n) / d.Seconds()
}

// thousands writes n with commas: 1,000,000.
func thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var out []string
	for len(s) > 3 {
		out = append([]string{s[len(s)-3:]}, out...)
		s = s[:len(s)-3]
	}
	out = append([]string{s}, out...)
	if neg {
		return "-" + strings.Join(out, ",")
	}
	return strings.Join(out, ",")
}
