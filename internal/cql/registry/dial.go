package registry

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"time"

	gocql "github.com/apache/cassandra-gocql-driver/v2"
	"github.com/apache/cassandra-gocql-driver/v2/lz4"
	"github.com/apache/cassandra-gocql-driver/v2/snappy"
	"github.com/go-logr/logr"
)

// clusterConfig turns a Config into the driver's configuration.
func clusterConfig(cfg Config, log logr.Logger) (*gocql.ClusterConfig, error) {
	if err := cfg.Validate(); err != nil {
		return nil, &Error{Kind: KindConfig, Err: err}
	}
	addrs := make([]string, 0, len(cfg.Hosts))
	for _, h := range cfg.Hosts {
		hp, _ := ParseHost(h) // validated above
		addrs = append(addrs, hp.Address(cfg.Port))
	}
	cc := gocql.NewCluster(addrs...)
	cc.Port = cfg.Port
	cc.ConnectTimeout = cfg.ConnectTimeout
	cc.Timeout = cfg.RequestTimeout
	cc.WriteTimeout = cfg.RequestTimeout
	// The driver's own wait after DDL counts peers it knows are down, so with one node down every
	// statement would wait the whole timeout. internal/cql/apply waits instead, for the reachable
	// nodes only, up to cfg.SchemaAgreementTimeout, so the driver does not check at all (it then
	// logs, at V(1), that it did not see agreement).
	cc.MaxWaitSchemaAgreement = 0
	// DDL and system-table reads only: one connection per host is plenty.
	cc.NumConns = 1
	// Hosts marked down are retried every few seconds so a restarted node is seen promptly.
	cc.ReconnectInterval = 5 * time.Second
	cc.Logger = driverLogger{log: log}
	// The driver's metadata cache would re-read the whole cluster's schema on every schema change
	// event, and its diff misses option, index and replication changes. cqlsync reads
	// system_schema itself (introspect.SchemaCache) and hears the events on a connection of its own
	// (package events).
	cc.Metadata.CacheMode = gocql.Disabled
	if cfg.Consistency != "" {
		c, err := gocql.ParseConsistencyWrapper(cfg.Consistency)
		if err != nil {
			return nil, &Error{Kind: KindConfig, Err: fmt.Errorf("consistency %q: %w", cfg.Consistency, err)}
		}
		cc.Consistency = c
	}
	if cfg.ProtocolVersion != 0 {
		cc.ProtoVersion = cfg.ProtocolVersion
	}
	switch cfg.Compression {
	case "", "none":
	case "snappy":
		cc.Compressor = &snappy.SnappyCompressor{}
	case "lz4":
		cc.Compressor = &lz4.LZ4Compressor{}
	default:
		return nil, &Error{Kind: KindConfig, Err: fmt.Errorf("unknown compression %q", cfg.Compression)}
	}
	fallback := gocql.RoundRobinHostPolicy()
	if cfg.LocalDatacenter != "" {
		fallback = gocql.DCAwareRoundRobinPolicy(cfg.LocalDatacenter)
	}
	// A node that hangs (a long GC pause, a frozen VM) accepts TCP but never answers: the session
	// opens as soon as one node answers, instead of waiting for every node's pool.
	cc.PoolConfig.HostSelectionPolicy = gocql.SingleHostReadyPolicy(gocql.TokenAwareHostPolicy(fallback))
	// Reads marked idempotent (system tables) move to the next node when one times out. DDL is
	// never marked idempotent, so a statement is never sent twice by the driver.
	cc.RetryPolicy = &gocql.SimpleRetryPolicy{NumRetries: 2}
	if cfg.Username != "" || cfg.Password != "" {
		cc.Authenticator = gocql.PasswordAuthenticator{Username: cfg.Username, Password: cfg.Password}
	}
	if cfg.TLS != nil {
		tc, err := tlsConfig(cfg.TLS)
		if err != nil {
			return nil, err
		}
		cc.SslOpts = &gocql.SslOptions{Config: tc, EnableHostVerification: !cfg.TLS.InsecureSkipVerify}
	}
	return cc, nil
}

func tlsConfig(t *TLSConfig) (*tls.Config, error) {
	tc := &tls.Config{
		MinVersion:         tls.VersionTLS12,
		ServerName:         t.ServerName,
		InsecureSkipVerify: t.InsecureSkipVerify, //nolint:gosec // explicit, documented opt-out
	}
	if len(t.CA) > 0 {
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(t.CA) {
			return nil, &Error{Kind: KindConfig, Err: fmt.Errorf("the CA bundle holds no PEM certificate")}
		}
		tc.RootCAs = pool
	}
	if len(t.Cert) > 0 || len(t.Key) > 0 {
		pair, err := tls.X509KeyPair(t.Cert, t.Key)
		if err != nil {
			return nil, &Error{Kind: KindConfig, Err: fmt.Errorf("client certificate and key: %w", err)}
		}
		tc.Certificates = []tls.Certificate{pair}
	}
	return tc, nil
}

// connectBudget bounds a whole session start: the control connection (a connect timeout per
// attempt), protocol negotiation and the first system-table reads.
func connectBudget(cfg Config) time.Duration {
	return 2*cfg.ConnectTimeout + cfg.RequestTimeout
}

func dialConn(ctx context.Context, cfg Config, log logr.Logger) (Conn, error) {
	s, err := dial(ctx, cfg, log)
	if err != nil {
		return nil, err
	}
	return s, nil
}

// dial opens a driver session, giving up when ctx ends or the budget runs out. The driver cannot be
// cancelled mid-connect, so a late session is closed as soon as it arrives.
func dial(ctx context.Context, cfg Config, log logr.Logger) (*gocql.Session, error) {
	cc, err := clusterConfig(cfg, log)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, connectBudget(cfg))
	defer cancel()
	type result struct {
		s   *gocql.Session
		err error
	}
	ch := make(chan result, 1)
	go func() {
		s, err := gocql.NewSession(*cc)
		ch <- result{s, err}
	}()
	select {
	case r := <-ch:
		if r.err != nil {
			return nil, &Error{Kind: KindOf(r.err), Err: r.err}
		}
		return r.s, nil
	case <-ctx.Done():
		go func() {
			if r := <-ch; r.s != nil {
				r.s.Close()
			}
		}()
		return nil, &Error{Kind: KindUnreachable, Err: fmt.Errorf("no answer from %v within %s", cfg.Hosts, connectBudget(cfg))}
	}
}
