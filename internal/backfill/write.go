package backfill

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/cqlsync/cqlsync/internal/cql/render"
)

// op is how a cell is assigned in the target.
type op int

const (
	opSet   op = iota // c = ?
	opAdd             // c = c + ? (elements of a non-frozen set or map)
	opField           // c.f = ? (a field of a non-frozen user-defined type)
)

// cell is one part of a source row as it is written into the target: a whole value, an element
// (its parts: the element of a set, the key and the value of a map entry), or a field.
type cell struct {
	col   int // index in Mapping.cells
	op    op
	field int
	parts [][]byte // the value (opSet, opField: one part)
	wt    int64
	ttl   int32
}

// row is a source row turned into target writes.
type row struct {
	keys  [][]byte
	cells []cell
	// skip says why the row cannot be copied ("" when it can).
	skip string
	// sourceKey is the source's primary key, for samples.
	sourceKey []raw
	// scanned is when the row was read (its TTLs are the remaining ones at that moment); zero
	// when unknown.
	scanned time.Time
}

// rowOf turns a scanned source row into what is written into the target.
func (m *Mapping) rowOf(vals []raw) (row, error) {
	var r row
	for _, s := range m.sourceKeys {
		r.sourceKey = append(r.sourceKey, vals[s])
	}
	for _, k := range m.keys {
		v := vals[k.value]
		if v.null {
			r.skip = fmt.Sprintf("column %q of the new primary key is null (source column %q)", k.target.Name, k.source.Name)
			return r, nil
		}
		b, err := convert(k, v.b)
		if err != nil {
			return r, err
		}
		r.keys = append(r.keys, b)
	}
	for i, c := range m.cells {
		v := vals[c.value]
		if v.null {
			continue
		}
		var err error
		r.cells, err = c.cellsOf(i, v, vals, r.cells)
		if err != nil {
			return r, fmt.Errorf("column %q: %w", c.source.Name, err)
		}
	}
	// A column copied from a source key column has no writetime or TTL of its own (CQL cannot
	// read them) but lives as long as the row: it takes those of the target's row marker, the
	// oldest writetime of the row's other cells and their longest TTL when every one expires
	// (writetime 0 and no TTL when the row has no other cell).
	var wts []int64
	var ttls []int32
	for _, c := range r.cells {
		if !m.cells[c.col].fromKey() {
			wts, ttls = append(wts, c.wt), append(ttls, c.ttl)
		}
	}
	if len(wts) > 0 {
		_, ttl := newest(wts, ttls)
		for k := range r.cells {
			if m.cells[r.cells[k].col].fromKey() {
				r.cells[k].wt, r.cells[k].ttl = slices.Min(wts), ttl
			}
		}
	}
	return r, nil
}

// fromKey reports whether the column is copied from a column of the source's primary key.
func (c *column) fromKey() bool {
	return c.source.Kind == "partition_key" || c.source.Kind == "clustering"
}

func convert(c *column, b []byte) ([]byte, error) {
	if c.convert == nil {
		return b, nil
	}
	return c.convert(b)
}

// cellsOf appends the cells of a column's non-null value.
func (c *column) cellsOf(i int, v raw, vals []raw, out []cell) ([]cell, error) {
	switch c.sourceShape {
	case single:
		var wt int64
		var ttl int32
		if !c.fromKey() { // a key column has no writetime or TTL (see rowOf)
			var err error
			if wt, err = bigint(vals[c.writetime].b); err != nil {
				return nil, err
			}
			if ttl, err = int32Of(vals[c.ttl].b); err != nil {
				return nil, err
			}
		}
		if c.targetShape == single {
			b, err := convert(c, v.b)
			if err != nil {
				return nil, err
			}
			return append(out, cell{col: i, op: opSet, parts: [][]byte{b}, wt: wt, ttl: ttl}), nil
		}
		return c.partsAt(i, v.b, func(int) (int64, int32) { return wt, ttl }, out)
	case elements_, listCells:
		wts, err := bigints(vals[c.writetime])
		if err != nil {
			return nil, err
		}
		ttls, err := ints(vals[c.ttl])
		if err != nil {
			return nil, err
		}
		if c.targetShape == single { // frozen in the target: one cell, as new as its newest part
			wt, ttl := newest(wts, ttls)
			return append(out, cell{col: i, op: opSet, parts: [][]byte{v.b}, wt: wt, ttl: ttl}), nil
		}
		return c.partsAt(i, v.b, func(k int) (int64, int32) { return at(wts, k), at(ttls, k) }, out)
	case fields_:
		wts := make([]int64, len(c.fieldNames))
		ttls := make([]int32, len(c.fieldNames))
		var err error
		for k := range c.fieldNames {
			if wts[k], err = bigint(vals[c.fieldWritetime[k]].b); err != nil {
				return nil, err
			}
			if ttls[k], err = int32Of(vals[c.fieldTT[k]].b); err != nil {
				return nil, err
			}
		}
		if c.targetShape == single {
			// a null field has no cell: its missing TTL must not make the value live forever
			fs, err := udtFields(v.b, len(c.fieldNames))
			if err != nil {
				return nil, err
			}
			var liveWTs []int64
			var liveTTLs []int32
			for k, f := range fs {
				if f != nil {
					liveWTs, liveTTLs = append(liveWTs, wts[k]), append(liveTTLs, ttls[k])
				}
			}
			wt, ttl := newest(liveWTs, liveTTLs)
			return append(out, cell{col: i, op: opSet, parts: [][]byte{v.b}, wt: wt, ttl: ttl}), nil
		}
		return c.partsAt(i, v.b, func(k int) (int64, int32) { return wts[k], ttls[k] }, out)
	}
	return out, nil
}

