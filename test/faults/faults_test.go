//go:build faults

package faults

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
	"github.com/cqlsync/cqlsync/test/rig/testenv"
)

// The size of the rollout: TableModels spread over Keyspaces, each on both clusters.
const (
	tables    = 200
	keyspaces = 10
	kills     = 20
)

// TestRolloutSurvivesFaults rolls out Keyspaces and TableModels over cluster1 and cluster2 with two
// manager replicas, and meanwhile, in turn: SIGKILLs the leader 20 times (restarting it each time,
// so the other replica takes over), stops and starts cluster2's node, and restarts kube-apiserver.
// Then every resource must be Ready, the live schema (system_schema) must be the spec, the audit
// logs must show every statement the plans called for and nothing else (a statement run twice must
// be IF NOT EXISTS; it is counted and listed), and deleting
// everything must leave no resource behind.
func TestRolloutSurvivesFaults(t *testing.T) {
	rig := testenv.Cassandra(t)
	begin := time.Now()
	env := testenv.LocalEnv(t, nil)
	c := testenv.BulkClient(t, env.Admin)
	run := strconv.FormatInt(time.Now().UnixNano()%1e9, 36)
	prefix := "faults_" + run + "_"
	clusters := map[string]string{"c1": rig.Cluster1, "c2": rig.Cluster2}
	nodes := map[string]string{"c1": "cluster1", "c2": "cluster2"}
	t.Cleanup(func() { dropKeyspaces(t, clusters, prefix) })

	rs := newReplicas(t, env.ManagerKubeconfig, env.ServiceAccount.Namespace)
	rs.start(0)
	rs.start(1)

	ns := "faults"
	create(t, c, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}})
	for name, host := range clusters {
		create(t, c, &cqlv1.CassandraConnection{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
			Spec: cqlv1.CassandraConnectionSpec{Hosts: []cqlv1.Host{cqlv1.Host(host)}}})
	}
	intended := map[string]map[string]bool{"c1": {}, "c2": {}}
	for i := range keyspaces {
		ks := fmt.Sprintf("%s%d", prefix, i)
		rf := int32(1)
		create(t, c, &cqlv1.Keyspace{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("ks-%d", i), Namespace: ns},
			Spec: cqlv1.KeyspaceSpec{Name: ks, Connections: []cqlv1.ConnectionRef{cqlv1.Namespaced("c1"), cqlv1.Namespaced("c2")},
				Replication: cqlv1.KeyspaceReplication{Strategy: cqlv1.SimpleStrategy, ReplicationFactor: &rf}}})
		for conn := range intended {
			intended[conn]["CREATE_KEYSPACE "+ks+"."] = true
		}
	}
	createTables := func(from, to int) {
		for i := from; i < to; i++ {
			ks := fmt.Sprintf("%s%d", prefix, i%keyspaces)
			create(t, c, automobile(ns, i, ks))
			for conn := range intended {
				intended[conn][fmt.Sprintf("CREATE_TABLE %s.automobile_%d", ks, i)] = true
			}
		}
	}
	createTables(0, tables/2)

	// The faults, in turn. Every kill is of the leader, at a random point of its leadership.
	var takeovers []time.Duration
	var lastFault time.Time
	for k := 1; k <= kills; k++ {
		slot, ok := rs.leader(time.Minute)
		if !ok {
			t.Fatalf("kill %d: no replica leads after a minute", k)
		}
		time.Sleep(time.Duration(rand.Int64N(int64(2500 * time.Millisecond)))) // the random point of the kill
		rs.kill(slot)
		killed := time.Now()
		rs.start(slot)
		if _, ok := rs.leader(leaseDuration + 2*retryPeriod + 5*time.Second); !ok {
			t.Fatalf("kill %d: no replica took over within %s", k, leaseDuration+2*retryPeriod+5*time.Second)
		}
		takeovers = append(takeovers, time.Since(killed))
		lastFault = time.Now()
		switch k {
		case 5:
			createTables(tables/2, tables) // the second half arrives mid-rollout
		case 10:
			cassandra(t, rig, "stop", nodes["c2"])
			lastFault = time.Now()
		case 13:
			cassandra(t, rig, "start", nodes["c2"])
			lastFault = time.Now()
		case 16:
			rctx, rcancel := context.WithTimeout(context.Background(), 2*time.Minute)
			took := time.Now()
			if _, err := env.RestartAPIServer(rctx, testenv.RecordPID); err != nil {
				rcancel()
				t.Fatal(err)
			}
			rcancel()
			t.Logf("kube-apiserver restarted in %s (stop %s, start until ready %s)", time.Since(took).Round(time.Millisecond),
				env.LastRestart.Stop.Round(time.Millisecond), env.LastRestart.Ready.Round(time.Millisecond))
			lastFault = time.Now()
		}
	}
	// The follower acquires at its first retry after the Lease expires: the lease, a jittered retry
	// period (client-go adds up to 1.2 of it), and a margin for a busy machine.
	for i, d := range takeovers {
		if limit := leaseDuration + 2*retryPeriod + 2*time.Second; d > limit {
			t.Errorf("failover %d took %s, more than %s (the lease, %s, two retry periods and 2s)", i+1, d.Round(time.Millisecond), limit, leaseDuration)
		}
	}

	duplicates := 0

	// Convergence.
	waitAllReady(t, c, ns, 2, keyspaces, tables, 10*time.Minute)
	converged := time.Since(lastFault)

	// The clusters themselves: the schema, and every statement that ran.
	for conn, host := range clusters {
		checkLiveSchema(t, host, prefix, keyspaces, tables)
		entries := readAudit(t, rig.AuditLog(nodes[conn]), prefix)
		r := compareAudit(entries, intended[conn])
		t.Logf("%s: %d DDL statements executed for %d intended, %d duplicates, %d unintended", conn, r.executed, len(intended[conn]), len(r.duplicates), len(r.unintended))
		for _, e := range r.unintended {
			t.Errorf("%s: a statement no plan called for ran: %s (%s)", conn, e.key(), e.Operation)
		}
		// A CREATE sent again (after a crash, or when its outcome was not known) must be harmless:
		// IF NOT EXISTS. It is counted and shown, with the connection (client port) of each run.
		for _, e := range r.duplicates {
			first := entries[slices.IndexFunc(entries, func(x auditEntry) bool { return x.key() == e.key() })]
			if !strings.Contains(e.Operation, "IF NOT EXISTS") {
				t.Errorf("%s: a statement ran twice, and it is not idempotent: %s", conn, e.Operation)
			}
			t.Logf("%s: DUPLICATE %s: first at %s from port %s, again at %s from port %s", conn, e.key(), first.Logged, first.Port, e.Logged, e.Port)
		}
		duplicates += len(r.duplicates)
		if len(r.missing) > 0 {
			slices.Sort(r.missing)
			t.Errorf("%s: %d intended statements are not in the audit log, e.g. %s", conn, len(r.missing), r.missing[0])
		}
	}

	// Deleting everything leaves nothing behind (Retain: the schema stays, the finalizers go).
	deleteAll(t, c, ns, 3*time.Minute)

	slices.Sort(takeovers)
	t.Logf("FIGURES: %d leader kills survived (failover min %s, median %s, max %s); a Cassandra node stopped and started; kube-apiserver restarted; %d harmless duplicate statements (IF NOT EXISTS); converged %s after the last fault; %s in all",
		len(takeovers), takeovers[0].Round(time.Millisecond), takeovers[len(takeovers)/2].Round(time.Millisecond),
		takeovers[len(takeovers)-1].Round(time.Millisecond), duplicates, converged.Round(time.Millisecond), time.Since(begin).Round(time.Second))
}

