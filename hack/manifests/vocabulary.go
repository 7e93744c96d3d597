package main

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// The vocabulary users script against (condition reasons, event reasons) is declared once, as
// constants with doc comments in api/v1alpha1, and docs/status.md lists it between markers, as
// tables generated here from those declarations: a reason cannot be added, renamed or described
// differently without the docs following.

// term is one declared constant: its Go name, its value, and its doc comment.
type term struct {
	name, value, doc string
}

// vocabulary reads the constants of api/v1alpha1 whose names start with prefix (Reason, Event),
// sorted by value. A constant that shares a comment block with the next ones (a group comment)
// gets that comment.
func vocabulary(root, prefix string) ([]term, error) {
	fset := token.NewFileSet()
	pkgs, err := parser.ParseDir(fset, filepath.Join(root, "api", "v1alpha1"), func(fi os.FileInfo) bool {
		return !strings.HasSuffix(fi.Name(), "_test.go")
	}, parser.ParseComments)
	if err != nil {
		return nil, err
	}
	var out []term
	for _, pkg := range pkgs {
		for _, f := range pkg.Files {
			for _, decl := range f.Decls {
				gd, ok := decl.(*ast.GenDecl)
				if !ok || gd.Tok != token.CONST {
					continue
				}
				groupDoc := ""
				for _, spec := range gd.Specs {
					vs := spec.(*ast.ValueSpec)
					if vs.Doc != nil {
						groupDoc = vs.Doc.Text()
					}
					for i, n := range vs.Names {
						if !strings.HasPrefix(n.Name, prefix) || len(vs.Values) <= i {
							continue
						}
						lit, ok := vs.Values[i].(*ast.BasicLit)
						if !ok || lit.Kind != token.STRING {
							continue
						}
						v, err := strconv.Unquote(lit.Value)
						if err != nil {
							return nil, err
						}
						out = append(out, term{name: n.Name, value: v, doc: describe(n.Name, groupDoc)})
					}
				}
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].value < out[j].value })
	return out, nil
}

// lead matches the start of a doc comment that names the constants it is about:
// "ReasonFoo: ", "EventA, EventB, EventC (Normal): ".
var lead = regexp.MustCompile(`^((?:Reason|Event)\w+(?:, (?:Reason|Event)\w+)*)( \([^)]*\))?: `)

// describe is a constant's description: its doc comment on one line, without the leading names.
func describe(name, doc string) string {
	d := strings.Join(strings.Fields(doc), " ")
	if m := lead.FindStringSubmatch(d); m != nil {
		d = strings.TrimPrefix(m[2], " ") + " " + d[len(m[0]):]
		d = strings.TrimSpace(d)
	}
	return strings.ReplaceAll(d, "|", `\|`)
}

// vocabularyTable is the markdown table of the terms.
func vocabularyTable(header string, terms []term) string {
	var b strings.Builder
	fmt.Fprintf(&b, "| %s | Meaning |\n|---|---|\n", header)
	for _, t := range terms {
		fmt.Fprintf(&b, "| `%s` | %s |\n", t.value, t.doc)
	}
	return b.String()
}

// docs writes the generated tables of docs/status.md and docs/gitops.md.
func docs(root string) error {
	path := filepath.Join(root, "docs", "status.md")
	src, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	out := string(src)
	for _, part := range []struct{ marker, prefix, header string }{
		{"reasons", "Reason", "Reason"},
		{"events", "Event", "Event reason"},
	} {
		terms, err := vocabulary(root, part.prefix)
		if err != nil {
			return err
		}
		if out, err = replaceGenerated(out, part.marker, vocabularyTable(part.header, terms)); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
	}
	if err := writeIfChanged(path, []byte(out)); err != nil {
		return err
	}
	return gitopsDocs(root)
}

// replaceInFile puts body between the GENERATED markers name of the file.
func replaceInFile(path, name, body string) error {
	src, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	out, err := replaceGenerated(string(src), name, body)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return writeIfChanged(path, []byte(out))
}

// replaceGenerated puts body between the markers "<!-- BEGIN GENERATED: name ... -->" and
// "<!-- END GENERATED: name -->".
func replaceGenerated(doc, name, body string) (string, error) {
	begin := regexp.MustCompile(`<!-- BEGIN GENERATED: ` + regexp.QuoteMeta(name) + `[^>]*-->\n`)
	end := "<!-- END GENERATED: " + name + " -->"
	loc := begin.FindStringIndex(doc)
	if loc == nil {
		return "", fmt.Errorf("no marker BEGIN GENERATED: %s", name)
	}
	e := strings.Index(doc[loc[1]:], end)
	if e < 0 {
		return "", fmt.Errorf("no marker %s", end)
	}
	return doc[:loc[1]] + body + doc[loc[1]+e:], nil
}
