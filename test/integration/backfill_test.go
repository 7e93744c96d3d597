package integration

import (
	"fmt"
	"strings"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
	backfillctl "github.com/cqlsync/cqlsync/controllers/backfill"
	"github.com/cqlsync/cqlsync/test/rig/testenv"
)

const backfillTimeout = 120 * time.Second

// backfillJobsNamespace is where the suite's manager creates the Jobs of Backfills with
// spec.workers (controllers.Options.BackfillJobs).
const backfillJobsNamespace = "cqlsync-system"

// testBackfillImage is the suite manager's --backfill-image.
const testBackfillImage = "example.com/cqlsync:test"

func backfillObj(ns, name string, spec cqlv1.BackfillSpec) *cqlv1.Backfill {
	return &cqlv1.Backfill{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}, Spec: spec}
}

func waitBackfill(t *testing.T, ns, name string, status metav1.ConditionStatus, reason string, check func(*cqlv1.Backfill) error) *cqlv1.Backfill {
	t.Helper()
	return waitCondition[cqlv1.Backfill](t, ns, name, status, reason, backfillTimeout,
		func(b *cqlv1.Backfill) []metav1.Condition { return b.Status.Conditions }, check)
}

// ordersV1 and ordersV2 are the tables of the key change of the guide: keyed by id, then by
// (customer_id, id).
func ordersV1(ks string) cqlv1.TableModelSpec {
	return cqlv1.TableModelSpec{Name: "orders_v1", Keyspaces: tmKeyspaces(ks), DeletionPolicy: cqlv1.DeletionPolicyDelete,
		Columns:      []cqlv1.Column{{Name: "id", Type: "int"}, {Name: "customer", Type: "text"}, {Name: "total", Type: "int"}, {Name: "tags", Type: "set<text>"}},
		PartitionKey: []cqlv1.ColumnName{"id"}}
}

func ordersV2(ks string) cqlv1.TableModelSpec {
	return cqlv1.TableModelSpec{Name: "orders_v2", Keyspaces: tmKeyspaces(ks), DeletionPolicy: cqlv1.DeletionPolicyDelete,
		Columns:      []cqlv1.Column{{Name: "customer_id", Type: "text"}, {Name: "id", Type: "int"}, {Name: "total", Type: "bigint"}, {Name: "tags", Type: "set<text>"}},
		PartitionKey: []cqlv1.ColumnName{"customer_id"}, ClusteringKey: []cqlv1.ClusteringColumn{{Name: "id"}}}
}

