// Package backfill copies the rows of one Cassandra table into another, for the expand/contract
// way of changing a primary key or a column's type, and verifies the copy.
//
// The ring is cut into equal token ranges (splits, splits.go). A split is scanned with paging
// and each source row becomes writes into the target (mapping.go, write.go): every cell is
// written USING TIMESTAMP its source writetime and USING TTL its remaining TTL, so an
// application write that is newer is never overwritten, expiring data expires when the source's
// does, and copying a split twice writes the same cells again. Non-frozen sets and maps are
// written element by element with each element's writetime, non-frozen user-defined types field
// by field with each field's (Cassandra 5.0 reads these per part). The verification pass
// (verify.go) reads every source row's target row back and checks that each cell is equal, or
// newer. The runner (runner.go) copies, then verifies, the splits of one share (all of them, or
// split s of share i/n when s mod n = i), and reports its progress after each split so that its
// caller can record it and resume after a restart.
//
// The package speaks CQL through the driver only; it knows nothing of Kubernetes beyond the
// spec's column mapping.
package backfill
