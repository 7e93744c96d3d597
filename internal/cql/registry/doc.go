// Package registry keeps one Cassandra driver session per CassandraConnection, keyed by
// namespace/name: cqlengine's connection registry (register_connection, set_default_connection,
// unregister_connection) for a long-running controller.
//
// A session is reused while the effective configuration (the connection spec plus the contents of
// its Secrets, hashed) is unchanged, replaced when it changes, and closed when the connection is
// unregistered. Connecting never happens under the registry-wide lock, so a slow or unreachable
// cluster blocks only the callers that need that one session, and never longer than its timeouts.
//
// The package knows nothing of Kubernetes: controllers translate resources into a Config.
package registry
