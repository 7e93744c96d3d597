package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"slices"
	"strconv"
	"strings"

	connectionctl "github.com/cqlsync/cqlsync/controllers/connection"

	"github.com/go-logr/logr"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
	"github.com/cqlsync/cqlsync/internal/cql/registry"
	"github.com/cqlsync/cqlsync/internal/engine"
)

// The planner reads the namespace's resources through a client. The CLI gives it an in-memory one
// (controller-runtime's fake client, with the controllers' own field indexes) holding the
// manifests, the resources of the cluster they would join (kubeconfig mode) or the connections of
// the flags (--connection mode), with every connection it could open marked Ready, since the CLI
// connects itself instead of waiting for the operator.

// world is what the planner works on.
type world struct {
	objects []client.Object // everything the in-memory client holds
	// secrets reads the Secrets connections reference (the API server, or the in-memory client).
	secrets client.Reader
	// operatorNamespace holds the Secrets of ClusterCassandraConnections without
	// spec.secretsNamespace.
	operatorNamespace string
}

// add puts obj into the world, unless an object of the same kind, namespace and name is there
// already (the manifests are added first, so they win over the cluster's copy).
func (w *world) add(obj client.Object) {
	for _, o := range w.objects {
		if fmt.Sprintf("%T", o) == fmt.Sprintf("%T", obj) && o.GetNamespace() == obj.GetNamespace() && o.GetName() == obj.GetName() {
			return
		}
	}
	w.objects = append(w.objects, obj)
}

// connection is a connection of either kind in the world, as the CLI opens it.
type connection struct {
	key              registry.Key
	spec             *cqlv1.CassandraConnectionSpec
	status           *cqlv1.CassandraConnectionStatus
	generation       int64
	secretsNamespace string
}

// connections are the world's CassandraConnections and ClusterCassandraConnections.
func (w *world) connections() []connection {
	var out []connection
	for _, o := range w.objects {
		switch c := o.(type) {
		case *cqlv1.CassandraConnection:
			out = append(out, connection{registry.Key{Namespace: c.Namespace, Name: c.Name}, &c.Spec, &c.Status, c.Generation, c.Namespace})
		case *cqlv1.ClusterCassandraConnection:
			ns := c.Spec.SecretsNamespace
			if ns == "" {
				ns = w.operatorNamespace
			}
			out = append(out, connection{registry.Key{Name: c.Name}, &c.Spec.CassandraConnectionSpec, &c.Status, c.Generation, ns})
		}
	}
	return out
}

// connect opens a session for every connection of the world in a local registry, and records the
// outcome in the connection's Ready condition: Ready when connected, not Ready with the error
// otherwise (the planner then reports the targets on it as ConnectionNotReady, with the error).
func (w *world) connect(ctx context.Context, reg *registry.Registry) {
	for _, c := range w.connections() {
		cond := metav1.Condition{Type: cqlv1.ConditionReady, Status: metav1.ConditionTrue, Reason: cqlv1.ReasonConnected,
			Message: "connected by cqlsync plan", ObservedGeneration: c.generation}
		cfg, err := connectionctl.Config(ctx, w.secrets, c.spec, c.secretsNamespace)
		if err == nil {
			_, err = reg.Register(ctx, c.key, cfg, registry.Options{Default: c.spec.Default})
		}
		if err != nil {
			cond.Status, cond.Reason, cond.Message = metav1.ConditionFalse, cqlv1.ReasonConnectionFailed, "cqlsync plan could not connect: "+err.Error()
		}
		meta.SetStatusCondition(&c.status.Conditions, cond)
	}
}

// client is the in-memory client of the world.
func (w *world) client(ctx context.Context) (client.Client, error) {
	scheme := runtime.NewScheme()
	if err := clientgoscheme.AddToScheme(scheme); err != nil {
		return nil, err
	}
	if err := cqlv1.AddToScheme(scheme); err != nil {
		return nil, err
	}
	b := fake.NewClientBuilder().WithScheme(scheme).WithObjects(w.objects...)
	if err := engine.RegisterIndexes(ctx, indexer{b}, w.operatorNamespace); err != nil {
		return nil, err
	}
	return b.Build(), nil
}

// indexer registers field indexes with a fake client builder.
type indexer struct{ b *fake.ClientBuilder }

func (i indexer) IndexField(_ context.Context, obj client.Object, field string, fn client.IndexerFunc) error {
	i.b.WithIndex(obj, field, fn)
	return nil
}

// connectionFlag is one --connection NAME=host[:port].
type connectionFlag struct {
	name, host string
	port       int32
}

