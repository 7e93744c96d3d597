package controllers

import (
	"context"
	"errors"
	"sync"

	"sigs.k8s.io/controller-runtime/pkg/log"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
	"github.com/cqlsync/cqlsync/internal/cql/apply"
	"github.com/cqlsync/cqlsync/internal/cql/introspect"
	"github.com/cqlsync/cqlsync/internal/cql/plan"
	"github.com/cqlsync/cqlsync/internal/cql/registry"
	"github.com/cqlsync/cqlsync/internal/cql/render"
)

// desiredKeyspace turns the spec into the plan's desired keyspace.
func desiredKeyspace(ks *cqlv1.Keyspace) plan.Keyspace {
	r := render.Replication{Strategy: string(ks.Spec.Replication.Strategy)}
	if ks.Spec.Replication.ReplicationFactor != nil {
		r.ReplicationFactor = *ks.Spec.Replication.ReplicationFactor
	}
	if len(ks.Spec.Replication.Datacenters) > 0 {
		r.Datacenters = make(map[string]int32, len(ks.Spec.Replication.Datacenters))
		for dc, n := range ks.Spec.Replication.Datacenters {
			r.Datacenters[dc] = int32(n)
		}
	}
	return plan.Keyspace{Name: ks.KeyspaceName(), Replication: r, DurableWrites: ks.Spec.DurableWritesOrDefault()}
}

// reconcileNormal syncs every target in parallel; one target's failure never stops another. A
// target that another Keyspace owns (same CQL name, same connection) is left alone. Only
// API-server errors are returned; everything about Cassandra is in the outcome.
func (r *KeyspaceReconciler) reconcileNormal(ctx context.Context, ks *cqlv1.Keyspace) (keyspaceOutcome, error) {
	desired := desiredKeyspace(ks)
	o := keyspaceOutcome{keyspace: desired.Name}
	ts, err := r.targets(ctx, ks, false)
	if err != nil {
		return o, err
	}
	owners, err := r.keyspaceOwnership(ctx, ks, ts)
	if err != nil {
		return o, err
	}
	o.targets = make([]targetOutcome, len(ts))
	errs := make([]error, len(ts))
	var wg sync.WaitGroup
	for i, t := range ts {
		if t.decided != nil {
			o.targets[i] = *t.decided
			continue
		}
		if owner := owners[keyspaceTarget(t.name, desired.Name)].owner; owner != "" {
			o.targets[i] = duplicateKeyspaceOutcome(t, desired.Name, owner)
			continue
		}
		wg.Go(func() {
			o.targets[i], errs[i] = r.syncTarget(ctx, ks.Namespace, t, desired)
		})
	}
	wg.Wait()
	return o, errors.Join(errs...)
}

// syncTarget reads the live keyspace on one connection, plans and applies the difference.
func (r *KeyspaceReconciler) syncTarget(ctx context.Context, namespace string, t target, desired plan.Keyspace) (targetOutcome, error) {
	logger := log.FromContext(ctx).WithValues("connection", t.name)
	s, decided, err := r.connectionSession(ctx, namespace, t)
	if err != nil || decided != nil {
		if decided == nil {
			return targetOutcome{}, err
		}
		return *decided, nil
	}
	o := targetOutcome{connection: t.name, isDefault: t.isDefault}
	at := apply.TargetOf(s)

	readCtx, cancel := context.WithTimeout(ctx, at.RequestTimeout)
	live, err := introspect.ReadKeyspace(readCtx, at.Session, desired.Name)
	cancel()
	if err != nil {
		logger.Info("cannot read the live keyspace", "error", err.Error())
		o.state, o.reason, o.message = cqlv1.TargetPending, cqlv1.ReasonConnectionNotReady,
			"reading system_schema.keyspaces: "+err.Error()
		if registry.KindOf(err) != registry.KindUnreachable {
			o.state, o.reason = cqlv1.TargetFailed, cqlv1.ReasonFailed
		}
		return o, nil
	}

	applied, err := r.Executor.Apply(ctx, at, plan.ForKeyspace(desired, live))
	o.applied = applied
	if err != nil {
		logger.Info("applying the keyspace failed", "error", err.Error())
	}
	o.state, o.reason, o.message = applyResult(desired.Name, err)
	return o, nil
}
