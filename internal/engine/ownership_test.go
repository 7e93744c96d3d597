package engine

import (
	"context"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
	"github.com/cqlsync/cqlsync/internal/cql/registry"
	"github.com/cqlsync/cqlsync/internal/engine/enginetest"
)

func TestOwnership(t *testing.T) {
	t0 := metav1.NewTime(time.Date(2025, 1, 1, 10, 0, 0, 0, time.UTC))
	t1 := metav1.NewTime(t0.Add(time.Second))
	t2 := metav1.NewTime(t0.Add(time.Minute))
	c1 := ksTarget("c1", "orders")
	c2 := ksTarget("c2", "orders")
	c1Other := ksTarget("c1", "billing")
	tbl := tblTarget("c1", "shop", "orders")
	tblOtherKs := tblTarget("c1", "audit", "orders")
	claim := func(name string, created metav1.Time, deleting bool, ts ...schemaTarget) claimant {
		return claimant{name: name, created: created, deleting: deleting, targets: ts}
	}
	self := func(name string, created metav1.Time, ts ...schemaTarget) claimant {
		return claim(name, created, false, ts...)
	}
	tests := []struct {
		name   string
		self   claimant
		others []claimant
		want   map[schemaTarget]targetOwnership
	}{
		{
			name: "alone: owns its targets, no heir",
			self: self("a", t1, c1, c2),
			want: map[schemaTarget]targetOwnership{c1: {}, c2: {}},
		},
		{
			name:   "the list of its name includes itself: skipped",
			self:   self("a", t1, c1),
			others: []claimant{claim("a", t1, false, c1)},
			want:   map[schemaTarget]targetOwnership{c1: {}},
		},
		{
			name:   "older duplicate owns the shared target only",
			self:   self("b", t2, c1, c2),
			others: []claimant{claim("a", t1, false, c1)},
			want:   map[schemaTarget]targetOwnership{c1: {owner: "a"}, c2: {}},
		},
		{
			name:   "newer duplicate: self owns, the newer is the heir",
			self:   self("a", t1, c1),
			others: []claimant{claim("b", t2, false, c1)},
			want:   map[schemaTarget]targetOwnership{c1: {heir: "b"}},
		},
		{
			name:   "same creation time: the smaller name owns",
			self:   self("b", t1, c1),
			others: []claimant{claim("a", t1, false, c1)},
			want:   map[schemaTarget]targetOwnership{c1: {owner: "a"}},
		},
		{
			name:   "same creation time, self has the smaller name",
			self:   self("a", t1, c1),
			others: []claimant{claim("b", t1, false, c1)},
			want:   map[schemaTarget]targetOwnership{c1: {heir: "b"}},
		},
		{
			name:   "an owner being deleted still owns",
			self:   self("b", t2, c1),
			others: []claimant{claim("a", t1, true, c1)},
			want:   map[schemaTarget]targetOwnership{c1: {owner: "a"}},
		},
		{
			name:   "the oldest of several owns, whatever the order of the list",
			self:   self("c", t2, c1),
			others: []claimant{claim("b", t1, false, c1), claim("a", t0, false, c1), claim("d", t2, false, c1)},
			want:   map[schemaTarget]targetOwnership{c1: {owner: "a"}},
		},
		{
			name:   "heir: the oldest newer claimant not being deleted",
			self:   self("a", t0, c1),
			others: []claimant{claim("d", t2, false, c1), claim("b", t1, true, c1), claim("c", t2, false, c1)},
			want:   map[schemaTarget]targetOwnership{c1: {heir: "c"}},
		},
		{
			name:   "no heir when every duplicate is being deleted",
			self:   self("a", t0, c1),
			others: []claimant{claim("b", t1, true, c1)},
			want:   map[schemaTarget]targetOwnership{c1: {}},
		},
		{
			name:   "another keyspace on the same connection is no duplicate",
			self:   self("b", t2, c1),
			others: []claimant{claim("a", t1, false, c1Other)},
			want:   map[schemaTarget]targetOwnership{c1: {}},
		},
		{
			name:   "tables: same table in another keyspace is no duplicate",
			self:   self("b", t2, tbl, tblOtherKs),
			others: []claimant{claim("a", t1, false, tbl)},
			want:   map[schemaTarget]targetOwnership{tbl: {owner: "a"}, tblOtherKs: {}},
		},
		{
			name:   "a keyspace claim never matches a table target",
			self:   self("b", t2, tblTarget("c1", "orders", "t")),
			others: []claimant{claim("a", t1, false, c1)},
			want:   map[schemaTarget]targetOwnership{tblTarget("c1", "orders", "t"): {}},
		},
		{
			name: "no targets (nothing resolved): nothing to decide",
			self: self("b", t2),
			want: map[schemaTarget]targetOwnership{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ownership(tt.self, tt.others)
			if !maps.Equal(got, tt.want) {
				t.Fatalf("ownership = %+v; want %+v", got, tt.want)
			}
			// Of any two claimants of a target, exactly one owns it, seen from either side.
			for _, o := range tt.others {
				if o.name == tt.self.name {
					continue
				}
				mine, theirs := ownership(tt.self, []claimant{o}), ownership(o, []claimant{tt.self})
				for _, tg := range tt.self.targets {
					if slices.Contains(o.targets, tg) && (mine[tg].owner == "") == (theirs[tg].owner == "") {
						t.Errorf("%+v: %s owns it: %v, %s owns it: %v", tg, tt.self.name, mine[tg].owner == "", o.name, theirs[tg].owner == "")
					}
				}
			}
		})
	}
}

