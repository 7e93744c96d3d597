package adopt

import (
	"maps"
	"slices"

	"github.com/cqlsync/cqlsync/internal/cql/introspect"
	"github.com/cqlsync/cqlsync/internal/cql/render"
)

// unmanagedObjects are the keyspace's objects that cqlsync does not manage, as skips.
func unmanagedObjects(u *introspect.Unmanaged) []Skip {
	if u == nil {
		return nil
	}
	var out []Skip
	for _, o := range []struct {
		kind, reason string
		names        []string
	}{
		{"materialized view", "materialized views are not managed by cqlsync", u.Views},
		{"function", "user-defined functions are not managed by cqlsync", u.Functions},
		{"aggregate", "user-defined aggregates are not managed by cqlsync", u.Aggregates},
		{"trigger", "triggers are not managed by cqlsync", u.Triggers},
	} {
		for _, name := range o.names {
			out = append(out, Skip{What: o.kind + " " + render.Ident(name), Reason: o.reason})
		}
	}
	return out
}

// unmanagedOptions are the options of a table that TableOptions has no field for and that differ
// from their default, as skips.
func unmanagedOptions(table string, u *introspect.Unmanaged) []Skip {
	if u == nil {
		return nil
	}
	opts := u.TableOptions[table]
	var out []Skip
	for _, name := range slices.Sorted(maps.Keys(opts)) {
		out = append(out, Skip{What: "option " + name + " = " + opts[name] + " of table " + render.Ident(table),
			Reason: "a TableModel has no field for it"})
	}
	return out
}
