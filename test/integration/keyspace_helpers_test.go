package integration

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"

	gocql "github.com/apache/cassandra-gocql-driver/v2"
	eventsv1 "k8s.io/api/events/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
	"github.com/cqlsync/cqlsync/internal/cql/apply"
	"github.com/cqlsync/cqlsync/internal/cql/registry"
)

const keyspaceTimeout = 90 * time.Second

func keyspaceObj(ns, name string, spec cqlv1.KeyspaceSpec) *cqlv1.Keyspace {
	return &cqlv1.Keyspace{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}, Spec: spec}
}

func simpleRF(rf int32) cqlv1.KeyspaceReplication {
	return cqlv1.KeyspaceReplication{Strategy: cqlv1.SimpleStrategy, ReplicationFactor: &rf}
}

func ntsDCs(dcs map[string]int32) cqlv1.KeyspaceReplication {
	m := map[string]cqlv1.ReplicaCount{}
	for dc, n := range dcs {
		m[dc] = cqlv1.ReplicaCount(n)
	}
	return cqlv1.KeyspaceReplication{Strategy: cqlv1.NetworkTopologyStrategy, Datacenters: m}
}

func connNames(names ...string) []cqlv1.ConnectionRef {
	out := make([]cqlv1.ConnectionRef, len(names))
	for i, n := range names {
		out[i] = cqlv1.Namespaced(n)
	}
	return out
}

// uniqueSuffix keeps CQL keyspace names of different runs apart: the clusters outlive a test run.
func uniqueSuffix() string { return fmt.Sprint(time.Now().UnixNano() % 1000000) }

func getKeyspace(ns, name string) (*cqlv1.Keyspace, error) {
	ks := &cqlv1.Keyspace{}
	err := k8s.Get(ctx, client.ObjectKey{Namespace: ns, Name: name}, ks)
	return ks, err
}

// waitKeyspace waits for the Ready condition to have the status and reason and to describe the
// current generation, and returns the Keyspace.
func waitKeyspace(t *testing.T, ns, name string, status metav1.ConditionStatus, reason string, timeout time.Duration) *cqlv1.Keyspace {
	t.Helper()
	var ks *cqlv1.Keyspace
	eventually(t, timeout, func() error {
		var err error
		if ks, err = getKeyspace(ns, name); err != nil {
			return err
		}
		c := meta.FindStatusCondition(ks.Status.Conditions, cqlv1.ConditionReady)
		if c == nil {
			return fmt.Errorf("keyspace %s/%s has no Ready condition yet", ns, name)
		}
		if c.Status != status || c.Reason != reason || c.ObservedGeneration != ks.Generation || ks.Status.ObservedGeneration != ks.Generation {
			return fmt.Errorf("keyspace %s/%s Ready=%s reason=%s gen=%d/%d message=%q; want %s %s",
				ns, name, c.Status, c.Reason, c.ObservedGeneration, ks.Generation, c.Message, status, reason)
		}
		return nil
	})
	return ks
}

// updateKeyspace re-reads the Keyspace, applies change and updates it, retrying on conflicts.
func updateKeyspace(t *testing.T, ns, name string, change func(*cqlv1.Keyspace)) *cqlv1.Keyspace {
	t.Helper()
	var ks *cqlv1.Keyspace
	eventually(t, 10*time.Second, func() error {
		var err error
		if ks, err = getKeyspace(ns, name); err != nil {
			return err
		}
		change(ks)
		return k8s.Update(ctx, ks)
	})
	return ks
}

// findTarget returns the status target of a connection.
func findTarget(t *testing.T, ks *cqlv1.Keyspace, conn string) cqlv1.TargetStatus {
	t.Helper()
	for _, tg := range ks.Status.Targets {
		if tg.Connection == conn {
			return tg
		}
	}
	t.Fatalf("keyspace %s has no target %q: %+v", ks.Name, conn, ks.Status.Targets)
	return cqlv1.TargetStatus{}
}

// readyConnection creates a connection to host and waits until it is Ready.
func readyConnection(t *testing.T, ns, name, host string, isDefault bool) *cqlv1.CassandraConnection {
	t.Helper()
	mustCreate(t, connection(ns, name, cqlv1.CassandraConnectionSpec{Hosts: hosts(host), Default: isDefault}))
	return waitReady(t, ns, name, metav1.ConditionTrue, cqlv1.ReasonConnected, connectTimeout)
}

