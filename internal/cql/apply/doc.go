// Package apply runs planned DDL on one cluster safely.
//
// An [Executor] runs the statements of a plan on one session, one at a time, and never runs DDL on
// the same cluster from two goroutines at once: every cluster (by its identity, or the connection
// while the identity is unknown) has its own lock, so two Keyspaces (or a Keyspace and a
// TableModel) on the same cluster take turns, even through different connections, while
// different clusters proceed in parallel. Before the first statement the reachable nodes must agree on the
// schema version (nodes the driver sees as down are ignored, as k8ssandra does); after each
// statement it waits up to the connection's schema agreement timeout for them to agree again.
// Disagreement is a [*DisagreementError]; a NetworkTopologyStrategy datacenter the cluster does
// not have is an [*UnknownDatacenterError] naming the datacenters it does have.
//
// The executor counts, per connection key, how many plans it was given and how many statements
// it sent, so that tests (and metrics) can tell that a reconcile with nothing to change ran no DDL.
package apply
