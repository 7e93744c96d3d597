// Package e2e runs the manager binary as a process, with the RBAC `make deploy` gives it, in the
// local environment of `make run` (a real kube-apiserver, etcd and kube-controller-manager) against
// the local Cassandra clusters, and drives it with kubectl exactly as the README tells a user to.
package e2e

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cqlsync/cqlsync/test/rig/testenv"
)

func TestSamplesBecomeReady(t *testing.T) {
	rig := testenv.Cassandra(t)
	op := startOperator(t)
	kubectl := op.kubectl

	// One apply of every sample, in whatever order kubectl takes the files: no manual ordering.
	kubectl("apply", "-f", "config/samples/")
	kubectl("wait", "--for=condition=Ready", "cassandraconnection", "--all", "--timeout=180s")
	kubectl("wait", "--for=condition=Ready", "keyspace", "--all", "--timeout=180s")
	// No manual step: the sensor-readings table waits for the address type (UserTypeNotFound), which
	// waits for its keyspace; each is requeued by a watch.
	kubectl("wait", "--for=condition=Ready", "usertype,tablemodel", "--all", "--timeout=240s")

	out := kubectl("get", "cassandraconnections", "-o", "wide")
	for _, want := range []string{"READY", "REASON", "HOSTS", "AGE", "cluster1", "cluster2", "Connected", "1/1"} {
		if !strings.Contains(out, want) {
			t.Errorf("kubectl get output lacks %q:\n%s", want, out)
		}
	}
	if out := kubectl("get", "cqlconn", "cluster1", "-o", "jsonpath={.status.clusterName} {.status.hosts[0].datacenter} {.status.hosts[0].releaseVersion}"); !strings.HasPrefix(out, "cluster1 dc1 5.0.") {
		t.Errorf("cluster1 status: %q", out)
	}
	if out := kubectl("get", "cqlsync"); !strings.Contains(out, "cassandraconnection.cqlsync.io/cluster2") {
		t.Errorf("the cqlsync category must list the connections:\n%s", out)
	}
	if out := kubectl("explain", "cassandraconnection.spec.hosts"); !strings.Contains(out, "contact points") {
		t.Errorf("kubectl explain lacks the field documentation:\n%s", out)
	}

	out = kubectl("get", "keyspaces")
	for _, want := range []string{"ks1", "ks2", "Synced", "2/2"} {
		if !strings.Contains(out, want) {
			t.Errorf("kubectl get keyspaces lacks %q:\n%s", want, out)
		}
	}
	if out := kubectl("get", "cqlks", "ks1", "-o", "jsonpath={.status.targets[*].state}"); out != "Synced Synced" {
		t.Errorf("ks1 targets: %q", out)
	}

	out = kubectl("get", "usertypes", "-o", "wide")
	for _, want := range []string{"address", "True", "Synced", "1/1", "DRIFTED", "TYPE"} {
		if !strings.Contains(out, want) {
			t.Errorf("kubectl get usertypes lacks %q:\n%s", want, out)
		}
	}
	if out := kubectl("get", "cqltype", "address", "-o", "jsonpath={.status.type} {.status.targets[0].connection}/{.status.targets[0].keyspace}"); out != "address cluster1/ks1" {
		t.Errorf("address status: %q", out)
	}
	if got := liveTypeFields(t, rig.Cluster1, "ks1", "address"); got != "street text, city text, zip text" {
		t.Errorf("the address type in cluster1: %q", got)
	}
	if out := kubectl("get", "cqlsync"); !strings.Contains(out, "usertype.cqlsync.io/address") {
		t.Errorf("the cqlsync category must list the user types:\n%s", out)
	}

	out = kubectl("get", "tablemodels", "-o", "wide")
	for _, want := range []string{"automobile", "4/4", "integer-sequenced-items", "2/2", "sensor-readings", "1/1", "Synced", "DRIFTED", "TABLE"} {
		if !strings.Contains(out, want) {
			t.Errorf("kubectl get tablemodels lacks %q:\n%s", want, out)
		}
	}
	if out := kubectl("get", "tm", "automobile", "-o", "jsonpath={.status.targets[*].state}"); out != "Synced Synced Synced Synced" {
		t.Errorf("automobile targets: %q", out)
	}
	if out := kubectl("get", "tm", "sensor-readings", "-o", "jsonpath={.status.targets[0].connection}/{.status.targets[0].keyspace}"); out != "cluster1/ks1" {
		t.Errorf("sensor-readings target: %q", out)
	}

	kubectl("delete", "-f", "config/samples/", "--wait=true", "--timeout=120s")
	if out := kubectl("get", "cassandraconnections", "-o", "name"); strings.TrimSpace(out) != "" {
		t.Errorf("connections left after delete: %s", out)
	}
}

// operator is a local environment of its own (test/rig/localenv: kube-apiserver, etcd,
// kube-controller-manager) and the manager binary running against it as its ServiceAccount.
type operator struct {
	// kubeconfig is the admin's, for the test's own kubectl and CLI; the manager never sees it.
	kubeconfig string
	// kubectl runs kubectl against it and returns the output, failing the test on an error.
	kubectl func(args ...string) string
	// startManager starts one more manager process (with the same flags); the first one is
	// started by startOperator. Each is stopped when the test ends, if it still runs.
	startManager func() *os.Process
	// manager is the first manager process.
	manager *os.Process
}

