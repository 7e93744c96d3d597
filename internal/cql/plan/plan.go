package plan

// Kind is what a statement does.
type Kind string

const (
	CreateKeyspace Kind = "CreateKeyspace"
	AlterKeyspace  Kind = "AlterKeyspace"
	DropKeyspace   Kind = "DropKeyspace"
)

// Statement is one DDL statement and what it changes.
type Statement struct {
	// Kind is what the statement does.
	Kind Kind
	// CQL is the statement text, built by package render.
	CQL string
	// Summary says in a few words what changes, for events and status: "create keyspace "ks"",
	// "alter keyspace "ks": replication {...} -> {...}".
	Summary string
	// ReplicationChanged is true when the statement changes the replication of existing data: a
	// repair (nodetool repair -full) is needed on the cluster afterwards for the replicas to hold
	// the data.
	ReplicationChanged bool
}

// Plan is an ordered list of statements; empty means nothing to do.
type Plan []Statement

// RepairNeeded reports whether any statement changes the replication of existing data.
func (p Plan) RepairNeeded() bool {
	for _, s := range p {
		if s.ReplicationChanged {
			return true
		}
	}
	return false
}
