// Package faults is the fault suite, run by `make test-faults` (build tag faults): a rollout of
// TableModels and their Keyspaces over the rig's two single-node clusters while the manager is
// killed again and again (two replicas with leader election: every kill is a failover), a
// Cassandra node is stopped and started and kube-apiserver restarts. Then it checks, on the
// clusters themselves, that the live schema is the spec, that Cassandra's audit log holds no
// statement the plans did not call for, and that everything deletes cleanly.
package faults
