package controllers

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
	"github.com/cqlsync/cqlsync/internal/cql/apply"
	"github.com/cqlsync/cqlsync/internal/cql/plan"
	"github.com/cqlsync/cqlsync/internal/cql/registry"
	"github.com/cqlsync/cqlsync/internal/cql/render"
)

// reconcileNormal syncs every target: connections in parallel, the keyspaces of one connection
// one after the other (the executor serialises DDL per cluster anyway). One target's failure
// never stops another. A target that another TableModel owns (same table, connection and
// keyspace) is left alone. Only API-server errors are returned.
func (r *TableModelReconciler) reconcileNormal(ctx context.Context, tm *cqlv1.TableModel) (tableModelOutcome, error) {
	o := tableModelOutcome{table: tm.TableName()}
	desired, problem := desiredTable(tm)
	conns, err := r.connections(ctx, tm, false)
	if err != nil {
		return o, err
	}
	owners, err := r.tableOwnership(ctx, tm, conns)
	if err != nil {
		return o, err
	}
	results := make([][]tableTargetOutcome, len(conns))
	errs := make([]error, len(conns))
	var wg sync.WaitGroup
	for i, tc := range conns {
		if tc.decided != nil || problem != nil {
			results[i] = decidedTargets(tc, problem)
			continue
		}
		wg.Go(func() {
			for _, ks := range tc.keyspaces {
				if owner := owners[tableTarget(tc.name, ks, o.table)].owner; owner != "" {
					results[i] = append(results[i], duplicateTableOutcome(tc.name, ks, o.table, owner))
					continue
				}
				to, err := r.syncTarget(ctx, tm, tc, ks, desired)
				if err != nil {
					errs[i] = err
					return
				}
				results[i] = append(results[i], to)
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return o, err
	}
	for _, rs := range results {
		o.targets = append(o.targets, rs...)
	}
	return o, nil
}

// decidedTargets are the outcomes of a connection's targets when nothing is run on them: the
// connection is unusable, or the spec is.
func decidedTargets(tc tableConn, problem *specProblem) []tableTargetOutcome {
	keyspaces := tc.keyspaces
	if len(keyspaces) == 0 {
		keyspaces = []string{""} // the connection's defaultKeyspace, which is unknown
	}
	var out []tableTargetOutcome
	for _, ks := range keyspaces {
		to := tableTargetOutcome{connection: tc.name, keyspace: ks}
		switch {
		case problem != nil:
			to.state, to.reason, to.message = cqlv1.TableFailed, problem.reason, problem.message+"; nothing was executed"
		default:
			to.state, to.reason, to.message = tc.decided.state, tc.decided.reason, tc.decided.message
		}
		out = append(out, to)
	}
	return out
}

// syncTarget reads the live keyspace, plans the table and applies the plan on one target.
func (r *TableModelReconciler) syncTarget(ctx context.Context, tm *cqlv1.TableModel, tc tableConn, keyspace string, desired plan.Table) (tableTargetOutcome, error) {
	logger := log.FromContext(ctx).WithValues("connection", tc.name, "keyspace", keyspace)
	o := tableTargetOutcome{connection: tc.name, keyspace: keyspace}
	at := apply.TargetOf(tc.session)
	desired.Keyspace = keyspace

	readCtx, cancel := context.WithTimeout(ctx, at.RequestTimeout)
	ks, err := r.Schemas.Keyspace(readCtx, at.Key, at.Session, keyspace)
	cancel()
	if err != nil {
		logger.Info("cannot read the live schema", "error", err.Error())
		o.state, o.reason, o.message = cqlv1.TablePending, cqlv1.ReasonConnectionNotReady, "reading system_schema: "+err.Error()
		if registry.KindOf(err) != registry.KindUnreachable {
			o.state, o.reason = cqlv1.TableFailed, cqlv1.ReasonFailed
		}
		return o, nil
	}
	if ks == nil {
		msg, err := r.missingKeyspaceMessage(ctx, tm.Namespace, keyspace)
		if err != nil {
			return o, err
		}
		o.state, o.reason, o.message = cqlv1.TablePending, cqlv1.ReasonKeyspaceNotFound, msg
		return o, nil
	}
	if p := checkUDTs(desired, keyspace, ks.HasType); p != nil {
		o.state, o.reason, o.message = cqlv1.TableFailed, p.reason, p.message+"; nothing was executed on this target"
		return o, nil
	}

	res := plan.ForTable(desired, ks)
	o.drift = res.Drift
	if len(res.Blocked) > 0 {
		msgs := make([]string, len(res.Blocked))
		for i, d := range res.Blocked {
			msgs[i] = d.Message
		}
		o.state, o.reason = cqlv1.TableBlocked, blockedReason(res.Blocked[0].Kind)
		o.message = strings.Join(msgs, "; ") + "; nothing was executed on this target (Cassandra cannot change this in place: migrate the data to a new table, or fix the live table)"
		return o, nil
	}

	applied, err := r.Executor.Apply(ctx, at, res.Plan)
	o.applied = applied
	var disagree *apply.DisagreementError
	switch {
	case err == nil:
		o.state, o.reason, o.message = cqlv1.TableSynced, cqlv1.ReasonSynced,
			fmt.Sprintf("table %s matches the spec", render.QualifiedName(keyspace, desired.Name))
	case errors.As(err, &disagree):
		o.state, o.reason, o.message = cqlv1.TablePending, cqlv1.ReasonSchemaDisagreement, err.Error()+"; retrying"
	case registry.KindOf(err) == registry.KindUnreachable || errors.Is(err, context.DeadlineExceeded):
		o.state, o.reason, o.message = cqlv1.TablePending, cqlv1.ReasonConnectionNotReady, err.Error()+"; retrying"
	default:
		logger.Info("applying the table failed", "error", err.Error())
		o.state, o.reason, o.message = cqlv1.TableFailed, cqlv1.ReasonFailed, err.Error()
	}
	if len(applied) > 0 {
		// The next read must see what was just done, even if a node answers with an old version.
		r.Schemas.InvalidateKeyspace(at.Key, keyspace)
	}
	return o, nil
}

func blockedReason(k plan.DifferenceKind) string {
	switch k {
	case plan.DiffColumnType:
		return cqlv1.ReasonColumnTypeDiffers
	case plan.DiffStatic:
		return cqlv1.ReasonStaticDiffers
	case plan.DiffIndexName:
		return cqlv1.ReasonIndexNameTaken
	}
	return cqlv1.ReasonPrimaryKeyDiffers
}

// missingKeyspaceMessage says that the keyspace does not exist and whether a Keyspace resource of
// the namespace is meant to create it.
func (r *TableModelReconciler) missingKeyspaceMessage(ctx context.Context, namespace, keyspace string) (string, error) {
	var list cqlv1.KeyspaceList
	if err := r.List(ctx, &list, client.InNamespace(namespace), client.MatchingFields{indexKsCQLName: keyspace}); err != nil {
		return "", err
	}
	if len(list.Items) > 0 {
		// With duplicates, the oldest is the one that creates it (see ownership).
		owner := slices.MinFunc(list.Items, func(a, b cqlv1.Keyspace) int {
			if precedes(claimant{name: a.Name, created: a.CreationTimestamp}, claimant{name: b.Name, created: b.CreationTimestamp}) {
				return -1
			}
			return 1
		})
		return fmt.Sprintf("keyspace %q does not exist on this cluster yet; waiting for Keyspace %q to create it", keyspace, owner.Name), nil
	}
	return fmt.Sprintf("keyspace %q does not exist on this cluster and no Keyspace resource in namespace %q manages it: create one (or the keyspace)", keyspace, namespace), nil
}
