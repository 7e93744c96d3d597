// Command localenv is `make run` without a configured cluster: it starts a real kube-apiserver and
// etcd on loopback (envtest, with the binaries of hack/control-plane.sh), installs the cqlsync CRDs,
// starts the local Cassandra clusters, writes a kubeconfig for kubectl, and runs the operator in
// this process until interrupted. Everything it started is stopped on the way out.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"k8s.io/apimachinery/pkg/runtime"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
	"github.com/cqlsync/cqlsync/controllers"
	"github.com/cqlsync/cqlsync/internal/cql/registry"
	"github.com/cqlsync/cqlsync/internal/testenv"
)

func main() {
	clusters := flag.String("cassandra", "cluster1,cluster2", "local Cassandra clusters to start (hack/cassandra.sh names); empty for none")
	opts := zap.Options{Development: true}
	opts.BindFlags(flag.CommandLine)
	flag.Parse()
	ctrl.SetLogger(zap.New(zap.UseFlagOptions(&opts)))
	if err := run(*clusters); err != nil {
		fmt.Fprintln(os.Stderr, "localenv:", err)
		os.Exit(1)
	}
}

func run(clusters string) error {
	root, err := os.Getwd()
	if err != nil {
		return err
	}
	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer cancel()

	// Cassandra first: it takes longest. Only the nodes not already running are ours to stop.
	var names []string
	if clusters != "" {
		names = strings.Split(clusters, ",")
	}
	script := filepath.Join(root, "hack", "cassandra.sh")
	var ours []string
	for _, n := range names {
		out, _ := exec.Command("bash", script, "status").Output()
		if !runningLine(string(out), n) {
			ours = append(ours, n)
		}
	}
	defer func() {
		if len(ours) > 0 {
			fmt.Println("localenv: stopping Cassandra", ours)
			cmd := exec.Command("bash", append([]string{script, "stop"}, ours...)...)
			cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
			_ = cmd.Run()
		}
	}()
	if len(names) > 0 {
		fmt.Println("localenv: starting Cassandra", names, "(the first start downloads Cassandra with Maven)")
		cmd := exec.CommandContext(ctx, "bash", append([]string{script, "start"}, names...)...)
		cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("starting Cassandra: %w", err)
		}
	}

	env := &envtest.Environment{
		CRDDirectoryPaths:     []string{filepath.Join(root, "config", "crd", "bases")},
		ErrorIfCRDPathMissing: true,
		BinaryAssetsDirectory: os.Getenv("KUBEBUILDER_ASSETS"),
	}
	cfg, err := env.Start()
	if err != nil {
		return fmt.Errorf("starting the control plane: %w", err)
	}
	defer func() {
		fmt.Println("localenv: stopping the control plane")
		_ = env.Stop()
	}()
	// The admission policies of config/admission, as `make install` applies them.
	if err := testenv.InstallAdmission(cfg); err != nil {
		return fmt.Errorf("installing the admission policies: %w", err)
	}
	user, err := env.ControlPlane.AddUser(envtest.User{Name: "cqlsync-admin", Groups: []string{"system:masters"}}, nil)
	if err != nil {
		return err
	}
	kubeconfig, err := user.KubeConfig()
	if err != nil {
		return err
	}
	dir := filepath.Join(root, "bin", "local")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	path := filepath.Join(dir, "kubeconfig")
	if err := os.WriteFile(path, kubeconfig, 0o600); err != nil {
		return err
	}
	kubectl := "kubectl"
	if _, err := exec.LookPath("kubectl"); err != nil {
		kubectl = filepath.Join(os.Getenv("KUBEBUILDER_ASSETS"), "kubectl")
	}

	scheme := runtime.NewScheme()
	utilruntime.Must(clientgoscheme.AddToScheme(scheme))
	utilruntime.Must(cqlv1.AddToScheme(scheme))
	mgr, err := ctrl.NewManager(cfg, ctrl.Options{
		Scheme:                 scheme,
		Metrics:                metricsserver.Options{BindAddress: "127.0.0.1:8080"},
		HealthProbeBindAddress: "127.0.0.1:8081",
	})
	if err != nil {
		return err
	}
	reg := registry.New(ctrl.Log.WithName("registry"))
	defer reg.Close()
	if err := controllers.Setup(ctx, mgr, controllers.Options{Registry: reg, ConnectionRefreshInterval: 30 * time.Second, OperatorNamespace: "default"}); err != nil {
		return err
	}
	fmt.Printf(`
localenv: the control plane and Cassandra are up; the operator is starting.
In another terminal:

    export KUBECONFIG=%s
    %s apply -f config/samples/
    %s get cqlsync

Ctrl-C stops the operator, the control plane and the Cassandra nodes started here.

`, path, kubectl, kubectl)
	return mgr.Start(ctx)
}

// runningLine reports whether `hack/cassandra.sh status` says the node is running.
func runningLine(status, name string) bool {
	for _, l := range strings.Split(status, "\n") {
		f := strings.Fields(l)
		if len(f) >= 4 && f[0] == name && f[3] == "running" {
			return true
		}
	}
	return false
}
