package introspect

import (
	"context"
	"fmt"
	"slices"
	"time"

	gocql "github.com/apache/cassandra-gocql-driver/v2"
)

// Node is one node of the cluster as seen by one coordinator: itself (from system.local) or a peer
// (from system.peers_v2), with the driver's opinion of whether it is up.
type Node struct {
	HostID        string
	Datacenter    string
	SchemaVersion string // empty when the coordinator does not know it (yet)
	// ReleaseVersion is the node's Cassandra version, as the coordinator knows it ("" when not).
	ReleaseVersion string
	// Local is true for the coordinator that answered: it is up by definition.
	Local bool
	// Up is false only when the driver knows the node and considers it down. A peer the driver
	// does not know is taken as up, so that it is never ignored by mistake.
	Up bool
}

// ReadBudget is the time a system-table read may take with the connection's request timeout: one
// attempt per node, and a second node when the first does not answer (a hung node accepts
// connections and never answers; the read then moves on instead of failing).
func ReadBudget(requestTimeout time.Duration) time.Duration {
	return 2*requestTimeout + time.Second
}

// Nodes lists the cluster's nodes. Both system tables are read from the same coordinator, so that
// the list has every node exactly once. The coordinator is prefer (a host ID) when it is up and
// answers, else each other node that is up in turn: a node that hangs costs one request timeout,
// once.
func Nodes(ctx context.Context, s *gocql.Session, prefer string) ([]Node, error) {
	up := map[string]bool{}
	var coordinators []string
	for _, h := range s.GetHosts() {
		up[h.HostID()] = h.IsUp()
		if h.IsUp() {
			coordinators = append(coordinators, h.HostID())
		}
	}
	if len(coordinators) == 0 {
		return nil, fmt.Errorf("no node of the cluster is up")
	}
	slices.Sort(coordinators) // deterministic; any up node will do
	if i := slices.Index(coordinators, prefer); i > 0 {
		coordinators = append([]string{prefer}, slices.Delete(coordinators, i, i+1)...)
	}
	var lastErr error
	for _, hostID := range coordinators {
		nodes, err := nodesFrom(ctx, s, hostID, up)
		if err == nil {
			return nodes, nil
		}
		lastErr = err
		if ctx.Err() != nil {
			break
		}
	}
	return nil, lastErr
}

func nodesFrom(ctx context.Context, s *gocql.Session, hostID string, up map[string]bool) ([]Node, error) {
	var local Node
	var id, ver gocql.UUID
	if err := s.Query(`SELECT host_id, data_center, schema_version, release_version FROM system.local WHERE key = 'local'`).
		SetHostID(hostID).Idempotent(true).ScanContext(ctx, &id, &local.Datacenter, &ver, &local.ReleaseVersion); err != nil {
		return nil, err
	}
	local.HostID, local.SchemaVersion, local.Local, local.Up = id.String(), uuidString(ver), true, true
	nodes := []Node{local}

	iter := s.Query(`SELECT host_id, data_center, schema_version, release_version FROM system.peers_v2`).
		SetHostID(hostID).Idempotent(true).IterContext(ctx)
	var dc, release string
	for iter.Scan(&id, &dc, &ver, &release) {
		n := Node{HostID: id.String(), Datacenter: dc, SchemaVersion: uuidString(ver), ReleaseVersion: release, Up: true}
		if isUp, known := up[n.HostID]; known {
			n.Up = isUp
		}
		nodes = append(nodes, n)
	}
	if err := iter.Close(); err != nil {
		return nil, err
	}
	return nodes, nil
}

func uuidString(u gocql.UUID) string {
	if u == (gocql.UUID{}) {
		return ""
	}
	return u.String()
}

// Datacenters returns the sorted, distinct datacenters of the nodes.
func Datacenters(nodes []Node) []string {
	var dcs []string
	for _, n := range nodes {
		if n.Datacenter != "" && !slices.Contains(dcs, n.Datacenter) {
			dcs = append(dcs, n.Datacenter)
		}
	}
	slices.Sort(dcs)
	return dcs
}

// SchemaVersions returns the distinct, sorted schema versions of the nodes that are up, ignoring
// nodes that are down or report no version: a down node cannot take part in agreement, as in
// k8ssandra's check, which leaves out unreachable nodes. One version means agreement.
func SchemaVersions(nodes []Node) []string {
	var versions []string
	for _, n := range nodes {
		if !n.Up || n.SchemaVersion == "" || slices.Contains(versions, n.SchemaVersion) {
			continue
		}
		versions = append(versions, n.SchemaVersion)
	}
	slices.Sort(versions)
	return versions
}
