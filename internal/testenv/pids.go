package testenv

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
)

// Start starts the environment, records the processes it started (kube-apiserver, etcd) with
// RecordPID, and installs the admission policies of config/admission next to the CRDs. A test
// binary that dies before env.Stop (a panic, a -timeout) would otherwise leave them running;
// hack/test.sh stops every recorded process by PID when the tests end.
func Start(env *envtest.Environment) (*rest.Config, error) {
	before := children()
	cfg, err := env.Start()
	for pid := range children() {
		if !before[pid] {
			RecordPID(pid)
		}
	}
	if err != nil {
		return cfg, err
	}
	return cfg, InstallAdmission(cfg)
}

// RecordPID notes a process started by a test in $CQLSYNC_PID_DIR (one "pid starttime" line per
// process; the start time guards against a reused PID). Without the variable it does nothing.
func RecordPID(pid int) {
	dir := os.Getenv("CQLSYNC_PID_DIR")
	if dir == "" {
		return
	}
	start, ok := startTime(pid)
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

// children lists the PIDs whose parent is this process.
func children() map[int]bool {
	out := map[int]bool{}
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	self := os.Getpid()
	for _, p := range stats {
		fields := statFields(p)
		if len(fields) > 1 {
			if ppid, err := strconv.Atoi(fields[1]); err == nil && ppid == self {
				if pid, err := strconv.Atoi(filepath.Base(filepath.Dir(p))); err == nil {
					out[pid] = true
				}
			}
		}
	}
	return out
}

// startTime is field 22 of /proc/<pid>/stat.
func startTime(pid int) (string, bool) {
	fields := statFields(fmt.Sprintf("/proc/%d/stat", pid))
	if len(fields) < 20 {
		return "", false
	}
	return fields[19], true
}

// statFields returns the fields of a stat file after the command name, starting with the state.
func statFields(path string) []string {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return nil
	}
	return strings.Fields(s[i+1:])
}
