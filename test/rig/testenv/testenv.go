// Package testenv is the Go side of the test rig (test/rig, next to the scripts of hack/): it
// starts a real kube-apiserver and etcd (envtest, with the binaries hack/control-plane.sh builds),
// tells tests where the local Cassandra clusters of hack/cassandra.sh are, starts the manager
// binary, and records every process a test starts so that hack/test.sh can stop it by PID. It is
// imported by tests and benchmarks only, never by the product (cmd, controllers, internal).
package testenv

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	gocql "github.com/apache/cassandra-gocql-driver/v2"

	"sigs.k8s.io/controller-runtime/pkg/envtest"

	"github.com/cqlsync/cqlsync/test/rig/localenv"
)

// KubeVersion is the control-plane version hack/control-plane.sh builds by default.
const KubeVersion = "1.36.3"

// RepoRoot is the directory holding go.mod.
func RepoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", "..", ".."))
}

// BinDir holds the binaries of hack/control-plane.sh; KUBEBUILDER_ASSETS wins when set.
func BinDir() string {
	if d := os.Getenv("KUBEBUILDER_ASSETS"); d != "" {
		return d
	}
	return filepath.Join(RepoRoot(), "bin", "k8s", KubeVersion)
}

// Kubectl is the path of the kubectl built with the control plane.
func Kubectl() string { return filepath.Join(BinDir(), "kubectl") }

// NewEnvironment returns an envtest environment with the cqlsync CRDs, using the locally built
// binaries. It fails clearly when they are missing (run `make control-plane`).
func NewEnvironment() (*envtest.Environment, error) {
	return localenv.NewEnvironment(RepoRoot(), BinDir(), "kube-apiserver", "etcd")
}

// Rig describes the local Cassandra clusters started by hack/cassandra.sh.
type Rig struct {
	Cluster1, Cluster2, Cluster3   string // hosts
	Cluster3CA                     string // PEM path of the CA that signed cluster3's certificate
	Cluster3User, Cluster3Password string
	Script                         string // hack/cassandra.sh, to stop and start nodes
	// RunDir holds each node's directory (<RunDir>/<node>/logs/audit.log is its audit log).
	RunDir string
}

// AuditLog is the path of a node's audit log: one line per DDL statement it ran
// (hack/cassandra.sh enables Cassandra's FileAuditLogger for the DDL category).
func (r Rig) AuditLog(node string) string {
	return filepath.Join(r.RunDir, node, "logs", "audit.log")
}

// Cassandra returns the rig, or stops the test: with CQLSYNC_REQUIRE_RIG=1 (set by `make test`) a
// missing rig is a failure, otherwise the test is skipped and says how to run it.
func Cassandra(t testing.TB) Rig {
	t.Helper()
	r := Rig{
		Cluster1:         os.Getenv("CQLSYNC_CLUSTER1_HOST"),
		Cluster2:         os.Getenv("CQLSYNC_CLUSTER2_HOST"),
		Cluster3:         os.Getenv("CQLSYNC_CLUSTER3_HOST"),
		Cluster3CA:       os.Getenv("CQLSYNC_CLUSTER3_CA"),
		Cluster3User:     os.Getenv("CQLSYNC_CLUSTER3_USER"),
		Cluster3Password: os.Getenv("CQLSYNC_CLUSTER3_PASSWORD"),
		Script:           os.Getenv("CQLSYNC_CASSANDRA_SCRIPT"),
		RunDir:           os.Getenv("CQLSYNC_CASSANDRA_RUN"),
	}
	if r.Cluster1 == "" || r.Cluster2 == "" || r.Cluster3 == "" {
		if os.Getenv("CQLSYNC_REQUIRE_RIG") == "1" {
			t.Fatal("the Cassandra rig is required but CQLSYNC_CLUSTER*_HOST are unset: run `make test`")
		}
		t.Skip("needs the local Cassandra clusters: run `make test` (or `eval $(hack/cassandra.sh env)` after `hack/cassandra.sh start`)")
	}
	return r
}

