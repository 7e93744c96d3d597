package engine

import (
	"fmt"
	"slices"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Several resources can declare the same schema object on the same physical cluster: two
// Keyspaces with the same CQL name, two TableModels (or UserTypes) with the same name in the same
// keyspace, in one namespace or in several, through one connection or through different ones
// (of either kind, under any name) that reach the same cluster. Only one of them, the owner, acts
// on it; the others report DuplicateOwner on that target and never run DDL there, not even a DROP
// on deletion. This file is the rule, pure; schema_ownership.go resolves who declares what.

// schemaTarget is a schema object on one physical cluster: the cluster's identity (never a
// connection name), the CQL keyspace (never "the connection's default keyspace") and, for a
// TableModel or a UserType, the CQL table or type ("" for a keyspace).
type schemaTarget struct {
	cluster  string
	keyspace string
	name     string
}

// claimant is a resource that declares schema objects, and the targets it declares.
type claimant struct {
	name     string
	created  metav1.Time
	deleting bool
	targets  []schemaTarget
}

// precedes reports whether a comes before b for ownership: the older creationTimestamp first, then
// the smaller namespace/name (timestamps have a resolution of one second, so `kubectl apply -f
// dir/` often creates several resources in the same second).
func precedes(a, b claimant) bool {
	if !a.created.Equal(&b.created) {
		return a.created.Before(&b.created)
	}
	return a.name < b.name
}

// targetOwnership is what a resource may do on one of its targets.
type targetOwnership struct {
	// owner is the name of the claimant that owns the target when it is another one; "" when the
	// resource owns it.
	owner string
	// heir is set when the resource owns the target: the first other claimant of it (in
	// precedes order) that is not being deleted, which takes the target over once the resource
	// is gone. "" when there is none.
	heir string
}

// ownership decides, for each of self's targets, whether self owns it, and if not, who does.
// The owner of a target is the first of its claimants in precedes order; a claimant being deleted
// still owns its targets until it is gone, so that a newer duplicate does not take over (and
// re-create) what it may be dropping. others may include self (by name): it is skipped.
func ownership(self claimant, others []claimant) map[schemaTarget]targetOwnership {
	out := make(map[schemaTarget]targetOwnership, len(self.targets))
	for _, t := range self.targets {
		var first, heir *claimant
		for i := range others {
			o := &others[i]
			if o.name == self.name || !slices.Contains(o.targets, t) {
				continue
			}
			if precedes(*o, self) && (first == nil || precedes(*o, *first)) {
				first = o
			}
			if !o.deleting && (heir == nil || precedes(*o, *heir)) {
				heir = o
			}
		}
		switch {
		case first != nil:
			out[t] = targetOwnership{owner: first.name}
		case heir != nil:
			out[t] = targetOwnership{heir: heir.name}
		default:
			out[t] = targetOwnership{}
		}
	}
	return out
}

// duplicateOwnerMessage is the message of a target that owner ("namespace/name"), of the same
// kind, owns: what, e.g. `keyspace "orders"`, is already managed on the cluster the connection
// reaches.
func duplicateOwnerMessage(kind, owner, what, connection string) string {
	return fmt.Sprintf("%s %q already manages %s on the cluster of connection %q; nothing was executed on this target. "+
		"Delete one of them (deleting this one never drops it), or give this one another spec.name (spec.name is immutable: recreate it)",
		kind, owner, what, connection)
}

// keptOnDelete says why a target must not be dropped when its resource is deleted with
// deletionPolicy Delete: another resource of the kind owns it, or will own it once this one is
// gone (an heir that is not being deleted still declares it). "" when the drop may go ahead.
func keptOnDelete(kind string, own targetOwnership) string {
	switch {
	case own.owner != "":
		return fmt.Sprintf("%s %q manages it", kind, own.owner)
	case own.heir != "":
		return fmt.Sprintf("%s %q also declares it and takes it over", kind, own.heir)
	}
	return ""
}
