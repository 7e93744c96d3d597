// Package e2e runs the manager binary as a process against a real kube-apiserver and etcd and the
// local Cassandra clusters, and drives it with kubectl exactly as the README tells a user to.
package e2e

import (
	"bytes"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cqlsync/cqlsync/internal/testenv"
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

// operator is a control plane of its own and the manager binary running against it.
type operator struct {
	kubeconfig string
	// kubectl runs kubectl against it and returns the output, failing the test on an error.
	kubectl func(args ...string) string
}

// startOperator builds the manager (once per test binary), starts a control plane and the
// manager as a process with the given extra flags; both are stopped by PID when the test ends,
// pass or fail.
func startOperator(t *testing.T, flags ...string) operator {
	t.Helper()
	root := testenv.RepoRoot()
	tmp := t.TempDir()
	manager := testenv.BuildOnce(t, "manager", "./cmd")

	env, err := testenv.NewEnvironment()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := testenv.Start(env); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := env.Stop(); err != nil {
			t.Errorf("stopping the control plane: %v", err)
		}
	})
	kubeconfig := testenv.AdminKubeconfig(t, env, tmp)

	var logs bytes.Buffer
	args := append([]string{"--kubeconfig", kubeconfig, "--metrics-bind-address", "0",
		"--health-probe-bind-address", "127.0.0.1:0", "--connection-refresh-interval", "5s"}, flags...)
	cmd := exec.Command(manager, args...)
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	testenv.RecordPID(cmd.Process.Pid)
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
		if t.Failed() {
			t.Logf("manager logs:\n%s", logs.String())
		}
	})
	kubectl := func(args ...string) string {
		t.Helper()
		c := exec.Command(testenv.Kubectl(), append([]string{"--kubeconfig", kubeconfig}, args...)...)
		c.Dir = root
		out, err := c.CombinedOutput()
		if err != nil {
			t.Fatalf("kubectl %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	return operator{kubeconfig: kubeconfig, kubectl: kubectl}
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
