// Package localenv is the local Kubernetes environment of `make run` and of the e2e tests: a real
// kube-apiserver and etcd (envtest, with the binaries hack/control-plane.sh builds), a real
// kube-controller-manager (so that namespaces are deleted and garbage is collected, as on a
// cluster), the cqlsync CRDs and admission policies, and the identity `make deploy` gives the
// manager. It does not run the manager: callers run bin/manager against it, with the kubeconfig
// of that identity. Every process listens on loopback only, and Stop stops each one it started.
//
// It is part of the test rig (test/rig), used by hack/localenv and by the tests through
// test/rig/testenv; the product (cmd, controllers, internal) never imports it.
package localenv

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"

	authenticationv1 "k8s.io/api/authentication/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
)

// Binaries are what hack/control-plane.sh builds into one directory.
var Binaries = []string{"kube-apiserver", "etcd", "kube-controller-manager", "kubectl"}

// kcmControllers are the kube-controller-manager controllers the environment runs: deleting a
// namespace deletes what is in it, ownerReferences are garbage-collected, and every namespace gets
// its default ServiceAccount (with a token Secret on request), as on a cluster. The others
// (workloads, nodes, volumes...) have nothing to act on without a kubelet.
var kcmControllers = "namespace-controller,garbage-collector-controller,serviceaccount-controller,serviceaccount-token-controller"

// Options say where the environment finds its parts and keeps its files.
type Options struct {
	// Root is the repository: config/crd/bases, config/admission and config/default are read there.
	Root string
	// BinDir holds Binaries (hack/control-plane.sh prints it).
	BinDir string
	// Dir receives the kubeconfigs and kube-controller-manager's log; it is created.
	Dir string
	// Started, when set, is called with the PID of every process started (kube-apiserver, etcd,
	// kube-controller-manager), as soon as it runs: tests record them to stop them whatever happens.
	Started func(pid int)
	// TokenTTL is how long the manager's token is valid; default one hour.
	TokenTTL time.Duration
}

// Env is a running environment.
type Env struct {
	// Admin is a cluster-admin client configuration, for the caller's own requests.
	Admin *rest.Config
	// AdminKubeconfig is the path of a kubeconfig of the same admin user, for kubectl.
	AdminKubeconfig string
	// ManagerKubeconfig is the path of a kubeconfig that holds only a TokenRequest token of the
	// manager's ServiceAccount: bin/manager run with it may do what config/rbac allows, nothing more.
	ManagerKubeconfig string
	// ServiceAccount is the manager's ServiceAccount; its namespace is the operator's namespace
	// (the Deployment's POD_NAMESPACE, where the leader-election Lease is).
	ServiceAccount types.NamespacedName
	// ControllerManagerLog is the path of kube-controller-manager's output.
	ControllerManagerLog string
	// LastRestart says how long the last RestartAPIServer took.
	LastRestart RestartTimes

	env     *envtest.Environment
	kcm     *exec.Cmd
	kcmDone chan struct{}
	// restarted are the processes RestartAPIServer started.
	restarted []restartedProcess
}

// NewEnvironment returns an envtest environment with the cqlsync CRDs of root, using the binaries
// of binDir. It fails clearly when they are missing.
func NewEnvironment(root, binDir string, binaries ...string) (*envtest.Environment, error) {
	for _, b := range binaries {
		if _, err := os.Stat(filepath.Join(binDir, b)); err != nil {
			return nil, fmt.Errorf("%s not found in %s: run `make control-plane` (or `make test`)", b, binDir)
		}
	}
	env := &envtest.Environment{
		CRDDirectoryPaths:     []string{filepath.Join(root, "config", "crd", "bases")},
		ErrorIfCRDPathMissing: true,
		BinaryAssetsDirectory: binDir,
	}
	// A throwaway etcd need not fsync: on one small machine its fsyncs compete with Cassandra's
	// for the disk, and slow down the DDL that tests and benchmarks time.
	env.ControlPlane.Etcd = &envtest.Etcd{}
	env.ControlPlane.Etcd.Configure().Set("unsafe-no-fsync", "true")
	return env, nil
}

