package apply

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	gocql "github.com/apache/cassandra-gocql-driver/v2"

	"github.com/cqlsync/cqlsync/internal/cql/plan"
)

// requestErr is a gocql.RequestError as the driver returns it for a server error.
type requestErr struct {
	code int
	msg  string
}

func (e requestErr) Code() int       { return e.code }
func (e requestErr) Message() string { return e.msg }
func (e requestErr) Error() string   { return e.msg }

func TestUnknownDatacenter(t *testing.T) {
	tests := []struct {
		name   string
		err    error
		wantDC string
		wantOK bool
	}{
		{"cassandra 5.0 message", requestErr{gocql.ErrCodeConfig,
			"Unrecognized strategy option {dc9} passed to NetworkTopologyStrategy for keyspace zzprobe"}, "dc9", true},
		{"wrapped", fmt.Errorf("alter: %w", requestErr{gocql.ErrCodeConfig,
			"Unrecognized strategy option {DC West} passed to NetworkTopologyStrategy for keyspace MyKs"}), "DC West", true},
		{"other config error", requestErr{gocql.ErrCodeConfig, "Configuration for at least one datacenter must be present"}, "", false},
		{"same text, other code", requestErr{gocql.ErrCodeInvalid,
			"Unrecognized strategy option {dc9} passed to NetworkTopologyStrategy for keyspace ks"}, "", false},
		{"plain error", errors.New("Unrecognized strategy option {dc9} passed to NetworkTopologyStrategy for keyspace ks"), "", false},
		{"nil", nil, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dc, ok := UnknownDatacenter(tt.err)
			if dc != tt.wantDC || ok != tt.wantOK {
				t.Errorf("UnknownDatacenter = %q, %t; want %q, %t", dc, ok, tt.wantDC, tt.wantOK)
			}
		})
	}
}

func TestErrorMessages(t *testing.T) {
	st := plan.Statement{Summary: `alter keyspace "ks": durable_writes true -> false`}
	tests := []struct {
		err  error
		want []string
	}{
		{&UnknownDatacenterError{Datacenter: "dc9", Known: []string{"dc1", "dc2"}}, []string{`"dc9"`, "dc1, dc2"}},
		{&UnknownDatacenterError{Datacenter: "dc9"}, []string{`"dc9"`, "could not be read"}},
		{&DisagreementError{Versions: []string{"a", "b"}}, []string{"disagree", "a, b", "no DDL was run"}},
		{&DisagreementError{After: &st, Waited: 2 * time.Second, Versions: []string{"a", "b"}}, []string{st.Summary, "within 2s", "a, b"}},
		{&StatementError{Statement: st, Err: errors.New("boom")}, []string{st.Summary, "boom"}},
	}
	for _, tt := range tests {
		for _, w := range tt.want {
			if !strings.Contains(tt.err.Error(), w) {
				t.Errorf("%q does not say %q", tt.err.Error(), w)
			}
		}
	}
}

func TestEmptyPlanOnlyCounts(t *testing.T) {
	e := NewExecutor()
	// No session: an empty plan must not touch it.
	done, err := e.Apply(context.Background(), Target{Key: "ns/c1"}, nil)
	if err != nil || len(done) != 0 {
		t.Fatalf("Apply(empty) = %v, %v", done, err)
	}
	if got := e.Stats("ns/c1"); got != (Stats{Plans: 1}) {
		t.Fatalf("Stats = %+v, want one plan and no statement", got)
	}
	if got := e.Stats("ns/other"); got != (Stats{}) {
		t.Fatalf("Stats of an unused key = %+v", got)
	}
}

func TestLockSerialisesPerKey(t *testing.T) {
	e := NewExecutor()
	ctx := context.Background()
	unlock, err := e.lock(ctx, "ns/a")
	if err != nil {
		t.Fatal(err)
	}

	// Another key is not blocked.
	unlockB, err := e.lock(ctx, "ns/b")
	if err != nil {
		t.Fatalf("a different key must not wait: %v", err)
	}
	unlockB()

	// The same key waits, and gives up when its context ends.
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if _, err := e.lock(short, "ns/a"); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("a second holder of the same key must wait; got %v", err)
	}

	// Once released, the next waiter gets it.
	got := make(chan error, 1)
	go func() {
		u, err := e.lock(ctx, "ns/a")
		if err == nil {
			u()
		}
		got <- err
	}()
	select {
	case err := <-got:
		t.Fatalf("the lock was taken while held: %v", err)
	case <-time.After(50 * time.Millisecond):
	}
	unlock()
	select {
	case err := <-got:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the waiter did not get the lock after it was released")
	}
}

// Two connections to one cluster share its lock; a connection whose cluster is not known yet has
// its own.
func TestLockKeyIsTheCluster(t *testing.T) {
	a := Target{Key: "team-a/prod", Cluster: "prod/0b6e"}
	b := Target{Key: "team-b/shared", Cluster: "prod/0b6e"}
	c := Target{Key: "team-c/prod"}
	if a.lockKey() != b.lockKey() || a.lockKey() == c.lockKey() || c.lockKey() != "connection team-c/prod" {
		t.Fatalf("lock keys %q %q %q", a.lockKey(), b.lockKey(), c.lockKey())
	}
}
