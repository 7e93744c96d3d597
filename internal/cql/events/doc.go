// Package events listens to a Cassandra cluster's schema changes as the native protocol announces
// them: it opens a connection of its own to one node, REGISTERs for SCHEMA_CHANGE events, and
// reports each EVENT frame as it comes (what changed: a keyspace, a table, a type, a function or an
// aggregate, and how: CREATED, UPDATED or DROPPED).
//
// The driver's schema listener is not enough: it reports what its metadata cache sees change after
// re-reading system_schema, which misses changes of table options, indexes and replication, and it
// re-reads the whole schema of the cluster on every event. A node sends SCHEMA_CHANGE for every
// schema change it applies, whichever node it came from, so one connection per session hears them
// all.
//
// The connection is reopened (on the next contact point, with backoff) whenever it fails, and kept
// alive with OPTIONS heartbeats. Events sent while it is down are lost: a Handler is told when the
// connection goes down and comes back, so that what relies on events can fall back to reading
// (see introspect.SchemaCache).
package events
