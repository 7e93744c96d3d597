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
	// Redacted, when set, is the statement as cqlsync shows it (plans, status, the CLI): CQL with
	// a password hash replaced. CQL is only ever sent to Cassandra.
	Redacted string
	// Summary says in a few words what changes, for events and status: "create keyspace "ks"",
	// "alter keyspace "ks": replication {...} -> {...}".
	Summary string
	// ReplicationChanged is true when the statement changes the replication of existing data: a
	// repair (nodetool repair -full) is needed on the cluster afterwards for the replicas to hold
	// the data.
	ReplicationChanged bool
	// FollowUp, on a replication change, names the nodetool commands to run on the nodes of each
	// datacenter concerned (see FollowUp).
	FollowUp string
	// Rebuild is true for the DROP INDEX and the CREATE INDEX that rebuild an index whose
	// definition changed: the pair replaces something that exists.
	Rebuild bool
	// Warnings are what Cassandra warned about when it ran the statement (a guardrail such as
	// tables_warn_threshold); set on the statements an executor returns as run.
	Warnings []string
}

// Shown is the statement as cqlsync shows it: Redacted when set, else CQL.
func (s Statement) Shown() string {
	if s.Redacted != "" {
		return s.Redacted
	}
	return s.CQL
}

// Additive reports whether the statement only adds to the schema: it creates a keyspace, a table,
// a type or a new index, or adds a column or a field. Everything else (ALTER of options or
// replication, DROP of anything, an index rebuild) changes or removes what exists, and waits for
// approval under changePolicy AutoAdditive.
func (s Statement) Additive() bool {
	switch s.Kind {
	case CreateKeyspace, CreateTable, AddColumns, CreateType, AddField, CreateRole, GrantPermission:
		return true
	case CreateIndex:
		return !s.Rebuild
	}
	return false
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

// DifferenceKind says what a blocking difference is about.
type DifferenceKind string

const (
	DiffPartitionKey    DifferenceKind = "PartitionKey"
	DiffClusteringKey   DifferenceKind = "ClusteringKey"
	DiffClusteringOrder DifferenceKind = "ClusteringOrder"
	DiffColumnType      DifferenceKind = "ColumnType"
	DiffStatic          DifferenceKind = "Static"
	DiffIndexName       DifferenceKind = "IndexName"
	DiffFieldType       DifferenceKind = "FieldType"
	DiffFieldNotInSpec  DifferenceKind = "FieldNotInSpec"
	// DiffUnsupported: the spec asks for what the server's Cassandra release lacks.
	DiffUnsupported DifferenceKind = "Unsupported"
)

// Difference is a difference between the live object and the spec that cqlsync must not apply.
type Difference struct {
	Kind DifferenceKind
	// Message names the exact difference, e.g. `column "price": Cassandra has int, the spec says
	// decimal`.
	Message string
}

// Result is the outcome of planning one table or type on one target.
type Result struct {
	// Plan are the statements to run, in order. Empty when Blocked is not.
	Plan Plan
	// Blocked lists the differences that must not be applied; when there is any, nothing may be
	// executed on this target.
	Blocked []Difference
	// Drift lists live parts that are not in the spec and are kept: columns and indexes of a table
	// the spec does not allow dropping (or an index that is kept depends on a column), fields of a
	// type (Cassandra cannot drop them).
	Drift []string
}
