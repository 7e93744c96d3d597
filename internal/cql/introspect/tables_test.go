package introspect

import (
	"reflect"
	"slices"
	"testing"
)

// TestSortIndexes: by name, byte order (upper case before lower case, as system_schema's
// clustering order), whatever the order they were read in.
func TestSortIndexes(t *testing.T) {
	ixs := []Index{{Name: "b_idx"}, {Name: "Events_idx"}, {Name: "a_idx"}, {Name: "a"}}
	SortIndexes(ixs)
	var got []string
	for _, ix := range ixs {
		got = append(got, ix.Name)
	}
	if want := []string{"Events_idx", "a", "a_idx", "b_idx"}; !slices.Equal(got, want) {
		t.Errorf("SortIndexes: %q, want %q", got, want)
	}
	SortIndexes(nil) // no panic on an empty table
}

func TestUnmanagedTableOptions(t *testing.T) {
	yes, no := true, false
	tests := []struct {
		name              string
		snapshot, backups *bool
		memtable          string
		extensions        []string
		want              map[string]string
	}{
		{name: "defaults (unset)", want: nil},
		{name: "defaults (explicit)", snapshot: &yes, backups: &yes, memtable: "default", want: nil},
		{name: "all set", snapshot: &no, backups: &no, memtable: "trie", extensions: []string{"b", "a"},
			want: map[string]string{"allow_auto_snapshot": "false", "incremental_backups": "false", "memtable": "trie", "extensions": "a, b"}},
	}
	for _, tt := range tests {
		got := UnmanagedTableOptions(tt.snapshot, tt.backups, tt.memtable, tt.extensions)
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
	var u *Unmanaged
	if !u.Empty() || !(&Unmanaged{}).Empty() || (&Unmanaged{Views: []string{"v"}}).Empty() {
		t.Error("Empty")
	}
}

func TestIndexTarget(t *testing.T) {
	tests := []struct {
		stored, column, function string
		ok                       bool
	}{
		{"c", "c", "", true},
		{`"MyCol"`, "MyCol", "", true},
		{`"select"`, "select", "", true},
		{`"quo""te"`, `quo"te`, "", true},
		{`"two words"`, "two words", "", true},
		{"keys(m)", "m", "keys", true},
		{"values(l)", "l", "values", true},
		{`entries("M")`, "M", "entries", true},
		{"full(f)", "f", "full", true},
		{`"c"`, "c", "", false},       // Cassandra would not quote it
		{"MyCol", "MyCol", "", false}, // nor leave this unquoted
		{"a, b", "a, b", "", false},
		{"", "", "", false},
		{"keys()", "", "keys", false},
	}
	for _, tt := range tests {
		col, fn, ok := Index{Options: map[string]string{"target": tt.stored}}.Target()
		if col != tt.column || fn != tt.function || ok != tt.ok {
			t.Errorf("Target(%q) = %q, %q, %v; want %q, %q, %v", tt.stored, col, fn, ok, tt.column, tt.function, tt.ok)
		}
	}
}
