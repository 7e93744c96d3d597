package adopt

import (
	"bytes"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
)

// TestMarshal: no status, no creationTimestamp, nothing the API server fills in; a resource
// with a status is refused rather than written half.
func TestMarshal(t *testing.T) {
	rf := int32(1)
	k := &cqlv1.Keyspace{TypeMeta: typeMeta("Keyspace"), ObjectMeta: metav1.ObjectMeta{Name: "ks"},
		Spec: cqlv1.KeyspaceSpec{Replication: cqlv1.KeyspaceReplication{Strategy: cqlv1.SimpleStrategy, ReplicationFactor: &rf}}}
	y, err := Marshal(k)
	if err != nil {
		t.Fatal(err)
	}
	want := "apiVersion: cqlsync.io/v1alpha1\nkind: Keyspace\nmetadata:\n  name: ks\nspec:\n  replication:\n    replicationFactor: 1\n    strategy: SimpleStrategy\n"
	if string(y) != want {
		t.Errorf("Marshal:\n%s\nwant:\n%s", y, want)
	}
	k.Status.Keyspace = "ks"
	if _, err := Marshal(k); err == nil {
		t.Error("a resource with a status was written")
	}
}

// TestWriteComments: every line of a comment is a comment, even a CQL name with a line break.
func TestWriteComments(t *testing.T) {
	var b bytes.Buffer
	writeComments(&b, []string{"table \"a\nkind: Secret\": odd", "", "end"})
	for _, line := range strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n") {
		if !strings.HasPrefix(line, "#") {
			t.Errorf("line %q is not a comment:\n%s", line, b.String())
		}
	}
	if got := strings.Count(b.String(), "\n"); got != 4 {
		t.Errorf("%d lines, want 4:\n%s", got, b.String())
	}
}
