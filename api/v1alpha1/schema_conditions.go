package v1alpha1

// Reasons of the Ready condition of a Keyspace, a TableModel or a UserType, and of their targets.
// The three kinds share them. The Ready condition's reason is ReasonSynced when every target is
// Synced, otherwise the reason of the first target that is not, taking Failed targets first, then
// Blocked, then Pending.
const (
	// ReasonSynced: the live object matches the spec (on every target, for the condition).
	ReasonSynced = "Synced"
	// ReasonPending: the target has not been synced yet, or the resource has no target.
	ReasonPending = "Pending"
	// ReasonConnectionNotFound: the named CassandraConnection does not exist in the namespace (or
	// is being deleted). The resource is requeued when it appears.
	ReasonConnectionNotFound = "ConnectionNotFound"
	// ReasonConnectionNotReady: the connection exists but is not Ready for a reason other than an
	// outage (its credentials, its TLS, a default conflict, not reconciled yet: its own Ready
	// condition says which), or has no session. Retried with backoff, and requeued when the
	// connection becomes Ready. A cluster that does not answer is Unreachable instead.
	ReasonConnectionNotReady = "ConnectionNotReady"
	// ReasonNoDefaultConnection: spec.connections is empty and no CassandraConnection of the
	// namespace has spec.default set.
	ReasonNoDefaultConnection = "NoDefaultConnection"
	// ReasonNoDefaultKeyspace: spec.keyspaces is empty and the target's CassandraConnection has no
	// spec.defaultKeyspace.
	ReasonNoDefaultKeyspace = "NoDefaultKeyspace"
	// ReasonKeyspaceNotFound: the target keyspace does not exist on that cluster. The target is
	// retried when a Keyspace resource for it becomes Ready, and with backoff.
	ReasonKeyspaceNotFound = "KeyspaceNotFound"
	// ReasonUserTypeNotFound: a type the spec uses does not exist in the target keyspace yet, and a
	// UserType resource (of any namespace) declares it there, on the same cluster. The target waits and is requeued when
	// that UserType syncs.
	ReasonUserTypeNotFound = "UserTypeNotFound"
	// ReasonSchemaDisagreement: the cluster's reachable nodes did not agree on a schema version
	// before or after DDL (within spec.schemaAgreementTimeout of the connection). Retried with
	// backoff.
	ReasonSchemaDisagreement = "SchemaDisagreement"
	// ReasonUnknownDatacenter: Cassandra refused a datacenter of spec.replication.datacenters that
	// the cluster does not have. The message names it and the cluster's datacenters.
	ReasonUnknownDatacenter = "UnknownDatacenter"
	// ReasonIndexBuilding (Pending): the table is in place but a node cannot serve one of its
	// indexes yet (it is still being built: system."IndexInfo", system_views.sai_column_indexes);
	// queries that use it fail until then. Retried until every node that is up can.
	ReasonIndexBuilding = "IndexBuilding"
	// ReasonNodeDown (Pending): a node is down and the connection's spec.ddlGuards.whenNodeDown is
	// Hold; nothing was executed; retried until the node is up.
	ReasonNodeDown = "NodeDown"
	// ReasonClusterUpgrading (Pending): the nodes report different Cassandra versions (a rolling
	// upgrade) and spec.ddlGuards.whenVersionsDiffer is Hold (the default); nothing was executed.
	ReasonClusterUpgrading = "ClusterUpgrading"
	// ReasonInvalidType: a column's or a field's type cannot be used: it does not parse, names a
	// user-defined type that neither exists in the keyspace nor is declared by a UserType, or is
	// not allowed where it is (a non-frozen collection in a primary key, a counter in a type...).
	// The message names the column or field.
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
	// ReasonFieldTypeDiffers: a field of the live user-defined type has another type than the
	// spec says. Cassandra cannot change a field's type; nothing was executed on that target.
	ReasonFieldTypeDiffers = "FieldTypeDiffers"
	// ReasonFieldNotInSpec: the live user-defined type has a field the spec does not list.
	// Cassandra cannot drop a field, so the spec must list it; nothing was executed on that target.
	ReasonFieldNotInSpec = "FieldNotInSpec"
	// ReasonUnsupportedByServer: the spec asks for what the cluster's Cassandra release lacks (a
	// vector column or an SAI index before 5.0, an option of a later release), or a
	// CassandraRole's cluster runs without authentication (or, for grants, authorization); the
	// message names the feature, the release that has it and the server's (its oldest node's), or
	// the settings to enable; nothing was sent on that target.
	ReasonUnsupportedByServer = "UnsupportedByServer"
	// ReasonNotPermitted: the target goes through a ClusterCassandraConnection that does not allow
	// the resource's namespace (spec.allowedNamespaces) or the keyspace (spec.allowedKeyspaces),
	// or names a system keyspace. No session was used and nothing was read from the cluster.
	ReasonNotPermitted = "NotPermitted"
	// ReasonFailed: Cassandra refused a statement or an error occurred; the message has it.
	ReasonFailed = "Failed"
	// ReasonDuplicateOwner: another resource of the kind, of any namespace, declares the same
	// schema object on the same physical cluster (a Keyspace with the same CQL name; a TableModel
	// or a UserType with the same name in the same keyspace), through any connection that reaches
	// that cluster (ownership is decided by the cluster's identity), and owns it: it is the
	// oldest of them (metadata.creationTimestamp, then metadata.name), and it stays the owner
	// while it is being deleted. Nothing is executed on this target, not even on deletion with
	// deletionPolicy Delete (a Normal event says so); the message names the owner. The target
	// takes over when the owner is gone.
	ReasonDuplicateOwner = "DuplicateOwner"
	// ReasonAwaitingApproval: changes are planned that spec.changePolicy does not let run on their
	// own; status.plan lists them with the hash to approve (annotation cqlsync.io/approve-plan).
	ReasonAwaitingApproval = "AwaitingApproval"
	// ReasonPaused: the annotation cqlsync.io/paused is "true" and changes are planned; nothing
	// runs until it is removed. status.plan lists them.
	ReasonPaused = "Paused"
	// ReasonDryRun: the manager runs with --dry-run and changes are planned; it never executes
	// DDL. status.plan lists them.
	ReasonDryRun = "DryRun"
	// ReasonDeleting: the resource is being deleted with deletionPolicy Delete and its object
	// could not yet be dropped on some target; the message names them and how to let go.
	ReasonDeleting = "Deleting"
	// ReasonInvalidSpec (shared with CassandraConnection): the spec passed the API server but
	// cannot be used; the message names the field.
	// ReasonUnreachable and ReasonInUse are shared with CassandraConnection: see there.
)

