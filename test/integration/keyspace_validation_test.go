package integration

import (
	"fmt"
	"strings"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
)

// TestKeyspaceValidation: the API server rejects each bad spec with a message naming the field.
func TestKeyspaceValidation(t *testing.T) {
	ns := newNamespace(t)
	ok := func() cqlv1.KeyspaceSpec {
		return cqlv1.KeyspaceSpec{Name: "ks", Replication: simpleRF(1)}
	}
	i32 := func(v int32) *int32 { return &v }
	cases := []struct {
		name     string
		objName  string // metadata.name; default "bad-<n>"
		mutate   func(s *cqlv1.KeyspaceSpec)
		field    string
		msg      string
		rejected bool
	}{
		{name: "name with a dash", mutate: func(s *cqlv1.KeyspaceSpec) { s.Name = "my-ks" }, field: "spec.name", msg: "should match"},
		{name: "name with a space", mutate: func(s *cqlv1.KeyspaceSpec) { s.Name = "my ks" }, field: "spec.name", msg: "should match"},
		{name: "name too long", mutate: func(s *cqlv1.KeyspaceSpec) { s.Name = strings.Repeat("k", 49) }, field: "spec.name", msg: "48"},
		{name: "unknown strategy", mutate: func(s *cqlv1.KeyspaceSpec) { s.Replication.Strategy = "LocalStrategy" },
			field: "spec.replication.strategy", msg: "Unsupported value"},
		{name: "missing strategy", mutate: func(s *cqlv1.KeyspaceSpec) { s.Replication.Strategy = "" },
			field: "spec.replication.strategy", msg: ""},
		{name: "simple without replication factor", mutate: func(s *cqlv1.KeyspaceSpec) { s.Replication.ReplicationFactor = nil },
			field: "spec.replication.replicationFactor", msg: "required (at least 1) with SimpleStrategy"},
		{name: "simple with replication factor 0", mutate: func(s *cqlv1.KeyspaceSpec) { s.Replication.ReplicationFactor = i32(0) },
			field: "spec.replication.replicationFactor", msg: "greater than or equal to 1"},
		{name: "negative replication factor", mutate: func(s *cqlv1.KeyspaceSpec) { s.Replication.ReplicationFactor = i32(-1) },
			field: "spec.replication.replicationFactor", msg: "greater than or equal to 1"},
		{name: "simple with datacenters", mutate: func(s *cqlv1.KeyspaceSpec) {
			s.Replication.Datacenters = map[string]cqlv1.ReplicaCount{"dc1": 1}
		}, field: "spec.replication.datacenters", msg: "not allowed with SimpleStrategy"},
		{name: "network topology without datacenters", mutate: func(s *cqlv1.KeyspaceSpec) {
			s.Replication = cqlv1.KeyspaceReplication{Strategy: cqlv1.NetworkTopologyStrategy}
		}, field: "spec.replication.datacenters", msg: "at least one datacenter"},
		{name: "network topology with a negative replica count", mutate: func(s *cqlv1.KeyspaceSpec) {
			s.Replication = ntsDCs(map[string]int32{"dc1": 1, "dc2": -1})
		}, field: "spec.replication.datacenters.dc2", msg: "greater than or equal to 0"},
		{name: "network topology with only zero replicas", mutate: func(s *cqlv1.KeyspaceSpec) {
			s.Replication = ntsDCs(map[string]int32{"dc1": 0})
		}, field: "spec.replication.datacenters", msg: "at least one datacenter 1 or more replicas"},
		{name: "network topology with a replication factor", mutate: func(s *cqlv1.KeyspaceSpec) {
			s.Replication = ntsDCs(map[string]int32{"dc1": 1})
			s.Replication.ReplicationFactor = i32(3)
		}, field: "spec.replication.replicationFactor", msg: "not allowed with NetworkTopologyStrategy"},
		{name: "a datacenter named class", mutate: func(s *cqlv1.KeyspaceSpec) {
			s.Replication = ntsDCs(map[string]int32{"class": 1})
		}, field: "spec.replication.datacenters", msg: "not datacenter names"},
		{name: "unknown deletion policy", mutate: func(s *cqlv1.KeyspaceSpec) { s.DeletionPolicy = "Orphan" },
			field: "spec.deletionPolicy", msg: "Unsupported value"},
		{name: "bad connection name", mutate: func(s *cqlv1.KeyspaceSpec) { s.Connections = connNames("Cluster_1") },
			field: "spec.connections", msg: "each item must be the name of a CassandraConnection"},
		{name: "duplicate connections", mutate: func(s *cqlv1.KeyspaceSpec) { s.Connections = connNames("c1", "c1") },
			field: "spec.connections", msg: "a connection may be listed only once"},
		{name: "metadata.name too long to be the keyspace name", objName: strings.Repeat("k", 49),
			mutate: func(s *cqlv1.KeyspaceSpec) { s.Name = "" }, field: "metadata.name", msg: "set spec.name"},
		{name: "metadata.name with a dot", objName: "my.keyspace",
			mutate: func(s *cqlv1.KeyspaceSpec) { s.Name = "" }, field: "metadata.name", msg: "set spec.name"},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			spec := ok()
			tc.mutate(&spec)
			name := tc.objName
			if name == "" {
				name = fmt.Sprintf("bad-%d", i)
			}
			err := k8s.Create(ctx, keyspaceObj(ns, name, spec))
			if err == nil {
				t.Fatalf("the API server accepted %+v", spec)
			}
			if !apierrors.IsInvalid(err) || !strings.Contains(err.Error(), tc.field) || !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("rejection must name %q and say %q, got: %v", tc.field, tc.msg, err)
			}
			t.Log(err)
		})
	}

	// Good specs are accepted and defaulted; a 48-character metadata.name with dashes is fine.
	good := keyspaceObj(ns, strings.Repeat("a-", 23)+"ab", cqlv1.KeyspaceSpec{Replication: ntsDCs(map[string]int32{"dc1": 3, "dc2": 0})})
	mustCreate(t, good)
	if good.Spec.DurableWrites == nil || !*good.Spec.DurableWrites || good.Spec.DeletionPolicy != cqlv1.DeletionPolicyRetain {
		t.Fatalf("defaults not applied: %+v", good.Spec)
	}
	for i, name := range []string{"select", "MyKs", "_under_score_", "0digits", strings.Repeat("K", 48)} {
		ks := keyspaceObj(ns, fmt.Sprintf("good-name-%d", i), cqlv1.KeyspaceSpec{Name: name, Replication: simpleRF(1)})
		if err := k8s.Create(ctx, ks); err != nil {
			t.Errorf("keyspace name %q must be accepted: %v", name, err)
		}
	}

	// spec.name is immutable: the controller writes the default down, and neither it nor an
	// explicit name can be changed or removed afterwards.
	eventually(t, keyspaceTimeout, func() error {
		ks, err := getObject[cqlv1.Keyspace](ns, good.Name)
		if err != nil {
			return err
		}
		if want := strings.Repeat("a_", 23) + "ab"; ks.Spec.Name != want {
			return fmt.Errorf("spec.name = %q, want the default %q", ks.Spec.Name, want)
		}
		return nil
	})
	for _, change := range []struct {
		what string
		name string
	}{{"renamed", "other"}, {"removed", ""}} {
		ks, err := getObject[cqlv1.Keyspace](ns, good.Name)
		if err != nil {
			t.Fatal(err)
		}
		ks.Spec.Name = change.name
		err = k8s.Update(ctx, ks)
		if err == nil || !strings.Contains(err.Error(), "spec.name is immutable") {
			t.Errorf("spec.name %s: want an immutability error, got %v", change.what, err)
		}
	}
	// Other fields may change.
	updateObject(t, ns, good.Name, func(ks *cqlv1.Keyspace) {
		ks.Spec.Replication = simpleRF(2)
		ks.Spec.DeletionPolicy = cqlv1.DeletionPolicyDelete
	})

	// Nothing was connected: clean up without waiting for a cluster (Delete with no default
	// connection has nothing to drop through).
	var list cqlv1.KeyspaceList
	if err := k8s.List(ctx, &list, client.InNamespace(ns)); err != nil {
		t.Fatal(err)
	}
	for i := range list.Items {
		deleteAndWait(t, &list.Items[i], keyspaceTimeout)
	}
}
