package integration

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
	"github.com/cqlsync/cqlsync/test/rig/testenv"
)

// waitPlan waits for the TableModel to publish a plan that waits for the reason and that check
// accepts, and returns the TableModel.
func waitPlan(t *testing.T, ns, name, reason string, check func(*cqlv1.PendingPlan) error) *cqlv1.TableModel {
	t.Helper()
	return waitSchema[cqlv1.TableModel](t, ns, name, metav1.ConditionFalse, reason, tableTimeout, func(tm *cqlv1.TableModel) error {
		if tm.Status.Plan == nil || tm.Status.Plan.Reason != reason {
			return fmt.Errorf("no %s plan yet: %+v", reason, tm.Status.Plan)
		}
		if check != nil {
			return check(tm.Status.Plan)
		}
		return nil
	})
}

// planCQL lists a plan's statements.
func planCQL(p *cqlv1.PendingPlan) []string {
	var out []string
	for _, t := range p.Targets {
		for _, st := range t.Statements {
			out = append(out, st.CQL)
		}
	}
	return out
}

// annotateObj sets an annotation, retrying on conflicts.
func annotateObj(t *testing.T, obj client.Object, key, value string) {
	t.Helper()
	eventually(t, tableTimeout, func() error {
		if err := k8s.Get(ctx, clientKey(obj), obj); err != nil {
			return err
		}
		a := obj.GetAnnotations()
		if a == nil {
			a = map[string]string{}
		}
		a[key] = value
		obj.SetAnnotations(a)
		return k8s.Update(ctx, obj)
	})
}

