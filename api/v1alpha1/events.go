package v1alpha1

// EventReason is the reason of an event cqlsync records about a resource. Every reason the
// operator can record is declared here; docs/status.md lists them, generated from this file.
type EventReason string

// Events of a statement that ran on a target (Normal), one per statement.
const (
	// EventKeyspaceCreated: CREATE KEYSPACE ran.
	EventKeyspaceCreated EventReason = "KeyspaceCreated"
	// EventKeyspaceAltered: ALTER KEYSPACE ran (replication or durable_writes); after a
	// replication change the note says which repair to run.
	EventKeyspaceAltered EventReason = "KeyspaceAltered"
	// EventKeyspaceDropped: DROP KEYSPACE ran (deletionPolicy Delete).
	EventKeyspaceDropped EventReason = "KeyspaceDropped"
	// EventTableCreated: CREATE TABLE ran.
	EventTableCreated EventReason = "TableCreated"
	// EventColumnsAdded: ALTER TABLE ... ADD ran.
	EventColumnsAdded EventReason = "ColumnsAdded"
	// EventTableOptionsChanged: ALTER TABLE ... WITH ran.
	EventTableOptionsChanged EventReason = "TableOptionsChanged"
	// EventColumnMaskChanged: ALTER TABLE ... ALTER ... MASKED WITH ran (a column's mask set or
	// changed).
	EventColumnMaskChanged EventReason = "ColumnMaskChanged"
	// EventColumnMaskDropped: ALTER TABLE ... ALTER ... DROP MASKED ran (a mask the spec does not
	// declare).
	EventColumnMaskDropped EventReason = "ColumnMaskDropped"
	// EventColumnsDropped: ALTER TABLE ... DROP ran (spec.allowDropColumns).
	EventColumnsDropped EventReason = "ColumnsDropped"
	// EventIndexCreated: CREATE INDEX ran.
	EventIndexCreated EventReason = "IndexCreated"
	// EventIndexDropped: DROP INDEX ran (spec.allowDropIndexes).
	EventIndexDropped EventReason = "IndexDropped"
	// EventTableDropped: DROP TABLE ran (deletionPolicy Delete).
	EventTableDropped EventReason = "TableDropped"
	// EventTypeCreated: CREATE TYPE ran.
	EventTypeCreated EventReason = "TypeCreated"
	// EventTypeFieldAdded: ALTER TYPE ... ADD ran.
	EventTypeFieldAdded EventReason = "TypeFieldAdded"
	// EventTypeDropped: DROP TYPE ran (deletionPolicy Delete).
	EventTypeDropped EventReason = "TypeDropped"
	// EventRoleCreated: CREATE ROLE ran (with a password hash, never the password).
	EventRoleCreated EventReason = "RoleCreated"
	// EventRoleAltered: ALTER ROLE ran: LOGIN, SUPERUSER or the password (rotated, or changed out
	// of band and set back).
	EventRoleAltered EventReason = "RoleAltered"
	// EventRoleDropped: DROP ROLE ran (deletionPolicy Delete).
	EventRoleDropped EventReason = "RoleDropped"
	// EventPermissionGranted: GRANT ran.
	EventPermissionGranted EventReason = "PermissionGranted"
	// EventPermissionRevoked: REVOKE ran (a permission no grant declares).
	EventPermissionRevoked EventReason = "PermissionRevoked"
)

// Events of a deletion, and of what the operator noticed.
const (
	// EventKeyspaceRetained, EventTableRetained, EventTypeRetained (Normal): the resource was
	// deleted with deletionPolicy Retain; its keyspace, table or type and the data are left in
	// Cassandra.
	EventKeyspaceRetained EventReason = "KeyspaceRetained"
	EventTableRetained    EventReason = "TableRetained"
	EventTypeRetained     EventReason = "TypeRetained"
	EventRoleRetained     EventReason = "RoleRetained"
	// EventKeyspaceKept, EventTableKept, EventTypeKept (Normal): on deletion with deletionPolicy
	// Delete, the object was not dropped on a target because another resource manages it there,
	// or takes it over.
	EventKeyspaceKept EventReason = "KeyspaceKept"
	EventTableKept    EventReason = "TableKept"
	EventTypeKept     EventReason = "TypeKept"
	EventRoleKept     EventReason = "RoleKept"
	// EventKeyspaceNotDropped, EventTableNotDropped, EventTypeNotDropped (Warning): on deletion
	// with deletionPolicy Delete, the object was NOT dropped on a target: no connection is left to
	// reach it, the target was never permitted, or the annotation
	// cqlsync.io/skip-unreachable-on-delete let go of a cluster that does not answer.
	EventKeyspaceNotDropped EventReason = "KeyspaceNotDropped"
	EventTableNotDropped    EventReason = "TableNotDropped"
	EventTypeNotDropped     EventReason = "TypeNotDropped"
	EventRoleNotDropped     EventReason = "RoleNotDropped"
	// EventDriftDetected (Warning): a target's kept drift changed; the note lists it.
	EventDriftDetected EventReason = "DriftDetected"
	// EventCassandraWarning (Warning): Cassandra answered a statement with warnings.
	EventCassandraWarning EventReason = "CassandraWarning"
	// EventTooManyTables (Warning): a table was created and the cluster now holds more tables
	// than the connection's spec.tablesWarnThreshold.
	EventTooManyTables EventReason = "TooManyTables"
	// EventPlanPending (Normal): a new plan waits (AwaitingApproval, Paused or DryRun); the note
	// says how to let it run.
	EventPlanPending EventReason = "PlanPending"
	// EventPlanApproved (Normal): the annotation cqlsync.io/approve-plan approved the plan that
	// waited, and it runs.
	EventPlanApproved EventReason = "PlanApproved"
	// EventApprovalVoid (Warning): the annotation approves a plan other than the one that waits
	// (the live schema or the spec changed since): nothing ran.
	EventApprovalVoid EventReason = "ApprovalVoid"
)

// Besides these, a target that newly becomes Failed or Blocked, and a connection whose Ready
// condition changes, record an event whose reason is the condition reason (ReasonColumnTypeDiffers,
// ReasonUnreachable, ReasonConnected, ...): Warning when not Ready, Normal otherwise.
