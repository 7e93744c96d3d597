package integration

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	k8sfields "k8s.io/apimachinery/pkg/fields"
	"sigs.k8s.io/controller-runtime/pkg/client"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
	"github.com/cqlsync/cqlsync/test/rig/testenv"
)

// TestUserTypeLifecycle: a UserType on two clusters is created in each; a new field is added with
// ALTER TYPE ADD; a field added out of band blocks the target (Cassandra cannot drop it) until the
// spec lists it; a type dropped out of band is created again; a retyped field blocks every target;
// and deleting with deletionPolicy Delete waits (InUse, naming the table) while a table uses the
// type, then drops it once the table is gone.
func TestUserTypeLifecycle(t *testing.T) {
	rig := testenv.Cassandra(t)
	ns := newNamespace(t)
	s1, s2 := cqlSession(t, rig.Cluster1), cqlSession(t, rig.Cluster2)
	ks := "ut_life_" + uniqueSuffix()
	tmKeyspace(t, ks, s1, s2)
	readyConnection(t, ns, "c1", rig.Cluster1, "", false)
	readyConnection(t, ns, "c2", rig.Cluster2, "", false)

	mustCreate(t, userTypeObj(ns, "address", cqlv1.UserTypeSpec{
		Connections: connNames("c1", "c2"), Keyspaces: tmKeyspaces(ks), DeletionPolicy: cqlv1.DeletionPolicyDelete,
		Fields: fields("street", "text", "zip", "int"),
	}))
	ut := waitSchema[cqlv1.UserType](t, ns, "address", metav1.ConditionTrue, cqlv1.ReasonSynced, tableTimeout, nil)
	if ut.Spec.Name != "address" || ut.Status.Type != "address" || ut.Status.TargetsSynced != "2/2" {
		t.Errorf("status: %+v (spec.name %q)", ut.Status, ut.Spec.Name)
	}
	if got := liveFields(t, s1, ks, "address"); got != "street text, zip int" {
		t.Errorf("cluster1: %q", got)
	}
	if got := liveFields(t, s2, ks, "address"); got != "street text, zip int" {
		t.Errorf("cluster2: %q", got)
	}
	waitObjectEvent(t, ns, "UserType", "address", "TypeCreated", "c2/"+ks, `create type "`+ks+`"."address" ("street" text, "zip" int)`)

	// A new field, in the middle of the list: added at the end of the live type.
	updateObject(t, ns, "address", func(u *cqlv1.UserType) {
		u.Spec.Fields = fields("street", "text", "city", "map<text, frozen<list<int>>>", "zip", "int")
	})
	waitSchema[cqlv1.UserType](t, ns, "address", metav1.ConditionTrue, cqlv1.ReasonSynced, tableTimeout, nil)
	waitLiveFields(t, s1, ks, "address", "street text, zip int, city map<text, frozen<list<int>>>")
	waitLiveFields(t, s2, ks, "address", "street text, zip int, city map<text, frozen<list<int>>>")
	waitObjectEvent(t, ns, "UserType", "address", "TypeFieldAdded", "c1/"+ks, `add field "city"`)

	// Out of band, a field the spec does not have: cluster1's target is Blocked, and reports it.
	cql(t, s1, `ALTER TYPE "`+ks+`"."address" ADD "geo" frozen<tuple<double, double>>`)
	ut = waitSchema[cqlv1.UserType](t, ns, "address", metav1.ConditionFalse, cqlv1.ReasonFieldNotInSpec, tableTimeout, func(u *cqlv1.UserType) error {
		tg, err := schemaTarget(u, "c1", ks)
		if err != nil {
			return err
		}
		if tg.State != cqlv1.TargetBlocked || len(tg.Drift) != 0 || !strings.Contains(tg.Message, `field "geo" frozen<tuple<double, double>> of type`) {
			return fmt.Errorf("c1 target: %+v", tg)
		}
		return nil
	})
	if d := meta.FindStatusCondition(ut.Status.Conditions, cqlv1.ConditionDrifted); d == nil || d.Status != metav1.ConditionTrue || d.Reason != cqlv1.ReasonDriftBlocked {
		t.Errorf("Drifted = %+v", d)
	}
	if tg, _ := schemaTarget(ut, "c2", ks); tg.State != cqlv1.TargetSynced {
		t.Errorf("cluster2 must stay Synced: %+v", tg)
	}
	waitObjectEvent(t, ns, "UserType", "address", cqlv1.ReasonFieldNotInSpec, "c1/"+ks, `"geo"`)

	// The spec adopts it: cluster2 gets it too, nothing runs on cluster1.
	updateObject(t, ns, "address", func(u *cqlv1.UserType) {
		u.Spec.Fields = append(u.Spec.Fields, fields("geo", "tuple<double, double>")...)
	})
	waitSchema[cqlv1.UserType](t, ns, "address", metav1.ConditionTrue, cqlv1.ReasonSynced, tableTimeout, nil)
	waitLiveFields(t, s2, ks, "address", "street text, zip int, city map<text, frozen<list<int>>>, geo frozen<tuple<double, double>>")

	// Out of band, the type is dropped (nothing uses it): it is created again, with every field.
	stats := ddlStats(ns, "c2")
	cql(t, s2, `DROP TYPE "`+ks+`"."address"`)
	waitLiveFields(t, s2, ks, "address", "street text, city map<text, frozen<list<int>>>, zip int, geo frozen<tuple<double, double>>")
	if now := ddlStats(ns, "c2"); now.Statements != stats.Statements+1 {
		t.Errorf("recreating the type took %d statements, want 1", now.Statements-stats.Statements)
	}

	// A retyped field: every target Blocked with the exact difference, nothing runs.
	stats1, stats2 := ddlStats(ns, "c1"), ddlStats(ns, "c2")
	updateObject(t, ns, "address", func(u *cqlv1.UserType) { u.Spec.Fields[2].Type = "bigint" })
	ut = waitSchema[cqlv1.UserType](t, ns, "address", metav1.ConditionFalse, cqlv1.ReasonFieldTypeDiffers, tableTimeout, nil)
	for _, c := range []string{"c1", "c2"} {
		if tg, _ := schemaTarget(ut, c, ks); tg.State != cqlv1.TargetBlocked || !strings.Contains(tg.Message, `field "zip" of type "`+ks+`"."address": Cassandra has type int, the spec says bigint`) {
			t.Errorf("%s: %+v", c, tg)
		}
	}
	if ddlStats(ns, "c1").Statements != stats1.Statements || ddlStats(ns, "c2").Statements != stats2.Statements {
		t.Error("a blocked type ran DDL")
	}
	updateObject(t, ns, "address", func(u *cqlv1.UserType) { u.Spec.Fields[2].Type = "int" })
	waitSchema[cqlv1.UserType](t, ns, "address", metav1.ConditionTrue, cqlv1.ReasonSynced, tableTimeout, nil)

	// Delete while a table on cluster1 uses the type: dropped on cluster2, held on cluster1.
	cql(t, s1, `CREATE TABLE "`+ks+`"."homes" (id int PRIMARY KEY, home frozen<"address">)`)
	ut, err := getObject[cqlv1.UserType](ns, "address")
	if err != nil {
		t.Fatal(err)
	}
	if err := k8s.Delete(ctx, ut); err != nil {
		t.Fatal(err)
	}
	eventually(t, tableTimeout, func() error {
		u, err := getObject[cqlv1.UserType](ns, "address")
		if err != nil {
			return err
		}
		c := meta.FindStatusCondition(u.Status.Conditions, cqlv1.ConditionReady)
		if c == nil || c.Reason != cqlv1.ReasonInUse || !strings.Contains(c.Message, `type "address" is still used by tables "homes" of keyspace "`+ks+`"`) {
			return fmt.Errorf("Ready = %+v", c)
		}
		return nil
	})
	waitLiveFields(t, s2, ks, "address", "")
	if liveFields(t, s1, ks, "address") == "" {
		t.Fatal("the type in use was dropped")
	}
	// The table goes: the type follows, and the resource with it.
	cql(t, s1, `DROP TABLE "`+ks+`"."homes"`)
	waitLiveFields(t, s1, ks, "address", "")
	eventually(t, tableTimeout, func() error {
		if _, err := getObject[cqlv1.UserType](ns, "address"); client.IgnoreNotFound(err) != nil || err == nil {
			return fmt.Errorf("the UserType is still there: %v", err)
		}
		return nil
	})
}

