package testenv

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// admissionFiles are the ValidatingAdmissionPolicies of config/admission, as `make install` applies
// them.
var admissionFiles = []string{"connection-refs.yaml", "cluster-connection-permissions.yaml"}

// InstallAdmission creates the ValidatingAdmissionPolicies (and their bindings) of config/admission
// in a control plane whose CRDs are installed, as `make install` does on a real cluster, so that
// the tests run against the checks users get.
func InstallAdmission(cfg *rest.Config) error {
	c, err := client.New(cfg, client.Options{})
	if err != nil {
		return err
	}
	for _, f := range admissionFiles {
		data, err := os.ReadFile(filepath.Join(RepoRoot(), "config", "admission", f))
		if err != nil {
			return err
		}
		r := yaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
		for {
			doc, err := r.Read()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return fmt.Errorf("%s: %w", f, err)
			}
			u := &unstructured.Unstructured{}
			if err := yaml.Unmarshal(doc, &u.Object); err != nil {
				return fmt.Errorf("%s: %w", f, err)
			}
			if len(u.Object) == 0 {
				continue
			}
			if err := c.Create(context.Background(), u); err != nil {
				return fmt.Errorf("%s: creating %s %s: %w", f, u.GetKind(), u.GetName(), err)
			}
		}
	}
	return nil
}
