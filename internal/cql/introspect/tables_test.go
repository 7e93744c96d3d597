package introspect

import (
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
