package main

import (
	"maps"
	"slices"
	"strings"
	"testing"
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
