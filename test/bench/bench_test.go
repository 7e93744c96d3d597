// Package bench is `make bench`: it measures how long cqlsync takes to roll out N TableModels (the
// cqlengine docs' Automobile shape) on two clusters, from `kubectl apply` to all Ready, against two
// references on the same clusters, in fresh keyspaces:
//   - the floor: the same CREATE TABLE statements sent by the Python driver in a tight loop, serial
//     per cluster and parallel across clusters (hack/python/bench.py floor);
//   - cqlengine's sync_table over the same models, as a cqlengine user keeps them on both clusters:
//     sync_table(model, keyspaces=[...], connections=[both]), which serves the connections in turn
//     (hack/python/bench.py cqlengine).
//
// It also reports what one resync of every TableModel costs when nothing changed (DDL, status
// writes, live-schema reads by cost, system_schema queries), from the manager's metrics, and the
// manager's RSS with CQLSYNC_BENCH_RSS_TABLES TableModels spread over 10 keyspaces.
//
// It is a benchmark, not a test: it prints figures and fails only when something does not work.
package bench

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	goruntime "runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	gocql "github.com/apache/cassandra-gocql-driver/v2"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/watch"
	"sigs.k8s.io/controller-runtime/pkg/client"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
	"github.com/cqlsync/cqlsync/test/rig/testenv"
)

