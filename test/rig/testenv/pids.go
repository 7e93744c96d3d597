package testenv

import (
	"fmt"
	"os"
	"path/filepath"

	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	"github.com/cqlsync/cqlsync/test/rig/localenv"
)

// Start starts the environment, records the processes it started (kube-apiserver, etcd) with
// RecordPID, and installs the admission policies of config/admission next to the CRDs. A test
// binary that dies before env.Stop (a panic, a -timeout) would otherwise leave them running;
// hack/test.sh stops every recorded process by PID when the tests end.
func Start(env *envtest.Environment) (*rest.Config, error) {
	before := localenv.ChildPIDs()
	cfg, err := env.Start()
	for pid := range localenv.ChildPIDs() {
		if !before[pid] {
			RecordPID(pid)
		}
	}
	if err != nil {
		return cfg, err
	}
	return cfg, localenv.InstallAdmission(cfg, RepoRoot())
}

// RecordPID notes a process started by a test in $CQLSYNC_PID_DIR (one "pid starttime" line per
// process; the start time guards against a reused PID). Without the variable it does nothing.
func RecordPID(pid int) {
	dir := os.Getenv("CQLSYNC_PID_DIR")
	if dir == "" {
		return
	}
	start, ok := localenv.StartTime(pid)
	if !ok {
		return
	}
	_ = os.MkdirAll(dir, 0o755)
	f, err := os.OpenFile(filepath.Join(dir, fmt.Sprintf("%d.pids", os.Getpid())), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return
	}
	defer f.Close()
	fmt.Fprintf(f, "%d %s\n", pid, start)
}
