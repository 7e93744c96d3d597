package e2e

import (
	"context"
	"fmt"
	eventsv1 "k8s.io/api/events/v1"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/tools/clientcmd"
	"sigs.k8s.io/controller-runtime/pkg/client"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
	"github.com/cqlsync/cqlsync/test/rig/testenv"
)

// BenchmarkWaitForRollout measures how long after the last of N TableModels becomes Ready each
// way of waiting for them returns: `kubectl wait --all` (one object after the other) and
// `cqlsync wait` (every object at once). N is CQLSYNC_WAIT_BENCH_N (default 100). Run it with
//
//	hack/cassandra.sh with cluster1 -- go test ./test/e2e -run '^$' -bench WaitForRollout -benchtime 1x
func BenchmarkWaitForRollout(b *testing.B) {
	n := 100
	if v, err := strconv.Atoi(os.Getenv("CQLSYNC_WAIT_BENCH_N")); err == nil && v > 0 {
		n = v
	}
	rig := testenv.Cassandra(b)
	op := startOperator(b)
	cli := testenv.BuildOnce(b, "cqlsync", "./cmd/cqlsync")
	cfg, err := clientcmd.BuildConfigFromFlags("", op.kubeconfig)
	if err != nil {
		b.Fatal(err)
	}
	c, err := client.NewWithWatch(cfg, client.Options{Scheme: testScheme(b)})
	if err != nil {
		b.Fatal(err)
	}
	for i := 0; i < b.N; i++ {
		run := time.Now().UnixNano() % 1000000
		ns := fmt.Sprintf("waitbench-%d", run)
		ks := fmt.Sprintf("waitbench_%d", run)
		dropKeyspaceAfter(b, rig.Cluster1, ks)
		var m strings.Builder
		m.WriteString(namespaceManifest(ns, rig.Cluster1, ks))
		for j := range n {
			fmt.Fprintf(&m, `---
apiVersion: cqlsync.io/v1alpha1
kind: TableModel
metadata: {name: t%d, namespace: %s}
spec: {keyspaces: [%s], columns: [{name: id, type: int}], partitionKey: [id]}
`, j, ns, ks)
		}
		// Watch the TableModels ourselves, to know when the last became Ready.
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
		w, err := c.Watch(ctx, &cqlv1.TableModelList{}, client.InNamespace(ns))
		if err != nil {
			b.Fatal(err)
		}
		lastReady := make(chan time.Time, 1)
		go func() {
			ready := map[string]bool{}
			for ev := range w.ResultChan() {
				tm, ok := ev.Object.(*cqlv1.TableModel)
				if !ok || ev.Type == watch.Deleted {
					continue
				}
				if cqlv1.IsReadyFor(tm.Status.Conditions, tm.Generation) {
					ready[tm.Name] = true
				}
				if len(ready) == n {
					lastReady <- time.Now()
					return
				}
			}
		}()
		start := time.Now()
		op.kubectl("apply", "-f", writeManifest(b, m.String()))
		var wg sync.WaitGroup
		var kubectlDone, cqlsyncDone time.Time
		wg.Go(func() {
			for { // kubectl wait --all fails at once while no TableModel exists yet
				out, err := exec.CommandContext(ctx, testenv.Kubectl(), "--kubeconfig", op.kubeconfig, "wait", "--for=condition=Ready", "tablemodels", "--all", "-n", ns, "--timeout=15m").CombinedOutput()
				if err == nil {
					kubectlDone = time.Now()
					return
				}
				if ctx.Err() != nil {
					b.Errorf("kubectl wait: %v\n%s", err, out)
					return
				}
				time.Sleep(100 * time.Millisecond)
			}
		})
		wg.Go(func() {
			out, err := exec.CommandContext(ctx, cli, "wait", "--kubeconfig", op.kubeconfig, "-n", ns, "--kinds", "tablemodels", "--timeout", "15m").CombinedOutput()
			if err != nil {
				b.Errorf("cqlsync wait: %v\n%s", err, out)
			}
			cqlsyncDone = time.Now()
		})
		wg.Wait()
		last := <-lastReady
		cancel()
		b.Logf("N=%d: all Ready %.1f s after apply; kubectl wait --all returned %.2f s after the last became Ready, cqlsync wait %.2f s",
			n, last.Sub(start).Seconds(), kubectlDone.Sub(last).Seconds(), cqlsyncDone.Sub(last).Seconds())
		b.ReportMetric(kubectlDone.Sub(last).Seconds(), "kubectl-wait-lag-s")
		b.ReportMetric(cqlsyncDone.Sub(last).Seconds(), "cqlsync-wait-lag-s")
		b.ReportMetric(last.Sub(start).Seconds(), "rollout-s")
	}
}

// testScheme knows the cqlsync kinds, and events.
func testScheme(t testing.TB) *runtime.Scheme {
	s := runtime.NewScheme()
	if err := cqlv1.AddToScheme(s); err != nil {
		t.Fatal(err)
	}
	if err := eventsv1.AddToScheme(s); err != nil {
		t.Fatal(err)
	}
	return s
}
