package engine

import (
	"context"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
	"github.com/cqlsync/cqlsync/internal/cql/introspect"
	"github.com/cqlsync/cqlsync/internal/engine/enginetest"
)

func tmWith(mutate func(s *cqlv1.TableModelSpec)) *cqlv1.TableModel {
	tm := &cqlv1.TableModel{ObjectMeta: metav1.ObjectMeta{Name: "my-table"}, Spec: cqlv1.TableModelSpec{
		Columns: []cqlv1.Column{{Name: "id", Type: "uuid"}, {Name: "at", Type: "timestamp"}, {Name: "v", Type: "VARCHAR"},
			{Name: "m", Type: "map<text, int>"}, {Name: "f", Type: "frozen<list<int>>"}},
		PartitionKey:  []cqlv1.ColumnName{"id"},
		ClusteringKey: []cqlv1.ClusteringColumn{{Name: "at", Order: "DESC"}},
	}}
	if mutate != nil {
		mutate(&tm.Spec)
	}
	return tm
}

func TestDesiredTable(t *testing.T) {
	d, p := desiredTable(tmWith(func(s *cqlv1.TableModelSpec) {
		s.Indexes = []cqlv1.Index{{Name: "by_m", Column: "m", Target: "keys"}, {Name: "by_f", Column: "f", Target: "full", Using: "sai"}}
		ttl, fp := int32(60), "0.05"
		s.Options = &cqlv1.TableOptions{DefaultTimeToLive: &ttl, BloomFilterFPChance: &fp}
		s.AllowDropColumns = true
	}))
	if p != nil {
		t.Fatal(p.Message)
	}
	if d.Name != "my_table" || d.Columns[2].Type.String() != "text" || !d.ClusteringKey[0].Descending || !d.AllowDropColumns ||
		len(d.Indexes) != 2 || *d.Options.DefaultTimeToLive != 60 || *d.Options.BloomFilterFPChance != 0.05 {
		t.Fatalf("%+v", d)
	}

	bad := []struct {
		name       string
		mutate     func(s *cqlv1.TableModelSpec)
		wantReason string
		want       string
	}{
		{"unknown syntax", func(s *cqlv1.TableModelSpec) { s.Columns[2].Type = "list<>" }, cqlv1.ReasonInvalidType, "spec.columns[2] (v)"},
		{"trailing text", func(s *cqlv1.TableModelSpec) { s.Columns[2].Type = "int; DROP KEYSPACE ks1" }, cqlv1.ReasonInvalidType, "spec.columns[2] (v)"},
		{"collection in the key", func(s *cqlv1.TableModelSpec) { s.Columns[0].Type = "set<int>" }, cqlv1.ReasonInvalidType, "spec.columns[0] (id): set<int> cannot be in the primary key"},
		{"duration in the key", func(s *cqlv1.TableModelSpec) { s.Columns[1].Type = "duration" }, cqlv1.ReasonInvalidType, "spec.columns[1] (at): duration"},
		{"counter mixed (case the CRD cannot see)", func(s *cqlv1.TableModelSpec) { s.Columns[2].Type = " Counter " }, cqlv1.ReasonInvalidType, "counter columns cannot be mixed"},
		{"keys on a list", func(s *cqlv1.TableModelSpec) { s.Indexes = []cqlv1.Index{{Name: "i", Column: "f", Target: "keys"}} }, cqlv1.ReasonInvalidSpec, "spec.indexes[0] (i): target keys"},
		{"full on a non-frozen map", func(s *cqlv1.TableModelSpec) { s.Indexes = []cqlv1.Index{{Name: "i", Column: "m", Target: "full"}} }, cqlv1.ReasonInvalidSpec, "target full"},
		{"values on text", func(s *cqlv1.TableModelSpec) { s.Indexes = []cqlv1.Index{{Name: "i", Column: "v", Target: "values"}} }, cqlv1.ReasonInvalidSpec, "target values"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			_, p := desiredTable(tmWith(tt.mutate))
			if p == nil || p.Reason != tt.wantReason || !strings.Contains(p.Message, tt.want) {
				t.Fatalf("problem = %+v; want %s saying %q", p, tt.wantReason, tt.want)
			}
		})
	}
}

