package introspect

import (
	"context"
	"fmt"

	gocql "github.com/apache/cassandra-gocql-driver/v2"

	"github.com/cqlsync/cqlsync/internal/cql/schema"
)

// The queries of the schema reads. Each is for a whole keyspace, or for one object of it when
// its name is bound too. Every change to a keyspace's schema rewrites the keyspace's row of
// system_schema.keyspaces, and every change to a table (its columns, options or indexes) or to a
// type rewrites its row, each with the change's timestamp: the write times (stamps) say what
// changed since a read without reading it again.
const (
	selectKeyspaceRow = `SELECT replication, durable_writes, writetime(durable_writes) FROM system_schema.keyspaces WHERE keyspace_name = ?`
	tableColumns      = `table_name, additional_write_policy, bloom_filter_fp_chance, caching, cdc, comment, compaction, compression, crc_check_chance, default_time_to_live, gc_grace_seconds, max_index_interval, memtable_flush_period_in_ms, min_index_interval, read_repair, speculative_retry, writetime(id)`
	selectTables      = `SELECT ` + tableColumns + ` FROM system_schema.tables WHERE keyspace_name = ?`
	selectTable       = selectTables + ` AND table_name = ?`
	selectColumns     = `SELECT table_name, column_name, clustering_order, kind, position, type FROM system_schema.columns WHERE keyspace_name = ?`
	selectTableCols   = selectColumns + ` AND table_name = ?`
	selectIndexes     = `SELECT table_name, index_name, kind, options FROM system_schema.indexes WHERE keyspace_name = ?`
	selectTableIdx    = selectIndexes + ` AND table_name = ?`
	selectTypes       = `SELECT type_name, field_names, field_types, writetime(field_types) FROM system_schema.types WHERE keyspace_name = ?`
	selectType        = selectTypes + ` AND type_name = ?`
	selectMasks       = `SELECT table_name, column_name, function_keyspace, function_name, function_argument_types, function_argument_values, function_argument_nulls FROM system_schema.column_masks WHERE keyspace_name = ?`
	selectTableMasks  = selectMasks + ` AND table_name = ?`
	selectTableStamps = `SELECT table_name, writetime(id) FROM system_schema.tables WHERE keyspace_name = ?`
	selectTypeStamps  = `SELECT type_name, writetime(field_types) FROM system_schema.types WHERE keyspace_name = ?`
)

// SchemaQueriesPerKeyspace is how many system_schema queries reading a whole keyspace that exists
// costs on Cassandra 5.0 (one when it does not; one less before 5.0, which has no column masks).
const SchemaQueriesPerKeyspace = 6

// SchemaQueriesPerTable is how many system_schema queries reading one table again costs on
// Cassandra 5.0 (one less before 5.0).
const SchemaQueriesPerTable = 4

// schemaReader runs the queries of one read, all on one node: the node that answers the first
// query answers the others (when it is pinned), so that a read never mixes two nodes' views while
// they disagree.
type schemaReader struct {
	s        *gocql.Session
	keyspace string
	host     string
	// noMasks: the node that answers is older than 5.0 (no system_schema.column_masks).
	noMasks bool
	queries int
}

func (r *schemaReader) iter(ctx context.Context, stmt string, args ...any) *gocql.Iter {
	r.queries++
	q := r.s.Query(stmt, append([]any{r.keyspace}, args...)...).Idempotent(true)
	if r.host != "" {
		q = q.SetHostID(r.host)
	}
	it := q.IterContext(ctx)
	if r.host == "" && it.Host() != nil {
		r.host = it.Host().HostID()
		v := it.Host().Version()
		r.noMasks = v.Major > 0 && v.Major < 5
	}
	return it
}

// keyspaceRow reads the keyspace's row and its stamp; found is false when it does not exist.
func (r *schemaReader) keyspaceRow(ctx context.Context) (ks *KeyspaceSchema, stamp int64, found bool, err error) {
	ks = newKeyspaceSchema(r.keyspace)
	var repl map[string]string
	it := r.iter(ctx, selectKeyspaceRow)
	found = it.Scan(&repl, &ks.DurableWrites, &stamp)
	if err := it.Close(); err != nil {
		return nil, 0, false, fmt.Errorf("reading system_schema.keyspaces: %w", err)
	}
	ks.Replication = orEmpty(repl)
	return ks, stamp, found, nil
}