// Start starts etcd and kube-apiserver with the CRDs and admission policies installed, then
// kube-controller-manager, creates the manager's identity from config/default, and returns once
// the controller manager is working and the kubeconfigs are written. On an error, whatever was
// started is stopped again.
func Start(ctx context.Context, o Options) (_ *Env, err error) {
	if o.TokenTTL == 0 {
		o.TokenTTL = time.Hour
	}
	if o.Started == nil {
		o.Started = func(int) {}
	}
	if err := os.MkdirAll(o.Dir, 0o755); err != nil {
		return nil, err
	}
	env, err := NewEnvironment(o.Root, o.BinDir, Binaries...)
	if err != nil {
		return nil, err
	}
	e := &Env{env: env, ControllerManagerLog: filepath.Join(o.Dir, "kube-controller-manager.log")}
	before := ChildPIDs()
	e.Admin, err = env.Start()
	for pid := range ChildPIDs() {
		if !before[pid] {
			o.Started(pid)
		}
	}
	if err != nil {
		_ = env.Stop()
		return nil, fmt.Errorf("starting kube-apiserver and etcd: %w", err)
	}
	defer func() {
		if err != nil {
			_ = e.Stop()
		}
	}()
	if err := InstallAdmission(e.Admin, o.Root); err != nil {
		return nil, fmt.Errorf("installing the admission policies: %w", err)
	}
	e.AdminKubeconfig = filepath.Join(o.Dir, "kubeconfig")
	if err := e.writeUserKubeconfig(envtest.User{Name: "cqlsync-admin", Groups: []string{"system:masters"}}, e.AdminKubeconfig); err != nil {
		return nil, err
	}
	// The controllers start after the CRDs exist, so that the garbage collector and the namespace
	// controller see the cqlsync kinds from the beginning.
	if err := e.startControllerManager(o); err != nil {
		return nil, err
	}
	if e.ServiceAccount, err = installIdentity(ctx, e.Admin, filepath.Join(o.BinDir, "kubectl"), o.Root); err != nil {
		return nil, fmt.Errorf("installing the manager's RBAC: %w", err)
	}
	if err := e.waitControllerManager(ctx); err != nil {
		return nil, err
	}
	e.ManagerKubeconfig = filepath.Join(o.Dir, "manager.kubeconfig")
	if err := e.writeTokenKubeconfig(ctx, o.TokenTTL); err != nil {
		return nil, fmt.Errorf("a token for %s: %w", e.ServiceAccount, err)
	}
	return e, nil
}

// Stop stops kube-controller-manager, then kube-apiserver and etcd.
func (e *Env) Stop() error {
	var errs []error
	if e.kcm != nil {
		if err := Terminate(e.kcm.Process, e.kcmDone, 15*time.Second); err != nil {
			errs = append(errs, fmt.Errorf("kube-controller-manager: %w", err))
		}
	}
	errs = append(errs, e.stopRestarted()...)
	if err := e.env.Stop(); err != nil {
		errs = append(errs, fmt.Errorf("stopping kube-apiserver and etcd: %w", err))
	}
	return errors.Join(errs...)
}

// writeUserKubeconfig writes a kubeconfig of a client-certificate user of the API server.
func (e *Env) writeUserKubeconfig(u envtest.User, path string) error {
	user, err := e.env.ControlPlane.AddUser(u, nil)
	if err != nil {
		return err
	}
	data, err := user.KubeConfig()
	if err != nil {
		return err
	}
	return os.WriteFile(path, data, 0o600)
}

