package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// describeFixture is the server's DESCRIBE KEYSPACE of test/fixtures/schema.cql, captured from
// Cassandra 5.0.9 by the ddl package's tests.
var describeFixture = filepath.Join("..", "..", "internal", "cql", "ddl", "testdata", "fixture.describe.cql")

// runCLI runs the command line in-process with the given standard input.
func runCLI(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	if args[0] == "import" {
		code = runImport(context.Background(), args[1:], strings.NewReader(stdin), &out, &errOut)
	} else {
		code = run(context.Background(), args, &out, &errOut)
	}
	return code, out.String(), errOut.String()
}

func TestImportFlags(t *testing.T) {
	t.Setenv("IMPORT_TEST_PASSWORD", "not-a-secret")
	tests := []struct {
		args []string
		want string // part of the error; "" for valid flags
	}{
		{[]string{"-f", "x.cql"}, ""},
		{[]string{"--host", "127.0.0.1", "--host", "[::1]:9043", "--user", "u", "--password-env", "IMPORT_TEST_PASSWORD", "--ca", "ca.pem", "--tls-server-name", "db"}, ""},
		{[]string{"--host", "h", "--keyspace", "a", "--keyspace", "B", "--connection", "prod.eu", "--namespace", "shop", "-o", "dir"}, ""},
		{nil, "either --host"},
		{[]string{"--host", "h", "-f", "x.cql"}, "either --host"},
		{[]string{"-f", "x.cql", "--user", "u"}, "go with --host"},
		{[]string{"-f", "x.cql", "--ca", "ca.pem"}, "go with --host"},
		{[]string{"--host", "h", "--password-env", "X"}, "--password-env goes with --user"},
		{[]string{"--host", "h", "--tls-server-name", "db"}, "--tls-server-name goes with --ca"},
		{[]string{"--host", "h", "--port", "0"}, "not a port"},
		{[]string{"--host", "h", "--timeout", "0s"}, "positive"},
		{[]string{"--host", "h", "-o", ""}, "-o must be"},
		{[]string{"--host", "h", "--connection", "Prod"}, `--connection "Prod" is not a connection name`},
		{[]string{"--host", "h", "--cluster-connection", "shared_1"}, `--cluster-connection "shared_1" is not a connection name`},
		{[]string{"--host", "h", "--connection", "a", "--cluster-connection", "b"}, "not both"},
		{[]string{"--host", "h", "--cluster-connection", "shared"}, ""},
		{[]string{"--host", "h", "--namespace", "a.b"}, "not a namespace name"},
		{[]string{"--host", "h", "--keyspace", "system_auth"}, "Cassandra's own keyspaces"},
		{[]string{"--host", "h", "extra"}, "unexpected arguments"},
		{[]string{"--hots", "h"}, "flag provided but not defined"},
	}
	for _, tt := range tests {
		var stderr bytes.Buffer
		cfg, err := parseImportFlags(tt.args, &stderr)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%q: %v", tt.args, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error()+stderr.String(), tt.want)):
			t.Errorf("%q: error %v, want one containing %q", tt.args, err, tt.want)
		case tt.want != "" && !strings.Contains(stderr.String(), "Usage: cqlsync import"):
			t.Errorf("%q: no usage on a bad flag:\n%s", tt.args, stderr.String())
		case tt.want == "" && cfg == nil:
			t.Errorf("%q: no config", tt.args)
		}
	}
	cfg, _ := parseImportFlags([]string{"--host", "h", "--username", "u", "--password-env", "P", "--keyspace", "a", "--keyspace", "b"}, &bytes.Buffer{})
	if cfg.creds.username != "u" || strings.Join(cfg.keyspaces, ",") != "a,b" || cfg.port != 9042 || cfg.output != "-" {
		t.Errorf("parsed %+v", cfg)
	}
}

