package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Host is a Cassandra contact point: a DNS name, an IPv4 address or a bracketed IPv6 address, with an
// optional port: "cass-0.cass", "10.0.0.7:9142", "[fd00::7]:9042". URLs and paths are not hosts.
// +kubebuilder:validation:MinLength=1
// +kubebuilder:validation:MaxLength=261
// +kubebuilder:validation:XValidation:rule="self.matches('^([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*|\\\\[[0-9A-Fa-f:.]+\\\\])(:[0-9]{1,5})?$')",message="must be host, host:port or [ipv6]:port (a DNS name or IP address, no scheme or path)"
// +kubebuilder:validation:XValidation:rule="!self.matches(':[0-9]{1,5}$') || int(self.substring(self.lastIndexOf(':') + 1)) >= 1 && int(self.substring(self.lastIndexOf(':') + 1)) <= 65535",message="port must be between 1 and 65535"
type Host string

// Consistency is a CQL consistency level.
// +kubebuilder:validation:Enum=ANY;ONE;TWO;THREE;QUORUM;ALL;LOCAL_QUORUM;EACH_QUORUM;LOCAL_ONE
type Consistency string

// Compression is the wire compression of the native protocol.
// +kubebuilder:validation:Enum=none;snappy;lz4
type Compression string

const (
	CompressionNone   Compression = "none"
	CompressionSnappy Compression = "snappy"
	CompressionLZ4    Compression = "lz4"
)

