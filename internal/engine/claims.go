package engine

import (
	"context"
	"fmt"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
	"github.com/cqlsync/cqlsync/internal/cql/introspect"
	"github.com/cqlsync/cqlsync/internal/cql/registry"
	"github.com/cqlsync/cqlsync/internal/cql/render"
)

// claims resolves what resources of any namespace declare, for ownership and for the dependencies
// between kinds (a TableModel waiting for a UserType). A declared target is keyed by the identity
// of the cluster it reaches (see clusterIdentity), so that two connections to the same cluster, of
// any kind, in any namespace, under any name, declare the same targets. Connections, namespace
// defaults and namespace permissions are read once per reconcile, and only when needed.
type claims struct {
	ctx      context.Context
	c        client.Reader
	clusters Clusters

	defaults map[string][]cqlv1.ConnectionRef // by namespace
	views    map[registry.Key]*connView       // nil: the connection does not exist
	allowed  map[string]bool                  // namespace + "\x00" + connection key: may use it
	err      error
}

func newClaims(ctx context.Context, c client.Reader, clusters Clusters) *claims {
	return &claims{ctx: ctx, c: c, clusters: clusters, defaults: map[string][]cqlv1.ConnectionRef{},
		views: map[registry.Key]*connView{}, allowed: map[string]bool{}}
}

// targets are the schema objects obj declares: its CQL name in each keyspace of spec.keyspaces or,
// when that is empty, in the connection's defaultKeyspace (perKeyspace kinds), or the keyspace
// itself (Keyspace), through each connection of spec.connections or, when that is empty, each
// default connection of its namespace (those being deleted included: while the namespace has
// several defaults the resource may end up on any of them, and a claim too many only holds a
// duplicate back). A connection that does not exist, or does not permit the namespace or the
// keyspace, declares nothing: such a resource can never act there.
func (cl *claims) targets(obj cqlv1.SchemaObject, perKeyspace bool) []schemaTarget {
	ns := obj.GetNamespace()
	refs := obj.TargetConnections()
	if len(refs) == 0 {
		refs = cl.defaultsOf(ns)
	}
	var out []schemaTarget
	for _, ref := range refs {
		v := cl.view(ns, ref)
		if ref.Invalid != "" || v == nil || !cl.permitted(ns, v) {
			continue
		}
		id := clusterIdentity(cl.clusters, v)
		if !perKeyspace {
			if keyspacePermitted(v, obj.CQLName(), ns) == nil {
				out = append(out, schemaTarget{cluster: id, keyspace: obj.CQLName()})
			}
			continue
		}
		keyspaces := obj.TargetKeyspaces()
		if len(keyspaces) == 0 && v.spec.DefaultKeyspace != "" {
			keyspaces = []cqlv1.KeyspaceName{cqlv1.KeyspaceName(v.spec.DefaultKeyspace)}
		}
		for _, ks := range keyspaces {
			if keyspacePermitted(v, string(ks), ns) == nil {
				out = append(out, schemaTarget{cluster: id, keyspace: string(ks), name: obj.CQLName()})
			}
		}
	}
	return out
}

func (cl *claims) defaultsOf(namespace string) []cqlv1.ConnectionRef {
	if d, ok := cl.defaults[namespace]; ok || cl.err != nil {
		return d
	}
	d, err := NamespaceDefaults(cl.ctx, cl.c, namespace, true)
	if err != nil {
		cl.err = err
	}
	cl.defaults[namespace] = d
	return d
}

func (cl *claims) view(namespace string, ref cqlv1.ConnectionRef) *connView {
	key := KeyOf(namespace, ref)
	if v, ok := cl.views[key]; ok || cl.err != nil {
		return v
	}
	v, _, err := getConnView(cl.ctx, cl.c, namespace, ref, true)
	if err != nil {
		cl.err = err
	}
	cl.views[key] = v
	return v
}

func (cl *claims) permitted(namespace string, v *connView) bool {
	k := namespace + "\x00" + v.key.String()
	if ok, seen := cl.allowed[k]; seen || cl.err != nil {
		return ok
	}
	p, err := namespacePermitted(cl.ctx, cl.c, namespace, v)
	if err != nil {
		cl.err = err
	}
	cl.allowed[k] = p == nil
	return p == nil
}

