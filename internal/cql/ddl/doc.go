// Package ddl reads CQL schema text, such as the output of DESCRIBE KEYSPACE or DESCRIBE SCHEMA,
// into the values package introspect reads live from system_schema: one
// *introspect.KeyspaceSchema per keyspace, with its tables (columns, options, indexes) and
// user-defined types. It is the offline half of importing a schema: importing a keyspace from
// its DESCRIBE text must give exactly what importing it live gives.
//
// # What it reads
//
// [Parse] takes any mix of the statements that describe a schema, as cqlsh, Cassandra's
// server-side DESCRIBE (4.0+, WITH INTERNALS included) and the Python driver's
// KeyspaceMetadata.export_as_string() print them, and as people write them:
// CREATE KEYSPACE/TABLE/TYPE/INDEX with IF NOT EXISTS, USE, ALTER TABLE ADD/DROP/WITH and ALTER
// col MASKED WITH/DROP MASKED, ALTER TYPE ADD/RENAME, ALTER KEYSPACE, and DROP
// KEYSPACE/TABLE/TYPE/INDEX, applied in order. Identifiers
// follow CQL: unquoted ones are folded to lower case and may not be reserved keywords, quoted ones
// are kept exactly. Comments (--, //, /* */), string literals (a quote inside doubled) and $$
// strings are lexed as Cassandra's Lexer.g does, so a ';' inside them does not end a statement.
//
// Nothing in the text makes Parse fail: statements about what cqlsync does not manage
// (materialized views, functions, aggregates, triggers, roles, DML), statements it does not
// understand, malformed ones and ones Cassandra itself would refuse are listed in
// Result.Skipped with the reason and the line, and parsing goes on with the next statement.
// Statements about Cassandra's own keyspaces (see [IsSystemKeyspace]) are skipped too. The
// materialized views, functions, aggregates and triggers the text creates are listed per keyspace
// in Result.Unmanaged.
//
// [Statements] cuts a text into statements the same way, for running it with a driver.
//
// # Where the normal forms come from
//
// Every value is what Cassandra 5.0.9 stores in system_schema after running the statement, not
// what the text says. The rules below were read in Cassandra's source (cassandra-all 5.0.9) and
// each was checked against a real 5.0.9 node; the tests compare parsed and live schemas field by
// field.
//
//   - Column and field types: schema.ParseType(...).String(), the text of
//     system_schema.columns.type (varchar is text, tuples and nested collections are frozen).
//   - Keys: partition_key and clustering columns get their position and clustering order (asc
//     unless CLUSTERING ORDER BY says desc; it may name a prefix of the clustering columns),
//     others get position -1 and order none; columns are in introspect.SortColumns order.
//   - Replication: the class fully qualified (org.apache.cassandra.locator. for a class without a
//     '.'), values as written ('replication_factor': 1 is "1"), NetworkTopologyStrategy without
//     the datacenters given 0 replicas; durable_writes defaults to true.
//   - Table options absent from the text get the values a 5.0.9 node stores for a CREATE TABLE
//     without them (see [DefaultTableOptions]), except that bloom_filter_fp_chance defaults to 0.1
//     with LeveledCompactionStrategy. Values are normalised as TableParams stores them:
//     compaction and compression classes fully qualified, compaction thresholds added (4 and 32)
//     for size-tiered, leveled and time-window compaction, compression's chunk_length_in_kb
//     (default 16) and min_compress_ratio re-printed, disabled compression stored as
//     {'enabled': 'false'}, caching completed (a given map defaults to NONE for both keys),
//     speculative_retry and additional_write_policy re-printed as Cassandra prints its policies
//     (99PERCENTILE is 99p, 42.5ms is 42ms, min(25ms, 99p) is MIN(99p,25ms)), read_repair in
//     upper case. Options system_schema keeps outside introspect.TableOptions (memtable,
//     extensions, allow_auto_snapshot, incremental_backups) go to Result.Unmanaged when they
//     differ from their default, as introspect.ReadUnmanaged reads them live; the table id of
//     WITH INTERNALS is accepted and dropped.
//   - Column masks (Cassandra 5.0's dynamic data masking, MASKED WITH in CREATE TABLE, ALTER
//     TABLE ADD and ALTER TABLE ALTER): a schema.Mask as system_schema.column_masks has it.
//     DEFAULT is mask_default; a built-in function (unqualified or in keyspace system) has an
//     empty Keyspace, a user-defined one the table's keyspace (an unqualified name that is not
//     a built-in is looked up there, and a function of another keyspace is refused, as
//     Cassandra does). Arguments are literals as Cassandra prints them: null, true and false in
//     lower case, strings in single quotes with a quote doubled, numbers as written; anything
//     else (a function call, a bind marker, a collection) is refused. A built-in function must
//     get as many arguments as it takes; argument and column types are not checked.
//   - Indexes: kind COMPOSITES for CREATE INDEX and CUSTOM for an index with a USING class
//     (CUSTOM or not); options target as Cassandra prints it (c, "MyCol", keys(m), values(l),
//     entries(m), full(f); a plain target on a non-frozen collection is values(col)), class_name
//     as written, and the WITH OPTIONS entries. An unnamed index is named table_column_idx without
//     non-word characters, with _1, _2, ... appended while the name is taken in the keyspace.
//
// A few results depend on a cluster's configuration rather than on the text; Parse assumes the
// stock cassandra.yaml and says so in Result.Warnings where it matters: default_keyspace_rf (1)
// for SimpleStrategy without a replication_factor, the datacenters a NetworkTopologyStrategy
// replication_factor expands to (kept as written), cdc = true (stored only when cdc_enabled is
// set), default_compaction (unset), and default_secondary_index (legacy: a plain CREATE INDEX is
// a COMPOSITES index). Column masks are read as a cluster with dynamic_data_masking_enabled (off
// in the stock cassandra.yaml, which refuses MASKED WITH) stores them, without a warning: a text
// with masks comes from such a cluster.
//
// # Keyspaces the text does not create
//
// DESCRIBE KEYSPACE always starts with CREATE KEYSPACE, but DESCRIBE TABLE and DESCRIBE TYPE do
// not. A table or type in a keyspace the text never creates still goes into a KeyspaceSchema of
// that name, with a nil Replication (replication and durable_writes are unknown) and a warning;
// user-defined types it refers to but the text does not define are warnings rather than errors
// there. In a keyspace the text creates, an unknown type is an error, as in Cassandra.
package ddl
