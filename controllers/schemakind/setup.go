package schemakind

import (
	"fmt"
	"time"

	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/cqlsync/cqlsync/internal/engine"
)

// Options configure the reconcilers of the schema kinds.
type Options struct {
	// Engine is what every kind's pipeline is given (client, clusters, recorder, --dry-run).
	Engine engine.Options
	// APIReader reads objects written moments ago from the API server.
	APIReader client.Reader
	// DriftInterval is how often a Ready resource re-reads the live schema.
	DriftInterval time.Duration
	// SchemaEvents, when set, requeues the resources a cluster's schema change concerns.
	SchemaEvents SchemaEvents
}

// Setup registers the reconcilers of Keyspace, TableModel, UserType and CassandraRole: one
// reconciler type, each
// around its kind's pipeline.
func Setup(mgr ctrl.Manager, o Options) error {
	c := o.Engine.Client
	if err := New(c, engine.Keyspaces(o.Engine), o.APIReader, o.DriftInterval, o.SchemaEvents, o.Engine.Now).SetupWithManager(mgr); err != nil {
		return fmt.Errorf("setting up the Keyspace controller: %w", err)
	}
	if err := New(c, engine.TableModels(o.Engine), o.APIReader, o.DriftInterval, o.SchemaEvents, o.Engine.Now).SetupWithManager(mgr); err != nil {
		return fmt.Errorf("setting up the TableModel controller: %w", err)
	}
	if err := New(c, engine.UserTypes(o.Engine), o.APIReader, o.DriftInterval, o.SchemaEvents, o.Engine.Now).SetupWithManager(mgr); err != nil {
		return fmt.Errorf("setting up the UserType controller: %w", err)
	}
	// Roles change without schema events: the drift interval is how soon an out-of-band change
	// is set back.
	if err := New(c, engine.CassandraRoles(o.Engine), o.APIReader, o.DriftInterval, nil, o.Engine.Now).SetupWithManager(mgr); err != nil {
		return fmt.Errorf("setting up the CassandraRole controller: %w", err)
	}
	return nil
}
