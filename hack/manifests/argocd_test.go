package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

// TestArgocd writes the Argo CD health checks from a small repository: one key per CRD kind in
// both files, each holding the script exactly, template delimiters escaped in the chart, and a
// second run changes nothing.
func TestArgocd(t *testing.T) {
	root, write := tempRepo(t)
	script := "-- {{ not a template }}\nlocal hs = {}\n\nif obj.status == nil then\n\ths.status = \"Progressing\"\nend\nreturn hs\n"
	write("config/argocd/health.lua", script)
	write("config/crd/bases/cqlsync.io_keyspaces.yaml", "spec:\n  group: cqlsync.io\n  names:\n    kind: Keyspace\n")
	write("config/crd/bases/cqlsync.io_usertypes.yaml", "spec:\n  group: cqlsync.io\n  names:\n    kind: UserType\n")
	write("dist/chart/Chart.yaml", "name: cqlsync\n")

	if err := argocd(root); err != nil {
		t.Fatal(err)
	}
	keys := []string{"resource.customizations.health.cqlsync.io_Keyspace", "resource.customizations.health.cqlsync.io_UserType"}
	patch, err := os.ReadFile(filepath.Join(root, "config", "argocd", "argocd-cm.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var cm struct {
		Kind     string `json:"kind"`
		Metadata struct {
			Name, Namespace string
			Labels          map[string]string
		} `json:"metadata"`
		Data map[string]string `json:"data"`
	}
	if err := yaml.Unmarshal(patch, &cm); err != nil {
		t.Fatalf("argocd-cm.yaml: %v\n%s", err, patch)
	}
	if cm.Kind != "ConfigMap" || cm.Metadata.Name != "argocd-cm" || cm.Metadata.Namespace != "argocd" || cm.Metadata.Labels["app.kubernetes.io/part-of"] != "argocd" {
		t.Errorf("argocd-cm.yaml is not a patch of argocd/argocd-cm labelled part-of argocd:\n%s", patch)
	}
	if len(cm.Data) != len(keys) {
		t.Errorf("argocd-cm.yaml has %d keys, want %v", len(cm.Data), keys)
	}
	for _, k := range keys {
		if cm.Data[k] != script {
			t.Errorf("argocd-cm.yaml's %s is %q, want the script", k, cm.Data[k])
		}
	}

	tplPath := filepath.Join(root, "dist", "chart", "templates", "argocd-health.yaml")
	tpl, err := os.ReadFile(tplPath)
	if err != nil {
		t.Fatal(err)
	}
	s := string(tpl)
	for _, want := range []string{
		"{{- if .Values.argocd.healthChecks.enabled }}\napiVersion: v1\nkind: ConfigMap\n",
		"  namespace: {{ .Values.argocd.namespace | default \"argocd\" }}\n",
		"    helm.sh/resource-policy: keep\n",
		"  " + keys[1] + ": |\n    -- {{ \"{{\" }} not a template }}\n    local hs = {}\n\n    if obj.status == nil then\n    \ths.status",
		"    return hs\n{{ end }}\n",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("argocd-health.yaml lacks %q:\n%s", want, s)
		}
	}

	before, err := os.Stat(tplPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := argocd(root); err != nil {
		t.Fatal(err)
	}
	if after, err := os.Stat(tplPath); err != nil || !after.ModTime().Equal(before.ModTime()) {
		t.Errorf("a second run rewrote argocd-health.yaml (%v)", err)
	}

	write("config/argocd/health.lua", script+"\n")
	if err := argocd(root); err == nil || !strings.Contains(err.Error(), "one newline at the end") {
		t.Errorf("a script ending in a blank line: error %v, want one saying so", err)
	}
	write("config/argocd/health.lua", "local hs = {}\r\nreturn hs\r\n")
	if err := argocd(root); err == nil || !strings.Contains(err.Error(), "read back") {
		t.Errorf("a script with CRLF line ends: error %v, want one saying so", err)
	}
}

// TestArgocdUpToDate checks that the committed argocd-cm.yaml and chart template are what the
// step writes from config/argocd/health.lua: run `make manifests` after changing the script.
func TestArgocdUpToDate(t *testing.T) {
	root := filepath.Join("..", "..")
	script, err := os.ReadFile(filepath.Join(root, "config", "argocd", "health.lua"))
	if err != nil {
		t.Fatal(err)
	}
	keys, err := healthKeys(root)
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != 7 {
		t.Errorf("health checks for %v, want the seven kinds", keys)
	}
	entries, err := healthEntries(keys, string(script))
	if err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string][]byte{
		"config/argocd/argocd-cm.yaml":            argocdPatch(entries),
		"dist/chart/templates/argocd-health.yaml": argocdTemplate(entries),
	} {
		got, err := os.ReadFile(filepath.Join(root, path))
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != string(want) {
			t.Errorf("%s is not what config/argocd/health.lua gives: run `go run ./hack/manifests argocd`", path)
		}
	}
}
