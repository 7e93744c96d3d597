package v1alpha1

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/cqlsync/cqlsync/internal/cql/introspect"
)

// The system keyspaces are written in SystemKeyspaces, in the CEL rules of the markers (which
// cannot refer to Go) and in introspect (which must not import the API). They must agree.
func TestSystemKeyspacesAgree(t *testing.T) {
	for _, ks := range SystemKeyspaces {
		if !introspect.IsSystemKeyspace(ks) {
			t.Errorf("introspect does not know %q as a system keyspace", ks)
		}
	}
	for _, ks := range []string{"system_auth", "app", "systems"} {
		if introspect.IsSystemKeyspace(ks) != slices.Contains(SystemKeyspaces, ks) {
			t.Errorf("%q: introspect and SystemKeyspaces disagree", ks)
		}
	}
	files, err := filepath.Glob("*_types.go")
	if err != nil {
		t.Fatal(err)
	}
	list := regexp.MustCompile(`in \[('system'[^\]]*)\]`)
	want := "'" + strings.Join(SystemKeyspaces, "', '") + "'"
	rules := 0
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range list.FindAllStringSubmatch(string(src), -1) {
			rules++
			if m[1] != want {
				t.Errorf("%s: a CEL rule lists [%s], SystemKeyspaces is [%s]", f, m[1], want)
			}
		}
	}
	if rules < 4 {
		t.Errorf("found %d CEL rules listing the system keyspaces, want at least 4", rules)
	}
}

// ${namespace} in spec.allowedKeyspaces stands for the resource's namespace as a CQL name, so one
// shared connection isolates every team.
func TestKeyspaceAllowedNamespacePlaceholder(t *testing.T) {
	s := ClusterCassandraConnectionSpec{AllowedKeyspaces: []string{"${namespace}_*", "shared_${namespace}", "common"}}
	cases := []struct {
		keyspace, namespace string
		want                bool
	}{
		{"team_a_orders", "team-a", true},
		{"team_a_orders", "team-b", false},
		{"team_b_orders", "team-b", true},
		{"shared_team_a", "team-a", true},
		{"shared_team_a", "team-b", false},
		{"common", "anyone", true},
		{"team_a", "team-a", false}, // the prefix is "team_a_"
		{"system_auth", "system", false},
	}
	for _, tc := range cases {
		if got := s.KeyspaceAllowed(tc.keyspace, tc.namespace); got != tc.want {
			t.Errorf("KeyspaceAllowed(%q, %q) = %v, want %v", tc.keyspace, tc.namespace, got, tc.want)
		}
	}
	if NamespaceCQLName("team-a-prod") != "team_a_prod" {
		t.Errorf("NamespaceCQLName(team-a-prod) = %q", NamespaceCQLName("team-a-prod"))
	}
}
