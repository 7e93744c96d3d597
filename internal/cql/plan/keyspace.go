package plan

import (
	"fmt"
	"maps"
	"strings"

	"github.com/cqlsync/cqlsync/internal/cql/introspect"
	"github.com/cqlsync/cqlsync/internal/cql/render"
)

// Keyspace is a desired keyspace.
type Keyspace struct {
	Name          string
	Replication   render.Replication
	DurableWrites bool
}

// ForKeyspace returns the statements that make live (nil when the keyspace does not exist) match
// desired: CREATE KEYSPACE when it is missing, one ALTER KEYSPACE when replication or
// durable_writes differ, nothing when they match.
func ForKeyspace(desired Keyspace, live *introspect.Keyspace) Plan {
	if live == nil {
		return Plan{{
			Kind:    CreateKeyspace,
			CQL:     render.CreateKeyspace(desired.Name, desired.Replication, desired.DurableWrites),
			Summary: "create keyspace " + render.Ident(desired.Name) + " with replication " + render.StringMap(desired.Replication.Map()) + durableText(desired.DurableWrites),
		}}
	}
	want := NormalizeReplication(desired.Replication.Map())
	have := NormalizeReplication(live.Replication)
	replicationChanged := !maps.Equal(want, have)
	durableChanged := desired.DurableWrites != live.DurableWrites
	if !replicationChanged && !durableChanged {
		return nil
	}
	var changes []string
	if replicationChanged {
		changes = append(changes, "replication "+render.StringMap(have)+" -> "+render.StringMap(want))
	}
	if durableChanged {
		changes = append(changes, fmt.Sprintf("durable_writes %t -> %t", live.DurableWrites, desired.DurableWrites))
	}
	return Plan{{
		Kind:               AlterKeyspace,
		CQL:                render.AlterKeyspace(desired.Name, desired.Replication, desired.DurableWrites),
		Summary:            "alter keyspace " + render.Ident(desired.Name) + ": " + strings.Join(changes, ", "),
		ReplicationChanged: replicationChanged,
		FollowUp:           followUpIf(replicationChanged, desired.Name, have, want),
	}}
}

// DropKeyspaceIfExists returns the statement that drops the keyspace, whether or not it exists.
func DropKeyspaceIfExists(name string) Plan {
	return Plan{{Kind: DropKeyspace, CQL: render.DropKeyspace(name), Summary: "drop keyspace " + render.Ident(name)}}
}

// NormalizeReplication returns a replication map in the form used to compare a desired map with
// a live one: the class by its short name (Cassandra stores built-in classes fully qualified) and
// without the entries Cassandra drops when it stores a NetworkTopologyStrategy map (datacenters
// with 0 replicas). Values are compared as the strings Cassandra stores.
func NormalizeReplication(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	class := render.StrategyShortName(m["class"])
	for k, v := range m {
		if k == "class" {
			continue
		}
		if class == render.NetworkTopologyStrategy && v == "0" {
			continue
		}
		out[k] = v
	}
	out["class"] = class
	return out
}

func followUpIf(changed bool, keyspace string, have, want map[string]string) string {
	if !changed {
		return ""
	}
	return FollowUp(keyspace, have, want)
}

func durableText(b bool) string {
	if b {
		return ""
	}
	return " and durable_writes false"
}