// BenchmarkRollout is the whole benchmark; it runs once whatever b.N (use -benchtime 1x).
func BenchmarkRollout(b *testing.B) {
	rig := testenv.Cassandra(b)
	py := testenv.Python(b)
	sizes := envInts(b, "CQLSYNC_BENCH_SIZES", []int{100, 300, 500})
	rssTables := envInts(b, "CQLSYNC_BENCH_RSS_TABLES", []int{1000})[0]
	repeats := max(1, envInts(b, "CQLSYNC_BENCH_REPEAT", []int{3})[0])
	driftInterval := envDuration(b, "CQLSYNC_BENCH_DRIFT_INTERVAL", 70*time.Second)
	// Without the references, only cqlsync's rollouts run (to iterate on cqlsync: a third of the time).
	references := os.Getenv("CQLSYNC_BENCH_REFERENCES") != "0"
	m := startManager(b, driftInterval)
	hosts := []string{rig.Cluster1, rig.Cluster2}
	cql := openClusters(b, rig, os.Getenv("CQLSYNC_BENCH_FRESH_CLUSTERS") == "1")
	sfx := time.Now().UnixNano() % 100000

	// Run to run, one measurement moves by 10-20% (the floor too): every measurement is repeated,
	// and the table shows medians. Each repetition runs the three in another order, so that none
	// always goes first.
	times := map[int]*runTimes{}
	for _, n := range sizes {
		times[n] = &runTimes{}
	}
	for rep := range repeats {
		for _, n := range sizes {
			t := times[n]
			// Each run has its own keyspaces, dropped before the next: at most n tables per
			// cluster at a time. And each starts on quiet nodes: the compactions the previous one
			// caused are not its cost.
			ks := func(what string) string { return fmt.Sprintf("bench_%s_%d_%d_%d", what, n, rep, sfx) }
			// reference runs hack/python/bench.py in its own keyspace, on quiet nodes.
			reference := func(mode, ks string, into *[]float64) {
				cql.freshen()
				cql.createKeyspace(ks)
				m.settle(b)
				before := m.cpu(b).cassandra
				seconds := runPython(b, py, mode, hosts, ks, n)
				b.Logf("N=%d #%d: %s %.1fs; Cassandra CPU seconds %.1f", n, rep+1, mode, seconds, m.cpu(b).cassandra-before)
				*into = append(*into, seconds)
				cql.dropKeyspace(ks)
			}
			cqlsync := func() {
				syncKS := ks("sync")
				cql.freshen()
				cql.createKeyspace(syncKS)
				ns := fmt.Sprintf("bench-%d-%d", n, rep)
				m.settle(b)
				took := m.rollout(b, ns, []string{syncKS}, n)
				t.sync = append(t.sync, took.Seconds())
				if rep == repeats-1 && n == sizes[len(sizes)-1] {
					b.Logf("one resync of %d TableModels x 2 clusters with nothing to change:\n%s", n, m.resync(b, ns, n))
				}
				m.cleanup(b, ns)
				cql.dropKeyspace(syncKS)
			}
			runs := []func(){cqlsync}
			if references {
				runs = append(runs,
					func() { reference("floor", ks("floor"), &t.floor) },
					func() { reference("cqlengine", ks("engine"), &t.engine) })
			}
			for i := range runs {
				runs[(i+rep)%len(runs)]()
			}
		}
	}
	var rows []string
	for _, n := range sizes {
		t := times[n]
		floor, sync, engine := median(t.floor), median(t.sync), median(t.engine)
		b.Logf("N=%d, every run: floor %s, cqlsync %s, cqlengine %s", n, seconds(t.floor), seconds(t.sync), seconds(t.engine))
		rows = append(rows, fmt.Sprintf("| %d | %s | %s | %s | %.2fx | %.2fx |", n,
			medianAndRange(t.floor), medianAndRange(t.sync), medianAndRange(t.engine), sync/floor, engine/sync))
		b.ReportMetric(sync/floor, fmt.Sprintf("cqlsync/floor@%d", n))
	}
	b.Logf("time until all Ready, N TableModels x 2 clusters, median of %d runs (fastest-slowest):\n"+
		"| N | floor | cqlsync | cqlengine | cqlsync/floor | cqlengine/cqlsync |\n|---|---|---|---|---|---|\n%s",
		repeats, strings.Join(rows, "\n"))

	if rssTables > 0 {
		cql.freshen()
		var keyspaces []string
		for i := range 10 {
			ks := fmt.Sprintf("bench_rss_%d_%d", i, sfx)
			cql.createKeyspace(ks)
			keyspaces = append(keyspaces, ks)
		}
		took := m.rollout(b, "bench-rss", keyspaces, rssTables)
		rss := m.rss(b)
		b.Logf("%d TableModels over 10 keyspaces x 2 clusters: all Ready after %.1fs; manager RSS %.1f MiB", rssTables, took.Seconds(), rss)
		b.ReportMetric(rss, "rss-MiB")
		m.cleanup(b, "bench-rss")
		for _, ks := range keyspaces {
			cql.dropKeyspace(ks)
		}
	}
}

// runTimes are the seconds of every run at one N.
type runTimes struct{ floor, sync, engine []float64 }

// median is the middle of xs (the mean of the two middle ones for an even count); NaN for none.
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := slices.Sorted(slices.Values(xs))
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// medianAndRange is "12.3 s (11.0-14.1)": the median, and the fastest and slowest run.
func medianAndRange(xs []float64) string {
	if len(xs) < 2 {
		return fmt.Sprintf("%.1f s", median(xs))
	}
	return fmt.Sprintf("%.1f s (%.1f-%.1f)", median(xs), slices.Min(xs), slices.Max(xs))
}

// seconds lists the times of every run.
func seconds(xs []float64) string {
	if len(xs) == 0 {
		return "-"
	}
	var out []string
	for _, x := range xs {
		out = append(out, fmt.Sprintf("%.1fs", x))
	}
	return strings.Join(out, " ")
}

// manager is the operator under test and what the benchmark reads of it.
type manager struct {
	proc       *os.Process
	kubeconfig string
	metrics    string
	c          client.WithWatch
	dir        string
	hosts      []string
	// controlPlane names the processes of kube-apiserver, etcd and kube-controller-manager, by PID.
	controlPlane map[int]string
}