// The pipeline checks the types of the columns against each target keyspace: they must be of that
// keyspace and exist there, or be declared by a UserType (then the target waits).
func TestCheckTypes(t *testing.T) {
	obj := tmWith(func(s *cqlv1.TableModelSpec) {
		s.Columns = append(s.Columns, cqlv1.Column{Name: "addr", Type: "frozen<address>"}, cqlv1.Column{Name: "n", Type: "strnig"})
	})
	obj.Namespace = "ns"
	d, p := desiredTable(obj)
	if p != nil {
		t.Fatal(p.Message)
	}
	live := enginetest.KeyspaceSchema("ks1")
	live.Types["address"] = &introspect.UserType{Name: "address"}
	declared := &cqlv1.UserType{ObjectMeta: enginetest.ObjMeta("ns", "strnig", 0), Spec: cqlv1.UserTypeSpec{Connections: enginetest.ConnNames("c1"),
		Keyspaces: enginetest.KeyspaceNames("ks1"), Fields: []cqlv1.Field{{Name: "a", Type: "int"}}}}
	elsewhere := &cqlv1.UserType{ObjectMeta: enginetest.ObjMeta("ns", "strnig", 0), Spec: cqlv1.UserTypeSpec{Connections: enginetest.ConnNames("c1"),
		Keyspaces: enginetest.KeyspaceNames("ks2"), Fields: []cqlv1.Field{{Name: "a", Type: "int"}}}}
	ctx := context.Background()
	refs := tableModelAdapter{}.typeRefs(d)

	conns := enginetest.FakeClusters{"c1": nil, "c2": nil}
	r := tableModelPipeline(fakeClient(t, nil, elsewhere, enginetest.ReadyConn("ns", "c1", false, ""), enginetest.ReadyConn("ns", "c2", false, "")), conns)
	tp, err := r.checkTypes(ctx, obj, refs, connTarget{name: "c1", clusterID: "cluster-c1"}, "ks1", live)
	if err != nil || tp == nil || tp.State != cqlv1.TargetFailed || tp.Reason != cqlv1.ReasonInvalidType ||
		!strings.Contains(tp.Message, `spec.columns[6] (n): unknown type "strnig"`) || !strings.Contains(tp.Message, `keyspace "ks1"`) {
		t.Fatalf("an unknown type no UserType declares there: %+v, %v", tp, err)
	}
	r = tableModelPipeline(fakeClient(t, nil, declared, enginetest.ReadyConn("ns", "c1", false, ""), enginetest.ReadyConn("ns", "c2", false, "")), conns)
	tp, err = r.checkTypes(ctx, obj, refs, connTarget{name: "c1", clusterID: "cluster-c1"}, "ks1", live)
	if err != nil || tp == nil || tp.State != cqlv1.TargetPending || tp.Reason != cqlv1.ReasonUserTypeNotFound ||
		!strings.Contains(tp.Message, `spec.columns[6] (n): type "strnig" does not exist in keyspace "ks1" yet; waiting for UserType "ns/strnig"`) {
		t.Fatalf("a type a UserType declares there: %+v, %v", tp, err)
	}
	if tp, _ := r.checkTypes(ctx, obj, refs, connTarget{name: "c2", clusterID: "cluster-c2"}, "ks1", live); tp == nil || tp.Reason != cqlv1.ReasonInvalidType {
		t.Fatalf("the UserType declares it on another connection: %+v", tp)
	}

	d, _ = desiredTable(tmWith(func(s *cqlv1.TableModelSpec) {
		s.Columns = append(s.Columns, cqlv1.Column{Name: "addr", Type: "frozen<other.address>"})
	}))
	if tp, _ := r.checkTypes(ctx, obj, tableModelAdapter{}.typeRefs(d), connTarget{name: "c1", clusterID: "cluster-c1"}, "ks1", live); tp == nil || !strings.Contains(tp.Message, `keyspace "other"`) {
		t.Fatalf("a type of another keyspace: %+v", tp)
	}
	d, _ = desiredTable(tmWith(func(s *cqlv1.TableModelSpec) {
		s.Columns = append(s.Columns, cqlv1.Column{Name: "addr", Type: "list<frozen<ks1.address>>"})
	}))
	if tp, _ := r.checkTypes(ctx, obj, tableModelAdapter{}.typeRefs(d), connTarget{name: "c1", clusterID: "cluster-c1"}, "ks1", live); tp != nil {
		t.Fatalf("a type of the keyspace, qualified: %+v", tp)
	}
}

// TestUnsupportedByServer: a table that asks for what the oldest node's release lacks (a vector
// column and an SAI index before 5.0) is Blocked with UnsupportedByServer, naming each feature,
// the release that has it and the server's, and nothing is planned; on 5.0, or when the release
// is unknown, its statements are planned.
func TestUnsupportedByServer(t *testing.T) {
	ctx := context.Background()
	tm := tmWith(func(s *cqlv1.TableModelSpec) {
		s.Connections, s.Keyspaces = enginetest.ConnNames("c1"), enginetest.KeyspaceNames("ks1")
		s.Columns = append(s.Columns, cqlv1.Column{Name: "e", Type: "vector<float, 3>"})
		s.Indexes = []cqlv1.Index{{Name: "e_ann", Column: "e", Using: "sai"}}
	})
	tm.Namespace = "ns"
	for _, c := range []struct {
		releases []string
		state    cqlv1.TargetState
		reason   string
		parts    []string
	}{
		{[]string{"5.0.9", "4.1.10"}, cqlv1.TargetBlocked, cqlv1.ReasonUnsupportedByServer, []string{
			`column "e" of type vector<float, 3> needs Cassandra 5.0 or later; the server runs 4.1.10`,
			`index "e_ann" (using 'sai', Storage-Attached Indexing) needs Cassandra 5.0 or later`,
			"nothing was sent to this target"}},
		{[]string{"5.0.9"}, cqlv1.TargetPending, cqlv1.ReasonPending, []string{"2 statement(s) to run"}},
		{nil, cqlv1.TargetPending, cqlv1.ReasonPending, []string{"2 statement(s) to run"}}, // unknown: Cassandra decides
	} {
		conn := enginetest.ReadyConn("ns", "c1", false, "")
		for _, v := range c.releases {
			conn.Status.Hosts = append(conn.Status.Hosts, cqlv1.HostStatus{Address: "127.0.0.1", Up: true, ReleaseVersion: v})
		}
		fc := &enginetest.FakeCluster{Keyspaces: map[string]*introspect.KeyspaceSchema{"ks1": enginetest.KeyspaceSchema("ks1")}}
		rp, err := tableModelPipeline(fakeClient(t, nil, conn), enginetest.FakeClusters{"c1": fc}).Preview(ctx, tm)
		if err != nil || len(rp.Targets) != 1 {
			t.Fatalf("%v: %+v %v", c.releases, rp, err)
		}
		tg := rp.Targets[0]
		if tg.State != c.state || tg.Reason != c.reason || (c.state == cqlv1.TargetBlocked) != (len(tg.Statements) == 0) {
			t.Errorf("%v: target %+v", c.releases, tg)
		}
		for _, p := range c.parts {
			if !strings.Contains(tg.Message, p) {
				t.Errorf("%v: message %q lacks %q", c.releases, tg.Message, p)
			}
		}
	}
}