// CassandraConnectionSpec describes how to reach one Cassandra cluster.
// +kubebuilder:validation:XValidation:rule="!has(self.defaultKeyspace) || self.defaultKeyspace.matches('^[A-Za-z0-9_]{1,48}$')",message="defaultKeyspace must be 1-48 letters, digits or underscores"
// +kubebuilder:validation:XValidation:rule="!has(self.defaultKeyspace) || !(self.defaultKeyspace.lowerAscii() in ['system', 'system_auth', 'system_schema', 'system_distributed', 'system_traces', 'system_views', 'system_virtual_schema'])",message="defaultKeyspace cannot be a system keyspace: cqlsync never creates, alters or drops them"
type CassandraConnectionSpec struct {
	// Hosts are the contact points of the cluster: "host" or "host:port" (a port here overrides
	// spec.port). The driver discovers the other nodes from them.
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=64
	// +listType=set
	Hosts []Host `json:"hosts"`

	// Port is the CQL native transport port used for hosts that name none.
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=65535
	// +kubebuilder:default=9042
	// +optional
	Port int32 `json:"port,omitempty"`

	// Default makes this the namespace's default connection: Keyspaces, TableModels and UserTypes that list no
	// connections use it. At most one connection per namespace may be the default; two defaults are
	// reported on both (reason DefaultConflict) and neither is used as the default.
	// +optional
	Default bool `json:"default,omitempty"`

	// DefaultKeyspace is the keyspace a TableModel uses on this connection when it names none.
	// +kubebuilder:validation:MaxLength=48
	// +optional
	DefaultKeyspace string `json:"defaultKeyspace,omitempty"`

	// LocalDatacenter enables datacenter-aware routing: queries go to nodes of this datacenter first.
	// Empty means token-aware round robin across all datacenters.
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:Pattern=`^[A-Za-z0-9][A-Za-z0-9_.-]*$`
	// +optional
	LocalDatacenter string `json:"localDatacenter,omitempty"`

	// Consistency is the default consistency level of the session's reads of system tables.
	// +kubebuilder:default=LOCAL_ONE
	// +optional
	Consistency Consistency `json:"consistency,omitempty"`

	// ProtocolVersion pins the native protocol version (3, 4 or 5). Empty negotiates the highest
	// version both sides support.
	// +kubebuilder:validation:Minimum=3
	// +kubebuilder:validation:Maximum=5
	// +optional
	ProtocolVersion int32 `json:"protocolVersion,omitempty"`

	// Compression of native protocol frames.
	// +kubebuilder:default=none
	// +optional
	Compression Compression `json:"compression,omitempty"`

	// ConnectTimeout bounds establishing one connection, TLS and authentication included.
	// +kubebuilder:default="5s"
	// +kubebuilder:validation:XValidation:rule="duration(self) >= duration('100ms') && duration(self) <= duration('5m')",message="connectTimeout must be between 100ms and 5m"
	// +optional
	ConnectTimeout *metav1.Duration `json:"connectTimeout,omitempty"`

	// RequestTimeout bounds one request (a query or a DDL statement) on an established connection.
	// +kubebuilder:default="12s"
	// +kubebuilder:validation:XValidation:rule="duration(self) >= duration('100ms') && duration(self) <= duration('10m')",message="requestTimeout must be between 100ms and 10m"
	// +optional
	RequestTimeout *metav1.Duration `json:"requestTimeout,omitempty"`

	// SchemaAgreementTimeout is how long to wait for all reachable nodes to agree on the schema
	// after a DDL statement (max_schema_agreement_wait).
	// +kubebuilder:default="30s"
	// +kubebuilder:validation:XValidation:rule="duration(self) >= duration('1s') && duration(self) <= duration('30m')",message="schemaAgreementTimeout must be between 1s and 30m"
	// +optional
	SchemaAgreementTimeout *metav1.Duration `json:"schemaAgreementTimeout,omitempty"`

	// TablesWarnThreshold: when a table that cqlsync creates brings the cluster past this many
	// tables (outside Cassandra's own keyspaces), the resource gets a Warning event (TooManyTables)
	// and the manager logs it. Cassandra degrades past a few hundred tables: each costs memory on
	// every node whether it is used or not. 0 turns the warning off. status.tables shows the count.
	// +kubebuilder:default=200
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=100000
	// +optional
	TablesWarnThreshold *int32 `json:"tablesWarnThreshold,omitempty"`

	// DDLGuards decide whether DDL waits while a node is down or while the nodes run different
	// Cassandra versions. Held targets are Pending with reason NodeDown or ClusterUpgrading,
	// naming the nodes, and are retried until the cluster is whole again.
	// +optional
	DDLGuards *DDLGuards `json:"ddlGuards,omitempty"`

	// LazyConnect defers connecting until a Keyspace, TableModel or UserType needs the session. Until then the
	// connection is Ready with reason NotConnectedYet and status.hosts is empty.
	// +optional
	LazyConnect bool `json:"lazyConnect,omitempty"`

	// Auth configures username/password authentication (PasswordAuthenticator).
	// +optional
	Auth *AuthSpec `json:"auth,omitempty"`

	// TLS configures client-to-node encryption. The server certificate is verified against the CA
	// (or the system roots when no CA is given) unless insecureSkipVerify is set.
	// +optional
	TLS *TLSSpec `json:"tls,omitempty"`
}

// AuthSpec points at the credentials. Credentials are never inline.
type AuthSpec struct {
	// SecretRef names the Secret, in the connection's namespace, that holds the credentials.
	SecretRef CredentialsSecretRef `json:"secretRef"`
}

// CredentialsSecretRef names a Secret and the keys of the username and password in it.
type CredentialsSecretRef struct {
	// Name of the Secret.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	Name string `json:"name"`

	// UsernameKey is the key of the username in the Secret.
	// +kubebuilder:default=username
	// +kubebuilder:validation:MinLength=1
	// +optional
	UsernameKey string `json:"usernameKey,omitempty"`

	// PasswordKey is the key of the password in the Secret.
	// +kubebuilder:default=password
	// +kubebuilder:validation:MinLength=1
	// +optional
	PasswordKey string `json:"passwordKey,omitempty"`
}

