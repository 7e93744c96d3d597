package main

import (
	"context"
	"maps"
	"slices"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
)

func TestCacheNamespaces(t *testing.T) {
	cases := []struct {
		watch, operatorNS string
		want              []string // nil: every namespace
		err               string
	}{
		{watch: "", operatorNS: "cqlsync-system", want: nil},
		{watch: "  ", operatorNS: "cqlsync-system", want: nil},
		{watch: "team-a", operatorNS: "cqlsync-system", want: []string{"cqlsync-system", "team-a"}},
		{watch: "team-a, team-b,team-a,", operatorNS: "cqlsync-system", want: []string{"cqlsync-system", "team-a", "team-b"}},
		{watch: "cqlsync-system", operatorNS: "cqlsync-system", want: []string{"cqlsync-system"}},
		{watch: "team-a", operatorNS: "", want: []string{"team-a"}},
		{watch: "Team-A", err: `"Team-A" is not a namespace name`},
		{watch: "team-a,team_b", err: `"team_b" is not a namespace name`},
		{watch: ",", err: "names no namespace"},
	}
	for _, c := range cases {
		got, err := cacheNamespaces(c.watch, c.operatorNS)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("cacheNamespaces(%q, %q): error %v, want one containing %q", c.watch, c.operatorNS, err, c.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("cacheNamespaces(%q, %q): %v", c.watch, c.operatorNS, err)
			continue
		}
		if c.want == nil {
			if got != nil {
				t.Errorf("cacheNamespaces(%q, %q) = %v, want nil (every namespace)", c.watch, c.operatorNS, got)
			}
			continue
		}
		if keys := slices.Sorted(maps.Keys(got)); !slices.Equal(keys, c.want) {
			t.Errorf("cacheNamespaces(%q, %q) = %v, want %v", c.watch, c.operatorNS, keys, c.want)
		}
	}
}

// listCounter is a cache whose List records that it was called and returns one connection.
type listCounter struct {
	cache.Cache
	calls int
}

func (c *listCounter) List(_ context.Context, list client.ObjectList, _ ...client.ListOption) error {
	c.calls++
	return meta.SetList(list, []runtime.Object{&cqlv1.CassandraConnection{}})
}

func TestWatchedOnlyListsNothingElsewhere(t *testing.T) {
	inner := &listCounter{}
	c := watchedOnly{Cache: inner, namespaces: map[string]cache.Config{"team-a": {}}}
	for _, tc := range []struct {
		opts []client.ListOption
		want int // items
	}{
		{[]client.ListOption{client.InNamespace("team-b")}, 0},
		{[]client.ListOption{client.InNamespace("team-a")}, 1},
		{nil, 1}, // every watched namespace, or a cluster-scoped kind
	} {
		calls := inner.calls
		list := &cqlv1.CassandraConnectionList{Items: []cqlv1.CassandraConnection{{}, {}}}
		if err := c.List(context.Background(), list, tc.opts...); err != nil {
			t.Fatal(err)
		}
		if len(list.Items) != tc.want {
			t.Errorf("List %v: %d items, want %d", tc.opts, len(list.Items), tc.want)
		}
		if asked := inner.calls - calls; asked != tc.want {
			t.Errorf("List %v asked the cache %d times, want %d", tc.opts, asked, tc.want)
		}
	}
}