// sameName lists the resources of the kind of list, in every namespace, whose CQL name is name
// (index IndexCQLName).
func (cl *claims) sameName(list client.ObjectList, name string) ([]cqlv1.SchemaObject, error) {
	if err := cl.c.List(cl.ctx, list, client.MatchingFields{IndexCQLName: name}); err != nil {
		return nil, fmt.Errorf("listing the %T of CQL name %q: %w", list, name, err)
	}
	var out []cqlv1.SchemaObject
	err := meta.EachListItem(list, func(o runtime.Object) error {
		if so, ok := o.(cqlv1.SchemaObject); ok {
			out = append(out, so)
		}
		return nil
	})
	return out, err
}

// claimantOf is a resource as a claimant of its targets; it is named "namespace/name".
func (cl *claims) claimantOf(obj cqlv1.SchemaObject, perKeyspace bool) claimant {
	return claimant{name: QualifiedName(obj), created: obj.GetCreationTimestamp(), deleting: obj.GetDeletionTimestamp() != nil,
		targets: cl.targets(obj, perKeyspace)}
}

// QualifiedName is "namespace/name": the name of a claimant, and of an owner in messages.
func QualifiedName(obj metav1.Object) string { return obj.GetNamespace() + "/" + obj.GetName() }

// schemaTarget is the ownership key of a target of the reconciled kind on a cluster.
func (r *pipeline[T, D, L]) schemaTarget(clusterID, keyspace, name string) schemaTarget {
	if !r.kind.PerKeyspace {
		return schemaTarget{cluster: clusterID, keyspace: keyspace}
	}
	return schemaTarget{cluster: clusterID, keyspace: keyspace, name: name}
}

// ownership decides who owns each of obj's resolved targets (those with a cluster), among the
// resources of its kind, in every namespace, with the same CQL name. With no such resource, it
// reads nothing more. Only API-server errors are returned.
func (r *pipeline[T, D, L]) ownership(ctx context.Context, obj T, targets []connTarget) (map[schemaTarget]targetOwnership, error) {
	cl := newClaims(ctx, r.Client, r.Clusters)
	others, err := cl.sameName(r.objects.newList(), obj.CQLName())
	if err != nil {
		return nil, err
	}
	self := claimant{name: QualifiedName(obj), created: obj.GetCreationTimestamp(), deleting: !obj.GetDeletionTimestamp().IsZero()}
	for _, ct := range targets {
		if ct.decided != nil {
			continue
		}
		for _, ks := range ct.keyspaces {
			if ct.denied[ks] == nil {
				self.targets = append(self.targets, r.schemaTarget(ct.clusterID, ks, obj.CQLName()))
			}
		}
	}
	var claimants []claimant
	for _, o := range others {
		if QualifiedName(o) != self.name {
			claimants = append(claimants, cl.claimantOf(o, r.kind.PerKeyspace))
		}
	}
	if cl.err != nil {
		return nil, cl.err
	}
	return ownership(self, claimants), nil
}

// duplicateOutcome is the outcome of a target another resource of the kind owns.
func (r *pipeline[T, D, L]) duplicateOutcome(ct connTarget, keyspace, name, owner string) targetOutcome {
	return targetOutcome{
		connection: ct.name, isDefault: ct.isDefault, keyspace: r.statusKeyspace(keyspace),
		state: cqlv1.TargetFailed, reason: cqlv1.ReasonDuplicateOwner,
		message: duplicateOwnerMessage(r.kind.Kind, owner, r.describe(keyspace, name), ct.name),
	}
}

// object is the schema object of a target: the keyspace itself, or the table or type in it.
func (r *pipeline[T, D, L]) object(keyspace, name string) introspect.Object {
	if !r.kind.PerKeyspace {
		return introspect.Object{Kind: r.kind.Object, Keyspace: keyspace}
	}
	return introspect.Object{Kind: r.kind.Object, Keyspace: keyspace, Name: name}
}

// qualified is the object's CQL name on a target: "ks" for a keyspace, "ks"."t" for a table or
// a type.
func (r *pipeline[T, D, L]) qualified(keyspace, name string) string {
	if !r.kind.PerKeyspace {
		return render.Ident(keyspace)
	}
	return render.QualifiedName(keyspace, name)
}

// describe names the object of a target in messages: `keyspace "orders"`, `table "t" in keyspace
// "ks"`.
func (r *pipeline[T, D, L]) describe(keyspace, name string) string {
	if !r.kind.PerKeyspace {
		return fmt.Sprintf("%s %s", r.kind.Noun, render.Ident(keyspace))
	}
	return fmt.Sprintf("%s %s in keyspace %s", r.kind.Noun, render.Ident(name), render.Ident(keyspace))
}