// TestManualChangePolicy: under Manual nothing runs on any target until the plan is approved;
// then exactly the plan runs, on both clusters. A stale approval (the live table changed out of
// band after the plan was published) runs nothing, and a new plan replaces the old one.
func TestManualChangePolicy(t *testing.T) {
	rig := testenv.Cassandra(t)
	ns := newNamespace(t)
	s1, s2 := cqlSession(t, rig.Cluster1), cqlSession(t, rig.Cluster2)
	ks := "cc_manual_" + uniqueSuffix()
	tmKeyspace(t, ks, s1, s2)
	readyConnection(t, ns, "c1", rig.Cluster1, "", false)
	readyConnection(t, ns, "c2", rig.Cluster2, "", false)

	spec := readingsSpec("c1", ks)
	spec.Connections = connNames("c1", "c2")
	spec.ChangePolicy = cqlv1.ChangePolicyManual
	stats1, stats2 := ddlStats(ns, "c1"), ddlStats(ns, "c2")
	mustCreate(t, tableModelObj(ns, "readings", spec))
	tm := waitPlan(t, ns, "readings", cqlv1.ReasonAwaitingApproval, func(p *cqlv1.PendingPlan) error {
		if len(p.Targets) != 2 {
			return fmt.Errorf("want both targets in the plan: %+v", p.Targets)
		}
		return nil
	})
	plan1 := tm.Status.Plan
	if liveTable(t, s1, ks, "readings") != nil || liveTable(t, s2, ks, "readings") != nil {
		t.Fatal("Manual created the table before any approval")
	}
	if c := meta.FindStatusCondition(tm.Status.Conditions, cqlv1.ConditionReady); !strings.Contains(c.Message, "kubectl annotate tablemodel/readings cqlsync.io/approve-plan="+plan1.Hash) {
		t.Errorf("Ready message: %q", c.Message)
	}
	for _, tg := range tm.Status.Targets {
		if tg.State != cqlv1.TargetPending || tg.Reason != cqlv1.ReasonAwaitingApproval {
			t.Errorf("target %+v", tg)
		}
	}
	waitObjectEvent(t, ns, "TableModel", "readings", "PlanPending", "wait (AwaitingApproval)", plan1.Hash)

	annotateObj(t, tm, cqlv1.AnnotationApprovePlan, plan1.Hash)
	tm = waitSchema[cqlv1.TableModel](t, ns, "readings", metav1.ConditionTrue, cqlv1.ReasonSynced, tableTimeout, nil)
	if tm.Status.Plan != nil {
		t.Errorf("the plan ran but is still published: %+v", tm.Status.Plan)
	}
	// Exactly the plan ran: its statements, one each, on each cluster.
	want := len(planCQL(plan1))
	if ran := ddlStats(ns, "c1").Statements - stats1.Statements + ddlStats(ns, "c2").Statements - stats2.Statements; ran != int64(want) {
		t.Errorf("ran %d statements, the plan had %d", ran, want)
	}
	if liveTable(t, s1, ks, "readings") == nil || liveTable(t, s2, ks, "readings") == nil {
		t.Fatal("the approved plan did not create the table on both clusters")
	}
	waitObjectEvent(t, ns, "TableModel", "readings", "PlanApproved", plan1.Hash)

	// A new column under Manual: planned, not run.
	updateObject(t, ns, "readings", func(m *cqlv1.TableModel) {
		m.Spec.Columns = append(m.Spec.Columns, cqlv1.Column{Name: "note", Type: "text"})
	})
	tm = waitPlan(t, ns, "readings", cqlv1.ReasonAwaitingApproval, nil)
	plan2 := tm.Status.Plan
	if got := planCQL(plan2); len(got) != 2 || !strings.Contains(got[0], `ADD "note" text`) {
		t.Fatalf("plan = %q", got)
	}
	// Out of band, after the plan was published, cluster2's table changes: the old plan is stale.
	cql(t, s2, `ALTER TABLE "`+ks+`"."readings" ADD "note" text`)
	tm = waitPlan(t, ns, "readings", cqlv1.ReasonAwaitingApproval, func(p *cqlv1.PendingPlan) error {
		if p.Hash == plan2.Hash {
			return fmt.Errorf("still the old plan %s", p.Hash)
		}
		return nil
	})
	plan3 := tm.Status.Plan
	if got := planCQL(plan3); len(got) != 1 || plan3.Targets[0].Connection != "c1" {
		t.Errorf("the new plan: %+v", plan3)
	}
	stats1 = ddlStats(ns, "c1")
	annotateObj(t, tm, cqlv1.AnnotationApprovePlan, plan2.Hash) // the stale one
	waitObjectEvent(t, ns, "TableModel", "readings", "ApprovalVoid", "approves plan "+plan2.Hash, "the plan that waits is "+plan3.Hash)
	if ddlStats(ns, "c1").Statements != stats1.Statements || liveTable(t, s1, ks, "readings").Column("note") != nil {
		t.Fatal("a stale approval ran DDL")
	}
	annotateObj(t, tm, cqlv1.AnnotationApprovePlan, plan3.Hash)
	waitSchema[cqlv1.TableModel](t, ns, "readings", metav1.ConditionTrue, cqlv1.ReasonSynced, tableTimeout, nil)
	if c := liveTable(t, s1, ks, "readings").Column("note"); c == nil {
		t.Fatal("the approved plan did not add the column")
	}
}

