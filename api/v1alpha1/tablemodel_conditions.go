package v1alpha1

// Reasons of a TableModel's Ready condition and of its targets, besides those shared with
// Keyspace (ReasonSynced, ReasonConnectionNotFound, ReasonConnectionNotReady,
// ReasonNoDefaultConnection, ReasonDefaultConflict, ReasonSchemaDisagreement, ReasonFailed,
// ReasonDuplicateOwner, ReasonDeleting). The Ready condition's reason is ReasonSynced when every
// target is Synced, otherwise the reason of the first target that is not, taking Failed targets
// first, then Blocked, then Pending.
const (
	// ReasonKeyspaceNotFound: the target keyspace does not exist on that cluster. The target is
	// retried when a Keyspace resource for it becomes Ready, and with backoff.
	ReasonKeyspaceNotFound = "KeyspaceNotFound"
	// ReasonNoDefaultKeyspace: spec.keyspaces is empty and the target's CassandraConnection has no
	// spec.defaultKeyspace.
	ReasonNoDefaultKeyspace = "NoDefaultKeyspace"
	// ReasonInvalidType: a column's type cannot be used: it does not parse, names a user-defined
	// type that does not exist in the keyspace, or is not allowed where it is (a non-frozen
	// collection in the primary key, ...). The message names the column.
	ReasonInvalidType = "InvalidType"
	// ReasonPrimaryKeyDiffers: the live table's partition key, clustering key or clustering order
	// differs from the spec. Cassandra cannot change them; nothing was executed on that target.
	ReasonPrimaryKeyDiffers = "PrimaryKeyDiffers"
	// ReasonColumnTypeDiffers: a live column's type differs from the spec; nothing was executed
	// on that target (cqlsync never changes a column's type).
	ReasonColumnTypeDiffers = "ColumnTypeDiffers"
	// ReasonStaticDiffers: a column is static in one of the live table and the spec and not in
	// the other; nothing was executed on that target.
	ReasonStaticDiffers = "StaticDiffers"
	// ReasonIndexNameTaken: an index of spec.indexes exists in the keyspace on another table
	// (index names are unique per keyspace); nothing was executed on that target.
	ReasonIndexNameTaken = "IndexNameTaken"
)

// Reasons of a TableModel's Drifted condition.
const (
	// ReasonNoDrift: every target's live table is exactly what the spec says (for what the spec
	// sets).
	ReasonNoDrift = "NoDrift"
	// ReasonDriftKept: a live table has columns or indexes that are not in the spec, and the spec
	// does not allow dropping them (spec.allowDropColumns, spec.allowDropIndexes). They are kept
	// and listed in the target's drift.
	ReasonDriftKept = "DriftKept"
	// ReasonDriftBlocked: a live table differs in a way cqlsync must not correct (primary key,
	// clustering order, a column type or static); that target is Blocked.
	ReasonDriftBlocked = "DriftBlocked"
)
