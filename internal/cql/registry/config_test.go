package registry

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"
	"testing"

	gocql "github.com/apache/cassandra-gocql-driver/v2"
)

func TestParseHost(t *testing.T) {
	ok := []struct {
		in   string
		want HostPort
		addr string
	}{
		{"cass-0", HostPort{Host: "cass-0"}, "cass-0:9042"},
		{"cass-0.cass.db.svc", HostPort{Host: "cass-0.cass.db.svc"}, "cass-0.cass.db.svc:9042"},
		{"10.0.0.7:9142", HostPort{Host: "10.0.0.7", Port: 9142}, "10.0.0.7:9142"},
		{"127.0.0.1", HostPort{Host: "127.0.0.1"}, "127.0.0.1:9042"},
		{"[::1]:9043", HostPort{Host: "::1", Port: 9043}, "[::1]:9043"},
		{"[fd00::7]", HostPort{Host: "fd00::7"}, "[fd00::7]:9042"},
		{"fd00::7", HostPort{Host: "fd00::7"}, "[fd00::7]:9042"},
		{"host:65535", HostPort{Host: "host", Port: 65535}, "host:65535"},
	}
	for _, tc := range ok {
		got, err := ParseHost(tc.in)
		if err != nil || got != tc.want || got.Address(9042) != tc.addr {
			t.Errorf("ParseHost(%q) = %+v, %v (addr %s); want %+v %s", tc.in, got, err, got.Address(9042), tc.want, tc.addr)
		}
	}
	bad := []struct{ in, msg string }{
		{"", "empty"},
		{"http://x:9042/", "not a URL"},
		{"x:9042/path", "not a URL"},
		{"host:notaport", "not a number"},
		{"host:0", "out of range"},
		{"host:65536", "out of range"},
		{"host:", "empty port"},
		{":9042", "no host name"},
		{"-bad-", "not a valid DNS name"},
		{"a..b", "not a valid DNS name"},
		{"[127.0.0.1]:9042", "not an IPv6"},
		{"[::1", "unclosed"},
		{"[::1]x", "expected ':port'"},
		{"user@host", "not a URL"},
		{"two words", "not a URL"},
	}
	for _, tc := range bad {
		_, err := ParseHost(tc.in)
		if err == nil || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("ParseHost(%q) error = %v; want it to mention %q", tc.in, err, tc.msg)
		}
	}
}

func TestKindOf(t *testing.T) {
	cases := []struct {
		err  error
		want Kind
	}{
		{errors.New("gocql: unable to create session: unable to connect to initial hosts: dial tcp 127.0.0.9:9042: connect: connection refused"), KindUnreachable},
		{errors.New("gocql: unable to create session: control: unable to connect to initial hosts: Provided username cassandra and/or password are incorrect"), KindAuthentication},
		{errors.New(`authentication required (using "org.apache.cassandra.auth.PasswordAuthenticator")`), KindAuthentication},
		{errors.New("tls: failed to verify certificate: x509: certificate signed by unknown authority"), KindTLS},
		{fmt.Errorf("wrapped: %w", &Error{Kind: KindConfig, Err: errors.New("x")}), KindConfig},
		{errors.New("dial tcp 10.1.1.1:9042: i/o timeout"), KindUnreachable},
		{errors.New("something odd"), KindOther},
		{nil, ""},
		// Typed: recognised whatever their text.
		{fmt.Errorf("reading: %w", &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}), KindUnreachable},
		{fmt.Errorf("query: %w", gocql.ErrNoConnections), KindUnreachable},
		{fmt.Errorf("query: %w", context.DeadlineExceeded), KindUnreachable},
		{fmt.Errorf("frame: %w", io.ErrUnexpectedEOF), KindUnreachable},
	}
	for _, tc := range cases {
		if got := KindOf(tc.err); got != tc.want {
			t.Errorf("KindOf(%v) = %q, want %q", tc.err, got, tc.want)
		}
	}
}

func TestConfigValidate(t *testing.T) {
	c := baseConfig()
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	c.Hosts = nil
	if err := c.Validate(); err == nil {
		t.Error("no hosts must be invalid")
	}
	c = baseConfig()
	c.Hosts = []string{"ok", "http://bad/"}
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "http://bad/") {
		t.Errorf("the bad host must be named: %v", err)
	}
}
