// Package metrics defines cqlsync's Prometheus metrics, registered in controller-runtime's
// registry and served on the manager's metrics endpoint (--metrics-bind-address). Labels are
// bounded: connections (namespace/name), kinds, statement kinds, target states and results;
// never a keyspace, table or type name.
//
//	cqlsync_ddl_statements_total{connection, kind, statement, result}   counter
//	cqlsync_ddl_duration_seconds{statement}                           histogram
//	cqlsync_schema_agreement_wait_seconds                             histogram
//	cqlsync_targets{kind, state}                                      gauge
//	cqlsync_drift_corrections_total{kind}                             counter
//	cqlsync_sessions_open                                             gauge
//	cqlsync_connection_up{connection}                                 gauge
//	cqlsync_status_writes_total{kind}                                 counter
//	cqlsync_schema_reads_total{read}                                  counter (check, object, full, hit)
//	cqlsync_system_schema_queries_total                               counter
//	cqlsync_backfill_rows_total{result}                               counter (copied, verified, mismatched, skipped)
//	cqlsync_backfill_splits_total{result}                             counter (copied, verified, mismatched)
package metrics

import (
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	ctrlmetrics "sigs.k8s.io/controller-runtime/pkg/metrics"

	"github.com/cqlsync/cqlsync/internal/cql/apply"
	"github.com/cqlsync/cqlsync/internal/cql/introspect"
	"github.com/cqlsync/cqlsync/internal/cql/plan"
)

var (
	ddlStatements = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "cqlsync_ddl_statements_total",
		Help: "DDL statements sent to Cassandra, by connection (namespace/name), object kind (keyspace, table, type), statement kind and result (ok or error).",
	}, []string{"connection", "kind", "statement", "result"})
	ddlDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "cqlsync_ddl_duration_seconds",
		Help:    "Time from sending a DDL statement to its answer (the driver's own agreement check included), by statement kind.",
		Buckets: prometheus.ExponentialBuckets(0.005, 2, 14),
	}, []string{"statement"})
	agreementWait = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:    "cqlsync_schema_agreement_wait_seconds",
		Help:    "Time waited for the reachable nodes to agree on the schema after a DDL statement.",
		Buckets: prometheus.ExponentialBuckets(0.001, 2, 16),
	})
	driftCorrections = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "cqlsync_drift_corrections_total",
		Help: "Targets on which statements ran to set back an out-of-band change (the spec had not changed), by resource kind.",
	}, []string{"kind"})
	connectionUp = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "cqlsync_connection_up",
		Help: "1 when the connection (namespace/name; cluster-scoped ones as /name) is Ready, 0 otherwise.",
	}, []string{"connection"})
	statusWrites = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "cqlsync_status_writes_total",
		Help: "Status writes of cqlsync resources, by kind: a reconcile with nothing new writes none.",
	}, []string{"kind"})
)

// Sources are what the collectors read at scrape time.
type Sources struct {
	// OpenSessions counts the open sessions (registry.Registry.Open).
	OpenSessions func() int
	// Cache is the live-schema cache whose reads are counted.
	Cache *introspect.SchemaCache
}

var registerOnce sync.Once

// Register registers every metric in controller-runtime's registry, with the collectors that read
// src. Only the first call registers.
func Register(src Sources) {
	registerOnce.Do(func() {
		ctrlmetrics.Registry.MustRegister(ddlStatements, ddlDuration, agreementWait, driftCorrections, connectionUp, statusWrites,
			Targets, backfillRows, backfillSplits, &scrapeCollector{src: src})
	})
}

// scrapeCollector reads the sessions and the cache's counters at scrape time.
type scrapeCollector struct{ src Sources }

