package schemakind

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
	"github.com/cqlsync/cqlsync/internal/cql/introspect"
	"github.com/cqlsync/cqlsync/internal/engine"
	"github.com/cqlsync/cqlsync/internal/engine/enginetest"
)

// liveReadings is keyspace ks1 holding the readings table of sampleTable (id uuid, home
// frozen<address>) and the address type.
func liveReadings() *introspect.KeyspaceSchema {
	ks := enginetest.KeyspaceSchema("ks1")
	ks.Types["address"] = &introspect.UserType{Name: "address"}
	ks.Tables["readings"] = &introspect.Table{Keyspace: "ks1", Name: "readings", Columns: []introspect.Column{
		{Name: "id", Kind: introspect.KindPartitionKey, Position: 0, ClusteringOrder: "none", Type: "uuid"},
		{Name: "home", Kind: introspect.KindRegular, Position: -1, ClusteringOrder: "none", Type: "frozen<address>"},
	}, Options: introspect.TableOptions{Comment: "", Caching: map[string]string{}, Compaction: map[string]string{}, Compression: map[string]string{}}}
	return ks
}

func annotate(t *testing.T, c client.Client, obj client.Object, key, value string) {
	t.Helper()
	if err := c.Get(context.Background(), client.ObjectKeyFromObject(obj), obj); err != nil {
		t.Fatal(err)
	}
	a := obj.GetAnnotations()
	if a == nil {
		a = map[string]string{}
	}
	a[key] = value
	obj.SetAnnotations(a)
	if err := c.Update(context.Background(), obj); err != nil {
		t.Fatal(err)
	}
}

func hasEvent(evs []string, prefix string) bool {
	return slices.ContainsFunc(evs, func(e string) bool { return strings.HasPrefix(e, prefix) })
}

// Manual: nothing runs until the plan is approved; the plan is published with its hash and how to
// approve it; approving exactly that hash runs exactly its statements, and the plan goes away.
func TestManualRunsOnlyTheApprovedPlan(t *testing.T) {
	tm := sampleTable("ks1")
	tm.Spec.ChangePolicy = cqlv1.ChangePolicyManual
	cl := enginetest.NewFakeCluster(liveReadings())
	c := fakeClient(t, nil, tm, enginetest.ReadyConn("ns", "c1", false, ""))
	r := tableModelReconciler(c, enginetest.FakeClusters{"c1": cl})
	tm.Spec.Columns = append(tm.Spec.Columns, cqlv1.Column{Name: "note", Type: "text"})
	comment := "audited"
	tm.Spec.Options = &cqlv1.TableOptions{Comment: &comment}
	if err := c.Update(context.Background(), tm); err != nil {
		t.Fatal(err)
	}
	if _, err := reconcileObj(t, r, tm); err != nil {
		t.Fatal(err)
	}
	if len(cl.Statements()) != 0 {
		t.Fatalf("Manual ran %q before any approval", cl.Statements())
	}
	p := tm.Status.Plan
	if p == nil || p.Reason != cqlv1.ReasonAwaitingApproval || len(p.Targets) != 1 || len(p.Targets[0].Statements) != 2 ||
		p.Targets[0].SchemaVersion != liveReadings().ObjectDigest(introspect.TableObject, "readings") || p.Targets[0].Statements[0].CQL != `ALTER TABLE "ks1"."readings" ADD "note" text` {
		t.Fatalf("plan = %+v", p)
	}
	ready := readyCond(t, &tm.Status.SchemaStatus)
	if ready.Reason != cqlv1.ReasonAwaitingApproval || !strings.Contains(ready.Message, "kubectl annotate tablemodel/readings cqlsync.io/approve-plan="+p.Hash+" --overwrite") {
		t.Fatalf("Ready = %+v", ready)
	}
	// A plan that waits for a person on purpose is Stalled: a GitOps pipeline says so at once.
	expectHealth(t, tm.Status.Conditions, cqlv1.ConditionStalled, cqlv1.ReasonAwaitingApproval)
	if tg := tm.Status.Targets[0]; tg.State != cqlv1.TargetPending || tg.Reason != cqlv1.ReasonAwaitingApproval || !strings.Contains(tg.Message, "2 statement(s) wait for approval") {
		t.Fatalf("target = %+v", tg)
	}
	if evs := recordedEvents(r); !hasEvent(evs, "Normal PlanPending 2 statement(s) on 1 target(s) wait (AwaitingApproval)") {
		t.Fatalf("events = %q", evs)
	}
	// The same plan again: nothing is written, no new event.
	rv := tm.ResourceVersion
	if _, err := reconcileObj(t, r, tm); err != nil || tm.ResourceVersion != rv || len(recordedEvents(r)) != 0 {
		t.Fatalf("an unchanged plan wrote the object (%s -> %s) or an event: %v", rv, tm.ResourceVersion, err)
	}

	annotate(t, c, tm, cqlv1.AnnotationApprovePlan, p.Hash)
	if _, err := reconcileObj(t, r, tm); err != nil {
		t.Fatal(err)
	}
	want := []string{p.Targets[0].Statements[0].CQL, p.Targets[0].Statements[1].CQL}
	if got := cl.Statements(); !slices.Equal(got, want) {
		t.Fatalf("ran %q, want exactly the plan %q", got, want)
	}
	if tm.Status.Plan != nil || tm.Status.Targets[0].State != cqlv1.TargetSynced {
		t.Fatalf("after the approved run: %+v", tm.Status)
	}
	if evs := recordedEvents(r); !hasEvent(evs, "Normal PlanApproved plan "+p.Hash) || !hasEvent(evs, "Normal ColumnsAdded c1/ks1") {
		t.Fatalf("events = %q", evs)
	}
}

