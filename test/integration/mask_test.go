package integration

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
	"github.com/cqlsync/cqlsync/internal/adopt"
	"github.com/cqlsync/cqlsync/internal/cql/ddl"
	"github.com/cqlsync/cqlsync/internal/cql/introspect"
	"github.com/cqlsync/cqlsync/test/rig/testenv"
)

// masksText lists the masks of a live table's columns: "email=system.mask_inner(1, null) ...".
func masksText(tbl *introspect.Table) string {
	var out []string
	for _, c := range tbl.Columns {
		if c.Mask != nil {
			out = append(out, c.Name+"="+c.Mask.String())
		}
	}
	return strings.Join(out, " ")
}

// TestColumnMasks (Cassandra 5.0, dynamic data masking enabled on the rig): a table is created
// with its masks (DEFAULT, built-in functions with arguments, a user-defined function); the masks read back from
// system_schema equal those of the server's DESCRIBE text parsed, and cqlsync import gives the
// spec's masks back; a changed mask is ALTERed (ColumnMaskChanged), a removed one dropped
// (ColumnMaskDropped); masks changed or added out of band are set back; a resync with nothing
// to change sends nothing. Masks that are no literals, unknown functions and wrong argument
// counts are refused at admission, naming the field.
func TestColumnMasks(t *testing.T) {
	rig := testenv.Cassandra(t)
	ns := newNamespace(t)
	s1 := cqlSession(t, rig.Cluster1)
	ks := "mask_" + uniqueSuffix()
	tmKeyspace(t, ks, s1)
	readyConnection(t, ns, "c1", rig.Cluster1, ks, true)
	// A user-defined mask function (the rig enables user-defined functions on 5.0): it keeps the
	// first n characters.
	cql(t, s1, `CREATE FUNCTION "`+ks+`".keep_first(v text, n int) CALLED ON NULL INPUT RETURNS text LANGUAGE java `+
		`AS 'return v == null ? null : v.substring(0, Math.min(n, v.length())) + "...";'`)
	spec := cqlv1.TableModelSpec{Name: "people",
		Columns: []cqlv1.Column{
			{Name: "id", Type: "int"},
			{Name: "email", Type: "text", Mask: &cqlv1.ColumnMask{Function: "mask_inner", Arguments: []string{"1", "NULL"}}},
			{Name: "name", Type: "text", Mask: &cqlv1.ColumnMask{Function: "DEFAULT"}},
			{Name: "ssn", Type: "text", Mask: &cqlv1.ColumnMask{Function: "mask_outer", Arguments: []string{"0", "4", "'#'"}}},
			{Name: "note", Type: "text"},
			{Name: "score", Type: "bigint", Mask: &cqlv1.ColumnMask{Function: "mask_replace", Arguments: []string{"-1"}}},
			{Name: "city", Type: "text", Mask: &cqlv1.ColumnMask{Function: ks + ".keep_first", Arguments: []string{"2"}}},
		},
		PartitionKey: []cqlv1.ColumnName{"id"},
	}
	mustCreate(t, tableModelObj(ns, "people", spec))
	waitSchema[cqlv1.TableModel](t, ns, "people", metav1.ConditionTrue, cqlv1.ReasonSynced, tableTimeout, nil)
	want := "city=" + ks + ".keep_first(2) email=system.mask_inner(1, null) name=system.mask_default() score=system.mask_replace(-1) ssn=system.mask_outer(0, 4, '#')"
	live := liveTable(t, s1, ks, "people")
	if got := masksText(live); got != want {
		t.Fatalf("live masks:\n  %s\nwant\n  %s", got, want)
	}

	// The server's DESCRIBE text parses to the same masks, and import writes them back.
	parsed := ddl.Parse(testenv.ServerDescribe(t, s1, ks, false))
	if len(parsed.Keyspaces) != 1 || parsed.Keyspaces[0].Tables["people"] == nil || masksText(parsed.Keyspaces[0].Tables["people"]) != want {
		t.Errorf("the masks of the DESCRIBE text: %+v", parsed)
	}
	var importedMasks []string
	for _, d := range adopt.Convert([]adopt.Source{{Schema: readLive(t, s1, ks)}}, adopt.Options{Namespace: ns})[0].Documents {
		tm, ok := d.Object.(*cqlv1.TableModel)
		if !ok {
			continue
		}
		for _, c := range tm.Spec.Columns {
			if c.Mask != nil {
				importedMasks = append(importedMasks, fmt.Sprintf("%s=%s%q", c.Name, c.Mask.Function, c.Mask.Arguments))
			}
		}
	}
	if got := strings.Join(importedMasks, " "); got != `city=`+ks+`.keep_first["2"] email=mask_inner["1" "null"] name=mask_default[] score=mask_replace["-1"] ssn=mask_outer["0" "4" "'#'"]` {
		t.Errorf("imported masks: %s", got)
	}
	assertQuiet(t, ns, "people", 2, "c1")

	// Changed and removed in the spec.
	updateObject(t, ns, "people", func(tm *cqlv1.TableModel) {
		tm.Spec.Columns[1].Mask = &cqlv1.ColumnMask{Function: "mask_replace", Arguments: []string{"'***'"}}
		tm.Spec.Columns[2].Mask = nil
	})
	want = "city=" + ks + ".keep_first(2) email=system.mask_replace('***') score=system.mask_replace(-1) ssn=system.mask_outer(0, 4, '#')"
	eventually(t, tableTimeout, func() error {
		if got := masksText(liveTable(t, s1, ks, "people")); got != want {
			return fmt.Errorf("live masks %s", got)
		}
		return nil
	})
	waitObjectEvent(t, ns, "TableModel", "people", string(cqlv1.EventColumnMaskChanged), `"email"`)
	waitObjectEvent(t, ns, "TableModel", "people", string(cqlv1.EventColumnMaskDropped), `"name"`)

	// Out of band: a mask dropped, a mask added, a mask changed. Each is set back.
	for _, change := range []string{
		`ALTER TABLE "` + ks + `".people ALTER email DROP MASKED`,
		`ALTER TABLE "` + ks + `".people ALTER note MASKED WITH DEFAULT`,
		`ALTER TABLE "` + ks + `".people ALTER ssn MASKED WITH mask_outer(0, 3, '#')`,
	} {
		cql(t, s1, change)
		eventually(t, tableTimeout, func() error {
			if got := masksText(liveTable(t, s1, ks, "people")); got != want {
				return fmt.Errorf("after %s: live masks %s", change, got)
			}
			return nil
		})
	}
	// The last correction is in status before the quiet rounds start.
	waitSchema[cqlv1.TableModel](t, ns, "people", metav1.ConditionTrue, cqlv1.ReasonSynced, tableTimeout, func(tm *cqlv1.TableModel) error {
		if tg := mustTarget(t, tm, "c1", ks); !strings.Contains(tg.Message, `mask column "ssn"`) {
			return fmt.Errorf("target: %s", tg.Message)
		}
		return nil
	})
	assertQuiet(t, ns, "people", 2, "c1")

	// Refused at admission, naming the field.
	for _, c := range []struct {
		mask cqlv1.ColumnMask
		want string
	}{
		{cqlv1.ColumnMask{Function: "mask_replace", Arguments: []string{"1); DROP TABLE x; --"}}, "arguments[0]"},
		{cqlv1.ColumnMask{Function: "mask_nope"}, "mask.function"},
		{cqlv1.ColumnMask{Function: "mask_inner", Arguments: []string{"1"}}, "mask_inner and mask_outer take 2 or 3 arguments"},
		{cqlv1.ColumnMask{Function: "DEFAULT", Arguments: []string{"1"}}, "take no arguments"},
		{cqlv1.ColumnMask{Function: `ks".fn`}, "mask.function"},
	} {
		bad := spec
		bad.Name = "bad"
		bad.Columns = []cqlv1.Column{{Name: "id", Type: "int"}, {Name: "v", Type: "text", Mask: &c.mask}}
		err := k8s.Create(context.Background(), tableModelObj(ns, "bad", bad))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("mask %+v at admission: %v (want %q)", c.mask, err, c.want)
		}
	}
}

