package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

func TestUnwrapDescription(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"one line", "Hosts are the contact points.", "Hosts are the contact points."},
		{"wrapped paragraph", "Kind is a string value\nrepresenting the REST resource.\nIn CamelCase.",
			"Kind is a string value representing the REST resource. In CamelCase."},
		{"paragraphs", "First line\nof one.\n\nSecond\nparagraph.", "First line of one.\n\nSecond paragraph."},
		{"flag at line start is prose", "because the manager runs with\n--dry-run. Absent when nothing waits.",
			"because the manager runs with --dry-run. Absent when nothing waits."},
		{"dash list", "Either:\n- one thing\n  that wraps\n- another\nthat wraps too\n\nAfter.",
			"Either:\n- one thing that wraps\n- another that wraps too\n\nAfter."},
		{"gofmt list", "Values:\n  - Auto: run\n    everything\n  - Manual: wait", "Values:\n  - Auto: run everything\n  - Manual: wait"},
		{"numbered list", "Steps:\n  1. first\n  2. second", "Steps:\n  1. first\n  2. second"},
		{"number in prose", "the factor defaults to\n3. Then it grows.", "the factor defaults to 3. Then it grows."},
		{"code block", "For example:\n\n  CREATE TABLE t (\n    k int)\nand more\ntext.", "For example:\n\n  CREATE TABLE t (\n    k int)\nand more text."},
		{"trailing spaces", "a  \nb\t\n", "a b\n"},
		{"lone bullet is not joined into an item", "*\nnext\n  code", "*\nnext\n  code"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := unwrapDescription(c.in)
			if got != c.want {
				t.Fatalf("unwrapDescription(%q)\n got %q\nwant %q", c.in, got, c.want)
			}
			if again := unwrapDescription(got); again != got {
				t.Fatalf("not idempotent: %q became %q", got, again)
			}
		})
	}
}

func FuzzUnwrapDescriptionIdempotent(f *testing.F) {
	for _, s := range []string{"a\nb", "a\n\n- b\n  c\nd", "  x\ny", "1. a\n  2. b\n c"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		once := unwrapDescription(s)
		if twice := unwrapDescription(once); twice != once {
			t.Fatalf("not idempotent for %q: %q then %q", s, once, twice)
		}
	})
}

func TestUnwrapCRDOnlyTouchesSchemaDescriptions(t *testing.T) {
	in := `---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: things.example.com
spec:
  versions:
  - name: v1
    schema:
      openAPIV3Schema:
        description: |-
          A thing
          that wraps.
        properties:
          description:
            default: |-
              kept
              as is
            description: |-
              The description
              field.
            type: string
          default:
            description: |-
              A property
              named default.
            type: boolean
          list:
            items:
              description: |-
                An item
                of a list.
              enum:
              - description: |-
                  a value,
                  not a schema
              type: object
            type: array
        type: object
`
	out, err := unwrapCRD([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"description: A thing that wraps.", "description: The description field.",
		"description: A property named default.", "description: An item of a list.", "kept\n              as is",
		"a value,\n                  not a schema"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	again, err := unwrapCRD(out)
	if err != nil {
		t.Fatal(err)
	}
	if string(again) != string(out) {
		t.Errorf("unwrapCRD is not idempotent:\n%s\nthen\n%s", out, again)
	}
}

// TestGeneratedCRDDescriptionsAreProse reads the committed CRDs: no paragraph of a description
// breaks a line, except before a list item or in a preformatted block, so that `kubectl explain`
// wraps them to the terminal. It fails when `make manifests` did not run hack/manifests.
func TestGeneratedCRDDescriptionsAreProse(t *testing.T) {
	files, err := crdFiles(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var crd map[string]any
		if err := yaml.Unmarshal(data, &crd); err != nil {
			t.Fatal(err)
		}
		eachDescription(crd, func(path, d string) {
			checked++
			lines := strings.Split(d, "\n")
			for i := 1; i < len(lines); i++ {
				prev, line := lines[i-1], lines[i]
				if prev == "" || line == "" || line != strings.TrimLeft(line, " ") || listItem(line, false) {
					continue
				}
				t.Errorf("%s: %s: a line break inside a paragraph, before %q", filepath.Base(f), path, line)
			}
		})
	}
	if checked < 100 {
		t.Fatalf("only %d descriptions found in %d CRDs: is the walk broken?", checked, len(files))
	}
}

// eachDescription calls fn with every string-valued description key under node.
func eachDescription(node any, fn func(path, d string)) {
	var walk func(path string, n any)
	walk = func(path string, n any) {
		switch n := n.(type) {
		case map[string]any:
			for k, v := range n {
				if s, ok := v.(string); ok && k == "description" {
					fn(path, s)
					continue
				}
				walk(path+"."+k, v)
			}
		case []any:
			for _, v := range n {
				walk(path+"[]", v)
			}
		}
	}
	walk("", node)
}
