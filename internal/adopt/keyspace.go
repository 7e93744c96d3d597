package adopt

import (
	"fmt"
	"strconv"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
	"github.com/cqlsync/cqlsync/internal/cql/introspect"
	"github.com/cqlsync/cqlsync/internal/cql/render"
)

// Limits of the API's fields (api/v1alpha1 validation markers), which what is imported must fit.
const (
	maxObjectName    = 48  // spec.name of a Keyspace, TableModel or UserType
	maxColumnName    = 128 // a column or field name
	maxIndexName     = 128
	maxTypeText      = 512 // a column or field type
	maxReplicas      = 100 // a replication factor or replica count
	maxDatacenters   = 64
	maxDatacenterLen = 128
)

// keyspaceResource is the Keyspace of a keyspace, or why there is none.
func keyspaceResource(ks *introspect.KeyspaceSchema, opts Options, n *namer) (*cqlv1.Keyspace, *Skip) {
	skip := func(format string, args ...any) (*cqlv1.Keyspace, *Skip) {
		return nil, &Skip{What: "keyspace " + render.Ident(ks.Name), Reason: fmt.Sprintf(format, args...) +
			"; its types and tables are imported, and wait for the keyspace where it does not exist"}
	}
	if ks.Replication == nil {
		return skip("the source does not create it, so its replication is unknown")
	}
	if !isWordName(ks.Name, maxObjectName) {
		return skip("a Keyspace's name has 1 to %d letters, digits and _", maxObjectName)
	}
	repl, why := replication(ks.Replication)
	if why != "" {
		return skip("%s", why)
	}
	durable := ks.DurableWrites
	k := &cqlv1.Keyspace{
		TypeMeta:   typeMeta("Keyspace"),
		ObjectMeta: objectMeta(n.keyspace(ks.Name), opts),
		Spec: cqlv1.KeyspaceSpec{
			Name:           ks.Name,
			Replication:    repl,
			DurableWrites:  &durable,
			Connections:    connections(opts),
			DeletionPolicy: cqlv1.DeletionPolicyRetain,
		},
	}
	return k, nil
}

// replication converts a stored replication map, or says why it cannot. Values must be what the
// operator would store again: a whole number without sign or leading zero (Cassandra keeps the
// text as written, and the operator compares text).
func replication(m map[string]string) (cqlv1.KeyspaceReplication, string) {
	var r cqlv1.KeyspaceReplication
	class := render.StrategyShortName(m["class"])
	switch class {
	case render.SimpleStrategy:
		r.Strategy = cqlv1.SimpleStrategy
		for k := range m {
			if k != "class" && k != "replication_factor" {
				return r, fmt.Sprintf("SimpleStrategy with option %q, which a Keyspace cannot express", k)
			}
		}
		rf, ok := replicaCount(m["replication_factor"], 1)
		if !ok {
			return r, fmt.Sprintf("replication_factor %q is not a whole number from 1 to %d", m["replication_factor"], maxReplicas)
		}
		r.ReplicationFactor = &rf
	case render.NetworkTopologyStrategy:
		r.Strategy = cqlv1.NetworkTopologyStrategy
		r.Datacenters = map[string]cqlv1.ReplicaCount{}
		for dc, v := range m {
			if dc == "class" {
				continue
			}
			if dc == "replication_factor" || len(dc) > maxDatacenterLen {
				return r, fmt.Sprintf("NetworkTopologyStrategy with %q, which is not a datacenter a Keyspace can name", dc)
			}
			n, ok := replicaCount(v, 1)
			if !ok {
				return r, fmt.Sprintf("replicas %q in datacenter %q are not a whole number from 1 to %d (transient replicas cannot be expressed)", v, dc, maxReplicas)
			}
			r.Datacenters[dc] = cqlv1.ReplicaCount(n)
		}
		if len(r.Datacenters) == 0 || len(r.Datacenters) > maxDatacenters {
			return r, fmt.Sprintf("NetworkTopologyStrategy with %d datacenters (a Keyspace names 1 to %d)", len(r.Datacenters), maxDatacenters)
		}
	default:
		return r, fmt.Sprintf("replication class %s is neither SimpleStrategy nor NetworkTopologyStrategy", m["class"])
	}
	return r, ""
}

// replicaCount reads a stored replica count from min to maxReplicas, written as Go would write it.
func replicaCount(s string, min int32) (int32, bool) {
	n, err := strconv.ParseInt(s, 10, 32)
	if err != nil || strconv.FormatInt(n, 10) != s || n < int64(min) || n > maxReplicas {
		return 0, false
	}
	return int32(n), true
}

func typeMeta(kind string) metav1.TypeMeta {
	return metav1.TypeMeta{APIVersion: cqlv1.GroupVersion.String(), Kind: kind}
}

func objectMeta(name string, opts Options) metav1.ObjectMeta {
	return metav1.ObjectMeta{Name: name, Namespace: opts.Namespace}
}

// isWordName reports whether name has 1 to max letters, digits and underscores: what the API
// accepts as spec.name and as column, field and index names.
func isWordName(name string, max int) bool {
	if name == "" || len(name) > max {
		return false
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}
