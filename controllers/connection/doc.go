// Package connection holds the reconciler of CassandraConnection and ClusterCassandraConnection:
// one session per connection in the registry (cqlengine's connection registry), the cluster's
// state in status, and a deletion that waits for the resources that still need the session to
// drop their schema. It follows the same skeleton as the schema kinds' reconciler and classifies
// errors with the engine's classifier, so one outage has one reason on a connection and on the
// targets that use it.
package connection