// A stale approval: the live schema changes after the plan was published, and the old hash is
// approved. Nothing runs, the plan that waits is a new one, and an event says why.
func TestStaleApprovalRunsNothing(t *testing.T) {
	tm := sampleTable("ks1")
	tm.Spec.ChangePolicy = cqlv1.ChangePolicyManual
	tm.Spec.Columns = append(tm.Spec.Columns, cqlv1.Column{Name: "note", Type: "text"})
	live := liveReadings()
	cl := enginetest.NewFakeCluster(live)
	c := fakeClient(t, nil, tm, enginetest.ReadyConn("ns", "c1", false, ""))
	r := tableModelReconciler(c, enginetest.FakeClusters{"c1": cl})
	if _, err := reconcileObj(t, r, tm); err != nil {
		t.Fatal(err)
	}
	old, oldVersion := tm.Status.Plan.Hash, tm.Status.Plan.Targets[0].SchemaVersion
	// Out of band, someone else's DDL: the table gets a column.
	cl.Ran = append(cl.Ran, enginetest.Statements("OutOfBand")...)
	live.Tables["readings"].Columns = append(live.Tables["readings"].Columns,
		introspect.Column{Name: "extra", Kind: introspect.KindRegular, Position: -1, ClusteringOrder: "none", Type: "int"})
	annotate(t, c, tm, cqlv1.AnnotationApprovePlan, old)
	if _, err := reconcileObj(t, r, tm); err != nil {
		t.Fatal(err)
	}
	if got := cl.Statements(); len(got) != 1 || got[0] != "OutOfBand #a" {
		t.Fatalf("a stale approval ran %q", got)
	}
	if p := tm.Status.Plan; p == nil || p.Hash == old || p.Targets[0].SchemaVersion == oldVersion {
		t.Fatalf("plan = %+v; want a new plan against the new schema", p)
	}
	if evs := recordedEvents(r); !hasEvent(evs, "Warning ApprovalVoid the annotation cqlsync.io/approve-plan approves plan "+old) {
		t.Fatalf("events = %q", evs)
	}
}

