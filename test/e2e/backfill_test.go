package e2e

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	gocql "github.com/apache/cassandra-gocql-driver/v2"
	eventsv1 "k8s.io/api/events/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/client-go/util/retry"
	"sigs.k8s.io/controller-runtime/pkg/client"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
	"github.com/cqlsync/cqlsync/test/rig/testenv"
)

// The source and target tables of the backfill tests: a key change from id to (customer_id, id),
// with qty widened from int to bigint, a text column with TTLs and a non-frozen set.
const backfillTables = `apiVersion: cqlsync.io/v1alpha1
kind: TableModel
metadata: {name: orders-v1, namespace: %[1]s}
spec:
  name: orders_v1
  keyspaces: [%[2]s]
  deletionPolicy: Delete
  columns:
  - {name: id, type: int}
  - {name: customer_id, type: text}
  - {name: qty, type: int}
  - {name: note, type: text}
  - {name: tags, type: set<text>}
  partitionKey: [id]
---
apiVersion: cqlsync.io/v1alpha1
kind: TableModel
metadata: {name: orders-v2, namespace: %[1]s}
spec:
  name: orders_v2
  keyspaces: [%[2]s]
  deletionPolicy: Delete
  columns:
  - {name: customer_id, type: text}
  - {name: id, type: int}
  - {name: qty, type: bigint}
  - {name: note, type: text}
  - {name: tags, type: set<text>}
  partitionKey: [customer_id]
  clusteringKey: [{name: id}]
`

const backfillManifest = `apiVersion: cqlsync.io/v1alpha1
kind: Backfill
metadata: {name: orders, namespace: %s}
spec:
  source: {tableModel: orders-v1}
  target: {tableModel: orders-v2}
  splits: %d
  concurrency: 4
  pageSize: 500
%s`

func customerOf(id int) string { return fmt.Sprintf("c%d", id%500) }

// loadOrders writes n rows into orders_v1, as an application would have over time: each row at
// its own writetime, a fifth with a note that expires in a day, a seventh with tags whose two
// elements were written at different times.
func loadOrders(t *testing.T, s *gocql.Session, ks string, n int) {
	t.Helper()
	ids := make(chan int)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	for range 48 {
		wg.Go(func() {
			for id := range ids {
				ts := int64(1_000_000 + id)
				err := s.Query(fmt.Sprintf(`INSERT INTO %s.orders_v1 (id, customer_id, qty) VALUES (?, ?, ?) USING TIMESTAMP ?`, ks),
					id, customerOf(id), id, ts).Exec()
				if err == nil && id%5 == 0 {
					err = s.Query(fmt.Sprintf(`UPDATE %s.orders_v1 USING TIMESTAMP ? AND TTL 86400 SET note = ? WHERE id = ?`, ks), ts+1, fmt.Sprintf("n%d", id), id).Exec()
				}
				if err == nil && id%7 == 0 {
					err = s.Query(fmt.Sprintf(`UPDATE %s.orders_v1 USING TIMESTAMP ? SET tags = tags + {'a'} WHERE id = ?`, ks), ts+2, id).Exec()
					if err == nil {
						err = s.Query(fmt.Sprintf(`UPDATE %s.orders_v1 USING TIMESTAMP ? AND TTL 86400 SET tags = tags + {'b'} WHERE id = ?`, ks), ts+3, id).Exec()
					}
				}
				if err != nil {
					mu.Lock()
					firstErr = err
					mu.Unlock()
				}
			}
		})
	}
	for id := range n {
		ids <- id
	}
	close(ids)
	wg.Wait()
	if firstErr != nil {
		t.Fatal(firstErr)
	}
}

// dualWriter is the application during the backfill: it writes every change to both tables, with
// one client timestamp, updating existing rows with newer values and inserting new rows. Like an
// application it retries a write that fails (a timeout on a busy node): each statement carries its
// timestamp, so a retry is idempotent. A write that still fails after a minute is recorded in
// failed, and the test fails naming it: the tables would then differ for a reason that is not the
// backfill's.
type dualWriter struct {
	mu       sync.Mutex
	updated  map[int]int64 // id -> last qty written
	inserted []int
	retries  int
	failed   []string
	stop     chan struct{}
	done     chan struct{}
}

