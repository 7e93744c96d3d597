package engine

import (
	"context"
	"fmt"

	"sigs.k8s.io/controller-runtime/pkg/client"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
)

// Field indexes, all registered here, once, by registerIndexes. The schema kinds share the names:
// an index belongs to one kind's informer, so "cqlsync.io/connections" on Keyspaces and on
// TableModels are two indexes.
const (
	// IndexConnSecrets (CassandraConnection, ClusterCassandraConnection): the Secrets it reads, as
	// "namespace/name".
	IndexConnSecrets = "cqlsync.io/secrets"
	// IndexConnDefault (CassandraConnection): "true" for default connections.
	IndexConnDefault = "cqlsync.io/default"

	// IndexConnections (schema kinds): spec.connections, as ConnectionRef.String(): a
	// CassandraConnection's name, "ClusterCassandraConnection/<name>" for a cluster-scoped one.
	IndexConnections = "cqlsync.io/connections"
	// IndexUsesDefault (schema kinds): "true" when spec.connections is empty.
	IndexUsesDefault = "cqlsync.io/uses-default"
	// IndexCQLName (schema kinds): the effective CQL name.
	IndexCQLName = "cqlsync.io/cql-name"
	// IndexKeyspaces (TableModel, UserType): spec.keyspaces, or DefaultKeyspaces when empty.
	IndexKeyspaces = "cqlsync.io/keyspaces"
	// IndexUsesTypes (TableModel, UserType): the user-defined types the spec uses.
	IndexUsesTypes = "cqlsync.io/uses-types"

	// DefaultKeyspaces is the keyspaces index value of a resource with empty spec.keyspaces (each
	// connection's defaultKeyspace; not a valid CQL name, so it cannot clash).
	DefaultKeyspaces = "<defaultKeyspace>"
)

// fieldIndex is one field index of one kind.
type fieldIndex struct {
	obj   client.Object
	field string
	fn    client.IndexerFunc
}

// fieldIndexesFor lists every index the controllers list by, with the operator's namespace (where
// ClusterCassandraConnections without spec.secretsNamespace keep their Secrets).
func fieldIndexesFor(operatorNamespace string) []fieldIndex {
	out := []fieldIndex{
		{&cqlv1.CassandraConnection{}, IndexConnSecrets, func(o client.Object) []string {
			c := o.(*cqlv1.CassandraConnection)
			return c.Spec.SecretRefs(c.Namespace)
		}},
		{&cqlv1.CassandraConnection{}, IndexConnDefault, func(o client.Object) []string {
			if o.(*cqlv1.CassandraConnection).Spec.Default {
				return []string{"true"}
			}
			return nil
		}},
	}
	out = append(out, fieldIndex{&cqlv1.ClusterCassandraConnection{}, IndexConnSecrets, func(o client.Object) []string {
		c := o.(*cqlv1.ClusterCassandraConnection)
		return c.Spec.SecretRefs(c.SecretsNamespaceOr(operatorNamespace))
	}})
	kinds := []struct {
		obj       client.Object
		usedTypes func(client.Object) []string
	}{
		{&cqlv1.Keyspace{}, nil},
		{&cqlv1.TableModel{}, func(o client.Object) []string { return tableModelAdapter{}.usedTypes(o.(*cqlv1.TableModel)) }},
		{&cqlv1.UserType{}, func(o client.Object) []string { return userTypeAdapter{}.usedTypes(o.(*cqlv1.UserType)) }},
		{&cqlv1.CassandraRole{}, nil},
	}
	for _, k := range kinds {
		out = append(out,
			fieldIndex{k.obj, IndexConnections, func(o client.Object) []string {
				var out []string
				for _, ref := range o.(cqlv1.SchemaObject).TargetConnections() {
					out = append(out, ref.String())
				}
				return out
			}},
			fieldIndex{k.obj, IndexUsesDefault, func(o client.Object) []string {
				if len(o.(cqlv1.SchemaObject).TargetConnections()) == 0 {
					return []string{"true"}
				}
				return nil
			}},
			fieldIndex{k.obj, IndexCQLName, func(o client.Object) []string { return []string{o.(cqlv1.SchemaObject).CQLName()} }},
		)
		if k.usedTypes == nil {
			continue
		}
		out = append(out,
			fieldIndex{k.obj, IndexKeyspaces, func(o client.Object) []string {
				keyspaces := o.(cqlv1.SchemaObject).TargetKeyspaces()
				if len(keyspaces) == 0 {
					return []string{DefaultKeyspaces}
				}
				names := make([]string, len(keyspaces))
				for i, ks := range keyspaces {
					names[i] = string(ks)
				}
				return names
			}},
			fieldIndex{k.obj, IndexUsesTypes, k.usedTypes},
		)
	}
	return out
}

// RegisterIndexes registers every field index the controllers and the engine list by with the manager's indexer (or a fake client's).
func RegisterIndexes(ctx context.Context, idx client.FieldIndexer, operatorNamespace string) error {
	for _, i := range fieldIndexesFor(operatorNamespace) {
		if err := idx.IndexField(ctx, i.obj, i.field, i.fn); err != nil {
			return fmt.Errorf("index %s of %T: %w", i.field, i.obj, err)
		}
	}
	return nil
}
