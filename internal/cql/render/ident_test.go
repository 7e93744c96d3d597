package render

import "testing"

func TestIdent(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plain lower case", "users", `"users"`},
		{"mixed case kept", "MyKs", `"MyKs"`},
		{"reserved word select", "select", `"select"`},
		{"reserved word table", "table", `"table"`},
		{"quote inside", `a"b`, `"a""b"`},
		{"only quotes", `""`, `""""""`},
		{"empty", "", `""`},
		{"space and dash", "my table-1", `"my table-1"`},
		{"unicode", "naïve_ünïcode_表", `"naïve_ünïcode_表"`},
		{"single quote untouched", "it's", `"it's"`},
		{"newline kept", "a\nb", "\"a\nb\""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Ident(tt.in); got != tt.want {
				t.Errorf("Ident(%q) = %s, want %s", tt.in, got, tt.want)
			}
		})
	}
}

func TestQualifiedName(t *testing.T) {
	tests := []struct {
		ks, tbl, want string
	}{
		{"ks", "tbl", `"ks"."tbl"`},
		{"MyKs", "select", `"MyKs"."select"`},
		{`k"s`, `t"b`, `"k""s"."t""b"`},
		{"ks", "a.b", `"ks"."a.b"`},
		{"", "", `"".""`},
	}
	for _, tt := range tests {
		if got := QualifiedName(tt.ks, tt.tbl); got != tt.want {
			t.Errorf("QualifiedName(%q, %q) = %s, want %s", tt.ks, tt.tbl, got, tt.want)
		}
	}
}
