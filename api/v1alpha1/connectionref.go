package v1alpha1

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
)

// ConnectionKind is the kind of connection a ConnectionRef names.
type ConnectionKind string

const (
	// KindCassandraConnection is a CassandraConnection of the resource's own namespace.
	KindCassandraConnection ConnectionKind = "CassandraConnection"
	// KindClusterCassandraConnection is a cluster-scoped ClusterCassandraConnection.
	KindClusterCassandraConnection ConnectionKind = "ClusterCassandraConnection"
)

// ConnectionRef names the connection of a target. In YAML it is either a plain string, the name
// of a CassandraConnection of the resource's namespace ("prod"), or an object naming a
// ClusterCassandraConnection ({kind: ClusterCassandraConnection, name: shared}). Existing
// manifests, which use strings, stay valid.
//
// The CRD cannot type such an item (it is a string or an object), so the API server keeps it as
// it is; the operator checks it (reason InvalidSpec, naming spec.connections[i]) and the
// ValidatingAdmissionPolicy of config/admission rejects a malformed one at admission.
// +kubebuilder:validation:Type=""
// +kubebuilder:pruning:PreserveUnknownFields
type ConnectionRef struct {
	// Kind is CassandraConnection or ClusterCassandraConnection.
	Kind ConnectionKind `json:"-"`
	// Name of the connection.
	Name string `json:"-"`
	// Invalid is set when the item could not be read as a reference: what is wrong with it.
	Invalid string `json:"-"`
}

// connectionNamePattern is a DNS subdomain, as Kubernetes object names are.
var connectionNamePattern = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`)

// Namespaced returns a reference to a CassandraConnection of the resource's namespace.
func Namespaced(name string) ConnectionRef {
	return ConnectionRef{Kind: KindCassandraConnection, Name: name}
}

// ClusterScoped returns a reference to a ClusterCassandraConnection.
func ClusterScoped(name string) ConnectionRef {
	return ConnectionRef{Kind: KindClusterCassandraConnection, Name: name}
}

// IsCluster reports whether the reference names a ClusterCassandraConnection.
func (r ConnectionRef) IsCluster() bool { return r.Kind == KindClusterCassandraConnection }

// String is the name of a namespaced connection, and "ClusterCassandraConnection/name" otherwise.
func (r ConnectionRef) String() string {
	if r.IsCluster() {
		return string(KindClusterCassandraConnection) + "/" + r.Name
	}
	return r.Name
}

// UnmarshalJSON reads a string or an object. It never fails on the item's content: what cannot be
// used is kept in Invalid, for the operator to report, so that one bad item cannot make the whole
// resource unreadable.
func (r *ConnectionRef) UnmarshalJSON(b []byte) error {
	*r = ConnectionRef{}
	b = bytes.TrimSpace(b)
	var name string
	if len(b) > 0 && b[0] == '"' {
		if err := json.Unmarshal(b, &name); err != nil {
			r.Invalid = "not a valid string"
			return nil
		}
		*r = Namespaced(name)
		r.Invalid = nameProblem(name)
		return nil
	}
	var obj struct {
		Kind ConnectionKind `json:"kind"`
		Name string         `json:"name"`
	}
	if err := json.Unmarshal(b, &obj); err != nil {
		r.Invalid = "neither a connection name nor an object {kind, name}: " + string(b)
		return nil
	}
	r.Kind, r.Name = obj.Kind, obj.Name
	switch obj.Kind {
	case KindClusterCassandraConnection, KindCassandraConnection:
		r.Invalid = nameProblem(obj.Name)
	case "":
		r.Kind = KindCassandraConnection
		r.Invalid = nameProblem(obj.Name)
	default:
		r.Invalid = fmt.Sprintf("kind %q is neither CassandraConnection nor ClusterCassandraConnection", obj.Kind)
	}
	return nil
}

// MarshalJSON writes a CassandraConnection reference as a plain string, as users write it, and a
// ClusterCassandraConnection reference as an object.
func (r ConnectionRef) MarshalJSON() ([]byte, error) {
	if r.IsCluster() {
		return json.Marshal(struct {
			Kind ConnectionKind `json:"kind"`
			Name string         `json:"name"`
		}{r.Kind, r.Name})
	}
	return json.Marshal(r.Name)
}

func nameProblem(name string) string {
	switch {
	case name == "":
		return "the connection name is empty"
	case len(name) > 253 || !connectionNamePattern.MatchString(name):
		return fmt.Sprintf("%q is not a valid connection name (a lowercase DNS subdomain)", name)
	}
	return ""
}
