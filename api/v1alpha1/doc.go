// Package v1alpha1 holds the cqlsync.io/v1alpha1 API: CassandraConnection, Keyspace, TableModel and
// UserType.
//
// The package is pure: types, defaulting and validation markers (CRD schema and CEL), condition and
// reason constants, and small helpers that compute conditions from values. It performs no I/O; the
// controllers in package controllers talk to Kubernetes and internal/cql talks to Cassandra.
//
// +kubebuilder:object:generate=true
// +groupName=cqlsync.io
package v1alpha1
