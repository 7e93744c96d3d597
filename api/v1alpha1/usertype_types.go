package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// FieldName is the name of a field of a user-defined type: letters, digits and underscores. It is
// always quoted, so it is case-sensitive and may be a reserved word.
// +kubebuilder:validation:MinLength=1
// +kubebuilder:validation:MaxLength=128
// +kubebuilder:validation:Pattern=`^[A-Za-z0-9_]+$`
type FieldName string

// Field is one field of a user-defined type.
type Field struct {
	// Name of the field.
	Name FieldName `json:"name"`

	// Type is the CQL type text of the field: a native type (text, int, uuid, ...), a collection
	// (list<int>, map<text, frozen<list<int>>>), a tuple, vector<float, 3>, or another
	// user-defined type of the same keyspace (frozen<address>). The controller parses it; a type
	// it cannot use makes the UserType Ready=False with reason InvalidType naming the field.
	// Counters are not allowed in a type.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=512
	Type string `json:"type"`
}

// UserTypeSpec is the desired user-defined type on every target (connection x keyspace).
// The CEL rules below keep the type name off the names of CQL types, in lower case: Cassandra
// reports a type by its name, unquoted when it is lower case, so a type called "int" could not be
// told from the native type (upper-case names are quoted and fine: "Int").
// +kubebuilder:validation:XValidation:rule="!has(oldSelf.name) || (has(self.name) && self.name == oldSelf.name)",message="spec.name is immutable: create a new UserType to use another type name"
// +kubebuilder:validation:XValidation:rule="!has(self.name) || !(self.name in ['ascii', 'bigint', 'blob', 'boolean', 'counter', 'date', 'decimal', 'double', 'duration', 'float', 'inet', 'int', 'smallint', 'text', 'time', 'timestamp', 'timeuuid', 'tinyint', 'uuid', 'varchar', 'varint', 'list', 'set', 'map', 'tuple', 'frozen', 'vector', 'byte', 'complex', 'enum', 'interval', 'macaddr', 'bitstring'])",message="spec.name cannot be the name of a CQL type (int, text, map, ...): choose another name"
type UserTypeSpec struct {
	// Name is the CQL type name (letters, digits, underscores, at most 48; always quoted, so
	// case-sensitive). When empty the controller sets it from metadata.name with "-" turned into
	// "_". Immutable.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=48
	// +kubebuilder:validation:Pattern=`^[A-Za-z0-9_]+$`
	// +optional
	Name string `json:"name,omitempty"`

	// Keyspaces the type is created in, on every connection. Empty means each connection's
	// spec.defaultKeyspace. A type can only be used by the tables and types of its own keyspace.
	// +kubebuilder:validation:MaxItems=32
	// +listType=set
	// +optional
	Keyspaces []KeyspaceName `json:"keyspaces,omitempty"`

	// Connections are the connections whose clusters get the type: the name of a
	// CassandraConnection of this namespace ("prod"), or {kind: ClusterCassandraConnection, name:
	// shared} for a cluster-scoped connection a platform team shares. Empty means the namespace's
	// default connection: its CassandraConnection with spec.default, or the
	// ClusterCassandraConnection that the namespace's annotation
	// cqlsync.io/default-cluster-connection names. Each connection at most once.
	// +kubebuilder:validation:MaxItems=32
	// +listType=atomic
	// +optional
	Connections []ConnectionRef `json:"connections,omitempty"`

	// Fields of the type, in order. Field names are unique. Fields added to the list are added to
	// the live type (ALTER TYPE ... ADD), at its end: Cassandra cannot reorder fields. Cassandra
	// cannot drop a field or change its type either: a live field with another type, or one the
	// list does not have, blocks the target (nothing is executed there) until the spec or the
	// cluster is fixed.
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=256
	// +listType=map
	// +listMapKey=name
	Fields []Field `json:"fields"`

	// ChangePolicy says which changes run on their own: Auto (the default) runs every change;
	// AutoAdditive runs only additive ones (creations, new columns and fields, new indexes) and
	// holds the others (ALTERs, DROPs, index rebuilds) for approval; Manual holds every change.
	// A held plan is published in status.plan with a hash, and runs once the annotation
	// cqlsync.io/approve-plan is set to that hash and recomputing the plan gives the same one.
	// +kubebuilder:default=Auto
	// +optional
	ChangePolicy ChangePolicy `json:"changePolicy,omitempty"`

	// DeletionPolicy: Retain (default) leaves the type in Cassandra; Delete runs DROP TYPE IF
	// EXISTS on every target. Cassandra cannot drop a type that a table or another type still
	// uses: the deletion then waits (Ready=False, reason InUse, naming them) until they are gone.
	// A type that another UserType of the namespace also declares on a target is never dropped
	// there.
	// +kubebuilder:default=Retain
	// +optional
	DeletionPolicy DeletionPolicy `json:"deletionPolicy,omitempty"`
}

