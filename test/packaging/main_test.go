// Package packaging tests how cqlsync is installed: the Helm chart of dist/chart (helm lint, helm
// template, and what it renders), the kustomize configuration of config/, a server-side dry run of
// both against a real kube-apiserver, helm install/upgrade/uninstall, and `make install`, `make
// deploy`, `make undeploy` and `make uninstall`, each against a fresh API server. helm is built
// by hack/helm.sh, the control plane by hack/control-plane.sh (KUBEBUILDER_ASSETS). It needs no
// Cassandra.
package packaging

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/go-logr/logr"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"

	"github.com/cqlsync/cqlsync/test/rig/testenv"
)

func TestMain(m *testing.M) {
	ctrllog.SetLogger(logr.Discard()) // envtest logs through it; the tests report what matters
	code := m.Run()
	if tmp.dir != "" {
		_ = os.RemoveAll(tmp.dir)
	}
	os.Exit(code)
}

// tmp is a directory that lives as long as the test binary (built binaries).
var tmp struct {
	once sync.Once
	dir  string
	err  error
}

func testTempDir() (string, error) {
	tmp.once.Do(func() { tmp.dir, tmp.err = os.MkdirTemp("", "cqlsync-packaging-") })
	return tmp.dir, tmp.err
}

// cluster is a kube-apiserver and etcd of a test's own, on loopback, with no CRD installed.
type cluster struct {
	cfg        *rest.Config
	kubeconfig string
}

// newCluster starts a fresh API server, stopped (by PID, through envtest) when the test ends, pass
// or fail. Its processes are also recorded (testenv.RecordPID), so that hack/test.sh stops them
// if this test binary dies first. Each test that changes cluster-wide objects (CRDs) has its own:
// a kube-apiserver that deletes a CRD moments after it was created can take minutes to do so
// (its finalizer backs off while the new resource's storage initialises), and tests that share
// one would depend on each other's leftovers.
func newCluster(t *testing.T) *cluster {
	t.Helper()
	dir := testenv.BinDir()
	for _, b := range []string{"kube-apiserver", "etcd", "kubectl"} {
		if _, err := os.Stat(filepath.Join(dir, b)); err != nil {
			err = fmt.Errorf("%s not found in %s: run `make control-plane`", b, dir)
			if os.Getenv("CQLSYNC_REQUIRE_RIG") == "1" {
				t.Fatal(err)
			}
			t.Skip(err)
		}
	}
	env := &envtest.Environment{BinaryAssetsDirectory: dir}
	before := children()
	cfg, err := env.Start()
	for _, pid := range children() {
		if !slices.Contains(before, pid) {
			if n, err := strconv.Atoi(pid); err == nil {
				testenv.RecordPID(n)
			}
		}
	}
	t.Cleanup(func() {
		if err := env.Stop(); err != nil {
			t.Errorf("stopping the control plane: %v", err)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	user, err := env.AddUser(envtest.User{Name: "packaging-admin", Groups: []string{"system:masters"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	data, err := user.KubeConfig()
	if err != nil {
		t.Fatal(err)
	}
	kubeconfig := filepath.Join(t.TempDir(), "kubeconfig")
	if err := os.WriteFile(kubeconfig, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return &cluster{cfg: cfg, kubeconfig: kubeconfig}
}

// children lists the PIDs of this process's children (pgrep prints none and exits 1 when there
// are none).
func children() []string {
	out, _ := exec.Command("pgrep", "-P", strconv.Itoa(os.Getpid())).Output()
	return strings.Fields(string(out))
}

// run runs a command in the repository root with extra environment variables and stdin, and
// returns its standard output; it fails the test, with both outputs, when the command fails.
func run(t *testing.T, stdin []byte, env []string, name string, args ...string) string {
	t.Helper()
	out, err := tryRun(stdin, env, name, args...)
	if err != nil {
		t.Fatalf("%s %s: %v", name, strings.Join(args, " "), err)
	}
	return out
}

// tryRun is run that returns the error (with the command's standard error) instead of failing.
func tryRun(stdin []byte, env []string, name string, args ...string) (string, error) {
	cmd := exec.Command(name, args...)
	cmd.Dir = testenv.RepoRoot()
	cmd.Env = append(os.Environ(), env...)
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return stdout.String(), fmt.Errorf("%w\nstdout:\n%s\nstderr:\n%s", err, stdout.String(), stderr.String())
	}
	return stdout.String(), nil
}

// kubectl runs the control plane's kubectl against the cluster.
func (c *cluster) kubectl(t *testing.T, stdin []byte, args ...string) string {
	t.Helper()
	return run(t, stdin, c.env(), testenv.Kubectl(), args...)
}

// env is the environment of a command that talks to the cluster.
func (c *cluster) env() []string { return []string{"KUBECONFIG=" + c.kubeconfig} }

// client is a controller-runtime client of the cluster.
func (c *cluster) client(t *testing.T) client.Client {
	t.Helper()
	cl, err := client.New(c.cfg, client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return cl
}

var helmPath struct {
	once sync.Once
	path string
	err  error
}

// helm runs bin/helm, building it first if needed (hack/helm.sh; `make test` has built it).
func helm(t *testing.T, args ...string) string {
	t.Helper()
	helmPath.once.Do(func() {
		out, err := tryRun(nil, nil, filepath.Join(testenv.RepoRoot(), "hack", "helm.sh"))
		helmPath.path, helmPath.err = strings.TrimSpace(out), err
	})
	if helmPath.err != nil {
		t.Fatalf("building helm: %v", helmPath.err)
	}
	return run(t, nil, nil, helmPath.path, args...)
}

// decode reads a YAML stream into objects, skipping empty documents. Numbers become int64 where
// they are integers, as the API server reads them.
func decode(t *testing.T, stream []byte) []*unstructured.Unstructured {
	t.Helper()
	var objs []*unstructured.Unstructured
	r := yaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(stream)))
	for {
		doc, err := r.Read()
		if errors.Is(err, io.EOF) {
			return objs
		}
		if err != nil {
			t.Fatalf("reading YAML: %v", err)
		}
		js, err := yaml.ToJSON(doc)
		if err != nil {
			t.Fatalf("decoding YAML: %v\n%s", err, doc)
		}
		if string(js) == "null" {
			continue
		}
		u := &unstructured.Unstructured{}
		if err := u.UnmarshalJSON(js); err != nil {
			t.Fatalf("decoding an object: %v\n%s", err, doc)
		}
		objs = append(objs, u)
	}
}

// readObjects decodes a file of the repository.
func readObjects(t *testing.T, rel string) []*unstructured.Unstructured {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(testenv.RepoRoot(), rel))
	if err != nil {
		t.Fatal(err)
	}
	return decode(t, data)
}

// find returns the objects of a kind.
func find(objs []*unstructured.Unstructured, kind string) []*unstructured.Unstructured {
	var out []*unstructured.Unstructured
	for _, o := range objs {
		if o.GetKind() == kind {
			out = append(out, o)
		}
	}
	return out
}

// one returns the only object of a kind, failing the test when there are none or several.
func one(t *testing.T, objs []*unstructured.Unstructured, kind string) *unstructured.Unstructured {
	t.Helper()
	found := find(objs, kind)
	if len(found) != 1 {
		t.Fatalf("want one %s, found %d", kind, len(found))
	}
	return found[0]
}