var (
	sessionsOpenDesc  = prometheus.NewDesc("cqlsync_sessions_open", "Open Cassandra sessions: one per connection in use, however many resources use it.", nil, nil)
	schemaReadsDesc   = prometheus.NewDesc("cqlsync_schema_reads_total", "Reads of the live schema by what they cost: hit (no query), check (one query: did the keyspace change?), object (a table, type or keyspace row read again), full (a whole keyspace read).", []string{"read"}, nil)
	schemaQueriesDesc = prometheus.NewDesc("cqlsync_system_schema_queries_total", "Queries sent to system_schema to read the live schema.", nil, nil)
)

func (c *scrapeCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- sessionsOpenDesc
	ch <- schemaReadsDesc
	ch <- schemaQueriesDesc
}

func (c *scrapeCollector) Collect(ch chan<- prometheus.Metric) {
	if c.src.OpenSessions != nil {
		ch <- prometheus.MustNewConstMetric(sessionsOpenDesc, prometheus.GaugeValue, float64(c.src.OpenSessions()))
	}
	if c.src.Cache != nil {
		st := c.src.Cache.Stats()
		for read, n := range map[string]int64{"hit": st.Hits, "check": st.ChangeChecks, "object": st.ObjectReads, "full": st.FullReads} {
			ch <- prometheus.MustNewConstMetric(schemaReadsDesc, prometheus.CounterValue, float64(n), read)
		}
		ch <- prometheus.MustNewConstMetric(schemaQueriesDesc, prometheus.CounterValue, float64(st.SchemaQueries))
	}
}

// Executor is the apply.Observer that counts DDL.
type Executor struct{}

var _ apply.Observer = Executor{}

// Statement counts a statement and its duration.
func (Executor) Statement(t apply.Target, st plan.Statement, took time.Duration, err error) {
	result := "ok"
	if err != nil {
		result = "error"
	}
	ddlStatements.WithLabelValues(t.Key, objectKind(st.Kind), string(st.Kind), result).Inc()
	ddlDuration.WithLabelValues(string(st.Kind)).Observe(took.Seconds())
}

// AgreementWait records a wait for schema agreement.
func (Executor) AgreementWait(_ apply.Target, took time.Duration) {
	agreementWait.Observe(took.Seconds())
}

// objectKind is the kind of object a statement changes: keyspace, table (its columns, options and
// indexes) or type.
func objectKind(k plan.Kind) string {
	s := string(k)
	switch {
	case strings.HasSuffix(s, "Keyspace"):
		return "keyspace"
	case strings.HasSuffix(s, "Type"), k == plan.AddField:
		return "type"
	}
	return "table"
}

// DriftCorrected counts a target on which statements ran to set back drift.
func DriftCorrected(kind string) { driftCorrections.WithLabelValues(kind).Inc() }

// StatusWritten counts a status write.
func StatusWritten(kind string) { statusWrites.WithLabelValues(kind).Inc() }

// ConnectionUp sets whether a connection is Ready.
func ConnectionUp(connection string, up bool) {
	v := 0.0
	if up {
		v = 1
	}
	connectionUp.WithLabelValues(connection).Set(v)
}

// ConnectionGone forgets a deleted connection.
func ConnectionGone(connection string) { connectionUp.DeleteLabelValues(connection) }

var (
	backfillRows = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "cqlsync_backfill_rows_total",
		Help: "Source rows a Backfill scanned in splits it copied, verified or found mismatched, by result (copied, verified, mismatched, skipped).",
	}, []string{"result"})
	backfillSplits = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "cqlsync_backfill_splits_total",
		Help: "Backfill splits copied, verified, or found mismatched (and copied again), by result.",
	}, []string{"result"})
)

// BackfillSplit counts a Backfill split done with a result (copied, verified, mismatched) and its rows.
func BackfillSplit(result string, rows int64) {
	backfillSplits.WithLabelValues(result).Inc()
	backfillRows.WithLabelValues(result).Add(float64(rows))
}

// BackfillSkipped counts source rows a Backfill could not copy.
func BackfillSkipped(rows int64) { backfillRows.WithLabelValues("skipped").Add(float64(rows)) }
