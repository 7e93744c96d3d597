package registry

import (
	gocql "github.com/apache/cassandra-gocql-driver/v2"
)

// SchemaChange is a schema change a cluster announced (the native protocol's SCHEMA_CHANGE
// events, as the driver reports them once it has refreshed its metadata).
type SchemaChange struct {
	// Key is the connection whose session received the event.
	Key Key
	// Keyspace that changed.
	Keyspace string
	// Table that changed; empty for a keyspace or user-defined type change.
	Table string
	// Type is the user-defined type that changed; empty for a keyspace or table change.
	Type string
}

// schemaListener forwards the driver's schema listener callbacks as SchemaChanges.
type schemaListener struct {
	key  Key
	emit func(SchemaChange)
}

func (l schemaListener) table(t *gocql.TableMetadata) {
	if t != nil {
		l.emit(SchemaChange{Key: l.key, Keyspace: t.Keyspace, Table: t.Name})
	}
}

func (l schemaListener) keyspace(k *gocql.KeyspaceMetadata) {
	if k != nil {
		l.emit(SchemaChange{Key: l.key, Keyspace: k.Name})
	}
}

func (l schemaListener) userType(t *gocql.UserTypeMetadata) {
	if t != nil {
		l.emit(SchemaChange{Key: l.key, Keyspace: t.Keyspace, Type: t.Name})
	}
}

func (l schemaListener) OnTableCreated(e gocql.OnTableCreatedEvent)       { l.table(e.Table) }
func (l schemaListener) OnTableUpdated(e gocql.OnTableUpdatedEvent)       { l.table(e.New) }
func (l schemaListener) OnTableDropped(e gocql.OnTableDroppedEvent)       { l.table(e.Table) }
func (l schemaListener) OnKeyspaceCreated(e gocql.OnKeyspaceCreatedEvent) { l.keyspace(e.Keyspace) }
func (l schemaListener) OnKeyspaceUpdated(e gocql.OnKeyspaceUpdatedEvent) { l.keyspace(e.New) }
func (l schemaListener) OnKeyspaceDropped(e gocql.OnKeyspaceDroppedEvent) { l.keyspace(e.Keyspace) }
func (l schemaListener) OnUserTypeCreated(e gocql.OnUserTypeCreatedEvent) { l.userType(e.UserType) }
func (l schemaListener) OnUserTypeUpdated(e gocql.OnUserTypeUpdatedEvent) { l.userType(e.New) }
func (l schemaListener) OnUserTypeDropped(e gocql.OnUserTypeDroppedEvent) { l.userType(e.UserType) }

// OnSchemaChange subscribes f to the schema changes of every session opened from now on. f runs
// on a driver goroutine: it must not block (hand the change to a channel).
func (r *Registry) OnSchemaChange(f func(SchemaChange)) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.schemaSubs = append(r.schemaSubs, f)
}

// emitSchemaChange fans a change out to the subscribers.
func (r *Registry) emitSchemaChange(c SchemaChange) {
	r.mu.Lock()
	subs := r.schemaSubs
	r.mu.Unlock()
	for _, f := range subs {
		f(c)
	}
}
