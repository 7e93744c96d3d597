package packaging

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/cqlsync/cqlsync/test/rig/testenv"
)

// TestHelmInstallUpgradeUninstall follows the README on a fresh API server: helm install,
// the CRD step of an upgrade (helm upgrade leaves crds/ alone) and helm upgrade, then helm
// uninstall, which removes the operator but keeps the CRDs, and so every cqlsync resource.
func TestHelmInstallUpgradeUninstall(t *testing.T) {
	cl := newCluster(t)
	c := cl.client(t)
	const ns = "cqlsync-helm"
	helmCmd := func(args ...string) string {
		t.Helper()
		return run(t, nil, cl.env(), helmBinary(t), args...)
	}
	rendered := template(t)
	crds := find(rendered, "CustomResourceDefinition")

	helmCmd("install", "cqlsync", "dist/chart", "--namespace", ns, "--create-namespace")
	requireAll(t, c, "helm install", true, crds)
	dep := &appsv1.Deployment{}
	if err := c.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: "cqlsync"}, dep); err != nil {
		t.Fatalf("the chart's Deployment: %v", err)
	}
	if len(find(rendered, "ValidatingAdmissionPolicy")) != 2 {
		t.Fatal("the chart renders no admission policies")
	}
	installed := inNamespace(rendered, ns)
	requireAll(t, c, "helm install", true, installed)

	// Upgrade, CRDs first: a changed CRD (here a description) applies over what helm install
	// created only with --force-conflicts, as the README says.
	dir := t.TempDir()
	for _, crd := range crds {
		if crd.GetName() == "keyspaces.cqlsync.io" {
			crd = crd.DeepCopy()
			versions, _, _ := unstructured.NestedSlice(crd.Object, "spec", "versions")
			if err := unstructured.SetNestedField(versions[0].(map[string]any), "A newer description.", "schema", "openAPIV3Schema", "description"); err != nil {
				t.Fatal(err)
			}
			if err := unstructured.SetNestedSlice(crd.Object, versions, "spec", "versions"); err != nil {
				t.Fatal(err)
			}
		}
		data, err := crd.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, crd.GetName()+".json"), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := tryRun(nil, cl.env(), testenv.Kubectl(), "apply", "--server-side", "-f", dir); err == nil || !strings.Contains(err.Error(), "conflict") {
		t.Errorf("applying a changed CRD over helm's without --force-conflicts: %v; want a conflict (else the README's upgrade step says too much)", err)
	}
	cl.kubectl(t, nil, "apply", "--server-side", "--force-conflicts", "-f", dir)
	// The API server serves the new schema once it has rebuilt the CRD's handler and its OpenAPI;
	// meanwhile discovery may briefly not list the kind at all.
	var out string
	var err error
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		out, err = tryRun(nil, cl.env(), testenv.Kubectl(), "explain", "keyspace")
		if (err == nil && strings.Contains(out, "A newer description.")) || time.Now().After(deadline) {
			break
		}
	}
	if err != nil || !strings.Contains(out, "A newer description.") {
		t.Errorf("the upgraded Keyspace CRD is not served within 30s: %v\n%s", err, out)
	}
	helmCmd("upgrade", "cqlsync", "dist/chart", "--namespace", ns, "--set", "replicas=2")
	if err := c.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: "cqlsync"}, dep); err != nil {
		t.Fatal(err)
	}
	if dep.Spec.Replicas == nil || *dep.Spec.Replicas != 2 {
		t.Errorf("after helm upgrade --set replicas=2 the Deployment has %v replicas", dep.Spec.Replicas)
	}

	helmCmd("uninstall", "cqlsync", "--namespace", ns)
	requireAll(t, c, "helm uninstall", false, installed)
	requireAll(t, c, "helm uninstall (Helm keeps crds/)", true, crds)
}

// inNamespace returns the objects of a chart rendered for releaseNamespace as they are when
// installed into ns: the CRDs (crds/) aside.
func inNamespace(objs []*unstructured.Unstructured, ns string) []*unstructured.Unstructured {
	var out []*unstructured.Unstructured
	for _, o := range objs {
		if o.GetKind() == "CustomResourceDefinition" {
			continue
		}
		o = o.DeepCopy()
		if o.GetNamespace() != "" {
			o.SetNamespace(ns)
		}
		out = append(out, o)
	}
	return out
}
