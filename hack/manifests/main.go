// Command manifests finishes what controller-gen generates, so that every generated file has one
// source (the markers in api/ and controllers/) and `make manifests` writes all of them:
//
//   - crds: unwraps the hard line breaks of the Go comments in the descriptions of
//     config/crd/bases (so that `kubectl explain` wraps prose itself), and writes
//     config/crd/kustomization.yaml listing every CRD there;
//   - chart: copies the CRDs into dist/chart/crds, and the ClusterRole's and the leader-election
//     Role's rules and the admission policies of config/admission into
//     dist/chart/templates/_generated.tpl;
//   - docs: writes the tables of condition and event reasons of docs/status.md from the
//     constants of api/v1alpha1 and their doc comments;
//   - argocd: writes config/argocd/health.lua, Argo CD's health check, once per kind into
//     config/argocd/argocd-cm.yaml (a patch of argocd-cm) and the chart's optional
//     templates/argocd-health.yaml.
//
// All are deterministic and idempotent: running them twice changes nothing.
//
// Usage (from the repository root): go run ./hack/manifests [crds] [chart] [docs] [argocd]   (no argument: all)
package main

import (
	"fmt"
	"os"
)

func main() {
	steps := os.Args[1:]
	if len(steps) == 0 {
		steps = []string{"crds", "chart", "docs", "argocd"}
	}
	for _, step := range steps {
		var err error
		switch step {
		case "crds":
			err = crds(".")
		case "chart":
			err = chart(".")
		case "docs":
			err = docs(".")
		case "argocd":
			err = argocd(".")
		default:
			err = fmt.Errorf("unknown step %q (want crds, chart, docs or argocd)", step)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "manifests:", err)
			os.Exit(1)
		}
	}
}

// writeIfChanged writes data to path unless it already holds exactly that, so that an up-to-date
// file keeps its modification time.
func writeIfChanged(path string, data []byte) error {
	if old, err := os.ReadFile(path); err == nil && string(old) == string(data) {
		return nil
	}
	return os.WriteFile(path, data, 0o644)
}
