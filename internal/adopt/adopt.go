package adopt

import (
	"maps"
	"slices"
	"strings"

	"sigs.k8s.io/controller-runtime/pkg/client"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
	"github.com/cqlsync/cqlsync/internal/cql/introspect"
	"github.com/cqlsync/cqlsync/internal/cql/render"
)

// Source is one keyspace to import.
type Source struct {
	// Schema is the keyspace as introspect.ReadKeyspaceSchema reads it, or as ddl.Parse gives it.
	// A nil Replication means the replication is unknown (a DESCRIBE TABLE text that does not
	// create its keyspace): no Keyspace resource is written.
	Schema *introspect.KeyspaceSchema
	// Unmanaged is what the keyspace holds that cqlsync does not manage; nil for nothing.
	Unmanaged *introspect.Unmanaged
	// Notes are remarks about the source rather than the schema, written at the top of the
	// keyspace's output (e.g. the statements of a schema file that could not be read).
	Notes []string
}

// Options are the choices of the person importing.
type Options struct {
	// Namespace is the metadata.namespace of every resource; empty leaves it out (the namespace
	// kubectl applies to).
	Namespace string
	// Connection is the CassandraConnection every resource lists in spec.connections; empty lists
	// none, which means the namespace's default connection.
	Connection string
	// ClusterConnection is the ClusterCassandraConnection every resource lists in
	// spec.connections instead ({kind: ClusterCassandraConnection, name: ...}). At most one of
	// Connection and ClusterConnection is set.
	ClusterConnection string
}

// Output is the import of one keyspace.
type Output struct {
	// Keyspace is the CQL name of the keyspace.
	Keyspace string
	// File is the file name for this keyspace when each keyspace has its own file:
	// the keyspace's metadata.name and .yaml.
	File string
	// Header are comment lines about the whole keyspace (what was not imported, notes).
	Header []string
	// Documents are the resources: the Keyspace, the UserTypes by name, the TableModels by name.
	Documents []Document
	// Skipped is everything left out, whole objects and parts of tables, in the order of the
	// output.
	Skipped []Skip
}

// Count returns how many resources of a kind ("Keyspace", "UserType", "TableModel") the output has.
func (o Output) Count(kind string) int {
	n := 0
	for _, d := range o.Documents {
		if d.Object.GetObjectKind().GroupVersionKind().Kind == kind {
			n++
		}
	}
	return n
}

// Document is one resource and the comment lines written above it.
type Document struct {
	Comments []string
	Object   client.Object
}

// Skip is something that was not imported.
type Skip struct {
	// What names it: `table "Events"`, `index "by_x" of table "t"`, `option memtable of table "t"`.
	What string
	// Reason says why.
	Reason string
}

func (s Skip) String() string { return s.What + ": " + s.Reason }

// Convert builds the resources of every source, in keyspace order (by CQL name). Names are made
// unique across all of them.
func Convert(sources []Source, opts Options) []Output {
	sources = slices.Clone(sources)
	slices.SortFunc(sources, func(a, b Source) int { return strings.Compare(a.Schema.Name, b.Schema.Name) })
	n := newNamer(sources)
	out := make([]Output, 0, len(sources))
	for _, src := range sources {
		out = append(out, convertKeyspace(src, opts, n))
	}
	return out
}

// convertKeyspace builds one keyspace's output.
func convertKeyspace(src Source, opts Options, n *namer) Output {
	ks := src.Schema
	o := Output{Keyspace: ks.Name, File: n.keyspace(ks.Name) + ".yaml"}
	var skipped []Skip
	if k, skip := keyspaceResource(ks, opts, n); skip != nil {
		skipped = append(skipped, *skip)
	} else {
		o.Documents = append(o.Documents, Document{Object: k})
	}
	for _, name := range slices.Sorted(maps.Keys(ks.Types)) {
		ut, skip := userType(ks.Types[name], opts, n)
		if skip != nil {
			skipped = append(skipped, *skip)
			continue
		}
		o.Documents = append(o.Documents, Document{Object: ut})
	}
	skipped = append(skipped, unmanagedObjects(src.Unmanaged)...)
	var tableDocs []Document
	for _, name := range slices.Sorted(maps.Keys(ks.Tables)) {
		t := ks.Tables[name]
		tm, parts, skip := tableModel(t, opts, n)
		if skip != nil {
			skipped = append(skipped, *skip)
			continue
		}
		parts = append(parts, unmanagedOptions(t.Name, src.Unmanaged)...)
		doc := Document{Object: tm}
		if len(parts) > 0 {
			doc.Comments = append(doc.Comments, notImported)
			doc.Comments = append(doc.Comments, indent(parts)...)
		}
		tableDocs = append(tableDocs, doc)
		o.Skipped = append(o.Skipped, parts...)
	}
	o.Documents = append(o.Documents, tableDocs...)
	o.Skipped = append(skipped, o.Skipped...)

	o.Header = []string{"Keyspace " + render.Ident(ks.Name) + ", imported by cqlsync import."}
	o.Header = append(o.Header, src.Notes...)
	if len(skipped) > 0 {
		o.Header = append(o.Header, notImported)
		o.Header = append(o.Header, indent(skipped)...)
	}
	return o
}

// notImported introduces the list of what was left out, in a comment.
const notImported = "Not imported (cqlsync leaves these as they are):"

// connections is spec.connections of every resource: the connection the import names, or none
// (the namespace's default connection).
func connections(opts Options) []cqlv1.ConnectionRef {
	switch {
	case opts.ClusterConnection != "":
		return []cqlv1.ConnectionRef{cqlv1.ClusterScoped(opts.ClusterConnection)}
	case opts.Connection != "":
		return []cqlv1.ConnectionRef{cqlv1.Namespaced(opts.Connection)}
	}
	return nil
}

func indent(skips []Skip) []string {
	out := make([]string, len(skips))
	for i, s := range skips {
		out[i] = "  " + s.String()
	}
	return out
}
