package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Permission is a Cassandra permission a grant gives on a keyspace or a table.
// +kubebuilder:validation:Enum=ALL;ALTER;AUTHORIZE;CREATE;DESCRIBE;DROP;EXECUTE;MODIFY;SELECT;UNMASK;SELECT_MASKED
type Permission string

// Grant is a set of permissions of a role on a keyspace, or on some of its tables.
// +kubebuilder:validation:XValidation:rule="!has(self.tables) || size(self.tables) == 0 || self.permissions.all(p, p in ['ALL', 'ALTER', 'AUTHORIZE', 'DROP', 'MODIFY', 'SELECT', 'UNMASK', 'SELECT_MASKED'])",message="grants[].permissions: on tables, only ALL, ALTER, AUTHORIZE, DROP, MODIFY, SELECT, UNMASK and SELECT_MASKED apply (CREATE, DESCRIBE and EXECUTE are keyspace permissions)"
type Grant struct {
	// Permissions granted. ALL is every permission that applies to the resource; it is stored as
	// those permissions and compared that way, so a resync never flips between ALL and its parts.
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=11
	// +listType=set
	Permissions []Permission `json:"permissions"`
	// Keyspace the permissions are on. It must be a keyspace the namespace may use: never a system
	// keyspace, one the connection's allow-list permits, and not another namespace's (the
	// ownership rule of Keyspaces). Otherwise the target is NotPermitted.
	Keyspace KeyspaceName `json:"keyspace"`
	// Tables of the keyspace the permissions are on; empty: the whole keyspace (ALL TABLES of it,
	// present and future).
	// +kubebuilder:validation:MaxItems=64
	// +listType=set
	// +optional
	Tables []ColumnName `json:"tables,omitempty"`
}

// PasswordSecretRef names the key of a Secret of the resource's namespace that holds a password.
type PasswordSecretRef struct {
	// Name of the Secret.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	Name string `json:"name"`
	// Key of the Secret's data; default "password".
	// +kubebuilder:default=password
	// +kubebuilder:validation:MaxLength=253
	// +optional
	Key string `json:"key,omitempty"`
}

// RolePassword says where the role's password comes from.
// +kubebuilder:validation:XValidation:rule="!(has(self.unmanaged) && self.unmanaged && has(self.secretRef))",message="spec.password: unmanaged and secretRef exclude each other"
type RolePassword struct {
	// Unmanaged leaves the role's password as it is in Cassandra: cqlsync never sets it, and
	// writes no credentials Secret. What cqlsync import writes for the roles it adopts.
	// +optional
	Unmanaged bool `json:"unmanaged,omitempty"`
	// SecretRef takes the password from a Secret the user keeps. Without it cqlsync generates one
	// and keeps it in the credentials Secret.
	// +optional
	SecretRef *PasswordSecretRef `json:"secretRef,omitempty"`
	// Length of a generated password, in characters (letters and digits).
	// +kubebuilder:default=32
	// +kubebuilder:validation:Minimum=16
	// +kubebuilder:validation:Maximum=128
	// +optional
	Length int32 `json:"length,omitempty"`
}

// CredentialsSecret is the Secret cqlsync writes for the applications of a login role, in the
// resource's namespace, with the keys username, password, hosts (the contact points, comma
// separated), port, localDatacenter and keyspace.
type CredentialsSecret struct {
	// Name of the Secret; default <metadata.name>-cassandra.
	// +kubebuilder:validation:MaxLength=253
	// +optional
	Name string `json:"name,omitempty"`
	// Keyspace written under the key keyspace; default the keyspace of the first grant.
	// +optional
	Keyspace KeyspaceName `json:"keyspace,omitempty"`
}

// CassandraRoleSpec is the desired role on every target (each connection's cluster).
// +kubebuilder:validation:XValidation:rule="!has(oldSelf.name) || (has(self.name) && self.name == oldSelf.name)",message="spec.name is immutable: create a new CassandraRole to use another role name"
// +kubebuilder:validation:XValidation:rule="!has(self.name) || self.name.lowerAscii() != 'cassandra'",message="spec.name: the role cassandra is Cassandra's default superuser; cqlsync never manages it"
type CassandraRoleSpec struct {
	// Name is the CQL role name (letters, digits, underscores, at most 48; always quoted, so
	// case-sensitive). When empty the controller sets it from metadata.name with "-" turned into
	// "_". Immutable. Never cassandra.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=48
	// +kubebuilder:validation:Pattern=`^[A-Za-z0-9_]+$`
	// +optional
	Name string `json:"name,omitempty"`

	// Connections are the connections whose clusters get the role, as for a Keyspace. A role
	// through a ClusterCassandraConnection must match its spec.allowedRoles, and cannot be a
	// superuser.
	// +kubebuilder:validation:MaxItems=32
	// +listType=atomic
	// +optional
	Connections []ConnectionRef `json:"connections,omitempty"`

	// Login lets the role log in (LOGIN = true). Default true.
	// +kubebuilder:default=true
	// +optional
	Login *bool `json:"login,omitempty"`

	// Superuser makes the role a superuser. Refused through a ClusterCassandraConnection.
	// +optional
	Superuser bool `json:"superuser,omitempty"`

	// Password of a login role: generated (the default) or from a Secret. It is sent to Cassandra
	// only as a bcrypt hash (HASHED PASSWORD), never as text.
	// +optional
	Password *RolePassword `json:"password,omitempty"`

	// CredentialsSecret is the Secret written for applications (login roles only).
	// +optional
	CredentialsSecret *CredentialsSecret `json:"credentialsSecret,omitempty"`

	// Grants are the role's permissions, authoritative: a permission of the role on a keyspace or
	// table that no grant declares is revoked.
	// +kubebuilder:validation:MaxItems=64
	// +listType=atomic
	// +optional
	Grants []Grant `json:"grants,omitempty"`

	// ChangePolicy, as for the other kinds: Auto, AutoAdditive (creations and new grants run,
	// ALTERs and REVOKEs wait for approval) or Manual.
	// +kubebuilder:default=Auto
	// +optional
	ChangePolicy ChangePolicy `json:"changePolicy,omitempty"`

	// DeletionPolicy: Retain (the default) leaves the role in Cassandra; Delete drops it on every
	// target.
	// +kubebuilder:default=Retain
	// +optional
	DeletionPolicy DeletionPolicy `json:"deletionPolicy,omitempty"`
}

