package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// ReplicationStrategy is a Cassandra replication class.
// +kubebuilder:validation:Enum=SimpleStrategy;NetworkTopologyStrategy
type ReplicationStrategy string

const (
	// SimpleStrategy places replicas on consecutive nodes of the ring, ignoring datacenters.
	SimpleStrategy ReplicationStrategy = "SimpleStrategy"
	// NetworkTopologyStrategy places a number of replicas in each named datacenter.
	NetworkTopologyStrategy ReplicationStrategy = "NetworkTopologyStrategy"
)

// ReplicaCount is the number of replicas of a keyspace in one datacenter. 0 means none (Cassandra
// then leaves the datacenter out of the keyspace's replication).
// +kubebuilder:validation:Minimum=0
// +kubebuilder:validation:Maximum=100
type ReplicaCount int32

// KeyspaceReplication is the replication of a keyspace: SimpleStrategy with a replicationFactor,
// or NetworkTopologyStrategy with a replica count per datacenter.
// +kubebuilder:validation:XValidation:rule="self.strategy != 'SimpleStrategy' || has(self.replicationFactor)",message="spec.replication.replicationFactor is required (at least 1) with SimpleStrategy"
// +kubebuilder:validation:XValidation:rule="self.strategy != 'SimpleStrategy' || !has(self.datacenters)",message="spec.replication.datacenters is not allowed with SimpleStrategy: use NetworkTopologyStrategy or remove it"
// +kubebuilder:validation:XValidation:rule="self.strategy != 'NetworkTopologyStrategy' || (has(self.datacenters) && size(self.datacenters) >= 1)",message="spec.replication.datacenters must name at least one datacenter with NetworkTopologyStrategy"
// +kubebuilder:validation:XValidation:rule="self.strategy != 'NetworkTopologyStrategy' || !has(self.replicationFactor)",message="spec.replication.replicationFactor is not allowed with NetworkTopologyStrategy: give a replica count per datacenter in spec.replication.datacenters"
// +kubebuilder:validation:XValidation:rule="!has(self.datacenters) || self.datacenters.exists(dc, self.datacenters[dc] >= 1)",message="spec.replication.datacenters must give at least one datacenter 1 or more replicas"
type KeyspaceReplication struct {
	// Strategy is the replication class: SimpleStrategy (replicationFactor replicas, ignoring
	// datacenters; for single-datacenter development clusters) or NetworkTopologyStrategy (a
	// replica count per datacenter; what production clusters use).
	Strategy ReplicationStrategy `json:"strategy"`

	// ReplicationFactor is the number of replicas with SimpleStrategy (at least 1). Not allowed
	// with NetworkTopologyStrategy.
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=100
	// +optional
	ReplicationFactor *int32 `json:"replicationFactor,omitempty"`

	// Datacenters maps each datacenter name, as the cluster's snitch reports it (the data_center
	// column of system.local), to its number of replicas, with NetworkTopologyStrategy. A
	// datacenter the cluster does not have is refused by Cassandra and fails that target.
	// Datacenters left out (or given 0) get no replicas. Not allowed with SimpleStrategy.
	// +kubebuilder:validation:MinProperties=1
	// +kubebuilder:validation:MaxProperties=64
	// +kubebuilder:validation:XValidation:rule="self.all(dc, dc.size() >= 1 && dc.size() <= 128)",message="spec.replication.datacenters: datacenter names must be 1-128 characters"
	// +kubebuilder:validation:XValidation:rule="self.all(dc, dc != 'class' && dc != 'replication_factor')",message="spec.replication.datacenters: 'class' and 'replication_factor' are not datacenter names"
	// +optional
	Datacenters map[string]ReplicaCount `json:"datacenters,omitempty"`
}

