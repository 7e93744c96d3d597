package engine

import (
	"context"
	"errors"
	"fmt"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
	"github.com/cqlsync/cqlsync/internal/cql/plan"
	"github.com/cqlsync/cqlsync/internal/cql/registry"
)

// connTarget is one connection of a resource and the keyspaces it acts on through it: for a
// Keyspace, the keyspace itself; for a TableModel or a UserType, spec.keyspaces or the
// connection's defaultKeyspace. When the connection cannot be used, decided says why, and every
// one of its targets gets that outcome; denied refuses single keyspaces (NotPermitted).
type connTarget struct {
	ref       cqlv1.ConnectionRef
	name      string // how status names the connection (ref.String()); empty when the default could not be resolved
	isDefault bool
	keyspaces []string
	cluster   Cluster
	// clusterID is the identity of the cluster the connection reaches, for ownership.
	clusterID string
	// server is the oldest Cassandra release of the cluster's nodes, as the connection's status
	// last reported them (zero when unknown).
	server  plan.Version
	decided *Problem
	denied  map[string]*Problem
}

// resolveTargets resolves spec.connections (or the namespace default) and, for each, its
// keyspaces, its permission and its cluster. deleting: the resource is being deleted and only
// needs a session to drop through (see readyCluster). Only API-server errors are returned.
func (r *pipeline[T, D, L]) resolveTargets(ctx context.Context, obj T, deleting bool) ([]connTarget, error) {
	refs := obj.TargetConnections()
	isDefault := len(refs) == 0
	if isDefault {
		defaults, err := NamespaceDefaults(ctx, r.Client, obj.GetNamespace(), deleting)
		if err != nil {
			return nil, err
		}
		if p := defaultProblem(obj.GetNamespace(), defaults); p != nil {
			return []connTarget{{isDefault: true, keyspaces: r.specKeyspaces(obj), decided: p}}, nil
		}
		refs = defaults
	}
	out := make([]connTarget, 0, len(refs))
	for i, ref := range refs {
		ct := connTarget{ref: ref, name: ref.String(), isDefault: isDefault, keyspaces: r.specKeyspaces(obj)}
		if p := refProblem(refs, i); p != nil {
			ct.decided = p
			out = append(out, ct)
			continue
		}
		v, p, err := getConnView(ctx, r.Client, obj.GetNamespace(), ref, deleting)
		if err != nil {
			return nil, err
		}
		if p == nil {
			p, err = namespacePermitted(ctx, r.Client, obj.GetNamespace(), v)
			if err != nil {
				return nil, err
			}
		}
		switch {
		case p != nil:
			ct.decided = p
		case len(ct.keyspaces) == 0 && v.spec.DefaultKeyspace == "":
			ct.decided = &Problem{Reason: cqlv1.ReasonNoDefaultKeyspace, Message: fmt.Sprintf(
				"spec.keyspaces is empty and %s %q has no spec.defaultKeyspace: list the keyspaces in spec.keyspaces or set the connection's defaultKeyspace", kindName(ref), ref.Name)}
		default:
			if len(ct.keyspaces) == 0 {
				ct.keyspaces = []string{v.spec.DefaultKeyspace}
			}
			for _, ks := range ct.keyspaces {
				if p := r.adapter.permitted(obj, v, ks, obj.GetNamespace()); p != nil {
					if ct.denied == nil {
						ct.denied = map[string]*Problem{}
					}
					ct.denied[ks] = p
				}
			}
			ct.cluster, ct.decided = r.readyCluster(ctx, v, deleting)
			ct.clusterID = clusterIdentity(r.Clusters, v)
			ct.server = oldestRelease(v.status.Hosts)
		}
		out = append(out, ct)
	}
	return out, nil
}