// Reasons of the Drifted condition of a Keyspace, a TableModel or a UserType. Drifted means the
// same on every kind: True while a live object differs from the spec in a way cqlsync does not set
// back (DriftBlocked, DriftKept); False otherwise (DriftCorrected when the last change set an
// out-of-band change back, NoDrift when nothing differed).
const (
	// ReasonNoDrift: every target's live object is what the spec says (for what the spec sets).
	ReasonNoDrift = "NoDrift"
	// ReasonDriftKept: a live object has parts the spec does not have and cqlsync keeps (a table's
	// extra columns or indexes when the spec does not allow dropping them, a type's extra
	// fields). They are listed in the target's drift.
	ReasonDriftKept = "DriftKept"
	// ReasonDriftBlocked: a live object differs in a way cqlsync must not correct (a primary key,
	// a column's or a field's type, a type's field the spec lacks, ...); that target is Blocked.
	ReasonDriftBlocked = "DriftBlocked"
	// ReasonDriftCorrected (Drifted=False): a live object had been changed out of band (a
	// keyspace's replication, a table option, a dropped column, index or type...) and cqlsync set
	// it back; the message says what ran where, and when. It stays until the spec changes or the
	// cluster drifts again.
	ReasonDriftCorrected = "DriftCorrected"
)
