package connection

import (
	"fmt"
	"time"

	"k8s.io/client-go/tools/events"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
)

// Options configure the connection reconcilers.
type Options struct {
	// Client is the client the reconcilers use; APIReader reads Secrets from the API server.
	Client    client.Client
	APIReader client.Reader
	// Registry holds the sessions; one per manager.
	Registry Registry
	Recorder events.EventRecorder
	// RefreshInterval is how often a Ready connection re-reads its hosts.
	RefreshInterval time.Duration
	// OperatorNamespace holds the Secrets of the ClusterCassandraConnections that name no
	// spec.secretsNamespace.
	OperatorNamespace string
}

// Setup registers the reconcilers of CassandraConnection and ClusterCassandraConnection.
func Setup(mgr ctrl.Manager, o Options) error {
	if err := (&connectionReconciler[*cqlv1.CassandraConnection]{
		Client: o.Client, kind: cassandraConnectionKind, APIReader: o.APIReader, Registry: o.Registry,
		Recorder: o.Recorder, RefreshInterval: o.RefreshInterval, OperatorNamespace: o.OperatorNamespace,
	}).SetupWithManager(mgr); err != nil {
		return fmt.Errorf("setting up the CassandraConnection controller: %w", err)
	}
	return (&connectionReconciler[*cqlv1.ClusterCassandraConnection]{
		Client: o.Client, kind: clusterCassandraConnectionKind, APIReader: o.APIReader, Registry: o.Registry,
		Recorder: o.Recorder, RefreshInterval: o.RefreshInterval, OperatorNamespace: o.OperatorNamespace,
	}).SetupWithManager(mgr)
}
