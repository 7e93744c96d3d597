package registry

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"strings"
	"syscall"

	gocql "github.com/apache/cassandra-gocql-driver/v2"
)

// Kind classifies why connecting or talking to a cluster failed, so that a controller can name the
// cause (and the fix) in a condition.
type Kind string

const (
	KindAuthentication Kind = "Authentication" // credentials refused or missing
	KindTLS            Kind = "TLS"            // handshake or certificate verification failed
	KindUnreachable    Kind = "Unreachable"    // nothing answered in time
	KindConfig         Kind = "Config"         // the configuration cannot be used
	KindOther          Kind = "Other"
)

// Error is an error with its Kind.
type Error struct {
	Kind Kind
	Err  error
}

func (e *Error) Error() string { return e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }

// ErrNotRegistered: no connection of that name has been registered (yet).
var ErrNotRegistered = errors.New("connection is not registered")

// ErrNoDefault: the namespace has no default connection.
var ErrNoDefault = errors.New("the namespace has no default CassandraConnection")

// DefaultConflictError: more than one connection in the namespace is the default.
type DefaultConflictError struct{ Names []string }

func (e *DefaultConflictError) Error() string {
	return "more than one default CassandraConnection in the namespace: " + strings.Join(e.Names, ", ")
}

// KindOf classifies err. Typed checks come first: our own *Error, the driver's request errors and
// sentinels, TLS and x509 errors, and network errors. Well-known message fragments come last, and
// only because the driver formats the causes of a failed session creation with %v ("gocql: unable
// to create session: unable to discover protocol version: ..."), which loses their types.
func KindOf(err error) Kind {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	var reqErr gocql.RequestError
	if errors.As(err, &reqErr) && reqErr.Code() == gocql.ErrCodeCredentials {
		return KindAuthentication
	}
	var (
		unknownAuthority x509.UnknownAuthorityError
		hostnameErr      x509.HostnameError
		certInvalid      x509.CertificateInvalidError
		recordHeader     tls.RecordHeaderError
		verifyErr        *tls.CertificateVerificationError
	)
	if errors.As(err, &unknownAuthority) || errors.As(err, &hostnameErr) || errors.As(err, &certInvalid) ||
		errors.As(err, &recordHeader) || errors.As(err, &verifyErr) {
		return KindTLS
	}
	var netErr net.Error
	switch {
	case errors.Is(err, gocql.ErrNoConnectionsStarted), errors.Is(err, gocql.ErrNoConnections), errors.Is(err, gocql.ErrConnectionClosed),
		errors.Is(err, gocql.ErrTimeoutNoResponse), errors.Is(err, context.DeadlineExceeded),
		errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EHOSTUNREACH),
		errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.As(err, &netErr):
		return KindUnreachable
	}
	msg := strings.ToLower(err.Error())
	switch {
	case strings.Contains(msg, "authentication"), strings.Contains(msg, "password are incorrect"),
		strings.Contains(msg, "bad credentials"), strings.Contains(msg, "username and/or password"):
		return KindAuthentication
	case strings.Contains(msg, "x509:"), strings.Contains(msg, "tls:"), strings.Contains(msg, "certificate"):
		return KindTLS
	case strings.Contains(msg, "connection refused"), strings.Contains(msg, "i/o timeout"),
		strings.Contains(msg, "no route to host"), strings.Contains(msg, "no such host"),
		strings.Contains(msg, "unable to connect"), strings.Contains(msg, "no connections were made"),
		strings.Contains(msg, "unable to discover protocol version"), strings.Contains(msg, "deadline exceeded"),
		strings.Contains(msg, "no hosts available"), strings.Contains(msg, "connection reset"),
		strings.Contains(msg, "eof"), strings.Contains(msg, "timeout"):
		return KindUnreachable
	}
	return KindOther
}
