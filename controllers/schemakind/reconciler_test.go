package schemakind

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
	"github.com/cqlsync/cqlsync/controllers/skeleton"
	"github.com/cqlsync/cqlsync/internal/cql/apply"
	"github.com/cqlsync/cqlsync/internal/cql/introspect"
	"github.com/cqlsync/cqlsync/internal/engine/enginetest"
)

func sampleKeyspace() *cqlv1.Keyspace {
	rf := int32(1)
	return &cqlv1.Keyspace{ObjectMeta: enginetest.ObjMeta("ns", "ks1", 0), Spec: cqlv1.KeyspaceSpec{
		Replication: cqlv1.KeyspaceReplication{Strategy: cqlv1.SimpleStrategy, ReplicationFactor: &rf}, Connections: enginetest.ConnNames("c1")}}
}

func sampleTable(keyspaces ...string) *cqlv1.TableModel {
	return &cqlv1.TableModel{ObjectMeta: enginetest.ObjMeta("ns", "readings", 0), Spec: cqlv1.TableModelSpec{
		Connections: enginetest.ConnNames("c1"), Keyspaces: enginetest.KeyspaceNames(keyspaces...),
		Columns:      []cqlv1.Column{{Name: "id", Type: "uuid"}, {Name: "home", Type: "frozen<address>"}},
		PartitionKey: []cqlv1.ColumnName{"id"}}}
}

func readyCond(t *testing.T, st *cqlv1.SchemaStatus) *metav1.Condition {
	t.Helper()
	c := meta.FindStatusCondition(st.Conditions, cqlv1.ConditionReady)
	if c == nil {
		t.Fatalf("no Ready condition: %+v", st)
	}
	return c
}

// Each kind goes through the same pipeline: the first reconcile creates the object, sets the
// finalizer and spec.name, and reports the statement in status and in an event; the next, with
// the object in place, runs nothing and writes nothing.
func TestPipelineCreatesThenIsQuiet(t *testing.T) {
	t.Run("Keyspace", func(t *testing.T) {
		ks := sampleKeyspace()
		c := fakeClient(t, nil, ks, enginetest.ReadyConn("ns", "c1", false, ""))
		cl := enginetest.NewFakeCluster()
		r := keyspaceReconciler(c, enginetest.FakeClusters{"c1": cl})
		res, err := reconcileObj(t, r, ks)
		if err != nil {
			t.Fatal(err)
		}
		if got := cl.Statements(); len(got) != 1 || !strings.HasPrefix(got[0], `CREATE KEYSPACE IF NOT EXISTS "ks1"`) {
			t.Fatalf("statements = %q", got)
		}
		if ks.Spec.Name != "ks1" || !controllerutil.ContainsFinalizer(ks, cqlv1.Finalizer) || ks.Status.Keyspace != "ks1" || ks.Status.TargetsSynced != "1/1" {
			t.Fatalf("keyspace = %+v", ks)
		}
		tg := ks.Status.Targets[0]
		if tg.Connection != "c1" || tg.Keyspace != "" || tg.State != cqlv1.TargetSynced || !strings.HasPrefix(tg.Message, `create keyspace "ks1"`) || tg.LastSyncTime == nil {
			t.Fatalf("target = %+v", tg)
		}
		if c := readyCond(t, &ks.Status.SchemaStatus); c.Status != metav1.ConditionTrue || c.Message != `keyspace "ks1" is in sync on connection c1` || res.RequeueAfter != 5*time.Minute {
			t.Fatalf("Ready = %+v, requeue %v", c, res)
		}
		if evs := recordedEvents(r); len(evs) != 1 || !strings.HasPrefix(evs[0], "Normal KeyspaceCreated connection c1: create keyspace") {
			t.Fatalf("events = %q", evs)
		}
		cl.Keyspaces["ks1"] = enginetest.KeyspaceSchema("ks1")
		rv := ks.ResourceVersion
		if _, err := reconcileObj(t, r, ks); err != nil {
			t.Fatal(err)
		}
		if len(cl.Statements()) != 1 || ks.ResourceVersion != rv || cl.Plans != 2 {
			t.Fatalf("a reconcile with nothing to do ran %q (plans %d) or wrote the object (%s -> %s)", cl.Statements(), cl.Plans, rv, ks.ResourceVersion)
		}
	})
	t.Run("TableModel", func(t *testing.T) {
		tm := sampleTable("ks1")
		live := enginetest.KeyspaceSchema("ks1")
		live.Types["address"] = &introspect.UserType{Name: "address", Fields: []introspect.Field{{Name: "street", Type: "text"}}}
		c := fakeClient(t, nil, tm, enginetest.ReadyConn("ns", "c1", false, ""))
		cl := enginetest.NewFakeCluster(live)
		r := tableModelReconciler(c, enginetest.FakeClusters{"c1": cl})
		if _, err := reconcileObj(t, r, tm); err != nil {
			t.Fatal(err)
		}
		want := `CREATE TABLE IF NOT EXISTS "ks1"."readings" ("id" uuid, "home" frozen<"address">, PRIMARY KEY (("id")))`
		if got := cl.Statements(); !slices.Equal(got, []string{want}) {
			t.Fatalf("statements = %q", got)
		}
		tg := tm.Status.Targets[0]
		if tm.Status.Table != "readings" || tg.Connection != "c1" || tg.Keyspace != "ks1" || tg.State != cqlv1.TargetSynced {
			t.Fatalf("status = %+v", tm.Status)
		}
		if c := readyCond(t, &tm.Status.SchemaStatus); c.Message != `table "readings" is in sync on c1/ks1` {
			t.Fatalf("Ready = %+v", c)
		}
		if evs := recordedEvents(r); len(evs) != 1 || !strings.HasPrefix(evs[0], `Normal TableCreated c1/ks1: create table "ks1"."readings"`) {
			t.Fatalf("events = %q", evs)
		}
	})
	t.Run("UserType", func(t *testing.T) {
		ut := enginetest.SampleUserType()
		c := fakeClient(t, nil, ut, enginetest.ReadyConn("ns", "c1", false, ""))
		cl := enginetest.NewFakeCluster(enginetest.KeyspaceSchema("ks1"))
		r := userTypeReconciler(c, enginetest.FakeClusters{"c1": cl})
		if _, err := reconcileObj(t, r, ut); err != nil {
			t.Fatal(err)
		}
		if got := cl.Statements(); !slices.Equal(got, []string{`CREATE TYPE IF NOT EXISTS "ks1"."address" ("street" text, "zip" int)`}) {
			t.Fatalf("statements = %q", got)
		}
		if ut.Spec.Name != "address" || ut.Status.Type != "address" || ut.Status.Targets[0].State != cqlv1.TargetSynced ||
			readyCond(t, &ut.Status.SchemaStatus).Message != `type "address" is in sync on c1/ks1` {
			t.Fatalf("status = %+v", ut.Status)
		}
		if evs := recordedEvents(r); len(evs) != 1 || !strings.HasPrefix(evs[0], `Normal TypeCreated c1/ks1: create type "ks1"."address" ("street" text, "zip" int)`) {
			t.Fatalf("events = %q", evs)
		}
	})
}