// CassandraRoleStatus is the observed state of the role.
type CassandraRoleStatus struct {
	SchemaStatus `json:",inline"`
	// Role is the effective CQL role name.
	// +optional
	Role string `json:"role,omitempty"`
	// CredentialsSecret is the name of the Secret written for applications.
	// +optional
	CredentialsSecret string `json:"credentialsSecret,omitempty"`
	// PasswordRotatedAt is when the password last changed (generated, rotated, or read anew from
	// its Secret). The password itself is never in status.
	// +optional
	PasswordRotatedAt *metav1.Time `json:"passwordRotatedAt,omitempty"`
}

// CassandraRole is a Cassandra role with its permissions, and the Secret its applications log in
// with.
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:shortName=cqlrole,categories=cqlsync
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="Reason",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].reason`
// +kubebuilder:printcolumn:name="Targets",type=string,JSONPath=`.status.targetsSynced`
// +kubebuilder:printcolumn:name="Drifted",type=string,JSONPath=`.status.conditions[?(@.type=="Drifted")].status`,priority=1
// +kubebuilder:printcolumn:name="Role",type=string,JSONPath=`.status.role`,priority=1
// +kubebuilder:printcolumn:name="Policy",type=string,JSONPath=`.spec.deletionPolicy`,priority=1
// +kubebuilder:printcolumn:name="Plan",type=string,JSONPath=`.status.plan.hash`,priority=1,description="the hash of the plan that waits, if any"
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
type CassandraRole struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   CassandraRoleSpec   `json:"spec,omitempty"`
	Status CassandraRoleStatus `json:"status,omitempty"`
}

// CassandraRoleList is a list of CassandraRoles.
// +kubebuilder:object:root=true
type CassandraRoleList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []CassandraRole `json:"items"`
}

func init() {
	SchemeBuilder.Register(&CassandraRole{}, &CassandraRoleList{})
}

// CQLName is the effective CQL role name: spec.name, or metadata.name with "-" turned into "_".
func (r *CassandraRole) CQLName() string { return cqlName(r.Spec.Name, r.Name) }

// SpecName is spec.name.
func (r *CassandraRole) SpecName() *string { return &r.Spec.Name }

// TargetConnections is spec.connections.
func (r *CassandraRole) TargetConnections() []ConnectionRef { return r.Spec.Connections }

// TargetKeyspaces is nil: a role belongs to a cluster, not to a keyspace.
func (r *CassandraRole) TargetKeyspaces() []KeyspaceName { return nil }

// EffectiveDeletionPolicy is spec.deletionPolicy, Retain when unset.
func (r *CassandraRole) EffectiveDeletionPolicy() DeletionPolicy {
	return effectivePolicy(r.Spec.DeletionPolicy)
}

// EffectiveChangePolicy is spec.changePolicy, Auto when unset.
func (r *CassandraRole) EffectiveChangePolicy() ChangePolicy {
	return effectiveChangePolicy(r.Spec.ChangePolicy)
}

// Schema is the status shared with the other schema kinds.
func (r *CassandraRole) Schema() *SchemaStatus { return &r.Status.SchemaStatus }

// CanLogin is spec.login, true when unset.
func (r *CassandraRole) CanLogin() bool { return r.Spec.Login == nil || *r.Spec.Login }

// CredentialsSecretName is the Secret written for applications: spec.credentialsSecret.name, or
// <metadata.name>-cassandra.
func (r *CassandraRole) CredentialsSecretName() string {
	if c := r.Spec.CredentialsSecret; c != nil && c.Name != "" {
		return c.Name
	}
	return r.Name + "-cassandra"
}

// AnnotationRotatePassword asks for a new password: set it (kubectl annotate
// cassandrarole/<name> cqlsync.io/rotate-password=<anything new> --overwrite) and cqlsync
// generates a password, writes it into the credentials Secret, then alters the role. Each new
// value rotates once. Roles whose password comes from spec.password.secretRef are rotated by
// changing that Secret instead.
const AnnotationRotatePassword = "cqlsync.io/rotate-password"

// AnnotationRotatedFor, on a credentials Secret, is the value of AnnotationRotatePassword its
// password was generated for.
const AnnotationRotatedFor = "cqlsync.io/rotated-for"

// Keys of a credentials Secret.
const (
	CredentialsUsername        = "username"
	CredentialsPassword        = "password"
	CredentialsHosts           = "hosts"
	CredentialsPort            = "port"
	CredentialsLocalDatacenter = "localDatacenter"
	CredentialsKeyspace        = "keyspace"
)