// partsAt appends a cell per element (or field) of a value written into a non-frozen target
// column, with the writetime and TTL of each.
func (c *column) partsAt(i int, b []byte, at func(int) (int64, int32), out []cell) ([]cell, error) {
	if c.targetShape == fields_ {
		fs, err := udtFields(b, len(c.fieldNames))
		if err != nil {
			return nil, err
		}
		for k, f := range fs {
			if f == nil {
				continue
			}
			wt, ttl := at(k)
			out = append(out, cell{col: i, op: opField, field: k, parts: [][]byte{f}, wt: wt, ttl: ttl})
		}
		return out, nil
	}
	parts, err := elements(b, c.perElement)
	if err != nil {
		return nil, err
	}
	for k := 0; k < len(parts); k += c.perElement {
		wt, ttl := at(k / c.perElement)
		out = append(out, cell{col: i, op: opAdd, parts: parts[k : k+c.perElement], wt: wt, ttl: ttl})
	}
	return out, nil
}

func at[T any](s []T, i int) T {
	var zero T
	if i < len(s) {
		return s[i]
	}
	return zero
}

// newest is the writetime of a value made of parts written into one cell: that of its newest
// part; and its TTL: the longest, or none when a part has none.
func newest(wts []int64, ttls []int32) (int64, int32) {
	var wt int64
	var ttl int32
	forever := len(ttls) == 0
	for k, w := range wts {
		wt = max(wt, w)
		t := at(ttls, k)
		if t == 0 {
			forever = true
		}
		ttl = max(ttl, t)
	}
	if forever {
		ttl = 0
	}
	return wt, ttl
}

// aged is the row with the TTLs it has left now: the time since it was read is taken off each
// TTL, so that a cell written a moment after it was read expires when the source's does (to the
// second); a cell whose TTL ran out meanwhile has expired in the source too, and is left out.
func (r row) aged() row {
	if r.scanned.IsZero() {
		return r
	}
	elapsed := int32(time.Since(r.scanned) / time.Second)
	if elapsed <= 0 {
		return r
	}
	cells := make([]cell, 0, len(r.cells))
	for _, c := range r.cells {
		if c.ttl > 0 {
			if c.ttl -= elapsed; c.ttl <= 0 {
				continue
			}
		}
		cells = append(cells, c)
	}
	r.cells = cells
	return r
}

// statement is a write with its bound values.
type statement struct {
	cql  string
	args []any
}

