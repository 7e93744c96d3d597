package ddl

import (
	"reflect"
	"testing"

	"github.com/cqlsync/cqlsync/internal/cql/introspect"
)

// TestParseUnmanaged: Result.Unmanaged lists what exists after the text, as
// introspect.ReadUnmanaged would read it: objects created and not dropped, options outside
// TableOptions as last set, nothing for dropped tables and keyspaces.
func TestParseUnmanaged(t *testing.T) {
	src := prelude + `USE ks;
CREATE TABLE t (id int PRIMARY KEY, v int) WITH memtable = 'default' AND extensions = {};
CREATE TABLE u (id int PRIMARY KEY) WITH allow_auto_snapshot = false AND memtable = 'trie'
    AND extensions = {'b': 0x01, 'a': 0x02};
CREATE TABLE gone (id int PRIMARY KEY) WITH incremental_backups = false;
DROP TABLE gone;
ALTER TABLE t WITH incremental_backups = false;
ALTER TABLE u WITH allow_auto_snapshot = true;
ALTER TABLE t WITH comment = 'refused' AND crc_check_chance = 2 AND incremental_backups = true;
CREATE MATERIALIZED VIEW ks.by_v AS SELECT * FROM t WHERE v IS NOT NULL AND id IS NOT NULL PRIMARY KEY (v, id);
CREATE MATERIALIZED VIEW dropped AS SELECT * FROM t WHERE v IS NOT NULL AND id IS NOT NULL PRIMARY KEY (v, id);
DROP MATERIALIZED VIEW dropped;
CREATE FUNCTION f (a int) RETURNS NULL ON NULL INPUT RETURNS int LANGUAGE java AS 'return a;';
CREATE OR REPLACE FUNCTION ks.f (a text) RETURNS NULL ON NULL INPUT RETURNS text LANGUAGE java AS 'return a;';
CREATE AGGREGATE ks.agg (int) SFUNC f STYPE int;
CREATE TRIGGER trg ON t USING 'org.example.Trigger';
CREATE KEYSPACE other WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1};
CREATE MATERIALIZED VIEW other.v AS SELECT * FROM ks.t WHERE v IS NOT NULL AND id IS NOT NULL PRIMARY KEY (v, id);
DROP KEYSPACE other;
CREATE KEYSPACE other WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1};
`
	r := Parse(src)
	want := map[string]*introspect.Unmanaged{"ks": {
		Views:      []string{"by_v"},
		Functions:  []string{"f"},
		Aggregates: []string{"agg"},
		Triggers:   []string{"trg"},
		TableOptions: map[string]map[string]string{
			"t": {"incremental_backups": "false"}, // the refused ALTER changed nothing
			"u": {"memtable": "trie", "extensions": "a, b"},
		},
	}}
	if !reflect.DeepEqual(r.Unmanaged, want) {
		t.Errorf("Unmanaged:\n got %+v\nwant %+v", r.Unmanaged, want)
		for k, u := range r.Unmanaged {
			t.Logf("%s: %+v", k, *u)
		}
	}
	if r := Parse(prelude + "CREATE TABLE ks.t (id int PRIMARY KEY) WITH memtable = 'default';"); r.Unmanaged != nil {
		t.Errorf("defaults only: Unmanaged = %+v, want nil", r.Unmanaged)
	}
}
