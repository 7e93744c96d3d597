package controllers

import (
	"fmt"
	"hash/fnv"
	"strings"
	"unicode/utf8"

	corev1 "k8s.io/api/core/v1"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
	"github.com/cqlsync/cqlsync/internal/cql/plan"
)

// recordEvents emits an event for every statement applied, a Warning when a target newly fails or
// is blocked, and a Warning when a target's drift changes.
func (r *TableModelReconciler) recordEvents(before, after *cqlv1.TableModel, o tableModelOutcome) {
	prev := map[string]cqlv1.TableTarget{}
	for _, t := range before.Status.Targets {
		prev[targetKey(t.Connection, t.Keyspace)] = t
	}
	for _, t := range o.targets {
		label := t.connection + "/" + t.keyspace
		for _, st := range t.applied {
			r.event(after, corev1.EventTypeNormal, tableEventReason(st.Kind), eventAction(label, st.Summary), "%s: %s", label, st.Summary)
		}
		p, had := prev[targetKey(t.connection, t.keyspace)]
		if t.state == cqlv1.TableFailed || t.state == cqlv1.TableBlocked {
			if !had || p.State != t.state || p.Reason != t.reason {
				r.event(after, corev1.EventTypeWarning, t.reason, eventAction(label, "sync"), "%s: %s", label, t.message)
			}
		}
		if len(t.drift) > 0 && (!had || strings.Join(p.Drift, "\n") != strings.Join(t.drift, "\n")) {
			r.event(after, corev1.EventTypeWarning, "DriftDetected", eventAction(label, "drift "+strings.Join(t.drift, "; ")), "%s: %s", label, strings.Join(t.drift, "; "))
		}
	}
}

// maxEventAction is the API server's limit on an event's action.
const maxEventAction = 128

// eventAction is the action of an event: what was done where. The event recorder folds events
// with the same reason and action into one series that keeps the first note, so the action names
// the target and the change: two different statements never share one, and the same statement
// repeated (a drift corrected twice) counts up one series. Long actions are cut and made unique
// with a hash of the whole text.
func eventAction(label, what string) string {
	a := label + ": " + what
	if len(a) <= maxEventAction {
		return a
	}
	h := fnv.New32a()
	h.Write([]byte(a))
	suffix := fmt.Sprintf(" ~%08x", h.Sum32())
	cut := maxEventAction - len(suffix)
	for cut > 0 && !utf8.RuneStart(a[cut]) {
		cut--
	}
	return a[:cut] + suffix
}

func tableEventReason(k plan.Kind) string {
	switch k {
	case plan.CreateTable:
		return "TableCreated"
	case plan.AddColumns:
		return "ColumnsAdded"
	case plan.AlterOptions:
		return "TableOptionsChanged"
	case plan.DropColumns:
		return "ColumnsDropped"
	case plan.CreateIndex:
		return "IndexCreated"
	case plan.DropIndex:
		return "IndexDropped"
	case plan.DropTable:
		return "TableDropped"
	}
	return string(k)
}

func (r *TableModelReconciler) event(obj *cqlv1.TableModel, typ, reason, action, note string, args ...any) {
	if r.Recorder != nil {
		r.Recorder.Eventf(obj, nil, typ, reason, action, note, args...)
	}
}
