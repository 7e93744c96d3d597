package engine

import (
	"slices"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
	"github.com/cqlsync/cqlsync/internal/cql/plan"
	"github.com/cqlsync/cqlsync/internal/engine/enginetest"
)

func TestPolicyOf(t *testing.T) {
	obj := func(policy cqlv1.ChangePolicy, annotations map[string]string) *cqlv1.TableModel {
		return &cqlv1.TableModel{ObjectMeta: metav1.ObjectMeta{Annotations: annotations}, Spec: cqlv1.TableModelSpec{ChangePolicy: policy}}
	}
	approve := map[string]string{cqlv1.AnnotationApprovePlan: "abc"}
	paused := map[string]string{cqlv1.AnnotationPaused: "true", cqlv1.AnnotationApprovePlan: "abc"}
	tests := []struct {
		name   string
		obj    *cqlv1.TableModel
		dryRun bool
		want   gatePolicy
	}{
		{"default is Auto", obj("", approve), false, gatePolicy{}},
		{"Auto", obj(cqlv1.ChangePolicyAuto, nil), false, gatePolicy{}},
		{"Manual", obj(cqlv1.ChangePolicyManual, approve), false, gatePolicy{hold: cqlv1.ReasonAwaitingApproval, approved: "abc"}},
		{"AutoAdditive", obj(cqlv1.ChangePolicyAutoAdditive, nil), false, gatePolicy{hold: cqlv1.ReasonAwaitingApproval, additiveRuns: true}},
		{"paused beats the policy and the approval", obj(cqlv1.ChangePolicyManual, paused), false, gatePolicy{hold: cqlv1.ReasonPaused}},
		{"paused only when true", obj(cqlv1.ChangePolicyAuto, map[string]string{cqlv1.AnnotationPaused: "yes"}), false, gatePolicy{}},
		{"dry-run beats everything", obj(cqlv1.ChangePolicyAuto, paused), true, gatePolicy{hold: cqlv1.ReasonDryRun}},
	}
	for _, tt := range tests {
		if got := policyOf(tt.obj, tt.dryRun); got != tt.want {
			t.Errorf("%s: %+v, want %+v", tt.name, got, tt.want)
		}
	}
}

func kindsOf(p plan.Plan) []plan.Kind {
	var out []plan.Kind
	for _, s := range p {
		out = append(out, s.Kind)
	}
	return out
}

