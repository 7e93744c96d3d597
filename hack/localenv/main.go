// Command localenv is the environment of `make run` without a configured cluster. It runs itself
// inside `hack/cassandra.sh with` (which starts the local Cassandra clusters that are not running
// yet, and stops those again when it is done), then starts the local Kubernetes environment
// (test/rig/localenv: kube-apiserver, etcd, kube-controller-manager, the CRDs, admission policies
// and the manager's RBAC), writes an admin kubeconfig for kubectl, and runs the command given after
// "--" (hack/run.sh gives bin/manager and its flags) with KUBECONFIG set to the manager's own
// ServiceAccount token and POD_NAMESPACE to its namespace, as the Deployment runs it.
//
// A signal (Ctrl-C) is passed on to the command; when the command exits, everything started here
// is stopped, by PID, in reverse order: the control plane, then (hack/cassandra.sh with) the
// Cassandra nodes started for it.
//
// Usage: localenv [-cassandra cluster1,cluster2] -- command [args...]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/cqlsync/cqlsync/test/rig/localenv"
)

func main() {
	clusters := flag.String("cassandra", "cluster1,cluster2", "local Cassandra clusters to start (hack/cassandra.sh names); empty for none")
	flag.Usage = func() {
		fmt.Fprintln(flag.CommandLine.Output(), "usage: localenv [flags] -- command [args...]")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() == 0 {
		flag.Usage()
		os.Exit(2)
	}
	if *clusters != "" {
		// Only returns on an error.
		err := execWithCassandra(*clusters, flag.Args())
		fmt.Fprintln(os.Stderr, "localenv:", err)
		os.Exit(1)
	}
	code, err := run(flag.Args())
	if err != nil {
		fmt.Fprintln(os.Stderr, "localenv:", err)
		if code == 0 {
			code = 1
		}
	}
	os.Exit(code)
}

// execWithCassandra replaces this process with `hack/cassandra.sh with CLUSTERS -- localenv
// -cassandra= -- COMMAND`: the script starts the clusters that are not running and waits until each
// answers CQL, runs this program again without clusters to start, passes Ctrl-C on to it, and stops
// the clusters it started (by PID) once it has exited, after the control plane.
func execWithCassandra(clusters string, command []string) error {
	root, err := os.Getwd()
	if err != nil {
		return err
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	bash, err := exec.LookPath("bash")
	if err != nil {
		return err
	}
	args := []string{"bash", filepath.Join(root, "hack", "cassandra.sh"), "with"}
	args = append(args, strings.Split(clusters, ",")...)
	args = append(args, "--", self, "-cassandra=", "--")
	args = append(args, command...)
	fmt.Println("localenv: Cassandra", clusters, "(started when not running; the first start downloads Cassandra with Maven)")
	return syscall.Exec(bash, args, os.Environ())
}

func run(command []string) (int, error) {
	root, err := os.Getwd()
	if err != nil {
		return 1, err
	}
	signals := make(chan os.Signal, 2)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		select {
		case <-signals:
			cancel()
		case <-ctx.Done():
		}
	}()

	binDir := os.Getenv("KUBEBUILDER_ASSETS")
	if binDir == "" {
		return 1, errors.New("KUBEBUILDER_ASSETS is unset: run through `make run` (hack/run.sh)")
	}
	fmt.Println("localenv: starting kube-apiserver, etcd and kube-controller-manager")
	env, err := localenv.Start(ctx, localenv.Options{
		Root:   root,
		BinDir: binDir,
		Dir:    filepath.Join(root, "bin", "local"),
		// The manager's token lasts as long as a working day's `make run`; restart it after that.
		TokenTTL: 24 * time.Hour,
	})
	if err != nil {
		return 1, err
	}
	defer func() {
		fmt.Println("localenv: stopping kube-controller-manager, kube-apiserver and etcd")
		if err := env.Stop(); err != nil {
			fmt.Fprintln(os.Stderr, "localenv:", err)
		}
	}()
	if ctx.Err() != nil {
		return 1, ctx.Err()
	}

	kubectl := "kubectl"
	if _, err := exec.LookPath("kubectl"); err != nil {
		kubectl = filepath.Join(binDir, "kubectl")
	}
	fmt.Printf(`
localenv: Kubernetes and Cassandra are up. Running %s
as ServiceAccount %s (RBAC of config/rbac), kubeconfig %s.
In another terminal:

    export KUBECONFIG=%s
    %s apply -f config/samples/
    %s get cqlsync

Ctrl-C stops the manager, the control plane and the Cassandra nodes started here.

`, strings.Join(command, " "), env.ServiceAccount, env.ManagerKubeconfig, env.AdminKubeconfig, kubectl, kubectl)
	return runCommand(command, signals, env)
}

// runCommand runs the command in the environment until it exits, and returns its exit code. The
// command has its own process group, so that a Ctrl-C reaches it once, through us: the manager
// treats a second signal as "exit now".
func runCommand(command []string, signals chan os.Signal, env *localenv.Env) (int, error) {
	cmd := exec.Command(command[0], command[1:]...)
	cmd.Env = append(os.Environ(), "KUBECONFIG="+env.ManagerKubeconfig, "POD_NAMESPACE="+env.ServiceAccount.Namespace)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	// Signals from here on are the command's; the goroutine of run has consumed at most one, before.
	signal.Stop(signals)
	forward := make(chan os.Signal, 2)
	signal.Notify(forward, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(forward)
	if err := cmd.Start(); err != nil {
		return 1, err
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	for {
		select {
		case s := <-forward:
			_ = cmd.Process.Signal(s)
		case err := <-done:
			var exit *exec.ExitError
			if errors.As(err, &exit) {
				return exit.ExitCode(), nil
			}
			return 0, err
		}
	}
}
