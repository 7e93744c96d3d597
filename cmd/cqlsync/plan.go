package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/tools/clientcmd"
	"sigs.k8s.io/controller-runtime/pkg/client"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
	"github.com/cqlsync/cqlsync/internal/cql/apply"
	"github.com/cqlsync/cqlsync/internal/cql/introspect"
	"github.com/cqlsync/cqlsync/internal/engine"
)

// stringList is a repeatable string flag.
type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

const planUsage = `Usage: cqlsync plan -f <file|dir|->... [flags]

Prints, per resource and target, the statements the operator would run now for the Keyspaces,
UserTypes and TableModels of the manifests, with Blocked differences and drift. It never executes
DDL. Resources are planned in dependency order: a table whose keyspace or type the same manifests
create is planned as if they existed.

Connections come from the cluster of the current kubeconfig (the CassandraConnections and Secrets
of the namespace), or, with --connection, from the flags only (no kubeconfig needed; for CI).

Exit code: 0 no changes, 2 changes pending, 1 an error, a Blocked or Failed target, or a target
that cannot converge (its connection cannot be reached, its keyspace is missing and nothing
creates it).

Flags:
`

func runPlan(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("plan", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, planUsage); fs.PrintDefaults() }
	var (
		files, conns                                 stringList
		kubeconfig, namespace, output, operatorNS    string
		username, passwordEnv, caFile, tlsServerName string
		timeout                                      time.Duration
	)
	fs.Var(&files, "f", "a manifest file or directory (recursive), or - for standard input; repeatable")
	fs.StringVar(&kubeconfig, "kubeconfig", "", "the kubeconfig to read the connections from (default: $KUBECONFIG or ~/.kube/config)")
	fs.StringVar(&namespace, "n", "", "the namespace of resources that name none (default: the kubeconfig's, or default)")
	fs.Var(&conns, "connection", "NAME=host[:port]: plan against this cluster for connection NAME, without a kubeconfig; repeatable")
	fs.StringVar(&username, "username", "", "with --connection: the username (the password comes from --password-env)")
	fs.StringVar(&passwordEnv, "password-env", "", "with --connection: the environment variable that holds the password")
	fs.StringVar(&caFile, "ca", "", "with --connection: a PEM CA bundle to verify the servers with TLS")
	fs.StringVar(&tlsServerName, "tls-server-name", "", "with --connection and --ca: the server name to verify")
	fs.StringVar(&output, "o", "text", "output: text (a diff for humans and PR comments) or json")
	fs.StringVar(&operatorNS, "operator-namespace", "cqlsync-system", "the namespace of the Secrets of ClusterCassandraConnections that name no spec.secretsNamespace (the operator's)")
	fs.DurationVar(&timeout, "timeout", 2*time.Minute, "how long planning may take")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitNoChanges // -h asked for the usage, which was printed
		}
		return exitError
	}
	if len(files) == 0 || (output != "text" && output != "json") || fs.NArg() > 0 {
		fs.Usage()
		return exitError
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	m, err := readManifests(files, os.Stdin)
	if err != nil {
		fmt.Fprintln(stderr, "cqlsync plan:", err)
		return exitError
	}
	for _, s := range m.skipped {
		fmt.Fprintln(stderr, "cqlsync plan: skipped", s)
	}
	w, err := buildWorld(ctx, m, namespace, kubeconfig, operatorNS, conns, credentials{username, passwordEnv, caFile, tlsServerName})
	if err != nil {
		fmt.Fprintln(stderr, "cqlsync plan:", err)
		return exitError
	}
	plans, err := planAll(ctx, w, m.schema)
	if err != nil {
		fmt.Fprintln(stderr, "cqlsync plan:", err)
		return exitError
	}
	s := summarize(plans)
	if output == "json" {
		err = writeJSON(stdout, plans, s)
	} else {
		err = writeText(stdout, plans, s)
	}
	if err != nil {
		fmt.Fprintln(stderr, "cqlsync plan:", err)
		return exitError
	}
	return s.exitCode()
}

