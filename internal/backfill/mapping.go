package backfill

import (
	"fmt"
	"slices"
	"strings"
	"sync"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
	"github.com/cqlsync/cqlsync/internal/cql/introspect"
	"github.com/cqlsync/cqlsync/internal/cql/render"
	"github.com/cqlsync/cqlsync/internal/cql/schema"
)

// Refusal says why a copy cannot run as specified: a reason of the Backfill's Ready condition and
// a message that names the column.
type Refusal struct {
	Reason  string
	Message string
}

func (r *Refusal) Error() string { return r.Message }

func refuse(reason, format string, args ...any) *Refusal {
	return &Refusal{Reason: reason, Message: fmt.Sprintf(format, args...)}
}

// shape is how a column is stored, which decides how its cells are read and written.
type shape int

const (
	// single: one cell (a native type, a frozen collection or type, a tuple, a vector), or a key.
	single shape = iota
	// elements: a non-frozen set or map, one cell per element.
	elements_
	// fields: a non-frozen user-defined type, one cell per field.
	fields_
	// listCells: a non-frozen list (source only: read whole).
	listCells
)

// column is one target column and what it is copied from.
type column struct {
	target, source introspect.Column
	key            bool // a column of the target's primary key
	targetShape    shape
	sourceShape    shape
	// perElement is 2 for a map (key and value), 1 for a set or list.
	perElement int
	// fieldNames are the fields of a user-defined type, in its order.
	fieldNames []string
	convert    conversion
	// slots of the source select: the value, its writetime and TTL (-1 when not read); for a
	// non-frozen source type, a writetime and TTL slot per field.
	value, writetime, ttl   int
	fieldWritetime, fieldTT []int
}

// Mapping is a planned copy from a source table into a target table.
type Mapping struct {
	SourceKeyspace, SourceTable string
	TargetKeyspace, TargetTable string
	// keys are the target's primary-key columns, in order; cells its other copied columns.
	keys, cells []*column
	// sourceKeys are the slots of the source's primary-key columns, for samples of skipped rows.
	sourceKeys     []int
	sourceKeyNames []string
	sourceKeyTypes []string
	// selectCQL scans a token range of the source: WHERE token(pk) > ? AND token(pk) <= ?.
	selectCQL string
	slots     int
	stmts     statementCache
	// verify is the target select of the verification, built once.
	verify     *verifyLayout
	verifyOnce sync.Once
}

// Describe is "ks.source -> ks.target".
func (m *Mapping) Describe() string {
	return fmt.Sprintf("%s.%s -> %s.%s", m.SourceKeyspace, m.SourceTable, m.TargetKeyspace, m.TargetTable)
}