// An unreachable cluster is classified the same for every kind, whether reading the live schema or
// running DDL fails: Pending, Unreachable (the word the connection uses for the outage), retried with backoff.
func TestUnreachableIsPendingForEveryKind(t *testing.T) {
	for _, where := range []string{"read", "apply"} {
		cluster := func() *enginetest.FakeCluster {
			cl := enginetest.NewFakeCluster(enginetest.KeyspaceSchema("ks1"))
			cl.Keyspaces["ks1"].Types["address"] = &introspect.UserType{Name: "address"}
			if where == "read" {
				cl.ReadErr = enginetest.UnreachableErr
			} else {
				cl.ApplyErr = enginetest.UnreachableErr
			}
			return cl
		}
		check := func(t *testing.T, kind string, st *cqlv1.SchemaStatus, err error, requeue time.Duration) {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
			tg := st.Targets[0]
			if tg.State != cqlv1.TargetPending || tg.Reason != cqlv1.ReasonUnreachable || !strings.Contains(tg.Message, "no hosts available") ||
				!strings.HasSuffix(tg.Message, "; retrying") {
				t.Errorf("%s (%s fails): target = %+v", kind, where, tg)
			}
			if c := readyCond(t, st); c.Reason != cqlv1.ReasonUnreachable || requeue != skeleton.MinRetry {
				t.Errorf("%s (%s fails): Ready = %+v, requeue after %v", kind, where, c, requeue)
			}
		}
		ks := sampleKeyspace()
		ks.Spec.Name = "other" // missing on the cluster: a plan to apply
		r1 := keyspaceReconciler(fakeClient(t, nil, ks, enginetest.ReadyConn("ns", "c1", false, "")), enginetest.FakeClusters{"c1": cluster()})
		res, err := reconcileObj(t, r1, ks)
		check(t, "Keyspace", &ks.Status.SchemaStatus, err, res.RequeueAfter)

		tm := sampleTable("ks1")
		r2 := tableModelReconciler(fakeClient(t, nil, tm, enginetest.ReadyConn("ns", "c1", false, "")), enginetest.FakeClusters{"c1": cluster()})
		res, err = reconcileObj(t, r2, tm)
		check(t, "TableModel", &tm.Status.SchemaStatus, err, res.RequeueAfter)

		ut := enginetest.SampleUserType()
		r3 := userTypeReconciler(fakeClient(t, nil, ut, enginetest.ReadyConn("ns", "c1", false, "")), enginetest.FakeClusters{"c1": cluster()})
		res, err = reconcileObj(t, r3, ut)
		check(t, "UserType", &ut.Status.SchemaStatus, err, res.RequeueAfter)
	}
}

