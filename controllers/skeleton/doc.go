// Package skeleton holds what every cqlsync reconciler shares around its own work, in the shape of
// cluster-api's reconcilers: the finalizer, the one status write per reconcile (a merge patch of
// the status subresource, skipped when nothing changed), the retry backoff, and the predicates and
// map helpers of their watches. The reconcilers of the connections (package connection) and of
// the schema kinds (package schemakind) follow the same order: get, finalizer, snapshot, deferred
// status write, work, requeue.
package skeleton