// KeyspaceSpec is the desired state of a keyspace on every target connection.
// +kubebuilder:validation:XValidation:rule="!has(oldSelf.name) || (has(self.name) && self.name == oldSelf.name)",message="spec.name is immutable: create a new Keyspace to use another keyspace name"
type KeyspaceSpec struct {
	// Name is the CQL keyspace name: letters, digits and underscores, at most 48, case-sensitive
	// (it is always quoted, so "MyKs" and "myks" are different keyspaces, and reserved words such
	// as "select" are allowed). When empty, the controller sets it from metadata.name with "-"
	// turned into "_". Immutable once set: renaming a keyspace is not something Cassandra can do.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=48
	// +kubebuilder:validation:Pattern=`^[A-Za-z0-9_]+$`
	// +kubebuilder:validation:XValidation:rule="!(self.lowerAscii() in ['system', 'system_auth', 'system_schema', 'system_distributed', 'system_traces', 'system_views', 'system_virtual_schema'])",message="spec.name cannot be a system keyspace: cqlsync never creates, alters or drops them"
	// +optional
	Name string `json:"name,omitempty"`

	// Replication is the keyspace's replication strategy and replica counts. Changing it on an
	// existing keyspace runs ALTER KEYSPACE; the data already written is not moved until a repair
	// (nodetool repair -full) runs on that cluster, which the status and events remind you of.
	Replication KeyspaceReplication `json:"replication"`

	// DurableWrites writes mutations of this keyspace to the commit log. Turning it off risks
	// losing recent writes when a node crashes.
	// +kubebuilder:default=true
	// +optional
	DurableWrites *bool `json:"durableWrites,omitempty"`

	// Connections are the connections whose clusters get the keyspace: the name of a
	// CassandraConnection of this namespace ("prod"), or {kind: ClusterCassandraConnection, name:
	// shared} for a cluster-scoped connection a platform team shares. Empty means the namespace's
	// default connection: its CassandraConnection with spec.default, or the
	// ClusterCassandraConnection that the namespace's annotation
	// cqlsync.io/default-cluster-connection names. Each connection at most once.
	// +kubebuilder:validation:MaxItems=32
	// +listType=atomic
	// +optional
	Connections []ConnectionRef `json:"connections,omitempty"`

	// ChangePolicy says which changes run on their own: Auto (the default) runs every change;
	// AutoAdditive runs only additive ones (creations, new columns and fields, new indexes) and
	// holds the others (ALTERs, DROPs, index rebuilds) for approval; Manual holds every change.
	// A held plan is published in status.plan with a hash, and runs once the annotation
	// cqlsync.io/approve-plan is set to that hash and recomputing the plan gives the same one.
	// +kubebuilder:default=Auto
	// +optional
	ChangePolicy ChangePolicy `json:"changePolicy,omitempty"`

	// AllowedNamespaces selects the other namespaces whose TableModels and UserTypes may create
	// tables and types in this keyspace. A keyspace's contents belong to its owner: a TableModel
	// or UserType of another namespace that targets the keyspace on a cluster where this Keyspace
	// owns it is refused (reason NotPermitted, naming this Keyspace) unless its namespace's labels
	// match this selector. No selector: only this Keyspace's namespace; {}: every namespace. A
	// keyspace no Keyspace resource manages is open to every namespace the connection allows.
	// +optional
	AllowedNamespaces *metav1.LabelSelector `json:"allowedNamespaces,omitempty"`

	// DeletionPolicy says what deleting this resource does in Cassandra: Retain (the default)
	// leaves the keyspace and its data; Delete runs DROP KEYSPACE IF EXISTS on every target, which
	// destroys the data. A target whose CassandraConnection no longer exists is skipped (there is
	// nothing left to reach it through) and reported in a Warning event. A target that cannot be
	// reached holds the deletion (condition Ready=False, reason Deleting) until it can, until
	// deletionPolicy is switched to Retain, or until the annotation
	// cqlsync.io/skip-unreachable-on-delete: "true" is set. A keyspace that another Keyspace of
	// any namespace also declares on the same cluster is never dropped there: not by a Keyspace that does
	// not own it (reason DuplicateOwner), and not by its owner while a duplicate that is not being
	// deleted remains to take it over. A Normal event says so.
	// +kubebuilder:default=Retain
	// +optional
	DeletionPolicy DeletionPolicy `json:"deletionPolicy,omitempty"`
}