// A TableModel whose column uses a type a UserType declares waits for it (UserTypeNotFound) and
// runs nothing; a type nobody declares is InvalidType; once the type exists the table is created.
func TestTableModelWaitsForUserType(t *testing.T) {
	tm := sampleTable("ks1")
	cl := enginetest.NewFakeCluster(enginetest.KeyspaceSchema("ks1"))
	c := fakeClient(t, nil, tm, enginetest.ReadyConn("ns", "c1", false, ""))
	r := tableModelReconciler(c, enginetest.FakeClusters{"c1": cl})
	if _, err := reconcileObj(t, r, tm); err != nil {
		t.Fatal(err)
	}
	if tg := tm.Status.Targets[0]; tg.State != cqlv1.TargetFailed || tg.Reason != cqlv1.ReasonInvalidType || !strings.Contains(tg.Message, `spec.columns[1] (home): unknown type "address"`) {
		t.Fatalf("no UserType declares address: %+v", tg)
	}
	expectHealth(t, tm.Status.Conditions, cqlv1.ConditionStalled, cqlv1.ReasonInvalidType)
	if err := c.Create(context.Background(), enginetest.SampleUserType()); err != nil {
		t.Fatal(err)
	}
	if _, err := reconcileObj(t, r, tm); err != nil {
		t.Fatal(err)
	}
	if tg := tm.Status.Targets[0]; tg.State != cqlv1.TargetPending || tg.Reason != cqlv1.ReasonUserTypeNotFound || !strings.Contains(tg.Message, `waiting for UserType "ns/address"`) {
		t.Fatalf("the UserType declares it: %+v", tg)
	}
	expectHealth(t, tm.Status.Conditions, cqlv1.ConditionReconciling, cqlv1.ReasonUserTypeNotFound)
	if len(cl.Statements()) != 0 {
		t.Fatalf("ran %q while waiting", cl.Statements())
	}
	cl.Keyspaces["ks1"].Types["address"] = &introspect.UserType{Name: "address"}
	if _, err := reconcileObj(t, r, tm); err != nil {
		t.Fatal(err)
	}
	if tg := tm.Status.Targets[0]; tg.State != cqlv1.TargetSynced || len(cl.Statements()) != 1 {
		t.Fatalf("the type exists: %+v, %q", tg, cl.Statements())
	}
	expectHealth(t, tm.Status.Conditions, "", "")
}

// expectHealth checks kstatus's conditions: typ (Reconciling or Stalled) is True with the reason
// and with Ready's message, and the other is absent; typ "": both absent (Ready).
func expectHealth(t *testing.T, conds []metav1.Condition, typ, reason string) {
	t.Helper()
	ready := meta.FindStatusCondition(conds, cqlv1.ConditionReady)
	for _, other := range []string{cqlv1.ConditionReconciling, cqlv1.ConditionStalled} {
		c := meta.FindStatusCondition(conds, other)
		switch {
		case other != typ && c != nil:
			t.Errorf("%s = %+v, want it absent", other, c)
		case other == typ && (c == nil || c.Status != metav1.ConditionTrue || c.Reason != reason || ready == nil || c.Message != ready.Message):
			t.Errorf("%s = %+v, want True with reason %s and Ready's message (Ready = %+v)", other, c, reason, ready)
		}
	}
}

// A UserType whose field's type differs from the live one, or that lacks a live field, is Blocked:
// nothing runs, Drifted says why, and the extra field is listed as drift.
func TestUserTypeBlocked(t *testing.T) {
	ut := enginetest.SampleUserType()
	ut.Spec.Fields = append(ut.Spec.Fields, cqlv1.Field{Name: "city", Type: "text"})
	live := enginetest.KeyspaceSchema("ks1")
	live.Types["address"] = &introspect.UserType{Name: "address", Fields: []introspect.Field{{Name: "street", Type: "text"}, {Name: "zip", Type: "text"}, {Name: "geo", Type: "text"}}}
	cl := enginetest.NewFakeCluster(live)
	r := userTypeReconciler(fakeClient(t, nil, ut, enginetest.ReadyConn("ns", "c1", false, "")), enginetest.FakeClusters{"c1": cl})
	if _, err := reconcileObj(t, r, ut); err != nil {
		t.Fatal(err)
	}
	tg := ut.Status.Targets[0]
	if tg.State != cqlv1.TargetBlocked || tg.Reason != cqlv1.ReasonFieldTypeDiffers || !strings.Contains(tg.Message, `field "zip" of type "ks1"."address": Cassandra has type text, the spec says int`) ||
		!strings.Contains(tg.Message, `field "geo" text of type "ks1"."address" is not in spec.fields`) || len(tg.Drift) != 0 {
		t.Fatalf("target = %+v", tg)
	}
	if d := meta.FindStatusCondition(ut.Status.Conditions, cqlv1.ConditionDrifted); d == nil || d.Status != metav1.ConditionTrue || d.Reason != cqlv1.ReasonDriftBlocked {
		t.Fatalf("Drifted = %+v", d)
	}
	if len(cl.Statements()) != 0 {
		t.Fatalf("ran %q on a blocked target", cl.Statements())
	}
	evs := recordedEvents(r)
	// The field the spec lacks is part of the Blocked message, not also kept drift.
	if !slices.ContainsFunc(evs, func(e string) bool { return strings.HasPrefix(e, "Warning FieldTypeDiffers c1/ks1:") }) ||
		slices.ContainsFunc(evs, func(e string) bool { return strings.HasPrefix(e, "Warning DriftDetected") }) {
		t.Fatalf("events = %q", evs)
	}
}

