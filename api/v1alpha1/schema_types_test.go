package v1alpha1

import "testing"

// TestIsSystemKeyspace: Cassandra's own keyspaces in any case, and nothing else.
func TestIsSystemKeyspace(t *testing.T) {
	for _, name := range append([]string{"System", "SYSTEM_AUTH", "System_Schema"}, SystemKeyspaces...) {
		if !IsSystemKeyspace(name) {
			t.Errorf("IsSystemKeyspace(%q) = false", name)
		}
	}
	for _, name := range []string{"systems", "app", "system_", "my_system"} {
		if IsSystemKeyspace(name) {
			t.Errorf("IsSystemKeyspace(%q) = true", name)
		}
	}
}
