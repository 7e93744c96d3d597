package integration

import (
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
	"github.com/cqlsync/cqlsync/internal/cql/introspect"
	"github.com/cqlsync/cqlsync/test/rig/testenv"
)

// BenchmarkTableModels applies N TableModels (CQLSYNC_BENCH_TABLES, default 20), each synced to
// one keyspace on both clusters, and reports: the seconds until all are Ready, the DDL statements
// executed, and over one resync of every TableModel with nothing to change, the system_schema
// queries, the schema-version reads and the status writes. Run it alone (other tests' resources
// would be counted too):
//
//	eval "$(bash hack/cassandra.sh env)"
//	CQLSYNC_BENCH_TABLES=50 go test ./test/integration/ -run '^$' -bench TableModels -benchtime 1x
func BenchmarkTableModels(b *testing.B) {
	n := 20
	if v := os.Getenv("CQLSYNC_BENCH_TABLES"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 1 {
			b.Fatalf("CQLSYNC_BENCH_TABLES=%q: want a positive number", v)
		}
	}
	rig := testenv.Cassandra(b)
	for i := 0; i < b.N; i++ {
		benchRound(b, rig, n)
	}
}

func benchRound(b *testing.B, rig testenv.Rig, n int) {
	ns := fmt.Sprintf("bench-%s", uniqueSuffix())
	if err := k8s.Create(ctx, namespaceObj(ns)); err != nil {
		b.Fatal(err)
	}
	ks := "tm_bench_" + uniqueSuffix()
	for _, host := range []string{rig.Cluster1, rig.Cluster2} {
		s := cqlSession(b, host)
		if err := s.Query(`CREATE KEYSPACE "` + ks + `" WITH replication = {'class': 'SimpleStrategy', 'replication_factor': '1'}`).Exec(); err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { _ = s.Query(`DROP KEYSPACE IF EXISTS "` + ks + `"`).Exec() })
	}
	for _, c := range []struct{ name, host string }{{"c1", rig.Cluster1}, {"c2", rig.Cluster2}} {
		if err := k8s.Create(ctx, connection(ns, c.name, cqlv1.CassandraConnectionSpec{Hosts: hosts(c.host)})); err != nil {
			b.Fatal(err)
		}
	}
	benchWait(b, connectTimeout, func() error {
		for _, c := range []string{"c1", "c2"} {
			conn, err := getObject[cqlv1.CassandraConnection](ns, c)
			if err != nil {
				return err
			}
			if !cqlv1.IsReadyFor(conn.Status.Conditions, conn.Generation) {
				return fmt.Errorf("connection %s not Ready", c)
			}
		}
		return nil
	})

	b.ResetTimer()
	start := time.Now()
	for i := range n {
		spec := automobile()
		spec.Name = fmt.Sprintf("bench_%03d", i)
		spec.Connections = connNames("c1", "c2")
		spec.Keyspaces = tmKeyspaces(ks)
		if err := k8s.Create(ctx, tableModelObj(ns, fmt.Sprintf("bench-%03d", i), spec)); err != nil {
			b.Fatal(err)
		}
	}
	allReady := func() error {
		var list cqlv1.TableModelList
		if err := k8s.List(ctx, &list, client.InNamespace(ns)); err != nil {
			return err
		}
		ready := 0
		for _, tm := range list.Items {
			if cqlv1.IsReadyFor(tm.Status.Conditions, tm.Generation) {
				ready++
			}
		}
		if ready != n {
			return fmt.Errorf("%d/%d TableModels Ready", ready, n)
		}
		return nil
	}
	benchWait(b, 10*time.Minute, allReady)
	elapsed := time.Since(start)
	b.StopTimer()
	ddl := ddlStats(ns, "c1").Statements + ddlStats(ns, "c2").Statements

	// One resync of everything with nothing to change (after a first one, which may still read
	// system_schema once per cluster for the schema version the last DDL left).
	resync := func() {
		plans1, plans2 := ddlStats(ns, "c1").Plans, ddlStats(ns, "c2").Plans
		benchWait(b, 5*time.Minute, func() error {
			if p1, p2 := ddlStats(ns, "c1").Plans-plans1, ddlStats(ns, "c2").Plans-plans2; p1 < int64(n) || p2 < int64(n) {
				return fmt.Errorf("resync: %d and %d of %d targets per cluster", p1, p2, n)
			}
			return nil
		})
	}
	resync()
	versions := func() map[string]string {
		var list cqlv1.TableModelList
		if err := k8s.List(ctx, &list, client.InNamespace(ns)); err != nil {
			b.Fatal(err)
		}
		m := map[string]string{}
		for _, tm := range list.Items {
			m[tm.Name] = tm.ResourceVersion
		}
		return m
	}
	rvBefore := versions()
	cacheBefore := introspect.DefaultSchemaCache.Stats()
	resync()
	cacheAfter := introspect.DefaultSchemaCache.Stats()
	writes := 0
	for name, rv := range versions() {
		if rvBefore[name] != rv {
			writes++
		}
	}
	resyncDDL := ddlStats(ns, "c1").Statements + ddlStats(ns, "c2").Statements - ddl
	b.ReportMetric(elapsed.Seconds(), "s-until-ready")
	b.ReportMetric(float64(ddl), "ddl-statements")
	b.ReportMetric(float64(cacheAfter.SchemaQueries-cacheBefore.SchemaQueries), "schema-queries/resync")
	b.ReportMetric(float64(cacheAfter.ChangeChecks-cacheBefore.ChangeChecks), "change-checks/resync")
	b.ReportMetric(float64(writes), "status-writes/resync")
	b.ReportMetric(float64(resyncDDL), "ddl/resync")
	b.Logf("%d TableModels x 2 clusters: all Ready after %s, %d DDL statements; one resync of all: %d system_schema queries, %d schema-version reads, %d status writes, %d DDL",
		n, elapsed.Round(time.Millisecond), ddl, cacheAfter.SchemaQueries-cacheBefore.SchemaQueries,
		cacheAfter.ChangeChecks-cacheBefore.ChangeChecks, writes, resyncDDL)
}

func benchWait(b *testing.B, timeout time.Duration, cond func() error) {
	b.Helper()
	deadline := time.Now().Add(timeout)
	for {
		err := cond()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			b.Fatalf("not true after %s: %v", timeout, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func namespaceObj(name string) client.Object {
	return &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}
}
