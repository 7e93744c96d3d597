package engine

import (
	corev1 "k8s.io/api/core/v1"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
	"github.com/cqlsync/cqlsync/internal/metrics"
)

// Report writes the outcome into obj's status, and records its events and metrics (see
// Pipeline.Report). before is the object as the reconcile found it. A deletion that is done
// (o.Released) writes no status: the object is going away.
func (r *pipeline[T, D, L]) Report(before, obj T, o *Outcome) {
	if o.retained {
		r.event(obj, corev1.EventTypeNormal, r.kind.Retained, "Delete",
			"deletionPolicy is Retain: %s %q and its data are left in Cassandra", r.kind.Noun, obj.CQLName())
	}
	r.recordEvents(obj, before.Schema().Targets, o)
	if o.released {
		metrics.Targets.Forget(r.kind.Kind, QualifiedName(obj))
		return
	}
	if o.mode == Delete && o.hold == nil {
		return // cut short by the API server: the deletion's status stays as it was
	}
	markCorrected(before.Schema(), obj.GetGeneration(), o.targets)
	setSchemaStatus(obj.Schema(), *o, r.kind, obj.GetGeneration(), timestamp(r.now()))
	*r.objects.statusName(obj) = o.name
	r.recordPlanEvents(obj, before.Schema().Plan, *o)
	if o.mode != Delete {
		r.recordMetrics(obj, o.targets)
	}
}

// markCorrected marks the targets on which statements ran to set back drift: the spec was already
// in effect (its generation observed) and the target was Synced before.
func markCorrected(before *cqlv1.SchemaStatus, generation int64, targets []targetOutcome) {
	if before.ObservedGeneration != generation {
		return
	}
	prev := map[string]cqlv1.TargetState{}
	for _, t := range before.Targets {
		prev[targetKey(t.Connection, t.Keyspace)] = t.State
	}
	for i := range targets {
		t := &targets[i]
		t.corrected = len(t.applied) > 0 && prev[targetKey(t.connection, t.keyspace)] == cqlv1.TargetSynced
	}
}

// recordMetrics publishes the states of the resource's targets, and counts the targets whose drift
// was set back (markCorrected).
func (r *pipeline[T, D, L]) recordMetrics(obj T, targets []targetOutcome) {
	states := make([]string, 0, len(obj.Schema().Targets))
	for _, t := range obj.Schema().Targets {
		states = append(states, string(t.State))
	}
	metrics.Targets.Set(r.kind.Kind, QualifiedName(obj), states)
	for _, t := range targets {
		if t.corrected {
			metrics.DriftCorrected(r.kind.Kind)
		}
	}
}
