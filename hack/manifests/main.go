// Command manifests finishes what controller-gen generates, so that every generated file has one
// source (the markers in api/ and controllers/) and `make manifests` writes all of them:
//
//   - crds: unwraps the hard line breaks of the Go comments in the descriptions of
//     config/crd/bases (so that `kubectl explain` wraps prose itself), and writes
//     config/crd/kustomization.yaml listing every CRD there.
//
// It is deterministic and idempotent: running it twice changes nothing.
//
// Usage (from the repository root): go run ./hack/manifests [crds]   (no argument: all)
package main

import (
	"fmt"
	"os"
)

func main() {
	steps := os.Args[1:]
	if len(steps) == 0 {
		steps = []string{"crds"}
	}
	for _, step := range steps {
		var err error
		switch step {
		case "crds":
			err = crds(".")
		default:
			err = fmt.Errorf("unknown step %q (want crds)", step)
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