func TestKeptOnDelete(t *testing.T) {
	tests := []struct {
		own  targetOwnership
		want string
	}{
		{targetOwnership{}, ""},
		{targetOwnership{owner: "a"}, `Keyspace "a" manages it`},
		{targetOwnership{heir: "b"}, `Keyspace "b" also declares it and takes it over`},
	}
	for _, tt := range tests {
		if got := keptOnDelete("Keyspace", tt.own); got != tt.want {
			t.Errorf("keptOnDelete(%+v) = %q; want %q", tt.own, got, tt.want)
		}
	}
}

func TestKeyspaceClaimant(t *testing.T) {
	t0 := metav1.NewTime(time.Date(2025, 1, 1, 10, 0, 0, 0, time.UTC))
	now := metav1.NewTime(t0.Add(time.Hour))
	tests := []struct {
		name         string
		ks           cqlv1.Keyspace
		defaults     []string
		want         []schemaTarget
		wantDeleting bool
	}{
		{
			name: "spec.connections, name from metadata.name",
			ks: cqlv1.Keyspace{ObjectMeta: metav1.ObjectMeta{Name: "my-orders"},
				Spec: cqlv1.KeyspaceSpec{Connections: enginetest.ConnNames("c1", "c2")}},
			defaults: []string{"c9"},
			want:     []schemaTarget{ksTarget("c1", "my_orders"), ksTarget("c2", "my_orders")},
		},
		{
			name:     "namespace default resolved to its connection name",
			ks:       cqlv1.Keyspace{ObjectMeta: metav1.ObjectMeta{Name: "x"}, Spec: cqlv1.KeyspaceSpec{Name: "orders"}},
			defaults: []string{"c1"},
			want:     []schemaTarget{ksTarget("c1", "orders")},
		},
		{
			name:     "several defaults: claims each",
			ks:       cqlv1.Keyspace{ObjectMeta: metav1.ObjectMeta{Name: "x"}, Spec: cqlv1.KeyspaceSpec{Name: "orders"}},
			defaults: []string{"c1", "c2"},
			want:     []schemaTarget{ksTarget("c1", "orders"), ksTarget("c2", "orders")},
		},
		{
			name: "no default: claims nothing",
			ks:   cqlv1.Keyspace{ObjectMeta: metav1.ObjectMeta{Name: "x"}, Spec: cqlv1.KeyspaceSpec{Name: "orders"}},
		},
		{
			name: "being deleted",
			ks: cqlv1.Keyspace{ObjectMeta: metav1.ObjectMeta{Name: "x", DeletionTimestamp: &now},
				Spec: cqlv1.KeyspaceSpec{Name: "orders", Connections: enginetest.ConnNames("c1")}},
			want:         []schemaTarget{ksTarget("c1", "orders")},
			wantDeleting: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.ks.CreationTimestamp = t0
			tt.ks.Namespace = "ns"
			c := claimsWith(tt.defaults).claimantOf(&tt.ks, false)
			if c.name != "ns/"+tt.ks.Name || !c.created.Equal(&t0) || c.deleting != tt.wantDeleting || !slices.Equal(c.targets, tt.want) {
				t.Fatalf("claimant %+v; want targets %+v, deleting %v", c, tt.want, tt.wantDeleting)
			}
		})
	}
}