// startControllerManager starts kube-controller-manager as kubeadm runs it: as the user
// system:kube-controller-manager (the bootstrap RBAC binds its role), each controller with the
// credentials of its own ServiceAccount in kube-system, and with the API server's
// ServiceAccount signing key and CA. --secure-port=0: it serves nothing, so it listens nowhere.
func (e *Env) startControllerManager(o Options) error {
	dir := filepath.Dir(e.ControllerManagerLog)
	kubeconfig := filepath.Join(dir, "kube-controller-manager.kubeconfig")
	if err := e.writeUserKubeconfig(envtest.User{Name: "system:kube-controller-manager"}, kubeconfig); err != nil {
		return err
	}
	ca := filepath.Join(dir, "ca.crt")
	if err := os.WriteFile(ca, e.env.ControlPlane.APIServer.SecureServing.CA, 0o644); err != nil {
		return err
	}
	log, err := os.Create(e.ControllerManagerLog)
	if err != nil {
		return err
	}
	defer log.Close() // the child has its own descriptor
	e.kcm = exec.Command(filepath.Join(o.BinDir, "kube-controller-manager"),
		"--kubeconfig="+kubeconfig,
		"--secure-port=0",
		"--leader-elect=false",
		"--controllers="+kcmControllers,
		"--use-service-account-credentials=true",
		"--service-account-private-key-file="+filepath.Join(e.env.ControlPlane.APIServer.CertDir, "sa-signer.key"),
		"--root-ca-file="+ca,
	)
	e.kcm.Stdout, e.kcm.Stderr = log, log
	// Its own process group, as envtest does for its processes: a Ctrl-C in the terminal reaches
	// the caller, which stops the environment in order.
	e.kcm.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := e.kcm.Start(); err != nil {
		e.kcm = nil
		return fmt.Errorf("starting kube-controller-manager: %w", err)
	}
	o.Started(e.kcm.Process.Pid)
	e.kcmDone = make(chan struct{})
	go func() {
		_ = e.kcm.Wait()
		close(e.kcmDone)
	}()
	return nil
}

// waitControllerManager waits until the controllers work: the ServiceAccount controller has
// given the namespace "default" its ServiceAccount. It fails at once, with the end of the log,
// when kube-controller-manager exits.
func (e *Env) waitControllerManager(ctx context.Context) error {
	cs, err := kubernetes.NewForConfig(e.Admin)
	if err != nil {
		return err
	}
	err = wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, 2*time.Minute, true, func(ctx context.Context) (bool, error) {
		select {
		case <-e.kcmDone:
			return false, errors.New("kube-controller-manager exited")
		default:
		}
		_, err := cs.CoreV1().ServiceAccounts(metav1.NamespaceDefault).Get(ctx, "default", metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			return false, nil
		}
		return err == nil, err
	})
	if err != nil {
		return fmt.Errorf("waiting for kube-controller-manager: %w\n%s", err, e.controllerManagerLogTail())
	}
	return nil
}

// controllerManagerLogTail is the end of kube-controller-manager's log, for error messages.
func (e *Env) controllerManagerLogTail() string {
	b, _ := os.ReadFile(e.ControllerManagerLog)
	if len(b) > 4000 {
		b = b[len(b)-4000:]
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			b = b[i+1:]
		}
	}
	return "--- end of " + e.ControllerManagerLog + "\n" + string(b)
}

// writeTokenKubeconfig asks the TokenRequest API for a token of the manager's ServiceAccount and
// writes a kubeconfig that holds only that token.
func (e *Env) writeTokenKubeconfig(ctx context.Context, ttl time.Duration) error {
	cs, err := kubernetes.NewForConfig(e.Admin)
	if err != nil {
		return err
	}
	seconds := int64(ttl / time.Second)
	tr, err := cs.CoreV1().ServiceAccounts(e.ServiceAccount.Namespace).CreateToken(ctx, e.ServiceAccount.Name,
		&authenticationv1.TokenRequest{Spec: authenticationv1.TokenRequestSpec{ExpirationSeconds: &seconds}}, metav1.CreateOptions{})
	if err != nil {
		return err
	}
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters["local"] = &clientcmdapi.Cluster{Server: e.Admin.Host, CertificateAuthorityData: e.Admin.CAData}
	cfg.AuthInfos[e.ServiceAccount.Name] = &clientcmdapi.AuthInfo{Token: tr.Status.Token}
	cfg.Contexts["local"] = &clientcmdapi.Context{Cluster: "local", AuthInfo: e.ServiceAccount.Name, Namespace: e.ServiceAccount.Namespace}
	cfg.CurrentContext = "local"
	return clientcmd.WriteToFile(*cfg, e.ManagerKubeconfig)
}
