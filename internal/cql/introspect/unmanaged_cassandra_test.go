package introspect

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/cqlsync/cqlsync/test/rig/testenv"
)

// TestReadUnmanagedOnCassandra reads the options outside TableOptions of tables that set them and
// of one that does not, and lists the keyspaces. Views, functions and triggers are disabled in the
// rig's cassandra.yaml (as in the stock one), so their lists must be empty, from queries that work.
func TestReadUnmanagedOnCassandra(t *testing.T) {
	rig := testenv.Cassandra(t)
	ctx := context.Background()
	s := testenv.CQLSession(t, rig.Cluster1)
	ks := fmt.Sprintf("Unmanaged_%d", time.Now().UnixNano()%1000000)
	q := `"` + ks + `"`
	t.Cleanup(func() { _ = s.Query(`DROP KEYSPACE IF EXISTS ` + q).Exec() })
	for _, st := range []string{
		`CREATE KEYSPACE ` + q + ` WITH replication = {'class': 'SimpleStrategy', 'replication_factor': '1'}`,
		`CREATE TABLE ` + q + `.plain (id int PRIMARY KEY)`,
		`CREATE TABLE ` + q + `.tuned (id int PRIMARY KEY) WITH allow_auto_snapshot = false AND incremental_backups = false AND memtable = 'default'`,
		`CREATE TABLE ` + q + `.explicit_defaults (id int PRIMARY KEY) WITH allow_auto_snapshot = true AND incremental_backups = true`,
	} {
		if err := s.Query(st).Exec(); err != nil {
			t.Fatalf("%s: %v", st, err)
		}
	}
	got, err := ReadUnmanaged(ctx, s, ks)
	if err != nil {
		t.Fatal(err)
	}
	want := &Unmanaged{TableOptions: map[string]map[string]string{
		"tuned": {OptionAllowAutoSnapshot: "false", OptionIncrementalBackups: "false"},
	}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ReadUnmanaged:\n got %+v\nwant %+v", got, want)
	}

	names, err := ListKeyspaces(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(names, ks) || !slices.Contains(names, "system_schema") || !slices.IsSorted(names) {
		t.Errorf("ListKeyspaces: %q lacks %s or system_schema, or is not sorted", names, ks)
	}
}