// TestMaskedReadsOnAuthenticatedCluster: on cluster3 (authentication, authorization, TLS), a
// role that may SELECT but not UNMASK reads the masks' values; the superuser, and the role once
// granted UNMASK, read the data.
func TestMaskedReadsOnAuthenticatedCluster(t *testing.T) {
	rig := testenv.Cassandra(t)
	ns := newNamespace(t)
	admin := testenv.SecureCQLSession(t, rig)
	ks := "maskauth_" + uniqueSuffix()
	tmKeyspace(t, ks, admin)
	ca, err := os.ReadFile(rig.Cluster3CA)
	if err != nil {
		t.Fatal(err)
	}
	conn := secureSpec(rig, "creds", "ca")
	conn.Default = true
	mustCreate(t,
		secret(ns, "creds", map[string]string{"username": rig.Cluster3User, "password": rig.Cluster3Password}),
		secret(ns, "ca", map[string]string{"ca.crt": string(ca)}),
		connection(ns, "c3", conn),
	)
	waitReady(t, ns, "c3", metav1.ConditionTrue, cqlv1.ReasonConnected, connectTimeout)
	mustCreate(t, tableModelObj(ns, "people", cqlv1.TableModelSpec{Name: "people", Keyspaces: tmKeyspaces(ks),
		Columns: []cqlv1.Column{
			{Name: "id", Type: "int"},
			{Name: "email", Type: "text", Mask: &cqlv1.ColumnMask{Function: "mask_inner", Arguments: []string{"1", "null"}}},
			{Name: "name", Type: "text", Mask: &cqlv1.ColumnMask{Function: "DEFAULT"}},
		},
		PartitionKey: []cqlv1.ColumnName{"id"},
	}))
	waitSchema[cqlv1.TableModel](t, ns, "people", metav1.ConditionTrue, cqlv1.ReasonSynced, tableTimeout, nil)

	role, password := "reader_"+uniqueSuffix(), "pw-"+uniqueSuffix()
	cql(t, admin,
		`INSERT INTO "`+ks+`".people (id, email, name) VALUES (1, 'jane@example.com', 'Jane')`,
		`CREATE ROLE `+role+` WITH PASSWORD = '`+password+`' AND LOGIN = true`,
		`GRANT SELECT ON KEYSPACE "`+ks+`" TO `+role)
	t.Cleanup(func() { _ = admin.Query(`DROP ROLE IF EXISTS ` + role).Exec() })
	reader := testenv.SecureCQLSessionAs(t, rig, role, password)
	scan := func(label string, check func(email, name string) error) {
		t.Helper()
		eventually(t, 20*time.Second, func() error { // permissions are cached for up to 2 s
			var email, name string
			if err := reader.Query(`SELECT email, name FROM "`+ks+`".people WHERE id = 1`).Scan(&email, &name); err != nil {
				return fmt.Errorf("%s: %v", label, err)
			}
			return check(email, name)
		})
	}
	scan("without UNMASK", func(email, name string) error {
		if email != "j***************" || name != "****" {
			return fmt.Errorf("without UNMASK the reader reads email %q, name %q: want the masks' values", email, name)
		}
		return nil
	})
	var email string
	if err := admin.Query(`SELECT email FROM "` + ks + `".people WHERE id = 1`).Scan(&email); err != nil || email != "jane@example.com" {
		t.Errorf("the superuser reads %q, %v", email, err)
	}
	cql(t, admin, `GRANT UNMASK ON KEYSPACE "`+ks+`" TO `+role)
	scan("with UNMASK", func(email, name string) error {
		if email != "jane@example.com" || name != "Jane" {
			return fmt.Errorf("with UNMASK the reader reads email %q, name %q", email, name)
		}
		return nil
	})
}