// Pair is the rig's cluster of two nodes (hack/cassandra.sh pair1 and pair2).
type Pair struct {
	// Hosts are the nodes' addresses; Nodes their names for hack/cassandra.sh, in the same order.
	Hosts, Nodes []string
	// DC is the seed's datacenter; DCs the datacenter of each node, in the order of Hosts (the
	// pair spans two).
	DC     string
	DCs    []string
	Script string
}

// TwoNodes returns the rig's cluster of two nodes, or stops the test like Cassandra.
func TwoNodes(t testing.TB) Pair {
	t.Helper()
	Cassandra(t)
	p := Pair{DC: os.Getenv("CQLSYNC_PAIR_DC"), Script: os.Getenv("CQLSYNC_CASSANDRA_SCRIPT")}
	if v := os.Getenv("CQLSYNC_PAIR_HOSTS"); v != "" {
		p.Hosts = strings.Split(v, ",")
	}
	if v := os.Getenv("CQLSYNC_PAIR_NODES"); v != "" {
		p.Nodes = strings.Split(v, ",")
	}
	if v := os.Getenv("CQLSYNC_PAIR_DCS"); v != "" {
		p.DCs = strings.Split(v, ",")
	}
	if len(p.Hosts) != 2 || len(p.Nodes) != 2 || len(p.DCs) != 2 || p.Script == "" {
		if os.Getenv("CQLSYNC_REQUIRE_RIG") == "1" {
			t.Fatal("the two-node cluster is required but CQLSYNC_PAIR_HOSTS/NODES are unset: run `make test`")
		}
		t.Skip("needs the two-node cluster: run `make test` (or `hack/cassandra.sh start pair1 pair2`)")
	}
	return p
}

// NodePID is the PID of a node of the rig, from hack/cassandra.sh status.
func (p Pair) NodePID(t testing.TB, node string) int {
	t.Helper()
	out, err := exec.Command(p.Script, "status").Output()
	if err != nil {
		t.Fatalf("%s status: %v", p.Script, err)
	}
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.Fields(line)
		if len(f) >= 3 && f[0] == node {
			if pid, err := strconv.Atoi(strings.TrimPrefix(f[2], "pid=")); err == nil {
				return pid
			}
		}
	}
	t.Fatalf("node %s is not running:\n%s", node, out)
	return 0
}

// CQLSession opens a driver session to host for a test's own queries (checking what cqlsync did,
// changing the schema behind its back), closed when the test ends.
func CQLSession(t testing.TB, host string) *gocql.Session {
	t.Helper()
	cc := gocql.NewCluster(host)
	cc.Timeout = 30 * time.Second
	s, err := gocql.NewSession(*cc)
	if err != nil {
		t.Fatalf("connecting to %s: %v", host, err)
	}
	t.Cleanup(s.Close)
	return s
}

// SecureCQLSession opens a driver session to cluster3, with its password and TLS, for a test's own
// queries; closed when the test ends.
func SecureCQLSession(t testing.TB, rig Rig) *gocql.Session {
	t.Helper()
	return SecureCQLSessionAs(t, rig, rig.Cluster3User, rig.Cluster3Password)
}

// SecureCQLSessionAs is SecureCQLSession logged in as another role.
func SecureCQLSessionAs(t testing.TB, rig Rig, user, password string) *gocql.Session {
	t.Helper()
	cc := gocql.NewCluster(rig.Cluster3)
	cc.Timeout = 30 * time.Second
	cc.Authenticator = gocql.PasswordAuthenticator{Username: user, Password: password}
	cc.SslOpts = &gocql.SslOptions{CaPath: rig.Cluster3CA}
	s, err := gocql.NewSession(*cc)
	if err != nil {
		t.Fatalf("connecting to %s as %s: %v", rig.Cluster3, user, err)
	}
	t.Cleanup(s.Close)
	return s
}