// TestBackfillChangesAPrimaryKey follows the guide "Changing a primary key" inside the suite's
// manager: rows in orders_v1, a Backfill into orders_v2 (keyed by customer and id, total widened
// from int to bigint), paused and resumed, copied and verified; every row is in the target with
// its writetime; the printer columns' fields and the events are there; a row whose new key is
// null is counted and sampled; then orders_v1 is deleted with deletionPolicy Delete.
func TestBackfillChangesAPrimaryKey(t *testing.T) {
	rig := testenv.Cassandra(t)
	ns := newNamespace(t)
	ks := "bf_" + uniqueSuffix()
	s := cqlSession(t, rig.Cluster1)
	tmKeyspace(t, ks, s)
	readyConnection(t, ns, "c1", rig.Cluster1, ks, true)
	mustCreate(t, tableModelObj(ns, "orders-v1", ordersV1(ks)))
	waitSchema[cqlv1.TableModel](t, ns, "orders-v1", metav1.ConditionTrue, cqlv1.ReasonSynced, tableTimeout, nil)
	const rows = 2000
	for i := range rows {
		if err := s.Query(fmt.Sprintf(`INSERT INTO %s.orders_v1 (id, customer, total, tags) VALUES (?, ?, ?, ?) USING TIMESTAMP ?`, ks),
			i, fmt.Sprintf("c%d", i%13), i*10, []string{"a", fmt.Sprint(i % 3)}, int64(1_000_000+i)).Exec(); err != nil {
			t.Fatal(err)
		}
	}
	cql(t, s, fmt.Sprintf(`INSERT INTO %s.orders_v1 (id, total) VALUES (99999, 1)`, ks)) // no customer: cannot be keyed

	// The Backfill waits for its target.
	bf := backfillObj(ns, "orders", cqlv1.BackfillSpec{
		Source:  cqlv1.BackfillSource{TableModel: "orders-v1"},
		Target:  cqlv1.BackfillTarget{TableModel: "orders-v2"},
		Columns: []cqlv1.BackfillColumn{{Target: "customer_id", Source: "customer"}},
		Splits:  32,
	})
	bf.Annotations = map[string]string{cqlv1.AnnotationPaused: "true"}
	mustCreate(t, bf)
	waitBackfill(t, ns, "orders", metav1.ConditionFalse, cqlv1.ReasonPaused, nil)
	updateObject[cqlv1.Backfill](t, ns, "orders", func(b *cqlv1.Backfill) { delete(b.Annotations, cqlv1.AnnotationPaused) })
	waitBackfill(t, ns, "orders", metav1.ConditionFalse, cqlv1.ReasonTargetNotReady, func(b *cqlv1.Backfill) error {
		if b.Status.Phase != cqlv1.BackfillPending || !strings.Contains(readyMessage(b), `TableModel "orders-v2" does not exist`) {
			return fmt.Errorf("phase %s, conditions %+v", b.Status.Phase, b.Status.Conditions)
		}
		return nil
	})
	mustCreate(t, tableModelObj(ns, "orders-v2", ordersV2(ks)))
	b := waitBackfill(t, ns, "orders", metav1.ConditionTrue, cqlv1.ReasonVerified, func(b *cqlv1.Backfill) error {
		if b.Status.Phase != cqlv1.BackfillComplete || b.Status.Progress != "copied 32/32, verified 32/32" {
			return fmt.Errorf("phase %s, progress %q", b.Status.Phase, b.Status.Progress)
		}
		return nil
	})
	if b.Status.RowsVerified != rows+1 || b.Status.RowsSkipped != 1 || len(b.Status.Skipped) != 1 ||
		!strings.Contains(b.Status.Skipped[0].Samples[0], `column "customer_id" of the new primary key is null`) ||
		b.Status.Copied != "0-31" || b.Status.Verified != "0-31" || b.Status.TargetsSynced != "1/1" ||
		b.Status.Source != ks+".orders_v1" || b.Status.Target != ks+".orders_v2" || b.Status.KeyOnlyTimestamp == 0 ||
		b.Status.StartTime == nil || b.Status.CompletionTime == nil || b.Status.ObservedGeneration != b.Generation ||
		len(b.Status.Targets) != 1 || b.Status.Targets[0].Connection != "c1" || b.Status.Targets[0].State != cqlv1.TargetSynced {
		t.Errorf("status of the finished Backfill: %+v", b.Status)
	}
	for _, c := range []string{cqlv1.ConditionReconciling, cqlv1.ConditionStalled} {
		if hasCondition(b.Status.Conditions, c) {
			t.Errorf("a verified Backfill has condition %s", c)
		}
	}
	for _, reason := range []cqlv1.EventReason{cqlv1.EventBackfillPaused, cqlv1.EventBackfillResumed, cqlv1.EventBackfillStarted,
		cqlv1.EventBackfillCopied, cqlv1.EventRowsSkipped, cqlv1.EventBackfillVerified} {
		waitObjectEvent(t, ns, "Backfill", "orders", string(reason))
	}

	// Every row is in the target, total widened, with the source's writetime.
	var n int
	iter := s.Query(fmt.Sprintf(`SELECT customer_id, id, total, WRITETIME(total), tags FROM %s.orders_v2`, ks)).Iter()
	var cust string
	var id int
	var total, wt int64
	var tags []string
	for iter.Scan(&cust, &id, &total, &wt, &tags) {
		n++
		if cust != fmt.Sprintf("c%d", id%13) || total != int64(id*10) || wt != int64(1_000_000+id) || len(tags) != 2 {
			t.Errorf("row %d: customer %s total %d writetime %d tags %v", id, cust, total, wt, tags)
		}
	}
	if err := iter.Close(); err != nil || n != rows {
		t.Fatalf("orders_v2 has %d rows (%v), want %d", n, err, rows)
	}

	// A verified Backfill does nothing more: its status is not written again.
	rv := resourceVersion[cqlv1.Backfill](t, ns, "orders")
	updateObject[cqlv1.Backfill](t, ns, "orders", func(b *cqlv1.Backfill) { b.Spec.Concurrency = 2 })
	waitBackfill(t, ns, "orders", metav1.ConditionTrue, cqlv1.ReasonVerified, nil)
	if got, err := getObject[cqlv1.Backfill](ns, "orders"); err != nil || got.Status.RowsCopied != b.Status.RowsCopied {
		t.Errorf("a spec change after completion copied again: %+v %v (resourceVersion was %s)", got.Status, err, rv)
	}

	// The application switched to orders_v2: orders_v1 goes, with its data.
	deleteAndWait(t, tableModelObj(ns, "orders-v1", cqlv1.TableModelSpec{}), tableTimeout)
	if live := readLive(t, s, ks); live.Tables["orders_v1"] != nil || live.Tables["orders_v2"] == nil {
		t.Errorf("after deleting orders-v1: tables %v", tableNames(live.Tables))
	}
}