// Deleting a UserType with deletionPolicy Delete while a table uses the type waits with reason
// InUse naming the table, and runs nothing; once the table is gone the type is dropped and the
// finalizer released.
func TestUserTypeDeleteWaitsWhileInUse(t *testing.T) {
	ut := enginetest.SampleUserType()
	ut.Spec.Name = "address"
	ut.Spec.DeletionPolicy = cqlv1.DeletionPolicyDelete
	ut.Finalizers = []string{cqlv1.Finalizer}
	live := enginetest.KeyspaceSchema("ks1")
	live.Types["address"] = &introspect.UserType{Name: "address", Fields: []introspect.Field{{Name: "street", Type: "text"}}}
	live.Tables["readings"] = &introspect.Table{Name: "readings", Columns: []introspect.Column{{Name: "home", Type: "frozen<address>"}}}
	cl := enginetest.NewFakeCluster(live)
	c := fakeClient(t, nil, ut, enginetest.ReadyConn("ns", "c1", false, ""))
	r := userTypeReconciler(c, enginetest.FakeClusters{"c1": cl})
	if err := c.Delete(context.Background(), ut); err != nil {
		t.Fatal(err)
	}
	res, err := reconcileObj(t, r, ut)
	if err != nil {
		t.Fatal(err)
	}
	ready := readyCond(t, &ut.Status.SchemaStatus)
	if ready.Reason != cqlv1.ReasonInUse || !strings.Contains(ready.Message, `type "address" is still used by tables "readings" of keyspace "ks1"`) ||
		!controllerutil.ContainsFinalizer(ut, cqlv1.Finalizer) || res.RequeueAfter == 0 {
		t.Fatalf("Ready = %+v, finalizers %v, requeue %v", ready, ut.Finalizers, res)
	}
	// The annotation lets go of unreachable targets, never of a type in use.
	ut.Annotations = map[string]string{cqlv1.AnnotationSkipUnreachableOnDelete: "true"}
	if err := c.Update(context.Background(), ut); err != nil {
		t.Fatal(err)
	}
	if _, err := reconcileObj(t, r, ut); err != nil || !controllerutil.ContainsFinalizer(ut, cqlv1.Finalizer) || len(cl.Statements()) != 0 {
		t.Fatalf("in use, annotated: err %v, finalizers %v, statements %q", err, ut.Finalizers, cl.Statements())
	}
	delete(live.Tables, "readings")
	if _, err := reconcileObj(t, r, ut); err != nil {
		t.Fatal(err)
	}
	if got := cl.Statements(); !slices.Equal(got, []string{`DROP TYPE IF EXISTS "ks1"."address"`}) {
		t.Fatalf("statements = %q", got)
	}
	if err := c.Get(context.Background(), client.ObjectKeyFromObject(ut), ut); client.IgnoreNotFound(err) != nil || err == nil {
		t.Fatalf("the UserType must be gone: %v %+v", err, ut.Finalizers)
	}
}

// An API-server error after DDL ran on one target still records that DDL in status and in an
// event (the deferred patch), without claiming the generation as observed.
func TestAPIErrorAfterDDLIsRecorded(t *testing.T) {
	tm := sampleTable("ks_a", "ks_b")
	tm.Spec.Columns = tm.Spec.Columns[:1]
	tm.Generation = 3
	live := enginetest.KeyspaceSchema("ks_a")
	cl := enginetest.NewFakeCluster(live) // listing the Keyspaces named ks_b fails
	boom := errors.New("etcdserver: request timed out")
	funcs := &interceptor.Funcs{List: func(ctx context.Context, c client.WithWatch, list client.ObjectList, opts ...client.ListOption) error {
		lo := (&client.ListOptions{}).ApplyOptions(opts)
		if _, ok := list.(*cqlv1.KeyspaceList); ok && lo.FieldSelector != nil && strings.Contains(lo.FieldSelector.String(), "ks_b") {
			return boom
		}
		return c.List(ctx, list, opts...)
	}}
	c := fakeClient(t, funcs, tm, enginetest.ReadyConn("ns", "c1", false, ""))
	r := tableModelReconciler(c, enginetest.FakeClusters{"c1": cl})
	if _, err := reconcileObj(t, r, tm); !errors.Is(err, boom) {
		t.Fatalf("Reconcile = %v; want the API error", err)
	}
	if got := cl.Statements(); len(got) != 1 || !strings.HasPrefix(got[0], `CREATE TABLE IF NOT EXISTS "ks_a"."readings"`) {
		t.Fatalf("statements = %q", got)
	}
	if len(tm.Status.Targets) != 1 || tm.Status.Targets[0].Keyspace != "ks_a" || !strings.HasPrefix(tm.Status.Targets[0].Message, `create table "ks_a"."readings"`) {
		t.Fatalf("the DDL that ran is not in status: %+v", tm.Status.Targets)
	}
	if tm.Status.ObservedGeneration == 3 || readyCond(t, &tm.Status.SchemaStatus).ObservedGeneration == 3 {
		t.Fatalf("an incomplete reconcile claimed generation 3: %+v", tm.Status)
	}
	if evs := recordedEvents(r); !slices.ContainsFunc(evs, func(e string) bool { return strings.HasPrefix(e, "Normal TableCreated c1/ks_a:") }) {
		t.Fatalf("events = %q", evs)
	}
}