// AutoAdditive: the ADD runs at once, the ALTER waits; the waiting part is planned again against
// the schema the ADD left (soon), and then published alone.
func TestAutoAdditiveRunsTheAddAndHoldsTheAlter(t *testing.T) {
	tm := sampleTable("ks1")
	tm.Spec.ChangePolicy = cqlv1.ChangePolicyAutoAdditive
	tm.Spec.Columns = append(tm.Spec.Columns, cqlv1.Column{Name: "note", Type: "text"})
	comment := "audited"
	tm.Spec.Options = &cqlv1.TableOptions{Comment: &comment}
	live := liveReadings()
	cl := enginetest.NewFakeCluster(live)
	r := tableModelReconciler(fakeClient(t, nil, tm, enginetest.ReadyConn("ns", "c1", false, "")), enginetest.FakeClusters{"c1": cl})
	res, err := reconcileObj(t, r, tm)
	if err != nil {
		t.Fatal(err)
	}
	if got := cl.Statements(); len(got) != 1 || got[0] != `ALTER TABLE "ks1"."readings" ADD "note" text` {
		t.Fatalf("ran %q; want only the ADD", got)
	}
	tg := tm.Status.Targets[0]
	if tg.State != cqlv1.TargetPending || tg.Reason != cqlv1.ReasonAwaitingApproval || !strings.HasPrefix(tg.Message, `add 1 column "note" text to "ks1"."readings"; then: 1 statement(s) wait for approval: alter table`) {
		t.Fatalf("target = %+v", tg)
	}
	if tm.Status.Plan != nil || res.RequeueAfter != time.Second {
		t.Fatalf("the held ALTER must be planned again first: plan %+v, requeue %v", tm.Status.Plan, res)
	}
	live.Tables["readings"].Columns = append(live.Tables["readings"].Columns,
		introspect.Column{Name: "note", Kind: introspect.KindRegular, Position: -1, ClusteringOrder: "none", Type: "text"})
	if _, err := reconcileObj(t, r, tm); err != nil {
		t.Fatal(err)
	}
	p := tm.Status.Plan
	if p == nil || len(p.Targets[0].Statements) != 1 || !strings.HasPrefix(p.Targets[0].Statements[0].CQL, `ALTER TABLE "ks1"."readings" WITH "comment" = 'audited'`) ||
		p.Targets[0].SchemaVersion != live.ObjectDigest(introspect.TableObject, "readings") || len(cl.Statements()) != 1 {
		t.Fatalf("plan = %+v, ran %q", p, cl.Statements())
	}
}

// Paused and --dry-run: drift is read and reported, but nothing runs; the plan says what would.
func TestPausedAndDryRunRunNothing(t *testing.T) {
	for _, mode := range []string{cqlv1.ReasonPaused, cqlv1.ReasonDryRun} {
		t.Run(mode, func(t *testing.T) {
			ut := enginetest.SampleUserType()
			live := enginetest.KeyspaceSchema("ks1")
			live.Types["address"] = &introspect.UserType{Name: "address", Fields: []introspect.Field{{Name: "street", Type: "text"}}}
			cl := enginetest.NewFakeCluster(live)
			c := fakeClient(t, nil, ut, enginetest.ReadyConn("ns", "c1", false, ""))
			dryRun := mode != cqlv1.ReasonPaused
			r := newTestReconcilerWith(c, enginetest.FakeClusters{"c1": cl}, engine.UserTypes, dryRun)
			if !dryRun {
				annotate(t, c, ut, cqlv1.AnnotationPaused, "true")
			}
			if _, err := reconcileObj(t, r, ut); err != nil {
				t.Fatal(err)
			}
			ready := readyCond(t, &ut.Status.SchemaStatus)
			if len(cl.Statements()) != 0 || ready.Reason != mode || ut.Status.Plan == nil || ut.Status.Plan.Reason != mode ||
				ut.Status.Plan.Targets[0].Statements[0].CQL != `ALTER TYPE "ks1"."address" ADD "zip" int` {
				t.Fatalf("ran %q; Ready %+v; plan %+v", cl.Statements(), ready, ut.Status.Plan)
			}
			// Approving it changes nothing.
			annotate(t, c, ut, cqlv1.AnnotationApprovePlan, ut.Status.Plan.Hash)
			if _, err := reconcileObj(t, r, ut); err != nil || len(cl.Statements()) != 0 {
				t.Fatalf("an approval ran %q while %s: %v", cl.Statements(), mode, err)
			}
		})
	}
}

