package engine

import (
	"fmt"
	"strconv"
	"strings"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
	"github.com/cqlsync/cqlsync/internal/cql/plan"
	"github.com/cqlsync/cqlsync/internal/cql/schema"
)

// desiredTable turns a TableModel's spec into the planner's table (without a keyspace: each target
// sets its own). Types are parsed here; everything the CRD's validation cannot check about types
// and indexes is checked too, and the first problem is returned: a type that does not parse, a
// non-frozen collection or a duration in the primary key, a counter outside a counter table, an
// index target that does not fit its column. User-defined types are checked per target, against
// the keyspace's types (see checkTypes).
func desiredTable(tm *cqlv1.TableModel) (plan.Table, *Problem) {
	s := &tm.Spec
	d := plan.Table{
		Name:             tm.CQLName(),
		AllowDropColumns: s.AllowDropColumns,
		AllowDropIndexes: s.AllowDropIndexes,
	}
	invalidType := func(format string, args ...any) *Problem {
		return &Problem{Reason: cqlv1.ReasonInvalidType, Message: fmt.Sprintf(format, args...)}
	}
	keys := map[string]bool{}
	for _, k := range s.PartitionKey {
		d.PartitionKey = append(d.PartitionKey, string(k))
		keys[string(k)] = true
	}
	for _, c := range s.ClusteringKey {
		d.ClusteringKey = append(d.ClusteringKey, plan.ClusteringColumn{Name: string(c.Name), Descending: c.Order == "DESC"})
		keys[string(c.Name)] = true
	}
	types := map[string]schema.Type{}
	counters, others := 0, 0
	for i, c := range s.Columns {
		field := fmt.Sprintf("spec.columns[%d] (%s)", i, c.Name)
		t, err := schema.ParseType(c.Type)
		if err != nil {
			return d, invalidType("%s: %v", field, err)
		}
		if keys[string(c.Name)] {
			switch {
			case t.IsMultiCell():
				return d, invalidType("%s: %s cannot be in the primary key: a key column must be a single cell (write frozen<%s>)", field, t, t)
			case t.ContainsDuration():
				return d, invalidType("%s: %s cannot be in the primary key: durations are not comparable", field, t)
			case t.IsCounter():
				return d, invalidType("%s: counter cannot be in the primary key", field)
			}
		} else if t.IsCounter() {
			counters++
		} else {
			others++
		}
		if c.Static && t.IsCounter() {
			return d, invalidType("%s: a counter column cannot be static", field)
		}
		types[string(c.Name)] = t
		col := plan.Column{Name: string(c.Name), Type: t, Static: c.Static}
		if c.Mask != nil {
			if col.Mask, err = schema.NewMask(c.Mask.Function, c.Mask.Arguments); err != nil {
				return d, &Problem{Reason: cqlv1.ReasonInvalidSpec, Message: fmt.Sprintf("%s.mask: %v", field, err)}
			}
		}
		d.Columns = append(d.Columns, col)
	}
	if counters > 0 && others > 0 {
		return d, invalidType("spec.columns: counter columns cannot be mixed with non-counter columns outside the primary key")
	}
	for i, ix := range s.Indexes {
		t := types[string(ix.Column)]
		if msg := indexTargetProblem(string(ix.Target), t); msg != "" {
			return d, &Problem{Reason: cqlv1.ReasonInvalidSpec, Message: fmt.Sprintf("spec.indexes[%d] (%s): %s", i, ix.Name, msg)}
		}
		d.Indexes = append(d.Indexes, plan.Index{Name: ix.Name, Column: string(ix.Column), Target: string(ix.Target), Using: ix.Using, Options: ix.Options})
	}
	opts, problem := tableOptions(s.Options)
	if problem != nil {
		return d, problem
	}
	d.Options = opts
	return d, nil
}

// indexTargetProblem says why a target cannot be used on a column of that type, or "".
func indexTargetProblem(target string, t schema.Type) string {
	isMap := t.Kind == schema.KindMap
	isColl := t.Kind == schema.KindList || t.Kind == schema.KindSet || isMap
	switch target {
	case "keys", "entries":
		if !isMap || t.Frozen {
			return fmt.Sprintf("target %s is only for non-frozen maps, and the column is %s", target, t)
		}
	case "values":
		if !isColl || t.Frozen {
			return fmt.Sprintf("target values is only for non-frozen collections, and the column is %s", t)
		}
	case "full":
		if !isColl || !t.Frozen {
			return fmt.Sprintf("target full is only for frozen collections, and the column is %s", t)
		}
	}
	return ""
}

// tableOptions converts the spec's options; decimals were checked by the CRD's patterns.
func tableOptions(o *cqlv1.TableOptions) (plan.TableOptions, *Problem) {
	var out plan.TableOptions
	if o == nil {
		return out, nil
	}
	parseFloat := func(field string, s *string) (*float64, *Problem) {
		if s == nil {
			return nil, nil
		}
		f, err := strconv.ParseFloat(strings.TrimSpace(*s), 64)
		if err != nil {
			return nil, &Problem{Reason: cqlv1.ReasonInvalidSpec, Message: fmt.Sprintf("spec.options.%s: %q is not a decimal", field, *s)}
		}
		return &f, nil
	}
	var p *Problem
	if out.BloomFilterFPChance, p = parseFloat("bloomFilterFpChance", o.BloomFilterFPChance); p != nil {
		return out, p
	}
	if out.CRCCheckChance, p = parseFloat("crcCheckChance", o.CRCCheckChance); p != nil {
		return out, p
	}
	out.Comment = o.Comment
	out.DefaultTimeToLive = o.DefaultTimeToLive
	out.GCGraceSeconds = o.GCGraceSeconds
	out.SpeculativeRetry = o.SpeculativeRetry
	out.AdditionalWritePolicy = o.AdditionalWritePolicy
	out.MemtableFlushPeriodInMs = o.MemtableFlushPeriodInMs
	out.MinIndexInterval = o.MinIndexInterval
	out.MaxIndexInterval = o.MaxIndexInterval
	out.CDC = o.CDC
	out.ReadRepair = o.ReadRepair
	out.Compaction = o.Compaction
	out.Compression = o.Compression
	out.Caching = o.Caching
	return out, nil
}