// UserTypeStatus is the observed state of a UserType.
type UserTypeStatus struct {
	SchemaStatus `json:",inline"`
	// Type is the effective CQL type name.
	// +optional
	Type string `json:"type,omitempty"`
}

// UserType is a CQL user-defined type created in every listed connection x keyspace: cqlengine's
// UserType model plus management.sync_type(ks, type). TableModels and other UserTypes whose types
// use it wait for it (reason UserTypeNotFound) instead of failing.
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:shortName=cqltype,categories=cqlsync
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="Reason",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].reason`
// +kubebuilder:printcolumn:name="Targets",type=string,JSONPath=`.status.targetsSynced`
// +kubebuilder:printcolumn:name="Drifted",type=string,JSONPath=`.status.conditions[?(@.type=="Drifted")].status`,priority=1
// +kubebuilder:printcolumn:name="Type",type=string,JSONPath=`.status.type`,priority=1
// +kubebuilder:printcolumn:name="Policy",type=string,JSONPath=`.spec.deletionPolicy`,priority=1
// +kubebuilder:printcolumn:name="Plan",type=string,JSONPath=`.status.plan.hash`,priority=1,description="the hash of the plan that waits, if any"
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
// +kubebuilder:validation:XValidation:rule="has(self.spec.name) || (size(self.metadata.name) <= 48 && !self.metadata.name.contains('.'))",message="metadata.name cannot be used as the type name (at most 48 characters, no dots): set spec.name"
// +kubebuilder:validation:XValidation:rule="has(self.spec.name) || !(self.metadata.name.replace('-', '_') in ['ascii', 'bigint', 'blob', 'boolean', 'counter', 'date', 'decimal', 'double', 'duration', 'float', 'inet', 'int', 'smallint', 'text', 'time', 'timestamp', 'timeuuid', 'tinyint', 'uuid', 'varchar', 'varint', 'list', 'set', 'map', 'tuple', 'frozen', 'vector', 'byte', 'complex', 'enum', 'interval', 'macaddr', 'bitstring'])",message="metadata.name cannot be used as the type name: it is the name of a CQL type (int, text, map, ...); set spec.name"
type UserType struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   UserTypeSpec   `json:"spec"`
	Status UserTypeStatus `json:"status,omitempty"`
}

// UserTypeList is a list of UserTypes.
// +kubebuilder:object:root=true
type UserTypeList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []UserType `json:"items"`
}

func init() {
	SchemeBuilder.Register(&UserType{}, &UserTypeList{})
}

// CQLName is the effective CQL type name: spec.name, or metadata.name with "-" turned into "_".
func (u *UserType) CQLName() string { return cqlName(u.Spec.Name, u.Name) }

// SpecName is spec.name.
func (u *UserType) SpecName() *string { return &u.Spec.Name }

// TargetConnections is spec.connections.
func (u *UserType) TargetConnections() []ConnectionRef { return u.Spec.Connections }

// TargetKeyspaces is spec.keyspaces.
func (u *UserType) TargetKeyspaces() []KeyspaceName { return u.Spec.Keyspaces }

// EffectiveDeletionPolicy is spec.deletionPolicy, Retain when unset.
func (u *UserType) EffectiveDeletionPolicy() DeletionPolicy {
	return effectivePolicy(u.Spec.DeletionPolicy)
}

// EffectiveChangePolicy is spec.changePolicy, Auto when unset.
func (u *UserType) EffectiveChangePolicy() ChangePolicy {
	return effectiveChangePolicy(u.Spec.ChangePolicy)
}

// Schema is the status shared with the other schema kinds.
func (u *UserType) Schema() *SchemaStatus { return &u.Status.SchemaStatus }
