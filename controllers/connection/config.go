package connection

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
	"github.com/cqlsync/cqlsync/internal/cql/registry"
	"github.com/cqlsync/cqlsync/internal/engine"
)

// Defaults applied when a field is empty (objects created before a default existed, or by clients
// that bypass defaulting). They equal the CRD defaults.
const (
	defaultPort                   = 9042
	defaultConnectTimeout         = 5 * time.Second
	defaultRequestTimeout         = 12 * time.Second
	defaultSchemaAgreementTimeout = 30 * time.Second
	defaultTablesWarnThreshold    = 200
)

// buildConfig turns a connection's spec and the Secrets it references, in secretsNamespace, into a
// registry config. A missing Secret, key or unusable PEM is an *engine.Problem (state Failed) naming the Secret and key
// (never the value).
func Config(ctx context.Context, reader client.Reader, spec *cqlv1.CassandraConnectionSpec, secretsNamespace string) (registry.Config, error) {
	s := *spec
	cfg := registry.Config{
		Port:                   int(s.Port),
		LocalDatacenter:        s.LocalDatacenter,
		Consistency:            string(s.Consistency),
		ProtocolVersion:        int(s.ProtocolVersion),
		Compression:            string(s.Compression),
		ConnectTimeout:         defaultConnectTimeout,
		RequestTimeout:         defaultRequestTimeout,
		SchemaAgreementTimeout: defaultSchemaAgreementTimeout,
		HoldWhenNodeDown:       s.DDLGuards.HoldWhenNodeDown(),
		HoldWhenVersionsDiffer: s.DDLGuards.HoldWhenVersionsDiffer(),
		TablesWarnThreshold:    defaultTablesWarnThreshold,
	}
	if s.TablesWarnThreshold != nil {
		cfg.TablesWarnThreshold = int(*s.TablesWarnThreshold)
	}
	if cfg.Port == 0 {
		cfg.Port = defaultPort
	}
	if s.ConnectTimeout != nil && s.ConnectTimeout.Duration > 0 {
		cfg.ConnectTimeout = s.ConnectTimeout.Duration
	}
	if s.RequestTimeout != nil && s.RequestTimeout.Duration > 0 {
		cfg.RequestTimeout = s.RequestTimeout.Duration
	}
	if s.SchemaAgreementTimeout != nil && s.SchemaAgreementTimeout.Duration > 0 {
		cfg.SchemaAgreementTimeout = s.SchemaAgreementTimeout.Duration
	}
	for _, h := range s.Hosts {
		cfg.Hosts = append(cfg.Hosts, string(h))
	}
	if err := cfg.Validate(); err != nil {
		return cfg, &engine.Problem{State: cqlv1.TargetFailed, Reason: cqlv1.ReasonInvalidSpec, Message: "spec.hosts: " + err.Error()}
	}

	secrets := map[string]*corev1.Secret{}
	value := func(name, key, field string) ([]byte, error) {
		sec, ok := secrets[name]
		if !ok {
			sec = &corev1.Secret{}
			err := reader.Get(ctx, types.NamespacedName{Namespace: secretsNamespace, Name: name}, sec)
			if apierrors.IsNotFound(err) {
				return nil, &engine.Problem{State: cqlv1.TargetFailed, Reason: cqlv1.ReasonSecretNotFound,
					Message: fmt.Sprintf("%s: Secret %q not found in namespace %q", field, name, secretsNamespace)}
			}
			if err != nil {
				return nil, err // transient: retried with backoff
			}
			secrets[name] = sec
		}
		v, ok := sec.Data[key]
		if !ok || len(v) == 0 {
			return nil, &engine.Problem{State: cqlv1.TargetFailed, Reason: cqlv1.ReasonSecretKeyNotFound,
				Message: fmt.Sprintf("%s: Secret %q has no key %q", field, name, key)}
		}
		return v, nil
	}

	if a := s.Auth; a != nil {
		ref := a.SecretRef
		user, err := value(ref.Name, orDefault(ref.UsernameKey, "username"), "spec.auth.secretRef.usernameKey")
		if err != nil {
			return cfg, err
		}
		pass, err := value(ref.Name, orDefault(ref.PasswordKey, "password"), "spec.auth.secretRef.passwordKey")
		if err != nil {
			return cfg, err
		}
		cfg.Username, cfg.Password = string(user), string(pass)
	}

	if t := s.TLS; t != nil {
		tc := &registry.TLSConfig{ServerName: t.ServerName, InsecureSkipVerify: t.InsecureSkipVerify}
		if ref := t.CASecretRef; ref != nil {
			key := orDefault(ref.Key, "ca.crt")
			ca, err := value(ref.Name, key, "spec.tls.caSecretRef")
			if err != nil {
				return cfg, err
			}
			if !x509.NewCertPool().AppendCertsFromPEM(ca) {
				return cfg, &engine.Problem{State: cqlv1.TargetFailed, Reason: cqlv1.ReasonInvalidSecret,
					Message: fmt.Sprintf("spec.tls.caSecretRef: key %q of Secret %q holds no PEM certificate", key, ref.Name)}
			}
			tc.CA = ca
		}
		if ref := t.ClientCertSecretRef; ref != nil {
			cert, err := value(ref.Name, orDefault(ref.CertKey, "tls.crt"), "spec.tls.clientCertSecretRef.certKey")
			if err != nil {
				return cfg, err
			}
			key, err := value(ref.Name, orDefault(ref.KeyKey, "tls.key"), "spec.tls.clientCertSecretRef.keyKey")
			if err != nil {
				return cfg, err
			}
			if _, err := tls.X509KeyPair(cert, key); err != nil {
				return cfg, &engine.Problem{State: cqlv1.TargetFailed, Reason: cqlv1.ReasonInvalidSecret,
					Message: fmt.Sprintf("spec.tls.clientCertSecretRef: Secret %q does not hold a matching PEM certificate and key", ref.Name)}
			}
			tc.Cert, tc.Key = cert, key
		}
		cfg.TLS = tc
	}
	return cfg, nil
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
