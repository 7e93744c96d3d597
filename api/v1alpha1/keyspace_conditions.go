package v1alpha1

// Reasons of a Keyspace's Ready condition and of its targets. The Ready condition's reason is
// ReasonSynced when every target is synced, otherwise the reason of the first target that is not
// (Failed targets before Pending ones).
const (
	// ReasonSynced: the live keyspace matches the spec (on every target, for the condition).
	ReasonSynced = "Synced"
	// ReasonPending: the target has not been synced yet.
	ReasonPending = "Pending"
	// ReasonConnectionNotFound: the named CassandraConnection does not exist in the namespace (or
	// is being deleted). The Keyspace is requeued when it appears.
	ReasonConnectionNotFound = "ConnectionNotFound"
	// ReasonConnectionNotReady: the CassandraConnection exists but is not Ready, or its session
	// cannot be opened right now. The Keyspace is requeued when it becomes Ready.
	ReasonConnectionNotReady = "ConnectionNotReady"
	// ReasonNoDefaultConnection: spec.connections is empty and no CassandraConnection of the
	// namespace has spec.default set.
	ReasonNoDefaultConnection = "NoDefaultConnection"
	// ReasonSchemaDisagreement: the cluster's reachable nodes did not agree on a schema version
	// before or after DDL (within spec.schemaAgreementTimeout of the connection). Retried with
	// backoff.
	ReasonSchemaDisagreement = "SchemaDisagreement"
	// ReasonUnknownDatacenter: Cassandra refused a datacenter of spec.replication.datacenters that
	// the cluster does not have. The message names it and the cluster's datacenters.
	ReasonUnknownDatacenter = "UnknownDatacenter"
	// ReasonFailed: Cassandra refused the statement or an error occurred; the message has it.
	ReasonFailed = "Failed"
	// ReasonDuplicateOwner: another resource of the namespace declares the same schema object on
	// this target (a Keyspace with the same CQL name on the same connection; a TableModel with the
	// same table on the same connection and keyspace) and owns it: it is the oldest of them
	// (metadata.creationTimestamp, then metadata.name), and it stays the owner while it is being
	// deleted. Nothing is executed on this target, not even on deletion with deletionPolicy Delete
	// (a Normal event KeyspaceKept or TableKept says so); the message names the owner. The target
	// takes over when the owner is gone.
	ReasonDuplicateOwner = "DuplicateOwner"
	// ReasonDeleting: the resource is being deleted with deletionPolicy Delete and the keyspace
	// could not yet be dropped on some target; the message names them and how to let go.
	ReasonDeleting = "Deleting"
)
