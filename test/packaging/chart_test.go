package packaging

import (
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/cqlsync/cqlsync/test/rig/testenv"
)

const releaseNamespace = "cqlsync-system"

// template renders the chart as `helm install cqlsync dist/chart -n cqlsync-system` would, with
// its CRDs, and with extra helm flags (-f, --set).
func template(t *testing.T, flags ...string) []*unstructured.Unstructured {
	t.Helper()
	args := append([]string{"template", "cqlsync", "dist/chart", "--namespace", releaseNamespace, "--include-crds"}, flags...)
	return decode(t, []byte(helm(t, args...)))
}

func TestChartLint(t *testing.T) {
	for _, values := range [][]string{nil, {"-f", "test/packaging/testdata/values-custom.yaml"}} {
		out := helm(t, append([]string{"lint", "--strict", "dist/chart"}, values...)...)
		if !strings.Contains(out, "1 chart(s) linted, 0 chart(s) failed") {
			t.Errorf("helm lint %v:\n%s", values, out)
		}
	}
}

// TestChartDefaults checks what the chart installs with its default values against config/: the
// generated CRDs and RBAC rules, the admission policies, and a Deployment equivalent to
// config/manager's.
func TestChartDefaults(t *testing.T) {
	objs := template(t)

	// The CRDs are config/crd/bases, one for each of the seven kinds.
	bases, err := filepath.Glob(filepath.Join(testenv.RepoRoot(), "config", "crd", "bases", "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	crds := find(objs, "CustomResourceDefinition")
	for _, f := range bases {
		want := readObjects(t, filepath.Join("config", "crd", "bases", filepath.Base(f)))[0]
		got := named(crds, want.GetName())
		if got == nil {
			t.Errorf("the chart lacks CRD %s", want.GetName())
			continue
		}
		if !reflect.DeepEqual(got.Object, want.Object) {
			t.Errorf("the chart's CRD %s differs from %s: run `make manifests`", want.GetName(), f)
		}
		kind, _, _ := unstructured.NestedString(got.Object, "spec", "names", "kind")
		kinds = append(kinds, kind)
	}
	slices.Sort(kinds)
	if want := []string{"Backfill", "CassandraConnection", "CassandraRole", "ClusterCassandraConnection", "Keyspace", "TableModel", "UserType"}; !slices.Equal(kinds, want) || len(crds) != len(want) {
		t.Errorf("CRD kinds %v (%d CRDs), want %v", kinds, len(crds), want)
	}

	// RBAC: the generated rules, bound to the manager's ServiceAccount.
	sameRules(t, one(t, objs, "ClusterRole"), "config/rbac/role.yaml")
	sameRules(t, one(t, objs, "Role"), "config/rbac/leader_election_role.yaml")
	sa := one(t, objs, "ServiceAccount")
	for _, binding := range append(find(objs, "ClusterRoleBinding"), find(objs, "RoleBinding")...) {
		subjects, _, _ := unstructured.NestedSlice(binding.Object, "subjects")
		if len(subjects) != 1 || subjects[0].(map[string]any)["name"] != sa.GetName() || subjects[0].(map[string]any)["namespace"] != releaseNamespace {
			t.Errorf("%s %s binds %v, want ServiceAccount %s/%s", binding.GetKind(), binding.GetName(), subjects, releaseNamespace, sa.GetName())
		}
	}

	// The admission policies of config/admission, as they are.
	for _, f := range []string{"connection-refs.yaml", "cluster-connection-permissions.yaml"} {
		for _, want := range readObjects(t, filepath.Join("config", "admission", f)) {
			got := named(find(objs, want.GetKind()), want.GetName())
			if got == nil || !reflect.DeepEqual(got.Object, want.Object) {
				t.Errorf("the chart's %s %s is not the one of config/admission/%s", want.GetKind(), want.GetName(), f)
			}
		}
	}

	// The Deployment runs what config/manager runs. The Backfill workers' service account is each
	// install's own: config/manager's cqlsync-manager, the chart's ServiceAccount.
	dep := one(t, objs, "Deployment")
	kustomized := readObjects(t, "config/manager/manager.yaml")
	wantDep := one(t, kustomized, "Deployment")
	c, want := container(t, dep), container(t, wantDep)
	chartSA := one(t, objs, "ServiceAccount").GetName()
	for _, a := range stringSlice(want["args"]) {
		if strings.HasPrefix(a, "--backfill-service-account=") {
			a = "--backfill-service-account=" + chartSA
		}
		if strings.HasPrefix(a, "--backfill-image=") {
			a = "--backfill-image=cqlsync:0.1.0" // each install's own image, as the container's
		}
		if !slices.Contains(stringSlice(c["args"]), a) {
			t.Errorf("the chart's manager lacks %s, which config/manager passes: %v", a, c["args"])
		}
	}
	if !slices.Contains(stringSlice(want["args"]), "--backfill-service-account=cqlsync-manager") {
		t.Errorf("config/manager does not pass --backfill-service-account=cqlsync-manager: %v", want["args"])
	}
	for _, a := range []string{"--drift-interval=5m", "--connection-refresh-interval=1m",
		"--backfill-image=cqlsync:0.1.0", "--backfill-service-account=" + chartSA} {
		if !slices.Contains(stringSlice(c["args"]), a) {
			t.Errorf("args %v lack %s", c["args"], a)
		}
	}
	for _, field := range []string{"env", "ports", "livenessProbe", "readinessProbe", "resources", "securityContext"} {
		if !reflect.DeepEqual(c[field], want[field]) {
			t.Errorf("container %s: chart %v, config/manager %v", field, c[field], want[field])
		}
	}
	podSec, _, _ := unstructured.NestedMap(dep.Object, "spec", "template", "spec", "securityContext")
	wantSec, _, _ := unstructured.NestedMap(wantDep.Object, "spec", "template", "spec", "securityContext")
	if !reflect.DeepEqual(podSec, wantSec) {
		t.Errorf("pod securityContext: chart %v, config/manager %v", podSec, wantSec)
	}
	if c["image"] != "cqlsync:0.1.0" {
		t.Errorf("image %v, want cqlsync:<appVersion> (cqlsync:0.1.0)", c["image"])
	}
	if sa, _, _ := unstructured.NestedString(dep.Object, "spec", "template", "spec", "serviceAccountName"); sa != one(t, objs, "ServiceAccount").GetName() {
		t.Errorf("serviceAccountName %q is not the chart's ServiceAccount", sa)
	}
	managerAccepts(t, stringSlice(c["args"]))

	if svc := one(t, objs, "Service"); servicePort(svc) != 8080 {
		t.Errorf("metrics Service port %d, want 8080", servicePort(svc))
	}
	if sm := find(objs, "ServiceMonitor"); len(sm) != 0 {
		t.Errorf("a ServiceMonitor by default")
	}
	for _, o := range objs {
		switch o.GetKind() {
		case "CustomResourceDefinition", "ClusterRole", "ClusterRoleBinding", "ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding":
			if o.GetNamespace() != "" {
				t.Errorf("cluster-scoped %s %s has namespace %q", o.GetKind(), o.GetName(), o.GetNamespace())
			}
		default:
			if o.GetNamespace() != releaseNamespace {
				t.Errorf("%s %s is in namespace %q, want the release's", o.GetKind(), o.GetName(), o.GetNamespace())
			}
		}
	}
}

// TestChartValues renders non-default values and checks that each reaches the objects.
func TestChartValues(t *testing.T) {
	objs := template(t, "-f", "test/packaging/testdata/values-custom.yaml")
	dep := one(t, objs, "Deployment")
	if r, _, _ := unstructured.NestedInt64(dep.Object, "spec", "replicas"); r != 2 {
		t.Errorf("replicas %d, want 2", r)
	}
	c := container(t, dep)
	if c["image"] != "registry.example.com/cqlsync:v9.9.9" || c["imagePullPolicy"] != "Always" {
		t.Errorf("image %v (%v), want registry.example.com/cqlsync:v9.9.9 (Always)", c["image"], c["imagePullPolicy"])
	}
	args := stringSlice(c["args"])
	for _, a := range []string{"--leader-elect", "--metrics-bind-address=:9090", "--watch-namespaces=team-a,team-b",
		"--drift-interval=2m", "--operator-namespace=cassandra-platform", "--dry-run", "--zap-log-level=debug",
		"--backfill-image=registry.example.com/cqlsync:v9.9.9", "--backfill-service-account=cqlsync"} {
		if !slices.Contains(args, a) {
			t.Errorf("args %v lack %s", args, a)
		}
	}
	managerAccepts(t, args)
	if ports, _ := c["ports"].([]any); len(ports) == 0 || ports[0].(map[string]any)["containerPort"] != int64(9090) {
		t.Errorf("container ports %v, want metrics on 9090", c["ports"])
	}
	one(t, objs, "Role") // leader election

	svc := one(t, objs, "Service")
	if servicePort(svc) != 9090 {
		t.Errorf("metrics Service port %d, want 9090", servicePort(svc))
	}
	sm := one(t, objs, "ServiceMonitor")
	if sm.GetAPIVersion() != "monitoring.coreos.com/v1" || sm.GetLabels()["release"] != "prometheus" {
		t.Errorf("ServiceMonitor %s with labels %v", sm.GetAPIVersion(), sm.GetLabels())
	}
	endpoints, _, _ := unstructured.NestedSlice(sm.Object, "spec", "endpoints")
	if len(endpoints) != 1 || endpoints[0].(map[string]any)["port"] != "metrics" {
		t.Errorf("ServiceMonitor endpoints %v, want the Service's port metrics", endpoints)
	}
	selector, _, _ := unstructured.NestedStringMap(sm.Object, "spec", "selector", "matchLabels")
	for k, v := range selector {
		if svc.GetLabels()[k] != v {
			t.Errorf("the ServiceMonitor selects %s=%s; the metrics Service has %v", k, v, svc.GetLabels())
		}
	}
	if len(selector) == 0 {
		t.Error("the ServiceMonitor selects every Service")
	}
	if vap := find(objs, "ValidatingAdmissionPolicy"); len(vap) != 0 {
		t.Errorf("admissionPolicies.enabled=false still renders %d policies", len(vap))
	}
}

// TestChartToggles renders single values that remove objects or flags.
func TestChartToggles(t *testing.T) {
	objs := template(t, "--set", "leaderElection.enabled=false")
	if slices.Contains(stringSlice(container(t, one(t, objs, "Deployment"))["args"]), "--leader-elect") || len(find(objs, "Role")) != 0 || len(find(objs, "RoleBinding")) != 0 {
		t.Error("leaderElection.enabled=false still passes --leader-elect or grants the Lease Role")
	}

	objs = template(t, "--set", "metrics.enabled=false")
	c := container(t, one(t, objs, "Deployment"))
	if !slices.Contains(stringSlice(c["args"]), "--metrics-bind-address=0") || len(find(objs, "Service")) != 0 {
		t.Errorf("metrics.enabled=false: args %v, %d Services; want --metrics-bind-address=0 and none", c["args"], len(find(objs, "Service")))
	}

	// The Backfill workers run as the chart's ServiceAccount, whatever its name.
	objs = template(t, "--set", "serviceAccount.name=schema-operator")
	c = container(t, one(t, objs, "Deployment"))
	if sa := one(t, objs, "ServiceAccount").GetName(); sa != "schema-operator" || !slices.Contains(stringSlice(c["args"]), "--backfill-service-account=schema-operator") {
		t.Errorf("serviceAccount.name=schema-operator: ServiceAccount %s, args %v", sa, c["args"])
	}
}

// TestChartRejectsBadValues: values that would deploy something broken fail to render, saying why.
func TestChartRejectsBadValues(t *testing.T) {
	for _, c := range []struct {
		set, want string
	}{
		{"replicas=2,leaderElection.enabled=false", "replicas > 1 needs leaderElection.enabled"},
		{"metrics.enabled=false,metrics.serviceMonitor.enabled=true", "metrics.serviceMonitor.enabled needs metrics.enabled"},
		{"watchNamespaces={Team_A}", "watchNamespaces"},
		{"replica=2", "replica"},
		{"driftInterval=5 minutes", "driftInterval"},
	} {
		out, err := tryRun(nil, nil, helmBinary(t), "template", "cqlsync", "dist/chart", "--set", c.set)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("helm template --set %s: want an error naming %q, got %v\n%s", c.set, c.want, err, out)
		}
	}
}

// helmBinary is the path of bin/helm, built if needed.
func helmBinary(t *testing.T) string {
	t.Helper()
	helm(t, "version", "--short")
	return helmPath.path
}

var managerBinary struct {
	once sync.Once
	path string
	err  error
}

// managerAccepts runs the manager binary with args and -h: the flag package parses every argument
// before it reaches -h, so an unknown flag or a value it cannot parse fails, and a chart that
// passes something the manager does not take is caught here.
func managerAccepts(t *testing.T, args []string) {
	t.Helper()
	managerBinary.once.Do(func() {
		dir, err := testTempDir()
		if err != nil {
			managerBinary.err = err
			return
		}
		managerBinary.path = filepath.Join(dir, "manager")
		_, managerBinary.err = tryRun(nil, nil, "go", "build", "-o", managerBinary.path, "./cmd")
	})
	if managerBinary.err != nil {
		t.Fatalf("building the manager: %v", managerBinary.err)
	}
	out, err := exec.Command(managerBinary.path, append(slices.Clone(args), "-h")...).CombinedOutput()
	if err != nil {
		t.Errorf("the manager refuses the chart's args %v: %v\n%s", args, err, out)
	}
}

func named(objs []*unstructured.Unstructured, name string) *unstructured.Unstructured {
	for _, o := range objs {
		if o.GetName() == name {
			return o
		}
	}
	return nil
}

// sameRules fails the test unless role's rules are those of the role in the file.
func sameRules(t *testing.T, role *unstructured.Unstructured, file string) {
	t.Helper()
	got, _, _ := unstructured.NestedSlice(role.Object, "rules")
	want, _, _ := unstructured.NestedSlice(readObjects(t, file)[0].Object, "rules")
	if len(want) == 0 || !reflect.DeepEqual(got, want) {
		t.Errorf("%s %s rules:\n%v\nwant those of %s:\n%v", role.GetKind(), role.GetName(), got, file, want)
	}
}

// container is the only container of a Deployment.
func container(t *testing.T, dep *unstructured.Unstructured) map[string]any {
	t.Helper()
	cs, _, _ := unstructured.NestedSlice(dep.Object, "spec", "template", "spec", "containers")
	if len(cs) != 1 {
		t.Fatalf("Deployment %s has %d containers, want 1", dep.GetName(), len(cs))
	}
	return cs[0].(map[string]any)
}

func stringSlice(v any) []string {
	var out []string
	items, _ := v.([]any)
	for _, i := range items {
		s, _ := i.(string)
		out = append(out, s)
	}
	return out
}

func servicePort(svc *unstructured.Unstructured) int64 {
	ports, _, _ := unstructured.NestedSlice(svc.Object, "spec", "ports")
	if len(ports) != 1 {
		return 0
	}
	p, _ := ports[0].(map[string]any)["port"].(int64)
	return p
}
