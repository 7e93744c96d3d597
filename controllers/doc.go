// Package controllers holds the reconcilers of cqlsync.
//
// CassandraConnection has its own reconciler: it keeps one driver session per connection in the
// registry and reports the cluster in status.
//
// Keyspace, TableModel and UserType share one reconciler, schemaReconciler, in the shape of
// crossplane-runtime's managed reconciler: it owns the whole pipeline (targets, ownership among
// duplicates, fan-out across clusters, read -> plan -> apply per target, one error
// classification, events, deletion policies, the status patched once in a defer, requeues), and
// each kind supplies a small kindAdapter (keyspace_adapter.go, tablemodel_adapter.go,
// usertype_adapter.go): its desired object, its plan and its drop. Status is computed by pure
// functions (schema_status.go) from the reconcile's outcome. Controllers speak to Cassandra only
// through the Cluster interface (internal/cql/cluster implements it); every field index is
// registered once, in indexes.go.
package controllers
