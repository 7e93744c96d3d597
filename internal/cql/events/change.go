package events

import "fmt"

// ChangeType is how a schema object changed.
type ChangeType string

// The change types of SCHEMA_CHANGE.
const (
	Created ChangeType = "CREATED"
	Updated ChangeType = "UPDATED"
	Dropped ChangeType = "DROPPED"
)

// Target is the kind of schema object a change is about.
type Target string

// The targets of SCHEMA_CHANGE. An index, a column or a table option change is an UPDATED TABLE;
// a replication or durable_writes change an UPDATED KEYSPACE.
const (
	TargetKeyspace  Target = "KEYSPACE"
	TargetTable     Target = "TABLE"
	TargetType      Target = "TYPE"
	TargetFunction  Target = "FUNCTION"
	TargetAggregate Target = "AGGREGATE"
)

// Change is one SCHEMA_CHANGE event.
type Change struct {
	Type   ChangeType
	Target Target
	// Keyspace is the keyspace of the object, or the keyspace itself.
	Keyspace string
	// Name is the table, type, function or aggregate; empty for a keyspace.
	Name string
	// Arguments are the argument types of a function or an aggregate.
	Arguments []string
}

func (c Change) String() string {
	if c.Name == "" {
		return fmt.Sprintf("%s %s %q", c.Type, c.Target, c.Keyspace)
	}
	return fmt.Sprintf("%s %s %q.%q", c.Type, c.Target, c.Keyspace, c.Name)
}
