package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/cqlsync/cqlsync/internal/adopt"
	"github.com/cqlsync/cqlsync/internal/cql/ddl"
	"github.com/cqlsync/cqlsync/internal/cql/introspect"
	"github.com/cqlsync/cqlsync/internal/cql/plan"
)

const importUsage = `Usage: cqlsync import --host H[:port]... [flags]     (from a live cluster)
       cqlsync import -f schema.cql|- [flags]         (from cqlsh DESCRIBE output)

Writes the Keyspace, UserType and TableModel resources that describe existing schema, so that a
cluster can be adopted by cqlsync without a single statement: applied to the cluster it came
from, the output plans no DDL and reports no drift (check with 'cqlsync plan' first).

It reads system_schema (--host), or the CREATE KEYSPACE, TYPE, TABLE and INDEX statements of
DESCRIBE KEYSPACE / DESCRIBE SCHEMA output (-f): both give the same bytes for the same schema.
System keyspaces are ignored. What cqlsync cannot manage (materialized views, functions,
aggregates, triggers, names or values the resources cannot hold) is left out, said in a comment of
the output and in the summary on standard error; it is never an error.

Every resource has deletionPolicy Retain and spec.name set to the exact CQL name; metadata.name
is derived from it. Output is sorted and has no timestamps, so re-running gives a clean diff.

Exit code: 0 done (even with things left out), 1 an error (flags, connection, unknown keyspace,
writing the output).

Flags:
`

// importConfig is what the flags of cqlsync import ask for.
type importConfig struct {
	hosts      []string
	port       int
	file       string
	creds      credentials
	keyspaces  []string
	opts       adopt.Options
	output     string
	timeout    time.Duration
	connectTTL time.Duration
	// roles: import the cluster's roles too, as CassandraRoles (--roles).
	roles bool
}

// parseImportFlags reads and checks the flags of cqlsync import.
func parseImportFlags(args []string, stderr io.Writer) (*importConfig, error) {
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, importUsage); fs.PrintDefaults() }
	var (
		cfg              importConfig
		hosts, keyspaces stringList
	)
	fs.Var(&hosts, "host", "a node of the cluster to read, host or host:port ([ipv6]:port); repeatable")
	fs.IntVar(&cfg.port, "port", 9042, "with --host: the port of hosts given without one")
	fs.StringVar(&cfg.file, "f", "", "a file of cqlsh DESCRIBE KEYSPACE / DESCRIBE SCHEMA output to read instead of a cluster, or - for standard input")
	fs.StringVar(&cfg.creds.username, "user", "", "with --host: the username (the password comes from --password-env)")
	fs.StringVar(&cfg.creds.username, "username", "", "the same as --user")
	fs.StringVar(&cfg.creds.passwordEnv, "password-env", "", "with --user: the environment variable that holds the password")
	fs.StringVar(&cfg.creds.caFile, "ca", "", "with --host: a PEM CA bundle to verify the servers with TLS")
	fs.StringVar(&cfg.creds.serverName, "tls-server-name", "", "with --ca: the server name to verify (default: the host dialled)")
	fs.Var(&keyspaces, "keyspace", "a keyspace to import, by its exact CQL name; repeatable (default: every keyspace but Cassandra's own)")
	fs.StringVar(&cfg.opts.Connection, "connection", "", "the CassandraConnection every resource lists in spec.connections (default: none, the namespace's default connection)")
	fs.StringVar(&cfg.opts.ClusterConnection, "cluster-connection", "", "instead of --connection: the ClusterCassandraConnection every resource lists in spec.connections")
	fs.StringVar(&cfg.opts.Namespace, "namespace", "", "the metadata.namespace of every resource (default: none, the namespace kubectl applies to)")
	fs.StringVar(&cfg.output, "o", "-", "- writes one YAML stream to standard output; a directory gets one file per keyspace (<keyspace>.yaml)")
	fs.DurationVar(&cfg.timeout, "timeout", 2*time.Minute, "how long the import may take")
	fs.BoolVar(&cfg.roles, "roles", false, "with --host: also import the cluster's roles and their permissions on keyspaces and tables, as CassandraRoles that leave each password as it is (written last, or into roles.yaml with -o DIR); needs SELECT on system_auth.roles and system_auth.role_permissions")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	cfg.hosts, cfg.keyspaces = hosts, keyspaces
	cfg.connectTTL = 10 * time.Second
	if err := cfg.check(fs.NArg()); err != nil {
		fmt.Fprintf(stderr, "cqlsync import: %v\n\n", err)
		fs.Usage()
		return nil, err
	}
	return &cfg, nil
}

