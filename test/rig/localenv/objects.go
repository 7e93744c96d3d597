package localenv

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// admissionFiles are the ValidatingAdmissionPolicies of config/admission, as `make install` applies
// them.
var admissionFiles = []string{"connection-refs.yaml", "cluster-connection-permissions.yaml"}

// InstallAdmission creates the ValidatingAdmissionPolicies (and their bindings) of config/admission
// of the repository at root in a control plane whose CRDs are installed, as `make install` does on
// a real cluster, so that the local environment and the tests get the checks users get.
func InstallAdmission(cfg *rest.Config, root string) error {
	c, err := client.New(cfg, client.Options{})
	if err != nil {
		return err
	}
	for _, f := range admissionFiles {
		data, err := os.ReadFile(filepath.Join(root, "config", "admission", f))
		if err != nil {
			return err
		}
		objs, err := decode(data)
		if err != nil {
			return fmt.Errorf("%s: %w", f, err)
		}
		if err := create(c, objs); err != nil {
			return fmt.Errorf("%s: %w", f, err)
		}
	}
	return nil
}

// identityKinds are the kinds of what `make deploy` installs that make up the manager's identity:
// its namespace, ServiceAccount, ClusterRole and leader-election Role, and their bindings. The
// rest (CRDs, admission policies, the Deployment) the environment installs itself or cannot run.
var identityKinds = []string{"Namespace", "ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding"}

// installIdentity renders config/default as `make deploy` does (kubectl kustomize), creates the
// objects of identityKinds, and returns the ServiceAccount the manager runs as: the RBAC generated
// from the controllers' markers is then all the manager may do.
func installIdentity(ctx context.Context, cfg *rest.Config, kubectl, root string) (types.NamespacedName, error) {
	cmd := exec.CommandContext(ctx, kubectl, "kustomize", filepath.Join(root, "config", "default"))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	rendered, err := cmd.Output()
	if err != nil {
		return types.NamespacedName{}, fmt.Errorf("kubectl kustomize config/default: %w\n%s", err, stderr.String())
	}
	objs, err := decode(rendered)
	if err != nil {
		return types.NamespacedName{}, fmt.Errorf("config/default: %w", err)
	}
	var keep []*unstructured.Unstructured
	var sa []types.NamespacedName
	for _, o := range objs {
		if !slices.Contains(identityKinds, o.GetKind()) {
			continue
		}
		keep = append(keep, o)
		if o.GetKind() == "ServiceAccount" {
			sa = append(sa, types.NamespacedName{Namespace: o.GetNamespace(), Name: o.GetName()})
		}
	}
	if len(sa) != 1 {
		return types.NamespacedName{}, fmt.Errorf("config/default renders %d ServiceAccounts %v, want exactly the manager's", len(sa), sa)
	}
	c, err := client.New(cfg, client.Options{})
	if err != nil {
		return types.NamespacedName{}, err
	}
	// Namespaces first, in the order of identityKinds: kustomize sorts them first too, but the
	// order should not depend on it.
	slices.SortStableFunc(keep, func(a, b *unstructured.Unstructured) int {
		return slices.Index(identityKinds, a.GetKind()) - slices.Index(identityKinds, b.GetKind())
	})
	return sa[0], create(c, keep)
}

// decode reads a YAML stream into objects, skipping empty documents.
func decode(data []byte) ([]*unstructured.Unstructured, error) {
	var out []*unstructured.Unstructured
	r := yaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
	for {
		doc, err := r.Read()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		u := &unstructured.Unstructured{}
		if err := yaml.Unmarshal(doc, &u.Object); err != nil {
			return nil, err
		}
		if len(u.Object) > 0 {
			out = append(out, u)
		}
	}
}

func create(c client.Client, objs []*unstructured.Unstructured) error {
	for _, u := range objs {
		if err := c.Create(context.Background(), u); err != nil {
			return fmt.Errorf("creating %s %s: %w", u.GetKind(), u.GetName(), err)
		}
	}
	return nil
}
