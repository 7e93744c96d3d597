package testenv

import (
	"io"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/cqlsync/cqlsync/test/rig/localenv"
)

// managerGrace is how long a manager started by a test gets to stop after SIGTERM.
const managerGrace = 20 * time.Second

// ManagerOptions say how to start the manager binary for a test.
type ManagerOptions struct {
	// Args are the manager's flags.
	Args []string
	// Namespace is POD_NAMESPACE, as the Deployment sets it: the operator's namespace, where the
	// leader-election Lease is.
	Namespace string
	// Output receives the manager's stdout and stderr.
	Output io.Writer
	// Stopped, when set, runs once the manager has stopped at the end of the test (to check or
	// print its logs).
	Stopped func()
}

// StartManager starts the manager binary of the image (ManagerBinary), records its PID
// (RecordPID), and stops it when the test ends: SIGTERM, then SIGKILL after 20 s, which fails the
// test.
func StartManager(t testing.TB, o ManagerOptions) *os.Process {
	t.Helper()
	cmd := exec.Command(ManagerBinary(t), o.Args...)
	cmd.Env = append(os.Environ(), "POD_NAMESPACE="+o.Namespace)
	cmd.Stdout, cmd.Stderr = o.Output, o.Output
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	RecordPID(cmd.Process.Pid)
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		if err := localenv.Terminate(cmd.Process, done, managerGrace); err != nil {
			t.Errorf("manager: %v", err)
		}
		if o.Stopped != nil {
			o.Stopped()
		}
	})
	return cmd.Process
}