func startDualWriter(t *testing.T, s *gocql.Session, ks string, existing int) *dualWriter {
	w := &dualWriter{updated: map[int]int64{}, stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(w.done)
		tick := time.NewTicker(4 * time.Millisecond) // the application's pace: about 250 writes a second
		defer tick.Stop()
		for i := 0; ; i++ {
			select {
			case <-w.stop:
				return
			case <-tick.C:
			}
			ts := time.Now().UnixMicro()
			if i%4 == 3 {
				id := 1_000_000 + i
				if w.write(s, fmt.Sprintf("insert of row %d", id),
					statement{fmt.Sprintf(`INSERT INTO %s.orders_v1 (id, customer_id, qty, note) VALUES (?, ?, ?, 'new') USING TIMESTAMP ?`, ks), []any{id, customerOf(id), int64(id), ts}},
					statement{fmt.Sprintf(`INSERT INTO %s.orders_v2 (id, customer_id, qty, note) VALUES (?, ?, ?, 'new') USING TIMESTAMP ?`, ks), []any{id, customerOf(id), int64(id), ts}},
				) {
					w.mu.Lock()
					w.inserted = append(w.inserted, id)
					w.mu.Unlock()
				}
			} else {
				id := rand.IntN(existing)
				qty := -int64(i) - 1
				if w.write(s, fmt.Sprintf("update of row %d", id),
					statement{fmt.Sprintf(`UPDATE %s.orders_v1 USING TIMESTAMP ? SET qty = ? WHERE id = ?`, ks), []any{ts, int(qty), id}},
					statement{fmt.Sprintf(`UPDATE %s.orders_v2 USING TIMESTAMP ? SET qty = ? WHERE customer_id = ? AND id = ?`, ks), []any{ts, qty, customerOf(id), id}},
				) {
					w.mu.Lock()
					w.updated[id] = qty
					w.mu.Unlock()
				}
			}
		}
	}()
	t.Cleanup(w.halt)
	return w
}

// statement is one CQL statement with its values.
type statement struct {
	cql  string
	args []any
}

// write runs the statements of one change in order, each retried until it succeeds, for at most a
// minute. It reports whether all of them succeeded.
func (w *dualWriter) write(s *gocql.Session, what string, statements ...statement) bool {
	deadline := time.Now().Add(time.Minute)
	for _, st := range statements {
		for {
			err := s.Query(st.cql, st.args...).Exec()
			if err == nil {
				break
			}
			w.mu.Lock()
			if time.Now().After(deadline) {
				w.failed = append(w.failed, fmt.Sprintf("%s: %v", what, err))
				w.mu.Unlock()
				return false
			}
			w.retries++
			w.mu.Unlock()
			time.Sleep(100 * time.Millisecond) // a backoff between attempts, as a driver's retry policy has
		}
	}
	return true
}

func (w *dualWriter) halt() {
	select {
	case <-w.stop:
	default:
		close(w.stop)
	}
	<-w.done
}

// orderCells is a row's cells as text, with writetimes, and when its note expires (Unix seconds,
// from the TTL read and the time it was read; 0 when it does not).
type orderCells struct {
	cells      string
	noteExpiry int64
}

