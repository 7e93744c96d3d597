package main

import (
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation"
	"sigs.k8s.io/controller-runtime/pkg/cache"
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
