package backfill

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	gocql "github.com/apache/cassandra-gocql-driver/v2"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
	"github.com/cqlsync/cqlsync/internal/cql/introspect"
	"github.com/cqlsync/cqlsync/test/rig/testenv"
)

// TestCopyOnCassandra copies a table with every shape of column (a converted int, text, a
// non-frozen set and map with per-element writetimes and TTLs, a non-frozen user-defined type
// with per-field writetimes, a frozen list, a row with no regular cell, a row whose new key is
// null) into a table with a new primary key, on cluster1, and checks each cell's value,
// writetime and TTL; then that a second run writes the same cells, that a newer application
// write survives a copy, and that a row removed from the target is found by the verification
// and copied again.
func TestCopyOnCassandra(t *testing.T) {
	s, exec := cluster1(t)
	ctx := context.Background()
	exec(`DROP KEYSPACE IF EXISTS bf_core`)
	exec(`CREATE KEYSPACE bf_core WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}`)
	exec(`CREATE TYPE bf_core.addr (street text, zip int)`)
	exec(`CREATE TABLE bf_core.v1 (id int PRIMARY KEY, customer text, qty int, tags set<text>, attrs map<text, int>, home addr, hist frozen<list<int>>, note text)`)
	exec(`CREATE TABLE bf_core.v2 (customer_id text, id int, qty bigint, tags set<text>, attrs map<text, int>, home addr, hist frozen<list<int>>, PRIMARY KEY ((customer_id), id))`)
	exec(`CREATE TABLE bf_core.counts (id int PRIMARY KEY, n counter)`)

	const rows = 300
	for i := range rows {
		exec(`INSERT INTO bf_core.v1 (id, customer, qty, hist, note) VALUES (?, ?, ?, ?, ?) USING TIMESTAMP ?`, i, fmt.Sprintf("c%d", i%7), i, []int{i, i + 1}, "n", int64(1000+i))
		if i%3 == 0 {
			exec(`UPDATE bf_core.v1 USING TIMESTAMP ? AND TTL 5000 SET tags = tags + {'a'}, attrs = attrs + {'x': 1} WHERE id = ?`, int64(2000+i), i)
			exec(`UPDATE bf_core.v1 USING TIMESTAMP ? SET tags = tags + {'b'}, home = {street: 's', zip: 1} WHERE id = ?`, int64(3000+i), i)
			exec(`UPDATE bf_core.v1 USING TIMESTAMP ? SET home.zip = 2 WHERE id = ?`, int64(4000+i), i)
		}
	}
	exec(`INSERT INTO bf_core.v1 (id, customer) VALUES (1000, 'k')`) // no regular cell but the key
	exec(`INSERT INTO bf_core.v1 (id, qty) VALUES (1001, 5)`)        // a null new key: skipped

	plan := func(src, dst string, cols []cqlv1.BackfillColumn) (*Mapping, *Refusal) {
		ks, _, err := introspect.ReadKeyspaceSchema(ctx, s, "bf_core")
		if err != nil {
			t.Fatal(err)
		}
		return Plan(ks.Tables[src], ks.Tables[dst], ks.Types, ks.Types, cols)
	}
	cols := []cqlv1.BackfillColumn{{Target: "customer_id", Source: "customer"}}
	m, r := plan("v1", "v2", cols)
	if r != nil {
		t.Fatalf("Plan: %v", r)
	}
	// Refusals name the column and the reason.
	for _, c := range []struct {
		src, dst, reason string
		cols             []cqlv1.BackfillColumn
	}{
		{"counts", "v2", cqlv1.ReasonCounterTable, cols},
		{"v1", "v2", cqlv1.ReasonUnmappedKey, nil},
		{"v2", "v1", cqlv1.ReasonUnsafeConversion, []cqlv1.BackfillColumn{{Target: "customer", Source: "customer_id"}}},
		{"v1", "v2", cqlv1.ReasonInvalidSpec, append([]cqlv1.BackfillColumn{{Target: "nope"}}, cols...)},
	} {
		if _, r := plan(c.src, c.dst, c.cols); r == nil || r.Reason != c.reason {
			t.Errorf("Plan(%s -> %s, %v) = %v, want reason %s", c.src, c.dst, c.cols, r, c.reason)
		}
	}

	cfg := Config{Session: s, Mapping: m, Splits: 16, Share: All, Concurrency: 3, PageSize: 50,
		Consistency: gocql.One, KeyOnlyTimestamp: 77}
	events := run(t, cfg, Done{})
	verified, skipped := 0, int64(0)
	for _, e := range events {
		if e.Kind == SplitVerified {
			verified++
			skipped += e.Skipped
		}
	}
	if verified != 16 || skipped != 1 {
		t.Fatalf("verified %d splits, skipped %d rows; want 16 and 1 (events %+v)", verified, skipped, events)
	}

	first := dump(t, s, "v2")
	if len(first) != rows+1 {
		t.Fatalf("target has %d rows, want %d", len(first), rows+1)
	}
	// Per cell: the source's value, writetime and TTL.
	src := dump(t, s, "v1")
	for id, got := range first {
		want := src[id]
		if got["qty"] != want["qty"] || got["wt(qty)"] != want["wt(qty)"] || got["home"] != want["home"] ||
			got["wt(home.zip)"] != want["wt(home.zip)"] || got["wt(home.street)"] != want["wt(home.street)"] ||
			got["tags"] != want["tags"] || got["wt(tags)"] != want["wt(tags)"] || got["attrs"] != want["attrs"] ||
			got["hist"] != want["hist"] || got["wt(hist)"] != want["wt(hist)"] || !closeTTL(got["ttl(tags)"], want["ttl(tags)"]) {
			t.Errorf("row %s:\n got  %v\n want %v", id, got, want)
		}
	}
	if first["1000"]["customer_id"] != "k" {
		t.Errorf("the row with no regular cell = %v", first["1000"])
	}

	// A second run over the same splits writes the same cells.
	run(t, cfg, Done{})
	if second := dump(t, s, "v2"); fmt.Sprint(stripTTL(second)) != fmt.Sprint(stripTTL(first)) {
		t.Errorf("a second copy changed the target")
	}

	// An application write, newer, survives a copy.
	exec(`UPDATE bf_core.v2 SET qty = 999 WHERE customer_id = 'c3' AND id = 3`)
	events = run(t, cfg, Done{})
	if after := dump(t, s, "v2"); kinds(events)[SplitMismatched] != 0 || after["3"]["qty"] != "999" {
		t.Errorf("after a copy over a newer write: qty %s, %d mismatched splits", after["3"]["qty"], kinds(events)[SplitMismatched])
	}

	// Rows missing from the target (never copied, though recorded as copied) are found by the
	// verification and copied again.
	exec(`TRUNCATE bf_core.v2`)
	var copied Set
	for s := range 16 {
		copied.Add(s)
	}
	events = run(t, cfg, Done{Copied: copied})
	if k := kinds(events); k[SplitMismatched] != 16 || k[SplitVerified] != 16 || len(dump(t, s, "v2")) != rows+1 {
		t.Errorf("after the target was emptied: %v, %d rows", k, len(dump(t, s, "v2")))
	}
	for _, e := range events {
		if e.Kind == SplitMismatched && e.Example == "" {
			t.Errorf("a mismatch without an example: %+v", e)
		}
	}

	// A row the application deleted from the target only (a newer tombstone than the source's
	// cells) cannot be copied back: the verification says so, naming the split.
	exec(`DELETE FROM bf_core.v2 WHERE customer_id = 'c4' AND id = 4`)
	cfg.MaxAttempts = 2
	err := Run(ctx, cfg, Done{}, func(Event) {})
	var verr *VerificationError
	if !errors.As(err, &verr) || len(verr.Splits) != 1 || !strings.Contains(verr.Error(), `"id"=4: the row is missing`) {
		t.Errorf("Run after a deletion in the target only = %v, want a VerificationError of one split", err)
	}
}

