package integration

import (
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
)

// TestConnectionValidation: the API server rejects each bad spec with a message naming the field.
func TestConnectionValidation(t *testing.T) {
	ns := newNamespace(t)
	ok := func() cqlv1.CassandraConnectionSpec { return cqlv1.CassandraConnectionSpec{Hosts: hosts("127.0.0.1")} }
	cases := []struct {
		name   string
		mutate func(s *cqlv1.CassandraConnectionSpec)
		field  string
		msg    string
	}{
		{"empty hosts", func(s *cqlv1.CassandraConnectionSpec) { s.Hosts = nil }, "spec.hosts", "Required"},
		{"empty host list", func(s *cqlv1.CassandraConnectionSpec) { s.Hosts = []cqlv1.Host{} }, "spec.hosts", ""},
		{"empty host", func(s *cqlv1.CassandraConnectionSpec) { s.Hosts = hosts("") }, "spec.hosts[0]", ""},
		{"port out of range", func(s *cqlv1.CassandraConnectionSpec) { s.Port = 70000 }, "spec.port", "65535"},
		{"port zero", func(s *cqlv1.CassandraConnectionSpec) { s.Port = -1 }, "spec.port", ""},
		{"url host", func(s *cqlv1.CassandraConnectionSpec) { s.Hosts = hosts("http://x:9042/") }, "spec.hosts[0]", "host:port"},
		{"bad port text", func(s *cqlv1.CassandraConnectionSpec) { s.Hosts = hosts("host:notaport") }, "spec.hosts[0]", "host:port"},
		{"host port out of range", func(s *cqlv1.CassandraConnectionSpec) { s.Hosts = hosts("host:70000") }, "spec.hosts[0]", "between 1 and 65535"},
		{"duplicate hosts", func(s *cqlv1.CassandraConnectionSpec) { s.Hosts = hosts("a", "a") }, "spec.hosts[1]", "Duplicate"},
		{"unknown consistency", func(s *cqlv1.CassandraConnectionSpec) { s.Consistency = "MOST" }, "spec.consistency", "Unsupported value"},
		{"unknown compression", func(s *cqlv1.CassandraConnectionSpec) { s.Compression = "zstd" }, "spec.compression", "Unsupported value"},
		{"protocol too old", func(s *cqlv1.CassandraConnectionSpec) { s.ProtocolVersion = 2 }, "spec.protocolVersion", ""},
		{"connect timeout zero", func(s *cqlv1.CassandraConnectionSpec) { s.ConnectTimeout = &metav1.Duration{} }, "spec.connectTimeout", "between 100ms and 5m"},
		{"request timeout huge", func(s *cqlv1.CassandraConnectionSpec) { s.RequestTimeout = &metav1.Duration{Duration: time.Hour} }, "spec.requestTimeout", "between 100ms and 10m"},
		{"agreement timeout tiny", func(s *cqlv1.CassandraConnectionSpec) {
			s.SchemaAgreementTimeout = &metav1.Duration{Duration: time.Millisecond}
		}, "spec.schemaAgreementTimeout", "between 1s and 30m"},
		{"bad default keyspace", func(s *cqlv1.CassandraConnectionSpec) { s.DefaultKeyspace = "my-ks" }, "spec", "defaultKeyspace must be"},
		{"bad local dc", func(s *cqlv1.CassandraConnectionSpec) { s.LocalDatacenter = "dc 1" }, "spec.localDatacenter", ""},
		{"auth without secret name", func(s *cqlv1.CassandraConnectionSpec) { s.Auth = &cqlv1.AuthSpec{} }, "spec.auth.secretRef.name", ""},
		{"tls insecure with ca", func(s *cqlv1.CassandraConnectionSpec) {
			s.TLS = &cqlv1.TLSSpec{InsecureSkipVerify: true, CASecretRef: &cqlv1.SecretKeyRef{Name: "ca"}}
		}, "spec.tls", "mutually exclusive"},
		{"tls client cert without name", func(s *cqlv1.CassandraConnectionSpec) {
			s.TLS = &cqlv1.TLSSpec{ClientCertSecretRef: &cqlv1.ClientCertSecretRef{}}
		}, "spec.tls.clientCertSecretRef.name", ""},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			spec := ok()
			tc.mutate(&spec)
			c := connection(ns, "bad-"+strings.ReplaceAll(strings.ToLower(tc.name), " ", "-"), spec)
			err := k8s.Create(ctx, c)
			if err == nil {
				t.Fatalf("case %d: the API server accepted %+v", i, spec)
			}
			if !strings.Contains(err.Error(), tc.field) || !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("rejection must name %q and say %q, got: %v", tc.field, tc.msg, err)
			}
		})
	}

	// A good spec is accepted and defaulted.
	c := connection(ns, "good", ok())
	mustCreate(t, c)
	if c.Spec.Port != 9042 || c.Spec.Consistency != "LOCAL_ONE" || c.Spec.Compression != "none" ||
		c.Spec.ConnectTimeout == nil || c.Spec.ConnectTimeout.Duration != 5*time.Second ||
		c.Spec.SchemaAgreementTimeout == nil || c.Spec.SchemaAgreementTimeout.Duration != 30*time.Second {
		t.Fatalf("defaults not applied: %+v", c.Spec)
	}
	for _, h := range []string{"cass-0.cass.db.svc", "10.0.0.7:9142", "[fd00::7]:9042", "[::1]"} {
		c := connection(ns, "good-host-"+strings.NewReplacer(".", "-", ":", "-", "[", "", "]", "").Replace(h), cqlv1.CassandraConnectionSpec{Hosts: hosts(h)})
		if err := k8s.Create(ctx, c); err != nil {
			t.Errorf("host %q must be accepted: %v", h, err)
		}
	}
}