// A spec the API server let through but the controller cannot use fails every target without
// touching Cassandra, naming the field.
func TestInvalidSpecFailsEveryTarget(t *testing.T) {
	ut := enginetest.SampleUserType()
	ut.Spec.Connections = enginetest.ConnNames("c1", "c2")
	ut.Spec.Fields[1].Type = "counter"
	cl1, cl2 := enginetest.NewFakeCluster(enginetest.KeyspaceSchema("ks1")), enginetest.NewFakeCluster(enginetest.KeyspaceSchema("ks1"))
	r := userTypeReconciler(fakeClient(t, nil, ut, enginetest.ReadyConn("ns", "c1", false, ""), enginetest.ReadyConn("ns", "c2", false, "")), enginetest.FakeClusters{"c1": cl1, "c2": cl2})
	if _, err := reconcileObj(t, r, ut); err != nil {
		t.Fatal(err)
	}
	if len(ut.Status.Targets) != 2 || cl1.Plans+cl2.Plans != 0 {
		t.Fatalf("targets %+v, plans %d/%d", ut.Status.Targets, cl1.Plans, cl2.Plans)
	}
	for _, tg := range ut.Status.Targets {
		if tg.State != cqlv1.TargetFailed || tg.Reason != cqlv1.ReasonInvalidType || !strings.Contains(tg.Message, "spec.fields[1] (zip): a user-defined type cannot contain counters") {
			t.Errorf("target = %+v", tg)
		}
	}
}

// Deleting a duplicate with deletionPolicy Delete never drops what the owner manages, whatever the
// connection's name or namespace: ownership is keyed by the cluster, not by the connection.
func TestDeletingADuplicateDropsNothing(t *testing.T) {
	owner := sampleKeyspace()
	owner.ObjectMeta = enginetest.ObjMeta("other", "ks1", time.Hour)
	owner.Spec.Name = "ks1"
	dup := sampleKeyspace()
	dup.Spec.Name = "ks1"
	dup.Spec.DeletionPolicy = cqlv1.DeletionPolicyDelete
	dup.Finalizers = []string{cqlv1.Finalizer}
	cl := enginetest.NewFakeCluster(enginetest.KeyspaceSchema("ks1"))
	c := fakeClient(t, nil, owner, dup, enginetest.ReadyConn("ns", "c1", false, ""), enginetest.ReadyConn("other", "c1", false, ""))
	r := keyspaceReconciler(c, enginetest.FakeClusters{"c1": cl})
	if err := c.Delete(context.Background(), dup); err != nil {
		t.Fatal(err)
	}
	if _, err := reconcileObj(t, r, dup); err != nil {
		t.Fatal(err)
	}
	if got := cl.Statements(); len(got) != 0 {
		t.Fatalf("deleting the duplicate ran %q", got)
	}
	if evs := recordedEvents(r); len(evs) != 1 || !strings.Contains(evs[0], `KeyspaceKept connection c1: keyspace "ks1" was not dropped: Keyspace "other/ks1" manages it`) {
		t.Fatalf("events = %q", evs)
	}
	if err := c.Get(context.Background(), client.ObjectKeyFromObject(dup), dup); err == nil {
		t.Fatalf("the duplicate must be gone: finalizers %v", dup.Finalizers)
	}
}

// What Cassandra warns about when it runs a statement (a guardrail) is a Warning event on the
// resource, next to the statement's own event; so is a table created past the connection's
// spec.tablesWarnThreshold.
func TestCassandraWarningsAreEvents(t *testing.T) {
	tm := sampleTable("ks1")
	live := enginetest.KeyspaceSchema("ks1")
	live.Types["address"] = &introspect.UserType{Name: "address", Fields: []introspect.Field{{Name: "street", Type: "text"}}}
	cl := enginetest.NewFakeCluster(live)
	cl.Warnings = []string{"Cluster has 151 tables, warn threshold is 150"}
	cl.TablesWarn = "the cluster now holds 201 tables, more than the connection's spec.tablesWarnThreshold (200)"
	r := tableModelReconciler(fakeClient(t, nil, tm, enginetest.ReadyConn("ns", "c1", false, "")), enginetest.FakeClusters{"c1": cl})
	if _, err := reconcileObj(t, r, tm); err != nil {
		t.Fatal(err)
	}
	evs := recordedEvents(r)
	if len(evs) != 3 || !strings.HasPrefix(evs[1], `Warning CassandraWarning c1/ks1: Cassandra warned when running create table "ks1"."readings"`) ||
		!strings.HasSuffix(evs[1], "Cluster has 151 tables, warn threshold is 150") ||
		evs[2] != "Warning TooManyTables c1/ks1: "+cl.TablesWarn {
		t.Fatalf("events = %q", evs)
	}
}

