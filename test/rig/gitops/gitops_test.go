package gitops

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// object is a cqlsync object as a client reads it from the API server: JSON decoded as
// unstructured (integers are int64), with generation 3 and the given status (nil: none) and
// extra metadata.
func object(t *testing.T, kind string, status map[string]any, metadata map[string]any) map[string]any {
	t.Helper()
	meta := map[string]any{"name": "orders", "namespace": "shop", "generation": 3}
	for k, v := range metadata {
		meta[k] = v
	}
	obj := map[string]any{"apiVersion": "cqlsync.io/v1alpha1", "kind": kind, "metadata": meta,
		"spec": map[string]any{"connections": []any{map[string]any{"name": "main"}}}}
	if status != nil {
		obj["status"] = status
	}
	data, err := json.Marshal(obj)
	if err != nil {
		t.Fatal(err)
	}
	var u unstructured.Unstructured
	if err := u.UnmarshalJSON(data); err != nil {
		t.Fatal(err)
	}
	return u.Object
}

// cond is a condition as the operator writes it.
func cond(typ, status, reason, message string) map[string]any {
	return map[string]any{"type": typ, "status": status, "reason": reason, "message": message,
		"observedGeneration": 3, "lastTransitionTime": "2026-12-07T10:00:00Z"}
}

// notReady is Ready=False with reason and message, and the condition typ (Stalled or
// Reconciling) True with the same reason and message, as the operator writes them.
func notReady(typ, reason, message string) []map[string]any {
	return []map[string]any{cond("Ready", "False", reason, message), cond(typ, "True", reason, message)}
}

// conditions is a status observed at generation observed, with conds.
func conditions(observed int, conds ...map[string]any) map[string]any {
	list := make([]any, len(conds))
	for i, c := range conds {
		list[i] = c
	}
	return map[string]any{"observedGeneration": observed, "conditions": list, "targetsSynced": "0/1"}
}

const columnDiffers = `target main/shop: column "total" is decimal live and bigint in the spec; cqlsync never changes a column's type: fix the spec or the table`

func TestHealth(t *testing.T) {
	type healthCase struct {
		name            string
		obj             map[string]any
		argo, argoMsg   string
		kstatus, kstMsg string
	}
	cases := []healthCase{
		{
			name: "ready",
			obj: object(t, "TableModel", conditions(3,
				cond("Ready", "True", "Synced", "1/1 targets synced"),
				cond("Drifted", "False", "NoDrift", "live schema matches the spec")), nil),
			argo: "Healthy", argoMsg: "1/1 targets synced",
			kstatus: "Current", kstMsg: "Resource is Ready",
		},
		{
			name: "stalled on a column's type",
			obj: object(t, "TableModel", conditions(3, append(notReady("Stalled", "ColumnTypeDiffers", columnDiffers),
				cond("Drifted", "True", "DriftBlocked", "a target is Blocked"))...), nil),
			argo: "Degraded", argoMsg: "ColumnTypeDiffers: " + columnDiffers,
			kstatus: "Failed", kstMsg: columnDiffers,
		},
		{
			name: "reconciling, waiting for its keyspace",
			obj:  object(t, "TableModel", conditions(3, notReady("Reconciling", "KeyspaceNotFound", "target main/shop: keyspace shop does not exist yet")...), nil),
			argo: "Progressing", argoMsg: "KeyspaceNotFound: target main/shop: keyspace shop does not exist yet",
			kstatus: "InProgress", kstMsg: "target main/shop: keyspace shop does not exist yet",
		},
		{
			name: "ready false without Reconciling",
			obj: object(t, "CassandraConnection", conditions(3,
				cond("Ready", "False", "Unreachable", "no host of 10.0.0.1:9042 answers")), nil),
			argo: "Progressing", argoMsg: "Unreachable: no host of 10.0.0.1:9042 answers",
			kstatus: "InProgress", kstMsg: "no host of 10.0.0.1:9042 answers",
		},
		{
			name: "ready unknown",
			obj: object(t, "ClusterCassandraConnection", conditions(3,
				cond("Ready", "Unknown", "Connecting", "opening a session")), nil),
			argo: "Progressing", argoMsg: "Connecting: opening a session",
			kstatus: "InProgress", kstMsg: "opening a session",
		},
		{
			name: "old observedGeneration",
			obj: object(t, "Keyspace", conditions(2,
				cond("Ready", "True", "Synced", "1/1 targets synced")), nil),
			argo: "Progressing", argoMsg: "waiting for the operator to observe generation 3",
			kstatus: "InProgress", kstMsg: "Keyspace generation is 3, but latest observed generation is 2",
		},
		{
			name: "no status",
			obj:  object(t, "UserType", nil, nil),
			argo: "Progressing", argoMsg: "waiting for the operator to observe generation 3",
			// kstatus cannot tell a kind that has no status yet from one that never has any.
			kstatus: "Current", kstMsg: "Resource is current",
		},
		{
			name: "conditions without observedGeneration",
			obj: object(t, "Keyspace", map[string]any{"conditions": []any{
				cond("Ready", "True", "Synced", "1/1 targets synced")}}, nil),
			argo: "Progressing", argoMsg: "waiting for the operator to observe generation 3",
			// kstatus compares the generations only when observedGeneration is there.
			kstatus: "Current", kstMsg: "Resource is Ready",
		},
		{
			name: "deleting",
			obj: object(t, "Keyspace", conditions(3, notReady("Reconciling", "InUse", "2 TableModels still use keyspace shop: shop/orders, shop/carts")...),
				map[string]any{"deletionTimestamp": "2026-12-07T10:00:00Z", "finalizers": []any{"cqlsync.io/finalizer"}}),
			// Argo CD itself shows Progressing "Pending deletion" without running the script.
			argo: "Progressing", argoMsg: "InUse: 2 TableModels still use keyspace shop: shop/orders, shop/carts",
			kstatus: "Terminating", kstMsg: "Resource scheduled for deletion",
		},
	}
	// Stalled on purpose: a person is to act (resume, approve, leave dry-run mode).
	for kind, waits := range map[string]struct{ reason, message string }{
		"Keyspace":   {"Paused", "reconciliation is paused by the annotation cqlsync.io/paused"},
		"TableModel": {"AwaitingApproval", "plan 1a2b3c waits for approval"},
		"UserType":   {"DryRun", "planned 1 statement, executed none"},
	} {
		cases = append(cases, healthCase{
			name: waits.reason,
			obj:  object(t, kind, conditions(3, notReady("Stalled", waits.reason, waits.message)...), nil),
			argo: "Suspended", argoMsg: waits.reason + ": " + waits.message,
			kstatus: "Failed", kstMsg: waits.message,
		})
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			st, msg, err := ArgoHealth(c.obj)
			if err != nil {
				t.Fatal(err)
			}
			if st != c.argo || msg != c.argoMsg {
				t.Errorf("Argo CD health %s %q, want %s %q", st, msg, c.argo, c.argoMsg)
			}
			st, msg, err = KStatus(c.obj)
			if err != nil {
				t.Fatal(err)
			}
			if st != c.kstatus || msg != c.kstMsg {
				t.Errorf("kstatus %s %q, want %s %q", st, msg, c.kstatus, c.kstMsg)
			}
		})
	}
}

