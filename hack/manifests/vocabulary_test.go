package main

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"sigs.k8s.io/yaml"
)

const repoRoot = "../.."

// Every declared condition reason and event reason is in docs/status.md, with the description its
// declaration gives (the tables there are generated: this fails when they are stale).
func TestVocabularyIsDocumented(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join(repoRoot, "docs", "status.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, prefix := range []string{"Reason", "Event"} {
		terms, err := vocabulary(repoRoot, prefix)
		if err != nil {
			t.Fatal(err)
		}
		if len(terms) < 10 {
			t.Fatalf("%d %s constants found: the parser missed them", len(terms), prefix)
		}
		for _, term := range terms {
			if row := "| `" + term.value + "` | " + term.doc + " |"; !strings.Contains(string(doc), row) {
				t.Errorf("docs/status.md lacks the row of %s (run make manifests):\n%s", term.name, row)
			}
			if term.doc == "" {
				t.Errorf("%s has no doc comment", term.name)
			}
		}
	}
}

// reasonArgs are the calls of the product code that take a condition or event reason, and the
// position of that argument.
var reasonArgs = map[string]int{
	"set":          1, // targetOutcome.set(state, reason, message)
	"setCondition": 3, // setCondition(conds, type, status, reason, ...)
	"event":        2, // pipeline.event(obj, type, reason, ...)
	"Eventf":       3, // recorder.Eventf(obj, related, type, reason, ...)
	"release":      0, // targetOutcome.release(reason, note)
}

// Every reason the code can emit is a declared constant: no reason is written as a string literal
// in the product packages, where it would escape the generated docs.
func TestEmittedReasonsAreDeclared(t *testing.T) {
	fset := token.NewFileSet()
	checked := 0
	for _, dir := range []string{"controllers", "internal/engine", "cmd"} {
		err := filepath.WalkDir(filepath.Join(repoRoot, dir), func(path string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") ||
				strings.Contains(path, "enginetest") {
				return err
			}
			f, err := parser.ParseFile(fset, path, nil, 0)
			if err != nil {
				return err
			}
			ast.Inspect(f, func(n ast.Node) bool {
				switch n := n.(type) {
				case *ast.KeyValueExpr:
					if k, ok := n.Key.(*ast.Ident); ok && (k.Name == "Reason" || k.Name == "reason") {
						checked++
						if isStringLit(n.Value) {
							t.Errorf("%s: a reason written as a string literal; declare it in api/v1alpha1", fset.Position(n.Pos()))
						}
					}
				case *ast.CallExpr:
					name := ""
					switch fn := n.Fun.(type) {
					case *ast.Ident:
						name = fn.Name
					case *ast.SelectorExpr:
						name = fn.Sel.Name
					}
					if i, ok := reasonArgs[name]; ok && len(n.Args) > i {
						checked++
						if isStringLit(n.Args[i]) {
							t.Errorf("%s: %s is given a reason as a string literal; declare it in api/v1alpha1", fset.Position(n.Pos()), name)
						}
					}
				}
				return true
			})
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if checked < 30 {
		t.Fatalf("only %d places that set a reason were found: the scan is broken", checked)
	}
}

func isStringLit(e ast.Expr) bool {
	lit, ok := e.(*ast.BasicLit)
	return ok && lit.Kind == token.STRING
}

// The schema kinds share one set of printer columns: the same columns in the same order, the
// kind's CQL name (Keyspace, Table, Type) standing in the same place.
func TestSchemaKindsSharePrinterColumns(t *testing.T) {
	columns := func(file, nameColumn string) []string {
		b, err := os.ReadFile(filepath.Join(repoRoot, "config", "crd", "bases", file))
		if err != nil {
			t.Fatal(err)
		}
		var crd apiextensionsv1.CustomResourceDefinition
		if err := yaml.Unmarshal(b, &crd); err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, c := range crd.Spec.Versions[0].AdditionalPrinterColumns {
			name := c.Name
			if name == nameColumn {
				name = "<name>"
			}
			out = append(out, name+"/"+c.JSONPath+"/"+string(rune('0'+c.Priority)))
		}
		return out
	}
	ks := columns("cqlsync.io_keyspaces.yaml", "Keyspace")
	for _, want := range []string{"Ready", "Reason", "Targets", "Drifted", "<name>", "Age"} {
		if !slices.ContainsFunc(ks, func(c string) bool { return strings.HasPrefix(c, want+"/") }) {
			t.Errorf("Keyspace lacks the printer column %s: %v", want, ks)
		}
	}
	for file, name := range map[string]string{"cqlsync.io_tablemodels.yaml": "Table", "cqlsync.io_usertypes.yaml": "Type", "cqlsync.io_cassandraroles.yaml": "Role"} {
		cols := columns(file, name)
		// The name column's path differs per kind (status.keyspace, status.table, status.type).
		strip := func(cs []string) []string {
			out := slices.Clone(cs)
			for i, c := range out {
				if strings.HasPrefix(c, "<name>/") {
					out[i] = "<name>"
				}
			}
			return out
		}
		if !slices.Equal(strip(cols), strip(ks)) {
			t.Errorf("%s printer columns %v, Keyspace has %v", file, cols, ks)
		}
	}
}

// docs/gitops.md's table of every reason's health is what kstatus and the Argo CD script make of
// the objects the operator writes now.
func TestHealthTableIsCurrent(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join(repoRoot, "docs", "gitops.md"))
	if err != nil {
		t.Fatal(err)
	}
	table, err := healthTable(repoRoot)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(doc), table) {
		t.Errorf("docs/gitops.md's health table is stale (run make manifests); it should read:\n%s", table)
	}
	for _, row := range []string{
		"| `ColumnTypeDiffers` | False | - | True | Failed | Degraded | waits |",
		"| `Synced` | True | - | - | Current | Healthy | returns |",
		"| `Paused` | False | - | True | Failed | Suspended | waits |",
		"| `KeyspaceNotFound` | False | True | - | InProgress | Progressing | waits |",
	} {
		if !strings.Contains(table, row) {
			t.Errorf("the health table lacks %s", row)
		}
	}
}