// startOperator builds the manager (once per test binary), starts a local environment and the
// manager as a process, with the flags of the Deployment (config/manager) and the given extra
// ones. The manager runs with only a TokenRequest token of the ServiceAccount `make deploy`
// creates, so that it has exactly the RBAC of config/rbac: a permission missing from the
// controllers' markers fails the test (see managerLog). Every process is stopped by PID when the
// test ends, pass or fail.
func startOperator(t testing.TB, flags ...string) operator {
	t.Helper()
	root := testenv.RepoRoot()
	begin := time.Now()
	env := testenv.LocalEnv(t, nil)
	t.Logf("local environment up in %s", time.Since(begin).Round(time.Millisecond))
	t.Cleanup(func() { // before the environment stops
		if t.Failed() {
			if b, err := os.ReadFile(env.ControllerManagerLog); err == nil {
				t.Logf("kube-controller-manager log (end):\n%s", tail(string(b), 40))
			}
		}
	})

	logs := newManagerLog()
	startManager := func() *os.Process {
		return testenv.StartManager(t, testenv.ManagerOptions{
			Args: append([]string{"--kubeconfig", env.ManagerKubeconfig, "--leader-elect", "--metrics-bind-address", "0",
				"--health-probe-bind-address", "127.0.0.1:0", "--connection-refresh-interval", "5s"}, flags...),
			Namespace: env.ServiceAccount.Namespace,
			Output:    logs,
			Stopped: func() {
				if f := logs.forbidden(); f != "" {
					t.Errorf("%s:\n%s", refusedHelp, f)
				}
				if t.Failed() {
					t.Logf("manager logs (since the last shown, when several managers ran):\n%s", logs.unshown())
				}
			},
		})
	}
	first := startManager()
	kubectl := func(args ...string) string {
		t.Helper()
		// A refused request stops the command at once (a kubectl wait would otherwise run into its
		// timeout), and the test fails with the lines that say what was refused.
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		go func() {
			select {
			case <-logs.refused:
				cancel()
			case <-ctx.Done():
			}
		}()
		c := exec.CommandContext(ctx, testenv.Kubectl(), append([]string{"--kubeconfig", env.AdminKubeconfig}, args...)...)
		c.Dir = root
		out, err := c.CombinedOutput()
		if f := logs.forbidden(); f != "" {
			t.Fatalf("kubectl %s (stopped, if still running, at the manager's first refused request): %v\n%s\n%s:\n%s",
				strings.Join(args, " "), err, out, refusedHelp, f)
		}
		if err != nil {
			t.Fatalf("kubectl %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	return operator{kubeconfig: env.AdminKubeconfig, kubectl: kubectl, startManager: startManager, manager: first}
}

// refusedHelp says what a refused request of the manager means.
const refusedHelp = "the API server refused the manager, which runs with only the RBAC of config/rbac: add the missing permission " +
	"(a +kubebuilder:rbac marker in controllers/, then `make manifests`; or config/rbac/leader_election_role.yaml)"

// refusedMarker is in every message of a request refused for lack of permission: "... is
// forbidden: User \"system:serviceaccount:...\" cannot ...". A namespace being deleted refuses new
// events with another "forbidden", which is no RBAC matter.
const refusedMarker = "forbidden: User"

// managerLog is the manager's output, written by the process while the test reads it. refused is
// closed at the first refused request.
type managerLog struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	shown   int // how much of buf unshown has returned
	refused chan struct{}
	once    sync.Once
}

func newManagerLog() *managerLog { return &managerLog{refused: make(chan struct{})} }

func (b *managerLog) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	n, err := b.buf.Write(p)
	// The marker may straddle two writes: look at what this one wrote, and a marker's length before.
	all := b.buf.Bytes()
	if bytes.Contains(all[max(0, len(all)-n-len(refusedMarker)):], []byte(refusedMarker)) {
		b.once.Do(func() { close(b.refused) })
	}
	return n, err
}

func (b *managerLog) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// unshown returns the log written since the last call: a test that restarts the manager shows
// each process's logs once, not the whole log at every stop.
func (b *managerLog) unshown() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := b.buf.String()[b.shown:]
	b.shown = b.buf.Len()
	return out
}

// forbidden returns the lines of the log that report a refused request, or "".
func (b *managerLog) forbidden() string {
	var lines []string
	for _, l := range strings.Split(b.String(), "\n") {
		if strings.Contains(l, refusedMarker) {
			lines = append(lines, l)
		}
	}
	return strings.Join(lines, "\n")
}

// tail returns the last n lines of s.
func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// liveTypeFields reads a type's fields from a cluster, as "name type, name type".
func liveTypeFields(t *testing.T, host, keyspace, name string) string {
	t.Helper()
	s := testenv.CQLSession(t, host)
	var names, types []string
	if err := s.Query(`SELECT field_names, field_types FROM system_schema.types WHERE keyspace_name = ? AND type_name = ?`, keyspace, name).Scan(&names, &types); err != nil {
		t.Fatalf("reading type %s.%s: %v", keyspace, name, err)
	}
	parts := make([]string, len(names))
	for i := range names {
		parts[i] = names[i] + " " + types[i]
	}
	return strings.Join(parts, ", ")
}
