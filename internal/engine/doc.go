// Package engine is cqlsync's one schema pipeline. Every schema kind (Keyspace, TableModel,
// UserType) is planned, applied, deleted and previewed by the same code, in the shape of
// crossplane-runtime's managed reconciler: a kind supplies an adapter (its desired object, its
// plan against the live keyspace, its drop) and the engine does the rest:
//
//   - Plan(object, mode) resolves the targets (connections x keyspaces, the namespace default,
//     the tenancy checks of a ClusterCassandraConnection), decides ownership among duplicates by
//     the identity of the physical cluster, reads each target's live schema and plans it: the
//     statements that make it match the spec (mode Apply, and Preview for `cqlsync plan`), or
//     the drops (mode Delete); then the approval gate decides what may run;
//   - Execute(work) runs what the gate let through, in parallel across connections and one
//     target after the other on a connection (the executor serialises DDL per cluster), and
//     classifies every error once (classify.go) into a target's state, reason and message;
//   - Report(outcome) computes the status (pure functions, status.go), and records the events
//     and metrics.
//
// The controllers (controllers/schemakind) call Plan, Execute and Report inside one reconcile
// skeleton; `cqlsync plan` calls Plan in mode Preview through clusters that overlay what earlier
// previews create (overlay.go). The engine reaches Cassandra only through the cluster.Cluster
// interface, so its logic is unit-tested with the fakes of enginetest, and every field index it
// and the controllers list by is registered here (indexes.go).
package engine
