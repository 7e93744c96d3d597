package introspect

import (
	"context"
	"fmt"
	"slices"

	gocql "github.com/apache/cassandra-gocql-driver/v2"
)

// IndexesNotReady asks every node that is up whether each named index of the keyspace can serve
// queries: built (listed in system."IndexInfo", for every kind of index) and, for a storage-
// attached index, queryable (system_views.sai_column_indexes). It returns, for each index that is
// not ready somewhere, the nodes where it is not, sorted; nil when all are ready. Both tables are
// local to each node, so each node is asked itself.
func IndexesNotReady(ctx context.Context, s *gocql.Session, keyspace string, names []string) (map[string][]string, error) {
	if len(names) == 0 {
		return nil, nil
	}
	var out map[string][]string
	for _, h := range s.GetHosts() {
		if !h.IsUp() {
			continue
		}
		built := map[string]bool{}
		it := s.Query(`SELECT index_name FROM system."IndexInfo" WHERE table_name = ?`, keyspace).SetHostID(h.HostID()).Idempotent(true).IterContext(ctx)
		var name string
		for it.Scan(&name) {
			built[name] = true
		}
		if err := it.Close(); err != nil {
			return nil, fmt.Errorf("reading the built indexes of %s: %w", h.ConnectAddressAndPort(), err)
		}
		queryable := map[string]bool{}
		it = s.Query(`SELECT index_name, is_queryable FROM system_views.sai_column_indexes WHERE keyspace_name = ?`, keyspace).
			SetHostID(h.HostID()).Idempotent(true).IterContext(ctx)
		var q bool
		for it.Scan(&name, &q) {
			queryable[name] = q
		}
		_ = it.Close() // the view exists from Cassandra 5.0 on; without it, built is all there is
		for _, n := range names {
			if q, sai := queryable[n]; !built[n] || (sai && !q) {
				if out == nil {
					out = map[string][]string{}
				}
				out[n] = append(out[n], h.ConnectAddressAndPort())
			}
		}
	}
	for _, nodes := range out {
		slices.Sort(nodes)
	}
	return out, nil
}
