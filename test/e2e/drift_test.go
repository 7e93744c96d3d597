package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	gocql "github.com/apache/cassandra-gocql-driver/v2"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
	"github.com/cqlsync/cqlsync/internal/cql/introspect"
	"github.com/cqlsync/cqlsync/test/rig/testenv"
)

// driftBound is the correctness bound of drift correction: every out-of-band change is set back
// (or reported, where the spec does not allow setting it back) within it, although the manager
// runs with the production drift interval of 5 minutes. It has ample margin: corrections take
// well under a second on the test machine.
const driftBound = 5 * time.Second

// TestDriftCorrectedInSeconds runs the manager with its production flags (a 5-minute drift
// interval) and changes the schema behind its back, one change at a time, on every kind of object
// it manages: the keyspace's replication and durable_writes; each table option it manages; an
// index dropped or changed; a column dropped; the table dropped; the type dropped; a field added to
// the type (which Cassandra cannot drop: reported as Blocked). It measures the time from the
// change to its correction, read from system_schema (not from status), and fails above driftBound.
func TestDriftCorrectedInSeconds(t *testing.T) {
	rig := testenv.Cassandra(t)
	driftScenario(t, startOperator(t), rig.Cluster1, "default", "5.0")
}

// driftScenario is TestDriftCorrectedInSeconds on the cluster at host, of the given release
// (major.minor), with the resources in namespace ns (created unless it is "default"). The
// compatibility tests run it on each release.
func driftScenario(t *testing.T, op operator, host, ns, release string) {
	ks := fmt.Sprintf("drift_e2e_%d", time.Now().UnixNano()%1000000)
	dropKeyspaceAfter(t, host, ks)
	s := testenv.CQLSession(t, host)
	if ns != "default" {
		op.kubectl("create", "namespace", ns)
	}

	manifest := filepath.Join(t.TempDir(), "drift.yaml")
	if err := os.WriteFile(manifest, []byte(fmt.Sprintf(`apiVersion: cqlsync.io/v1alpha1
kind: CassandraConnection
metadata: {name: cluster1}
spec: {hosts: [%[1]q], default: true}
---
apiVersion: cqlsync.io/v1alpha1
kind: Keyspace
metadata: {name: drift}
spec:
  name: %[2]s
  replication: {strategy: SimpleStrategy, replicationFactor: 1}
---
apiVersion: cqlsync.io/v1alpha1
kind: UserType
metadata: {name: address}
spec:
  keyspaces: [%[2]s]
  fields: [{name: street, type: text}, {name: zip, type: int}]
---
apiVersion: cqlsync.io/v1alpha1
kind: UserType
metadata: {name: tag}
spec:
  keyspaces: [%[2]s]
  fields: [{name: label, type: text}, {name: weight, type: int}]
---
apiVersion: cqlsync.io/v1alpha1
kind: TableModel
metadata: {name: readings}
spec:
  keyspaces: [%[2]s]
  columns: [{name: id, type: int}, {name: v, type: text}, {name: w, type: int}, {name: home, type: frozen<address>}]
  partitionKey: [id]
  indexes: [{name: by_v, column: v}]
  options:
    comment: managed
    defaultTimeToLive: 100
    gcGraceSeconds: 3600
    bloomFilterFpChance: "0.02"
    speculativeRetry: 95p
    additionalWritePolicy: 90p
    memtableFlushPeriodInMs: 60000
    minIndexInterval: 64
    maxIndexInterval: 1024
    crcCheckChance: "0.9"
    readRepair: NONE
    compaction: {class: LeveledCompactionStrategy}
    compression: {class: LZ4Compressor, chunk_length_in_kb: "32"}
    caching: {keys: NONE, rows_per_partition: NONE}
---
apiVersion: cqlsync.io/v1alpha1
kind: TableModel
metadata: {name: scratch}
spec:
  keyspaces: [%[2]s]
  columns: [{name: id, type: int}]
  partitionKey: [id]
`, host, ks)), 0o600); err != nil {
		t.Fatal(err)
	}
	op.kubectl("apply", "-n", ns, "-f", manifest)
	op.kubectl("wait", "-n", ns, "--for=condition=Ready", "cassandraconnection,keyspace,usertype,tablemodel", "--all", "--timeout=180s")

	ctx := context.Background()
	table := func() *introspect.Table {
		live, _, err := introspect.ReadKeyspaceSchema(ctx, s, ks)
		if err != nil || live == nil {
			t.Fatalf("reading %s: %v", ks, err)
		}
		return live.Tables["readings"]
	}
	spec := table()
	q := `"` + ks + `"."readings"`
	type driftCase struct {
		name string
		// change is the out-of-band DDL; corrected says whether the live schema is back to spec
		// (or, for what cannot be set back, whether status reports it).
		change    []string
		corrected func() bool
	}
	sameTable := func() bool {
		got := table()
		return got != nil && fmt.Sprint(got) == fmt.Sprint(spec)
	}
	keyspaceIs := func(rf string, durable bool) func() bool {
		return func() bool {
			k, err := introspect.ReadKeyspace(ctx, s, ks)
			return err == nil && k != nil && k.Replication["replication_factor"] == rf && k.DurableWrites == durable
		}
	}
	cases := []driftCase{
		{"keyspace replication", []string{`ALTER KEYSPACE "` + ks + `" WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 2}`}, keyspaceIs("1", true)},
		{"keyspace durable_writes", []string{`ALTER KEYSPACE "` + ks + `" WITH durable_writes = false`}, keyspaceIs("1", true)},
	}
	options := []struct{ name, value string }{
		{"comment", `'hacked'`},
		{"default_time_to_live", `7`},
		{"gc_grace_seconds", `7`},
		{"bloom_filter_fp_chance", `0.5`},
		{"speculative_retry", `'ALWAYS'`},
		{"additional_write_policy", `'NEVER'`},
		{"memtable_flush_period_in_ms", `0`},
		{"min_index_interval", `32`},
		{"max_index_interval", `4096`},
		{"crc_check_chance", `0.5`},
		{"read_repair", `'BLOCKING'`},
		{"compaction", `{'class': 'SizeTieredCompactionStrategy'}`},
		{"compression", `{'class': 'DeflateCompressor'}`},
		{"caching", `{'keys': 'ALL', 'rows_per_partition': 'NONE'}`},
	}
	if strings.HasPrefix(release, "4.") {
		// Cassandra 4.x's ALTER TABLE accepts additional_write_policy and changes nothing: there
		// is no drift to make that way (and cqlsync refuses to change it: UnsupportedByServer).
		options = slices.DeleteFunc(options, func(o struct{ name, value string }) bool { return o.name == "additional_write_policy" })
	}
	for _, opt := range options {
		cases = append(cases, driftCase{"table option " + opt.name, []string{`ALTER TABLE ` + q + ` WITH ` + opt.name + ` = ` + opt.value}, sameTable})
	}
	cases = append(cases,
		driftCase{"index dropped", []string{`DROP INDEX "` + ks + `"."by_v"`}, sameTable},
		// An index redefined out of band is a DROP then a CREATE: the DROP alone is corrected
		// before the CREATE can run. An index added out of band is reported (kept without
		// spec.allowDropIndexes).
		driftCase{"index added (reported)", []string{`CREATE INDEX "by_w" ON ` + q + ` (w)`}, func() bool {
			return statusHas(op, ns, "tablemodel", "readings", `index "by_w" (on w) is not in spec.indexes`)
		}},
		driftCase{"index added, then dropped", []string{`DROP INDEX "` + ks + `"."by_w"`}, func() bool {
			return !statusHas(op, ns, "tablemodel", "readings", `"by_w"`)
		}},
		driftCase{"column dropped", []string{`ALTER TABLE ` + q + ` DROP w`}, sameTable},
		driftCase{"table dropped", []string{`DROP TABLE "` + ks + `"."scratch"`}, func() bool {
			live, _, err := introspect.ReadKeyspaceSchema(ctx, s, ks)
			return err == nil && live != nil && live.Tables["scratch"] != nil
		}},
	)
	var figures []string
	for _, c := range cases {
		figures = append(figures, measureDrift(t, s, c.name, c.change, c.corrected))
	}
	// A type no table uses, dropped: created again. A field added: reported Blocked, naming it
	// (Cassandra cannot drop a field).
	figures = append(figures, measureDrift(t, s, "type dropped", []string{`DROP TYPE "` + ks + `"."tag"`}, func() bool {
		live, _, err := introspect.ReadKeyspaceSchema(ctx, s, ks)
		return err == nil && live != nil && live.Types["tag"] != nil && len(live.Types["tag"].Fields) == 2
	}))
	figures = append(figures, measureDrift(t, s, "type field added (reported)", []string{`ALTER TYPE "` + ks + `"."tag" ADD extra text`}, func() bool {
		st := schemaStatus(op, ns, "usertype", "tag")
		return len(st.Targets) == 1 && st.Targets[0].State == cqlv1.TargetBlocked && strings.Contains(st.Targets[0].Message, `"extra"`)
	}))
	t.Logf("time from an out-of-band change to its correction (bound %s):\n%s", driftBound, strings.Join(figures, "\n"))
	// The corrections were cqlsync's: one event per statement it ran.
	evs := op.kubectl("get", "events", "-n", ns, "-o", "custom-columns=REASON:.reason,NOTE:.note", "--sort-by=.metadata.creationTimestamp")
	for _, want := range []string{"KeyspaceAltered", "TableOptionsChanged", "IndexCreated", "ColumnsAdded", "TableCreated", "TypeCreated"} {
		if !strings.Contains(evs, want) {
			t.Errorf("no %s event among:\n%s", want, evs)
		}
	}
	if n := strings.Count(evs, "TableOptionsChanged"); n < len(options) {
		t.Errorf("%d TableOptionsChanged events, want one per option changed (%d):\n%s", n, len(options), evs)
	}
}

