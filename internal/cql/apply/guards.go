package apply

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

// HeldError says why a plan was not run: the connection's guards hold DDL while a node is down
// (NodeDown) or while the nodes run different Cassandra versions (VersionsDiffer). Nothing ran.
type HeldError struct {
	// NodesDown are the addresses of the nodes that are down.
	NodesDown []string
	// Versions maps each release version to the addresses of the nodes that run it, when they
	// differ.
	Versions map[string][]string
}

func (e *HeldError) Error() string {
	if len(e.NodesDown) > 0 {
		return fmt.Sprintf("node(s) %s down; the connection holds DDL while a node is down (spec.ddlGuards.whenNodeDown: Hold)",
			strings.Join(e.NodesDown, ", "))
	}
	versions := make([]string, 0, len(e.Versions))
	for v := range e.Versions {
		versions = append(versions, v)
	}
	sort.Strings(versions)
	parts := make([]string, len(versions))
	for i, v := range versions {
		parts[i] = fmt.Sprintf("%s on %s", v, strings.Join(e.Versions[v], ", "))
	}
	return fmt.Sprintf("the nodes run different Cassandra versions (%s), as during a rolling upgrade; the connection holds DDL until they all run one (spec.ddlGuards.whenVersionsDiffer: Hold)",
		strings.Join(parts, "; "))
}

// NodeDown reports whether the plan waits for a node to come back (else for an upgrade to end).
func (e *HeldError) NodeDown() bool { return len(e.NodesDown) > 0 }

// guard checks the target's guards against its nodes; nil when DDL may run.
func (t Target) guard() error {
	if !t.HoldWhenNodeDown && !t.HoldWhenVersionsDiffer {
		return nil
	}
	nodes := t.nodes()
	var down []string
	versions := map[string][]string{}
	for _, n := range nodes {
		if !n.Up {
			down = append(down, n.Address)
		}
		if n.ReleaseVersion != "" {
			versions[n.ReleaseVersion] = append(versions[n.ReleaseVersion], n.Address)
		}
	}
	if t.HoldWhenNodeDown && len(down) > 0 {
		slices.Sort(down)
		return &HeldError{NodesDown: down}
	}
	if t.HoldWhenVersionsDiffer && len(versions) > 1 {
		for _, addrs := range versions {
			slices.Sort(addrs)
		}
		return &HeldError{Versions: versions}
	}
	return nil
}
