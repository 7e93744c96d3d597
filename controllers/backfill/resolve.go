package backfill

import (
	"context"
	"fmt"
	"slices"
	"strings"

	gocql "github.com/apache/cassandra-gocql-driver/v2"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
	"github.com/cqlsync/cqlsync/internal/backfill"
	"github.com/cqlsync/cqlsync/internal/cql/introspect"
	"github.com/cqlsync/cqlsync/internal/cql/registry"
	"github.com/cqlsync/cqlsync/internal/engine"
)

// Resolver turns a Backfill into a copy it can run: the target TableModel's connection and
// keyspace, the source table, the permissions, the live tables and the column mapping.
type Resolver struct {
	Client client.Reader
	// Clusters gives the identity of a connection's cluster, for keyspace ownership (nil in a
	// worker: the identity the connection's status publishes is used).
	Clusters engine.Clusters
	// Session opens the driver session of a connection.
	Session func(ctx context.Context, key registry.Key) (*gocql.Session, error)
	// Keyspace reads the live schema of a keyspace through a connection's session (nil when it
	// does not exist).
	Keyspace func(ctx context.Context, key registry.Key, s *gocql.Session, keyspace string) (*introspect.KeyspaceSchema, error)
}

// Copy is a resolved Backfill.
type Copy struct {
	// Connection is the connection as status names it, Keyspace the target's keyspace.
	Connection string
	Keyspace   string
	Key        registry.Key
	Session    *gocql.Session
	Mapping    *backfill.Mapping
}

// Resolve resolves b, or says why it cannot run (a Problem: its reason and a message naming the
// field). Only API-server errors are returned.
func (r *Resolver) Resolve(ctx context.Context, b *cqlv1.Backfill) (*Copy, *engine.Problem, error) {
	ns := b.Namespace
	problem := func(reason, format string, args ...any) (*Copy, *engine.Problem, error) {
		return nil, &engine.Problem{Reason: reason, Message: fmt.Sprintf(format, args...)}, nil
	}
	if t := b.Spec.Target.Namespace; t != "" && t != ns {
		return problem(cqlv1.ReasonNotPermitted, "spec.target.namespace: a Backfill of namespace %q may only write into the TableModels of its own namespace, not of %q", ns, t)
	}
	target := &cqlv1.TableModel{}
	switch err := r.Client.Get(ctx, types.NamespacedName{Namespace: ns, Name: b.Spec.Target.TableModel}, target); {
	case apierrors.IsNotFound(err):
		return problem(cqlv1.ReasonTargetNotReady, "spec.target.tableModel: TableModel %q does not exist in namespace %q", b.Spec.Target.TableModel, ns)
	case err != nil:
		return nil, nil, err
	}
	ts, p := pickTarget(target, b.Spec.Target)
	if p != nil {
		return nil, p, nil
	}
	ref := engine.ParseConnection(ts.Connection)
	key := engine.KeyOf(ns, ref)
	c := &Copy{Connection: ts.Connection, Keyspace: ts.Keyspace, Key: key}

	srcKeyspace, srcTable := ts.Keyspace, b.Spec.Source.Table
	if name := b.Spec.Source.TableModel; name != "" {
		src := &cqlv1.TableModel{}
		switch err := r.Client.Get(ctx, types.NamespacedName{Namespace: ns, Name: name}, src); {
		case apierrors.IsNotFound(err):
			return problem(cqlv1.ReasonSourceNotFound, "spec.source.tableModel: TableModel %q does not exist in namespace %q", name, ns)
		case err != nil:
			return nil, nil, err
		}
		i := slices.IndexFunc(src.Status.Targets, func(t cqlv1.TargetStatus) bool {
			return t.Connection == ts.Connection && t.Keyspace == ts.Keyspace
		})
		if len(src.Status.Targets) == 0 {
			return problem(cqlv1.ReasonTargetNotReady, "spec.source.tableModel: TableModel %q has not been reconciled yet", name)
		}
		if i < 0 {
			return problem(cqlv1.ReasonSourceNotFound, "spec.source.tableModel: TableModel %q has no target on connection %q, keyspace %q, where the target is", name, ts.Connection, ts.Keyspace)
		}
		srcTable = src.CQLName()
	} else if b.Spec.Source.Keyspace != "" {
		srcKeyspace = string(b.Spec.Source.Keyspace)
	}
	// Reading a keyspace follows the rules of writing into it.
	for _, ks := range []string{srcKeyspace, ts.Keyspace} {
		p, err := engine.KeyspaceAccess(ctx, r.Client, r.Clusters, ns, ref, ks, fmt.Sprintf("a Backfill of namespace %q may not copy from or into it", ns))
		if err != nil {
			return nil, nil, err
		}
		if p != nil {
			return nil, p, nil
		}
	}

	s, err := r.Session(ctx, key)
	if err != nil {
		return problem(cqlv1.ReasonConnectionNotReady, "no session for connection %s: %v", ts.Connection, err)
	}
	c.Session = s
	if p, err := checkPartitioner(ctx, s); err != nil {
		return problem(cqlv1.ReasonUnreachable, "reading the partitioner through %s: %v", ts.Connection, err)
	} else if p != nil {
		return nil, p, nil
	}
	srcKS, err := r.Keyspace(ctx, key, s, srcKeyspace)
	if err != nil {
		return problem(cqlv1.ReasonUnreachable, "reading keyspace %q through %s: %v", srcKeyspace, ts.Connection, err)
	}
	dstKS := srcKS
	if ts.Keyspace != srcKeyspace {
		if dstKS, err = r.Keyspace(ctx, key, s, ts.Keyspace); err != nil {
			return problem(cqlv1.ReasonUnreachable, "reading keyspace %q through %s: %v", ts.Keyspace, ts.Connection, err)
		}
	}
	var srcT, dstT *introspect.Table
	if srcKS != nil {
		srcT = srcKS.Tables[srcTable]
	}
	if dstKS != nil {
		dstT = dstKS.Tables[target.CQLName()]
	}
	switch {
	case srcT == nil:
		return problem(cqlv1.ReasonSourceNotFound, "spec.source: table %s.%s does not exist on %s", srcKeyspace, srcTable, ts.Connection)
	case dstT == nil:
		return problem(cqlv1.ReasonTargetNotReady, "table %s.%s of TableModel %q does not exist yet on %s", ts.Keyspace, target.CQLName(), target.Name, ts.Connection)
	case srcT == dstT || (srcKeyspace == ts.Keyspace && srcTable == target.CQLName()):
		return problem(cqlv1.ReasonInvalidSpec, "spec.source: the source is the target table %s.%s", ts.Keyspace, srcTable)
	}
	m, refusal := backfill.Plan(srcT, dstT, srcKS.Types, dstKS.Types, b.Spec.Columns)
	if refusal != nil {
		return problem(refusal.Reason, "%s", refusal.Message)
	}
	c.Mapping = m
	return c, nil, nil
}