func readyMessage(b *cqlv1.Backfill) string {
	for _, c := range b.Status.Conditions {
		if c.Type == cqlv1.ConditionReady {
			return c.Message
		}
	}
	return ""
}

func hasCondition(conds []metav1.Condition, typ string) bool {
	for _, c := range conds {
		if c.Type == typ {
			return true
		}
	}
	return false
}

func tableNames[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// TestBackfillRefusals: what cannot be copied safely is refused with a reason and a message that
// names the column or field, and nothing is written; what the API server can check is refused at
// admission.
func TestBackfillRefusals(t *testing.T) {
	rig := testenv.Cassandra(t)
	ns := newNamespace(t)
	ks := "bfr_" + uniqueSuffix()
	s := cqlSession(t, rig.Cluster1)
	tmKeyspace(t, ks, s)
	readyConnection(t, ns, "c1", rig.Cluster1, ks, true)
	mustCreate(t, tableModelObj(ns, "orders-v1", ordersV1(ks)), tableModelObj(ns, "orders-v2", ordersV2(ks)),
		tableModelObj(ns, "counts", cqlv1.TableModelSpec{Name: "counts", Keyspaces: tmKeyspaces(ks),
			Columns:      []cqlv1.Column{{Name: "customer_id", Type: "text"}, {Name: "id", Type: "int"}, {Name: "n", Type: "counter"}},
			PartitionKey: []cqlv1.ColumnName{"customer_id"}, ClusteringKey: []cqlv1.ClusteringColumn{{Name: "id"}}}),
		tableModelObj(ns, "narrow", cqlv1.TableModelSpec{Name: "narrow", Keyspaces: tmKeyspaces(ks),
			Columns:      []cqlv1.Column{{Name: "customer_id", Type: "text"}, {Name: "id", Type: "int"}, {Name: "total", Type: "smallint"}},
			PartitionKey: []cqlv1.ColumnName{"customer_id"}, ClusteringKey: []cqlv1.ClusteringColumn{{Name: "id"}}}))
	for _, name := range []string{"orders-v1", "orders-v2", "counts", "narrow"} {
		waitSchema[cqlv1.TableModel](t, ns, name, metav1.ConditionTrue, cqlv1.ReasonSynced, tableTimeout, nil)
	}
	cql(t, s, fmt.Sprintf(`INSERT INTO %s.orders_v1 (id, customer, total) VALUES (1, 'a', 1)`, ks))
	mapCustomer := []cqlv1.BackfillColumn{{Target: "customer_id", Source: "customer"}}
	for _, c := range []struct {
		name, reason, fragment string
		spec                   cqlv1.BackfillSpec
	}{
		{"counter", cqlv1.ReasonCounterTable, "counter table", cqlv1.BackfillSpec{Source: cqlv1.BackfillSource{TableModel: "orders-v1"},
			Target: cqlv1.BackfillTarget{TableModel: "counts"}, Columns: mapCustomer}},
		{"unsafe", cqlv1.ReasonUnsafeConversion, `column "total" (smallint) from source column "total" (int)`, cqlv1.BackfillSpec{
			Source: cqlv1.BackfillSource{TableModel: "orders-v1"}, Target: cqlv1.BackfillTarget{TableModel: "narrow"}, Columns: mapCustomer}},
		{"unmapped", cqlv1.ReasonUnmappedKey, `column "customer_id" of the primary key`, cqlv1.BackfillSpec{
			Source: cqlv1.BackfillSource{TableModel: "orders-v1"}, Target: cqlv1.BackfillTarget{TableModel: "orders-v2"}}},
		{"no-source-model", cqlv1.ReasonSourceNotFound, `TableModel "nope" does not exist`, cqlv1.BackfillSpec{
			Source: cqlv1.BackfillSource{TableModel: "nope"}, Target: cqlv1.BackfillTarget{TableModel: "orders-v2"}, Columns: mapCustomer}},
		{"no-source-table", cqlv1.ReasonSourceNotFound, "orders_v0 does not exist", cqlv1.BackfillSpec{
			Source: cqlv1.BackfillSource{Table: "orders_v0"}, Target: cqlv1.BackfillTarget{TableModel: "orders-v2"}, Columns: mapCustomer}},
		{"other-namespace", cqlv1.ReasonNotPermitted, "spec.target.namespace", cqlv1.BackfillSpec{
			Source: cqlv1.BackfillSource{TableModel: "orders-v1"}, Target: cqlv1.BackfillTarget{TableModel: "orders-v2", Namespace: "kube-system"}, Columns: mapCustomer}},
		{"system-source", cqlv1.ReasonNotPermitted, "system keyspace", cqlv1.BackfillSpec{
			Source: cqlv1.BackfillSource{Keyspace: "system_auth", Table: "roles"}, Target: cqlv1.BackfillTarget{TableModel: "orders-v2"}, Columns: mapCustomer}},
		{"bad-column", cqlv1.ReasonInvalidSpec, "spec.columns[0].source", cqlv1.BackfillSpec{
			Source: cqlv1.BackfillSource{TableModel: "orders-v1"}, Target: cqlv1.BackfillTarget{TableModel: "orders-v2"},
			Columns: []cqlv1.BackfillColumn{{Target: "customer_id", Source: "nope"}}}},
	} {
		if c.name == "system-source" {
			// The CRD refuses a system keyspace at admission.
			err := k8s.Create(ctx, backfillObj(ns, c.name, c.spec))
			if err == nil || !strings.Contains(err.Error(), "system keyspaces") {
				t.Errorf("%s: admission: %v", c.name, err)
			}
			continue
		}
		mustCreate(t, backfillObj(ns, c.name, c.spec))
		waitBackfill(t, ns, c.name, metav1.ConditionFalse, c.reason, func(b *cqlv1.Backfill) error {
			if msg := readyMessage(b); !strings.Contains(msg, c.fragment) || b.Status.Phase != cqlv1.BackfillRefused || !hasCondition(b.Status.Conditions, cqlv1.ConditionStalled) {
				return fmt.Errorf("phase %s, Ready %q, want the message to contain %q", b.Status.Phase, msg, c.fragment)
			}
			return nil
		})
	}
	var n int
	if err := s.Query(fmt.Sprintf(`SELECT COUNT(*) FROM %s.orders_v2`, ks)).Scan(&n); err != nil || n != 0 {
		t.Errorf("refused Backfills wrote %d rows into orders_v2 (%v)", n, err)
	}

	// Admission: exactly one source, and what the progress is about is immutable.
	for _, c := range []struct {
		spec     cqlv1.BackfillSpec
		fragment string
	}{
		{cqlv1.BackfillSpec{Target: cqlv1.BackfillTarget{TableModel: "x"}}, "set exactly one of tableModel and table"},
		{cqlv1.BackfillSpec{Source: cqlv1.BackfillSource{TableModel: "a", Table: "b"}, Target: cqlv1.BackfillTarget{TableModel: "x"}}, "set exactly one of tableModel and table"},
		{cqlv1.BackfillSpec{Source: cqlv1.BackfillSource{Table: "b; DROP"}, Target: cqlv1.BackfillTarget{TableModel: "x"}}, "spec.source.table"},
		{cqlv1.BackfillSpec{Source: cqlv1.BackfillSource{Table: "b"}, Target: cqlv1.BackfillTarget{TableModel: "x"}, Concurrency: 1000}, "spec.concurrency"},
	} {
		if err := k8s.Create(ctx, backfillObj(ns, "bad", c.spec)); err == nil || !strings.Contains(err.Error(), c.fragment) {
			t.Errorf("admission of %+v: %v, want %q", c.spec, err, c.fragment)
		}
	}
	b, _ := getObject[cqlv1.Backfill](ns, "unsafe")
	b.Spec.Columns = nil
	if err := k8s.Update(ctx, b); err == nil || !strings.Contains(err.Error(), "spec.columns is immutable") {
		t.Errorf("changing spec.columns: %v", err)
	}
	b, _ = getObject[cqlv1.Backfill](ns, "unsafe")
	b.Spec.Splits = 7
	if err := k8s.Update(ctx, b); err == nil || !strings.Contains(err.Error(), "spec.splits is immutable") {
		t.Errorf("changing spec.splits: %v", err)
	}
}

// TestBackfillWorkerJob: a Backfill with spec.workers becomes an Indexed Job in the operator's
// namespace, which the API server accepts as written (no kubelet runs it here: the e2e suite runs
// the workers as processes); deleting the Backfill deletes the Job.
func TestBackfillWorkerJob(t *testing.T) {
	rig := testenv.Cassandra(t)
	ns := newNamespace(t)
	ks := "bfj_" + uniqueSuffix()
	s := cqlSession(t, rig.Cluster1)
	tmKeyspace(t, ks, s)
	readyConnection(t, ns, "c1", rig.Cluster1, ks, true)
	mustCreate(t, tableModelObj(ns, "orders-v1", ordersV1(ks)), tableModelObj(ns, "orders-v2", ordersV2(ks)))
	for _, name := range []string{"orders-v1", "orders-v2"} {
		waitSchema[cqlv1.TableModel](t, ns, name, metav1.ConditionTrue, cqlv1.ReasonSynced, tableTimeout, nil)
	}
	bf := backfillObj(ns, "orders", cqlv1.BackfillSpec{
		Source: cqlv1.BackfillSource{TableModel: "orders-v1"}, Target: cqlv1.BackfillTarget{TableModel: "orders-v2"},
		Columns: []cqlv1.BackfillColumn{{Target: "customer_id", Source: "customer"}}, Splits: 64,
		Workers: &cqlv1.BackfillWorkers{Count: 3},
	})
	mustCreate(t, bf)
	job := &batchv1.Job{}
	eventually(t, backfillTimeout, func() error {
		b, err := getObject[cqlv1.Backfill](ns, "orders")
		if err != nil {
			return err
		}
		return k8s.Get(ctx, client.ObjectKey{Namespace: backfillJobsNamespace, Name: backfillctl.JobName(b)}, job)
	})
	c := job.Spec.Template.Spec.Containers[0]
	if *job.Spec.CompletionMode != batchv1.IndexedCompletion || *job.Spec.Completions != 3 || *job.Spec.Parallelism != 3 ||
		c.Image != testBackfillImage || strings.Join(c.Command, " ") != "/manager" ||
		strings.Join(c.Args, " ") != "backfill --namespace "+ns+" --name orders --split $(JOB_COMPLETION_INDEX)/3" ||
		job.Spec.Template.Spec.ServiceAccountName != "cqlsync-manager" || job.Labels[backfillctl.LabelBackfillNamespace] != ns {
		t.Errorf("the workers' Job: %+v\ncontainer %+v", job.Spec, c)
	}
	b := waitBackfill(t, ns, "orders", metav1.ConditionFalse, cqlv1.ReasonCopying, nil)
	if b.Status.KeyOnlyTimestamp == 0 || b.Status.Phase != cqlv1.BackfillCopying {
		t.Errorf("status before the workers report: %+v", b.Status)
	}
	deleteAndWait(t, b, backfillTimeout)
	eventually(t, backfillTimeout, func() error {
		err := k8s.Get(ctx, client.ObjectKeyFromObject(job), &batchv1.Job{})
		if apierrors.IsNotFound(err) {
			return nil
		}
		return fmt.Errorf("the Job is still there (%v)", err)
	})
}
