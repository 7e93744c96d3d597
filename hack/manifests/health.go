package main

import (
	"fmt"
	"path/filepath"
	"strings"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
	"github.com/cqlsync/cqlsync/test/rig/gitops"
)

// The health of every reason, as GitOps tools read it, is a table of docs/gitops.md generated
// here: for each reason a Ready condition can have, the object the operator writes (Ready, and
// Reconciling or Stalled from cqlv1.SetHealthConditions) is given to kstatus and to the Argo CD
// health script, exactly as Flux and Argo CD run them. A reason cannot ship without a row, and a
// change of the script or of the conditions changes the table.

// healthTable is the markdown table of every Ready reason.
func healthTable(root string) (string, error) {
	terms, err := vocabulary(root, "Reason")
	if err != nil {
		return "", err
	}
	var b strings.Builder
	b.WriteString("| Ready reason | Ready | Reconciling | Stalled | kstatus (Flux) | Argo CD health | `kubectl wait --for=condition=Ready` |\n|---|---|---|---|---|---|---|\n")
	for _, t := range terms {
		if cqlv1.IsDriftedReason(t.value) {
			continue
		}
		obj, err := gitops.StatusObject(t.value, cqlv1.IsReadyReason(t.value))
		if err != nil {
			return "", err
		}
		row, err := gitops.RowOf(obj)
		if err != nil {
			return "", fmt.Errorf("%s: %w", t.value, err)
		}
		b.WriteString(row.Markdown() + "\n")
	}
	return b.String(), nil
}

// gitopsDocs writes the health table of docs/gitops.md.
func gitopsDocs(root string) error {
	path := filepath.Join(root, "docs", "gitops.md")
	table, err := healthTable(root)
	if err != nil {
		return err
	}
	return replaceInFile(path, "health", table)
}
