package registry

import (
	"context"
	"errors"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	gocql "github.com/apache/cassandra-gocql-driver/v2"

	"github.com/cqlsync/cqlsync/internal/cql/introspect"
)

// Session is an open driver session of one connection. It stays valid until the registry replaces
// or closes it; callers must not Close it themselves.
type Session struct {
	key       Key
	hash      string
	cfg       Config
	conn      Conn
	closeOnce sync.Once
	// clusterID is the identity of the cluster the session reaches, once known (see ClusterInfo.ID).
	clusterID atomic.Value
	// onClose stops what the registry started for the session (its event listener).
	onClose func()
}

// ClusterID is the identity of the cluster the session reaches (ClusterInfo.ID), "" until the
// session has described the cluster once.
func (s *Session) ClusterID() string {
	id, _ := s.clusterID.Load().(string)
	return id
}

// Key is the connection this session belongs to.
func (s *Session) Key() Key { return s.key }

// Config returns the session's configuration (timeouts, for callers that wait on the cluster).
func (s *Session) Config() Config { return s.cfg }

// Driver returns the driver session, for the packages of internal/cql that run statements. It is
// nil only for sessions made by a test dialer.
func (s *Session) Driver() *gocql.Session {
	gs, _ := s.conn.(*gocql.Session)
	return gs
}

// Closed reports whether the session has been closed.
func (s *Session) Closed() bool { return s.conn == nil || s.conn.Closed() }

func (s *Session) close() {
	s.closeOnce.Do(func() {
		if s.onClose != nil {
			s.onClose()
		}
		if s.conn != nil {
			s.conn.Close()
		}
	})
}

// Host is one node as the driver and the system tables see it.
type Host struct {
	// HostID is the node's host_id, which it keeps for life whatever its address.
	HostID         string
	Address        string
	Datacenter     string
	Rack           string
	Up             bool
	ReleaseVersion string
	SchemaVersion  string
}

// ClusterInfo is what a cluster says about itself.
type ClusterInfo struct {
	ClusterName string
	Hosts       []Host // sorted by address
	// Tables is how many tables the cluster holds outside Cassandra's own keyspaces; -1 when
	// they could not be counted.
	Tables int
}

// ID is the cluster's identity: its name and the smallest host_id of its nodes. It depends on
// nothing the client chose (a DNS name or an IP address, a port, a datacenter to prefer), so two
// connections that reach the same cluster share it, and two clusters that happen to have the same
// name (Cassandra's default "Test Cluster") do not. It changes only when the node with the
// smallest host_id leaves the cluster or a node with a smaller one joins. "" when no host is
// known.
func (c ClusterInfo) ID() string {
	var min string
	for _, h := range c.Hosts {
		if h.HostID != "" && (min == "" || h.HostID < min) {
			min = h.HostID
		}
	}
	if min == "" {
		return ""
	}
	return c.ClusterName + "/" + min
}

// UpCount is how many hosts are up.
func (c ClusterInfo) UpCount() int {
	n := 0
	for _, h := range c.Hosts {
		if h.Up {
			n++
		}
	}
	return n
}

// Describe asks the cluster for its name and the schema and release versions of every node
// (system.local and system.peers_v2 of one coordinator, introspect.Nodes) and merges that with the
// driver's view of each host (address, DC, rack, up). A node that does not answer within the
// request timeout is passed over for the next one; it fails when neither of two nodes answers.
func (s *Session) Describe(ctx context.Context) (ClusterInfo, error) {
	gs := s.Driver()
	if gs == nil {
		return ClusterInfo{}, &Error{Kind: KindOther, Err: errors.New("not a driver session")}
	}
	ctx, cancel := context.WithTimeout(ctx, 2*s.cfg.RequestTimeout+time.Second)
	defer cancel()
	var info ClusterInfo
	// Every node's versions as one coordinator sees them: system.local and system.peers_v2 read
	// from two nodes could list one node twice and another not at all.
	nodes, err := introspect.Nodes(ctx, gs, "")
	if err != nil {
		return ClusterInfo{}, &Error{Kind: KindOf(err), Err: err}
	}
	type versions struct{ release, schema string }
	byID := map[string]versions{}
	for _, n := range nodes {
		byID[n.HostID] = versions{n.ReleaseVersion, n.SchemaVersion}
		if n.Local {
			if err := gs.Query("SELECT cluster_name FROM system.local WHERE key = 'local'").SetHostID(n.HostID).
				Consistency(gocql.One).Idempotent(true).ScanContext(ctx, &info.ClusterName); err != nil {
				return ClusterInfo{}, &Error{Kind: KindOf(err), Err: err}
			}
		}
	}
	for _, h := range gs.GetHosts() {
		info.Hosts = append(info.Hosts, Host{
			HostID:         h.HostID(),
			Address:        h.ConnectAddressAndPort(),
			Datacenter:     h.DataCenter(),
			Rack:           h.Rack(),
			Up:             h.IsUp(),
			ReleaseVersion: byID[h.HostID()].release,
			SchemaVersion:  byID[h.HostID()].schema,
		})
	}
	sort.Slice(info.Hosts, func(i, j int) bool { return info.Hosts[i].Address < info.Hosts[j].Address })
	if info.Tables, err = introspect.CountTables(ctx, gs); err != nil {
		info.Tables = -1 // not worth failing the description for
	}
	if id := info.ID(); id != "" {
		s.clusterID.Store(id)
	}
	return info, nil
}