// one is stmt for the whole keyspace, or narrowed to one object with byName when name is set.
func one(stmt, byName, name string) (string, []any) {
	if name == "" {
		return stmt, nil
	}
	return byName, []any{name}
}

// tables reads the rows of system_schema.tables: every table of the keyspace, or the one named.
func (r *schemaReader) tables(ctx context.Context, name string) (map[string]*Table, map[string]int64, error) {
	tables, stamps := map[string]*Table{}, map[string]int64{}
	stmt, args := one(selectTables, selectTable, name)
	it := r.iter(ctx, stmt, args...)
	for {
		var (
			t                = &Table{Keyspace: r.keyspace}
			o                = &t.Options
			cach, comp, cmpr map[string]string
			stamp            int64
		)
		if !it.Scan(&t.Name, &o.AdditionalWritePolicy, &o.BloomFilterFPChance, &cach, &o.CDC, &o.Comment,
			&comp, &cmpr, &o.CRCCheckChance, &o.DefaultTimeToLive, &o.GCGraceSeconds, &o.MaxIndexInterval,
			&o.MemtableFlushPeriodInMs, &o.MinIndexInterval, &o.ReadRepair, &o.SpeculativeRetry, &stamp) {
			break
		}
		o.Caching, o.Compaction, o.Compression = orEmpty(cach), orEmpty(comp), orEmpty(cmpr)
		tables[t.Name], stamps[t.Name] = t, stamp
	}
	if err := it.Close(); err != nil {
		return nil, nil, fmt.Errorf("reading system_schema.tables: %w", err)
	}
	return tables, stamps, nil
}

// columns adds the columns of system_schema.columns to the tables read (of the keyspace, or of
// the one table named). Views have columns too; they are not tables and are skipped.
func (r *schemaReader) columns(ctx context.Context, name string, tables map[string]*Table) error {
	stmt, args := one(selectColumns, selectTableCols, name)
	it := r.iter(ctx, stmt, args...)
	for {
		var table string
		var c Column
		if !it.Scan(&table, &c.Name, &c.ClusteringOrder, &c.Kind, &c.Position, &c.Type) {
			break
		}
		if t := tables[table]; t != nil {
			t.Columns = append(t.Columns, c)
		}
	}
	if err := it.Close(); err != nil {
		return fmt.Errorf("reading system_schema.columns: %w", err)
	}
	for _, t := range tables {
		SortColumns(t.Columns)
	}
	return nil
}

// indexes adds the indexes of system_schema.indexes to the tables read.
func (r *schemaReader) indexes(ctx context.Context, name string, tables map[string]*Table) error {
	stmt, args := one(selectIndexes, selectTableIdx, name)
	it := r.iter(ctx, stmt, args...)
	for {
		var ix Index
		var opts map[string]string
		if !it.Scan(&ix.Table, &ix.Name, &ix.Kind, &opts) {
			break
		}
		ix.Options = orEmpty(opts)
		if t := tables[ix.Table]; t != nil {
			t.Indexes = append(t.Indexes, ix)
		}
	}
	if err := it.Close(); err != nil {
		return fmt.Errorf("reading system_schema.indexes: %w", err)
	}
	for _, t := range tables {
		SortIndexes(t.Indexes)
	}
	return nil
}

// masks sets the masks of system_schema.column_masks on the columns of the tables read (nothing
// to read before Cassandra 5.0).
func (r *schemaReader) masks(ctx context.Context, name string, tables map[string]*Table) error {
	if r.noMasks {
		return nil
	}
	stmt, args := one(selectMasks, selectTableMasks, name)
	it := r.iter(ctx, stmt, args...)
	for {
		var (
			table, column, ks, fn string
			types, values         []string
			nulls                 []bool
		)
		if !it.Scan(&table, &column, &ks, &fn, &types, &values, &nulls) {
			break
		}
		t := tables[table]
		if t == nil {
			continue
		}
		m := &schema.Mask{Function: fn}
		if ks != "system" {
			m.Keyspace = ks
		}
		for i, v := range values {
			typ, null := "", false
			if i < len(types) {
				typ = types[i]
			}
			if i < len(nulls) {
				null = nulls[i]
			}
			m.Arguments = append(m.Arguments, schema.MaskArgumentLiteral(typ, v, null))
		}
		for i := range t.Columns {
			if t.Columns[i].Name == column {
				t.Columns[i].Mask = m
			}
		}
	}
	if err := it.Close(); err != nil {
		return fmt.Errorf("reading system_schema.column_masks: %w", err)
	}
	return nil
}