// readOrders reads every row of a table: (customer_id, id) -> its cells.
func readOrders(t *testing.T, s *gocql.Session, ks, table string) map[string]orderCells {
	t.Helper()
	out := map[string]orderCells{}
	iter := s.Query(fmt.Sprintf(`SELECT customer_id, id, qty, WRITETIME(qty), note, WRITETIME(note), TTL(note), tags, WRITETIME(tags) FROM %s.%s`, ks, table)).
		PageSize(5000).Iter()
	var cust, note string
	var id, noteTTL int
	var qty, qtyWT, noteWT int64
	var tags []string
	var tagsWT []int64
	for iter.Scan(&cust, &id, &qty, &qtyWT, &note, &noteWT, &noteTTL, &tags, &tagsWT) {
		c := orderCells{cells: fmt.Sprintf("qty=%d@%d note=%q@%d tags=%v@%v", qty, qtyWT, note, noteWT, tags, tagsWT)}
		if noteTTL > 0 {
			c.noteExpiry = time.Now().Unix() + int64(noteTTL)
		}
		out[fmt.Sprintf("%s/%d", cust, id)] = c
		note, noteTTL, tags, tagsWT = "", 0, nil, nil
	}
	if err := iter.Close(); err != nil {
		t.Fatalf("reading %s: %v", table, err)
	}
	return out
}

func newClient(t *testing.T, kubeconfig string) client.Client {
	t.Helper()
	cfg, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	c, err := client.NewWithWatch(cfg, client.Options{Scheme: testScheme(t)})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func readBackfill(t *testing.T, c client.Client, ns string) *cqlv1.Backfill {
	t.Helper()
	b := &cqlv1.Backfill{}
	if err := c.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: "orders"}, b); err != nil {
		t.Fatal(err)
	}
	return b
}

// waitVerified waits (watching the status, at most timeout) until the Backfill is Ready with
// reason Verified, failing fast when it is Stalled.
func waitVerified(t *testing.T, c client.Client, ns string, timeout time.Duration) *cqlv1.Backfill {
	t.Helper()
	return waitVerifiedWith(t, c, ns, timeout, func(*cqlv1.Backfill) bool { return true })
}

// waitVerifiedWith is waitVerified for a Backfill that also passes check.
func waitVerifiedWith(t *testing.T, c client.Client, ns string, timeout time.Duration, check func(*cqlv1.Backfill) bool) *cqlv1.Backfill {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		b := readBackfill(t, c, ns)
		ready := meta.FindStatusCondition(b.Status.Conditions, cqlv1.ConditionReady)
		if ready != nil && ready.Status == metav1.ConditionTrue && ready.Reason == cqlv1.ReasonVerified && ready.ObservedGeneration == b.Generation &&
			b.Status.Phase == cqlv1.BackfillComplete && check(b) {
			return b
		}
		if s := meta.FindStatusCondition(b.Status.Conditions, cqlv1.ConditionStalled); s != nil {
			t.Fatalf("the Backfill is Stalled: %s: %s", s.Reason, s.Message)
		}
		if time.Now().After(deadline) {
			t.Fatalf("the Backfill is not Verified after %s: %+v", timeout, b.Status)
		}
		waitStatusChange(t, c, b, deadline)
	}
}

// waitStatusChange waits until the Backfill changes (its status is written at most once a
// second), watching it from the resourceVersion read, or until the deadline.
func waitStatusChange(t *testing.T, c client.Client, b *cqlv1.Backfill, deadline time.Time) {
	t.Helper()
	wc, ok := c.(client.WithWatch)
	if !ok {
		t.Fatal("the client cannot watch")
	}
	ctx, cancel := context.WithDeadline(context.Background(), deadline)
	defer cancel()
	w, err := wc.Watch(ctx, &cqlv1.BackfillList{}, client.InNamespace(b.Namespace),
		client.MatchingFields{"metadata.name": b.Name}, &client.ListOptions{Raw: &metav1.ListOptions{ResourceVersion: b.ResourceVersion}})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	select {
	case <-w.ResultChan():
	case <-ctx.Done():
	}
}

