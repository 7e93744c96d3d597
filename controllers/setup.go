package controllers

import (
	"context"
	"fmt"
	"time"

	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/cqlsync/cqlsync/controllers/backfill"
	"github.com/cqlsync/cqlsync/controllers/connection"
	"github.com/cqlsync/cqlsync/controllers/schemakind"
	"github.com/cqlsync/cqlsync/internal/cql/apply"
	"github.com/cqlsync/cqlsync/internal/cql/cluster"
	"github.com/cqlsync/cqlsync/internal/cql/introspect"
	"github.com/cqlsync/cqlsync/internal/cql/registry"
	"github.com/cqlsync/cqlsync/internal/engine"
	"github.com/cqlsync/cqlsync/internal/metrics"
)

// Options configure the controllers.
type Options struct {
	// Registry holds the sessions; one per manager.
	Registry *registry.Registry
	// ConnectionRefreshInterval is how often a Ready connection re-reads its hosts.
	ConnectionRefreshInterval time.Duration
	// Executor runs DDL, serialised per connection; nil means apply.Default.
	Executor *apply.Executor
	// DriftInterval is how often a Ready Keyspace, TableModel or UserType re-reads the live schema
	// to find and correct drift (default 5m; flag --drift-interval).
	DriftInterval time.Duration
	// SchemaCache caches the live schema; nil means introspect.DefaultSchemaCache.
	SchemaCache *introspect.SchemaCache
	// OperatorNamespace is the namespace of the Secrets of the ClusterCassandraConnections that
	// name no spec.secretsNamespace (flag --operator-namespace).
	OperatorNamespace string
	// DryRun makes the schema controllers plan and report, and never execute DDL: what would run
	// is published in each resource's status.plan (flag --dry-run).
	DryRun bool
	// Client, when set, is the client the controllers use instead of the manager's (tests wrap the
	// manager's client to inject API-server faults).
	Client client.Client
	// BackfillJobs is where and how the Indexed Jobs of Backfills with spec.workers run (flags
	// --backfill-image and --backfill-service-account; the namespace is the operator's).
	BackfillJobs backfill.JobOptions
}

// +kubebuilder:rbac:groups=cqlsync.io,resources=cassandraconnections,verbs=get;list;watch
// +kubebuilder:rbac:groups=events.k8s.io,resources=events,verbs=create;patch

// Setup registers every cqlsync controller, and the field indexes they list by, with the manager.
// The manager binary and the envtest suites call the same function, so tests run exactly the
// production wiring.
func Setup(ctx context.Context, mgr ctrl.Manager, opts Options) error {
	if opts.Executor == nil {
		opts.Executor = apply.Default
	}
	if opts.Executor.Observer == nil {
		opts.Executor.Observer = metrics.Executor{}
	}
	if opts.SchemaCache == nil {
		opts.SchemaCache = introspect.DefaultSchemaCache
	}
	src := metrics.Sources{Cache: opts.SchemaCache}
	if opts.Registry != nil {
		src.OpenSessions = opts.Registry.Open
	}
	metrics.Register(src)
	c := opts.Client
	if c == nil {
		c = mgr.GetClient()
	}
	if err := engine.RegisterIndexes(ctx, mgr.GetFieldIndexer(), opts.OperatorNamespace); err != nil {
		return fmt.Errorf("registering the field indexes: %w", err)
	}
	recorder := mgr.GetEventRecorder("cqlsync")
	if err := connection.Setup(mgr, connection.Options{Client: c, APIReader: mgr.GetAPIReader(), Registry: opts.Registry,
		Recorder: recorder, RefreshInterval: opts.ConnectionRefreshInterval, OperatorNamespace: opts.OperatorNamespace}); err != nil {
		return fmt.Errorf("setting up the connection controllers: %w", err)
	}
	so := schemakind.Options{
		Engine: engine.Options{Client: c, Clusters: engine.NewClusters(opts.Registry, opts.Executor, opts.SchemaCache),
			Recorder: recorder, DryRun: opts.DryRun, SecretReader: mgr.GetAPIReader()},
		APIReader:     mgr.GetAPIReader(),
		DriftInterval: opts.DriftInterval,
	}
	if opts.Registry != nil {
		// The cache hears the events first, so that the reconciles they cause read what changed.
		cluster.Follow(opts.Registry, opts.SchemaCache)
		so.SchemaEvents = opts.Registry
	}
	if err := schemakind.Setup(mgr, so); err != nil {
		return err
	}
	if opts.Registry == nil {
		return nil // unit tests of the schema controllers, without sessions
	}
	jobs := opts.BackfillJobs
	if jobs.Namespace == "" {
		jobs.Namespace = opts.OperatorNamespace
	}
	if jobs.OperatorNamespace == "" {
		jobs.OperatorNamespace = opts.OperatorNamespace
	}
	if err := backfill.Setup(mgr, backfill.Options{Client: c, Registry: opts.Registry, Clusters: so.Engine.Clusters, Recorder: recorder, Jobs: jobs}); err != nil {
		return fmt.Errorf("setting up the Backfill controller: %w", err)
	}
	return nil
}
