package registry

import (
	"context"
	"slices"

	"github.com/go-logr/logr"

	"github.com/cqlsync/cqlsync/internal/cql/events"
)

// SchemaChange is a schema change a cluster announced (a native-protocol SCHEMA_CHANGE event), or
// a resync: after the events of a connection were interrupted, anything may have changed.
type SchemaChange struct {
	// Key is the connection whose session received the event.
	Key Key
	// Keyspace that changed; empty for a resync.
	Keyspace string
	// Table that changed; empty for a keyspace or user-defined type change. A change of a table's
	// columns, options or indexes is a change of the table.
	Table string
	// Type is the user-defined type that changed; empty for a keyspace or table change.
	Type string
	// Change is CREATED, UPDATED or DROPPED; empty for a resync.
	Change events.ChangeType
}

// Resync reports whether the change stands for anything on the connection (events were missed).
func (c SchemaChange) Resync() bool { return c.Keyspace == "" }

// schemaChangeOf is the SchemaChange of an event; ok is false for functions and aggregates,
// which cqlsync does not manage.
func schemaChangeOf(key Key, c events.Change) (SchemaChange, bool) {
	out := SchemaChange{Key: key, Keyspace: c.Keyspace, Change: c.Type}
	switch c.Target {
	case events.TargetKeyspace:
	case events.TargetTable:
		out.Table = c.Name
	case events.TargetType:
		out.Type = c.Name
	default:
		return SchemaChange{}, false
	}
	return out, out.Keyspace != ""
}

// OnSchemaChange subscribes f to the schema changes of every session. Subscribers are called in
// the order they subscribed, on the listener's goroutine: f must not block (hand the change to a
// channel).
func (r *Registry) OnSchemaChange(f func(SchemaChange)) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.schemaSubs = append(r.schemaSubs, f)
}

// OnEvents subscribes f to whether each connection's schema change events are heard: up is true
// once they are, false as soon as they may be missed (the listener lost its node, or the session
// was closed).
func (r *Registry) OnEvents(f func(key Key, up bool)) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.eventSubs = append(r.eventSubs, f)
}

func (r *Registry) emitSchemaChange(c SchemaChange) {
	r.mu.Lock()
	subs := r.schemaSubs
	r.mu.Unlock()
	for _, f := range subs {
		f(c)
	}
}

func (r *Registry) emitEvents(key Key, up bool) {
	r.mu.Lock()
	subs := r.eventSubs
	r.mu.Unlock()
	for _, f := range subs {
		f(key, up)
	}
}

// listen runs the schema change listener of a session until the session is closed. What it hears
// is reported only while s is still the entry's session, so that a replaced session's last words
// cannot pass for the new one's.
func (r *Registry) listen(ctx context.Context, e *entry, s *Session, cfg events.Config, log logr.Logger) {
	current := func() bool {
		e.mu.Lock()
		defer e.mu.Unlock()
		return e.session == s && ctx.Err() == nil
	}
	wasDown := false
	events.Run(ctx, cfg, events.Handler{
		Up: func(addr string) {
			if !current() {
				return
			}
			log.V(1).Info("hearing schema change events", "node", addr)
			r.emitEvents(e.key, true)
			if wasDown {
				// Whatever changed while the events were interrupted was not heard.
				r.emitSchemaChange(SchemaChange{Key: e.key})
			}
		},
		Changed: func(c events.Change) {
			if sc, ok := schemaChangeOf(e.key, c); ok && current() {
				log.V(1).Info("schema change", "change", c.String())
				r.emitSchemaChange(sc)
			}
		},
		Down: func(error) {
			wasDown = true
			if current() {
				r.emitEvents(e.key, false)
			}
		},
	}, log)
}

// eventsConfig is how the listener reaches the cluster: the session's contact points first, then
// the other nodes the driver found, with the session's TLS and credentials.
func eventsConfig(cfg Config, s *Session) (events.Config, error) {
	out := events.Config{Username: cfg.Username, Password: cfg.Password, ConnectTimeout: cfg.ConnectTimeout}
	if cfg.TLS != nil {
		tc, err := tlsConfig(cfg.TLS)
		if err != nil {
			return events.Config{}, err
		}
		out.TLS = tc
	}
	var contacts []string
	for _, h := range cfg.Hosts {
		if hp, err := ParseHost(h); err == nil {
			contacts = append(contacts, hp.Address(cfg.Port))
		}
	}
	out.Addresses = func() []string {
		addrs := slices.Clone(contacts)
		if gs := s.Driver(); gs != nil {
			for _, h := range gs.GetHosts() {
				if a := h.ConnectAddressAndPort(); h.IsUp() && !slices.Contains(addrs, a) {
					addrs = append(addrs, a)
				}
			}
		}
		return addrs
	}
	return out, nil
}
