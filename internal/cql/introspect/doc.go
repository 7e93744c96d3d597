// Package introspect reads the live schema and topology of a Cassandra cluster from its system
// tables: keyspaces from system_schema.keyspaces (tables, columns and indexes will be read here
// too), and the nodes (datacenter, schema version) from system.local and system.peers_v2.
//
// It only reads; it builds no DDL and knows nothing of Kubernetes. Results are plain values that
// package plan compares with the desired schema. Queries bind every user-supplied name as a value,
// never as CQL text.
package introspect