func startManager(b *testing.B, driftInterval time.Duration) *manager {
	dir := b.TempDir()
	controlPlane := map[int]string{}
	env := testenv.LocalEnv(b, func(pid int) {
		comm, _ := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid))
		controlPlane[pid] = strings.TrimSpace(string(comm))
	})
	// Many objects at once: without the client-side rate limit.
	c := testenv.BulkClient(b, env.Admin)
	m := &manager{kubeconfig: env.AdminKubeconfig, c: c, dir: dir, controlPlane: controlPlane}
	metricsAddr, pprofAddr := testenv.FreeLoopbackAddr(b), os.Getenv("CQLSYNC_BENCH_PPROF")
	if pprofAddr == "" {
		pprofAddr = testenv.FreeLoopbackAddr(b)
	}
	m.metrics = "http://" + metricsAddr + "/metrics"
	var logs bytes.Buffer
	// As deployed: its ServiceAccount's RBAC, leader election.
	m.proc = testenv.StartManager(b, testenv.ManagerOptions{
		Args: []string{"--kubeconfig", env.ManagerKubeconfig, "--leader-elect", "--metrics-bind-address", metricsAddr,
			"--pprof-bind-address", pprofAddr, "--health-probe-bind-address", "127.0.0.1:0", "--drift-interval", driftInterval.String()},
		Namespace: env.ServiceAccount.Namespace,
		Output:    &logs,
		Stopped: func() {
			if b.Failed() {
				b.Logf("manager logs:\n%s", logs.String())
			}
		},
	})
	b.Logf("manager pid %d; metrics %s; pprof http://%s/debug/pprof/ (e.g. go tool pprof http://%s/debug/pprof/profile?seconds=30)",
		m.proc.Pid, m.metrics, pprofAddr, pprofAddr)
	return m
}

// rollout creates a namespace with connections c1 and c2 to the two clusters, applies n
// TableModels spread over the keyspaces (which exist) with kubectl, and returns the time from the
// apply to all Ready.
func (m *manager) rollout(b *testing.B, ns string, keyspaces []string, n int) time.Duration {
	rig := testenv.Cassandra(b)
	var yaml strings.Builder
	fmt.Fprintf(&yaml, "apiVersion: v1\nkind: Namespace\nmetadata: {name: %s}\n", ns)
	for name, host := range map[string]string{"c1": rig.Cluster1, "c2": rig.Cluster2} {
		fmt.Fprintf(&yaml, "---\napiVersion: cqlsync.io/v1alpha1\nkind: CassandraConnection\nmetadata: {name: %s, namespace: %s}\nspec: {hosts: [%q]}\n", name, ns, host)
	}
	m.kubectl(b, "apply", "-f", m.write(b, ns+"-conns.yaml", yaml.String()))
	m.waitReady(b, ns, &cqlv1.CassandraConnectionList{}, 2, 2*time.Minute)

	yaml.Reset()
	for i := range n {
		ks := keyspaces[i%len(keyspaces)]
		fmt.Fprintf(&yaml, `---
apiVersion: cqlsync.io/v1alpha1
kind: TableModel
metadata: {name: automobile-%d, namespace: %s}
spec:
  name: automobile_%d
  connections: [c1, c2]
  keyspaces: [%s]
  columns: [{name: manufacturer, type: text}, {name: year, type: int}, {name: model, type: text}, {name: price, type: decimal}]
  partitionKey: [manufacturer]
  clusteringKey: [{name: year}, {name: model}]
`, i, ns, i, ks)
	}
	file := m.write(b, ns+"-tables.yaml", yaml.String())
	before := testenv.ScrapeMetrics(b, m.metrics)
	cpuBefore := m.cpu(b)
	start := time.Now()
	m.kubectl(b, "apply", "-f", file)
	b.Logf("%s: kubectl apply of %d TableModels took %.1fs", ns, n, time.Since(start).Seconds())
	m.waitReady(b, ns, &cqlv1.TableModelList{}, n, 30*time.Minute)
	took := time.Since(start)
	cpuAfter := m.cpu(b)
	b.Logf("%s: %d TableModels x 2 clusters Ready after %.1fs; per TableModel: %s", ns, n, took.Seconds(), perObject(before, testenv.ScrapeMetrics(b, m.metrics), n))
	b.Logf("%s: CPU seconds used meanwhile: manager %.1f, control plane %.1f (%s), Cassandra nodes %.1f, this benchmark %.1f (wall %.1f s, %d cores)", ns,
		cpuAfter.manager-cpuBefore.manager, cpuAfter.controlPlaneTotal()-cpuBefore.controlPlaneTotal(), cpuAfter.controlPlaneSince(cpuBefore), cpuAfter.cassandra-cpuBefore.cassandra,
		cpuAfter.bench-cpuBefore.bench, took.Seconds(), goruntime.NumCPU())
	return took
}

