// Command manager runs the cqlsync controllers: it watches CassandraConnection, Keyspace,
// TableModel, UserType and Backfill resources, keeps every listed Cassandra cluster in line with
// them, and runs the Backfills' copies (or the Jobs of their workers).
package main

import (
	"flag"
	"os"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	"k8s.io/apimachinery/pkg/labels"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"k8s.io/apimachinery/pkg/runtime"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/healthz"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
	"github.com/cqlsync/cqlsync/controllers"
	"github.com/cqlsync/cqlsync/controllers/backfill"
	"github.com/cqlsync/cqlsync/internal/cql/registry"
)

func main() {
	var (
		metricsAddr     string
		probeAddr       string
		leaderElect     bool
		lease           leaseTimings
		refreshInterval time.Duration
		driftInterval   time.Duration
		dryRun          bool
		operatorNS      string
		pprofAddr       string
		watchNS         string
		backfillJobs    backfill.JobOptions
	)
	if len(os.Args) > 1 && os.Args[1] == "backfill" {
		// A worker of a Backfill's Indexed Job (spec.workers): the image's one binary runs it.
		ctx := ctrl.SetupSignalHandler()
		os.Exit(backfill.Command(ctx, os.Args[2:], os.Stdout, os.Stderr))
	}
	flag.StringVar(&metricsAddr, "metrics-bind-address", ":8080", "address the metrics endpoint binds to; \"0\" disables it")
	flag.StringVar(&probeAddr, "health-probe-bind-address", ":8081", "address the health and readiness probes bind to")
	flag.BoolVar(&leaderElect, "leader-elect", false, "enable leader election, so that only one replica reconciles at a time")
	flag.DurationVar(&lease.duration, "leader-elect-lease-duration", 15*time.Second, "how long a leader's Lease lasts without renewal: the longest a replica waits to take over from one that died")
	flag.DurationVar(&lease.renewDeadline, "leader-elect-renew-deadline", 10*time.Second, "how long the leader keeps trying to renew its Lease before it gives up leading (less than the lease duration)")
	flag.DurationVar(&lease.retryPeriod, "leader-elect-retry-period", 2*time.Second, "how often replicas try to acquire or renew the Lease (less than the renew deadline)")
	flag.DurationVar(&refreshInterval, "connection-refresh-interval", time.Minute, "how often a Ready CassandraConnection re-reads its hosts")
	flag.DurationVar(&driftInterval, "drift-interval", 5*time.Minute, "how often a Ready Keyspace, TableModel or UserType re-checks the live schema: the safety net of the clusters' schema change events, which correct drift within seconds")
	flag.BoolVar(&dryRun, "dry-run", false, "plan and report in each resource's status.plan, but never execute DDL: to preview what a first install would do to existing clusters")
	flag.StringVar(&operatorNS, "operator-namespace", defaultOperatorNamespace(), "the namespace of the Secrets of ClusterCassandraConnections that name no spec.secretsNamespace (default: $POD_NAMESPACE, the in-cluster service account's namespace, or cqlsync-system)")
	flag.StringVar(&pprofAddr, "pprof-bind-address", "0", "address Go's pprof profiles are served on (/debug/pprof/), e.g. 127.0.0.1:6060; \"0\" (the default) disables them")
	flag.StringVar(&watchNS, "watch-namespaces", "", "comma-separated namespaces whose CassandraConnections, Keyspaces, TableModels, UserTypes and Backfills the manager watches (default: every namespace); the --operator-namespace is added, and ClusterCassandraConnections are always watched")
	flag.StringVar(&backfillJobs.Image, "backfill-image", os.Getenv("CQLSYNC_IMAGE"), "the image of the worker pods of Backfills with spec.workers and no spec.workers.image: the operator's own image (default: $CQLSYNC_IMAGE)")
	flag.StringVar(&backfillJobs.ServiceAccount, "backfill-service-account", envOr("CQLSYNC_SERVICE_ACCOUNT", "cqlsync-manager"), "the service account of the worker pods of Backfills with spec.workers, in the namespace the manager runs in ($POD_NAMESPACE): it reads connections and their Secrets and writes Backfills' status (default: $CQLSYNC_SERVICE_ACCOUNT, or cqlsync-manager)")
	opts := zap.Options{Development: false}
	opts.BindFlags(flag.CommandLine)
	flag.Parse()
	ctrl.SetLogger(zap.New(zap.UseFlagOptions(&opts)))
	setupLog := ctrl.Log.WithName("setup")

	scheme := runtime.NewScheme()
	utilruntime.Must(clientgoscheme.AddToScheme(scheme))
	utilruntime.Must(cqlv1.AddToScheme(scheme))

	if err := lease.validate(); err != nil {
		setupLog.Error(err, "invalid flag")
		os.Exit(2)
	}
	// The workers' Jobs run where the manager runs, with its service account.
	backfillJobs.Namespace = envOr("POD_NAMESPACE", operatorNS)
	backfillJobs.OperatorNamespace = operatorNS
	namespaces, err := cacheNamespaces(watchNS, operatorNS)
	if err != nil {
		setupLog.Error(err, "invalid flag")
		os.Exit(2)
	}
	mgr, err := ctrl.NewManager(ctrl.GetConfigOrDie(), ctrl.Options{
		Scheme: scheme,
		Cache: cache.Options{DefaultNamespaces: namespaces, ByObject: map[client.Object]cache.ByObject{
			// Only the Jobs of Backfills' workers, in the namespace where they run.
			&batchv1.Job{}: {Label: labels.SelectorFromSet(labels.Set{"app.kubernetes.io/name": backfill.JobAppName}),
				Namespaces: map[string]cache.Config{backfillJobs.Namespace: {}}},
		}},
		NewCache:               newCache(namespaces),
		Metrics:                metricsserver.Options{BindAddress: metricsAddr},
		HealthProbeBindAddress: probeAddr,
		PprofBindAddress:       pprofAddr,
		LeaderElection:         leaderElect,
		LeaderElectionID:       "cqlsync.io",
		// The Lease lives in the operator's namespace, which config/rbac's leader-election Role
		// covers. Out of a cluster (make run) controller-runtime could not find one by itself.
		LeaderElectionNamespace: operatorNS,
		LeaseDuration:           &lease.duration,
		RenewDeadline:           &lease.renewDeadline,
		RetryPeriod:             &lease.retryPeriod,
		// A manager told to stop hands the Lease over at once, instead of making the next replica
		// wait for it to expire: main returns as soon as the manager has stopped.
		LeaderElectionReleaseOnCancel: true,
	})
	if err != nil {
		setupLog.Error(err, "unable to create the manager")
		os.Exit(1)
	}

	ctx := ctrl.SetupSignalHandler()
	reg := registry.New(ctrl.Log.WithName("registry"))
	defer reg.Close()
	if err := controllers.Setup(ctx, mgr, controllers.Options{Registry: reg, ConnectionRefreshInterval: refreshInterval, DriftInterval: driftInterval, DryRun: dryRun, OperatorNamespace: operatorNS, BackfillJobs: backfillJobs}); err != nil {
		setupLog.Error(err, "unable to set up the controllers")
		os.Exit(1)
	}
	utilruntime.Must(mgr.AddHealthzCheck("healthz", healthz.Ping))
	utilruntime.Must(mgr.AddReadyzCheck("readyz", healthz.Ping))

	if dryRun {
		setupLog.Info("--dry-run: no DDL will be executed; planned changes are published in each resource's status.plan")
	}
	setupLog.Info("starting the manager")
	if err := mgr.Start(ctx); err != nil {
		setupLog.Error(err, "manager stopped with an error")
		os.Exit(1)
	}
}

// defaultOperatorNamespace is the namespace the manager runs in: $POD_NAMESPACE (the Deployment
// sets it from the downward API), else the in-cluster service account's, else cqlsync-system.
func defaultOperatorNamespace() string {
	if ns := os.Getenv("POD_NAMESPACE"); ns != "" {
		return ns
	}
	if b, err := os.ReadFile("/var/run/secrets/kubernetes.io/serviceaccount/namespace"); err == nil && len(b) > 0 {
		return string(b)
	}
	return "cqlsync-system"
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}
