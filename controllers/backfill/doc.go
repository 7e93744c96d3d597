// Package backfill is the controller of the Backfill kind, and the worker that runs a share of a
// Backfill's splits in another process (`cqlsync backfill --split i/n`, and the pods of the
// Indexed Job of spec.workers).
//
// The copy itself is internal/backfill's. This package resolves a Backfill into a copy (the
// target TableModel's connection and keyspace, the permissions, the live tables and the column
// mapping: resolve.go), runs it inside the manager (runners.go) or as an Indexed Job (job.go),
// and records its progress in status (progress.go): the splits copied and verified, as ranges,
// at most once a second, so that a restart of the manager or a worker redoes only the splits
// that were in flight.
package backfill