// cpuSeconds is the CPU time used so far by the processes of the benchmark.
type cpuSeconds struct {
	manager, cassandra, bench float64
	// controlPlane is by process name (kube-apiserver, etcd, kube-controller-manager).
	controlPlane map[string]float64
}

// controlPlaneTotal is the CPU time of the whole control plane.
func (c cpuSeconds) controlPlaneTotal() float64 {
	total := 0.0
	for _, v := range c.controlPlane {
		total += v
	}
	return total
}

// controlPlaneSince says how the control plane's CPU since before splits between its processes.
func (c cpuSeconds) controlPlaneSince(before cpuSeconds) string {
	var parts []string
	for _, name := range slices.Sorted(maps.Keys(c.controlPlane)) {
		parts = append(parts, fmt.Sprintf("%s %.1f", name, c.controlPlane[name]-before.controlPlane[name]))
	}
	return strings.Join(parts, ", ")
}

func (m *manager) cpu(b *testing.B) cpuSeconds {
	out := cpuSeconds{controlPlane: map[string]float64{}}
	out.manager = processCPU(m.proc.Pid)
	out.bench = processCPU(os.Getpid())
	for pid, name := range m.controlPlane {
		out.controlPlane[name] += processCPU(pid)
	}
	for _, pid := range cassandraPIDs(b) {
		out.cassandra += processCPU(pid)
	}
	return out
}

// settle waits (at most a minute) until the Cassandra nodes are quiet: less than half a core busy
// over a second (three idle nodes use about a third of one).
func (m *manager) settle(b *testing.B) {
	deadline := time.Now().Add(time.Minute)
	prev := m.cpu(b).cassandra
	for time.Now().Before(deadline) {
		time.Sleep(time.Second)
		now := m.cpu(b).cassandra
		if now-prev < 0.5 {
			return
		}
		prev = now
	}
	b.Logf("the Cassandra nodes were still busy after a minute")
}

// processCPU is a process's user and system CPU time in seconds; 0 when it is gone.
func processCPU(pid int) float64 {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// The fields after the command (which may hold spaces) start after the last ')'.
	f := strings.Fields(string(data[strings.LastIndexByte(string(data), ')')+2:]))
	if len(f) < 13 {
		return 0
	}
	utime, _ := strconv.ParseFloat(f[11], 64)
	stime, _ := strconv.ParseFloat(f[12], 64)
	return (utime + stime) / 100 // clock ticks (USER_HZ)
}

// cassandraPIDs are the PIDs of the local Cassandra nodes, from hack/cassandra.sh status.
func cassandraPIDs(b *testing.B) []int {
	out, err := exec.Command(testenv.Cassandra(b).Script, "status").Output()
	if err != nil {
		return nil
	}
	var pids []int
	for _, f := range strings.Fields(string(out)) {
		if v, ok := strings.CutPrefix(f, "pid="); ok {
			if pid, err := strconv.Atoi(v); err == nil {
				pids = append(pids, pid)
			}
		}
	}
	return pids
}

