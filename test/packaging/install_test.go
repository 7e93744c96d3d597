package packaging

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/util/retry"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/cqlsync/cqlsync/test/rig/testenv"
)

// TestMakeInstallAndDeploy runs the Makefile's deployment targets against a fresh API server,
// which has no CRD beforehand, and checks through the API what each left: `make
// install` the seven CRDs and the admission policies; `make uninstall` none of them; `make deploy`
// every object of config/default with the image asked for; `make undeploy` none of them.
//
// The targets run with `-o manifests`: `make test` has just run `make manifests`, and running
// controller-gen again for each target would only slow the test down.
func TestMakeInstallAndDeploy(t *testing.T) {
	cl := newCluster(t)
	c := cl.client(t)
	makeTarget := func(target string, vars ...string) {
		t.Helper()
		run(t, nil, cl.env(), "make", append([]string{"-o", "manifests", "KUBECTL=" + testenv.Kubectl(), target}, vars...)...)
	}

	var crds, policies []*unstructured.Unstructured
	bases, err := filepath.Glob(filepath.Join(testenv.RepoRoot(), "config", "crd", "bases", "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range bases {
		crds = append(crds, readObjects(t, filepath.Join("config", "crd", "bases", filepath.Base(f)))...)
	}
	for _, f := range []string{"connection-refs.yaml", "cluster-connection-permissions.yaml"} {
		policies = append(policies, readObjects(t, filepath.Join("config", "admission", f))...)
	}
	if len(crds) != 7 || len(policies) != 4 {
		t.Fatalf("config/ has %d CRDs and %d admission objects, want 7 and 4", len(crds), len(policies))
	}
	for _, o := range crds {
		if exists(t, c, o) {
			t.Fatalf("CRD %s exists before make install: the API server is not fresh", o.GetName())
		}
	}

	makeTarget("install")
	requireAll(t, c, "make install", true, append(crds, policies...))
	served(t, cl, crds)

	makeTarget("uninstall")
	requireAll(t, c, "make uninstall", false, append(crds, policies...))

	const img = "registry.example.com/cqlsync:packaging-test"
	makeTarget("deploy", "IMG="+img)
	deployed := decode(t, []byte(cl.kubectl(t, nil, "kustomize", "config/default")))
	kinds := sets.New[string]()
	for _, o := range deployed {
		kinds.Insert(o.GetKind())
	}
	for _, k := range []string{"Namespace", "CustomResourceDefinition", "ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding",
		"ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding", "Deployment"} {
		if !kinds.Has(k) {
			t.Errorf("config/default has no %s", k)
		}
	}
	requireAll(t, c, "make deploy", true, deployed)
	served(t, cl, crds)
	dep := one(t, deployed, "Deployment")
	if err := c.Get(context.Background(), client.ObjectKeyFromObject(dep), dep); err != nil {
		t.Fatal(err)
	}
	if image := container(t, dep)["image"]; image != img {
		t.Errorf("the deployed manager runs %v, want IMG=%s", image, img)
	}
	if args := stringSlice(container(t, dep)["args"]); !slices.Contains(args, "--backfill-image="+img) {
		t.Errorf("the deployed manager's Backfill workers do not run IMG=%s: args %v", img, args)
	}
	role := one(t, deployed, "ClusterRole")
	if err := c.Get(context.Background(), client.ObjectKeyFromObject(role), role); err != nil {
		t.Fatal(err)
	}
	sameRules(t, role, "config/rbac/role.yaml")

	// This control plane has no kube-controller-manager, whose namespace controller removes the
	// finalizer of a deleted namespace once it is empty; without it kubectl delete (which undeploy
	// runs, and which waits for what it deletes) would wait for ever. Do its part.
	finalized := finalizeWhenDeleted(t, cl, releaseNamespace)
	makeTarget("undeploy")
	if err := <-finalized; err != nil {
		t.Fatalf("finalizing namespace %s: %v", releaseNamespace, err)
	}
	requireAll(t, c, "make undeploy", false, deployed)
}

// served waits until every CRD is Established and lists its resources, in every namespace, as a
// user would after an install: the API must serve each kind, and have none yet. (This also keeps
// the uninstall that follows quick: a CRD deleted before its storage is ready waits out the
// API server's retry backoff, minutes, before it goes.)
func served(t *testing.T, cl *cluster, crds []*unstructured.Unstructured) {
	t.Helper()
	var resources []string
	for _, o := range crds {
		cl.kubectl(t, nil, "wait", "--for=condition=Established", "--timeout=60s", "crd/"+o.GetName())
		resources = append(resources, o.GetName()) // plural.group
	}
	if out := cl.kubectl(t, nil, "get", strings.Join(resources, ","), "--all-namespaces", "-o", "name"); strings.TrimSpace(out) != "" {
		t.Errorf("resources exist right after the install:\n%s", out)
	}
}

// exists reports whether the object is on the API server.
func exists(t *testing.T, c client.Client, o *unstructured.Unstructured) bool {
	t.Helper()
	got := &unstructured.Unstructured{}
	got.SetGroupVersionKind(o.GroupVersionKind())
	err := c.Get(context.Background(), client.ObjectKeyFromObject(o), got)
	switch {
	case err == nil:
		return true
	case apierrors.IsNotFound(err):
		return false
	}
	t.Fatalf("reading %s %s: %v", o.GetKind(), o.GetName(), err)
	return false
}

// requireAll fails the test unless every object exists (or, with want false, none does).
func requireAll(t *testing.T, c client.Client, after string, want bool, objs []*unstructured.Unstructured) {
	t.Helper()
	for _, o := range objs {
		if got := exists(t, c, o); got != want {
			t.Errorf("after %s: %s %s exists: %v, want %v", after, o.GetKind(), client.ObjectKeyFromObject(o), got, want)
		}
	}
}

// finalizeWhenDeleted watches a namespace and, once it is being deleted, empties its
// spec.finalizers, as the namespace controller does, so that the API server removes it. The
// channel receives the outcome.
func finalizeWhenDeleted(t *testing.T, cl *cluster, name string) <-chan error {
	t.Helper()
	cs, err := kubernetes.NewForConfig(cl.cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	w, err := cs.CoreV1().Namespaces().Watch(ctx, metav1.ListOptions{FieldSelector: "metadata.name=" + name})
	if err != nil {
		t.Fatal(err)
	}
	out := make(chan error, 1)
	go func() {
		defer w.Stop()
		for ev := range w.ResultChan() {
			if ns, ok := ev.Object.(*corev1.Namespace); !ok || ns.DeletionTimestamp == nil {
				continue
			}
			out <- retry.RetryOnConflict(retry.DefaultRetry, func() error {
				ns, err := cs.CoreV1().Namespaces().Get(ctx, name, metav1.GetOptions{})
				if err != nil {
					return err
				}
				ns.Spec.Finalizers = slices.DeleteFunc(ns.Spec.Finalizers, func(f corev1.FinalizerName) bool { return f == corev1.FinalizerKubernetes })
				_, err = cs.CoreV1().Namespaces().Finalize(ctx, ns, metav1.UpdateOptions{})
				return err
			})
			return
		}
		out <- ctx.Err()
	}()
	return out
}
