package v1alpha1

// Reasons of a Backfill's Ready condition (it shares the connection and permission reasons of the
// schema kinds: ConnectionNotFound, ConnectionNotReady, Unreachable, NotPermitted, InvalidSpec,
// Paused).
const (
	// ReasonVerified: every split of the Backfill was copied and verified (Ready True).
	ReasonVerified = "Verified"
	// ReasonCopying: the Backfill's splits are being copied.
	ReasonCopying = "Copying"
	// ReasonVerifying: every split is copied and the verification pass runs; mismatching splits
	// are copied again.
	ReasonVerifying = "Verifying"
	// ReasonTargetNotReady: the Backfill's target TableModel does not exist or is not Synced yet
	// on the connection and keyspace the copy uses (or its table is not there yet), or its source
	// TableModel has not been reconciled yet.
	ReasonTargetNotReady = "TargetNotReady"
	// ReasonSourceNotFound: the Backfill's source TableModel does not exist (or has no target on
	// the target's connection and keyspace), or its source table does not exist.
	ReasonSourceNotFound = "SourceNotFound"
	// ReasonCounterTable: the Backfill's source or target is a counter table; counters cannot be
	// copied idempotently (a retried increment counts twice).
	ReasonCounterTable = "CounterTable"
	// ReasonUnsafeConversion: a column of the Backfill's mapping would change type in a way that
	// is not one of the safe conversions, or into a non-frozen list, which cannot be written
	// idempotently; the message names the column.
	ReasonUnsafeConversion = "UnsafeConversion"
	// ReasonUnmappedKey: a primary-key column of the Backfill's target has no source column.
	ReasonUnmappedKey = "UnmappedKey"
	// ReasonVerificationFailed: splits of the Backfill still mismatched after being copied again
	// several times (the application may not write to both tables); the message lists them.
	ReasonVerificationFailed = "VerificationFailed"
)

// Events of a Backfill.
const (
	// EventBackfillStarted (Normal): the Backfill started (or resumed after a restart) copying.
	EventBackfillStarted EventReason = "BackfillStarted"
	// EventBackfillPaused (Normal): the annotation cqlsync.io/paused was set to "true": the copy
	// stopped.
	EventBackfillPaused EventReason = "BackfillPaused"
	// EventBackfillResumed (Normal): the annotation cqlsync.io/paused was removed: the copy goes on
	// from the splits recorded.
	EventBackfillResumed EventReason = "BackfillResumed"
	// EventBackfillCopied (Normal): every split was copied; verification starts.
	EventBackfillCopied EventReason = "BackfillCopied"
	// EventBackfillMismatch (Warning): verification found splits whose rows are missing or older
	// in the target; they are copied again.
	EventBackfillMismatch EventReason = "BackfillMismatch"
	// EventRowsSkipped (Warning): source rows could not be copied (a null in a column of the new
	// primary key); status.skipped has samples.
	EventRowsSkipped EventReason = "RowsSkipped"
	// EventBackfillVerified (Normal): every split was copied and verified.
	EventBackfillVerified EventReason = "BackfillVerified"
)
