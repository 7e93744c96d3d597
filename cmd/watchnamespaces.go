package main

import (
	"context"
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// cacheNamespaces turns --watch-namespaces into the manager cache's DefaultNamespaces. An empty
// flag is nil: every namespace. Otherwise the cache holds the namespaced kinds of the listed
// namespaces and of the operator's own, where the Secrets of ClusterCassandraConnections that name
// no spec.secretsNamespace live. Cluster-scoped kinds (ClusterCassandraConnection, Namespace) are
// not restricted by DefaultNamespaces.
func cacheNamespaces(watch, operatorNamespace string) (map[string]cache.Config, error) {
	if strings.TrimSpace(watch) == "" {
		return nil, nil
	}
	out := map[string]cache.Config{}
	for _, ns := range strings.Split(watch, ",") {
		ns = strings.TrimSpace(ns)
		if ns == "" {
			continue
		}
		if errs := validation.IsDNS1123Label(ns); len(errs) > 0 {
			return nil, fmt.Errorf("--watch-namespaces: %q is not a namespace name: %s", ns, strings.Join(errs, "; "))
		}
		out[ns] = cache.Config{}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("--watch-namespaces: %q names no namespace (leave it empty to watch every namespace)", watch)
	}
	if operatorNamespace != "" {
		out[operatorNamespace] = cache.Config{}
	}
	return out, nil
}

// newCache is the manager's cache: with --watch-namespaces, one that answers a List in a namespace
// it does not watch with an empty list. Namespaces are cluster-scoped, so their events come from
// every namespace of the cluster, and the controllers map each to the resources of that namespace:
// for an unwatched one, "none" is the answer, where controller-runtime's cache returns an error
// (which the controllers would log with a stack trace, for every namespace, at every start).
func newCache(namespaces map[string]cache.Config) cache.NewCacheFunc {
	return func(cfg *rest.Config, opts cache.Options) (cache.Cache, error) {
		c, err := cache.New(cfg, opts)
		if err != nil || namespaces == nil {
			return c, err
		}
		return watchedOnly{Cache: c, namespaces: namespaces}, nil
	}
}

// watchedOnly is a cache limited to namespaces that lists nothing in the other namespaces.
type watchedOnly struct {
	cache.Cache
	namespaces map[string]cache.Config
}

func (c watchedOnly) List(ctx context.Context, list client.ObjectList, opts ...client.ListOption) error {
	if ns := (&client.ListOptions{}).ApplyOptions(opts).Namespace; ns != "" {
		if _, ok := c.namespaces[ns]; !ok {
			return meta.SetList(list, nil)
		}
	}
	return c.Cache.List(ctx, list, opts...)
}
