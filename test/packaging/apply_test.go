package packaging

import (
	"context"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// TestServerDryRun sends what the chart renders (default and non-default values) and what
// `kubectl kustomize config/default` builds to a real API server with `kubectl apply
// --server-side --dry-run=server`: every object must pass the server's schema, strict field
// validation and admission, which helm lint and kustomize do not check.
func TestServerDryRun(t *testing.T) {
	// A dry run creates nothing, so the namespaced objects need their namespace to exist. The
	// chart's ServiceMonitor needs the Prometheus Operator's CRD: a stand-in is installed (see
	// the fixture).
	ensureNamespace(t, releaseNamespace)
	kubectl(t, nil, "apply", "--server-side", "-f", "test/packaging/testdata/servicemonitor-crd.yaml")
	kubectl(t, nil, "wait", "--for=condition=Established", "--timeout=60s", "crd/servicemonitors.monitoring.coreos.com")

	for name, stream := range map[string]string{
		"chart with default values": helm(t, "template", "cqlsync", "dist/chart", "--namespace", releaseNamespace, "--include-crds"),
		"chart with values-custom":  helm(t, "template", "cqlsync", "dist/chart", "--namespace", releaseNamespace, "--include-crds", "-f", "test/packaging/testdata/values-custom.yaml"),
		"config/default":            kubectl(t, nil, "kustomize", "config/default"),
	} {
		t.Run(name, func(t *testing.T) {
			objs := decode(t, []byte(stream))
			out := kubectl(t, []byte(stream), "apply", "--server-side", "--dry-run=server", "-f", "-")
			applied := strings.Count(out, "serverside-applied (server dry run)")
			if applied != len(objs) || applied == 0 {
				t.Errorf("%d of %d objects applied:\n%s", applied, len(objs), out)
			}
		})
	}
}

// ensureNamespace creates a namespace unless it exists.
func ensureNamespace(t *testing.T, name string) {
	t.Helper()
	cs := clientset(t)
	_, err := cs.CoreV1().Namespaces().Create(context.Background(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}, metav1.CreateOptions{})
	if err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatal(err)
	}
}

// clientset is a client of the package's API server.
func clientset(t *testing.T) *kubernetes.Clientset {
	t.Helper()
	cfg, _ := apiServer(t)
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return cs
}
