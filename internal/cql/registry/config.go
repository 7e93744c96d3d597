package registry

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"
)

// Key identifies a connection: the namespace and name of its CassandraConnection.
type Key struct {
	Namespace string
	Name      string
}

func (k Key) String() string { return k.Namespace + "/" + k.Name }

// TLSConfig is the TLS part of a Config. PEM bytes come from Secrets.
type TLSConfig struct {
	CA                 []byte
	Cert               []byte
	Key                []byte
	ServerName         string
	InsecureSkipVerify bool
}

// Config is everything needed to open a session. Two Configs with the same Hash open equivalent
// sessions.
type Config struct {
	Hosts                  []string
	Port                   int
	LocalDatacenter        string
	Consistency            string
	ProtocolVersion        int
	Compression            string
	ConnectTimeout         time.Duration
	RequestTimeout         time.Duration
	SchemaAgreementTimeout time.Duration
	Username               string
	Password               string
	TLS                    *TLSConfig
	// HoldWhenNodeDown and HoldWhenVersionsDiffer make DDL wait while a node is down, or while
	// the nodes run different Cassandra versions (see internal/cql/apply).
	HoldWhenNodeDown       bool
	HoldWhenVersionsDiffer bool
	// TablesWarnThreshold: a table created past this many tables in the cluster is warned about;
	// 0 never.
	TablesWarnThreshold int
}

// Hash is a stable digest of the configuration, credentials and certificates included, so that a
// rotated Secret yields a new session. It is an opaque value: never log the Config itself.
func (c Config) Hash() string {
	b, err := json.Marshal(c)
	if err != nil { // cannot happen: Config holds only plain data
		panic(fmt.Sprintf("registry: hashing config: %v", err))
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// String describes the config for logs without credentials or key material.
func (c Config) String() string {
	return fmt.Sprintf("hosts=%v port=%d localDC=%q tls=%t auth=%t", c.Hosts, c.Port, c.LocalDatacenter, c.TLS != nil, c.Username != "")
}

// HostPort is a parsed contact point.
type HostPort struct {
	Host string
	Port int // 0: use the connection's port
}

// Address renders host and port for the driver ("h:p", "[v6]:p").
func (h HostPort) Address(defaultPort int) string {
	p := h.Port
	if p == 0 {
		p = defaultPort
	}
	return net.JoinHostPort(h.Host, strconv.Itoa(p))
}

// ParseHost parses a contact point: "host", "host:port", "[ipv6]" or "[ipv6]:port". A bare IPv6
// address is accepted too. Schemes, paths, empty hosts and bad ports are rejected with an error that
// says what is wrong. The CRD schema rejects most of these first; this is the controller's check.
func ParseHost(s string) (HostPort, error) {
	if s == "" {
		return HostPort{}, fmt.Errorf("host is empty")
	}
	if strings.Contains(s, "://") || strings.ContainsAny(s, "/?#@ \t") {
		return HostPort{}, fmt.Errorf("host %q must be a host name or IP address with an optional port, not a URL", s)
	}
	if ip := net.ParseIP(s); ip != nil { // bare IPv4 or IPv6
		return HostPort{Host: ip.String()}, nil
	}
	host, portText := s, ""
	if strings.HasPrefix(s, "[") {
		end := strings.Index(s, "]")
		if end < 0 {
			return HostPort{}, fmt.Errorf("host %q has an unclosed '['", s)
		}
		host = s[1:end]
		rest := s[end+1:]
		if rest != "" {
			if !strings.HasPrefix(rest, ":") {
				return HostPort{}, fmt.Errorf("host %q: expected ':port' after ']'", s)
			}
			portText = rest[1:]
			if portText == "" {
				return HostPort{}, fmt.Errorf("host %q has an empty port", s)
			}
		}
		if ip := net.ParseIP(host); ip == nil || ip.To4() != nil {
			return HostPort{}, fmt.Errorf("host %q: %q in brackets is not an IPv6 address", s, host)
		}
	} else if i := strings.LastIndex(s, ":"); i >= 0 {
		host, portText = s[:i], s[i+1:]
		if portText == "" {
			return HostPort{}, fmt.Errorf("host %q has an empty port", s)
		}
	}
	if host == "" {
		return HostPort{}, fmt.Errorf("host %q has no host name", s)
	}
	if !strings.HasPrefix(s, "[") && net.ParseIP(host) == nil && !validHostname(host) {
		return HostPort{}, fmt.Errorf("host %q: %q is not a valid DNS name or IP address", s, host)
	}
	hp := HostPort{Host: host}
	if portText != "" {
		p, err := strconv.Atoi(portText)
		if err != nil {
			return HostPort{}, fmt.Errorf("host %q: port %q is not a number", s, portText)
		}
		if p < 1 || p > 65535 {
			return HostPort{}, fmt.Errorf("host %q: port %d is out of range 1-65535", s, p)
		}
		hp.Port = p
	}
	return hp, nil
}

func validHostname(h string) bool {
	if len(h) > 253 {
		return false
	}
	for _, label := range strings.Split(h, ".") {
		if l := len(label); l == 0 || l > 63 || label[0] == '-' || label[l-1] == '-' {
			return false
		}
		for _, r := range label {
			if !(r == '-' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
				return false
			}
		}
	}
	return true
}

// Validate checks what the CRD schema cannot: that every host parses. It is cheap and pure.
func (c Config) Validate() error {
	if len(c.Hosts) == 0 {
		return fmt.Errorf("no hosts")
	}
	for _, h := range c.Hosts {
		if _, err := ParseHost(h); err != nil {
			return err
		}
	}
	if c.Port < 1 || c.Port > 65535 {
		return fmt.Errorf("port %d is out of range 1-65535", c.Port)
	}
	return nil
}
