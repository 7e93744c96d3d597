// Package packaging tests how cqlsync is installed: the Helm chart of dist/chart (helm lint, helm
// template, and what it renders), the kustomize configuration of config/, a server-side dry run of
// both against a real kube-apiserver, and `make install`, `make deploy`, `make undeploy` and
// `make uninstall` against a fresh one. helm is built by hack/helm.sh, the control plane by
// hack/control-plane.sh (KUBEBUILDER_ASSETS). It needs no Cassandra.
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
	"strconv"
	"strings"
	"sync"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	"github.com/cqlsync/cqlsync/internal/testenv"
)

// server is the one kube-apiserver (and etcd) of the package, started on first use, with no CRD
// installed, and stopped by TestMain.
var server struct {
	once       sync.Once
	env        *envtest.Environment
	cfg        *rest.Config
	kubeconfig string
	err        error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if server.env != nil && server.cfg != nil {
		if err := server.env.Stop(); err != nil {
			fmt.Fprintln(os.Stderr, "stopping the control plane:", err)
			code = 1
		}
	}
	if tmp.dir != "" {
		_ = os.RemoveAll(tmp.dir)
	}
	os.Exit(code)
}

// tmp is a directory that lives as long as the test binary (the kubeconfig, built binaries).
var tmp struct {
	once sync.Once
	dir  string
	err  error
}

func testTempDir() (string, error) {
	tmp.once.Do(func() { tmp.dir, tmp.err = os.MkdirTemp("", "cqlsync-packaging-") })
	return tmp.dir, tmp.err
}

// apiServer returns the package's API server and an admin kubeconfig for it, starting it on first
// use. Its processes are recorded (testenv.RecordPID) so that hack/test.sh stops them by PID if
// this test binary dies before TestMain stops them.
func apiServer(t *testing.T) (*rest.Config, string) {
	t.Helper()
	server.once.Do(func() {
		dir := testenv.BinDir()
		for _, b := range []string{"kube-apiserver", "etcd", "kubectl"} {
			if _, err := os.Stat(filepath.Join(dir, b)); err != nil {
				server.err = fmt.Errorf("%s not found in %s: run `make control-plane`", b, dir)
				return
			}
		}
		server.env = &envtest.Environment{BinaryAssetsDirectory: dir}
		before := children()
		server.cfg, server.err = server.env.Start()
		for _, pid := range children() {
			if !strings.Contains(" "+strings.Join(before, " ")+" ", " "+pid+" ") {
				if n, err := strconv.Atoi(pid); err == nil {
					testenv.RecordPID(n)
				}
			}
		}
		if server.err != nil {
			return
		}
		server.kubeconfig, server.err = writeKubeconfig(server.env)
	})
	if server.err != nil {
		if os.Getenv("CQLSYNC_REQUIRE_RIG") == "1" {
			t.Fatal(server.err)
		}
		t.Skip(server.err)
	}
	return server.cfg, server.kubeconfig
}

// children lists the PIDs of this process's children (pgrep prints none and exits 1 when there
// are none).
func children() []string {
	out, _ := exec.Command("pgrep", "-P", strconv.Itoa(os.Getpid())).Output()
	return strings.Fields(string(out))
}

// writeKubeconfig writes a kubeconfig of a system:masters user of env into a directory of its own.
func writeKubeconfig(env *envtest.Environment) (string, error) {
	user, err := env.AddUser(envtest.User{Name: "packaging-admin", Groups: []string{"system:masters"}}, nil)
	if err != nil {
		return "", err
	}
	data, err := user.KubeConfig()
	if err != nil {
		return "", err
	}
	dir, err := testTempDir()
	if err != nil {
		return "", err
	}
	path := filepath.Join(dir, "kubeconfig")
	return path, os.WriteFile(path, data, 0o600)
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

// kubectl runs the control plane's kubectl against the package's API server.
func kubectl(t *testing.T, stdin []byte, args ...string) string {
	t.Helper()
	_, kubeconfig := apiServer(t)
	return run(t, stdin, []string{"KUBECONFIG=" + kubeconfig}, testenv.Kubectl(), args...)
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
