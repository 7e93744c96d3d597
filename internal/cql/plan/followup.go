package plan

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/cqlsync/cqlsync/internal/cql/render"
)

// FollowUp says which nodetool commands make the data of keyspace follow a replication change
// from have to want (normalized maps, see NormalizeReplication), for each datacenter:
//   - a datacenter added to a NetworkTopologyStrategy keyspace streams its replicas from one that
//     had them: nodetool rebuild on each of its nodes;
//   - more replicas in a datacenter (or in a SimpleStrategy keyspace): nodetool repair -full there;
//   - a datacenter removed, or fewer replicas: the nodes keep data they no longer own until
//     nodetool cleanup;
//   - a change of class: a full repair on every node.
func FollowUp(keyspace string, have, want map[string]string) string {
	ks := keyspace
	if strings.ContainsAny(ks, " '\"") || strings.ToLower(ks) != ks {
		ks = "'" + ks + "'" // as a shell word
	}
	if have["class"] != want["class"] {
		return fmt.Sprintf("the replication class changed: run `nodetool repair -full %s` on every node of the cluster", ks)
	}
	var out []string
	if have["class"] != render.NetworkTopologyStrategy {
		before, _ := strconv.Atoi(have["replication_factor"])
		after, _ := strconv.Atoi(want["replication_factor"])
		switch {
		case after > before:
			out = append(out, fmt.Sprintf("run `nodetool repair -full %s` on every node of the cluster, so that the new replicas get the existing data", ks))
		case after < before:
			out = append(out, fmt.Sprintf("run `nodetool cleanup %s` on every node of the cluster, to remove the replicas no longer owned", ks))
		}
		return strings.Join(out, "; ")
	}
	var sources []string
	for dc := range have {
		if dc != "class" {
			sources = append(sources, dc)
		}
	}
	slices.Sort(sources)
	dcs := map[string]bool{}
	for dc := range have {
		dcs[dc] = true
	}
	for dc := range want {
		dcs[dc] = true
	}
	delete(dcs, "class")
	for _, dc := range slices.Sorted(maps.Keys(dcs)) {
		before, hadDC := have[dc]
		after, wantDC := want[dc]
		b, _ := strconv.Atoi(before)
		a, _ := strconv.Atoi(after)
		switch {
		case !hadDC && len(sources) > 0:
			out = append(out, fmt.Sprintf("datacenter %s was added: run `nodetool rebuild -ks %s -- %s` on each node of %s, to stream its replicas from %s", dc, ks, sources[0], dc, sources[0]))
		case !hadDC:
			out = append(out, fmt.Sprintf("datacenter %s was added: run `nodetool repair -full %s` on each node of %s", dc, ks, dc))
		case !wantDC:
			out = append(out, fmt.Sprintf("datacenter %s was removed: run `nodetool cleanup %s` on each node of %s, to remove the replicas it no longer owns", dc, ks, dc))
		case a > b:
			out = append(out, fmt.Sprintf("datacenter %s has more replicas: run `nodetool repair -full %s` on each node of %s", dc, ks, dc))
		case a < b:
			out = append(out, fmt.Sprintf("datacenter %s has fewer replicas: run `nodetool cleanup %s` on each node of %s", dc, ks, dc))
		}
	}
	return strings.Join(out, "; ")
}