// A target whose index is still building on a node is Pending (IndexBuilding, naming the index
// and the node) after the statements ran; once the index is built it is Synced, and a resync of a
// Synced target does not ask again.
func TestIndexBuildingIsPending(t *testing.T) {
	tm := sampleTable("ks1")
	tm.Spec.Columns = append(tm.Spec.Columns, cqlv1.Column{Name: "v", Type: "text"})
	tm.Spec.Indexes = []cqlv1.Index{{Name: "by_v", Column: "v", Using: "sai"}}
	live := liveReadings()
	live.Tables["readings"].Columns = append(live.Tables["readings"].Columns,
		introspect.Column{Name: "v", Kind: introspect.KindRegular, Position: -1, ClusteringOrder: "none", Type: "text"})
	cl := enginetest.NewFakeCluster(live)
	cl.Building = map[string][]string{"by_v": {"10.0.0.2:9042"}}
	c := fakeClient(t, nil, tm, enginetest.ReadyConn("ns", "c1", false, ""))
	r := tableModelReconciler(c, enginetest.FakeClusters{"c1": cl})
	if _, err := reconcileObj(t, r, tm); err != nil {
		t.Fatal(err)
	}
	tg := tm.Status.Targets[0]
	if got := cl.Statements(); len(got) != 1 || !strings.HasPrefix(got[0], `CREATE CUSTOM INDEX IF NOT EXISTS "by_v"`) {
		t.Fatalf("statements = %q", got)
	}
	if tg.State != cqlv1.TargetPending || tg.Reason != cqlv1.ReasonIndexBuilding ||
		!strings.Contains(tg.Message, `then: index(es) still building, queries using them fail until then: "by_v" on 10.0.0.2:9042`) ||
		readyCond(t, &tm.Status.SchemaStatus).Reason != cqlv1.ReasonIndexBuilding {
		t.Fatalf("target = %+v", tg)
	}
	// Built: the index is in place (the live table has it) and every node can serve it.
	live.Tables["readings"].Indexes = []introspect.Index{{Name: "by_v", Table: "readings", Kind: introspect.IndexKindCustom,
		Options: map[string]string{"target": "v", "class_name": "sai"}}}
	cl.Building = nil
	if _, err := reconcileObj(t, r, tm); err != nil {
		t.Fatal(err)
	}
	if tg := tm.Status.Targets[0]; tg.State != cqlv1.TargetSynced || len(cl.Statements()) != 1 {
		t.Fatalf("once built: %+v, statements %q", tg, cl.Statements())
	}
	// A resync of a Synced target with nothing to run does not ask: a building index now would
	// not be reported (it only builds after a CREATE, which asks).
	cl.Building = map[string][]string{"by_v": {"10.0.0.2:9042"}}
	if _, err := reconcileObj(t, r, tm); err != nil {
		t.Fatal(err)
	}
	if tg := tm.Status.Targets[0]; tg.State != cqlv1.TargetSynced {
		t.Fatalf("a resync asked again: %+v", tg)
	}
}

// TestSyncedOnlyOnceTheNodesAgree: a statement ran, then the nodes did not agree (Pending,
// SchemaDisagreement). The retry finds the table on the node that answers and has nothing to run:
// it is Synced only once the nodes agree, since a node without the table fails queries. A Synced
// target with nothing to run does not ask.
func TestSyncedOnlyOnceTheNodesAgree(t *testing.T) {
	tm := sampleTable("ks1")
	empty := liveReadings()
	delete(empty.Tables, "readings")
	cl := enginetest.NewFakeCluster(empty)
	disagree := &apply.DisagreementError{Versions: []string{"a", "b"}}
	c := fakeClient(t, nil, tm, enginetest.ReadyConn("ns", "c1", false, ""))
	r := tableModelReconciler(c, enginetest.FakeClusters{"c1": cl})
	cl.AgreeAfterApply = disagree // the CREATE runs, then the nodes disagree
	if _, err := reconcileObj(t, r, tm); err != nil {
		t.Fatal(err)
	}
	if tg := tm.Status.Targets[0]; tg.State != cqlv1.TargetPending || tg.Reason != cqlv1.ReasonSchemaDisagreement || len(cl.Statements()) != 1 {
		t.Fatalf("after the CREATE: %+v, statements %q", tg, cl.Statements())
	}
	// The retry: the table is there, nothing to run, the nodes still disagree.
	cl.Keyspaces["ks1"] = liveReadings()
	cl.Disagree = disagree
	if _, err := reconcileObj(t, r, tm); err != nil {
		t.Fatal(err)
	}
	if tg := tm.Status.Targets[0]; tg.State != cqlv1.TargetPending || tg.Reason != cqlv1.ReasonSchemaDisagreement || len(cl.Statements()) != 1 {
		t.Fatalf("retry while the nodes disagree: %+v, statements %q", tg, cl.Statements())
	}
	cl.Disagree = nil
	if _, err := reconcileObj(t, r, tm); err != nil {
		t.Fatal(err)
	}
	if tg := tm.Status.Targets[0]; tg.State != cqlv1.TargetSynced || len(cl.Statements()) != 1 {
		t.Fatalf("once they agree: %+v, statements %q", tg, cl.Statements())
	}
	cl.Disagree = disagree
	if _, err := reconcileObj(t, r, tm); err != nil {
		t.Fatal(err)
	}
	if tg := tm.Status.Targets[0]; tg.State != cqlv1.TargetSynced {
		t.Fatalf("a resync of a Synced target asked: %+v", tg)
	}
}

