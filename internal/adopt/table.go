package adopt

import (
	"fmt"
	"strings"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
	"github.com/cqlsync/cqlsync/internal/cql/introspect"
	"github.com/cqlsync/cqlsync/internal/cql/render"
	"github.com/cqlsync/cqlsync/internal/cql/schema"
)

// Most columns, key columns and indexes a TableModel holds.
const (
	maxColumns   = 256
	maxKeyLength = 16 // partition key, and clustering key
	maxIndexes   = 64
)

// tableModel is the TableModel of a table, with what of it is left out (parts), or why there is
// none (skip).
func tableModel(t *introspect.Table, opts Options, n *namer) (tm *cqlv1.TableModel, parts []Skip, skip *Skip) {
	what := "table " + render.Ident(t.Name)
	skipped := func(format string, args ...any) (*cqlv1.TableModel, []Skip, *Skip) {
		return nil, nil, &Skip{What: what, Reason: fmt.Sprintf(format, args...)}
	}
	if !isWordName(t.Name, maxObjectName) {
		return skipped("a TableModel's name has 1 to %d letters, digits and _", maxObjectName)
	}
	pk, ck := t.PartitionKey(), t.ClusteringKey()
	switch {
	case len(t.Columns) > maxColumns:
		return skipped("it has %d columns (a TableModel has at most %d)", len(t.Columns), maxColumns)
	case len(pk) == 0 || len(pk) > maxKeyLength:
		return skipped("its partition key has %d columns (a TableModel has 1 to %d)", len(pk), maxKeyLength)
	case len(ck) > maxKeyLength:
		return skipped("its clustering key has %d columns (a TableModel has at most %d)", len(ck), maxKeyLength)
	}
	spec := cqlv1.TableModelSpec{
		Name:           t.Name,
		Keyspaces:      []cqlv1.KeyspaceName{cqlv1.KeyspaceName(t.Keyspace)},
		Connections:    connections(opts),
		DeletionPolicy: cqlv1.DeletionPolicyRetain,
	}
	var problems []string // every column that cannot be declared, so that one run says them all
	for _, c := range t.Columns {
		if why := typeProblem("column", c.Name, c.Type); why != "" {
			problems = append(problems, why)
			continue
		}
		static := c.Kind == introspect.KindStatic
		if typ, _ := schema.ParseType(c.Type); static && typ.IsCounter() {
			problems = append(problems, "column "+render.Ident(c.Name)+" is a static counter, which a TableModel cannot declare")
			continue
		}
		mask, why := columnMask(c.Mask)
		if why != "" {
			problems = append(problems, "column "+render.Ident(c.Name)+": "+why)
			continue
		}
		spec.Columns = append(spec.Columns, cqlv1.Column{Name: cqlv1.ColumnName(c.Name), Type: c.Type, Static: static, Mask: mask})
	}
	if len(problems) > 0 {
		return skipped("%s", strings.Join(problems, "; "))
	}
	for _, name := range pk {
		spec.PartitionKey = append(spec.PartitionKey, cqlv1.ColumnName(name))
	}
	for _, c := range ck {
		order := cqlv1.ClusteringOrder("ASC")
		if c.ClusteringOrder == "desc" {
			order = "DESC"
		}
		spec.ClusteringKey = append(spec.ClusteringKey, cqlv1.ClusteringColumn{Name: cqlv1.ColumnName(c.Name), Order: order})
	}
	for _, ix := range t.Indexes {
		idx, why := index(t, ix)
		if why != "" {
			parts = append(parts, Skip{What: "index " + render.Ident(ix.Name) + " of " + what, Reason: why})
			continue
		}
		if len(spec.Indexes) == maxIndexes {
			parts = append(parts, Skip{What: "index " + render.Ident(ix.Name) + " of " + what,
				Reason: fmt.Sprintf("a TableModel holds at most %d indexes", maxIndexes)})
			continue
		}
		spec.Indexes = append(spec.Indexes, idx)
	}
	var optParts []Skip
	spec.Options, optParts = tableOptions(t.Options)
	for _, p := range optParts {
		parts = append(parts, Skip{What: "option " + p.What + " of " + what, Reason: p.Reason})
	}
	tm = &cqlv1.TableModel{
		TypeMeta:   typeMeta("TableModel"),
		ObjectMeta: objectMeta(n.table(t.Keyspace, t.Name), opts),
		Spec:       spec,
	}
	return tm, parts, nil
}