// TestArgoHealthLikeArgoCD checks the harness's own rules, which follow Argo CD's: no string
// library without useOpenLibs, Go values converted as Argo CD converts them, invalid statuses
// turned into Unknown.
func TestArgoHealthLikeArgoCD(t *testing.T) {
	for _, c := range []struct {
		name, src       string
		obj             map[string]any
		status, message string
		err             string
	}{
		{name: "no string library", src: `return {status = string.upper("healthy")}`, err: "with key 'upper'"},
		{name: "no math library", src: `return {status = "Healthy", message = tostring(math.floor(1.5))}`, err: "with key 'floor'"},
		{name: "table library", src: `local t = {"b", "a"}; table.sort(t); return {status = "Healthy", message = table.concat(t, ",")}`,
			status: "Healthy", message: "a,b"},
		{name: "int64 as a number", src: `return {status = "Healthy", message = tostring(obj.n + 1)}`,
			obj: map[string]any{"n": int64(41)}, status: "Healthy", message: "42"},
		{name: "typed slices are nil", src: `return {status = "Healthy", message = tostring(obj.list)}`,
			obj: map[string]any{"list": []map[string]any{{"a": "b"}}}, status: "Healthy", message: "nil"},
		{name: "invalid status", src: `return {status = "Fine"}`, status: "Unknown", message: "Lua returned an invalid health status"},
		{name: "nil", src: `return nil`},
		{name: "not a table", src: `return "Healthy"`, err: "not string"},
	} {
		t.Run(c.name, func(t *testing.T) {
			st, msg, err := runHealth(c.src, c.obj)
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("error %v, want one with %q", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if st != c.status || msg != c.message {
				t.Errorf("%s %q, want %s %q", st, msg, c.status, c.message)
			}
		})
	}
}

// ExampleKStatus shows what Flux sees of a Stalled TableModel.
func ExampleKStatus() {
	obj := map[string]any{
		"apiVersion": "cqlsync.io/v1alpha1", "kind": "TableModel",
		"metadata": map[string]any{"name": "orders", "generation": int64(1)},
		"status": map[string]any{"observedGeneration": int64(1), "conditions": []any{
			map[string]any{"type": "Stalled", "status": "True", "reason": "ColumnTypeDiffers", "message": "column total differs"},
		}},
	}
	fmt.Println(KStatus(obj))
	// Output: Failed column total differs <nil>
}