// parseConnectionFlag parses NAME=host[:port] ([ipv6]:port allowed).
func parseConnectionFlag(s string) (connectionFlag, error) {
	name, hostport, ok := strings.Cut(s, "=")
	if !ok || name == "" || hostport == "" {
		return connectionFlag{}, fmt.Errorf("--connection %q: want NAME=host[:port]", s)
	}
	cf := connectionFlag{name: name, host: hostport}
	if h, p, err := net.SplitHostPort(hostport); err == nil {
		n, err := strconv.ParseUint(p, 10, 16)
		if err != nil || n == 0 {
			return connectionFlag{}, fmt.Errorf("--connection %q: %q is not a port", s, p)
		}
		cf.host, cf.port = h, int32(n)
	}
	return cf, nil
}

// credentials are the --username, --password-env and --ca flags of --connection mode.
type credentials struct {
	username, passwordEnv, caFile, serverName string
}

// offlineConnections makes the connections of --connection flags in namespace: the manifest's
// connection of the same name when there is one (its defaultKeyspace, default flag, datacenter,
// timeouts...), with the flag's host, and the flags' credentials instead of its Secrets; a new
// connection otherwise. With a single connection and no default among them, it is the default.
// A flag whose name the manifests use for a ClusterCassandraConnection (declared, or referenced
// as {kind: ClusterCassandraConnection}) makes one of those too, allowing the namespace. The
// credentials become in-memory Secrets, and the namespace an in-memory Namespace.
func offlineConnections(namespace string, flags []connectionFlag, m *manifests, creds credentials) ([]client.Object, error) {
	fromManifests := m.connections
	var objs []client.Object
	var secretData map[string][]byte
	if creds.username != "" {
		password, ok := os.LookupEnv(creds.passwordEnv)
		if creds.passwordEnv == "" || !ok {
			return nil, fmt.Errorf("--username needs --password-env naming a set environment variable that holds the password")
		}
		secretData = map[string][]byte{"username": []byte(creds.username), "password": []byte(password)}
		objs = append(objs, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: "cqlsync-plan-credentials"}, Data: secretData})
	}
	var ca []byte
	if creds.caFile != "" {
		var err error
		if ca, err = os.ReadFile(creds.caFile); err != nil {
			return nil, fmt.Errorf("--ca: %w", err)
		}
		objs = append(objs, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: "cqlsync-plan-ca"}, Data: map[string][]byte{"ca.crt": ca}})
	}
	hasDefault := false
	var conns []*cqlv1.CassandraConnection
	for _, f := range flags {
		c := &cqlv1.CassandraConnection{ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: f.name}}
		if i := slices.IndexFunc(fromManifests, func(m *cqlv1.CassandraConnection) bool { return m.Name == f.name }); i >= 0 {
			c.Spec = *fromManifests[i].Spec.DeepCopy()
		}
		c.Spec.Hosts, c.Spec.Port = []cqlv1.Host{cqlv1.Host(f.host)}, f.port
		c.Spec.Auth, c.Spec.TLS = nil, nil
		if secretData != nil {
			c.Spec.Auth = &cqlv1.AuthSpec{SecretRef: cqlv1.CredentialsSecretRef{Name: "cqlsync-plan-credentials", UsernameKey: "username", PasswordKey: "password"}}
		}
		if ca != nil {
			c.Spec.TLS = &cqlv1.TLSSpec{CASecretRef: &cqlv1.SecretKeyRef{Name: "cqlsync-plan-ca", Key: "ca.crt"}, ServerName: creds.serverName}
		}
		hasDefault = hasDefault || c.Spec.Default
		conns = append(conns, c)
	}
	if len(conns) == 1 && !hasDefault {
		conns[0].Spec.Default = true
	}
	for _, c := range conns {
		objs = append(objs, c)
		if m.usesShared(c.Name) {
			shared := &cqlv1.ClusterCassandraConnection{ObjectMeta: metav1.ObjectMeta{Name: c.Name}}
			if i := slices.IndexFunc(m.shared, func(s *cqlv1.ClusterCassandraConnection) bool { return s.Name == c.Name }); i >= 0 {
				shared.Spec = *m.shared[i].Spec.DeepCopy()
			}
			shared.Spec.CassandraConnectionSpec = *c.Spec.DeepCopy()
			shared.Spec.Default = false
			shared.Spec.SecretsNamespace = namespace
			shared.Spec.AllowedNamespaces = &metav1.LabelSelector{}
			objs = append(objs, shared)
		}
	}
	return append(objs, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: namespace}}), nil
}

// quietRegistry is a registry that logs nothing: the CLI reports connection problems itself.
func quietRegistry() *registry.Registry { return registry.New(logr.Discard()) }
