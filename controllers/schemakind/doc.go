// Package schemakind holds the reconciler of the schema kinds (Keyspace, TableModel, UserType):
// one generic reconciler around each kind's engine pipeline. It orchestrates and does no schema
// work itself: get, finalizer, snapshot, Plan, Execute, and one deferred status write (deletion
// included); and it owns the watches that requeue a resource when something it depends on
// changes: its connections, its namespace, the Keyspace it goes into, the UserTypes it uses,
// duplicates of it, and the clusters' schema change events.
package schemakind