// TLSSpec configures TLS to the cluster.
// +kubebuilder:validation:XValidation:rule="!(has(self.insecureSkipVerify) && self.insecureSkipVerify && has(self.caSecretRef))",message="caSecretRef and insecureSkipVerify are mutually exclusive"
type TLSSpec struct {
	// CASecretRef names a Secret key holding the PEM CA bundle that signs the servers' certificates.
	// Without it the system roots are used.
	// +optional
	CASecretRef *SecretKeyRef `json:"caSecretRef,omitempty"`

	// ClientCertSecretRef names a Secret holding a client certificate and key (PEM), for clusters
	// that require client authentication.
	// +optional
	ClientCertSecretRef *ClientCertSecretRef `json:"clientCertSecretRef,omitempty"`

	// ServerName is the name expected in the servers' certificates. Empty means the host being
	// dialled.
	// +kubebuilder:validation:MaxLength=253
	// +optional
	ServerName string `json:"serverName,omitempty"`

	// InsecureSkipVerify disables verification of the servers' certificates. Only for tests; the
	// connection says so in its Ready message.
	// +optional
	InsecureSkipVerify bool `json:"insecureSkipVerify,omitempty"`
}

// SecretKeyRef names one key of a Secret in the same namespace.
type SecretKeyRef struct {
	// Name of the Secret.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	Name string `json:"name"`

	// Key in the Secret.
	// +kubebuilder:default="ca.crt"
	// +kubebuilder:validation:MinLength=1
	// +optional
	Key string `json:"key,omitempty"`
}

// ClientCertSecretRef names a Secret holding a PEM certificate and its key.
type ClientCertSecretRef struct {
	// Name of the Secret.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	Name string `json:"name"`

	// CertKey is the key of the PEM certificate in the Secret.
	// +kubebuilder:default="tls.crt"
	// +kubebuilder:validation:MinLength=1
	// +optional
	CertKey string `json:"certKey,omitempty"`

	// KeyKey is the key of the PEM private key in the Secret.
	// +kubebuilder:default="tls.key"
	// +kubebuilder:validation:MinLength=1
	// +optional
	KeyKey string `json:"keyKey,omitempty"`
}

// HostStatus is one node of the cluster as the driver and system tables see it.
type HostStatus struct {
	// HostID is the node's host_id, which it keeps for life whatever its address.
	// +optional
	HostID string `json:"hostID,omitempty"`
	// Address the driver connects to.
	Address string `json:"address"`
	// Datacenter of the node.
	// +optional
	Datacenter string `json:"datacenter,omitempty"`
	// Rack of the node.
	// +optional
	Rack string `json:"rack,omitempty"`
	// Up is whether the driver currently considers the node up.
	Up bool `json:"up"`
	// ReleaseVersion is the Cassandra version of the node.
	// +optional
	ReleaseVersion string `json:"releaseVersion,omitempty"`
	// SchemaVersion is the node's schema version; nodes that disagree are reported here.
	// +optional
	SchemaVersion string `json:"schemaVersion,omitempty"`
}

// CassandraConnectionStatus is the observed state of a connection.
type CassandraConnectionStatus struct {
	// ObservedGeneration is the generation last reconciled successfully.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`

	// Conditions: Ready.
	// +listType=map
	// +listMapKey=type
	// +optional
	Conditions []metav1.Condition `json:"conditions,omitempty"`

	// ClusterName is the cluster_name the nodes report.
	// +optional
	ClusterName string `json:"clusterName,omitempty"`

	// ClusterID is the identity of the cluster: its cluster_name and the smallest host_id of its
	// nodes. Connections that reach the same cluster share it, whatever their contact points (a
	// DNS name, an IP address), kind or namespace; cqlsync decides who owns a keyspace, table or
	// type by it, across every namespace.
	// +optional
	ClusterID string `json:"clusterID,omitempty"`

	// Hosts are the nodes the driver knows, sorted by address.
	// +optional
	Hosts []HostStatus `json:"hosts,omitempty"`

	// HostsUp summarises hosts as "up/total", for kubectl get.
	// +optional
	HostsUp string `json:"hostsUp,omitempty"`

	// Tables is how many tables the cluster holds outside Cassandra's own keyspaces, as of the
	// last refresh (see spec.tablesWarnThreshold).
	// +optional
	Tables int32 `json:"tables,omitempty"`
}