// check validates the flags together.
func (c *importConfig) check(extraArgs int) error {
	live := len(c.hosts) > 0
	switch {
	case extraArgs > 0:
		return fmt.Errorf("unexpected arguments: give keyspaces with --keyspace")
	case live == (c.file != ""):
		return fmt.Errorf("give either --host (a live cluster) or -f (a DESCRIBE file), not both or neither")
	case !live && (c.creds.username != "" || c.creds.passwordEnv != "" || c.creds.caFile != "" || c.creds.serverName != ""):
		return fmt.Errorf("--user, --password-env, --ca and --tls-server-name go with --host")
	case c.creds.passwordEnv != "" && c.creds.username == "":
		return fmt.Errorf("--password-env goes with --user")
	case c.creds.serverName != "" && c.creds.caFile == "":
		return fmt.Errorf("--tls-server-name goes with --ca")
	case c.port < 1 || c.port > 65535:
		return fmt.Errorf("--port %d is not a port", c.port)
	case c.timeout <= 0:
		return fmt.Errorf("--timeout must be positive")
	case c.output == "":
		return fmt.Errorf("-o must be - or a directory")
	case c.roles && !live:
		return fmt.Errorf("--roles goes with --host: DESCRIBE output holds no roles")
	}
	if c.opts.Connection != "" && c.opts.ClusterConnection != "" {
		return fmt.Errorf("give --connection or --cluster-connection, not both")
	}
	for flag, name := range map[string]string{"connection": c.opts.Connection, "cluster-connection": c.opts.ClusterConnection} {
		if name == "" {
			continue
		}
		if errs := validation.IsDNS1123Subdomain(name); len(errs) > 0 {
			return fmt.Errorf("--%s %q is not a connection name: %s", flag, name, strings.Join(errs, "; "))
		}
	}
	if c.opts.Namespace != "" {
		if errs := validation.IsDNS1123Label(c.opts.Namespace); len(errs) > 0 {
			return fmt.Errorf("--namespace %q is not a namespace name: %s", c.opts.Namespace, strings.Join(errs, "; "))
		}
	}
	for _, k := range c.keyspaces {
		if ddl.IsSystemKeyspace(k) {
			return fmt.Errorf("--keyspace %s: Cassandra's own keyspaces are not imported", k)
		}
	}
	return nil
}

func runImport(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	cfg, err := parseImportFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return exitNoChanges // -h asked for the usage, which was printed
	}
	if err != nil {
		return exitError
	}
	ctx, cancel := context.WithTimeout(ctx, cfg.timeout)
	defer cancel()
	var src sourceSet
	if cfg.file != "" {
		src, err = readSchemaFile(cfg.file, stdin, cfg.keyspaces)
	} else {
		src, err = readCluster(ctx, cfg)
	}
	if err != nil {
		fmt.Fprintln(stderr, "cqlsync import:", err)
		return exitError
	}
	outs := adopt.Convert(src.sources, cfg.opts)
	if cfg.roles {
		outs = append(outs, adopt.Roles(src.roles, src.server, cfg.opts))
	}
	if err := writeImport(cfg.output, outs, stdout); err != nil {
		fmt.Fprintln(stderr, "cqlsync import:", err)
		return exitError
	}
	writeImportSummary(stderr, outs, src)
	return exitNoChanges
}

// sourceSet is what was read: the keyspaces to convert, and what to tell about the reading.
type sourceSet struct {
	sources []adopt.Source
	// roles are the cluster's roles (--roles), and the oldest release of its nodes.
	roles  []*introspect.Role
	server plan.Version
	// system are the system keyspaces met and ignored.
	system []string
	// remarks are about the reading and go to standard error only (warnings of a file's parse,
	// statements skipped outside any imported keyspace).
	remarks []string
}

// writeImport writes the outputs to standard output ("-") or one file per keyspace in a
// directory, which is created if needed.
func writeImport(output string, outs []adopt.Output, stdout io.Writer) error {
	if output == "-" {
		return adopt.WriteStream(stdout, outs)
	}
	if info, err := os.Stat(output); err == nil && !info.IsDir() {
		return fmt.Errorf("-o %s is a file, not a directory", output)
	}
	if err := os.MkdirAll(output, 0o755); err != nil {
		return err
	}
	for _, o := range outs {
		f, err := os.Create(filepath.Join(output, o.File))
		if err != nil {
			return err
		}
		err = adopt.WriteKeyspace(f, o)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// writeImportSummary tells what was imported and what was not, per keyspace, then in total.
func writeImportSummary(w io.Writer, outs []adopt.Output, src sourceSet) {
	for _, r := range src.remarks {
		fmt.Fprintln(w, "cqlsync import:", r)
	}
	resources, skipped, keyspaces := 0, 0, 0
	for _, o := range outs {
		kinds, what := []string{"Keyspace", "UserType", "TableModel"}, fmt.Sprintf("keyspace %q", o.Keyspace)
		if o.Keyspace == "" { // the roles
			kinds, what = []string{"CassandraRole"}, "roles"
		} else {
			keyspaces++
		}
		var counts []string
		for _, kind := range kinds {
			n := o.Count(kind)
			resources += n
			counts = append(counts, plural(n, kind))
		}
		line := fmt.Sprintf("cqlsync import: %s: %s", what, strings.Join(counts, ", "))
		if len(o.Skipped) > 0 {
			line += fmt.Sprintf("; not imported: %d", len(o.Skipped))
		}
		fmt.Fprintln(w, line)
		for _, s := range o.Skipped {
			fmt.Fprintln(w, "  "+s.String())
		}
		skipped += len(o.Skipped)
	}
	total := fmt.Sprintf("cqlsync import: %s from %s; %s not imported", plural(resources, "resource"), plural(keyspaces, "keyspace"), plural(skipped, "item"))
	if skipped > 0 {
		total += " (each is a comment in the output)"
	}
	if len(src.system) > 0 {
		total += fmt.Sprintf("; Cassandra's own keyspaces ignored: %s", strings.Join(src.system, ", "))
	}
	fmt.Fprintln(w, total)
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// wanted reports whether a keyspace is to be imported: it is among keyspaces, or keyspaces is
// empty.
func wanted(keyspaces []string, name string) bool {
	return len(keyspaces) == 0 || slices.Contains(keyspaces, name)
}

// missingKeyspaces is the error for --keyspace names that were not found, or nil.
func missingKeyspaces(asked []string, found []adopt.Source, where string) error {
	var missing []string
	for _, k := range asked {
		if !slices.ContainsFunc(found, func(s adopt.Source) bool { return s.Schema.Name == k }) && !slices.Contains(missing, k) {
			missing = append(missing, k)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("no keyspace %s in %s (names are case-sensitive)", strings.Join(missing, ", "), where)
	}
	return nil
}