func TestTableModelClaimant(t *testing.T) {
	tm := func(name string, conns, keyspaces []string) *cqlv1.TableModel {
		m := &cqlv1.TableModel{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: name}}
		m.Spec.Connections = enginetest.ConnNames(conns...)
		for _, k := range keyspaces {
			m.Spec.Keyspaces = append(m.Spec.Keyspaces, cqlv1.KeyspaceName(k))
		}
		return m
	}
	tests := []struct {
		name     string
		tm       *cqlv1.TableModel
		defaults []string
		want     []schemaTarget
	}{
		{
			name: "connections x keyspaces, table from metadata.name",
			tm:   tm("line-items", []string{"c1", "c2"}, []string{"a", "b"}),
			want: []schemaTarget{
				tblTarget("c1", "a", "line_items"), tblTarget("c1", "b", "line_items"),
				tblTarget("c2", "a", "line_items"), tblTarget("c2", "b", "line_items"),
			},
		},
		{
			name: "each connection's defaultKeyspace; none on c3",
			tm:   tm("t", []string{"c1", "c2", "c3"}, nil),
			want: []schemaTarget{tblTarget("c1", "shop", "t"), tblTarget("c2", "audit", "t")},
		},
		{
			name:     "namespace default and its defaultKeyspace",
			tm:       tm("t", nil, nil),
			defaults: []string{"c1"},
			want:     []schemaTarget{tblTarget("c1", "shop", "t")},
		},
		{
			name:     "namespace default with spec.keyspaces",
			tm:       tm("t", nil, []string{"shop"}),
			defaults: []string{"c2"},
			want:     []schemaTarget{tblTarget("c2", "shop", "t")},
		},
		{
			name: "spec.name wins",
			tm: func() *cqlv1.TableModel {
				m := tm("t", []string{"c1"}, []string{"shop"})
				m.Spec.Name = "orders"
				return m
			}(),
			want: []schemaTarget{tblTarget("c1", "shop", "orders")},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := claimsWith(tt.defaults).claimantOf(tt.tm, true)
			if c.name != "ns/"+tt.tm.Name || !slices.Equal(c.targets, tt.want) {
				t.Fatalf("claimant %+v; want targets %+v", c, tt.want)
			}
		})
	}

	// A model naming c1/shop and an older one going through the namespace default and c1's
	// defaultKeyspace declare the same target: the older owns it.
	t0 := metav1.NewTime(time.Date(2025, 1, 1, 10, 0, 0, 0, time.UTC))
	implicit := tm("implicit", nil, nil)
	implicit.Spec.Name, implicit.CreationTimestamp = "t", t0
	explicit := tm("explicit", []string{"c1"}, []string{"shop"})
	explicit.Spec.Name, explicit.CreationTimestamp = "t", metav1.NewTime(t0.Add(time.Minute))
	got := ownership(claimsWith(nil).claimantOf(explicit, true), []claimant{claimsWith([]string{"c1"}).claimantOf(implicit, true)})
	if want := (targetOwnership{owner: "ns/implicit"}); got[tblTarget("c1", "shop", "t")] != want {
		t.Fatalf("ownership through the default connection and keyspace = %+v; want %+v", got, want)
	}
}