// Plan maps the target table's columns to the source's by the spec's columns (same names by
// default) and checks that every row can be copied safely: no counter, a source for every
// target key column, only safe type conversions, no non-frozen list in the target. source and
// target are the live tables; sourceTypes and targetTypes the user-defined types of their
// keyspaces.
func Plan(source, target *introspect.Table, sourceTypes, targetTypes map[string]*introspect.UserType, columns []cqlv1.BackfillColumn) (*Mapping, *Refusal) {
	for _, t := range []*introspect.Table{source, target} {
		for _, c := range t.Columns {
			if c.Type == "counter" {
				return nil, refuse(cqlv1.ReasonCounterTable, "%s.%s is a counter table (column %q): counters cannot be copied idempotently, since an increment sent twice counts twice", t.Keyspace, t.Name, c.Name)
			}
		}
	}
	spec := cqlv1.BackfillSpec{Columns: columns}
	for i, c := range columns {
		if target.Column(c.Target) == nil {
			return nil, refuse(cqlv1.ReasonInvalidSpec, "spec.columns[%d].target: table %s.%s has no column %q", i, target.Keyspace, target.Name, c.Target)
		}
		if c.Source != "" && !c.Skip && source.Column(c.Source) == nil {
			return nil, refuse(cqlv1.ReasonInvalidSpec, "spec.columns[%d].source: table %s.%s has no column %q", i, source.Keyspace, source.Name, c.Source)
		}
	}
	m := &Mapping{SourceKeyspace: source.Keyspace, SourceTable: source.Name, TargetKeyspace: target.Keyspace, TargetTable: target.Name}
	var exprs []string
	slot := func(expr string) int {
		exprs = append(exprs, expr)
		return len(exprs) - 1
	}
	var partition []string
	for _, c := range source.Columns {
		if c.Kind == "partition_key" || c.Kind == "clustering" {
			m.sourceKeys = append(m.sourceKeys, slot(render.Ident(c.Name)))
			m.sourceKeyNames = append(m.sourceKeyNames, c.Name)
			m.sourceKeyTypes = append(m.sourceKeyTypes, c.Type)
		}
		if c.Kind == "partition_key" {
			partition = append(partition, render.Ident(c.Name))
		}
	}
	for _, tc := range target.Columns {
		key := tc.Kind == "partition_key" || tc.Kind == "clustering"
		srcName, listed := spec.SourceColumn(tc.Name)
		if srcName == "" || source.Column(srcName) == nil {
			if key {
				why := "the source has no column of that name"
				if listed && srcName == "" {
					why = "spec.columns skips it"
				}
				return nil, refuse(cqlv1.ReasonUnmappedKey, "column %q of the primary key of %s.%s has no source: %s; map it with spec.columns (target: %s, source: <a source column>)", tc.Name, target.Keyspace, target.Name, why, tc.Name)
			}
			continue // left null
		}
		sc := *source.Column(srcName)
		col, r := mapColumn(tc, sc, key, sourceTypes, targetTypes)
		if r != nil {
			return nil, r
		}
		col.value, col.writetime, col.ttl = -1, -1, -1
		if i := slices.Index(m.sourceKeyNames, sc.Name); i >= 0 {
			col.value = m.sourceKeys[i]
		} else {
			col.value = slot(render.Ident(sc.Name))
		}
		sourceIsKey := sc.Kind == "partition_key" || sc.Kind == "clustering"
		switch {
		case sourceIsKey:
		case col.sourceShape == fields_:
			for _, f := range col.fieldNames {
				col.fieldWritetime = append(col.fieldWritetime, slot("WRITETIME("+render.Ident(sc.Name)+"."+render.Ident(f)+")"))
				col.fieldTT = append(col.fieldTT, slot("TTL("+render.Ident(sc.Name)+"."+render.Ident(f)+")"))
			}
		default:
			col.writetime = slot("WRITETIME(" + render.Ident(sc.Name) + ")")
			col.ttl = slot("TTL(" + render.Ident(sc.Name) + ")")
		}
		if key {
			m.keys = append(m.keys, col)
		} else {
			m.cells = append(m.cells, col)
		}
	}
	tokenOf := "token(" + strings.Join(partition, ", ") + ")"
	m.selectCQL = fmt.Sprintf("SELECT %s FROM %s WHERE %s > ? AND %s <= ?", strings.Join(exprs, ", "),
		render.QualifiedName(source.Keyspace, source.Name), tokenOf, tokenOf)
	m.slots = len(exprs)
	return m, nil
}

// mapColumn decides how a target column is written from a source column, or refuses.
func mapColumn(tc, sc introspect.Column, key bool, sourceTypes, targetTypes map[string]*introspect.UserType) (*column, *Refusal) {
	tt, err := schema.ParseType(tc.Type)
	if err != nil {
		return nil, refuse(cqlv1.ReasonUnsafeConversion, "column %q: cannot read its type %q: %v", tc.Name, tc.Type, err)
	}
	st, err := schema.ParseType(sc.Type)
	if err != nil {
		return nil, refuse(cqlv1.ReasonUnsafeConversion, "column %q: cannot read the type %q of source column %q: %v", tc.Name, sc.Type, sc.Name, err)
	}
	col := &column{target: tc, source: sc, key: key, targetShape: shapeOf(tt), sourceShape: shapeOf(st), perElement: 1}
	if tt.Kind == schema.KindMap {
		col.perElement = 2
	}
	unsafe := func(format string, args ...any) (*column, *Refusal) {
		return nil, refuse(cqlv1.ReasonUnsafeConversion, "column %q (%s) from source column %q (%s): "+format,
			append([]any{tc.Name, tc.Type, sc.Name, sc.Type}, args...)...)
	}
	if col.targetShape == listCells {
		return unsafe("a non-frozen list cannot be written idempotently (each write appends new elements); declare the target column frozen<%s>", tt.String())
	}
	// Types of one name in two keyspaces may differ: every user-defined type in the value, at any
	// depth, must have the same fields on both sides (even when the column types read the same).
	if r := udtsDiffer(st, tt, sourceTypes, targetTypes); r != "" {
		return unsafe("%s", r)
	}
	if col.targetShape == single && col.sourceShape == single {
		conv, ok := safeConversion(st.String(), tt.String())
		if !ok {
			if st.Kind == schema.KindUDT || tt.Kind == schema.KindUDT {
				if r := sameUDT(st, tt, sourceTypes, targetTypes); r == "" {
					return col, nil
				} else {
					return unsafe("%s", r)
				}
			}
			return unsafe("not one of the safe conversions (equal types; tinyint, smallint, int to a wider integer or varint; bigint to varint; float to double; ascii to text; freezing or unfreezing a set, a map or a user-defined type)")
		}
		col.convert = conv
		return col, nil
	}
	// A set, a map or a user-defined type frozen on one side and not on the other: the parts must be
	// the same.
	if st.Kind != tt.Kind {
		return unsafe("not one of the safe conversions")
	}
	if st.Kind == schema.KindUDT {
		if r := sameUDT(st, tt, sourceTypes, targetTypes); r != "" {
			return unsafe("%s", r)
		}
		col.fieldNames = fieldNames(tt, targetTypes)
		return col, nil
	}
	if unfrozen(st).String() != unfrozen(tt).String() {
		return unsafe("the elements differ; only freezing or unfreezing the same %s is safe", tt.Kind)
	}
	return col, nil
}