// measureDrift runs the change and polls until corrected says the drift is gone, failing the test
// above driftBound (it keeps waiting a while longer, to report how long it did take).
func measureDrift(t *testing.T, s *gocql.Session, name string, change []string, corrected func() bool) string {
	t.Helper()
	for _, stmt := range change {
		if err := s.Query(stmt).Exec(); err != nil {
			t.Fatalf("%s: %s: %v", name, stmt, err)
		}
	}
	start := time.Now()
	for !corrected() {
		if time.Since(start) > 30*time.Second {
			t.Errorf("%s: not corrected within 30s (bound %s)", name, driftBound)
			return fmt.Sprintf("  %-40s not corrected", name)
		}
		time.Sleep(50 * time.Millisecond)
	}
	took := time.Since(start)
	if took > driftBound {
		t.Errorf("%s: corrected after %s, above the bound of %s", name, took.Round(time.Millisecond), driftBound)
	}
	return fmt.Sprintf("  %-40s %s", name, took.Round(time.Millisecond))
}

// schemaStatus is the status of a Keyspace, TableModel or UserType, or an empty one when it cannot
// be read.
func schemaStatus(op operator, ns, kind, name string) cqlv1.SchemaStatus {
	var obj struct {
		Status cqlv1.SchemaStatus `json:"status"`
	}
	_ = json.Unmarshal([]byte(op.kubectl("get", kind, name, "-n", ns, "-o", "json")), &obj)
	return obj.Status
}

// statusHas reports whether a resource's targets list drift containing text.
func statusHas(op operator, ns, kind, name, text string) bool {
	for _, tg := range schemaStatus(op, ns, kind, name).Targets {
		for _, d := range tg.Drift {
			if strings.Contains(d, text) {
				return true
			}
		}
	}
	return false
}
