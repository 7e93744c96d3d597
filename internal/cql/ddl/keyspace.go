package ddl

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// Replication strategy classes as Cassandra stores them.
const (
	locatorPackage          = "org.apache.cassandra.locator."
	simpleStrategy          = locatorPackage + "SimpleStrategy"
	networkTopologyStrategy = locatorPackage + "NetworkTopologyStrategy"
	localStrategy           = locatorPackage + "LocalStrategy"
)

// createKeyspace applies CREATE KEYSPACE [IF NOT EXISTS] name WITH replication = {...}
// [AND durable_writes = bool], the CREATE KEYSPACE already read.
func (p *parser) createKeyspace(s *stmt) error {
	name, ifNotExists, err := keyspaceObject(s, true)
	if err != nil {
		return err
	}
	if err := checkName(name, "keyspace", maxKeyspaceName); err != nil {
		return err
	}
	props, err := s.c.withProperties()
	if err != nil {
		return err
	}
	repl, durable, warnings, err := keyspaceOptions(props, nil, true)
	if err != nil {
		return err
	}
	ks := p.lookup(name)
	if _, implicit := p.implicit[name]; ks != nil && !implicit {
		if ifNotExists {
			s.warnf("the keyspace was created earlier in the text: CREATE KEYSPACE IF NOT EXISTS leaves it unchanged")
			return nil
		}
		return fmt.Errorf("keyspace %s already exists", name)
	}
	if ks == nil {
		ks = newKeyspace(name)
		p.res.Keyspaces = append(p.res.Keyspaces, ks)
	}
	delete(p.implicit, name)
	ks.Replication, ks.DurableWrites = repl, durable
	s.warnings = append(s.warnings, warnings...)
	return nil
}

// alterKeyspace applies ALTER KEYSPACE [IF EXISTS] name WITH ..., the ALTER KEYSPACE already read.
func (p *parser) alterKeyspace(s *stmt) error {
	name, ifExists, err := keyspaceObject(s, false)
	if err != nil {
		return err
	}
	props, err := s.c.withProperties()
	if err != nil {
		return err
	}
	ks := p.lookup(name)
	if ks == nil {
		return missing(ifExists, "keyspace %s", name)
	}
	repl, durable, warnings, err := keyspaceOptions(props, ks, false)
	if err != nil {
		return err
	}
	if repl != nil {
		delete(p.implicit, name)
	}
	ks.Replication, ks.DurableWrites = repl, durable
	s.warnings = append(s.warnings, warnings...)
	return nil
}

// dropKeyspace applies DROP KEYSPACE [IF EXISTS] name.
func (p *parser) dropKeyspace(s *stmt) error {
	name, ifExists, err := keyspaceObject(s, false)
	if err != nil {
		return err
	}
	if err := s.c.expectEnd(); err != nil {
		return err
	}
	i := slices.IndexFunc(p.res.Keyspaces, func(k *keyspaceSchema) bool { return k.Name == name })
	if i < 0 {
		return missing(ifExists, "keyspace %s", name)
	}
	p.res.Keyspaces = slices.Delete(p.res.Keyspaces, i, i+1)
	delete(p.implicit, name)
	delete(p.objects, name)
	return nil
}

// keyspaceOptions reads the WITH properties of CREATE or ALTER KEYSPACE and returns the
// replication and durable_writes to store. For ALTER, prev gives the values left unchanged.
func keyspaceOptions(props []property, prev *keyspaceSchema, create bool) (repl map[string]string, durable bool, warnings []string, err error) {
	durable = true
	if prev != nil {
		repl, durable = maps.Clone(prev.Replication), prev.DurableWrites
	}
	seenRepl := false
	for _, pr := range props {
		switch pr.name {
		case "replication":
			if !pr.val.isMap {
				return nil, false, nil, lineError(pr.tok.line, "replication must be a map, such as {'class': 'SimpleStrategy', 'replication_factor': 1}")
			}
			var w []string
			if repl, w, err = normalizeReplication(pr.val.m); err != nil {
				return nil, false, nil, lineError(pr.tok.line, "%v", err)
			}
			warnings = append(warnings, w...)
			seenRepl = true
		case "durable_writes":
			if durable, err = boolOption(pr); err != nil {
				return nil, false, nil, err
			}
		default:
			warnings = append(warnings, fmt.Sprintf("unknown keyspace option %s ignored (Cassandra 5.0 would refuse it)", pr.name))
		}
	}
	if create && !seenRepl {
		return nil, false, nil, fmt.Errorf("missing mandatory option replication")
	}
	return repl, durable, warnings, nil
}

