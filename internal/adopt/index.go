package adopt

import (
	"fmt"
	"maps"
	"regexp"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
	"github.com/cqlsync/cqlsync/internal/cql/introspect"
	"github.com/cqlsync/cqlsync/internal/cql/plan"
	"github.com/cqlsync/cqlsync/internal/cql/schema"
)

// Limits of an Index of the API.
const (
	maxIndexClass   = 256
	maxIndexOptions = 32
)

// indexClassPattern is what the API accepts as an index class (spec.indexes[].using).
var indexClassPattern = regexp.MustCompile(`^[A-Za-z0-9_.$]+$`)

// Option keys of system_schema.indexes that are not a custom index's own options.
const (
	indexOptionTarget = "target"
	indexOptionClass  = "class_name"
)

// index converts a live index of table t, or says why it cannot.
func index(t *introspect.Table, ix introspect.Index) (cqlv1.Index, string) {
	var out cqlv1.Index
	if !isWordName(ix.Name, maxIndexName) {
		return out, fmt.Sprintf("an index name has 1 to %d letters, digits and _", maxIndexName)
	}
	switch ix.Kind {
	case introspect.IndexKindComposites, introspect.IndexKindCustom:
	default:
		return out, fmt.Sprintf("a %s index (of a compact-storage table) cannot be declared", ix.Kind)
	}
	stored := ix.Options[indexOptionTarget]
	column, target, ok := ix.Target()
	col := t.Column(column)
	if !ok || col == nil {
		return out, fmt.Sprintf("its target %s is not one column of the table, or a keys, values, entries or full of one", stored)
	}
	typ, err := schema.ParseType(col.Type)
	if err != nil {
		return out, fmt.Sprintf("cqlsync cannot read the type %s of its column", col.Type)
	}
	// The planner derives the stored target from column and target: it must give this one back.
	if again := plan.StoredIndexTarget(column, plan.EffectiveIndexTarget(target, typ)); again != stored {
		return out, fmt.Sprintf("its target %s would be created as %s", stored, again)
	}
	out = cqlv1.Index{Name: ix.Name, Column: cqlv1.ColumnName(column), Target: cqlv1.IndexTarget(target)}
	own := maps.Clone(ix.Options)
	delete(own, indexOptionTarget)
	delete(own, indexOptionClass)
	if ix.Kind == introspect.IndexKindComposites {
		if len(own) > 0 {
			return out, "a legacy index with options cannot be declared"
		}
		return out, ""
	}
	class := ix.Options[indexOptionClass]
	if len(class) > maxIndexClass || !indexClassPattern.MatchString(class) {
		return out, fmt.Sprintf("its class %q is not a class name cqlsync accepts (letters, digits, _ . $)", class)
	}
	if len(own) > maxIndexOptions {
		return out, fmt.Sprintf("it has %d options (an index declares at most %d)", len(own), maxIndexOptions)
	}
	out.Using = class
	if len(own) > 0 {
		out.Options = own
	}
	return out, ""
}
