package controllers

import (
	"fmt"
	"slices"

	"sigs.k8s.io/controller-runtime/pkg/client"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
	"github.com/cqlsync/cqlsync/internal/cql/introspect"
	"github.com/cqlsync/cqlsync/internal/cql/plan"
	"github.com/cqlsync/cqlsync/internal/cql/registry"
	"github.com/cqlsync/cqlsync/internal/cql/schema"
)

// tableModelAdapter makes the schema reconciler keep tables: cqlengine's sync_table on every
// connection x keyspace, safer (nothing destructive unless the spec opts in) and per target.
type tableModelAdapter struct{}

// +kubebuilder:rbac:groups=cqlsync.io,resources=tablemodels,verbs=get;list;watch;update;patch
// +kubebuilder:rbac:groups=cqlsync.io,resources=tablemodels/status,verbs=get;update;patch
// +kubebuilder:rbac:groups=cqlsync.io,resources=tablemodels/finalizers,verbs=update

func (tableModelAdapter) info() kindInfo {
	return kindInfo{kind: "TableModel", noun: "table", eventPrefix: "Table", perKeyspace: true, usesTypes: true,
		driftHint:   "kept: set spec.allowDropColumns / spec.allowDropIndexes to drop them, or add them to the spec",
		changedName: func(c registry.SchemaChange) string { return c.Table }}
}

func (tableModelAdapter) newObject() *cqlv1.TableModel            { return &cqlv1.TableModel{} }
func (tableModelAdapter) newList() client.ObjectList              { return &cqlv1.TableModelList{} }
func (tableModelAdapter) statusName(tm *cqlv1.TableModel) *string { return &tm.Status.Table }

func (tableModelAdapter) desired(tm *cqlv1.TableModel) (plan.Table, *problem) {
	return desiredTable(tm)
}

// typeRefs are the columns' types, for the pipeline to check their user-defined types.
func (tableModelAdapter) typeRefs(d plan.Table) []typeRef {
	refs := make([]typeRef, len(d.Columns))
	for i, c := range d.Columns {
		refs[i] = typeRef{field: fmt.Sprintf("spec.columns[%d] (%s)", i, c.Name), t: c.Type}
	}
	return refs
}

func (tableModelAdapter) plan(d plan.Table, keyspace string, live *introspect.KeyspaceSchema) plan.Result {
	d.Keyspace = keyspace
	return plan.ForTable(d, live)
}

func (tableModelAdapter) drop(tm *cqlv1.TableModel, keyspace string, live *introspect.KeyspaceSchema) (plan.Plan, *problem) {
	if live == nil || live.Tables[tm.CQLName()] == nil {
		return nil, nil
	}
	return plan.DropTableIfExists(keyspace, tm.CQLName()), nil
}

// usedTypes are the user-defined types of the columns that parse.
func (tableModelAdapter) usedTypes(tm *cqlv1.TableModel) []string {
	var names []string
	for _, c := range tm.Spec.Columns {
		names = appendUDTs(names, c.Type)
	}
	return names
}

// appendUDTs appends the user-defined types of a type text, when it parses, each once.
func appendUDTs(names []string, text string) []string {
	t, err := schema.ParseType(text)
	if err != nil {
		return names
	}
	for _, n := range t.UDTs() {
		if !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	return names
}