// ddlStats are the apply counters of one connection.
func ddlStats(ns, conn string) apply.Stats {
	return apply.Default.Stats(registry.Key{Namespace: ns, Name: conn}.String())
}

// cqlSession opens the test's own session to a cluster, to check what cqlsync did.
func cqlSession(t *testing.T, host string) *gocql.Session { return tmSession(t, host) }

// liveKeyspace is a keyspace as the test reads it from system_schema.keyspaces.
type liveKeyspace struct {
	Replication   map[string]string
	DurableWrites bool
}

// readLiveKeyspace returns the keyspace, or nil when it does not exist.
func readLiveKeyspace(t *testing.T, s *gocql.Session, name string) *liveKeyspace {
	t.Helper()
	var l liveKeyspace
	err := s.Query(`SELECT replication, durable_writes FROM system_schema.keyspaces WHERE keyspace_name = ?`, name).
		Scan(&l.Replication, &l.DurableWrites)
	if errors.Is(err, gocql.ErrNotFound) {
		return nil
	}
	if err != nil {
		t.Fatalf("reading keyspace %s: %v", name, err)
	}
	return &l
}

// dropAfter drops the keyspace on each session when the test ends, whatever happened.
func dropAfter(t *testing.T, name string, sessions ...*gocql.Session) {
	t.Cleanup(func() {
		for _, s := range sessions {
			if err := s.Query(`DROP KEYSPACE IF EXISTS "` + strings.ReplaceAll(name, `"`, `""`) + `"`).Exec(); err != nil {
				t.Logf("cleanup: dropping %s: %v", name, err)
			}
		}
	})
}

// objectEvents lists the events about the object of the kind and name in the namespace.
func objectEvents(ns, kind, name string) ([]eventsv1.Event, error) {
	var list eventsv1.EventList
	if err := k8s.List(ctx, &list, client.InNamespace(ns)); err != nil {
		return nil, err
	}
	var out []eventsv1.Event
	for _, e := range list.Items {
		if e.Regarding.Kind == kind && e.Regarding.Name == name {
			out = append(out, e)
		}
	}
	return out, nil
}

// waitObjectEvent waits for an event about the object with the reason and a note saying every
// fragment, and returns it.
func waitObjectEvent(t *testing.T, ns, kind, name, reason string, fragments ...string) eventsv1.Event {
	t.Helper()
	var found eventsv1.Event
	eventually(t, 30*time.Second, func() error {
		evs, err := objectEvents(ns, kind, name)
		if err != nil {
			return err
		}
		var seen []string
	next:
		for _, e := range evs {
			seen = append(seen, e.Reason+": "+e.Note)
			if e.Reason != reason {
				continue
			}
			for _, f := range fragments {
				if !strings.Contains(e.Note, f) {
					continue next
				}
			}
			found = e
			return nil
		}
		return fmt.Errorf("no %s event saying %q about %s %s; events: %q", reason, fragments, kind, name, seen)
	})
	return found
}

// waitEvent waits for an event about the Keyspace with the reason and a note saying every fragment.
func waitEvent(t *testing.T, ns, name, reason string, fragments ...string) eventsv1.Event {
	t.Helper()
	return waitObjectEvent(t, ns, "Keyspace", name, reason, fragments...)
}

// nudgeConnection changes an annotation of the connection, which requeues its Keyspaces through
// the connection watch, and waits until a Keyspace on it has been reconciled (its plan counted by
// the apply layer). The Keyspaces themselves are not written.
func nudgeConnection(t *testing.T, ns, name string) {
	t.Helper()
	plans := ddlStats(ns, name).Plans
	c, err := getConn(ns, name)
	if err != nil {
		t.Fatal(err)
	}
	patch := client.MergeFrom(c.DeepCopy())
	c.Annotations = map[string]string{"test.cqlsync.io/nudge": fmt.Sprint(time.Now().UnixNano())}
	if err := k8s.Patch(ctx, c, patch); err != nil {
		t.Fatal(err)
	}
	eventually(t, 30*time.Second, func() error {
		if p := ddlStats(ns, name).Plans; p <= plans {
			return fmt.Errorf("no Keyspace on %s reconciled yet (plans %d)", name, p)
		}
		return nil
	})
}
