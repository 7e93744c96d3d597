// Package controllers holds one reconciler per cqlsync kind. Reconcilers orchestrate: they read the
// resource and what it references, hand the Cassandra work to internal/cql, compute conditions in
// pure functions (the *_status.go files) and patch status once per reconcile, only when it changed.
package controllers
