package introspect

import "testing"

func TestDigest(t *testing.T) {
	mk := func() *KeyspaceSchema {
		return &KeyspaceSchema{Name: "ks", Replication: map[string]string{"class": "x", "replication_factor": "1"}, DurableWrites: true,
			Tables: map[string]*Table{
				"a": {Keyspace: "ks", Name: "a", Columns: []Column{{Name: "id", Kind: KindPartitionKey, Type: "int"}},
					Options: TableOptions{Compaction: map[string]string{"class": "c", "min_threshold": "4"}}},
				"b": {Keyspace: "ks", Name: "b", Columns: []Column{{Name: "id", Kind: KindPartitionKey, Type: "uuid"}}},
			},
			Types:       map[string]*UserType{"t": {Keyspace: "ks", Name: "t", Fields: []Field{{Name: "f", Type: "text"}}}},
			IndexTables: map[string]string{},
		}
	}
	d := mk().Digest()
	if d != mk().Digest() || len(d) != 16 {
		t.Fatalf("unstable: %q", d)
	}
	var nilKS *KeyspaceSchema
	if nilKS.Digest() != "absent" {
		t.Fatal("a missing keyspace has its own digest")
	}
	for name, change := range map[string]func(*KeyspaceSchema){
		"a column type": func(k *KeyspaceSchema) { k.Tables["a"].Columns[0].Type = "bigint" },
		"an option":     func(k *KeyspaceSchema) { k.Tables["a"].Options.Compaction["min_threshold"] = "5" },
		"a new table":   func(k *KeyspaceSchema) { k.Tables["c"] = &Table{Name: "c"} },
		"a field": func(k *KeyspaceSchema) {
			k.Types["t"].Fields = append(k.Types["t"].Fields, Field{Name: "g", Type: "int"})
		},
		"the replication": func(k *KeyspaceSchema) { k.Replication["replication_factor"] = "2" },
		"durable writes":  func(k *KeyspaceSchema) { k.DurableWrites = false },
	} {
		k := mk()
		change(k)
		if k.Digest() == d {
			t.Errorf("changing %s keeps the digest", name)
		}
	}
}
