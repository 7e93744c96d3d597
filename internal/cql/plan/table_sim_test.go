package plan

import (
	"maps"
	"strings"
	"testing"

	"github.com/cqlsync/cqlsync/internal/cql/introspect"
	"github.com/cqlsync/cqlsync/internal/cql/schema"
)

// typeOf parses a type for a test.
func typeOf(t testing.TB, text string) schema.Type {
	t.Helper()
	typ, err := schema.ParseType(text)
	if err != nil {
		t.Fatalf("ParseType(%q): %v", text, err)
	}
	return typ
}

// liveDefaults are the options Cassandra 5.0 gives a table created without any (as read from
// system_schema.tables of the test rig).
func liveDefaults() introspect.TableOptions {
	return introspect.TableOptions{
		AdditionalWritePolicy: "99p",
		BloomFilterFPChance:   0.01,
		Caching:               map[string]string{"keys": "ALL", "rows_per_partition": "NONE"},
		Compaction: map[string]string{"class": "org.apache.cassandra.db.compaction.SizeTieredCompactionStrategy",
			"max_threshold": "32", "min_threshold": "4"},
		Compression:      map[string]string{"chunk_length_in_kb": "16", "class": "org.apache.cassandra.io.compress.LZ4Compressor"},
		CRCCheckChance:   1,
		GCGraceSeconds:   864000,
		MaxIndexInterval: 2048,
		MinIndexInterval: 128,
		ReadRepair:       "BLOCKING",
		SpeculativeRetry: "99p",
	}
}

// simulate is what Cassandra 5.0 stores in system_schema after the CREATE TABLE and CREATE INDEX
// statements of d: the normal form of the types, the clustering order in lower case, the option
// classes fully qualified, caching in upper case, retry policies normalised, index class names
// as given and targets as ColumnIdentifier.maybeQuote writes them.
func simulate(d Table) *introspect.KeyspaceSchema {
	ks := &introspect.KeyspaceSchema{Name: d.Keyspace, Tables: map[string]*introspect.Table{}, IndexTables: map[string]string{}}
	tbl := &introspect.Table{Keyspace: d.Keyspace, Name: d.Name, Options: liveDefaults()}
	kind := map[string]string{}
	pos := map[string]int{}
	order := map[string]string{}
	for i, n := range d.PartitionKey {
		kind[n], pos[n] = introspect.KindPartitionKey, i
	}
	for i, c := range d.ClusteringKey {
		kind[c.Name], pos[c.Name], order[c.Name] = introspect.KindClustering, i, "asc"
		if c.Descending {
			order[c.Name] = "desc"
		}
	}
	types := map[string]schema.Type{}
	for _, c := range d.Columns {
		types[c.Name] = c.Type
		col := introspect.Column{Name: c.Name, Kind: introspect.KindRegular, Position: -1, ClusteringOrder: "none", Type: c.Type.String()}
		if k, ok := kind[c.Name]; ok {
			col.Kind, col.Position = k, pos[c.Name]
			if o, ok := order[c.Name]; ok {
				col.ClusteringOrder = o
			}
		} else if c.Static {
			col.Kind = introspect.KindStatic
		}
		tbl.Columns = append(tbl.Columns, col)
	}
	introspect.SortColumns(tbl.Columns)
	o := &tbl.Options
	opt := d.Options
	if opt.Comment != nil {
		o.Comment = *opt.Comment
	}
	setInt := func(dst *int, v *int32) {
		if v != nil {
			*dst = int(*v)
		}
	}
	setInt(&o.DefaultTimeToLive, opt.DefaultTimeToLive)
	setInt(&o.GCGraceSeconds, opt.GCGraceSeconds)
	setInt(&o.MemtableFlushPeriodInMs, opt.MemtableFlushPeriodInMs)
	setInt(&o.MinIndexInterval, opt.MinIndexInterval)
	setInt(&o.MaxIndexInterval, opt.MaxIndexInterval)
	if opt.BloomFilterFPChance != nil {
		o.BloomFilterFPChance = *opt.BloomFilterFPChance
	}
	if opt.CRCCheckChance != nil {
		o.CRCCheckChance = *opt.CRCCheckChance
	}
	if opt.CDC != nil {
		o.CDC = *opt.CDC
	}
	if opt.ReadRepair != nil {
		o.ReadRepair = strings.ToUpper(*opt.ReadRepair)
	}
	if opt.SpeculativeRetry != nil {
		o.SpeculativeRetry = NormalizeRetryPolicy(*opt.SpeculativeRetry)
	}
	if opt.AdditionalWritePolicy != nil {
		o.AdditionalWritePolicy = NormalizeRetryPolicy(*opt.AdditionalWritePolicy)
	}
	if len(opt.Compaction) > 0 {
		o.Compaction = map[string]string{"max_threshold": "32", "min_threshold": "4"}
		maps.Copy(o.Compaction, opt.Compaction)
		o.Compaction["class"] = qualify("org.apache.cassandra.db.compaction.", opt.Compaction["class"])
	}
	if len(opt.Compression) > 0 {
		if strings.EqualFold(opt.Compression["enabled"], "false") {
			o.Compression = map[string]string{"enabled": "false"}
		} else {
			o.Compression = map[string]string{"chunk_length_in_kb": "16"}
			maps.Copy(o.Compression, opt.Compression)
			delete(o.Compression, "enabled")
			o.Compression["class"] = qualify("org.apache.cassandra.io.compress.", opt.Compression["class"])
		}
	}
	if len(opt.Caching) > 0 {
		o.Caching = map[string]string{"keys": "ALL", "rows_per_partition": "NONE"}
		for k, v := range opt.Caching {
			o.Caching[k] = strings.ToUpper(v)
		}
	}
	for _, ix := range d.Indexes {
		li := introspect.Index{Name: ix.Name, Table: d.Name, Kind: introspect.IndexKindComposites,
			Options: map[string]string{"target": StoredIndexTarget(ix.Column, EffectiveIndexTarget(ix.Target, types[ix.Column]))}}
		if ix.Using != "" {
			li.Kind = introspect.IndexKindCustom
			li.Options["class_name"] = ix.Using
			for k, v := range ix.Options {
				li.Options[k] = v
			}
		}
		tbl.Indexes = append(tbl.Indexes, li)
		ks.IndexTables[ix.Name] = d.Name
	}
	ks.Tables[d.Name] = tbl
	return ks
}

func qualify(pkg, class string) string {
	if class == "" || strings.Contains(class, ".") {
		return class
	}
	return pkg + class
}