// cluster1 is a session on the rig's cluster1, closed when the test ends, and a function that runs
// a statement on it and fails the test when the statement fails.
func cluster1(t *testing.T) (*gocql.Session, func(q string, args ...any)) {
	t.Helper()
	s := testenv.CQLSession(t, testenv.Cassandra(t).Cluster1)
	return s, func(q string, args ...any) {
		t.Helper()
		if err := s.Query(q, args...).Exec(); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}

func kinds(events []Event) map[EventKind]int {
	out := map[EventKind]int{}
	for _, e := range events {
		out[e.Kind]++
	}
	return out
}

func run(t *testing.T, cfg Config, done Done) []Event {
	t.Helper()
	var mu sync.Mutex
	var events []Event
	if err := Run(context.Background(), cfg, done, func(e Event) {
		mu.Lock()
		events = append(events, e)
		mu.Unlock()
	}); err != nil {
		t.Fatalf("Run: %v", err)
	}
	return events
}

// dump reads a table as id -> column -> text, with writetimes and TTLs.
func dump(t *testing.T, s *gocql.Session, table string) map[string]map[string]string {
	t.Helper()
	out := map[string]map[string]string{}
	iter := s.Query(`SELECT id, qty, WRITETIME(qty), tags, WRITETIME(tags), TTL(tags), attrs, home, WRITETIME(home.zip), WRITETIME(home.street), hist, WRITETIME(hist), ` +
		map[string]string{"v1": "customer", "v2": "customer_id"}[table] + ` FROM bf_core.` + table).Iter()
	cols := []string{"id", "qty", "wt(qty)", "tags", "wt(tags)", "ttl(tags)", "attrs", "home", "wt(home.zip)", "wt(home.street)", "hist", "wt(hist)", "customer_id"}
	for {
		m := map[string]any{}
		if !iter.MapScan(m) {
			break
		}
		row := map[string]string{}
		vals := []any{m["id"], m["qty"], m["writetime(qty)"], m["tags"], m["writetime(tags)"], m["ttl(tags)"], m["attrs"], m["home"],
			m["writetime(home.zip)"], m["writetime(home.street)"], m["hist"], m["writetime(hist)"], m["customer"]}
		if table == "v2" {
			vals[12] = m["customer_id"]
		}
		for i, c := range cols {
			row[c] = fmt.Sprint(vals[i])
		}
		out[row["id"]] = row
	}
	if err := iter.Close(); err != nil {
		t.Fatal(err)
	}
	return out
}

// closeTTL: remaining TTLs ("[4990 0]") read a moment apart differ by at most a few seconds.
func closeTTL(a, b string) bool {
	x, y := strings.Fields(strings.Trim(a, "[]")), strings.Fields(strings.Trim(b, "[]"))
	if len(x) != len(y) {
		return false
	}
	for i := range x {
		p, err1 := strconv.Atoi(x[i])
		q, err2 := strconv.Atoi(y[i])
		if err1 != nil || err2 != nil || p-q > 5 || q-p > 5 {
			return false
		}
	}
	return true
}

func stripTTL(d map[string]map[string]string) []string {
	var out []string
	for id, row := range d {
		r := map[string]string{}
		for k, v := range row {
			if k != "ttl(tags)" {
				r[k] = v
			}
		}
		out = append(out, id+fmt.Sprint(r))
	}
	sort.Strings(out)
	return out
}

// TestCopiedTTLsExpireWithTheSource copies, on cluster1, 25 rows with TTLs that the driver holds
// in one page while a rate limit of 5 rows a second lets them through over about 5 seconds: each
// copied cell must still expire when its source cell does, to the second. (Ageing a row's TTLs
// from when it was reached in the page, rather than when the page was read, made the last rows
// of a page live as many seconds longer as the page had waited.)
func TestCopiedTTLsExpireWithTheSource(t *testing.T) {
	s, exec := cluster1(t)
	ctx := context.Background()
	exec(`DROP KEYSPACE IF EXISTS bf_ttl`)
	exec(`CREATE KEYSPACE bf_ttl WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}`)
	exec(`CREATE TABLE bf_ttl.v1 (id int PRIMARY KEY, note text)`)
	exec(`CREATE TABLE bf_ttl.v2 (id int, note text, PRIMARY KEY ((id)))`)
	const rows = 25
	for i := range rows {
		exec(`INSERT INTO bf_ttl.v1 (id, note) VALUES (?, 'n') USING TTL 5000`, i)
	}
	ks, _, err := introspect.ReadKeyspaceSchema(ctx, s, "bf_ttl")
	if err != nil {
		t.Fatal(err)
	}
	m, r := Plan(ks.Tables["v1"], ks.Tables["v2"], ks.Types, ks.Types, nil)
	if r != nil {
		t.Fatalf("Plan: %v", r)
	}
	begin := time.Now()
	run(t, Config{Session: s, Mapping: m, Splits: 1, Share: All, Concurrency: 1, PageSize: 100, RowsPerSecond: 5,
		Consistency: gocql.One}, Done{})
	if took := time.Since(begin); took < 4*time.Second {
		t.Fatalf("the copy took %s: the rate limit did not hold the page's rows back, so this test proves nothing", took)
	}
	// Both tables' TTLs, read back to back: a target TTL may trail the source's by the second
	// between the two reads and the second of rounding, and must never exceed it by more than a
	// second.
	ttls := func(table string) map[int]int {
		out := map[int]int{}
		iter := s.Query(`SELECT id, TTL(note) FROM bf_ttl.` + table).Iter()
		var id, ttl int
		for iter.Scan(&id, &ttl) {
			out[id] = ttl
		}
		if err := iter.Close(); err != nil {
			t.Fatal(err)
		}
		return out
	}
	source, target := ttls("v1"), ttls("v2")
	if len(target) != rows {
		t.Fatalf("the target has %d rows, want %d", len(target), rows)
	}
	for id, want := range source {
		if got := target[id]; got-want > 1 || want-got > 2 {
			t.Errorf("row %d: TTL %d in the target, %d in the source", id, got, want)
		}
	}
}
