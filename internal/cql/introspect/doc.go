// Package introspect reads the live schema and topology of a Cassandra cluster from its system
// tables: keyspaces with their tables, columns, indexes and user-defined types from system_schema
// ([ReadKeyspaceSchema], cached by [SchemaCache]), what cqlsync does not manage there (views,
// functions, aggregates, triggers and some table options: [ReadUnmanaged]), the list of keyspaces,
// and the nodes (datacenter, schema version) from system.local and system.peers_v2.
//
// It only reads; it builds no DDL and knows nothing of Kubernetes. Results are plain values that
// package plan compares with the desired schema. Queries bind every user-supplied name as a value,
// never as CQL text.
package introspect