// refProblem says what is wrong with item i of spec.connections (the API server cannot check
// these items: a string or an object), nil when it can be used.
func refProblem(refs []cqlv1.ConnectionRef, i int) *Problem {
	invalid := func(format string, args ...any) *Problem {
		return &Problem{Reason: cqlv1.ReasonInvalidSpec, State: cqlv1.TargetFailed, Message: fmt.Sprintf("spec.connections[%d]: ", i) + fmt.Sprintf(format, args...)}
	}
	if refs[i].Invalid != "" {
		return invalid("%s", refs[i].Invalid)
	}
	for j := range i {
		if refs[j].Kind == refs[i].Kind && refs[j].Name == refs[i].Name {
			return invalid("%s is listed twice (also spec.connections[%d])", refs[i], j)
		}
	}
	return nil
}

// clusterIdentity is the identity of the cluster a connection reaches: what its open session
// learnt, else what the connection controller last published, else a name that matches no other
// connection (an unknown cluster shares ownership with nobody until it is known).
func clusterIdentity(c Clusters, v *connView) string {
	if c != nil {
		if id := c.ClusterID(v.key); id != "" {
			return id
		}
	}
	if v.status.ClusterID != "" {
		return v.status.ClusterID
	}
	return "unknown cluster of " + v.key.String()
}

// specKeyspaces are the keyspaces the resource names: spec.keyspaces of a TableModel or a
// UserType (empty: the connection's default, resolved per connection), the keyspace itself for a
// Keyspace.
func (r *pipeline[T, D, L]) specKeyspaces(obj T) []string {
	if !r.kind.PerKeyspace {
		return []string{obj.CQLName()}
	}
	var out []string
	for _, k := range obj.TargetKeyspaces() {
		out = append(out, string(k))
	}
	return out
}

// statusKeyspace is the keyspace a target shows in status: none for a Keyspace, whose targets
// are connections.
func (r *pipeline[T, D, L]) statusKeyspace(keyspace string) string {
	if r.kind.PerKeyspace {
		return keyspace
	}
	return ""
}

// readyCluster returns the cluster of a connection that is Ready (for its generation) and has a
// session, or says why there is none. A caller that is being deleted (deleting) only needs the
// session: a connection being deleted is not Ready while it waits for such callers, and one whose
// session is already closed is reported as gone (ConnectionNotFound) so nothing waits for it.
func (r *pipeline[T, D, L]) readyCluster(ctx context.Context, v *connView, deleting bool) (Cluster, *Problem) {
	notReady := func(format string, args ...any) *Problem {
		return &Problem{Reason: cqlv1.ReasonConnectionNotReady, Message: fmt.Sprintf(format, args...)}
	}
	if !deleting && !cqlv1.IsReadyFor(v.status.Conditions, v.generation) {
		if c := meta.FindStatusCondition(v.status.Conditions, cqlv1.ConditionReady); c != nil && c.Status != metav1.ConditionTrue {
			p := notReady("%s %q is not Ready (%s: %s)", kindName(v.ref), v.ref.Name, c.Reason, c.Message)
			if c.Reason == cqlv1.ReasonUnreachable {
				p.Reason = cqlv1.ReasonUnreachable // one outage, one word, on the connection and its targets
			}
			return nil, p
		}
		return nil, notReady("%s %q has not been reconciled yet", kindName(v.ref), v.ref.Name)
	}
	c, err := r.Clusters.Cluster(ctx, v.key.Namespace, v.key.Name)
	switch {
	case err != nil && deleting && v.deleting && errors.Is(err, registry.ErrNotRegistered):
		return nil, &Problem{Reason: cqlv1.ReasonConnectionNotFound, Message: fmt.Sprintf("%s %q is being deleted and its session is closed", kindName(v.ref), v.ref.Name)}
	case err != nil:
		return nil, notReady("no session for %s %q: %v", kindName(v.ref), v.ref.Name, err)
	}
	return c, nil
}

// oldestRelease is the oldest release version of the hosts a connection's status lists (zero
// when none is known): a cluster being upgraded supports only what its oldest node does.
func oldestRelease(hosts []cqlv1.HostStatus) plan.Version {
	var out plan.Version
	for _, h := range hosts {
		if v, ok := plan.ParseVersion(h.ReleaseVersion); ok && (out.IsZero() || v.Less(out)) {
			out = v
		}
	}
	return out
}
