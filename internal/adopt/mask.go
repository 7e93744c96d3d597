package adopt

import (
	"fmt"
	"slices"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
	"github.com/cqlsync/cqlsync/internal/cql/schema"
)

// maxMaskArguments is the most arguments a column mask declares (columns[].mask.arguments).
const maxMaskArguments = 8

// columnMask converts a live column mask (nil for none), or says why a TableModel cannot declare
// it. The function is the built-in's name (mask_inner) or keyspace.function for a user-defined
// one, and the arguments are the stored literals: the mask the operator builds from them
// (schema.NewMask) must be the live one, or it would set another.
func columnMask(m *schema.Mask) (*cqlv1.ColumnMask, string) {
	if m == nil {
		return nil, ""
	}
	function := m.Function
	if m.Keyspace != "" {
		if !isWordName(m.Keyspace, maxObjectName) || !isWordName(m.Function, maxObjectName) {
			return nil, fmt.Sprintf("its mask %s: a mask's user-defined function is named keyspace.function, each of 1 to %d letters, digits and _",
				m, maxObjectName)
		}
		function = m.Keyspace + "." + m.Function
	}
	if len(m.Arguments) > maxMaskArguments {
		return nil, fmt.Sprintf("its mask %s has %d arguments (a mask declares at most %d)", m, len(m.Arguments), maxMaskArguments)
	}
	for _, a := range m.Arguments {
		if !schema.ValidMaskArgument(a) {
			return nil, fmt.Sprintf("its mask %s: argument %s is not a literal a mask declares (null, true, false, a decimal number, or a string in single quotes)", m, a)
		}
	}
	again, err := schema.NewMask(function, m.Arguments)
	if err != nil {
		return nil, fmt.Sprintf("its mask %s cannot be declared: %v", m, err)
	}
	if !again.Equal(m) {
		return nil, fmt.Sprintf("its mask %s would be declared as %s", m, again)
	}
	return &cqlv1.ColumnMask{Function: function, Arguments: slices.Clone(m.Arguments)}, ""
}