// TestAutoAdditiveChangePolicy: a new column runs at once; the comment change waits for approval,
// alone in the plan.
func TestAutoAdditiveChangePolicy(t *testing.T) {
	rig := testenv.Cassandra(t)
	ns := newNamespace(t)
	s1 := cqlSession(t, rig.Cluster1)
	ks := "cc_additive_" + uniqueSuffix()
	tmKeyspace(t, ks, s1)
	readyConnection(t, ns, "c1", rig.Cluster1, "", false)
	spec := readingsSpec("c1", ks)
	spec.ChangePolicy = cqlv1.ChangePolicyAutoAdditive
	mustCreate(t, tableModelObj(ns, "readings", spec))
	waitSchema[cqlv1.TableModel](t, ns, "readings", metav1.ConditionTrue, cqlv1.ReasonSynced, tableTimeout, nil) // CREATE TABLE is additive

	comment := "audited"
	updateObject(t, ns, "readings", func(m *cqlv1.TableModel) {
		m.Spec.Columns = append(m.Spec.Columns, cqlv1.Column{Name: "note", Type: "text"})
		m.Spec.Options = &cqlv1.TableOptions{Comment: &comment}
	})
	tm := waitPlan(t, ns, "readings", cqlv1.ReasonAwaitingApproval, nil)
	if got := planCQL(tm.Status.Plan); len(got) != 1 || !strings.HasPrefix(got[0], `ALTER TABLE "`+ks+`"."readings" WITH "comment" = 'audited'`) {
		t.Fatalf("plan = %q", got)
	}
	tbl := liveTable(t, s1, ks, "readings")
	if tbl.Column("note") == nil || tbl.Options.Comment == comment {
		t.Fatalf("want the ADD applied and the ALTER held: column %+v, comment %q", tbl.Column("note"), tbl.Options.Comment)
	}
	annotateObj(t, tm, cqlv1.AnnotationApprovePlan, tm.Status.Plan.Hash)
	waitSchema[cqlv1.TableModel](t, ns, "readings", metav1.ConditionTrue, cqlv1.ReasonSynced, tableTimeout, nil)
	if got := liveTable(t, s1, ks, "readings").Options.Comment; got != comment {
		t.Errorf("comment %q after approval", got)
	}
}

// TestPauseHoldsDriftCorrection: a paused TableModel sees a column dropped out of band and reports
// what it would run, but runs nothing until the annotation goes.
func TestPauseHoldsDriftCorrection(t *testing.T) {
	rig := testenv.Cassandra(t)
	ns := newNamespace(t)
	s1 := cqlSession(t, rig.Cluster1)
	ks := "cc_pause_" + uniqueSuffix()
	tmKeyspace(t, ks, s1)
	readyConnection(t, ns, "c1", rig.Cluster1, "", false)
	obj := tableModelObj(ns, "readings", readingsSpec("c1", ks))
	mustCreate(t, obj)
	waitSchema[cqlv1.TableModel](t, ns, "readings", metav1.ConditionTrue, cqlv1.ReasonSynced, tableTimeout, nil)
	annotateObj(t, obj, cqlv1.AnnotationPaused, "true")

	stats := ddlStats(ns, "c1")
	cql(t, s1, `ALTER TABLE "`+ks+`"."readings" DROP "v"`)
	tm := waitPlan(t, ns, "readings", cqlv1.ReasonPaused, nil)
	if got := planCQL(tm.Status.Plan); !slices.Equal(got, []string{`ALTER TABLE "` + ks + `"."readings" ADD "v" text`}) {
		t.Errorf("plan = %q", got)
	}
	if c := meta.FindStatusCondition(tm.Status.Conditions, cqlv1.ConditionReady); !strings.Contains(c.Message, "remove the annotation cqlsync.io/paused") {
		t.Errorf("Ready message: %q", c.Message)
	}
	// Resyncs go on (reads), and run nothing.
	assertQuiet(t, ns, "readings", 2, "c1")
	if ddlStats(ns, "c1").Statements != stats.Statements || liveTable(t, s1, ks, "readings").Column("v") != nil {
		t.Fatal("a paused TableModel corrected drift")
	}
	eventually(t, tableTimeout, func() error {
		if err := k8s.Get(ctx, clientKey(obj), obj); err != nil {
			return err
		}
		delete(obj.Annotations, cqlv1.AnnotationPaused)
		return k8s.Update(ctx, obj)
	})
	waitSchema[cqlv1.TableModel](t, ns, "readings", metav1.ConditionTrue, cqlv1.ReasonSynced, tableTimeout, nil)
	if liveTable(t, s1, ks, "readings").Column("v") == nil {
		t.Fatal("the drift was not corrected once the pause was lifted")
	}
}