// normalizeReplication returns the replication map as Cassandra stores it: the class fully
// qualified (AbstractReplicationStrategy prefixes a class without a '.' with
// org.apache.cassandra.locator.), values as written, and for NetworkTopologyStrategy without the
// datacenters given 0 replicas.
func normalizeReplication(m map[string]string) (map[string]string, []string, error) {
	class, ok := m["class"]
	if !ok || class == "" {
		return nil, nil, fmt.Errorf("the replication map has no class")
	}
	if !strings.Contains(class, ".") {
		class = locatorPackage + class
	}
	out := map[string]string{"class": class}
	var warnings []string
	switch class {
	case simpleStrategy:
		for k, v := range m {
			if k != "class" {
				out[k] = v
			}
		}
		if _, ok := out["replication_factor"]; !ok {
			out["replication_factor"] = "1"
			warnings = append(warnings, "SimpleStrategy without replication_factor: Cassandra uses its default_keyspace_rf, taken to be 1 (its default)")
		}
	case networkTopologyStrategy:
		dcs := 0
		for _, k := range slices.Sorted(maps.Keys(m)) {
			v := m[k]
			if k == "class" {
				continue
			}
			zero, err := zeroReplicas(v)
			if err != nil {
				return nil, nil, fmt.Errorf("replication factor of %s: %w", k, err)
			}
			if zero {
				continue // Cassandra does not store datacenters without replicas
			}
			out[k] = v
			if k != "replication_factor" {
				dcs++
			}
		}
		if _, ok := out["replication_factor"]; ok || dcs == 0 {
			warnings = append(warnings, "NetworkTopologyStrategy without a replication factor for each datacenter: Cassandra expands it to the datacenters of the cluster, which the text does not say; kept as written")
		}
	case localStrategy:
		return nil, nil, fmt.Errorf("LocalStrategy is reserved for Cassandra's own keyspaces")
	default:
		for k, v := range m {
			if k != "class" {
				out[k] = v
			}
		}
		warnings = append(warnings, fmt.Sprintf("replication strategy %s is not one of Cassandra's: kept as written", class))
	}
	return out, warnings, nil
}

// zeroReplicas reports whether a replication factor ("3", or "3/1" with transient replicas) has no
// replica at all.
func zeroReplicas(rf string) (bool, error) {
	all, transient, found := strings.Cut(rf, "/")
	n, err := strconv.Atoi(strings.TrimSpace(all))
	if err == nil && found {
		_, err = strconv.Atoi(strings.TrimSpace(transient))
	}
	if err != nil || n < 0 {
		return false, fmt.Errorf("invalid replication factor '%s'", rf)
	}
	return n == 0, nil
}

// Longest names Cassandra accepts (SchemaConstants.NAME_LENGTH and TABLE_NAME_LENGTH).
const (
	maxKeyspaceName = 48
	maxTableName    = 222
)

// checkName applies Cassandra's rule for keyspace, table and index names: word characters
// ([A-Za-z0-9_]) only, at most max of them.
func checkName(name, what string, max int) error {
	if name == "" || len(name) > max {
		return fmt.Errorf("invalid %s name %q: it must have 1 to %d characters", what, name, max)
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; !isLetter(c) && !isDigit(c) && c != '_' {
			return fmt.Errorf("invalid %s name %q: only letters, digits and _ are allowed", what, name)
		}
	}
	return nil
}
