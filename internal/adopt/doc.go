// Package adopt turns the schema of existing Cassandra keyspaces into cqlsync resources: one
// Keyspace per keyspace, one UserType per user-defined type and one TableModel per table, built
// with the Go types of api/v1alpha1 and written as YAML. It is the inverse of the controllers'
// first step (resource -> desired schema), and what `cqlsync import` runs.
//
// Its input is what package introspect reads live from system_schema, or what package ddl parses
// from DESCRIBE text: both give the same introspect.KeyspaceSchema and introspect.Unmanaged
// values, so importing a keyspace from the cluster and from its DESCRIBE output writes the same
// bytes.
//
// # The guarantee, and how the conversion keeps it
//
// Applied to the cluster it came from, the output must plan no statement (every resource Ready,
// no DDL, no drift); applied to an empty cluster, it must create the same system_schema rows.
// So every value is the one the planner compares with what Cassandra stores:
//
//   - column and field types are the stored type text, which schema.ParseType reads back to the
//     same text (anything else is not imported);
//   - partition key, clustering key and order, static columns: as stored;
//   - column masks (Cassandra 5.0): the built-in function by its name (mask_inner) or a
//     user-defined one as keyspace.function, with the stored argument literals, kept only when
//     the mask the operator builds from them (schema.NewMask) is the stored one;
//   - indexes: the stored target (c, "MyCol", keys(m), values(l), entries(m), full(f)) mapped back
//     to a column and a target, kept only when the planner would store the same target again;
//     the class of a custom index as given at creation, and its options;
//   - table options: only those that differ from what Cassandra 5.0 stores for a table created
//     without them (ddl.DefaultTableOptions; bloom_filter_fp_chance by the table's compaction),
//     each with its stored value (built-in compaction and compression classes by their short
//     names, which the planner takes for the same class).
//
// # What is not imported
//
// Conversion never fails. What a resource cannot express is left out and said, in a comment of
// the output and in Output.Skipped: a whole keyspace resource, table or type (a name or type the
// API does not accept, a replication it has no field for, a static counter, a column mask it
// cannot declare, more columns than a TableModel holds), or part of a table (an index shape, an
// option value the API does not accept, the table options it has no field for). A table with a
// mask it cannot declare is left out whole: without the mask, the operator would drop it. Left
// out too are the objects cqlsync does not manage: materialized views, functions, aggregates and triggers.
// The operator leaves all of these as they are.
//
// # Names
//
// metadata.name is a DNS-1123 name derived from the CQL name: lower case, other characters than
// letters and digits turned into '-'; TableModels and UserTypes are named keyspace.name, so that
// the same table in two keyspaces gets two names. Names that fold to the same text (Users and
// users) are told apart by a short hash of the exact CQL name, deterministically; spec.name always
// carries the exact CQL name. Output is sorted and has no timestamps, so importing again gives a
// clean diff.
package adopt