func shapeOf(t schema.Type) shape {
	switch {
	case t.Frozen:
		return single
	case t.Kind == schema.KindSet || t.Kind == schema.KindMap:
		return elements_
	case t.Kind == schema.KindList:
		return listCells
	case t.Kind == schema.KindUDT:
		return fields_
	}
	return single
}

// unfrozen is t without its outer frozen<>.
func unfrozen(t schema.Type) schema.Type {
	t.Frozen = false
	return t
}

// sameUDT says how two user-defined types differ ("" when they have the same fields, names and
// types, in the same order: their values have the same bytes).
func sameUDT(st, tt schema.Type, sourceTypes, targetTypes map[string]*introspect.UserType) string {
	if st.Kind != schema.KindUDT || tt.Kind != schema.KindUDT {
		return "not one of the safe conversions"
	}
	s, t := sourceTypes[st.Name], targetTypes[tt.Name]
	if s == nil || t == nil {
		return "a user-defined type was not found in its keyspace"
	}
	if len(s.Fields) != len(t.Fields) {
		return fmt.Sprintf("types %q and %q have different fields", st.Name, tt.Name)
	}
	for i := range s.Fields {
		if s.Fields[i] != t.Fields[i] {
			return fmt.Sprintf("types %q and %q differ at field %q", st.Name, tt.Name, t.Fields[i].Name)
		}
	}
	return ""
}

// udtsDiffer walks two types side by side and says how a pair of user-defined types in them
// differs, their fields' types included ("" when none does; other differences are not its
// concern).
func udtsDiffer(st, tt schema.Type, sourceTypes, targetTypes map[string]*introspect.UserType) string {
	if st.Kind == schema.KindUDT && tt.Kind == schema.KindUDT {
		if r := sameUDT(st, tt, sourceTypes, targetTypes); r != "" {
			return r
		}
		s, t := sourceTypes[st.Name], targetTypes[tt.Name]
		for i := range s.Fields {
			sf, err1 := schema.ParseType(s.Fields[i].Type)
			tf, err2 := schema.ParseType(t.Fields[i].Type)
			if err1 != nil || err2 != nil {
				return fmt.Sprintf("cannot read the type of field %q of %q", t.Fields[i].Name, tt.Name)
			}
			if r := udtsDiffer(sf, tf, sourceTypes, targetTypes); r != "" {
				return r
			}
		}
		return ""
	}
	if st.Kind != tt.Kind || len(st.Params) != len(tt.Params) {
		return ""
	}
	for i := range st.Params {
		if r := udtsDiffer(st.Params[i], tt.Params[i], sourceTypes, targetTypes); r != "" {
			return r
		}
	}
	return ""
}

func fieldNames(t schema.Type, types map[string]*introspect.UserType) []string {
	var out []string
	if u := types[t.Name]; u != nil {
		for _, f := range u.Fields {
			out = append(out, f.Name)
		}
	}
	return out
}