// automobile is TableModel i: the Automobile of the cqlengine docs.
func automobile(ns string, i int, ks string) *cqlv1.TableModel {
	return &cqlv1.TableModel{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("automobile-%d", i), Namespace: ns},
		Spec: cqlv1.TableModelSpec{
			Name:        fmt.Sprintf("automobile_%d", i),
			Connections: []cqlv1.ConnectionRef{cqlv1.Namespaced("c1"), cqlv1.Namespaced("c2")},
			Keyspaces:   []cqlv1.KeyspaceName{cqlv1.KeyspaceName(ks)},
			Columns: []cqlv1.Column{{Name: "manufacturer", Type: "text"}, {Name: "year", Type: "int"},
				{Name: "model", Type: "text"}, {Name: "price", Type: "decimal"}},
			PartitionKey:  []cqlv1.ColumnName{"manufacturer"},
			ClusteringKey: []cqlv1.ClusteringColumn{{Name: "year"}, {Name: "model"}},
		}}
}

// wantColumns is the live shape of automobile: name, kind and type of each column.
var wantColumns = []string{"manufacturer partition_key text", "model clustering text", "price regular decimal", "year clustering int"}

func create(t *testing.T, c client.Client, o client.Object) {
	t.Helper()
	if err := c.Create(context.Background(), o); err != nil {
		t.Fatalf("creating %T %s: %v", o, o.GetName(), err)
	}
}

// cassandra runs hack/cassandra.sh (stop or start a node).
func cassandra(t *testing.T, rig testenv.Rig, verb, node string) {
	t.Helper()
	took := time.Now()
	if out, err := exec.Command(rig.Script, verb, node).CombinedOutput(); err != nil {
		t.Fatalf("%s %s %s: %v\n%s", rig.Script, verb, node, err, out)
	}
	t.Logf("%s %s took %s", verb, node, time.Since(took).Round(time.Millisecond))
}

