//go:build faults

package faults

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/cqlsync/cqlsync/test/rig/localenv"
	"github.com/cqlsync/cqlsync/test/rig/testenv"
)

// Lease timings of the replicas: short, so that 20 failovers fit in the suite's budget, and in
// the ratios of the defaults.
const (
	leaseDuration = 4 * time.Second
	renewDeadline = 3 * time.Second
	retryPeriod   = time.Second
)

// replicas runs manager processes as the Deployment would, each with its own log file.
type replicas struct {
	t          *testing.T
	bin, dir   string
	kubeconfig string
	namespace  string

	mu      sync.Mutex
	running map[int]*replica // by slot
	started int
}

// replica is one manager process.
type replica struct {
	cmd  *exec.Cmd
	log  string
	done chan struct{}
}

// acquired is true once its log says it became the leader.
func (r *replica) acquired() bool {
	b, _ := os.ReadFile(r.log)
	return bytes.Contains(bytes.ToLower(b), []byte("successfully acquired lease"))
}

func (r *replica) alive() bool {
	select {
	case <-r.done:
		return false
	default:
		return true
	}
}

func newReplicas(t *testing.T, kubeconfig, namespace string) *replicas {
	rs := &replicas{t: t, bin: testenv.BuildOnce(t, "manager", "./cmd"), dir: t.TempDir(), kubeconfig: kubeconfig,
		namespace: namespace, running: map[int]*replica{}}
	t.Cleanup(rs.stopAll)
	return rs
}

// start starts the replica of a slot (replacing a dead one).
func (rs *replicas) start(slot int) {
	rs.t.Helper()
	rs.mu.Lock()
	defer rs.mu.Unlock()
	rs.started++
	log := filepath.Join(rs.dir, fmt.Sprintf("manager-%d-%02d.log", slot, rs.started))
	f, err := os.Create(log)
	if err != nil {
		rs.t.Fatal(err)
	}
	cmd := exec.Command(rs.bin, "--kubeconfig", rs.kubeconfig, "--leader-elect",
		"--leader-elect-lease-duration", leaseDuration.String(), "--leader-elect-renew-deadline", renewDeadline.String(),
		"--leader-elect-retry-period", retryPeriod.String(),
		"--metrics-bind-address", "0", "--health-probe-bind-address", "127.0.0.1:0", "--connection-refresh-interval", "5s")
	cmd.Env = append(os.Environ(), "POD_NAMESPACE="+rs.namespace)
	cmd.Stdout, cmd.Stderr = f, f
	if err := cmd.Start(); err != nil {
		rs.t.Fatal(err)
	}
	testenv.RecordPID(cmd.Process.Pid)
	r := &replica{cmd: cmd, log: log, done: make(chan struct{})}
	go func() { _ = cmd.Wait(); _ = f.Close(); close(r.done) }()
	rs.running[slot] = r
}

// leader waits up to timeout for a running replica to say it leads, and returns its slot.
func (rs *replicas) leader(timeout time.Duration) (int, bool) {
	deadline := time.Now().Add(timeout)
	for {
		rs.mu.Lock()
		for slot, r := range rs.running {
			if r.alive() && r.acquired() {
				rs.mu.Unlock()
				return slot, true
			}
		}
		rs.mu.Unlock()
		if time.Now().After(deadline) {
			return 0, false
		}
		time.Sleep(50 * time.Millisecond) // polling a log file; the wait is bounded by timeout
	}
}

// kill SIGKILLs the replica of a slot and waits until it is gone.
func (rs *replicas) kill(slot int) {
	rs.mu.Lock()
	r := rs.running[slot]
	delete(rs.running, slot)
	rs.mu.Unlock()
	if r == nil {
		return
	}
	_ = r.cmd.Process.Signal(syscall.SIGKILL)
	<-r.done
}

// stopAll stops the running replicas (SIGTERM, then SIGKILL after 20s); on a failure it prints
// the end of every log.
func (rs *replicas) stopAll() {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	for slot, r := range rs.running {
		if err := localenv.Terminate(r.cmd.Process, r.done, 20*time.Second); err != nil {
			rs.t.Errorf("manager: %v", err)
		}
		delete(rs.running, slot)
	}
	if rs.t.Failed() {
		logs, _ := filepath.Glob(filepath.Join(rs.dir, "manager-*.log"))
		for _, l := range logs {
			b, _ := os.ReadFile(l)
			lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
			rs.t.Logf("%s (end):\n%s", filepath.Base(l), strings.Join(lines[max(0, len(lines)-15):], "\n"))
		}
	}
}
