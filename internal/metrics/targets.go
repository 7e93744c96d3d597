package metrics

import (
	"sync"

	"github.com/prometheus/client_golang/prometheus"
)

// Targets is cqlsync_targets{kind, state}: how many targets of each kind are in each state, summed
// over the resources at scrape time from what each resource's last reconcile reported.
var Targets = &targetStates{byResource: map[string]resourceTargets{}}

type targetStates struct {
	mu         sync.Mutex
	byResource map[string]resourceTargets // by kind + "/" + namespace/name
}

type resourceTargets struct {
	kind   string
	states map[string]int
}

var targetsDesc = prometheus.NewDesc("cqlsync_targets", "Targets of Keyspaces, TableModels and UserTypes by state (Synced, Pending, Blocked, Failed).", []string{"kind", "state"}, nil)

// Set records the states of a resource's targets (one entry per target).
func (t *targetStates) Set(kind, resource string, states []string) {
	counts := map[string]int{}
	for _, s := range states {
		counts[s]++
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.byResource[kind+"/"+resource] = resourceTargets{kind: kind, states: counts}
}

// Forget removes a deleted resource.
func (t *targetStates) Forget(kind, resource string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.byResource, kind+"/"+resource)
}

func (t *targetStates) Describe(ch chan<- *prometheus.Desc) { ch <- targetsDesc }

func (t *targetStates) Collect(ch chan<- prometheus.Metric) {
	type key struct{ kind, state string }
	sums := map[key]int{}
	t.mu.Lock()
	for _, r := range t.byResource {
		for s, n := range r.states {
			sums[key{r.kind, s}] += n
		}
	}
	t.mu.Unlock()
	for _, kind := range []string{"Keyspace", "TableModel", "UserType"} {
		for _, state := range []string{"Synced", "Pending", "Blocked", "Failed"} {
			ch <- prometheus.MustNewConstMetric(targetsDesc, prometheus.GaugeValue, float64(sums[key{kind, state}]), kind, state)
		}
	}
}