// CassandraConnection is a named connection to one Cassandra cluster (cqlengine's
// register_connection). The operator keeps one driver session per connection.
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:shortName=cqlconn,categories=cqlsync
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="Reason",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].reason`
// +kubebuilder:printcolumn:name="Hosts",type=string,JSONPath=`.status.hostsUp`
// +kubebuilder:printcolumn:name="Default",type=boolean,JSONPath=`.spec.default`,priority=1
// +kubebuilder:printcolumn:name="Cluster",type=string,JSONPath=`.status.clusterName`,priority=1
// +kubebuilder:printcolumn:name="ClusterID",type=string,JSONPath=`.status.clusterID`,priority=1
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
type CassandraConnection struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   CassandraConnectionSpec   `json:"spec"`
	Status CassandraConnectionStatus `json:"status,omitempty"`
}

// CassandraConnectionList is a list of CassandraConnections.
// +kubebuilder:object:root=true
type CassandraConnectionList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []CassandraConnection `json:"items"`
}

func init() {
	SchemeBuilder.Register(&CassandraConnection{}, &CassandraConnectionList{})
}

// GuardAction is what DDL does in a state of the cluster: Proceed or Hold.
// +kubebuilder:validation:Enum=Proceed;Hold
type GuardAction string

const (
	// GuardProceed runs DDL anyway.
	GuardProceed GuardAction = "Proceed"
	// GuardHold runs no DDL: the target waits, Pending, until the state passes.
	GuardHold GuardAction = "Hold"
)

// DDLGuards decide whether DDL waits for the cluster to be whole.
type DDLGuards struct {
	// WhenNodeDown is what DDL does while a node the driver knows is down: Proceed (the default)
	// or Hold. Proceed is safe in Cassandra: the reachable nodes must still agree on the schema
	// before and after each statement, and a node that comes back pulls the schema it missed; in a
	// large cluster a node is often down for maintenance, and holding would stop every schema
	// change meanwhile. Hold is for teams whose runbooks forbid DDL with a node down (k8ssandra's
	// advice, among others).
	// +kubebuilder:default=Proceed
	// +optional
	WhenNodeDown GuardAction `json:"whenNodeDown,omitempty"`
	// WhenVersionsDiffer is what DDL does while the nodes report different Cassandra release
	// versions, as during a rolling upgrade: Hold (the default) or Proceed. Nodes of different
	// major versions do not exchange schema changes, so a statement run mid-upgrade leaves the
	// cluster disagreeing until the upgrade ends; every upgrade guide says to make no schema change
	// until all nodes run the new version.
	// +kubebuilder:default=Hold
	// +optional
	WhenVersionsDiffer GuardAction `json:"whenVersionsDiffer,omitempty"`
}

// HoldWhenNodeDown reports whether DDL waits while a node is down (default: no).
func (g *DDLGuards) HoldWhenNodeDown() bool { return g != nil && g.WhenNodeDown == GuardHold }

// HoldWhenVersionsDiffer reports whether DDL waits while the nodes' versions differ (default: yes).
func (g *DDLGuards) HoldWhenVersionsDiffer() bool {
	return g == nil || g.WhenVersionsDiffer != GuardProceed
}

// SecretRefs lists the Secrets the connection reads, as "namespace/name" in namespace (where its
// Secrets are), for the watch that reconnects it when one changes.
func (s *CassandraConnectionSpec) SecretRefs(namespace string) []string {
	var names []string
	if s.Auth != nil {
		names = append(names, namespace+"/"+s.Auth.SecretRef.Name)
	}
	if t := s.TLS; t != nil {
		if t.CASecretRef != nil {
			names = append(names, namespace+"/"+t.CASecretRef.Name)
		}
		if t.ClientCertSecretRef != nil {
			names = append(names, namespace+"/"+t.ClientCertSecretRef.Name)
		}
	}
	return names
}