func TestGateDecide(t *testing.T) {
	mixed := func() []*gated {
		return []*gated{
			{connection: "c1", keyspace: "a", version: "v1", planned: enginetest.Statements(plan.AddColumns, plan.AlterOptions, plan.CreateIndex)},
			{connection: "c2", keyspace: "a", version: "v2", planned: enginetest.Statements(plan.CreateTable)},
			{connection: "c2", keyspace: "b", version: "v2"},
		}
	}
	t.Run("Auto runs everything, nothing waits", func(t *testing.T) {
		g := mixed()
		res := gatePolicy{}.decide(g)
		if res.pending != nil || len(g[0].run) != 3 || len(g[0].held) != 0 || len(g[1].run) != 1 {
			t.Fatalf("%+v / %+v", res, g[0])
		}
	})
	t.Run("Manual holds everything, as one plan", func(t *testing.T) {
		g := mixed()
		res := gatePolicy{hold: cqlv1.ReasonAwaitingApproval}.decide(g)
		if res.pending == nil || res.approved != "" || len(g[0].run)+len(g[1].run) != 0 {
			t.Fatalf("%+v", res)
		}
		p := res.pending
		if p.Reason != cqlv1.ReasonAwaitingApproval || len(p.Targets) != 2 || p.Targets[0].Connection != "c1" || p.Targets[0].SchemaVersion != "v1" ||
			len(p.Targets[0].Statements) != 3 || p.Targets[0].Statements[1].CQL != "AlterTableOptions #b" || p.Targets[1].Keyspace != "a" || len(p.Hash) != 12 {
			t.Fatalf("pending = %+v", p)
		}
		// The approval of exactly that hash runs all of it, in the planned order.
		g = mixed()
		res = gatePolicy{hold: cqlv1.ReasonAwaitingApproval, approved: p.Hash}.decide(g)
		if res.pending != nil || res.approved != p.Hash || !slices.Equal(kindsOf(g[0].run), kindsOf(g[0].planned)) || len(g[1].run) != 1 {
			t.Fatalf("approved: %+v %+v", res, g[0])
		}
		// Any other hash runs nothing.
		g = mixed()
		if res := (gatePolicy{hold: cqlv1.ReasonAwaitingApproval, approved: "0123456789ab"}).decide(g); res.pending == nil || len(g[0].run) != 0 {
			t.Fatalf("another hash: %+v", res)
		}
	})
	t.Run("AutoAdditive runs additive statements and holds the rest", func(t *testing.T) {
		g := mixed()
		res := gatePolicy{hold: cqlv1.ReasonAwaitingApproval, additiveRuns: true}.decide(g)
		if !slices.Equal(kindsOf(g[0].run), []plan.Kind{plan.AddColumns, plan.CreateIndex}) || !slices.Equal(kindsOf(g[0].held), []plan.Kind{plan.AlterOptions}) ||
			len(g[1].run) != 1 || len(g[1].held) != 0 {
			t.Fatalf("split: %+v %+v", g[0], g[1])
		}
		if res.pending == nil || len(res.pending.Targets) != 1 || len(res.pending.Targets[0].Statements) != 1 {
			t.Fatalf("pending = %+v", res.pending)
		}
		approved := gatePolicy{hold: cqlv1.ReasonAwaitingApproval, additiveRuns: true, approved: res.pending.Hash}
		g = mixed()
		if res := approved.decide(g); res.approved == "" || !slices.Equal(kindsOf(g[0].run), kindsOf(g[0].planned)) {
			t.Fatalf("approved: %+v %+v", res, g[0])
		}
	})
	t.Run("only additive statements: nothing waits", func(t *testing.T) {
		g := []*gated{{connection: "c1", planned: enginetest.Statements(plan.CreateKeyspace)}, {connection: "c2", planned: enginetest.Statements(plan.CreateType, plan.AddField)}}
		if res := (gatePolicy{hold: cqlv1.ReasonAwaitingApproval, additiveRuns: true}).decide(g); res.pending != nil || len(g[1].run) != 2 {
			t.Fatalf("%+v", res)
		}
	})
	t.Run("paused and dry-run hold everything and cannot be approved", func(t *testing.T) {
		for _, reason := range []string{cqlv1.ReasonPaused, cqlv1.ReasonDryRun} {
			g := mixed()
			res := gatePolicy{hold: reason}.decide(g)
			g2 := mixed()
			again := gatePolicy{hold: reason, approved: res.pending.Hash}.decide(g2)
			if res.pending.Reason != reason || again.pending == nil || again.approved != "" || len(g2[0].run) != 0 {
				t.Fatalf("%s: %+v / %+v", reason, res, again)
			}
		}
	})
}

// The hash is stable for the same statements against the same schema, changes with any of them,
// and ignores why the plan waits.
func TestPlanHash(t *testing.T) {
	base := func() []cqlv1.PlanTarget {
		return []cqlv1.PlanTarget{
			{Connection: "c1", Keyspace: "ks", SchemaVersion: "v1", Statements: []cqlv1.PlannedStatement{{CQL: "A", Summary: "a"}, {CQL: "B", Summary: "b"}}},
			{Connection: "c2", Keyspace: "ks", SchemaVersion: "v2", Statements: []cqlv1.PlannedStatement{{CQL: "C", Summary: "c"}}},
		}
	}
	h := planHash(base())
	if h != planHash(base()) || len(h) != 12 {
		t.Fatalf("unstable or wrong length: %q", h)
	}
	changes := map[string]func([]cqlv1.PlanTarget){
		"a statement": func(p []cqlv1.PlanTarget) { p[0].Statements[1].CQL = "B2" },
		"the order": func(p []cqlv1.PlanTarget) {
			p[0].Statements[0], p[0].Statements[1] = p[0].Statements[1], p[0].Statements[0]
		},
		"a schema version": func(p []cqlv1.PlanTarget) { p[1].SchemaVersion = "v3" },
		"a connection":     func(p []cqlv1.PlanTarget) { p[1].Connection = "c3" },
		"a keyspace":       func(p []cqlv1.PlanTarget) { p[0].Keyspace = "other" },
		"a statement moved": func(p []cqlv1.PlanTarget) {
			p[1].Statements = append(p[1].Statements, p[0].Statements[1])
			p[0].Statements = p[0].Statements[:1]
		},
		"split across lines":    func(p []cqlv1.PlanTarget) { p[0].Statements[0].CQL = "A\nB"; p[0].Statements = p[0].Statements[:1] },
		"a target more or less": func(p []cqlv1.PlanTarget) { p[1].Statements = nil },
	}
	for name, change := range changes {
		p := base()
		change(p)
		if planHash(p) == h {
			t.Errorf("changing %s keeps the hash %s", name, h)
		}
	}
	p := base()
	p[0].Statements[0].Summary = "another summary"
	if planHash(p) != h {
		t.Error("summaries are not part of what runs: they must not change the hash")
	}
}
