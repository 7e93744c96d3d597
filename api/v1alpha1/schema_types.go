package v1alpha1

import (
	"slices"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

// Keyspace, TableModel and UserType are schema kinds: each declares one schema object (a keyspace,
// a table, a user-defined type) on a set of targets, and one reconciler serves all three. They
// share the types of this file, so that their status reads the same way.

// TargetState is where one target of a Keyspace, TableModel or UserType stands.
// +kubebuilder:validation:Enum=Synced;Pending;Blocked;Failed
type TargetState string

const (
	// TargetSynced: the live object matches the spec (drift the spec keeps on purpose aside).
	TargetSynced TargetState = "Synced"
	// TargetPending: waiting for something outside the spec (a connection, a keyspace, a
	// user-defined type, schema agreement, an unreachable cluster); retried automatically.
	TargetPending TargetState = "Pending"
	// TargetBlocked: the live object differs in a way cqlsync must not apply (a primary key, a
	// column type, a field of a user-defined type); nothing was executed on that target.
	TargetBlocked TargetState = "Blocked"
	// TargetFailed: Cassandra refused a statement, the spec cannot be used there, or another
	// resource owns the same object on this target (reason DuplicateOwner); the message says why.
	// Retried with backoff, but usually the spec (or the cluster) must change first.
	TargetFailed TargetState = "Failed"
)

// TargetStatus is the state of a resource on one target: a connection for a Keyspace, a
// connection and a keyspace for a TableModel or a UserType.
type TargetStatus struct {
	// Connection is the name of the CassandraConnection, or "ClusterCassandraConnection/<name>"
	// for a cluster-scoped one. Empty only when the resource uses the namespace default and there
	// is no single default connection.
	// +optional
	Connection string `json:"connection,omitempty"`
	// Default is true when the connection was chosen as the namespace's default connection
	// (spec.connections is empty).
	// +optional
	Default bool `json:"default,omitempty"`
	// Keyspace is the CQL keyspace of a TableModel's or a UserType's target. Empty for a
	// Keyspace, and when the connection's defaultKeyspace could not be read.
	// +optional
	Keyspace string `json:"keyspace,omitempty"`
	// State is Synced, Pending, Blocked or Failed.
	State TargetState `json:"state"`
	// Reason is a CamelCase reason for the state, from the same set as the Ready condition's.
	Reason string `json:"reason"`
	// Message says what happened on this target, what it waits for, or what to do.
	// +optional
	Message string `json:"message,omitempty"`
	// Drift lists live differences that are kept on purpose: columns or indexes of a table that
	// are not in the spec (and the spec does not allow dropping), fields of a type that are not in
	// the spec (Cassandra cannot drop them).
	// +listType=atomic
	// +optional
	Drift []string `json:"drift,omitempty"`
	// LastSyncTime is when this target last became Synced or last had a change applied. It does
	// not move while nothing changes.
	// +optional
	LastSyncTime *metav1.Time `json:"lastSyncTime,omitempty"`
}

// ChangePolicy says which changes cqlsync may run on its own and which wait for an approval.
// +kubebuilder:validation:Enum=Auto;AutoAdditive;Manual
type ChangePolicy string

const (
	// ChangePolicyAuto runs every change as soon as it is planned (the default).
	ChangePolicyAuto ChangePolicy = "Auto"
	// ChangePolicyAutoAdditive runs additive changes at once (CREATE KEYSPACE/TABLE/TYPE, ADD
	// column, ADD field, CREATE INDEX) and holds every other one (ALTER of options or
	// replication, DROP of an index or column, an index rebuild, a DROP on deletion) for approval.
	ChangePolicyAutoAdditive ChangePolicy = "AutoAdditive"
	// ChangePolicyManual runs nothing on any target until the plan is approved.
	ChangePolicyManual ChangePolicy = "Manual"
)

// AnnotationApprovePlan approves one plan: set it to the hash that status.plan.hash shows
// (kubectl annotate <kind>/<name> cqlsync.io/approve-plan=<hash> --overwrite, or commit it to
// git). The plan runs only if recomputing it gives the same hash: the same statements against the
// same schema versions. Once run, the annotation matches no plan any more and may stay.
const AnnotationApprovePlan = "cqlsync.io/approve-plan"

// AnnotationPaused, set to "true", stops all DDL for the resource, drift correction and drops on
// deletion included. Reading the live schema and reporting drift go on; what would run is
// published in status.plan.
const AnnotationPaused = "cqlsync.io/paused"

// PendingPlan is what waits to run: for approval (changePolicy Manual or AutoAdditive), or because
// the resource is paused or the manager runs with --dry-run.
type PendingPlan struct {
	// Hash identifies the plan: a digest of every target's statements and of the schema versions
	// they were computed against. Approve the plan by setting the annotation
	// cqlsync.io/approve-plan to it.
	Hash string `json:"hash"`
	// Reason is why the plan waits: AwaitingApproval, Paused or DryRun.
	Reason string `json:"reason"`
	// Targets are the targets with statements waiting, in the order of status.targets.
	// +listType=atomic
	Targets []PlanTarget `json:"targets"`
}

// PlanTarget is what waits to run on one target.
type PlanTarget struct {
	// Connection is the name of the CassandraConnection.
	Connection string `json:"connection"`
	// Keyspace is the CQL keyspace of a TableModel's or a UserType's target; empty for a Keyspace.
	// +optional
	Keyspace string `json:"keyspace,omitempty"`
	// SchemaVersion is the version of the live object the statements were computed against: a
	// digest of its system_schema rows (the keyspace's replication and durable_writes; a table's
	// columns, options and indexes; a type's fields). Any change to that object makes a new plan;
	// changes to other objects do not, so that other teams' changes do not void an approval.
	SchemaVersion string `json:"schemaVersion"`
	// Statements are the statements, in the order they would run.
	// +listType=atomic
	Statements []PlannedStatement `json:"statements"`
}

// PlannedStatement is one statement of a plan.
type PlannedStatement struct {
	// CQL is the exact statement, rendered by the code that would execute it.
	CQL string `json:"cql"`
	// Summary says what it changes.
	Summary string `json:"summary"`
}

// SchemaStatus is the part of the status that Keyspace, TableModel and UserType share.
type SchemaStatus struct {
	// ObservedGeneration is the generation of the spec the last complete reconcile acted on.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`
	// Conditions: Ready is True when the object matches the spec on every target; Drifted is
	// True when a live object differs in a way the spec does not let cqlsync correct.
	// +listType=map
	// +listMapKey=type
	// +optional
	Conditions []metav1.Condition `json:"conditions,omitempty"`
	// Targets is the state on each target, in the order of spec.connections (then of
	// spec.keyspaces).
	// +listType=atomic
	// +optional
	Targets []TargetStatus `json:"targets,omitempty"`
	// TargetsSynced summarises targets as "synced/total", for kubectl get.
	// +optional
	TargetsSynced string `json:"targetsSynced,omitempty"`
	// Plan is what waits to run, when anything does: for approval (spec.changePolicy), because
	// the resource is paused (annotation cqlsync.io/paused), or because the manager runs with
	// --dry-run. Absent when nothing waits.
	// +optional
	Plan *PendingPlan `json:"plan,omitempty"`
}

// DeletionPolicy says what happens to the schema object in Cassandra when the resource is deleted.
// +kubebuilder:validation:Enum=Retain;Delete
type DeletionPolicy string

const (
	// DeletionPolicyRetain leaves the keyspace, table or type, and its data, in Cassandra.
	DeletionPolicyRetain DeletionPolicy = "Retain"
	// DeletionPolicyDelete drops it on every target.
	DeletionPolicyDelete DeletionPolicy = "Delete"
)

// KeyspaceName is a CQL keyspace name; never a system keyspace.
// +kubebuilder:validation:MinLength=1
// +kubebuilder:validation:MaxLength=48
// +kubebuilder:validation:Pattern=`^[A-Za-z0-9_]+$`
// +kubebuilder:validation:XValidation:rule="!(self.lowerAscii() in ['system', 'system_auth', 'system_schema', 'system_distributed', 'system_traces', 'system_views', 'system_virtual_schema'])",message="system keyspaces are Cassandra's own: cqlsync never creates, alters or drops them"
type KeyspaceName string

// SystemKeyspaces are Cassandra 5.0's own keyspaces. No resource may create, alter or drop them:
// the API server refuses their names where it sees them (the CEL rules of the CRDs), and the
// operator refuses them everywhere else (a connection's defaultKeyspace read before this rule,
// for instance).
var SystemKeyspaces = []string{"system", "system_auth", "system_schema", "system_distributed", "system_traces", "system_views", "system_virtual_schema"}

// IsSystemKeyspace reports whether name is one of SystemKeyspaces, ignoring case as Cassandra
// does (SchemaConstants.isLocalSystemKeyspace): "System" is refused like system.
func IsSystemKeyspace(name string) bool {
	return slices.ContainsFunc(SystemKeyspaces, func(s string) bool { return strings.EqualFold(s, name) })
}

// AnnotationDefaultClusterConnection, on a Namespace, makes the ClusterCassandraConnection it names
// the namespace's default connection: the one its Keyspaces, TableModels and UserTypes with empty
// spec.connections use. A CassandraConnection of the namespace with spec.default set as well is a
// conflict (reason DefaultConflict), never a silent pick.
const AnnotationDefaultClusterConnection = "cqlsync.io/default-cluster-connection"

// AnnotationSkipUnreachableOnDelete, set to "true" on a Keyspace, TableModel or UserType with
// deletionPolicy Delete that is being deleted, releases it even though its object could not be
// dropped on some targets (their cluster is unreachable or their CassandraConnection is not
// Ready). The object is then left on those clusters, and a Warning event names each of them.
const AnnotationSkipUnreachableOnDelete = "cqlsync.io/skip-unreachable-on-delete"

// SchemaObject is what the schema reconciler needs of a Keyspace, a TableModel or a UserType.
// +kubebuilder:object:generate=false
type SchemaObject interface {
	metav1.Object
	runtime.Object
	// CQLName is the effective CQL name of the keyspace, table or type: spec.name, or the default
	// derived from metadata.name.
	CQLName() string
	// SpecName is spec.name, for the controller to write the default down.
	SpecName() *string
	// TargetConnections is spec.connections (empty: the namespace default).
	TargetConnections() []ConnectionRef
	// TargetKeyspaces is spec.keyspaces of a TableModel or a UserType (empty: each connection's
	// defaultKeyspace); nil for a Keyspace.
	TargetKeyspaces() []KeyspaceName
	// EffectiveDeletionPolicy is spec.deletionPolicy, Retain when unset.
	EffectiveDeletionPolicy() DeletionPolicy
	// EffectiveChangePolicy is spec.changePolicy, Auto when unset.
	EffectiveChangePolicy() ChangePolicy
	// Schema is the status the kinds share.
	Schema() *SchemaStatus
}

// DefaultCQLName is the CQL name a resource without spec.name gets: its metadata.name with "-"
// turned into "_" (Kubernetes names allow "-", CQL names do not).
func DefaultCQLName(objectName string) string {
	out := []byte(objectName)
	for i, c := range out {
		if c == '-' {
			out[i] = '_'
		}
	}
	return string(out)
}

func effectivePolicy(p DeletionPolicy) DeletionPolicy {
	if p == "" {
		return DeletionPolicyRetain
	}
	return p
}

func effectiveChangePolicy(p ChangePolicy) ChangePolicy {
	if p == "" {
		return ChangePolicyAuto
	}
	return p
}

func cqlName(specName, objectName string) string {
	if specName != "" {
		return specName
	}
	return DefaultCQLName(objectName)
}

// Finalizer is the finalizer cqlsync puts on every resource it manages, so that it can close a
// session or apply a deletion policy before the object goes away.
const Finalizer = "cqlsync.io/finalizer"
