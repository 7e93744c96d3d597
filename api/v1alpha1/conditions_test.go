package v1alpha1

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"strconv"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Every declared reason has a health: a reason cannot ship without saying whether it stalls.
func TestEveryReasonHasAHealth(t *testing.T) {
	fset := token.NewFileSet()
	pkgs, err := parser.ParseDir(fset, ".", func(fi fs.FileInfo) bool { return !strings.HasSuffix(fi.Name(), "_test.go") }, 0)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, pkg := range pkgs {
		for _, f := range pkg.Files {
			ast.Inspect(f, func(node ast.Node) bool {
				vs, ok := node.(*ast.ValueSpec)
				if !ok {
					return true
				}
				for i, name := range vs.Names {
					if !strings.HasPrefix(name.Name, "Reason") || i >= len(vs.Values) {
						continue
					}
					lit, ok := vs.Values[i].(*ast.BasicLit)
					if !ok {
						continue
					}
					reason, _ := strconv.Unquote(lit.Value)
					n++
					in := 0
					for _, set := range []map[string]bool{stallingReasons, progressingReasons, readyReasons, driftedReasons} {
						if set[reason] {
							in++
						}
					}
					if in != 1 {
						t.Errorf("%s (%q) is in %d of the health lists (stalling, progressing, Ready, Drifted), want exactly 1", name.Name, reason, in)
					}
				}
				return true
			})
		}
	}
	if n < 40 {
		t.Fatalf("found %d reasons: the scan is broken", n)
	}
}

func TestSetHealthConditions(t *testing.T) {
	var conds []metav1.Condition
	SetHealthConditions(&conds, metav1.Condition{Type: ConditionReady, Status: metav1.ConditionFalse, Reason: ReasonKeyspaceNotFound, Message: "waiting", ObservedGeneration: 3})
	if c := meta.FindStatusCondition(conds, ConditionReconciling); c == nil || c.Status != metav1.ConditionTrue || c.Reason != ReasonKeyspaceNotFound || c.Message != "waiting" || c.ObservedGeneration != 3 {
		t.Fatalf("Reconciling = %+v", c)
	}
	SetHealthConditions(&conds, metav1.Condition{Type: ConditionReady, Status: metav1.ConditionFalse, Reason: ReasonColumnTypeDiffers, Message: "column x"})
	if c := meta.FindStatusCondition(conds, ConditionStalled); c == nil || c.Reason != ReasonColumnTypeDiffers || c.Message != "column x" || meta.FindStatusCondition(conds, ConditionReconciling) != nil {
		t.Fatalf("conditions = %+v", conds)
	}
	SetHealthConditions(&conds, metav1.Condition{Type: ConditionReady, Status: metav1.ConditionTrue, Reason: ReasonSynced})
	if len(conds) != 0 {
		t.Fatalf("Ready: conditions = %+v", conds)
	}
}
