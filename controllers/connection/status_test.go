package connection

import (
	"errors"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
	"github.com/cqlsync/cqlsync/internal/cql/registry"
	"github.com/cqlsync/cqlsync/internal/engine"
)

func TestConnectionReady(t *testing.T) {
	info := &registry.ClusterInfo{ClusterName: "c1", Hosts: []registry.Host{{Address: "a", Up: true}, {Address: "b"}}}
	cases := []struct {
		name    string
		o       connOutcome
		status  metav1.ConditionStatus
		reason  string
		message string
	}{
		{"connected", connOutcome{info: info}, metav1.ConditionTrue, cqlv1.ReasonConnected, `cluster "c1": 1/2 hosts up`},
		{"insecure is said", connOutcome{info: info, insecure: true}, metav1.ConditionTrue, cqlv1.ReasonConnected, "not verified"},
		{"lazy", connOutcome{lazyPending: true}, metav1.ConditionTrue, cqlv1.ReasonNotConnectedYet, "lazyConnect"},
		{"user error wins", connOutcome{connectErr: &engine.Problem{State: cqlv1.TargetFailed, Reason: cqlv1.ReasonSecretNotFound, Message: "spec.auth: gone"}, conflicts: []string{"x"}},
			metav1.ConditionFalse, cqlv1.ReasonSecretNotFound, "spec.auth: gone"},
		{"conflict names the others", connOutcome{conflicts: []string{"a", "b"}, info: info}, metav1.ConditionFalse, cqlv1.ReasonDefaultConflict, "a, b"},
		{"auth", connOutcome{connectErr: &registry.Error{Kind: registry.KindAuthentication, Err: errors.New("bad creds")}},
			metav1.ConditionFalse, cqlv1.ReasonAuthenticationFailed, "spec.auth.secretRef"},
		{"tls", connOutcome{connectErr: errors.New("x509: certificate signed by unknown authority")},
			metav1.ConditionFalse, cqlv1.ReasonTLSFailed, "spec.tls"},
		{"unreachable", connOutcome{connectErr: errors.New("dial tcp: connection refused")},
			metav1.ConditionFalse, cqlv1.ReasonUnreachable, "retrying"},
		{"config", connOutcome{connectErr: &registry.Error{Kind: registry.KindConfig, Err: errors.New("bad")}},
			metav1.ConditionFalse, cqlv1.ReasonInvalidSpec, "bad"},
		{"other", connOutcome{connectErr: errors.New("weird")}, metav1.ConditionFalse, cqlv1.ReasonConnectionFailed, "weird"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, r, m := connectionReady(tc.o)
			if s != tc.status || r != tc.reason || !strings.Contains(m, tc.message) {
				t.Fatalf("got %s %s %q; want %s %s containing %q", s, r, m, tc.status, tc.reason, tc.message)
			}
		})
	}
}

func TestSetConnectionStatus(t *testing.T) {
	c := &cqlv1.CassandraConnection{ObjectMeta: metav1.ObjectMeta{Generation: 3}}
	info := &registry.ClusterInfo{ClusterName: "c1", Hosts: []registry.Host{
		{HostID: "b2", Address: "127.0.0.1:9042", Datacenter: "dc1", Rack: "r1", Up: true, ReleaseVersion: "5.0.9", SchemaVersion: "v"},
		{HostID: "a1", Address: "127.0.0.9:9042", Datacenter: "dc1", Rack: "r1", Up: false},
	}}
	setConnectionStatus(&c.Status, c.Generation, connOutcome{info: info})
	if c.Status.ObservedGeneration != 3 || c.Status.ClusterName != "c1" || c.Status.ClusterID != "c1/a1" || c.Status.HostsUp != "1/2" ||
		len(c.Status.Hosts) != 2 || c.Status.Hosts[0].ReleaseVersion != "5.0.9" || c.Status.Hosts[0].HostID != "b2" {
		t.Fatalf("status %+v", c.Status)
	}
	ready := meta.FindStatusCondition(c.Status.Conditions, cqlv1.ConditionReady)
	if ready == nil || ready.ObservedGeneration != 3 || ready.Status != metav1.ConditionTrue {
		t.Fatalf("ready %+v", ready)
	}

	// Unreachable keeps the known hosts but marks them down.
	setConnectionStatus(&c.Status, c.Generation, connOutcome{connectErr: errors.New("connection refused")})
	if len(c.Status.Hosts) != 2 || c.Status.Hosts[0].Up || c.Status.HostsUp != "0/2" || c.Status.ClusterID != "c1/a1" {
		t.Fatalf("unreachable status %+v", c.Status)
	}
	if r := meta.FindStatusCondition(c.Status.Conditions, cqlv1.ConditionReconciling); r == nil || r.Reason != cqlv1.ReasonUnreachable ||
		meta.FindStatusCondition(c.Status.Conditions, cqlv1.ConditionStalled) != nil {
		t.Fatalf("an outage clears by itself: Reconciling, not Stalled: %+v", c.Status.Conditions)
	}
	// Same outcome twice: identical status (nothing to write).
	before := c.Status.DeepCopy()
	setConnectionStatus(&c.Status, c.Generation, connOutcome{connectErr: errors.New("connection refused")})
	if !equality.Semantic.DeepEqual(*before, c.Status) {
		t.Fatalf("an unchanged outcome changed the status:\n%+v\n%+v", before, c.Status)
	}
	// Refused credentials need a person: Stalled, with Ready's reason and message.
	setConnectionStatus(&c.Status, c.Generation, connOutcome{connectErr: &registry.Error{Kind: registry.KindAuthentication, Err: errors.New("bad creds")}})
	ready = meta.FindStatusCondition(c.Status.Conditions, cqlv1.ConditionReady)
	if st := meta.FindStatusCondition(c.Status.Conditions, cqlv1.ConditionStalled); st == nil || st.Reason != cqlv1.ReasonAuthenticationFailed || st.Message != ready.Message ||
		meta.FindStatusCondition(c.Status.Conditions, cqlv1.ConditionReconciling) != nil {
		t.Fatalf("refused credentials: %+v", c.Status.Conditions)
	}
	// Lazy: no hosts.
	setConnectionStatus(&c.Status, c.Generation, connOutcome{lazyPending: true})
	if c.Status.Hosts != nil || c.Status.HostsUp != "0/0" {
		t.Fatalf("lazy status %+v", c.Status)
	}
	if len(c.Status.Conditions) != 1 {
		t.Fatalf("Ready (lazy): only the Ready condition, got %+v", c.Status.Conditions)
	}
}
