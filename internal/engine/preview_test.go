package engine

import (
	"context"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
	"github.com/cqlsync/cqlsync/internal/cql/registry"
	"github.com/cqlsync/cqlsync/internal/engine/enginetest"
)

// clusterScopedClusters answers for the ClusterCassandraConnection "shared" (registry key {"",
// "shared"}) only, as the registry does.
type clusterScopedClusters struct{ c *enginetest.FakeCluster }

func (f clusterScopedClusters) ClusterID(key registry.Key) string {
	if key == (registry.Key{Name: "shared"}) {
		return "cluster-shared"
	}
	return ""
}

func (f clusterScopedClusters) Cluster(_ context.Context, namespace, name string) (Cluster, error) {
	if namespace != "" || name != "shared" {
		return nil, registry.ErrNotRegistered
	}
	return f.c, nil
}

// A preview of a keyspace, a type and a table through a ClusterCassandraConnection sees what the
// previews before it create, as through a CassandraConnection: the overlay keys them by the
// connection's full identity. (It used to key them by "namespace/kind/name" and look them up by
// "/name", so the type and the table were KeyspaceNotFound.)
func TestPreviewThroughClusterConnection(t *testing.T) {
	shared := &cqlv1.ClusterCassandraConnection{ObjectMeta: metav1.ObjectMeta{Name: "shared", CreationTimestamp: enginetest.RefTime}}
	shared.Spec.Hosts = []cqlv1.Host{"127.0.0.1"}
	shared.Spec.AllowedNamespaces = &metav1.LabelSelector{MatchLabels: map[string]string{"tenant": "yes"}}
	shared.Status.Conditions = []metav1.Condition{{Type: cqlv1.ConditionReady, Status: metav1.ConditionTrue, Reason: cqlv1.ReasonConnected, LastTransitionTime: enginetest.RefTime}}
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "team", Labels: map[string]string{"tenant": "yes"}}}
	ref := []cqlv1.ConnectionRef{cqlv1.ClusterScoped("shared")}
	ks := &cqlv1.Keyspace{ObjectMeta: enginetest.ObjMeta("team", "shop", time.Hour), Spec: cqlv1.KeyspaceSpec{
		Name: "shop", Connections: ref, Replication: cqlv1.KeyspaceReplication{Strategy: cqlv1.SimpleStrategy, ReplicationFactor: ptr(int32(1))}}}
	ut := &cqlv1.UserType{ObjectMeta: enginetest.ObjMeta("team", "point", time.Hour), Spec: cqlv1.UserTypeSpec{
		Name: "point", Connections: ref, Keyspaces: enginetest.KeyspaceNames("shop"),
		Fields: []cqlv1.Field{{Name: "x", Type: "int"}}}}
	tm := &cqlv1.TableModel{ObjectMeta: enginetest.ObjMeta("team", "shapes", time.Hour), Spec: cqlv1.TableModelSpec{
		Name: "shapes", Connections: ref, Keyspaces: enginetest.KeyspaceNames("shop"),
		Columns:      []cqlv1.Column{{Name: "id", Type: "int"}, {Name: "at", Type: "frozen<point>"}},
		PartitionKey: []cqlv1.ColumnName{"id"}}}
	c := fakeClient(t, nil, shared, ns, ks, ut, tm)
	opts := Options{Client: c, Clusters: NewPreviewClusters(clusterScopedClusters{enginetest.NewFakeCluster()})}
	var statements []string
	for _, obj := range []client.Object{ks, ut, tm} {
		rp, err := PlanAny(context.Background(), opts, obj)
		if err != nil {
			t.Fatal(err)
		}
		if len(rp.Targets) != 1 || rp.Targets[0].State != cqlv1.TargetPending || rp.Targets[0].Reason != cqlv1.ReasonPending {
			t.Fatalf("%s: %+v", rp.Kind, rp.Targets)
		}
		if got := rp.Targets[0].Connection; got != "ClusterCassandraConnection/shared" {
			t.Errorf("%s: connection %q", rp.Kind, got)
		}
		for _, st := range rp.Targets[0].Statements {
			statements = append(statements, st.CQL)
		}
	}
	if len(statements) != 3 || !strings.HasPrefix(statements[0], "CREATE KEYSPACE") || !strings.HasPrefix(statements[1], "CREATE TYPE") ||
		!strings.HasPrefix(statements[2], "CREATE TABLE") {
		t.Errorf("statements = %q", statements)
	}
}

func ptr[T any](v T) *T { return &v }
