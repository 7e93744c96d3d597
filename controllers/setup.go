package controllers

import (
	"context"
	"time"

	ctrl "sigs.k8s.io/controller-runtime"

	"github.com/cqlsync/cqlsync/internal/cql/apply"
	"github.com/cqlsync/cqlsync/internal/cql/introspect"
	"github.com/cqlsync/cqlsync/internal/cql/registry"
)

// Options configure the controllers.
type Options struct {
	// Registry holds the sessions; one per manager.
	Registry *registry.Registry
	// ConnectionRefreshInterval is how often a Ready connection re-reads its hosts.
	ConnectionRefreshInterval time.Duration
	// KeyspaceResyncInterval is how often a synced Keyspace re-reads the live keyspace to correct
	// drift (default 5m).
	KeyspaceResyncInterval time.Duration
	// Executor runs DDL, serialised per connection; nil means apply.Default.
	Executor *apply.Executor
	// DriftInterval is how often a Ready TableModel re-reads the live schema to find and correct
	// drift (default 5m; flag --drift-interval).
	DriftInterval time.Duration
	// SchemaCache caches the live schema read by the TableModel controller; nil means
	// introspect.DefaultSchemaCache.
	SchemaCache *introspect.SchemaCache
}

// Setup registers every cqlsync controller with the manager. The manager binary and the envtest
// suites call the same function, so tests run exactly the production wiring.
func Setup(ctx context.Context, mgr ctrl.Manager, opts Options) error {
	if err := (&CassandraConnectionReconciler{
		Client:          mgr.GetClient(),
		APIReader:       mgr.GetAPIReader(),
		Registry:        opts.Registry,
		Recorder:        mgr.GetEventRecorder("cqlsync"),
		RefreshInterval: opts.ConnectionRefreshInterval,
	}).SetupWithManager(ctx, mgr); err != nil {
		return err
	}
	if err := (&KeyspaceReconciler{
		Client:         mgr.GetClient(),
		Registry:       opts.Registry,
		Executor:       opts.Executor,
		Recorder:       mgr.GetEventRecorder("cqlsync"),
		ResyncInterval: opts.KeyspaceResyncInterval,
	}).SetupWithManager(ctx, mgr); err != nil {
		return err
	}
	var schemaEvents SchemaEvents
	if opts.Registry != nil {
		schemaEvents = opts.Registry
	}
	return (&TableModelReconciler{
		SchemaEvents:  schemaEvents,
		Client:        mgr.GetClient(),
		Registry:      opts.Registry,
		Executor:      opts.Executor,
		Schemas:       opts.SchemaCache,
		Recorder:      mgr.GetEventRecorder("cqlsync"),
		DriftInterval: opts.DriftInterval,
	}).SetupWithManager(ctx, mgr)
}