// A Keyspace whose replication was changed out of band is set back, and says so: Drifted=False
// with reason DriftCorrected, naming what ran. The next reconcile, with nothing to do, keeps it
// and writes nothing.
func TestKeyspaceDriftSetBackIsReported(t *testing.T) {
	ks := sampleKeyspace()
	c := fakeClient(t, nil, ks, enginetest.ReadyConn("ns", "c1", false, ""))
	cl := enginetest.NewFakeCluster()
	r := keyspaceReconciler(c, enginetest.FakeClusters{"c1": cl})
	if _, err := reconcileObj(t, r, ks); err != nil {
		t.Fatal(err)
	}
	cl.Keyspaces["ks1"] = enginetest.KeyspaceSchema("ks1")
	if _, err := reconcileObj(t, r, ks); err != nil {
		t.Fatal(err)
	}
	if d := meta.FindStatusCondition(ks.Status.Conditions, cqlv1.ConditionDrifted); d == nil || d.Status != metav1.ConditionFalse || d.Reason != cqlv1.ReasonNoDrift {
		t.Fatalf("in sync: Drifted = %+v", d)
	}

	// Out of band: RF 3.
	drifted := enginetest.KeyspaceSchema("ks1")
	drifted.Replication["replication_factor"] = "3"
	cl.Keyspaces["ks1"] = drifted
	if _, err := reconcileObj(t, r, ks); err != nil {
		t.Fatal(err)
	}
	if got := cl.Statements(); len(got) != 2 || !strings.HasPrefix(got[1], `ALTER KEYSPACE "ks1"`) {
		t.Fatalf("statements = %q", got)
	}
	d := meta.FindStatusCondition(ks.Status.Conditions, cqlv1.ConditionDrifted)
	if d == nil || d.Status != metav1.ConditionFalse || d.Reason != cqlv1.ReasonDriftCorrected ||
		!strings.Contains(d.Message, "set back") || !strings.Contains(d.Message, "connection c1: ") {
		t.Fatalf("after the drift was set back: Drifted = %+v", d)
	}
	if c := readyCond(t, &ks.Status.SchemaStatus); c.Status != metav1.ConditionTrue {
		t.Fatalf("Ready = %+v", c)
	}

	// Nothing more to do: the report stays, and nothing is written.
	cl.Keyspaces["ks1"] = enginetest.KeyspaceSchema("ks1")
	rv := ks.ResourceVersion
	if _, err := reconcileObj(t, r, ks); err != nil {
		t.Fatal(err)
	}
	if d2 := meta.FindStatusCondition(ks.Status.Conditions, cqlv1.ConditionDrifted); d2 == nil || d2.Reason != cqlv1.ReasonDriftCorrected || ks.ResourceVersion != rv {
		t.Fatalf("a quiet reconcile changed the status: Drifted = %+v, resourceVersion %s -> %s", d2, rv, ks.ResourceVersion)
	}

	// A new generation of the spec starts over.
	ks.Spec.DurableWrites = ptrTo(false)
	ks.Generation++ // the fake client does not count generations
	if err := c.Update(context.Background(), ks); err != nil {
		t.Fatal(err)
	}
	cl.Keyspaces["ks1"] = enginetest.KeyspaceSchema("ks1")
	if _, err := reconcileObj(t, r, ks); err != nil {
		t.Fatal(err)
	}
	if d3 := meta.FindStatusCondition(ks.Status.Conditions, cqlv1.ConditionDrifted); d3 == nil || d3.Reason != cqlv1.ReasonNoDrift {
		t.Fatalf("after a spec change: Drifted = %+v", d3)
	}
}

func ptrTo[T any](v T) *T { return &v }

// Deleting, with deletionPolicy Delete, a TableModel whose keyspace its namespace may not use
// through a ClusterCassandraConnection drops nothing there (it could never have created the table):
// the target is let go with a Warning event, and the finalizer goes.
func TestDeleteDropsNothingWhereNotPermitted(t *testing.T) {
	shared := &cqlv1.ClusterCassandraConnection{ObjectMeta: metav1.ObjectMeta{Name: "shared", CreationTimestamp: enginetest.RefTime}}
	shared.Spec.Hosts = []cqlv1.Host{"127.0.0.1"}
	shared.Spec.AllowedNamespaces = &metav1.LabelSelector{}
	shared.Spec.AllowedKeyspaces = []string{"team_*"}
	shared.Status.Conditions = []metav1.Condition{{Type: cqlv1.ConditionReady, Status: metav1.ConditionTrue, Reason: cqlv1.ReasonConnected, LastTransitionTime: enginetest.RefTime}}
	tm := sampleTable("other_ks")
	tm.Spec.Connections = []cqlv1.ConnectionRef{cqlv1.ClusterScoped("shared")}
	tm.Spec.DeletionPolicy = cqlv1.DeletionPolicyDelete
	tm.Finalizers = []string{cqlv1.Finalizer}
	live := enginetest.KeyspaceSchema("other_ks")
	live.Tables["readings"] = &introspect.Table{Keyspace: "other_ks", Name: "readings"}
	cl := enginetest.NewFakeCluster(live)
	c := fakeClient(t, nil, tm, shared, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "ns"}})
	r := tableModelReconciler(c, enginetest.FakeClusters{"shared": cl})
	if err := c.Delete(context.Background(), tm); err != nil {
		t.Fatal(err)
	}
	if _, err := reconcileObj(t, r, tm); err != nil {
		t.Fatal(err)
	}
	if got := cl.Statements(); len(got) != 0 {
		t.Fatalf("ran %q on a keyspace the namespace may not use", got)
	}
	if err := c.Get(context.Background(), client.ObjectKeyFromObject(tm), tm); !apierrors.IsNotFound(err) {
		t.Fatalf("the resource is still there (finalizers %v): %v", tm.Finalizers, err)
	}
	evs := recordedEvents(r)
	if !slices.ContainsFunc(evs, func(e string) bool {
		return strings.HasPrefix(e, "Warning TableNotDropped ClusterCassandraConnection/shared/other_ks:") && strings.Contains(e, "does not allow keyspace")
	}) {
		t.Fatalf("events = %q", evs)
	}
}

