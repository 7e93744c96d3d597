// Command cqlping waits until a Cassandra node answers CQL.
//
// It is used by hack/cassandra.sh to decide that a local test cluster is ready, and can be
// used by hand to check connectivity, credentials and TLS settings:
//
//	cqlping -host 127.0.0.1
//	cqlping -host 127.0.0.3 -user cassandra -password cassandra -ca bin/cassandra/run/cluster3/ca.pem
//	cqlping -host 127.0.0.1 -e "CREATE TYPE IF NOT EXISTS ks1.address (street text, city text, zip text)"
//
// With -e it then executes that one CQL statement (once, never retried) and exits 0 when it
// succeeded: a small stand-in for `cqlsh -e` for the documented manual steps.
//
// It repeatedly connects and runs `SELECT release_version FROM system.local` until that succeeds
// (prints the version, exit status 0) or the total timeout passes (prints the last error to
// stderr, exit status 1). Errors are retried on purpose, including authentication errors: a
// freshly started node with PasswordAuthenticator rejects the default superuser until it has
// created it.
package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"os"
	"time"

	gocql "github.com/apache/cassandra-gocql-driver/v2"
)

// quietLogger discards everything gocql would log; cqlping reports errors itself.
type quietLogger struct{}

func (quietLogger) Error(string, ...gocql.LogField)   {}
func (quietLogger) Warning(string, ...gocql.LogField) {}
func (quietLogger) Info(string, ...gocql.LogField)    {}
func (quietLogger) Debug(string, ...gocql.LogField)   {}

type options struct {
	host     string
	port     int
	user     string
	password string
	ca       string
	timeout  time.Duration
	verbose  bool
	exec     string
}

// execError is the failure of the -e statement: final, not retried.
type execError struct{ err error }

func (e *execError) Error() string { return "executing -e statement: " + e.err.Error() }

func main() {
	var o options
	flag.StringVar(&o.host, "host", "127.0.0.1", "address of the Cassandra node")
	flag.IntVar(&o.port, "port", 9042, "CQL native transport port")
	flag.StringVar(&o.user, "user", "", "user name for PasswordAuthenticator (empty: no authentication)")
	flag.StringVar(&o.password, "password", "", "password for -user")
	flag.StringVar(&o.ca, "ca", "", "PEM file of the CA that signed the server certificate; enables TLS with verification (server name = -host)")
	flag.DurationVar(&o.timeout, "timeout", 240*time.Second, "total time to keep trying")
	flag.BoolVar(&o.verbose, "v", false, "print every failed attempt to stderr")
	flag.StringVar(&o.exec, "e", "", "a CQL statement to execute once the node answers")
	flag.Parse()

	tlsConfig, err := tlsConfigFor(o)
	if err != nil {
		fmt.Fprintf(os.Stderr, "cqlping: %v\n", err)
		os.Exit(2)
	}

	deadline := time.Now().Add(o.timeout)
	backoff := 250 * time.Millisecond
	var lastErr error
	for attempt := 1; ; attempt++ {
		remaining := time.Until(deadline)
		if remaining <= 0 {
			break
		}
		version, err := ping(o, tlsConfig, remaining)
		if err == nil {
			fmt.Println(version)
			return
		}
		var ee *execError
		if errors.As(err, &ee) {
			fmt.Fprintf(os.Stderr, "cqlping: %v\n", ee)
			os.Exit(1)
		}
		lastErr = err
		if o.verbose {
			fmt.Fprintf(os.Stderr, "cqlping: attempt %d: %v\n", attempt, err)
		}
		if time.Until(deadline) <= backoff {
			break
		}
		time.Sleep(backoff)
		if backoff < 2*time.Second {
			backoff *= 2
		}
	}
	if lastErr == nil {
		lastErr = errors.New("no attempt was made")
	}
	fmt.Fprintf(os.Stderr, "cqlping: %s:%d not ready after %s: %v\n", o.host, o.port, o.timeout, lastErr)
	os.Exit(1)
}

// tlsConfigFor returns the TLS configuration for -ca, or nil for a plain connection.
func tlsConfigFor(o options) (*tls.Config, error) {
	if o.ca == "" {
		return nil, nil
	}
	pem, err := os.ReadFile(o.ca)
	if err != nil {
		return nil, fmt.Errorf("reading CA: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("no certificate found in %s", o.ca)
	}
	return &tls.Config{
		RootCAs:    pool,
		ServerName: o.host,
		MinVersion: tls.VersionTLS12,
	}, nil
}

// ping makes one attempt: open a session to the single host, query system.local, close.
func ping(o options, tlsConfig *tls.Config, remaining time.Duration) (string, error) {
	attempt := 10 * time.Second
	if remaining < attempt {
		attempt = remaining
	}

	cluster := gocql.NewCluster(o.host)
	cluster.Port = o.port
	cluster.Logger = quietLogger{}
	cluster.ConnectTimeout = attempt
	cluster.Timeout = attempt
	cluster.NumConns = 1
	cluster.Consistency = gocql.One
	// Talk to exactly this node: no peer discovery, no schema metadata, one dial per attempt
	// (the loop in main retries). Note: MaxRetries must be >= 1; with 0, gocql v2.1.2 adds a
	// nil connection to its pool and panics in the first query.
	cluster.DisableInitialHostLookup = true
	cluster.Metadata.CacheMode = gocql.Disabled
	cluster.ReconnectionPolicy = &gocql.ConstantReconnectionPolicy{MaxRetries: 1, Interval: time.Second}
	if o.user != "" {
		cluster.Authenticator = gocql.PasswordAuthenticator{Username: o.user, Password: o.password}
	}
	if tlsConfig != nil {
		cluster.SslOpts = &gocql.SslOptions{Config: tlsConfig, EnableHostVerification: true}
	}

	session, err := cluster.CreateSession()
	if err != nil {
		return "", err
	}
	defer session.Close()

	ctx, cancel := context.WithTimeout(context.Background(), attempt)
	defer cancel()
	var version string
	if err := session.Query("SELECT release_version FROM system.local").WithContext(ctx).Scan(&version); err != nil {
		return "", err
	}
	if o.exec != "" {
		if err := session.Query(o.exec).WithContext(ctx).Exec(); err != nil {
			return "", &execError{err}
		}
	}
	return version, nil
}
