package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// tempRepo is an empty directory standing for the repository, and a function that writes a file
// into it.
func tempRepo(t *testing.T) (root string, write func(rel, content string)) {
	root = t.TempDir()
	return root, func(rel, content string) {
		t.Helper()
		p := filepath.Join(root, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestGeneratedTemplates builds _generated.tpl from a small config/: the rules are copied, the
// admission files come in the kustomization's order, and template delimiters in them are escaped.
func TestGeneratedTemplates(t *testing.T) {
	root, write := tempRepo(t)
	write("config/rbac/role.yaml", "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: m}\nrules:\n- apiGroups: [\"\"]\n  resources: [secrets]\n  verbs: [get]\n")
	write("config/rbac/leader_election_role.yaml", "kind: Role\nrules:\n- apiGroups: [coordination.k8s.io]\n  resources: [leases]\n  verbs: [get]\n")
	write("config/admission/kustomization.yaml", "resources:\n- b.yaml\n- a.yaml\n")
	write("config/admission/a.yaml", "kind: A\nmessage: '{{ not a template }}'\n")
	write("config/admission/b.yaml", "---\nkind: B\n")

	got, err := generatedTemplates(root)
	if err != nil {
		t.Fatal(err)
	}
	s := string(got)
	for _, want := range []string{
		"{{- define \"cqlsync.managerRules\" -}}\n- apiGroups:\n  - \"\"\n  resources:\n  - secrets\n  verbs:\n  - get\n{{- end }}",
		"- coordination.k8s.io",
		"# config/admission/b.yaml\nkind: B\n---\n# config/admission/a.yaml\nkind: A\n",
		`message: '{{ "{{" }} not a template }}'`,
	} {
		if !strings.Contains(s, want) {
			t.Errorf("_generated.tpl lacks %q:\n%s", want, s)
		}
	}

	write("config/rbac/role.yaml", "kind: ClusterRole\nrules: []\n")
	if _, err := generatedTemplates(root); err == nil || !strings.Contains(err.Error(), "with rules") {
		t.Errorf("a role without rules: error %v, want one saying so", err)
	}
}
