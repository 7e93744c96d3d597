package v1alpha1

import (
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// ClusterCassandraConnectionSpec is a CassandraConnectionSpec that a platform team shares with the
// namespaces it allows, as cert-manager's ClusterIssuer shares an issuer: the tenants reference it
// and never see its credentials.
// +kubebuilder:validation:XValidation:rule="!has(self.default) || !self.default",message="spec.default is for namespaced connections: make a ClusterCassandraConnection a namespace's default with the namespace annotation cqlsync.io/default-cluster-connection"
type ClusterCassandraConnectionSpec struct {
	CassandraConnectionSpec `json:",inline"`

	// SecretsNamespace is the namespace of the Secrets that spec.auth and spec.tls name: the
	// platform team's, never a tenant's. Empty means the operator's own namespace (its flag
	// --operator-namespace).
	// +kubebuilder:validation:MaxLength=63
	// +kubebuilder:validation:Pattern=`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`
	// +optional
	SecretsNamespace string `json:"secretsNamespace,omitempty"`

	// AllowedNamespaces selects, by their labels, the namespaces whose Keyspaces, TableModels and
	// UserTypes may use this connection. No selector means no namespace may; an empty selector
	// ({}) means every namespace. A resource of another namespace that names it is refused
	// (reason NotPermitted) without any query to the cluster. Label changes take effect at once.
	// +optional
	AllowedNamespaces *metav1.LabelSelector `json:"allowedNamespaces,omitempty"`

	// AllowedKeyspaces are the keyspaces the resources may create, change or drop through this
	// connection: exact names, or prefixes ending in "*" (team_a_* allows team_a_orders). The
	// placeholder ${namespace} stands for the resource's namespace as a CQL name (its "-" become
	// "_"), so that one shared connection isolates many teams: ${namespace}_* lets namespace
	// team-a use team_a_orders, and namespace team-b only team_b_*. Empty means any keyspace;
	// system keyspaces are never allowed.
	// +kubebuilder:validation:MaxItems=64
	// +kubebuilder:validation:items:MaxLength=64
	// +kubebuilder:validation:items:Pattern=`^([A-Za-z0-9_]|\$\{namespace\})+\*?$`
	// +listType=set
	// +optional
	AllowedKeyspaces []string `json:"allowedKeyspaces,omitempty"`

	// AllowedRoles are the roles CassandraRoles may create, change or drop through this
	// connection, written as AllowedKeyspaces are (exact names, prefixes ending in "*",
	// ${namespace}): ${namespace}_* lets namespace team-a manage team_a_app. Empty means no role:
	// a platform team opts in. The role cassandra is never allowed, and superuser roles are
	// refused through any ClusterCassandraConnection.
	// +kubebuilder:validation:MaxItems=64
	// +kubebuilder:validation:items:MaxLength=64
	// +kubebuilder:validation:items:Pattern=`^([A-Za-z0-9_]|\$\{namespace\})+\*?$`
	// +listType=set
	// +optional
	AllowedRoles []string `json:"allowedRoles,omitempty"`
}

// ClusterCassandraConnection is a connection to one Cassandra cluster that a platform team declares
// once for the whole Kubernetes cluster and lends to the namespaces it allows: Keyspaces,
// TableModels and UserTypes reference it as {kind: ClusterCassandraConnection, name: ...} in
// spec.connections. One driver session serves every namespace that uses it.
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:scope=Cluster,shortName=cqlcconn,categories=cqlsync
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="Reason",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].reason`
// +kubebuilder:printcolumn:name="Hosts",type=string,JSONPath=`.status.hostsUp`
// +kubebuilder:printcolumn:name="Cluster",type=string,JSONPath=`.status.clusterName`,priority=1
// +kubebuilder:printcolumn:name="ClusterID",type=string,JSONPath=`.status.clusterID`,priority=1
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
type ClusterCassandraConnection struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   ClusterCassandraConnectionSpec `json:"spec"`
	Status CassandraConnectionStatus      `json:"status,omitempty"`
}

// ClusterCassandraConnectionList is a list of ClusterCassandraConnections.
// +kubebuilder:object:root=true
type ClusterCassandraConnectionList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []ClusterCassandraConnection `json:"items"`
}

func init() {
	SchemeBuilder.Register(&ClusterCassandraConnection{}, &ClusterCassandraConnectionList{})
}

// KeyspaceAllowed reports whether the connection lets the resources of namespace manage the
// keyspace: never a system keyspace; any other when spec.allowedKeyspaces is empty; otherwise one
// it names exactly, or one that starts with a prefix it gives before "*", once ${namespace} is
// replaced by the namespace's CQL name (NamespaceCQLName).
func (s *ClusterCassandraConnectionSpec) KeyspaceAllowed(keyspace, namespace string) bool {
	if IsSystemKeyspace(keyspace) {
		return false
	}
	if len(s.AllowedKeyspaces) == 0 {
		return true
	}
	return allowListMatches(s.AllowedKeyspaces, keyspace, namespace)
}

// RoleAllowed reports whether the connection lets the CassandraRoles of namespace manage the
// role: one spec.allowedRoles names exactly, or by a prefix before "*", once ${namespace} is
// replaced; never cassandra, and none when the list is empty.
func (s *ClusterCassandraConnectionSpec) RoleAllowed(role, namespace string) bool {
	return !strings.EqualFold(role, DefaultSuperuser) && allowListMatches(s.AllowedRoles, role, namespace)
}

// DefaultSuperuser is the superuser role Cassandra creates: cqlsync never manages it.
const DefaultSuperuser = "cassandra"

// allowListMatches reports whether name is in an allow-list of exact names and prefixes ending
// in "*", with ${namespace} standing for the namespace's CQL name.
func allowListMatches(list []string, name, namespace string) bool {
	for _, p := range list {
		p = strings.ReplaceAll(p, NamespacePlaceholder, NamespaceCQLName(namespace))
		if prefix, ok := strings.CutSuffix(p, "*"); ok {
			if strings.HasPrefix(name, prefix) {
				return true
			}
		} else if p == name {
			return true
		}
	}
	return false
}

// SecretsNamespaceOr is the namespace of the Secrets the connection names: spec.secretsNamespace,
// else the operator's namespace.
func (c *ClusterCassandraConnection) SecretsNamespaceOr(operatorNamespace string) string {
	if c.Spec.SecretsNamespace != "" {
		return c.Spec.SecretsNamespace
	}
	return operatorNamespace
}

// NamespacePlaceholder stands for a resource's namespace in an allow-list.
const NamespacePlaceholder = "${namespace}"

// NamespaceCQLName is a namespace's name as it stands in a CQL name: a namespace is a DNS label
// (a-z, 0-9 and "-"), and CQL names allow no "-", so each "-" becomes "_" (team-a: team_a).
func NamespaceCQLName(namespace string) string { return strings.ReplaceAll(namespace, "-", "_") }
