package plan

import (
	"fmt"

	"github.com/cqlsync/cqlsync/internal/cql/introspect"
	"github.com/cqlsync/cqlsync/internal/cql/render"
	"github.com/cqlsync/cqlsync/internal/cql/schema"
)

// Statement kinds of column masks.
const (
	AlterMask Kind = "AlterColumnMask"
	DropMask  Kind = "DropColumnMask"
)

// DiffInvalidMask: a desired mask that cannot be rendered (its arguments are not literals). The
// engine refuses such a spec before planning; ForTable blocks rather than send it.
const DiffInvalidMask DifferenceKind = "InvalidMask"

// renderMask is the mask of a column definition of a table of keyspace ks (nil for none).
func renderMask(ks string, m *schema.Mask) (*render.Mask, error) {
	if m == nil {
		return nil, nil
	}
	if m.Keyspace != "" && m.Keyspace != ks {
		return nil, fmt.Errorf("its function %s is in keyspace %s: Cassandra masks a table's columns only with functions of the table's own keyspace (%s)",
			m.String(), render.Ident(m.Keyspace), render.Ident(ks))
	}
	rm, err := render.NewMask(m.Keyspace, m.Function, m.Arguments)
	if err != nil {
		return nil, err
	}
	return &rm, nil
}

// maskText is a mask as messages show it: system.mask_inner(1, null), or "no mask".
func maskText(m *schema.Mask) string {
	if m == nil {
		return "no mask"
	}
	return m.String()
}

// maskChanges returns the statements that give the live columns of the table the desired
// masks: ALTER ... MASKED WITH where a column's mask is missing or differs, ALTER ... DROP
// MASKED where a column has a mask the spec does not declare. Columns that do not exist yet get
// their mask with ALTER TABLE ADD.
func maskChanges(d Table, live *introspect.Table) (Plan, []Difference) {
	var p Plan
	var blocked []Difference
	q := render.QualifiedName(d.Keyspace, d.Name)
	for _, c := range d.Columns {
		lc := live.Column(c.Name)
		if lc == nil || c.Mask.Equal(lc.Mask) {
			continue
		}
		if c.Mask == nil {
			p = append(p, Statement{Kind: DropMask, CQL: render.DropColumnMask(d.Keyspace, d.Name, c.Name),
				Summary: fmt.Sprintf("drop the mask of column %s of %s (Cassandra has %s; the spec declares none)", render.Ident(c.Name), q, maskText(lc.Mask))})
			continue
		}
		rm, err := renderMask(d.Keyspace, c.Mask)
		if err != nil {
			blocked = append(blocked, Difference{Kind: DiffInvalidMask, Message: fmt.Sprintf("the mask of column %s: %v", render.Ident(c.Name), err)})
			continue
		}
		p = append(p, Statement{Kind: AlterMask, CQL: render.AlterColumnMask(d.Keyspace, d.Name, c.Name, *rm),
			Summary: fmt.Sprintf("mask column %s of %s with %s (Cassandra has %s)", render.Ident(c.Name), q, maskText(c.Mask), maskText(lc.Mask))})
	}
	return p, blocked
}
