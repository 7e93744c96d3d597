package packaging

import (
	"strings"
	"testing"
)

// TestServerDryRun sends what the chart renders (default and non-default values) and what
// `kubectl kustomize config/default` builds to a real API server with `kubectl apply
// --server-side --dry-run=server`: every object must pass the server's schema, strict field
// validation and admission, which helm lint and kustomize do not check.
func TestServerDryRun(t *testing.T) {
	c := newCluster(t)
	// A dry run creates nothing, so the namespaced objects need their namespace to exist. The
	// chart's ServiceMonitor needs the Prometheus Operator's CRD: a stand-in is installed (see
	// the fixture).
	c.kubectl(t, nil, "create", "namespace", releaseNamespace)
	c.kubectl(t, nil, "apply", "--server-side", "-f", "test/packaging/testdata/servicemonitor-crd.yaml")
	c.kubectl(t, nil, "wait", "--for=condition=Established", "--timeout=60s", "crd/servicemonitors.monitoring.coreos.com")

	for name, stream := range map[string]string{
		"chart with default values": helm(t, "template", "cqlsync", "dist/chart", "--namespace", releaseNamespace, "--include-crds"),
		"chart with values-custom":  helm(t, "template", "cqlsync", "dist/chart", "--namespace", releaseNamespace, "--include-crds", "-f", "test/packaging/testdata/values-custom.yaml"),
		"config/default":            c.kubectl(t, nil, "kustomize", "config/default"),
	} {
		t.Run(name, func(t *testing.T) {
			objs := decode(t, []byte(stream))
			out := c.kubectl(t, []byte(stream), "apply", "--server-side", "--dry-run=server", "-f", "-")
			applied := strings.Count(out, "serverside-applied (server dry run)")
			if applied != len(objs) || applied == 0 {
				t.Errorf("%d of %d objects applied:\n%s", applied, len(objs), out)
			}
		})
	}
}