// perObject is what the manager did per object between two scrapes.
func perObject(before, after map[string]float64, n int) string {
	sum := func(prefix string) float64 {
		total := 0.0
		for k, v := range after {
			if strings.HasPrefix(k, prefix) {
				total += v - before[k]
			}
		}
		return total / float64(n)
	}
	mean := func(name string) float64 { // name{labels} of a histogram
		at := func(suffix string) string {
			if i := strings.IndexByte(name, '{'); i >= 0 {
				return name[:i] + suffix + name[i:]
			}
			return name + suffix
		}
		n := after[at("_count")] - before[at("_count")]
		if n == 0 {
			return 0
		}
		return (after[at("_sum")] - before[at("_sum")]) / n * 1000
	}
	return fmt.Sprintf("%.2f reconciles, %.2f DDL, %.2f status writes, %.2f system_schema queries, %.2f schema reads without a query; "+
		"a CREATE TABLE took %.0f ms on average, the agreement check after it %.0f ms, a reconcile %.0f ms",
		sum(`controller_runtime_reconcile_total{controller="table",`), sum("cqlsync_ddl_statements_total{"),
		sum(`cqlsync_status_writes_total{kind="TableModel"}`), sum("cqlsync_system_schema_queries_total"), sum(`cqlsync_schema_reads_total{read="hit"}`),
		mean(`cqlsync_ddl_duration_seconds{statement="CreateTable"}`), mean("cqlsync_schema_agreement_wait_seconds"),
		mean(`controller_runtime_reconcile_time_seconds{controller="table"}`))
}

// waitReady waits until n objects of the list's kind in ns are Ready for their generation. It
// lists once and then watches, as `kubectl wait` does: polling a list of hundreds of objects would
// load the API server (and this process) more than the operator under test does.
func (m *manager) waitReady(b *testing.B, ns string, list client.ObjectList, n int, timeout time.Duration) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	ready := map[string]bool{}
	count := func() int {
		c := 0
		for _, r := range ready {
			if r {
				c++
			}
		}
		return c
	}
	see := func(o runtime.Object) {
		obj, ok := o.(client.Object)
		if !ok {
			return
		}
		ready[obj.GetName()] = readyFor(o, obj.GetGeneration())
	}
	for {
		if err := m.c.List(ctx, list, client.InNamespace(ns)); err != nil {
			b.Fatalf("%s: listing: %v (%d of %d Ready)", ns, err, count(), n)
		}
		clear(ready)
		_ = meta.EachListItem(list, func(o runtime.Object) error { see(o); return nil })
		if count() >= n {
			return
		}
		w, err := m.c.Watch(ctx, list, &client.ListOptions{Namespace: ns, Raw: &metav1.ListOptions{ResourceVersion: list.(metav1.ListInterface).GetResourceVersion()}})
		if err != nil {
			b.Fatalf("%s: watching: %v (%d of %d Ready)", ns, err, count(), n)
		}
		for ev := range w.ResultChan() {
			switch ev.Type {
			case watch.Added, watch.Modified:
				see(ev.Object)
			case watch.Deleted:
				if obj, ok := ev.Object.(client.Object); ok {
					delete(ready, obj.GetName())
				}
			}
			if count() >= n {
				w.Stop()
				return
			}
		}
		w.Stop()
		if ctx.Err() != nil {
			b.Fatalf("%s: %d of %d Ready after %s", ns, count(), n, timeout)
		}
		// The watch ended (an error event, or the server closed it): list again.
	}
}

func readyFor(o runtime.Object, gen int64) bool {
	var conds []metav1.Condition
	switch x := o.(type) {
	case *cqlv1.TableModel:
		conds = x.Status.Conditions
	case *cqlv1.CassandraConnection:
		conds = x.Status.Conditions
	}
	return cqlv1.IsReadyFor(conds, gen)
}

