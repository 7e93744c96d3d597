// Package integration tests the controllers against a real kube-apiserver and etcd (envtest) and
// the real local Cassandra clusters of hack/cassandra.sh. `make test` runs it.
package integration