// KeyspaceStatus is the observed state of a Keyspace.
type KeyspaceStatus struct {
	SchemaStatus `json:",inline"`
	// Keyspace is the effective CQL keyspace name.
	// +optional
	Keyspace string `json:"keyspace,omitempty"`
}

// Keyspace is a Cassandra keyspace kept in sync on one or more clusters (cqlengine's
// create_keyspace_simple / create_keyspace_network_topology / drop_keyspace with connections=[...]).
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:shortName=cqlks,categories=cqlsync
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="Reason",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].reason`
// +kubebuilder:printcolumn:name="Targets",type=string,JSONPath=`.status.targetsSynced`
// +kubebuilder:printcolumn:name="Drifted",type=string,JSONPath=`.status.conditions[?(@.type=="Drifted")].status`,priority=1
// +kubebuilder:printcolumn:name="Keyspace",type=string,JSONPath=`.status.keyspace`,priority=1
// +kubebuilder:printcolumn:name="Policy",type=string,JSONPath=`.spec.deletionPolicy`,priority=1
// +kubebuilder:printcolumn:name="Plan",type=string,JSONPath=`.status.plan.hash`,priority=1,description="the hash of the plan that waits, if any"
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
// +kubebuilder:validation:XValidation:rule="has(self.spec.name) || (size(self.metadata.name) <= 48 && !self.metadata.name.contains('.'))",message="metadata.name cannot be used as the keyspace name (at most 48 characters, no dots): set spec.name"
// +kubebuilder:validation:XValidation:rule="has(self.spec.name) || !(self.metadata.name.replace('-', '_') in ['system', 'system_auth', 'system_schema', 'system_distributed', 'system_traces', 'system_views', 'system_virtual_schema'])",message="metadata.name cannot be used as the keyspace name: it is a system keyspace, which cqlsync never creates, alters or drops"
type Keyspace struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   KeyspaceSpec   `json:"spec"`
	Status KeyspaceStatus `json:"status,omitempty"`
}

// KeyspaceList is a list of Keyspaces.
// +kubebuilder:object:root=true
type KeyspaceList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []Keyspace `json:"items"`
}

func init() {
	SchemeBuilder.Register(&Keyspace{}, &KeyspaceList{})
}

// CQLName is the effective CQL keyspace name: spec.name, or metadata.name with "-" turned into "_".
func (k *Keyspace) CQLName() string { return cqlName(k.Spec.Name, k.Name) }

// SpecName is spec.name.
func (k *Keyspace) SpecName() *string { return &k.Spec.Name }

// TargetConnections is spec.connections.
func (k *Keyspace) TargetConnections() []ConnectionRef { return k.Spec.Connections }

// TargetKeyspaces is nil: a Keyspace's targets are connections.
func (k *Keyspace) TargetKeyspaces() []KeyspaceName { return nil }

// EffectiveDeletionPolicy is spec.deletionPolicy, Retain when unset.
func (k *Keyspace) EffectiveDeletionPolicy() DeletionPolicy {
	return effectivePolicy(k.Spec.DeletionPolicy)
}

// EffectiveChangePolicy is spec.changePolicy, Auto when unset.
func (k *Keyspace) EffectiveChangePolicy() ChangePolicy {
	return effectiveChangePolicy(k.Spec.ChangePolicy)
}

// Schema is the status shared with the other schema kinds.
func (k *Keyspace) Schema() *SchemaStatus { return &k.Status.SchemaStatus }

// DurableWritesOrDefault is spec.durableWrites, true when unset.
func (s *KeyspaceSpec) DurableWritesOrDefault() bool {
	return s.DurableWrites == nil || *s.DurableWrites
}