// pickTarget is the target of the TableModel the Backfill copies into: the one of
// spec.target.connection and spec.target.keyspace, or the only one. It must be Synced.
func pickTarget(tm *cqlv1.TableModel, t cqlv1.BackfillTarget) (cqlv1.TargetStatus, *engine.Problem) {
	var matches []cqlv1.TargetStatus
	for _, ts := range tm.Status.Targets {
		if t.Connection != nil && ts.Connection != t.Connection.String() {
			continue
		}
		if t.Keyspace != "" && ts.Keyspace != string(t.Keyspace) {
			continue
		}
		matches = append(matches, ts)
	}
	switch {
	case t.Connection != nil && t.Connection.Invalid != "":
		return cqlv1.TargetStatus{}, &engine.Problem{Reason: cqlv1.ReasonInvalidSpec, Message: "spec.target.connection: " + t.Connection.Invalid}
	case len(tm.Status.Targets) == 0:
		return cqlv1.TargetStatus{}, &engine.Problem{Reason: cqlv1.ReasonTargetNotReady, Message: fmt.Sprintf("TableModel %q has not been reconciled yet", tm.Name)}
	case len(matches) == 0:
		return cqlv1.TargetStatus{}, &engine.Problem{Reason: cqlv1.ReasonInvalidSpec, Message: fmt.Sprintf(
			"spec.target: TableModel %q has no target on connection %q, keyspace %q (its targets: %s)", tm.Name, connName(t), t.Keyspace, targetList(tm))}
	case len(matches) > 1:
		return cqlv1.TargetStatus{}, &engine.Problem{Reason: cqlv1.ReasonInvalidSpec, Message: fmt.Sprintf(
			"spec.target: TableModel %q has several targets (%s): name one with spec.target.connection and spec.target.keyspace", tm.Name, targetList(tm))}
	case matches[0].State != cqlv1.TargetSynced:
		m := matches[0]
		return m, &engine.Problem{Reason: cqlv1.ReasonTargetNotReady, Message: fmt.Sprintf(
			"TableModel %q is not Synced on %s, keyspace %s (%s: %s)", tm.Name, m.Connection, m.Keyspace, m.Reason, m.Message)}
	}
	return matches[0], nil
}

func connName(t cqlv1.BackfillTarget) string {
	if t.Connection == nil {
		return ""
	}
	return t.Connection.String()
}

func targetList(tm *cqlv1.TableModel) string {
	out := make([]string, len(tm.Status.Targets))
	for i, t := range tm.Status.Targets {
		out[i] = t.Connection + "/" + t.Keyspace
	}
	return strings.Join(out, ", ")
}

// checkPartitioner refuses clusters whose partitioner is not Murmur3: the splits are ranges of
// its tokens.
func checkPartitioner(ctx context.Context, s *gocql.Session) (*engine.Problem, error) {
	var p string
	if err := s.Query(`SELECT partitioner FROM system.local`).ScanContext(ctx, &p); err != nil {
		return nil, err
	}
	if p != "org.apache.cassandra.dht.Murmur3Partitioner" {
		return &engine.Problem{Reason: cqlv1.ReasonFailed, Message: fmt.Sprintf("the cluster's partitioner is %s: a Backfill splits the ring of Murmur3Partitioner only", p)}, nil
	}
	return nil, nil
}
