package render

import "strconv"

// Replication strategy short names, as users write them and as [Replication.Map] emits them.
const (
	SimpleStrategy          = "SimpleStrategy"
	NetworkTopologyStrategy = "NetworkTopologyStrategy"
)

// locatorPackage is the Java package of Cassandra's built-in replication strategies. Cassandra
// reports the class fully qualified in system_schema.keyspaces.replication; users may write either.
const locatorPackage = "org.apache.cassandra.locator."

// Replication is a keyspace's replication settings.
type Replication struct {
	// Strategy is the replication class: "SimpleStrategy" or "NetworkTopologyStrategy" (the fully
	// qualified org.apache.cassandra.locator.* names are accepted too). Any other value is passed
	// to Cassandra as it is.
	Strategy string
	// ReplicationFactor is the number of replicas for SimpleStrategy. With NetworkTopologyStrategy
	// and no Datacenters it is sent as 'replication_factor', which Cassandra expands to every
	// datacenter; otherwise it is ignored for NetworkTopologyStrategy.
	ReplicationFactor int32
	// Datacenters maps datacenter names to replica counts for NetworkTopologyStrategy.
	Datacenters map[string]int32
}

// StrategyShortName returns the short class name of a built-in replication strategy given either
// its short or its fully qualified name ("org.apache.cassandra.locator.SimpleStrategy" ->
// "SimpleStrategy"); any other name is returned unchanged.
func StrategyShortName(class string) string {
	switch class {
	case locatorPackage + SimpleStrategy:
		return SimpleStrategy
	case locatorPackage + NetworkTopologyStrategy:
		return NetworkTopologyStrategy
	}
	return class
}

// Map returns the CQL replication map of r, with every value as a string as Cassandra stores it:
//
//	SimpleStrategy:          {'class': 'SimpleStrategy', 'replication_factor': '3'}
//	NetworkTopologyStrategy: {'class': 'NetworkTopologyStrategy', 'dc1': '3', 'dc2': '2'}
//
// For any other strategy the class is kept as given, with 'replication_factor' when it is positive
// and one entry per datacenter.
func (r Replication) Map() map[string]string {
	class := StrategyShortName(r.Strategy)
	m := map[string]string{}
	switch class {
	case SimpleStrategy:
		m["replication_factor"] = strconv.FormatInt(int64(r.ReplicationFactor), 10)
	case NetworkTopologyStrategy:
		if len(r.Datacenters) == 0 && r.ReplicationFactor > 0 {
			m["replication_factor"] = strconv.FormatInt(int64(r.ReplicationFactor), 10)
		}
		for dc, n := range r.Datacenters {
			m[dc] = strconv.FormatInt(int64(n), 10)
		}
	default:
		if r.ReplicationFactor > 0 {
			m["replication_factor"] = strconv.FormatInt(int64(r.ReplicationFactor), 10)
		}
		for dc, n := range r.Datacenters {
			m[dc] = strconv.FormatInt(int64(n), 10)
		}
	}
	m["class"] = class // set last: nothing else may overwrite it
	return m
}

// CreateKeyspace renders a CREATE KEYSPACE IF NOT EXISTS statement:
//
//	CREATE KEYSPACE IF NOT EXISTS "ks" WITH replication = {'class': 'SimpleStrategy', 'replication_factor': '3'} AND durable_writes = true
func CreateKeyspace(name string, r Replication, durableWrites bool) string {
	return "CREATE KEYSPACE IF NOT EXISTS " + Ident(name) + keyspaceOptions(r, durableWrites)
}

// AlterKeyspace renders an ALTER KEYSPACE statement that sets both replication and durable writes:
//
//	ALTER KEYSPACE "ks" WITH replication = {...} AND durable_writes = false
func AlterKeyspace(name string, r Replication, durableWrites bool) string {
	return "ALTER KEYSPACE " + Ident(name) + keyspaceOptions(r, durableWrites)
}

// DropKeyspace renders DROP KEYSPACE IF EXISTS "ks".
func DropKeyspace(name string) string {
	return "DROP KEYSPACE IF EXISTS " + Ident(name)
}

func keyspaceOptions(r Replication, durableWrites bool) string {
	return " WITH replication = " + StringMap(r.Map()) + " AND durable_writes = " + Bool(durableWrites)
}