// resync measures one resync round of the namespace's n TableModels with nothing to change: what
// moved in the manager's metrics while each was reconciled once more.
func (m *manager) resync(b *testing.B, ns string, n int) string {
	// A resync ends in RequeueAfter: count reconciles of every result.
	reconciles := func(metrics map[string]float64) float64 {
		sum := 0.0
		for k, v := range metrics {
			if strings.HasPrefix(k, `controller_runtime_reconcile_total{controller="table",`) {
				sum += v
			}
		}
		return sum
	}
	before := testenv.ScrapeMetrics(b, m.metrics)
	deadline := time.Now().Add(10 * time.Minute)
	for reconciles(testenv.ScrapeMetrics(b, m.metrics))-reconciles(before) < float64(n) {
		if time.Now().After(deadline) {
			b.Fatalf("no full resync round within 10 minutes")
		}
		time.Sleep(time.Second)
	}
	after := testenv.ScrapeMetrics(b, m.metrics)
	d := func(name string) float64 { return after[name] - before[name] }
	ddl := 0.0
	for k, v := range after {
		if strings.HasPrefix(k, "cqlsync_ddl_statements_total{") {
			ddl += v - before[k]
		}
	}
	return fmt.Sprintf("  reconciles %.0f, DDL %.0f, status writes %.0f, schema reads: %.0f hits, %.0f checks (one query each), %.0f objects, %.0f full; system_schema queries %.0f",
		reconciles(after)-reconciles(before), ddl, d(`cqlsync_status_writes_total{kind="TableModel"}`),
		d(`cqlsync_schema_reads_total{read="hit"}`), d(`cqlsync_schema_reads_total{read="check"}`),
		d(`cqlsync_schema_reads_total{read="object"}`), d(`cqlsync_schema_reads_total{read="full"}`),
		d("cqlsync_system_schema_queries_total"))
}

// cleanup deletes the namespace's TableModels (deletionPolicy Retain: the tables stay, for the
// keyspace drop) and connections.
func (m *manager) cleanup(b *testing.B, ns string) {
	m.kubectl(b, "delete", "tablemodels", "--all", "-n", ns, "--wait=true", "--timeout=10m")
	m.kubectl(b, "delete", "cassandraconnections", "--all", "-n", ns, "--wait=true", "--timeout=5m")
}

// rss is the manager's resident set size in MiB.
func (m *manager) rss(b *testing.B) float64 {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", m.proc.Pid))
	if err != nil {
		b.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, err := strconv.ParseFloat(f[1], 64)
			if err != nil {
				b.Fatal(err)
			}
			return kb / 1024
		}
	}
	b.Fatal("no VmRSS in /proc/<pid>/status")
	return 0
}

