package backfill

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/cqlsync/cqlsync/internal/cql/render"
)

// Verification reads, for every source row, the target row of its new key, and checks each cell
// the copy writes: the target's is equal with the same writetime, or newer (an application write).

// verifyLayout is the target select of the verification: a key column (so that a row with no
// live cell still answers), then per copied column its value and writetime(s).
type verifyLayout struct {
	cql string
	// per cell column: the slot of the value and of its writetime(s) (one per field for a
	// non-frozen user-defined type).
	value, writetime []int
	fieldWT          [][]int
	slots            int
}

func (m *Mapping) verifyLayout() *verifyLayout {
	m.verifyOnce.Do(func() {
		l := &verifyLayout{}
		exprs := []string{render.Ident(m.keys[0].target.Name)}
		slot := func(e string) int {
			exprs = append(exprs, e)
			return len(exprs) - 1
		}
		for _, c := range m.cells {
			name := render.Ident(c.target.Name)
			l.value = append(l.value, slot(name))
			if c.targetShape == fields_ {
				var wts []int
				for _, f := range c.fieldNames {
					wts = append(wts, slot("WRITETIME("+name+"."+render.Ident(f)+")"))
				}
				l.fieldWT = append(l.fieldWT, wts)
				l.writetime = append(l.writetime, -1)
				continue
			}
			l.fieldWT = append(l.fieldWT, nil)
			l.writetime = append(l.writetime, slot("WRITETIME("+name+")"))
		}
		var where []string
		for _, k := range m.keys {
			where = append(where, render.Ident(k.target.Name)+" = ?")
		}
		l.cql = fmt.Sprintf("SELECT %s FROM %s WHERE %s", strings.Join(exprs, ", "),
			render.QualifiedName(m.TargetKeyspace, m.TargetTable), strings.Join(where, " AND "))
		l.slots = len(exprs)
		m.verify = l
	})
	return m.verify
}

// mismatch says how the target row (vals; nil when it does not exist) differs from the source
// row r: "" when every cell is there, equal or newer.
func (m *Mapping) mismatch(r row, vals []raw) (string, error) {
	if vals == nil {
		return "the row is missing", nil
	}
	l := m.verifyLayout()
	for _, c := range r.cells {
		col := m.cells[c.col]
		v := vals[l.value[c.col]]
		name := col.target.Name
		switch c.op {
		case opSet:
			wt, err := bigint(vals[l.writetime[c.col]].b)
			if err != nil {
				return "", err
			}
			if why := compare(v, c.parts[0], wt, c.wt); why != "" {
				return fmt.Sprintf("column %q: %s", name, why), nil
			}
		case opField:
			wt, err := bigint(vals[l.fieldWT[c.col][c.field]].b)
			if err != nil {
				return "", err
			}
			var got raw
			if !v.null {
				fs, err := udtFields(v.b, len(col.fieldNames))
				if err != nil {
					return "", err
				}
				got = raw{b: fs[c.field], null: fs[c.field] == nil}
			} else {
				got.null = true
			}
			if why := compare(got, c.parts[0], wt, c.wt); why != "" {
				return fmt.Sprintf("field %q of column %q: %s", col.fieldNames[c.field], name, why), nil
			}
		case opAdd:
			why, err := compareElement(v, vals[l.writetime[c.col]], c, col.perElement)
			if err != nil {
				return "", err
			}
			if why != "" {
				return fmt.Sprintf("column %q: %s", name, why), nil
			}
		}
	}
	return "", nil
}

// compare checks a target cell (got, written at gotWT) against the source's (want, at wantWT).
func compare(got raw, want []byte, gotWT, wantWT int64) string {
	switch {
	case got.null:
		return "missing"
	case gotWT > wantWT:
		return "" // an application write, newer
	case gotWT < wantWT:
		return fmt.Sprintf("older in the target (writetime %d, source %d)", gotWT, wantWT)
	case !bytes.Equal(got.b, want):
		return fmt.Sprintf("a different value at the same writetime %d", gotWT)
	}
	return ""
}

// compareElement checks that an element of a non-frozen set or map is in the target's value
// with the same or a newer writetime.
func compareElement(got, gotWTs raw, c cell, perElement int) (string, error) {
	if got.null {
		return "missing", nil
	}
	parts, err := elements(got.b, perElement)
	if err != nil {
		return "", err
	}
	wts, err := bigints(gotWTs)
	if err != nil {
		return "", err
	}
	for k := 0; k < len(parts); k += perElement {
		if !bytes.Equal(parts[k], c.parts[0]) {
			continue
		}
		var want []byte
		gotValue := raw{b: parts[k]}
		if perElement == 2 {
			want, gotValue = c.parts[1], raw{b: parts[k+1]}
		} else {
			want = c.parts[0]
		}
		if why := compare(gotValue, want, at(wts, k/perElement), c.wt); why != "" {
			return "an element is " + why, nil
		}
		return "", nil
	}
	return "an element is missing", nil
}