// waitAllReady waits until the namespace's connections, Keyspaces and TableModels are all Ready
// for their generation.
func waitAllReady(t *testing.T, c client.Client, ns string, conns, kss, tms int, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		counts := map[string][2]int{}
		for kind, list := range map[string]client.ObjectList{"CassandraConnection": &cqlv1.CassandraConnectionList{},
			"Keyspace": &cqlv1.KeyspaceList{}, "TableModel": &cqlv1.TableModelList{}} {
			if err := c.List(context.Background(), list, client.InNamespace(ns)); err != nil {
				t.Logf("listing %s: %v", kind, err)
				continue
			}
			ready, all := 0, 0
			_ = meta.EachListItem(list, func(o runtime.Object) error {
				all++
				if readyFor(o) {
					ready++
				}
				return nil
			})
			counts[kind] = [2]int{ready, all}
		}
		if counts["CassandraConnection"][0] == conns && counts["Keyspace"][0] == kss && counts["TableModel"][0] == tms {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("not all Ready after %s (ready/all): %v", timeout, counts)
		}
		time.Sleep(200 * time.Millisecond) // polling the API server; the wait is bounded by timeout
	}
}

func readyFor(o runtime.Object) bool {
	switch x := o.(type) {
	case *cqlv1.TableModel:
		return cqlv1.IsReadyFor(x.Status.Conditions, x.Generation)
	case *cqlv1.Keyspace:
		return cqlv1.IsReadyFor(x.Status.Conditions, x.Generation)
	case *cqlv1.CassandraConnection:
		return cqlv1.IsReadyFor(x.Status.Conditions, x.Generation)
	}
	return false
}

// checkLiveSchema reads system_schema on a cluster: every keyspace and table of the run exists,
// with exactly the spec's columns.
func checkLiveSchema(t *testing.T, host, prefix string, kss, tms int) {
	t.Helper()
	s := testenv.CQLSession(t, host)
	live := map[string][]string{} // keyspace.table -> columns
	for i := range kss {
		ks := fmt.Sprintf("%s%d", prefix, i)
		var repl map[string]string
		if err := s.Query(`SELECT replication FROM system_schema.keyspaces WHERE keyspace_name = ?`, ks).Scan(&repl); err != nil {
			t.Errorf("%s: keyspace %s: %v", host, ks, err)
			continue
		}
		if repl["replication_factor"] != "1" || !strings.HasSuffix(repl["class"], "SimpleStrategy") {
			t.Errorf("%s: keyspace %s has replication %v", host, ks, repl)
		}
		it := s.Query(`SELECT table_name, column_name, kind, type FROM system_schema.columns WHERE keyspace_name = ?`, ks).Iter()
		var table, col, kind, typ string
		for it.Scan(&table, &col, &kind, &typ) {
			live[ks+"."+table] = append(live[ks+"."+table], col+" "+kind+" "+typ)
		}
		if err := it.Close(); err != nil {
			t.Fatalf("%s: reading the columns of %s: %v", host, ks, err)
		}
	}
	if len(live) != tms {
		t.Errorf("%s: %d tables of the run exist, want %d", host, len(live), tms)
	}
	for i := range tms {
		name := fmt.Sprintf("%s%d.automobile_%d", prefix, i%kss, i)
		cols := live[name]
		slices.Sort(cols)
		if !slices.Equal(cols, wantColumns) {
			t.Errorf("%s: table %s has columns %v, want %v", host, name, cols, wantColumns)
		}
	}
}

// deleteAll deletes the TableModels, Keyspaces and connections of the namespace and waits until
// none is left (their finalizers removed).
func deleteAll(t *testing.T, c client.Client, ns string, timeout time.Duration) {
	t.Helper()
	bg := context.Background()
	for _, o := range []client.Object{&cqlv1.TableModel{}, &cqlv1.Keyspace{}, &cqlv1.CassandraConnection{}} {
		if err := c.DeleteAllOf(bg, o, client.InNamespace(ns)); err != nil {
			t.Fatalf("deleting every %T: %v", o, err)
		}
	}
	deadline := time.Now().Add(timeout)
	for {
		left := 0
		for _, list := range []client.ObjectList{&cqlv1.TableModelList{}, &cqlv1.KeyspaceList{}, &cqlv1.CassandraConnectionList{}} {
			if err := c.List(bg, list, client.InNamespace(ns)); err != nil {
				t.Fatal(err)
			}
			left += meta.LenList(list)
		}
		if left == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d resources still there %s after deleting them all (a finalizer left behind?)", left, timeout)
		}
		time.Sleep(200 * time.Millisecond) // polling the API server; the wait is bounded by timeout
	}
}

// dropKeyspaces removes the run's keyspaces from the clusters (the resources retained them).
func dropKeyspaces(t *testing.T, clusters map[string]string, prefix string) {
	for _, host := range clusters {
		s := testenv.CQLSession(t, host)
		it := s.Query(`SELECT keyspace_name FROM system_schema.keyspaces`).Iter()
		var ks string
		var drop []string
		for it.Scan(&ks) {
			if strings.HasPrefix(ks, prefix) {
				drop = append(drop, ks)
			}
		}
		_ = it.Close()
		for _, ks := range drop {
			if err := s.Query(`DROP KEYSPACE IF EXISTS "` + ks + `"`).Exec(); err != nil {
				fmt.Fprintf(os.Stderr, "dropping %s on %s: %v\n", ks, host, err)
			}
		}
	}
}