// TestTypesConvergeThroughWatches: a TableModel whose column uses a type, a UserType "address"
// that uses another type, and a UserType "geo" applied last. The table waits for address
// (UserTypeNotFound), address fails until geo is declared, then waits for it; once geo is created,
// address follows and the table after it, each requeued by the UserType watch.
func TestTypesConvergeThroughWatches(t *testing.T) {
	rig := testenv.Cassandra(t)
	ns := newNamespace(t)
	s1 := cqlSession(t, rig.Cluster1)
	ks := "ut_deps_" + uniqueSuffix()
	tmKeyspace(t, ks, s1)
	readyConnection(t, ns, "c1", rig.Cluster1, ks, true)

	mustCreate(t, tableModelObj(ns, "places", cqlv1.TableModelSpec{
		Columns:      []cqlv1.Column{{Name: "id", Type: "uuid"}, {Name: "where", Type: "frozen<address>"}},
		PartitionKey: []cqlv1.ColumnName{"id"},
	}))
	tm := waitSchema[cqlv1.TableModel](t, ns, "places", metav1.ConditionFalse, cqlv1.ReasonInvalidType, tableTimeout, nil)
	if tg, _ := schemaTarget(tm, "c1", ks); !strings.Contains(tg.Message, `spec.columns[1] (where): unknown type "address"`) {
		t.Errorf("before any UserType: %+v", tg)
	}

	mustCreate(t, userTypeObj(ns, "address", cqlv1.UserTypeSpec{Fields: fields("street", "text", "at", "frozen<geo>")}))
	ut := waitSchema[cqlv1.UserType](t, ns, "address", metav1.ConditionFalse, cqlv1.ReasonInvalidType, tableTimeout, nil)
	if tg, _ := schemaTarget(ut, "c1", ks); !strings.Contains(tg.Message, `spec.fields[1] (at): unknown type "geo"`) {
		t.Errorf("address before geo: %+v", tg)
	}
	tm = waitSchema[cqlv1.TableModel](t, ns, "places", metav1.ConditionFalse, cqlv1.ReasonUserTypeNotFound, tableTimeout, nil)
	if tg, _ := schemaTarget(tm, "c1", ks); tg.State != cqlv1.TargetPending || !strings.Contains(tg.Message, `waiting for UserType "`+ns+`/address"`) {
		t.Errorf("places once address is declared: %+v", tg)
	}

	mustCreate(t, userTypeObj(ns, "geo", cqlv1.UserTypeSpec{Fields: fields("lat", "double", "lon", "double")}))
	waitSchema[cqlv1.UserType](t, ns, "geo", metav1.ConditionTrue, cqlv1.ReasonSynced, tableTimeout, nil)
	waitSchema[cqlv1.UserType](t, ns, "address", metav1.ConditionTrue, cqlv1.ReasonSynced, tableTimeout, nil)
	waitSchema[cqlv1.TableModel](t, ns, "places", metav1.ConditionTrue, cqlv1.ReasonSynced, tableTimeout, nil)
	if c := liveTable(t, s1, ks, "places").Column("where"); c == nil || c.Type != "frozen<address>" {
		t.Errorf("column where: %+v", c)
	}
	waitLiveFields(t, s1, ks, "address", "street text, at frozen<geo>")
}

