package engine

import (
	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
	"github.com/cqlsync/cqlsync/internal/cql/introspect"
	"github.com/cqlsync/cqlsync/internal/cql/plan"
	"github.com/cqlsync/cqlsync/internal/cql/schema"
)

// tableModelAdapter makes the schema reconciler keep tables: cqlengine's sync_table on every
// connection x keyspace, safer (nothing destructive unless the spec opts in) and per target.
type tableModelAdapter struct{ keyspaceLive }

func (tableModelAdapter) desired(tm *cqlv1.TableModel) (plan.Table, *Problem) {
	return desiredTable(tm)
}

// plan is sync_table's comparison, in the target's keyspace: see plan.ForTable for the statements
// and their order, what blocks a target, and what is kept as drift.
func (tableModelAdapter) plan(d plan.Table, keyspace string, live *introspect.KeyspaceSchema, _ plan.Version) plan.Result {
	d.Keyspace = keyspace
	return plan.ForTable(d, live)
}

func (tableModelAdapter) drop(tm *cqlv1.TableModel, keyspace string, live *introspect.KeyspaceSchema) (plan.Plan, *Problem) {
	if live == nil || live.Tables[tm.CQLName()] == nil {
		return nil, nil
	}
	return plan.DropTableIfExists(keyspace, tm.CQLName()), nil
}

// typeRefs are the columns' types, for the pipeline to check their user-defined types.
func (tableModelAdapter) typeRefs(d plan.Table) []typeRef {
	return typeRefsOf("spec.columns", d.Columns, func(c plan.Column) (string, schema.Type) { return c.Name, c.Type })
}

// usedTypes are the user-defined types of the columns that parse.
func (tableModelAdapter) usedTypes(tm *cqlv1.TableModel) []string {
	var names []string
	for _, c := range tm.Spec.Columns {
		names = appendUDTs(names, c.Type)
	}
	return names
}

// unsupported is what the table asks for that the server's release lacks.
func (tableModelAdapter) unsupported(d plan.Table, server plan.Version, live *introspect.KeyspaceSchema) []plan.Difference {
	var lt *introspect.Table
	if live != nil {
		lt = live.Tables[d.Name]
	}
	return plan.Unsupported(d, lt, server)
}

// indexes are the names of the indexes the spec declares.
func (tableModelAdapter) indexes(d plan.Table) []string {
	out := make([]string, len(d.Indexes))
	for i, ix := range d.Indexes {
		out[i] = ix.Name
	}
	return out
}
