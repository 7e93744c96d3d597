package introspect

import (
	"context"
	"errors"
	"maps"

	gocql "github.com/apache/cassandra-gocql-driver/v2"
)

// Keyspace is a keyspace as Cassandra stores it in system_schema.keyspaces.
type Keyspace struct {
	// Name is the keyspace name, exactly as stored (case-sensitive).
	Name string
	// Replication is the replication map as stored: the class fully qualified
	// ("org.apache.cassandra.locator.SimpleStrategy") and every other value a string. Cassandra
	// leaves out datacenters with 0 replicas.
	Replication map[string]string
	// DurableWrites is the keyspace's durable_writes.
	DurableWrites bool
}

const selectKeyspace = `SELECT replication, durable_writes FROM system_schema.keyspaces WHERE keyspace_name = ?`

// ReadKeyspace reads one keyspace. It returns (nil, nil) when the keyspace does not exist.
func ReadKeyspace(ctx context.Context, s *gocql.Session, name string) (*Keyspace, error) {
	ks := &Keyspace{Name: name}
	var repl map[string]string
	err := s.Query(selectKeyspace, name).Idempotent(true).ScanContext(ctx, &repl, &ks.DurableWrites)
	if errors.Is(err, gocql.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	ks.Replication = maps.Clone(repl)
	if ks.Replication == nil {
		ks.Replication = map[string]string{}
	}
	return ks, nil
}

const selectKeyspaceNames = `SELECT keyspace_name FROM system_schema.keyspaces`

// ListKeyspaces returns the names of every keyspace of the cluster, Cassandra's own included,
// sorted.
func ListKeyspaces(ctx context.Context, s *gocql.Session) ([]string, error) {
	return readNames(ctx, s, selectKeyspaceNames)
}