// statements are the writes of a row, given the timestamp of rows with no regular cell:
//   - no cell: INSERT of the key alone, at keyOnlyTS;
//   - whole values only, all of one writetime and TTL: one INSERT of the row;
//   - otherwise an INSERT of the key (the row marker), at the oldest writetime, with a TTL only
//     when every cell expires (the longest), then one UPDATE per writetime and TTL.
func (m *Mapping) statements(r row, keyOnlyTS int64) []statement {
	had := len(r.cells)
	if r = r.aged(); had > 0 && len(r.cells) == 0 {
		return nil // every cell expired since it was read: so did the row (see the row marker's TTL)
	}
	keys := make([]any, len(r.keys))
	for i, k := range r.keys {
		keys[i] = raw{b: k}
	}
	if len(r.cells) == 0 {
		return []statement{{cql: m.insertCQL(nil), args: append(keys, keyOnlyTS, int32(0))}}
	}
	uniform, wholeOnly := true, true
	for _, c := range r.cells {
		uniform = uniform && c.wt == r.cells[0].wt && c.ttl == r.cells[0].ttl
		wholeOnly = wholeOnly && c.op == opSet
	}
	if uniform && wholeOnly {
		cols := make([]int, len(r.cells))
		args := keys
		for i, c := range r.cells {
			cols[i] = c.col
			args = append(args, raw{b: c.parts[0]})
		}
		return []statement{{cql: m.insertCQL(cols), args: append(args, r.cells[0].wt, r.cells[0].ttl)}}
	}
	var out []statement
	minWT := r.cells[0].wt
	var markerTTL int32
	forever := false
	for _, c := range r.cells {
		minWT = min(minWT, c.wt)
		markerTTL = max(markerTTL, c.ttl)
		forever = forever || c.ttl == 0
	}
	if forever {
		markerTTL = 0
	}
	out = append(out, statement{cql: m.insertCQL(nil), args: append(slices.Clone(keys), minWT, markerTTL)})
	groups := map[[2]int64][]cell{}
	var order [][2]int64
	for _, c := range r.cells {
		g := [2]int64{c.wt, int64(c.ttl)}
		if _, ok := groups[g]; !ok {
			order = append(order, g)
		}
		groups[g] = append(groups[g], c)
	}
	for _, g := range order {
		out = append(out, m.update(groups[g], keys, g[0], int32(g[1])))
	}
	return out
}

// update is the UPDATE of cells of one writetime and TTL: the elements of a column are gathered
// into one value added to it.
func (m *Mapping) update(cells []cell, keys []any, wt int64, ttl int32) statement {
	type target struct {
		col   int
		op    op
		field int
	}
	var order []target
	parts := map[target][][]byte{}
	for _, c := range cells {
		t := target{c.col, c.op, c.field}
		if _, ok := parts[t]; !ok {
			order = append(order, t)
		}
		parts[t] = append(parts[t], c.parts...)
	}
	var sig strings.Builder
	args := []any{wt, ttl}
	for _, t := range order {
		fmt.Fprintf(&sig, "%d:%d:%d,", t.col, t.op, t.field)
		if t.op == opAdd {
			args = append(args, raw{b: collection(parts[t], m.cells[t.col].perElement)})
		} else {
			args = append(args, raw{b: parts[t][0]})
		}
	}
	return statement{cql: m.cached("u"+sig.String(), func() string {
		var sets []string
		for _, t := range order {
			c := render.Ident(m.cells[t.col].target.Name)
			switch t.op {
			case opSet:
				sets = append(sets, c+" = ?")
			case opAdd:
				sets = append(sets, c+" = "+c+" + ?")
			case opField:
				sets = append(sets, c+"."+render.Ident(m.cells[t.col].fieldNames[t.field])+" = ?")
			}
		}
		var where []string
		for _, k := range m.keys {
			where = append(where, render.Ident(k.target.Name)+" = ?")
		}
		return fmt.Sprintf("UPDATE %s USING TIMESTAMP ? AND TTL ? SET %s WHERE %s",
			render.QualifiedName(m.TargetKeyspace, m.TargetTable), strings.Join(sets, ", "), strings.Join(where, " AND "))
	}), args: append(args, keys...)}
}

// insertCQL is INSERT of the key columns and the cells cols, USING TIMESTAMP ? AND TTL ?.
func (m *Mapping) insertCQL(cols []int) string {
	var sig strings.Builder
	sig.WriteString("i")
	for _, c := range cols {
		fmt.Fprintf(&sig, "%d,", c)
	}
	return m.cached(sig.String(), func() string {
		var names, marks []string
		for _, k := range m.keys {
			names, marks = append(names, render.Ident(k.target.Name)), append(marks, "?")
		}
		for _, c := range cols {
			names, marks = append(names, render.Ident(m.cells[c].target.Name)), append(marks, "?")
		}
		return fmt.Sprintf("INSERT INTO %s (%s) VALUES (%s) USING TIMESTAMP ? AND TTL ?",
			render.QualifiedName(m.TargetKeyspace, m.TargetTable), strings.Join(names, ", "), strings.Join(marks, ", "))
	})
}

// statementCache holds the CQL of each shape of write: a table has few.
type statementCache struct {
	mu sync.Mutex
	m  map[string]string
}

func (m *Mapping) cached(sig string, build func() string) string {
	c := &m.stmts
	c.mu.Lock()
	defer c.mu.Unlock()
	if s, ok := c.m[sig]; ok {
		return s
	}
	if c.m == nil {
		c.m = map[string]string{}
	}
	s := build()
	c.m[sig] = s
	return s
}
