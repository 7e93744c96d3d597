package plan

import (
	"strings"
	"testing"
)

func TestFollowUp(t *testing.T) {
	nts := func(kv ...string) map[string]string {
		m := map[string]string{"class": "NetworkTopologyStrategy"}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	simple := func(rf string) map[string]string {
		return map[string]string{"class": "SimpleStrategy", "replication_factor": rf}
	}
	for _, c := range []struct {
		name       string
		have, want map[string]string
		parts      []string
	}{
		{"dc added", nts("dc4", "1"), nts("dc4", "1", "dc5", "1"),
			[]string{"datacenter dc5 was added: run `nodetool rebuild -ks ks -- dc4` on each node of dc5"}},
		{"dc removed", nts("dc4", "1", "dc5", "1"), nts("dc4", "1"),
			[]string{"datacenter dc5 was removed: run `nodetool cleanup ks` on each node of dc5"}},
		{"rf up and down", nts("dc4", "1", "dc5", "3"), nts("dc4", "2", "dc5", "2"),
			[]string{"datacenter dc4 has more replicas: run `nodetool repair -full ks` on each node of dc4",
				"datacenter dc5 has fewer replicas: run `nodetool cleanup ks` on each node of dc5"}},
		{"simple up", simple("1"), simple("2"), []string{"run `nodetool repair -full ks` on every node of the cluster"}},
		{"simple down", simple("3"), simple("2"), []string{"run `nodetool cleanup ks` on every node of the cluster"}},
		{"class", simple("1"), nts("dc4", "1"), []string{"the replication class changed: run `nodetool repair -full ks` on every node"}},
	} {
		got := FollowUp("ks", c.have, c.want)
		for _, p := range c.parts {
			if !strings.Contains(got, p) {
				t.Errorf("%s: %q lacks %q", c.name, got, p)
			}
		}
	}
	if got := FollowUp("MyKs", simple("1"), simple("2")); !strings.Contains(got, "nodetool repair -full 'MyKs'") {
		t.Errorf("a case-sensitive name is quoted for the shell: %q", got)
	}
}