// A target another resource owns makes the resource not Ready with reason DuplicateOwner, and is
// no drift.
func TestDuplicateOwnerStatus(t *testing.T) {
	now := metav1.NewTime(time.Date(2025, 1, 1, 10, 0, 0, 0, time.UTC))
	kr := keyspacePipeline(nil, nil)
	var st cqlv1.SchemaStatus
	setSchemaStatus(&st, Outcome{name: "orders", complete: true, targets: []targetOutcome{
		{connection: "c2", state: cqlv1.TargetSynced, reason: cqlv1.ReasonSynced, message: "ok"},
		kr.duplicateOutcome(connTarget{name: "c1"}, "orders", "orders", "a"),
	}}, kr.kind, 1, now)
	ready := meta.FindStatusCondition(st.Conditions, cqlv1.ConditionReady)
	wantMsg := `Keyspace "a" already manages keyspace "orders" on the cluster of connection "c1"`
	if ready.Status != metav1.ConditionFalse || ready.Reason != cqlv1.ReasonDuplicateOwner || !strings.Contains(ready.Message, wantMsg) ||
		st.TargetsSynced != "1/2" || st.Targets[1].State != cqlv1.TargetFailed || !strings.Contains(st.Targets[1].Message, "spec.name") {
		t.Errorf("keyspace: Ready %+v, targets %+v", ready, st.Targets)
	}

	tr := tableModelPipeline(nil, nil)
	st = cqlv1.SchemaStatus{}
	setSchemaStatus(&st, Outcome{name: "t", complete: true, targets: []targetOutcome{
		tr.duplicateOutcome(connTarget{name: "c1"}, "shop", "t", "a"),
	}}, tr.kind, 1, now)
	ready = meta.FindStatusCondition(st.Conditions, cqlv1.ConditionReady)
	drifted := meta.FindStatusCondition(st.Conditions, cqlv1.ConditionDrifted)
	wantMsg = `TableModel "a" already manages table "t" in keyspace "shop" on the cluster of connection "c1"`
	if ready.Status != metav1.ConditionFalse || ready.Reason != cqlv1.ReasonDuplicateOwner || !strings.Contains(ready.Message, wantMsg) ||
		drifted.Status != metav1.ConditionFalse || st.Targets[0].State != cqlv1.TargetFailed || st.Targets[0].Keyspace != "shop" {
		t.Errorf("table model: Ready %+v, Drifted %+v, targets %+v", ready, drifted, st.Targets)
	}
}

// ksTarget and tblTarget are targets on the cluster of a connection; in these tests connection
// cN reaches cluster "cluster-cN" (see claimsWith and enginetest.FakeClusters).
func ksTarget(connection, keyspace string) schemaTarget {
	return schemaTarget{cluster: "cluster-" + connection, keyspace: keyspace}
}

func tblTarget(connection, keyspace, name string) schemaTarget {
	return schemaTarget{cluster: "cluster-" + connection, keyspace: keyspace, name: name}
}

// claimsWith are claims that know the namespace "ns"'s default connections and connections c1,
// c2, c3 (defaultKeyspace shop, audit and none), each reaching its own cluster.
func claimsWith(defaults []string) *claims {
	cl := newClaims(context.Background(), nil, nil)
	cl.defaults["ns"] = enginetest.ConnNames(defaults...)
	for name, ks := range map[string]string{"c1": "shop", "c2": "audit", "c3": ""} {
		cl.views[registry.Key{Namespace: "ns", Name: name}] = &connView{ref: cqlv1.Namespaced(name), key: registry.Key{Namespace: "ns", Name: name},
			spec: &cqlv1.CassandraConnectionSpec{DefaultKeyspace: ks}, status: &cqlv1.CassandraConnectionStatus{ClusterID: "cluster-" + name}}
	}
	return cl
}