// fullTables reads tables (all, or the one named) with their columns and indexes.
func (r *schemaReader) fullTables(ctx context.Context, name string) (map[string]*Table, map[string]int64, error) {
	tables, stamps, err := r.tables(ctx, name)
	if err != nil {
		return nil, nil, err
	}
	if name != "" && len(tables) == 0 {
		return tables, stamps, nil // dropped: nothing more to read
	}
	if err := r.columns(ctx, name, tables); err != nil {
		return nil, nil, err
	}
	if err := r.indexes(ctx, name, tables); err != nil {
		return nil, nil, err
	}
	if err := r.masks(ctx, name, tables); err != nil {
		return nil, nil, err
	}
	return tables, stamps, nil
}

// types reads the user-defined types of the keyspace, or the one named.
func (r *schemaReader) types(ctx context.Context, name string) (map[string]*UserType, map[string]int64, error) {
	types, stamps := map[string]*UserType{}, map[string]int64{}
	stmt, args := one(selectTypes, selectType, name)
	it := r.iter(ctx, stmt, args...)
	for {
		var (
			typeName      string
			names, fields []string
			stamp         int64
		)
		if !it.Scan(&typeName, &names, &fields, &stamp) {
			break
		}
		ut := &UserType{Keyspace: r.keyspace, Name: typeName}
		for i, n := range names {
			f := Field{Name: n}
			if i < len(fields) {
				f.Type = fields[i]
			}
			ut.Fields = append(ut.Fields, f)
		}
		types[typeName], stamps[typeName] = ut, stamp
	}
	if err := it.Close(); err != nil {
		return nil, nil, fmt.Errorf("reading system_schema.types: %w", err)
	}
	return types, stamps, nil
}

// stamps reads the write time of every table's and every type's row: what changed since they
// were read, without reading it.
func (r *schemaReader) stamps(ctx context.Context) (tables, types map[string]int64, err error) {
	read := func(stmt, what string) (map[string]int64, error) {
		out := map[string]int64{}
		it := r.iter(ctx, stmt)
		var name string
		var stamp int64
		for it.Scan(&name, &stamp) {
			out[name] = stamp
		}
		if err := it.Close(); err != nil {
			return nil, fmt.Errorf("reading the write times of %s: %w", what, err)
		}
		return out, nil
	}
	if tables, err = read(selectTableStamps, "system_schema.tables"); err != nil {
		return nil, nil, err
	}
	if types, err = read(selectTypeStamps, "system_schema.types"); err != nil {
		return nil, nil, err
	}
	return tables, types, nil
}

// stampedSchema is a keyspace read whole, with the stamps of its parts.
type stampedSchema struct {
	schema                  *KeyspaceSchema // nil: the keyspace does not exist
	stamp                   int64
	tableStamps, typeStamps map[string]int64
}

// readAll reads the whole keyspace: its row, tables, columns, indexes and types.
func (r *schemaReader) readAll(ctx context.Context) (stampedSchema, error) {
	ks, stamp, found, err := r.keyspaceRow(ctx)
	if err != nil || !found {
		return stampedSchema{}, err
	}
	out := stampedSchema{schema: ks, stamp: stamp}
	if ks.Tables, out.tableStamps, err = r.fullTables(ctx, ""); err != nil {
		return stampedSchema{}, err
	}
	if ks.Types, out.typeStamps, err = r.types(ctx, ""); err != nil {
		return stampedSchema{}, err
	}
	ks.indexTables()
	return out, nil
}

// ReadKeyspaceSchema reads the replication, tables, columns, indexes and user-defined types of a
// keyspace, with one query per system table for the whole keyspace. It returns (nil, nil) when
// the keyspace does not exist. queries is how many queries were sent.
func ReadKeyspaceSchema(ctx context.Context, s *gocql.Session, keyspace string) (ks *KeyspaceSchema, queries int, err error) {
	r := &schemaReader{s: s, keyspace: keyspace}
	got, err := r.readAll(ctx)
	return got.schema, r.queries, err
}