func (m *manager) kubectl(b *testing.B, args ...string) string {
	out, err := exec.Command(testenv.Kubectl(), append([]string{"--kubeconfig", m.kubeconfig}, args...)...).CombinedOutput()
	if err != nil {
		b.Fatalf("kubectl %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

func (m *manager) write(b *testing.B, name, body string) string {
	p := filepath.Join(m.dir, name)
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		b.Fatal(err)
	}
	return p
}

// runPython runs hack/python/bench.py and returns its time (connecting not counted): the floor in
// one process per cluster at once (the longer of their times), cqlengine in one process given
// every cluster, as sync_table(..., connections=[...]) is used.
func runPython(b *testing.B, py, mode string, hosts []string, keyspace string, n int) float64 {
	script := filepath.Join(testenv.RepoRoot(), "hack", "python", "bench.py")
	if mode == "cqlengine" {
		hosts = []string{strings.Join(hosts, ",")}
	}
	times := make([]float64, len(hosts))
	errs := make([]error, len(hosts))
	var wg sync.WaitGroup
	for i, host := range hosts {
		wg.Go(func() {
			cmd := exec.Command(py, script, mode, host, keyspace, strconv.Itoa(n))
			cmd.Env = append(os.Environ(), "PYTHONDONTWRITEBYTECODE=1", "PYTHONWARNINGS=ignore")
			out, err := cmd.Output()
			if err != nil {
				errs[i] = fmt.Errorf("%s on %s: %w", mode, host, err)
				return
			}
			times[i], errs[i] = strconv.ParseFloat(strings.TrimSpace(string(out)), 64)
		})
	}
	wg.Wait()
	longest := 0.0
	for i := range hosts {
		if errs[i] != nil {
			b.Fatal(errs[i])
		}
		longest = max(longest, times[i])
	}
	return longest
}

// cqlClusters are the benchmark's own sessions to cluster1 and cluster2.
type cqlClusters struct {
	b        *testing.B
	rig      testenv.Rig
	fresh    bool
	sessions []*gocql.Session
	// wipes counts freshen's wipes: a keyspace created before one is gone already.
	wipes int
}

// openClusters opens sessions to cluster1 and cluster2. With fresh, freshen wipes and restarts
// them before each run.
func openClusters(b *testing.B, rig testenv.Rig, fresh bool) *cqlClusters {
	c := &cqlClusters{b: b, rig: rig, fresh: fresh}
	c.open()
	if fresh {
		b.Logf("each run starts on freshly wiped clusters (CQLSYNC_BENCH_FRESH_CLUSTERS=1)")
	} else {
		b.Logf("the clusters are used as they are: their schema history slows DDL down (see the README)")
	}
	return c
}

func (c *cqlClusters) open() {
	c.sessions = []*gocql.Session{testenv.CQLSession(c.b, c.rig.Cluster1), testenv.CQLSession(c.b, c.rig.Cluster2)}
}

// freshen wipes cluster1 and cluster2 and starts them again, when the benchmark was told to (by
// hack/bench.sh, only for clusters it started itself): every run, of the references as of cqlsync,
// then starts on nodes with no schema history, whose DDL is not slowed by the tombstones earlier
// runs left in system_schema. Without it, later runs are at a disadvantage.
func (c *cqlClusters) freshen() {
	if !c.fresh {
		return
	}
	for _, s := range c.sessions {
		s.Close()
	}
	start := time.Now()
	for _, verb := range []string{"wipe", "start"} {
		if out, err := exec.Command(c.rig.Script, verb, "cluster1", "cluster2").CombinedOutput(); err != nil {
			c.b.Fatalf("hack/cassandra.sh %s cluster1 cluster2: %v\n%s", verb, err, out)
		}
	}
	c.wipes++
	c.open()
	c.b.Logf("cluster1 and cluster2 wiped and started again in %.1fs", time.Since(start).Seconds())
}

func (c *cqlClusters) createKeyspace(ks string) {
	for _, s := range c.sessions {
		if err := s.Query(`CREATE KEYSPACE "` + ks + `" WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}`).Exec(); err != nil {
			c.b.Fatal(err)
		}
	}
	wipes := c.wipes
	c.b.Cleanup(func() {
		if c.wipes == wipes {
			c.dropKeyspace(ks)
		}
	})
}

func (c *cqlClusters) dropKeyspace(ks string) {
	for _, s := range c.sessions {
		if err := s.Query(`DROP KEYSPACE IF EXISTS "` + ks + `"`).Exec(); err != nil {
			c.b.Logf("dropping %s: %v", ks, err)
		}
	}
}

// envInts reads a comma-separated list of positive numbers from the environment.
func envInts(b *testing.B, name string, def []int) []int {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	var out []int
	for _, f := range strings.Split(v, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 0 {
			b.Fatalf("%s=%q: want numbers separated by commas", name, v)
		}
		out = append(out, n)
	}
	return out
}

func envDuration(b *testing.B, name string, def time.Duration) time.Duration {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		b.Fatalf("%s=%q: %v", name, v, err)
	}
	return d
}