// buildWorld gathers the resources and connections the plan works on, and opens the sessions.
func buildWorld(ctx context.Context, m *manifests, namespace, kubeconfig, operatorNS string, conns []string, creds credentials) (*world, error) {
	w := &world{operatorNamespace: operatorNS}
	offline := len(conns) > 0
	var api client.Client
	if !offline {
		cfg := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(
			&clientcmd.ClientConfigLoadingRules{ExplicitPath: kubeconfig, Precedence: clientcmd.NewDefaultClientConfigLoadingRules().Precedence},
			&clientcmd.ConfigOverrides{})
		rc, err := cfg.ClientConfig()
		if err != nil {
			return nil, fmt.Errorf("no kubeconfig to read the connections from (%w); give the clusters with --connection NAME=host[:port] instead", err)
		}
		if namespace == "" {
			namespace, _, _ = cfg.Namespace()
		}
		scheme := runtime.NewScheme()
		if err := clientgoscheme.AddToScheme(scheme); err != nil {
			return nil, err
		}
		if err := cqlv1.AddToScheme(scheme); err != nil {
			return nil, err
		}
		if api, err = client.New(rc, client.Options{Scheme: scheme}); err != nil {
			return nil, err
		}
		w.secrets = api
	}
	if namespace == "" {
		namespace = "default"
	}
	var namespaces []string
	for _, o := range m.schema {
		if o.GetNamespace() == "" {
			o.SetNamespace(namespace)
		}
		if !slices.Contains(namespaces, o.GetNamespace()) {
			namespaces = append(namespaces, o.GetNamespace())
		}
		w.add(o)
	}
	if offline {
		if len(namespaces) > 1 {
			return nil, fmt.Errorf("--connection plans one namespace, and the manifests name %s", strings.Join(namespaces, ", "))
		}
		var flags []connectionFlag
		for _, c := range conns {
			cf, err := parseConnectionFlag(c)
			if err != nil {
				return nil, err
			}
			flags = append(flags, cf)
		}
		objs, err := offlineConnections(namespace, flags, m, creds)
		if err != nil {
			return nil, err
		}
		for _, o := range objs {
			w.add(o)
		}
	} else {
		for _, c := range m.connections {
			if c.Namespace == "" {
				c.Namespace = namespace
			}
			w.add(c)
		}
		for _, c := range m.shared {
			w.add(c)
		}
		for _, ns := range namespaces {
			nsObj := &corev1.Namespace{}
			if err := api.Get(ctx, client.ObjectKey{Name: ns}, nsObj); client.IgnoreNotFound(err) != nil {
				return nil, fmt.Errorf("reading the namespace %s: %w", ns, err)
			} else if err == nil {
				w.add(nsObj)
			}
			for _, list := range []client.ObjectList{&cqlv1.CassandraConnectionList{}, &cqlv1.KeyspaceList{}, &cqlv1.UserTypeList{}, &cqlv1.TableModelList{}, &cqlv1.CassandraRoleList{}} {
				if err := api.List(ctx, list, client.InNamespace(ns)); err != nil {
					return nil, fmt.Errorf("reading the namespace %s: %w", ns, err)
				}
				for _, o := range listItems(list) {
					w.add(o)
				}
			}
		}
		var shared cqlv1.ClusterCassandraConnectionList
		if err := api.List(ctx, &shared); err != nil {
			return nil, fmt.Errorf("reading the ClusterCassandraConnections: %w", err)
		}
		for _, o := range listItems(&shared) {
			w.add(o)
		}
	}
	if w.secrets == nil {
		c, err := w.client(ctx)
		if err != nil {
			return nil, err
		}
		w.secrets = c
	}
	return w, nil
}

// planAll plans the schema resources in dependency order (Keyspaces, then UserTypes until no
// more of them find their types, then TableModels), each seeing what those before it create,
// and returns the plans in the order of the manifests.
func planAll(ctx context.Context, w *world, schema []client.Object) ([]engine.ResourcePlan, error) {
	reg := quietRegistry()
	defer reg.Close()
	w.connect(ctx, reg)
	c, err := w.client(ctx)
	if err != nil {
		return nil, err
	}
	// One preview of every resource, through clusters that let each see what those before it
	// create: the engine's Plan in mode Preview, as the operator's reconciles run it.
	opts := engine.Options{Client: c, Clusters: engine.NewPreviewClusters(engine.NewClusters(reg, apply.NewExecutor(), introspect.NewSchemaCache()))}
	plans := make([]engine.ResourcePlan, len(schema))
	planned := make([]bool, len(schema))
	do := func(i int) error {
		rp, err := engine.PlanAny(ctx, opts, schema[i])
		if err != nil {
			return err
		}
		plans[i], planned[i] = rp, true
		return nil
	}
	for i, o := range schema {
		if _, ok := o.(*cqlv1.Keyspace); ok {
			if err := do(i); err != nil {
				return nil, err
			}
		}
	}
	// A type may use another type of the manifests: plan again those that wait for one, while
	// that lets more of them through.
	for pass := 0; pass <= len(schema); pass++ {
		progress := false
		for i, o := range schema {
			if _, ok := o.(*cqlv1.UserType); !ok || (planned[i] && !waitsForType(plans[i])) {
				continue
			}
			before := plans[i]
			if err := do(i); err != nil {
				return nil, err
			}
			progress = progress || !equalPlans(before, plans[i])
		}
		if !progress {
			break
		}
	}
	for i := range schema {
		if !planned[i] {
			if err := do(i); err != nil {
				return nil, err
			}
		}
	}
	return plans, nil
}

func waitsForType(rp engine.ResourcePlan) bool {
	return slices.ContainsFunc(rp.Targets, func(t engine.TargetPlan) bool {
		return t.Reason == cqlv1.ReasonUserTypeNotFound || t.Reason == cqlv1.ReasonInvalidType
	})
}

func equalPlans(a, b engine.ResourcePlan) bool {
	return fmt.Sprint(a) == fmt.Sprint(b)
}

func listItems(list client.ObjectList) []client.Object {
	var out []client.Object
	_ = meta.EachListItem(list, func(o runtime.Object) error {
		if obj, ok := o.(client.Object); ok {
			out = append(out, obj)
		}
		return nil
	})
	return out
}
