package plan

import (
	"strings"
	"testing"

	"github.com/cqlsync/cqlsync/internal/cql/introspect"
	"github.com/cqlsync/cqlsync/internal/cql/schema"
)

// fuzzTable builds a valid desired table from fuzz input: cols is "name:type" items separated by
// ";" (a trailing ":s" makes a column static), keys says how many leading columns are the
// partition key and the clustering key, bits pick DESC orders, indexes and options.
func fuzzTable(cols string, pk, ck uint8, bits uint16, comment string) (Table, bool) {
	d := Table{Keyspace: "ks", Name: "t"}
	seen := map[string]bool{}
	for _, item := range strings.Split(cols, ";") {
		name, rest, _ := strings.Cut(item, ":")
		typText, flag, _ := strings.Cut(rest, ":")
		if name == "" || seen[name] || len(d.Columns) >= 12 {
			continue
		}
		typ, err := schema.ParseType(typText)
		if err != nil {
			typ, _ = schema.ParseType("int")
		}
		seen[name] = true
		d.Columns = append(d.Columns, Column{Name: name, Type: typ, Static: flag == "s"})
	}
	if len(d.Columns) == 0 {
		return d, false
	}
	npk := 1 + int(pk)%len(d.Columns)
	nck := int(ck) % (len(d.Columns) - npk + 1)
	for i := range d.Columns {
		switch {
		case i < npk:
			d.PartitionKey = append(d.PartitionKey, d.Columns[i].Name)
			d.Columns[i].Static = false
		case i < npk+nck:
			d.ClusteringKey = append(d.ClusteringKey, ClusteringColumn{Name: d.Columns[i].Name, Descending: bits&(1<<(i%16)) != 0})
			d.Columns[i].Static = false
		case nck == 0:
			d.Columns[i].Static = false
		}
	}
	targets := []string{"", "keys", "values", "entries", "full"}
	for i, c := range d.Columns {
		if bits&(1<<((i+3)%16)) != 0 {
			ix := Index{Name: "i_" + c.Name, Column: c.Name, Target: targets[int(bits>>(i%8))%len(targets)]}
			if bits&(1<<((i+7)%16)) != 0 {
				ix.Using = "sai"
				ix.Options = map[string]string{"case_sensitive": "false"}
			}
			d.Indexes = append(d.Indexes, ix)
		}
	}
	if bits&1 != 0 {
		d.Options.Comment = &comment
		d.Options.SpeculativeRetry = &comment
		d.Options.Compaction = map[string]string{"class": comment, comment: comment}
		d.Options.Caching = map[string]string{"keys": comment}
	}
	d.AllowDropColumns = bits&2 != 0
	d.AllowDropIndexes = bits&4 != 0
	return d, true
}

// FuzzForTable: the planner never panics; a blocked target plans nothing; a table exactly as
// Cassandra stores the desired one plans nothing, and a missing one plans CREATE TABLE and its
// indexes; arbitrary mutations of the live table still give a consistent result.
func FuzzForTable(f *testing.F) {
	f.Add("manufacturer:text;year:int;model:text;price:decimal", uint8(0), uint8(2), uint16(0), "x", uint8(0), "price", "varint")
	f.Add("a:uuid;b:timestamp;s:text:s;m:map<text, int>;l:list<frozen<tuple<int,text>>>;f:frozen<set<int>>", uint8(0), uint8(1), uint16(0xffff), "it's", uint8(3), "m", "int")
	f.Add("select:int;From:text;key:set<text>", uint8(1), uint8(1), uint16(0x0a0a), "99PERCENTILE", uint8(5), "key", "frozen<set<text>>")
	f.Add("a:vector<float, 3>;b:address;c:frozen<address>", uint8(2), uint8(0), uint16(0x3003), "", uint8(7), "zz", "blob")
	f.Fuzz(func(t *testing.T, cols string, pk, ck uint8, bits uint16, comment string, mutation uint8, col, typ string) {
		d, ok := fuzzTable(cols, pk, ck, bits, comment)
		if !ok {
			// Degenerate tables must not panic either.
			_ = ForTable(d, nil)
			_ = ForTable(d, &introspect.KeyspaceSchema{Tables: map[string]*introspect.Table{"t": {Name: "t"}}})
			return
		}
		create := ForTable(d, nil)
		if len(create.Plan) != 1+len(d.Indexes) || create.Plan[0].Kind != CreateTable || len(create.Blocked) > 0 || len(create.Drift) > 0 {
			t.Fatalf("create: %+v", create)
		}
		if res := ForTable(d, simulate(d)); len(res.Plan) > 0 || len(res.Blocked) > 0 || len(res.Drift) > 0 {
			t.Fatalf("the table as Cassandra stores it must plan nothing: %+v", res)
		}
		live := simulate(d)
		lt := live.Tables["t"]
		switch mutation % 8 {
		case 0: // a column's type
			if c := lt.Column(col); c != nil {
				c.Type = typ
			}
		case 1: // a column's kind
			if c := lt.Column(col); c != nil {
				c.Kind = []string{introspect.KindPartitionKey, introspect.KindClustering, introspect.KindRegular, introspect.KindStatic, typ}[int(bits)%5]
			}
		case 2: // a column dropped out of band
			for i := range lt.Columns {
				if lt.Columns[i].Name == col {
					lt.Columns = append(lt.Columns[:i], lt.Columns[i+1:]...)
					break
				}
			}
		case 3: // an extra column
			lt.Columns = append(lt.Columns, introspect.Column{Name: col, Kind: introspect.KindRegular, Position: -1, ClusteringOrder: "none", Type: typ})
		case 4: // an index changed
			for i := range lt.Indexes {
				lt.Indexes[i].Options["target"] = typ
			}
		case 5: // an extra index on any target
			lt.Indexes = append(lt.Indexes, introspect.Index{Name: col, Table: "t", Kind: typ, Options: map[string]string{"target": typ, "class_name": comment}})
			live.IndexTables[col] = "t"
		case 6: // options changed
			lt.Options = introspect.TableOptions{Comment: typ, SpeculativeRetry: typ, Compaction: map[string]string{typ: col}}
		case 7: // nil maps and odd clustering orders
			lt.Options.Caching, lt.Options.Compaction, lt.Options.Compression = nil, nil, nil
			for i := range lt.Columns {
				lt.Columns[i].ClusteringOrder = typ
			}
		}
		res := ForTable(d, live)
		if len(res.Blocked) > 0 && len(res.Plan) > 0 {
			t.Fatalf("blocked but planned: %+v", res)
		}
		for _, s := range res.Plan {
			if s.CQL == "" || s.Summary == "" || s.Kind == "" {
				t.Fatalf("incomplete statement: %+v", s)
			}
			if s.Kind == DropColumns && !d.AllowDropColumns || s.Kind == DropIndex && !d.AllowDropIndexes && !strings.Contains(s.Summary, "to create it again") {
				t.Fatalf("destructive statement without the opt-in: %+v", s)
			}
			if s.Kind == CreateTable || s.Kind == DropTable {
				t.Fatalf("%s on an existing table: %+v", s.Kind, s)
			}
		}
	})
}
