package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	gocql "github.com/apache/cassandra-gocql-driver/v2"
	"github.com/cqlsync/cqlsync/internal/adopt"
	"github.com/cqlsync/cqlsync/internal/cql/ddl"
	"github.com/cqlsync/cqlsync/internal/cql/introspect"
	"github.com/cqlsync/cqlsync/internal/cql/plan"
	"github.com/cqlsync/cqlsync/internal/cql/registry"
)

// readCluster reads the keyspaces to import from a live cluster's system_schema.
func readCluster(ctx context.Context, cfg *importConfig) (sourceSet, error) {
	var out sourceSet
	rc := registry.Config{
		Hosts:                  cfg.hosts,
		Port:                   cfg.port,
		ConnectTimeout:         cfg.connectTTL,
		RequestTimeout:         30 * time.Second,
		SchemaAgreementTimeout: time.Second,
		Username:               cfg.creds.username,
	}
	if cfg.creds.username != "" {
		password, ok := os.LookupEnv(cfg.creds.passwordEnv)
		if !ok {
			return out, fmt.Errorf("--user needs --password-env naming a set environment variable that holds the password")
		}
		rc.Password = password
	}
	if cfg.creds.caFile != "" {
		ca, err := os.ReadFile(cfg.creds.caFile)
		if err != nil {
			return out, fmt.Errorf("--ca: %w", err)
		}
		rc.TLS = &registry.TLSConfig{CA: ca, ServerName: cfg.creds.serverName}
	}
	reg := quietRegistry()
	defer reg.Close()
	sess, err := reg.Register(ctx, registry.Key{Namespace: "cqlsync-import", Name: "source"}, rc, registry.Options{})
	if err != nil {
		return out, fmt.Errorf("connecting to %v: %w", cfg.hosts, err)
	}
	s := sess.Driver()
	names, err := introspect.ListKeyspaces(ctx, s)
	if err != nil {
		return out, err
	}
	for _, name := range names {
		if ddl.IsSystemKeyspace(name) {
			if len(cfg.keyspaces) == 0 {
				out.system = append(out.system, name)
			}
			continue
		}
		if !wanted(cfg.keyspaces, name) {
			continue
		}
		ks, _, err := introspect.ReadKeyspaceSchema(ctx, s, name)
		if err != nil {
			return out, fmt.Errorf("keyspace %q: %w", name, err)
		}
		if ks == nil { // dropped since it was listed
			continue
		}
		u, err := introspect.ReadUnmanaged(ctx, s, name)
		if err != nil {
			return out, fmt.Errorf("keyspace %q: %w", name, err)
		}
		out.sources = append(out.sources, adopt.Source{Schema: ks, Unmanaged: u})
	}
	if cfg.roles {
		if out.roles, err = readRoles(ctx, s); err != nil {
			return out, err
		}
		out.server = oldestRelease(s)
	}
	return out, missingKeyspaces(cfg.keyspaces, out.sources, "the cluster")
}

// readRoles reads every role of the cluster with its permissions.
func readRoles(ctx context.Context, s *gocql.Session) ([]*introspect.Role, error) {
	names, err := introspect.ReadRoleNames(ctx, s)
	if err != nil {
		return nil, fmt.Errorf("listing the roles (--roles): %w", err)
	}
	var roles []*introspect.Role
	for _, name := range names {
		r, err := introspect.ReadRole(ctx, s, name)
		if err != nil {
			return nil, fmt.Errorf("role %q: %w", name, err)
		}
		if r != nil {
			roles = append(roles, r)
		}
	}
	return roles, nil
}

// oldestRelease is the release of the oldest node the session knows (zero when none says).
func oldestRelease(s *gocql.Session) plan.Version {
	var oldest plan.Version
	for _, h := range s.GetHosts() {
		v := h.Version()
		hv := plan.Version{Major: v.Major, Minor: v.Minor, Patch: v.Patch}
		if hv.IsZero() {
			continue
		}
		if oldest.IsZero() || hv.Less(oldest) {
			oldest = hv
		}
	}
	return oldest
}

// readSchemaFile reads the keyspaces to import from DESCRIBE output: a file, or "-" for stdin.
// Statements the parser skipped are notes of their keyspace's output (with their line) when
// they are about an imported keyspace, remarks on standard error otherwise; the views,
// functions, aggregates and triggers among them are reported as the live import reports them.
func readSchemaFile(path string, stdin io.Reader, keyspaces []string) (sourceSet, error) {
	var out sourceSet
	var text []byte
	var err error
	if path == "-" {
		text, err = io.ReadAll(stdin)
	} else {
		text, err = os.ReadFile(path)
	}
	if err != nil {
		return out, err
	}
	res := ddl.Parse(string(text))
	notes := map[string][]string{}
	for _, sk := range res.Skipped {
		switch {
		case ddl.IsSystemKeyspace(sk.Keyspace):
			if len(keyspaces) == 0 { // the parser reports each system keyspace once
				out.system = append(out.system, sk.Keyspace)
			}
		case sk.Kind == ddl.KindView || sk.Kind == ddl.KindFunction || sk.Kind == ddl.KindAggregate || sk.Kind == ddl.KindTrigger:
			// In Result.Unmanaged, written like the live import's.
		case res.Keyspace(sk.Keyspace) != nil && wanted(keyspaces, sk.Keyspace):
			notes[sk.Keyspace] = append(notes[sk.Keyspace], sk.String())
		default:
			out.remarks = append(out.remarks, sk.String())
		}
	}
	for _, w := range res.Warnings {
		out.remarks = append(out.remarks, "warning: "+w.String())
	}
	for _, ks := range res.Keyspaces {
		if wanted(keyspaces, ks.Name) {
			out.sources = append(out.sources, adopt.Source{Schema: ks, Unmanaged: res.Unmanaged[ks.Name], Notes: notes[ks.Name]})
		}
	}
	return out, missingKeyspaces(keyspaces, out.sources, path)
}