// TestBackfillUnderKills is the expand/contract copy of the issue, on cluster1: 200,000 rows, some
// cells with TTLs, backfilled from a table keyed by id to one keyed by (customer_id, id) while an
// application writes to both tables, and the manager is SIGKILLed 5 times at random points of
// the copy and the verification. At the end every source row is in the target with equal or
// newer cells (value, writetime, TTL within 2 s), the counts match, and none of the
// application's newer values was overwritten. Then the same Backfill runs again and leaves the
// target identical (values and writetimes).
func TestBackfillUnderKills(t *testing.T) {
	rig := testenv.Cassandra(t)
	const rows, splits = 200_000, 128
	op := startOperator(t, "--leader-elect-lease-duration", "4s", "--leader-elect-renew-deadline", "3s", "--leader-elect-retry-period", "1s")
	ns := fmt.Sprintf("bf-kills-%d", time.Now().UnixNano()%100000)
	ks := strings.ReplaceAll(ns, "-", "_")
	applyYAML(t, op, namespaceManifest(ns, rig.Cluster1, ks))
	op.kubectl("wait", "-n", ns, "--for=condition=Ready", "keyspace/ks", "--timeout=120s")
	applyYAML(t, op, fmt.Sprintf(backfillTables, ns, ks))
	op.kubectl("wait", "-n", ns, "--for=condition=Ready", "tablemodel", "--all", "--timeout=120s")
	s := testenv.CQLSession(t, rig.Cluster1)
	begin := time.Now()
	loadOrders(t, s, ks, rows)
	t.Logf("loaded %d rows in %s", rows, time.Since(begin).Round(time.Millisecond))

	writer := startDualWriter(t, s, ks, rows)
	c := newClient(t, op.kubeconfig)
	applyYAML(t, op, fmt.Sprintf(backfillManifest, ns, splits, ""))
	begin = time.Now()

	// Five kills at random points of the 2*splits split operations (copies, then verifications).
	seed := time.Now().UnixNano()
	rnd := rand.New(rand.NewPCG(uint64(seed), 7))
	var points []int
	for range 5 {
		points = append(points, 8+rnd.IntN(2*splits-24))
	}
	slices.Sort(points)
	t.Logf("kill points (splits copied + verified), seed %d: %v", seed, points)
	manager := op.manager
	for i, p := range points {
		deadline := time.Now().Add(10 * time.Minute)
		for {
			b := readBackfill(t, c, ns)
			copied, verified := countSplits(b.Status.Progress)
			if copied+verified >= p || b.Status.Phase == cqlv1.BackfillComplete {
				t.Logf("kill %d at %d split operations (%s, %d rows copied)", i+1, copied+verified, b.Status.Progress, b.Status.RowsCopied)
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("no progress to kill point %d: %+v", p, b.Status)
			}
			waitStatusChange(t, c, b, deadline)
		}
		if err := manager.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		_, _ = manager.Wait()
		manager = op.startManager()
	}
	b := waitVerified(t, c, ns, 15*time.Minute)
	elapsed := time.Since(begin)
	writer.halt()
	t.Logf("verified %d rows in %s with 5 kills: %d rows written (%.2fx the source), writer: %d updates, %d inserts, %d retried writes",
		b.Status.RowsVerified, elapsed.Round(time.Second), b.Status.RowsCopied, float64(b.Status.RowsCopied)/float64(rows),
		len(writer.updated), len(writer.inserted), writer.retries)
	if len(writer.failed) > 0 {
		t.Fatalf("%d of the application's writes failed for a minute, so the tables differ for a reason that is not the backfill's; the first: %s",
			len(writer.failed), writer.failed[0])
	}
	if b.Status.RowsSkipped != 0 || b.Status.Mismatched != "" || b.Status.Copied != fmt.Sprintf("0-%d", splits-1) || b.Status.Verified != b.Status.Copied {
		t.Errorf("final status: %+v", b.Status)
	}
	// A restart redoes the splits in flight and those of the last second, not the copy.
	if float64(b.Status.RowsCopied) > 1.5*float64(rows) {
		t.Errorf("%d rows were written for %d source rows: restarts redid more than the splits in flight", b.Status.RowsCopied, rows)
	}
	resumed := resumedEvents(t, c, ns)
	if resumed < 1 {
		t.Errorf("no BackfillStarted event says the copy resumed after a kill")
	}

	source, target := readOrders(t, s, ks, "orders_v1"), readOrders(t, s, ks, "orders_v2")
	if len(source) != len(target) || len(source) < rows {
		t.Errorf("source has %d rows, target %d", len(source), len(target))
	}
	checked := 0
	for key, want := range source {
		got, ok := target[key]
		switch {
		case !ok:
			t.Errorf("row %s is missing from the target", key)
		case got.cells != want.cells:
			t.Errorf("row %s:\n source %s\n target %s", key, want.cells, got.cells)
		case (got.noteExpiry == 0) != (want.noteExpiry == 0) || got.noteExpiry-want.noteExpiry > 2 || want.noteExpiry-got.noteExpiry > 2:
			t.Errorf("row %s: the note expires at %d in the target, %d in the source", key, got.noteExpiry, want.noteExpiry)
		}
		checked++
	}
	if checked < 1000 {
		t.Errorf("only %d rows checked", checked)
	}
	writer.mu.Lock()
	for id, qty := range writer.updated {
		if got := target[fmt.Sprintf("%s/%d", customerOf(id), id)].cells; !strings.HasPrefix(got, fmt.Sprintf("qty=%d@", qty)) {
			t.Errorf("the application's write qty=%d of row %d was overwritten: %s", qty, id, got)
		}
	}
	writer.mu.Unlock()

	// The same Backfill copies again (its recorded splits cleared): nothing changes in the target.
	if err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		b := readBackfill(t, c, ns)
		b.Status.Copied, b.Status.Verified = "", ""
		return c.Status().Update(context.Background(), b)
	}); err != nil {
		t.Fatal(err)
	}
	again := waitVerifiedWith(t, c, ns, 10*time.Minute, func(again *cqlv1.Backfill) bool {
		return again.Status.RowsCopied >= b.Status.RowsCopied+int64(rows) && again.Status.Verified != ""
	})
	t.Logf("the second run wrote %d rows", again.Status.RowsCopied-b.Status.RowsCopied)
	second := readOrders(t, s, ks, "orders_v2")
	if len(second) != len(target) {
		t.Errorf("a second run changed the row count: %d, then %d", len(target), len(second))
	}
	for key, first := range target {
		if got := second[key]; got.cells != first.cells {
			t.Errorf("a second run changed row %s:\n first  %s\n second %s", key, first.cells, got.cells)
		}
	}
}

