package gitops

import (
	"encoding/json"
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	utiljson "k8s.io/apimachinery/pkg/util/json"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
)

// The health table of docs/gitops.md is made of rows computed here, from the objects the operator
// writes for each reason (StatusObject); the e2e suite computes the rows of real objects the same
// way and checks them against it.

// Row is where an object stands for each tool: its conditions, kstatus, Argo CD's health, and
// whether `kubectl wait --for=condition=Ready` returns.
type Row struct {
	Reason                         string
	Ready, Reconciling, Stalled    string
	KStatus, Argo, KubectlWaitDone string
}

// StatusObject is the object the operator writes with a Ready condition of this reason (True when
// ready), as a client decodes it.
func StatusObject(reason string, ready bool) (map[string]any, error) {
	cond := metav1.Condition{Type: cqlv1.ConditionReady, Status: metav1.ConditionFalse, Reason: reason,
		Message: "the message", ObservedGeneration: 2, LastTransitionTime: metav1.Unix(0, 0)}
	if ready {
		cond.Status = metav1.ConditionTrue
	}
	conds := []metav1.Condition{cond}
	cqlv1.SetHealthConditions(&conds, cond)
	b, err := json.Marshal(map[string]any{
		"apiVersion": cqlv1.GroupVersion.String(), "kind": "TableModel",
		"metadata": map[string]any{"name": "t", "namespace": "ns", "generation": 2},
		"status":   map[string]any{"observedGeneration": 2, "conditions": conds},
	})
	if err != nil {
		return nil, err
	}
	var obj map[string]any
	return obj, utiljson.Unmarshal(b, &obj) // as a client decodes it: whole numbers are int64
}

// RowOf computes an object's row: its Ready reason, its conditions, and what each tool makes of it.
func RowOf(obj map[string]any) (Row, error) {
	row := Row{Reconciling: "-", Stalled: "-", KubectlWaitDone: "waits"}
	conds := unstructuredConditions(obj)
	for _, c := range conds {
		switch c["type"] {
		case cqlv1.ConditionReady:
			row.Ready, row.Reason = fmt.Sprint(c["status"]), fmt.Sprint(c["reason"])
		case cqlv1.ConditionReconciling:
			row.Reconciling = fmt.Sprint(c["status"])
		case cqlv1.ConditionStalled:
			row.Stalled = fmt.Sprint(c["status"])
		}
	}
	if row.Ready == "True" {
		row.KubectlWaitDone = "returns"
	}
	var err error
	if row.KStatus, _, err = KStatus(obj); err != nil {
		return row, err
	}
	row.Argo, _, err = ArgoHealth(obj)
	return row, err
}

func unstructuredConditions(obj map[string]any) []map[string]any {
	st, _ := obj["status"].(map[string]any)
	list, _ := st["conditions"].([]any)
	var out []map[string]any
	for _, c := range list {
		if m, ok := c.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

// Markdown is the row as docs/gitops.md's health table writes it.
func (r Row) Markdown() string {
	return fmt.Sprintf("| `%s` | %s | %s | %s | %s | %s | %s |", r.Reason, r.Ready, r.Reconciling, r.Stalled, r.KStatus, r.Argo, r.KubectlWaitDone)
}