// TestImportFile imports the fixture's captured DESCRIBE output to standard output and to a
// directory (the same bytes), with a summary on stderr that names what was left out.
func TestImportFile(t *testing.T) {
	code, stdout, stderr := runCLI(t, "", "import", "-f", describeFixture, "--connection", "cluster1")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	for _, want := range []string{
		`cqlsync import: keyspace "DdlFix_KS": 1 Keyspace, 6 UserTypes, 7 TableModels; not imported: 1`,
		`  table "Events": column "quo""te": a cqlsync column name has 1 to 128 letters, digits and _`,
		"cqlsync import: 14 resources from 1 keyspace; 1 item not imported (each is a comment in the output)\n",
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	if n := strings.Count(stdout, "\nkind: "); n != 14 || !strings.Contains(stdout, "#   table \"Events\"") {
		t.Errorf("%d resources in the output, want 14, and the comment on Events:\n%s", n, stdout)
	}

	dir := filepath.Join(t.TempDir(), "out")
	if code, _, stderr := runCLI(t, "", "import", "-f", describeFixture, "--connection", "cluster1", "-o", dir); code != 0 {
		t.Fatalf("-o dir: exit %d\n%s", code, stderr)
	}
	b, err := os.ReadFile(filepath.Join(dir, "ddlfix-ks.yaml"))
	if err != nil || string(b) != stdout {
		t.Errorf("-o dir wrote other bytes than -o - (%v)", err)
	}

	// Standard input, a keyspace filter, and a keyspace that is not there.
	text, err := os.ReadFile(describeFixture)
	if err != nil {
		t.Fatal(err)
	}
	if code, out, _ := runCLI(t, string(text), "import", "-f", "-", "--keyspace", "DdlFix_KS", "--connection", "cluster1"); code != 0 || out != stdout {
		t.Errorf("from standard input: exit %d, same output: %v", code, out == stdout)
	}
	if code, _, stderr := runCLI(t, string(text), "import", "-f", "-", "--keyspace", "ddlfix_ks"); code != 1 || !strings.Contains(stderr, "no keyspace ddlfix_ks") {
		t.Errorf("a missing keyspace: exit %d\n%s", code, stderr)
	}
	file := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := runCLI(t, "", "import", "-f", describeFixture, "-o", file); code != 1 || !strings.Contains(stderr, "is a file") {
		t.Errorf("-o onto a file: exit %d\n%s", code, stderr)
	}
}

// TestImportFileNotes: statements of the file that could not be read are notes of their
// keyspace's output, with their line; system keyspaces are ignored and said to be.
func TestImportFileNotes(t *testing.T) {
	src := `CREATE KEYSPACE app WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1};
CREATE TABLE app.ok (id int PRIMARY KEY);
CREATE TABLE app.broken (id int PRIMARY KEY, v nosuchtype);
CREATE TABLE system_auth.roles2 (id int PRIMARY KEY);
GRANT SELECT ON KEYSPACE app TO reader;
`
	code, stdout, stderr := runCLI(t, src, "import", "-f", "-")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	if !strings.Contains(stdout, "# line 3: table app.broken: skipped: ") {
		t.Errorf("no note about the broken table:\n%s", stdout)
	}
	for _, want := range []string{"line 5: statement: skipped: not a statement cqlsync imports: GRANT", "Cassandra's own keyspaces ignored: system_auth", "2 resources from 1 keyspace"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
}

// TestImportUnreachable: a cluster that does not answer is an error, said plainly.
func TestImportUnreachable(t *testing.T) {
	code, _, stderr := runCLI(t, "", "import", "--host", "127.0.0.1:1", "--timeout", "20s")
	if code != 1 || !strings.Contains(stderr, "connecting to [127.0.0.1:1]") {
		t.Errorf("exit %d\n%s", code, stderr)
	}
}

// TestUsageListsImport: cqlsync help names the commands, and import -h and plan -h print their
// usage and succeed; a plan without -f prints it and fails.
func TestUsageListsImport(t *testing.T) {
	if code, stdout, _ := runCLI(t, "", "help"); code != 0 || !strings.Contains(stdout, "import  write the Keyspaces") {
		t.Errorf("exit %d\n%s", code, stdout)
	}
	if code, _, stderr := runCLI(t, "", "import", "-h"); code != 0 || !strings.Contains(stderr, "-keyspace value") {
		t.Errorf("import -h: exit %d\n%s", code, stderr)
	}
	if code, _, stderr := runCLI(t, "", "plan", "-h"); code != 0 || !strings.Contains(stderr, "-connection value") {
		t.Errorf("plan -h: exit %d\n%s", code, stderr)
	}
	if code, _, stderr := runCLI(t, "", "plan"); code != 1 || !strings.Contains(stderr, "-connection value") {
		t.Errorf("plan without -f: exit %d\n%s", code, stderr)
	}
}
