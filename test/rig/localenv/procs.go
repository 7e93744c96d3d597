package localenv

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// ChildPIDs lists the PIDs whose parent is this process: envtest starts kube-apiserver and etcd
// without telling their PIDs, so a caller compares this list before and after.
func ChildPIDs() map[int]bool {
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

// StartTime is field 22 of /proc/<pid>/stat: with the PID, it names one process even after the PID
// is reused.
func StartTime(pid int) (string, bool) {
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

// Terminate stops a process that a goroutine waits for (done is closed when it has exited):
// SIGTERM, then SIGKILL after grace. It returns an error when the process had to be killed.
func Terminate(p *os.Process, done <-chan struct{}, grace time.Duration) error {
	select {
	case <-done:
		return nil
	default:
	}
	_ = p.Signal(syscall.SIGTERM)
	select {
	case <-done:
		return nil
	case <-time.After(grace):
		_ = p.Kill()
		<-done
		return fmt.Errorf("pid %d did not stop within %s of SIGTERM; killed", p.Pid, grace)
	}
}