// A keyspace's contents belong to its owner: a TableModel of another namespace that targets a
// keyspace a Keyspace of namespace team-a manages on the same cluster is refused (NotPermitted,
// Stalled, naming the owner) and runs nothing, until that Keyspace's spec.allowedNamespaces
// selects its namespace.
func TestKeyspaceContentsBelongToItsOwner(t *testing.T) {
	owner := &cqlv1.Keyspace{ObjectMeta: enginetest.ObjMeta("team-a", "orders", time.Hour), Spec: cqlv1.KeyspaceSpec{
		Name: "ks1", Connections: enginetest.ConnNames("c1"), Replication: sampleKeyspace().Spec.Replication}}
	tm := sampleTable("ks1")
	tm.Namespace = "team-b"
	tm.Spec.Columns = tm.Spec.Columns[:1]
	teamB := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "team-b", Labels: map[string]string{"team": "b"}}}
	// Both namespaces have a connection c1 to the same cluster (FakeClusters: one per name).
	c := fakeClient(t, nil, owner, tm, teamB, enginetest.ReadyConn("team-a", "c1", false, ""), enginetest.ReadyConn("team-b", "c1", false, ""))
	cl := enginetest.NewFakeCluster(enginetest.KeyspaceSchema("ks1"))
	r := tableModelReconciler(c, enginetest.FakeClusters{"c1": cl})
	if _, err := reconcileObj(t, r, tm); err != nil {
		t.Fatal(err)
	}
	tg := tm.Status.Targets[0]
	if tg.State != cqlv1.TargetFailed || tg.Reason != cqlv1.ReasonNotPermitted || !strings.Contains(tg.Message, `belongs on this cluster to Keyspace "team-a/orders"`) ||
		!strings.Contains(tg.Message, "spec.allowedNamespaces") {
		t.Fatalf("target = %+v", tg)
	}
	expectHealth(t, tm.Status.Conditions, cqlv1.ConditionStalled, cqlv1.ReasonNotPermitted)
	if got := cl.Statements(); len(got) != 0 {
		t.Fatalf("ran %q in another team's keyspace", got)
	}

	// The owner shares its keyspace with namespaces labelled team=b.
	owner.Spec.AllowedNamespaces = &metav1.LabelSelector{MatchLabels: map[string]string{"team": "b"}}
	if err := c.Update(context.Background(), owner); err != nil {
		t.Fatal(err)
	}
	if _, err := reconcileObj(t, r, tm); err != nil {
		t.Fatal(err)
	}
	if tg := tm.Status.Targets[0]; tg.State != cqlv1.TargetSynced || len(cl.Statements()) != 1 {
		t.Fatalf("shared with team-b: %+v, %q", tg, cl.Statements())
	}
}

// Deleting, with deletionPolicy Delete, a TableModel whose connection no longer exists lets go of
// it (nothing is left to reach the cluster through), with a Warning event that names the table.
func TestDeleteWithConnectionGone(t *testing.T) {
	tm := sampleTable("ks1")
	tm.Spec.Connections = enginetest.ConnNames("gone")
	tm.Spec.DeletionPolicy = cqlv1.DeletionPolicyDelete
	tm.Finalizers = []string{cqlv1.Finalizer}
	c := fakeClient(t, nil, tm)
	r := tableModelReconciler(c, enginetest.FakeClusters{})
	if err := c.Delete(context.Background(), tm); err != nil {
		t.Fatal(err)
	}
	if _, err := reconcileObj(t, r, tm); err != nil {
		t.Fatal(err)
	}
	if err := c.Get(context.Background(), client.ObjectKeyFromObject(tm), tm); !apierrors.IsNotFound(err) {
		t.Fatalf("the resource is still there: %v", err)
	}
	if evs := recordedEvents(r); !slices.ContainsFunc(evs, func(e string) bool {
		return strings.HasPrefix(e, `Warning TableNotDropped connection gone: table "readings" was NOT dropped on its cluster: connection "gone" no longer exists`)
	}) {
		t.Fatalf("events = %q", evs)
	}
}
