package skeleton

import (
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/event"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
)

func TestConnectionUsable(t *testing.T) {
	base := func() *cqlv1.CassandraConnection {
		return &cqlv1.CassandraConnection{
			ObjectMeta: metav1.ObjectMeta{Name: "c", Generation: 1},
			Status: cqlv1.CassandraConnectionStatus{
				Conditions: []metav1.Condition{{Type: cqlv1.ConditionReady, Status: metav1.ConditionTrue, Reason: cqlv1.ReasonConnected, ObservedGeneration: 1}},
				Hosts:      []cqlv1.HostStatus{{Address: "a", SchemaVersion: "v1"}},
			},
		}
	}
	cases := []struct {
		name   string
		change func(c *cqlv1.CassandraConnection)
		want   bool
	}{
		{"schema version refresh", func(c *cqlv1.CassandraConnection) { c.Status.Hosts[0].SchemaVersion = "v2" }, false},
		{"message only", func(c *cqlv1.CassandraConnection) { c.Status.Conditions[0].Message = "2/2 hosts up" }, false},
		{"became unreachable", func(c *cqlv1.CassandraConnection) {
			c.Status.Conditions[0].Status, c.Status.Conditions[0].Reason = metav1.ConditionFalse, cqlv1.ReasonUnreachable
		}, true},
		{"spec change", func(c *cqlv1.CassandraConnection) { c.Generation = 2 }, true},
		{"deletion starts", func(c *cqlv1.CassandraConnection) { now := metav1.Now(); c.DeletionTimestamp = &now }, true},
		{"annotation", func(c *cqlv1.CassandraConnection) { c.Annotations = map[string]string{"nudge": "1"} }, true},
		{"first status", func(c *cqlv1.CassandraConnection) { c.Status.Conditions = nil }, true},
	}
	for _, tc := range cases {
		after := base()
		tc.change(after)
		if got := ConnectionUsable.Update(event.UpdateEvent{ObjectOld: base(), ObjectNew: after}); got != tc.want {
			t.Errorf("%s: got %t, want %t", tc.name, got, tc.want)
		}
	}
}
