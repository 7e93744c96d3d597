package localenv

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"k8s.io/client-go/kubernetes"
)

// RestartAPIServer stops kube-apiserver (SIGTERM) and starts it again with the same command line:
// the same port, certificates, ServiceAccount keys and etcd, so that every kubeconfig and token
// stays valid, as after a control-plane upgrade or a crash. It returns once the new one reports
// /readyz, with its PID; Stop stops it.
func (e *Env) RestartAPIServer(ctx context.Context, started func(pid int)) (int, error) {
	begin := time.Now()
	pid, args, err := e.apiServerProcess()
	if err != nil {
		return 0, err
	}
	if err := syscall.Kill(pid, syscall.SIGTERM); err != nil {
		return 0, fmt.Errorf("stopping kube-apiserver (pid %d): %w", pid, err)
	}
	// A graceful stop drains requests; past 15s it is killed, as a kubelet would.
	kill := time.After(15 * time.Second)
	for !gone(pid) {
		select {
		case <-ctx.Done():
			return 0, fmt.Errorf("kube-apiserver (pid %d) did not stop: %w", pid, ctx.Err())
		case <-kill:
			_ = syscall.Kill(pid, syscall.SIGKILL)
		case <-time.After(50 * time.Millisecond):
		}
	}
	stopped := time.Now()
	log, err := os.OpenFile(filepath.Join(filepath.Dir(e.ControllerManagerLog), "kube-apiserver.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return 0, err
	}
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		_ = log.Close()
		return 0, fmt.Errorf("starting kube-apiserver again: %w", err)
	}
	if started != nil {
		started(cmd.Process.Pid)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); _ = log.Close(); close(done) }()
	e.restarted = append(e.restarted, restartedProcess{cmd: cmd, done: done})

	cs, err := kubernetes.NewForConfig(e.Admin)
	if err != nil {
		return 0, err
	}
	for {
		body, err := cs.Discovery().RESTClient().Get().AbsPath("/readyz").DoRaw(ctx)
		if err == nil && bytes.Equal(bytes.TrimSpace(body), []byte("ok")) {
			e.LastRestart = RestartTimes{Stop: stopped.Sub(begin), Ready: time.Since(stopped)}
			return cmd.Process.Pid, nil
		}
		select {
		case <-done:
			return 0, errors.New("kube-apiserver exited after its restart: see kube-apiserver.log")
		case <-ctx.Done():
			return 0, fmt.Errorf("kube-apiserver not ready after its restart: %w (last: %v)", ctx.Err(), err)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// RestartTimes are how long the last restart's phases took: the old server's stop, and the new
// one's start until /readyz.
type RestartTimes struct{ Stop, Ready time.Duration }

// apiServerProcess finds the running kube-apiserver among this process's children (envtest's
// first one, or the one of the last restart) and reads its command line.
func (e *Env) apiServerProcess() (int, []string, error) {
	for pid := range ChildPIDs() {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
		if err != nil || gone(pid) {
			continue
		}
		args := strings.Split(strings.TrimRight(string(b), "\x00"), "\x00")
		if len(args) > 0 && filepath.Base(args[0]) == "kube-apiserver" {
			return pid, args, nil
		}
	}
	return 0, nil, errors.New("no kube-apiserver is running")
}

// gone is true once pid has exited (a zombie counts: it is only waiting to be reaped).
func gone(pid int) bool {
	f := statFields(fmt.Sprintf("/proc/%d/stat", pid))
	return len(f) == 0 || f[0] == "Z" || f[0] == "X"
}

// restartedProcess is a process started by a restart, which envtest does not know about.
type restartedProcess struct {
	cmd  *exec.Cmd
	done chan struct{}
}

// stopRestarted stops the processes of restarts (before etcd, which they use).
func (e *Env) stopRestarted() []error {
	var errs []error
	for _, p := range e.restarted {
		if err := Terminate(p.cmd.Process, p.done, 15*time.Second); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", filepath.Base(p.cmd.Path), err))
		}
	}
	return errs
}