// Deleting under Manual: the DROP is a change like any other, and waits for its approval.
func TestManualDropWaitsForApproval(t *testing.T) {
	ks := sampleKeyspace()
	ks.Spec.Name = "ks1"
	ks.Spec.ChangePolicy = cqlv1.ChangePolicyManual
	ks.Spec.DeletionPolicy = cqlv1.DeletionPolicyDelete
	ks.Finalizers = []string{cqlv1.Finalizer}
	cl := enginetest.NewFakeCluster(enginetest.KeyspaceSchema("ks1"))
	c := fakeClient(t, nil, ks, enginetest.ReadyConn("ns", "c1", false, ""))
	r := keyspaceReconciler(c, enginetest.FakeClusters{"c1": cl})
	if err := c.Delete(context.Background(), ks); err != nil {
		t.Fatal(err)
	}
	if _, err := reconcileObj(t, r, ks); err != nil {
		t.Fatal(err)
	}
	ready := readyCond(t, &ks.Status.SchemaStatus)
	p := ks.Status.Plan
	if len(cl.Statements()) != 0 || !controllerutil.ContainsFinalizer(ks, cqlv1.Finalizer) || ready.Reason != cqlv1.ReasonAwaitingApproval ||
		p == nil || p.Targets[0].Statements[0].CQL != `DROP KEYSPACE IF EXISTS "ks1"` || !strings.Contains(ready.Message, "kubectl annotate keyspace/ks1") {
		t.Fatalf("ran %q; Ready %+v; plan %+v", cl.Statements(), ready, p)
	}
	annotate(t, c, ks, cqlv1.AnnotationApprovePlan, p.Hash)
	if _, err := reconcileObj(t, r, ks); err != nil {
		t.Fatal(err)
	}
	if got := cl.Statements(); !slices.Equal(got, []string{`DROP KEYSPACE IF EXISTS "ks1"`}) {
		t.Fatalf("ran %q", got)
	}
	if err := c.Get(context.Background(), client.ObjectKeyFromObject(ks), ks); err == nil {
		t.Fatalf("the Keyspace must be gone once its approved drop ran: %+v", ks.Finalizers)
	}
}

// An approved plan that fails part-way reports per target what ran and what did not; what did not
// run is planned again and, under Manual, needs a new approval.
func TestApprovedPlanFailingPartWay(t *testing.T) {
	ut := enginetest.SampleUserType()
	ut.Spec.ChangePolicy = cqlv1.ChangePolicyManual
	ut.Spec.Connections = enginetest.ConnNames("c1", "c2")
	cl1, cl2 := enginetest.NewFakeCluster(enginetest.KeyspaceSchema("ks1")), enginetest.NewFakeCluster(enginetest.KeyspaceSchema("ks1"))
	c := fakeClient(t, nil, ut, enginetest.ReadyConn("ns", "c1", false, ""), enginetest.ReadyConn("ns", "c2", false, ""))
	r := userTypeReconciler(c, enginetest.FakeClusters{"c1": cl1, "c2": cl2})
	if _, err := reconcileObj(t, r, ut); err != nil {
		t.Fatal(err)
	}
	first := ut.Status.Plan
	if first == nil || len(first.Targets) != 2 {
		t.Fatalf("plan = %+v", first)
	}
	cl2.ApplyErr = errors.New("Cassandra refused it")
	annotate(t, c, ut, cqlv1.AnnotationApprovePlan, first.Hash)
	if _, err := reconcileObj(t, r, ut); err != nil {
		t.Fatal(err)
	}
	t1, _ := findTargetStatus(ut.Status.Targets, "c1", "ks1")
	t2, _ := findTargetStatus(ut.Status.Targets, "c2", "ks1")
	if len(cl1.Statements()) != 1 || t1.State != cqlv1.TargetSynced || !strings.HasPrefix(t1.Message, "create type") ||
		t2.State != cqlv1.TargetFailed || !strings.Contains(t2.Message, "Cassandra refused it") {
		t.Fatalf("per target: %+v / %+v", t1, t2)
	}
	// What did not run waits again, as a new plan of its own.
	cl2.ApplyErr = nil
	cl1.Keyspaces["ks1"].Types["address"] = &introspect.UserType{Name: "address", Fields: []introspect.Field{{Name: "street", Type: "text"}, {Name: "zip", Type: "int"}}}
	if _, err := reconcileObj(t, r, ut); err != nil {
		t.Fatal(err)
	}
	p := ut.Status.Plan
	if p == nil || p.Hash == first.Hash || len(p.Targets) != 1 || p.Targets[0].Connection != "c2" || len(cl2.Statements()) != 0 {
		t.Fatalf("the rest must wait for a new approval: %+v, ran %q", p, cl2.Statements())
	}
}

func findTargetStatus(ts []cqlv1.TargetStatus, conn, ks string) (cqlv1.TargetStatus, bool) {
	for _, t := range ts {
		if t.Connection == conn && t.Keyspace == ks {
			return t, true
		}
	}
	return cqlv1.TargetStatus{}, false
}