// countSplits reads "copied 3/128, verified 0/128".
func countSplits(progress string) (copied, verified int) {
	var total int
	fmt.Sscanf(progress, "copied %d/%d, verified %d/%d", &copied, &total, &verified, &total)
	return copied, verified
}

func resumedEvents(t *testing.T, c client.Client, ns string) int {
	t.Helper()
	var list eventsv1.EventList
	if err := c.List(context.Background(), &list, client.InNamespace(ns)); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range list.Items {
		if e.Reason == string(cqlv1.EventBackfillStarted) && strings.Contains(e.Note, "resumed") {
			n++
		}
	}
	return n
}

// applyYAML applies a manifest with kubectl.
func applyYAML(t *testing.T, op operator, manifest string) {
	t.Helper()
	f, err := os.CreateTemp(t.TempDir(), "*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(manifest); err != nil {
		t.Fatal(err)
	}
	f.Close()
	op.kubectl("apply", "-f", f.Name())
}

// TestBackfillWorkers scales a Backfill past one process: with spec.workers the manager creates
// the Indexed Job (which no kubelet runs here), and the test runs its three workers as
// processes of the CLI, `cqlsync backfill --split i/3`. Each copies and verifies its share and
// records it in the Backfill's status; the manager sees the merged splits and marks it Verified;
// the target then equals the source.
func TestBackfillWorkers(t *testing.T) {
	rig := testenv.Cassandra(t)
	const rows, splits = 30_000, 48
	op := startOperator(t)
	cli := testenv.BuildOnce(t, "cqlsync", "./cmd/cqlsync")
	ns := fmt.Sprintf("bf-workers-%d", time.Now().UnixNano()%100000)
	ks := strings.ReplaceAll(ns, "-", "_")
	applyYAML(t, op, namespaceManifest(ns, rig.Cluster1, ks))
	op.kubectl("wait", "-n", ns, "--for=condition=Ready", "keyspace/ks", "--timeout=120s")
	applyYAML(t, op, fmt.Sprintf(backfillTables, ns, ks))
	op.kubectl("wait", "-n", ns, "--for=condition=Ready", "tablemodel", "--all", "--timeout=120s")
	s := testenv.CQLSession(t, rig.Cluster1)
	loadOrders(t, s, ks, rows)
	applyYAML(t, op, fmt.Sprintf(backfillManifest, ns, splits, "  workers: {count: 3, image: example.com/cqlsync:e2e}\n"))
	c := newClient(t, op.kubeconfig)
	// The manager records the start (the timestamp of key-only rows) and creates the Job.
	out := op.kubectl("get", "jobs", "-A", "-l", "cqlsync.io/backfill-namespace="+ns, "-o",
		"jsonpath={.items[0].spec.completionMode} {.items[0].spec.completions} {.items[0].spec.template.spec.containers[0].args}", "--ignore-not-found")
	deadline := time.Now().Add(time.Minute)
	for !strings.HasPrefix(out, "Indexed 3 ") && time.Now().Before(deadline) {
		waitStatusChange(t, c, readBackfill(t, c, ns), deadline)
		out = op.kubectl("get", "jobs", "-A", "-l", "cqlsync.io/backfill-namespace="+ns, "-o",
			"jsonpath={.items[0].spec.completionMode} {.items[0].spec.completions} {.items[0].spec.template.spec.containers[0].args}", "--ignore-not-found")
	}
	if !strings.HasPrefix(out, "Indexed 3 ") || !strings.Contains(out, "$(JOB_COMPLETION_INDEX)/3") {
		t.Fatalf("the workers' Job: %q", out)
	}

	var wg sync.WaitGroup
	outputs := make([]string, 3)
	for i := range 3 {
		wg.Go(func() {
			outputs[i] = runCLI(t, cli, op.kubeconfig, 0, "backfill", "-n", ns, "--split", fmt.Sprintf("%d/3", i), "orders")
		})
	}
	wg.Wait()
	for i, o := range outputs {
		if !strings.Contains(o, fmt.Sprintf("every split of share %d/3 is copied and verified", i)) {
			t.Errorf("worker %d said: %q", i, o)
		}
	}
	b := waitVerified(t, c, ns, 5*time.Minute)
	if out := runCLI(t, cli, op.kubeconfig, 0, "wait", "-n", ns, "--kinds", "backfills", "--timeout", "30s"); !strings.Contains(out, "1 object(s) Ready") {
		t.Errorf("cqlsync wait --kinds backfills said %q", out)
	}
	var sum int32
	for _, w := range b.Status.Workers {
		sum += w.Splits
		if w.Of != 3 || w.SplitsVerified != w.Splits || w.LastReport == nil {
			t.Errorf("worker %d status: %+v", w.Index, w)
		}
	}
	if len(b.Status.Workers) != 3 || sum != splits || b.Status.Copied != fmt.Sprintf("0-%d", splits-1) || b.Status.RowsVerified != rows {
		t.Errorf("merged status: %+v", b.Status)
	}
	source, target := readOrders(t, s, ks, "orders_v1"), readOrders(t, s, ks, "orders_v2")
	if len(source) != rows || len(target) != rows {
		t.Errorf("source has %d rows, target %d, want %d", len(source), len(target), rows)
	}
	for key, want := range source {
		if got := target[key]; got.cells != want.cells {
			t.Errorf("row %s:\n source %s\n target %s", key, want.cells, got.cells)
		}
	}
	// The manager deleted the Job before it recorded Verified.
	if out := op.kubectl("get", "jobs", "-A", "-l", "cqlsync.io/backfill-namespace="+ns, "-o", "name"); out != "" {
		t.Errorf("the workers' Job is still there after the Backfill was verified: %s", out)
	}
}
