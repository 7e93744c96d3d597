package introspect

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	gocql "github.com/apache/cassandra-gocql-driver/v2"
)

// Unmanaged is what system_schema says about a keyspace beyond [KeyspaceSchema]: the objects and
// the table options that cqlsync does not manage. The controllers never read it; cqlsync import
// reads it to say what it leaves out, and package ddl gives the same from DESCRIBE text.
type Unmanaged struct {
	// Views, Functions, Aggregates and Triggers are the names of the keyspace's materialized
	// views, user-defined functions, user-defined aggregates and triggers, sorted, each once (the
	// overloads of a function or aggregate share its name).
	Views, Functions, Aggregates, Triggers []string
	// TableOptions maps a table to the options it sets to something other than their default,
	// among the options of system_schema.tables that [TableOptions] does not hold: option name to
	// value, as [UnmanagedTableOptions] gives them. Tables that set none are absent.
	TableOptions map[string]map[string]string
}

// Empty reports whether there is nothing unmanaged.
func (u *Unmanaged) Empty() bool {
	return u == nil || len(u.Views)+len(u.Functions)+len(u.Aggregates)+len(u.Triggers)+len(u.TableOptions) == 0
}

// Names of the options of system_schema.tables that TableOptions does not hold.
const (
	OptionAllowAutoSnapshot  = "allow_auto_snapshot"
	OptionIncrementalBackups = "incremental_backups"
	OptionMemtable           = "memtable"
	OptionExtensions         = "extensions"
)

// UnmanagedTableOptions returns the options outside TableOptions that a table sets to something
// other than Cassandra 5.0's default, or nil: allow_auto_snapshot and incremental_backups when
// false ("false"; unset and true are the default), memtable when it names a configuration other
// than "default", and extensions when the table has any (their names, sorted, joined by ", ":
// their values are opaque blobs).
func UnmanagedTableOptions(allowAutoSnapshot, incrementalBackups *bool, memtable string, extensions []string) map[string]string {
	out := map[string]string{}
	if allowAutoSnapshot != nil && !*allowAutoSnapshot {
		out[OptionAllowAutoSnapshot] = "false"
	}
	if incrementalBackups != nil && !*incrementalBackups {
		out[OptionIncrementalBackups] = "false"
	}
	if memtable != "" && memtable != "default" {
		out[OptionMemtable] = memtable
	}
	if len(extensions) > 0 {
		out[OptionExtensions] = strings.Join(slices.Sorted(slices.Values(extensions)), ", ")
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// The queries of ReadUnmanaged, each for the whole keyspace.
const (
	selectViews      = `SELECT view_name FROM system_schema.views WHERE keyspace_name = ?`
	selectFunctions  = `SELECT function_name FROM system_schema.functions WHERE keyspace_name = ?`
	selectAggregates = `SELECT aggregate_name FROM system_schema.aggregates WHERE keyspace_name = ?`
	selectTriggers   = `SELECT trigger_name FROM system_schema.triggers WHERE keyspace_name = ?`
	// allow_auto_snapshot and incremental_backups came in 5.0, memtable in 4.1, and a query naming
	// a column the server lacks fails: the columns are those system_schema.tables has.
	selectUnmanagedTables = `SELECT table_name, %s FROM system_schema.tables WHERE keyspace_name = ?`
	selectSchemaColumns   = `SELECT column_name FROM system_schema.columns WHERE keyspace_name = 'system_schema' AND table_name = ?`
)

// ReadUnmanaged reads what cqlsync does not manage in a keyspace: its views, functions,
// aggregates and triggers, and the table options outside TableOptions that differ from their
// default. It sends six queries.
func ReadUnmanaged(ctx context.Context, s *gocql.Session, keyspace string) (*Unmanaged, error) {
	u := &Unmanaged{TableOptions: map[string]map[string]string{}}
	for _, l := range []struct {
		query string
		into  *[]string
	}{
		{selectViews, &u.Views},
		{selectFunctions, &u.Functions},
		{selectAggregates, &u.Aggregates},
		{selectTriggers, &u.Triggers},
	} {
		names, err := readNames(ctx, s, l.query, keyspace)
		if err != nil {
			return nil, err
		}
		*l.into = names
	}
	has, err := readNames(ctx, s, selectSchemaColumns, "tables")
	if err != nil {
		return nil, err
	}
	var (
		snapshot, backups *bool
		memtable          string
		extensions        map[string][]byte
		names             []string
		dest              []any
	)
	for _, c := range []struct {
		name string
		into any
	}{
		{OptionAllowAutoSnapshot, &snapshot},
		{OptionIncrementalBackups, &backups},
		{OptionMemtable, &memtable},
		{OptionExtensions, &extensions},
	} {
		if slices.Contains(has, c.name) {
			names, dest = append(names, c.name), append(dest, c.into)
		}
	}
	if len(names) == 0 {
		return finishUnmanaged(u), nil
	}
	var table string
	iter := s.Query(fmt.Sprintf(selectUnmanagedTables, strings.Join(names, ", ")), keyspace).Idempotent(true).IterContext(ctx)
	for {
		snapshot, backups, memtable, extensions = nil, nil, "", nil
		if !iter.Scan(append([]any{&table}, dest...)...) {
			break
		}
		if opts := UnmanagedTableOptions(snapshot, backups, memtable, slices.Collect(maps.Keys(extensions))); opts != nil {
			u.TableOptions[table] = opts
		}
	}
	if err := iter.Close(); err != nil {
		return nil, fmt.Errorf("reading system_schema.tables: %w", err)
	}
	return finishUnmanaged(u), nil
}

// finishUnmanaged leaves TableOptions nil when no table sets any.
func finishUnmanaged(u *Unmanaged) *Unmanaged {
	if len(u.TableOptions) == 0 {
		u.TableOptions = nil
	}
	return u
}

// readNames runs a query of one text column and returns its values sorted, each once.
func readNames(ctx context.Context, s *gocql.Session, query string, args ...any) ([]string, error) {
	iter := s.Query(query, args...).Idempotent(true).IterContext(ctx)
	var names []string
	var name string
	for iter.Scan(&name) {
		names = append(names, name)
	}
	if err := iter.Close(); err != nil {
		return nil, fmt.Errorf("%s: %w", query, err)
	}
	slices.Sort(names)
	return slices.Compact(names), nil
}