// TestAPIErrorAfterDDLIsRecorded: the API server fails in the middle of a reconcile in which DDL
// runs on another target. The statement still reaches the target's status and an event, the generation is
// not claimed as observed, and the next reconcile completes without running it again.
func TestAPIErrorAfterDDLIsRecorded(t *testing.T) {
	rig := testenv.Cassandra(t)
	ns := newNamespace(t)
	s1 := cqlSession(t, rig.Cluster1)
	ksA, ksB := "apierr_a_"+uniqueSuffix(), "apierr_b_"+uniqueSuffix()
	tmKeyspace(t, ksA, s1)
	dropAfter(t, ksB, s1)
	readyConnection(t, ns, "c1", rig.Cluster1, "", false)

	// ksA exists and gets the table; ksB does not, and its message lists the Keyspaces
	// that declare it, which fails while armed.
	boom := errors.New("injected: etcdserver: request timed out")
	failed := make(chan struct{}, 1)
	disarm := apiFaults.armList(func(list client.ObjectList, opts ...client.ListOption) error {
		if _, ok := list.(*cqlv1.KeyspaceList); !ok {
			return nil
		}
		// The message's List is cluster-wide (any namespace may declare the keyspace), by CQL name.
		lo := (&client.ListOptions{}).ApplyOptions(opts)
		if lo.FieldSelector == nil || !lo.FieldSelector.Matches(k8sfields.Set{"cqlsync.io/cql-name": ksB}) {
			return nil
		}
		select {
		case failed <- struct{}{}:
		default:
		}
		return boom
	})
	defer disarm()
	spec := readingsSpec("c1", ksA)
	spec.Keyspaces = tmKeyspaces(ksA, ksB)
	mustCreate(t, tableModelObj(ns, "readings", spec))
	<-failed
	// The reconcile plans every target first (ksB's planning is where the List fails), then runs
	// what it could plan: the table appears in ksA although the reconcile ends in an error.
	eventually(t, tableTimeout, func() error {
		if liveTable(t, s1, ksA, "readings") == nil {
			return fmt.Errorf("no table in %s yet", ksA)
		}
		return nil
	})
	var tm *cqlv1.TableModel
	eventually(t, tableTimeout, func() error {
		var err error
		if tm, err = getObject[cqlv1.TableModel](ns, "readings"); err != nil {
			return err
		}
		tg, err := schemaTarget(tm, "c1", ksA)
		if err != nil {
			return err
		}
		if !strings.HasPrefix(tg.Message, `create table "`+ksA+`"."readings"`) || tg.State != cqlv1.TargetSynced {
			return fmt.Errorf("the CREATE that ran is not in status: %+v", tg)
		}
		return nil
	})
	if tm.Status.ObservedGeneration == tm.Generation {
		t.Errorf("a reconcile cut short claimed generation %d: %+v", tm.Generation, tm.Status)
	}
	waitObjectEvent(t, ns, "TableModel", "readings", "TableCreated", "c1/"+ksA, `create table "`+ksA+`"."readings"`)

	stats := ddlStats(ns, "c1")
	disarm()
	tm = waitSchema[cqlv1.TableModel](t, ns, "readings", metav1.ConditionFalse, cqlv1.ReasonKeyspaceNotFound, tableTimeout, nil)
	if tg, _ := schemaTarget(tm, "c1", ksA); tg.State != cqlv1.TargetSynced || !strings.HasPrefix(tg.Message, `create table`) {
		t.Errorf("the target that was done keeps what it did: %+v", tg)
	}
	if now := ddlStats(ns, "c1"); now.Statements != stats.Statements {
		t.Errorf("the next reconcile ran %d statements again", now.Statements-stats.Statements)
	}
}
