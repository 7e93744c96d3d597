package controllers

import (
	"context"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
	"github.com/cqlsync/cqlsync/internal/cql/render"
)

// claims resolves what other resources of a namespace declare, for ownership and for the
// dependencies between kinds (a TableModel waiting for a UserType). It reads the namespace's
// default connections and the connections' defaultKeyspace once per reconcile, and only when a
// resource needs them.
type claims struct {
	ctx       context.Context
	c         client.Reader
	namespace string

	defaults  []string
	loaded    bool
	defaultKS map[string]string
	err       error
}

func newClaims(ctx context.Context, c client.Reader, namespace string) *claims {
	return &claims{ctx: ctx, c: c, namespace: namespace, defaultKS: map[string]string{}}
}

// targets are the schema objects obj declares: its CQL name in each keyspace of spec.keyspaces or,
// when that is empty, in the connection's defaultKeyspace (perKeyspace kinds), or the keyspace
// itself (Keyspace), on each connection of spec.connections or, when that is empty, on each
// default connection of the namespace, those being deleted included: while the namespace has
// several defaults the resource may end up on any of them, and a claim too many only holds a
// duplicate back. Targets are thus compared by the connection and keyspace they resolve to.
func (cl *claims) targets(obj cqlv1.SchemaObject, perKeyspace bool) []schemaTarget {
	conns := connectionNames(obj.TargetConnections())
	if len(conns) == 0 {
		conns = cl.defaultConnections()
	}
	var out []schemaTarget
	for _, conn := range conns {
		if !perKeyspace {
			out = append(out, schemaTarget{connection: conn, keyspace: obj.CQLName()})
			continue
		}
		keyspaces := obj.TargetKeyspaces()
		if len(keyspaces) == 0 {
			if ks := cl.defaultKeyspace(conn); ks != "" {
				keyspaces = []cqlv1.KeyspaceName{cqlv1.KeyspaceName(ks)}
			}
		}
		for _, ks := range keyspaces {
			out = append(out, schemaTarget{connection: conn, keyspace: string(ks), name: obj.CQLName()})
		}
	}
	return out
}

func (cl *claims) defaultConnections() []string {
	if !cl.loaded && cl.err == nil {
		cl.defaults, cl.err = defaultConnections(cl.ctx, cl.c, cl.namespace, true)
		cl.loaded = true
	}
	return cl.defaults
}

func (cl *claims) defaultKeyspace(name string) string {
	if ks, ok := cl.defaultKS[name]; ok || cl.err != nil {
		return ks
	}
	conn := &cqlv1.CassandraConnection{}
	if err := cl.c.Get(cl.ctx, types.NamespacedName{Namespace: cl.namespace, Name: name}, conn); err != nil && !apierrors.IsNotFound(err) {
		cl.err = err
	}
	cl.defaultKS[name] = conn.Spec.DefaultKeyspace
	return conn.Spec.DefaultKeyspace
}

// sameName lists the resources of the kind of list in the namespace whose CQL name is name
// (index indexCQLName).
func (cl *claims) sameName(list client.ObjectList, name string) ([]cqlv1.SchemaObject, error) {
	if err := cl.c.List(cl.ctx, list, client.InNamespace(cl.namespace), client.MatchingFields{indexCQLName: name}); err != nil {
		return nil, err
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

// claimantOf is a resource as a claimant of its targets.
func (cl *claims) claimantOf(obj cqlv1.SchemaObject, perKeyspace bool) claimant {
	return claimant{name: obj.GetName(), created: obj.GetCreationTimestamp(), deleting: obj.GetDeletionTimestamp() != nil,
		targets: cl.targets(obj, perKeyspace)}
}

// schemaTarget is the ownership key of a target of the reconciled kind.
func (r *schemaReconciler[T, D]) schemaTarget(connection, keyspace, name string) schemaTarget {
	if !r.kind.perKeyspace {
		return schemaTarget{connection: connection, keyspace: keyspace}
	}
	return schemaTarget{connection: connection, keyspace: keyspace, name: name}
}

// ownership decides who owns each of obj's resolved targets (those with a cluster), among the
// resources of its kind in the namespace with the same CQL name. With no such resource, it reads
// nothing more. Only API-server errors are returned.
func (r *schemaReconciler[T, D]) ownership(ctx context.Context, obj T, targets []connTarget) (map[schemaTarget]targetOwnership, error) {
	cl := newClaims(ctx, r.Client, obj.GetNamespace())
	others, err := cl.sameName(r.objects.newList(), obj.CQLName())
	if err != nil {
		return nil, err
	}
	self := claimant{name: obj.GetName(), created: obj.GetCreationTimestamp(), deleting: !obj.GetDeletionTimestamp().IsZero()}
	for _, ct := range targets {
		if ct.decided != nil {
			continue
		}
		for _, ks := range ct.keyspaces {
			self.targets = append(self.targets, r.schemaTarget(ct.name, ks, obj.CQLName()))
		}
	}
	var claimants []claimant
	for _, o := range others {
		if o.GetName() != obj.GetName() {
			claimants = append(claimants, cl.claimantOf(o, r.kind.perKeyspace))
		}
	}
	if cl.err != nil {
		return nil, cl.err
	}
	return ownership(self, claimants), nil
}

// duplicateOutcome is the outcome of a target another resource of the kind owns.
func (r *schemaReconciler[T, D]) duplicateOutcome(ct connTarget, keyspace, name, owner string) targetOutcome {
	return targetOutcome{
		connection: ct.name, isDefault: ct.isDefault, keyspace: r.statusKeyspace(keyspace),
		state: cqlv1.TargetFailed, reason: cqlv1.ReasonDuplicateOwner,
		message: duplicateOwnerMessage(r.kind.kind, owner, r.describe(keyspace, name), ct.name),
	}
}

// qualified is the object's CQL name on a target: "ks" for a keyspace, "ks"."t" for a table or
// a type.
func (r *schemaReconciler[T, D]) qualified(keyspace, name string) string {
	if !r.kind.perKeyspace {
		return render.Ident(keyspace)
	}
	return render.QualifiedName(keyspace, name)
}

// describe names the object of a target in messages: `keyspace "orders"`, `table "t" in keyspace
// "ks"`.
func (r *schemaReconciler[T, D]) describe(keyspace, name string) string {
	if !r.kind.perKeyspace {
		return fmt.Sprintf("%s %s", r.kind.noun, render.Ident(keyspace))
	}
	return fmt.Sprintf("%s %s in keyspace %s", r.kind.noun, render.Ident(name), render.Ident(keyspace))
}
