package events

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/go-logr/logr"
)

// Config is how to reach the cluster. It mirrors the session's: the same contact points, TLS and
// credentials.
type Config struct {
	// Addresses returns the nodes to try, "host:port", in order of preference: the contact points,
	// then the other nodes the session knows. It is called before each connection attempt.
	Addresses func() []string
	// TLS, when set, is used for every connection; an empty ServerName becomes the host dialled.
	TLS *tls.Config
	// Username and Password answer a PasswordAuthenticator (SASL PLAIN).
	Username string
	Password string
	// ConnectTimeout bounds dialling and the handshake.
	ConnectTimeout time.Duration
	// Heartbeat is how often an idle connection is probed (OPTIONS); a connection that answers
	// nothing for two heartbeats is closed and reopened. Default 15s.
	Heartbeat time.Duration
	// MaxBackoff caps the wait between failed attempts. Default 30s.
	MaxBackoff time.Duration
}

// Handler receives what the listener sees. Its methods are called from the listener's goroutine,
// one at a time, and must not block.
type Handler struct {
	// Up: the connection to addr is registered; every schema change from now on is reported.
	Up func(addr string)
	// Changed: a schema change.
	Changed func(Change)
	// Down: the connection was lost (or never came up); changes may be missed until the next Up.
	Down func(err error)
}

// protocolVersions are tried in order: v4 is what every Cassandra from 2.2 to 5.0 speaks with
// the same framing; v3 is for older servers.
var protocolVersions = []byte{4, 3}

// Run keeps a registered connection open to one of the cluster's nodes until ctx ends, reporting
// to h. It returns when ctx ends.
func Run(ctx context.Context, cfg Config, h Handler, log logr.Logger) {
	if cfg.Heartbeat <= 0 {
		cfg.Heartbeat = 15 * time.Second
	}
	if cfg.MaxBackoff <= 0 {
		cfg.MaxBackoff = 30 * time.Second
	}
	if cfg.ConnectTimeout <= 0 {
		cfg.ConnectTimeout = 5 * time.Second
	}
	backoff := 500 * time.Millisecond
	next := 0
	for ctx.Err() == nil {
		addrs := cfg.Addresses()
		if len(addrs) == 0 {
			h.Down(errors.New("no address to connect to"))
		} else {
			addr := addrs[next%len(addrs)]
			next++
			started := time.Now()
			err := listen(ctx, cfg, addr, h)
			if ctx.Err() != nil {
				return
			}
			h.Down(err)
			log.Info("schema change events interrupted; reconnecting", "node", addr, "error", err.Error(), "retryIn", backoff.String())
			if time.Since(started) > time.Minute {
				backoff = 500 * time.Millisecond // it was a working connection: retry promptly
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, cfg.MaxBackoff)
	}
}

// listen opens one connection, registers it and reads its events until it fails or ctx ends.
func listen(ctx context.Context, cfg Config, addr string, h Handler) error {
	conn, version, err := open(ctx, cfg, addr)
	if err != nil {
		return err
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { _ = conn.Close() })
	defer stop()
	h.Up(addr)

	var wmu sync.Mutex
	hbDone := make(chan struct{})
	defer close(hbDone)
	go func() {
		t := time.NewTicker(cfg.Heartbeat)
		defer t.Stop()
		for {
			select {
			case <-hbDone:
				return
			case <-t.C:
				wmu.Lock()
				_ = conn.SetWriteDeadline(time.Now().Add(cfg.Heartbeat))
				err := writeFrame(conn, version, 1, opOptions, nil)
				wmu.Unlock()
				if err != nil {
					_ = conn.Close() // the read below fails and reports it
					return
				}
			}
		}
	}()
	for {
		// Every heartbeat gets an answer: two heartbeats of silence mean the node is gone.
		_ = conn.SetReadDeadline(time.Now().Add(2*cfg.Heartbeat + cfg.ConnectTimeout))
		f, err := readFrame(conn)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return fmt.Errorf("reading from %s: %w", addr, err)
		}
		if f.opcode != opEvent {
			continue // a heartbeat's SUPPORTED
		}
		c, ok, err := parseEvent(f)
		if err != nil {
			return fmt.Errorf("from %s: %w", addr, err)
		}
		if ok {
			h.Changed(c)
		}
	}
}

// open dials addr and performs the handshake (STARTUP, authentication, REGISTER), trying each
// protocol version until the server accepts one.
func open(ctx context.Context, cfg Config, addr string) (net.Conn, byte, error) {
	var lastErr error
	for _, v := range protocolVersions {
		conn, err := dial(ctx, cfg, addr)
		if err != nil {
			return nil, 0, err
		}
		_ = conn.SetDeadline(time.Now().Add(cfg.ConnectTimeout))
		err = handshake(conn, v, cfg)
		if err == nil {
			_ = conn.SetDeadline(time.Time{})
			return conn, v, nil
		}
		_ = conn.Close()
		lastErr = err
		var se *ServerError
		if !errors.As(err, &se) || se.Code != codeProtocol {
			break
		}
	}
	return nil, 0, fmt.Errorf("%s: %w", addr, lastErr)
}

func dial(ctx context.Context, cfg Config, addr string) (net.Conn, error) {
	d := net.Dialer{Timeout: cfg.ConnectTimeout}
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	if cfg.TLS == nil {
		return conn, nil
	}
	tc := cfg.TLS.Clone()
	if tc.ServerName == "" {
		host, _, _ := net.SplitHostPort(addr)
		tc.ServerName = host
	}
	tlsConn := tls.Client(conn, tc)
	hctx, cancel := context.WithTimeout(ctx, cfg.ConnectTimeout)
	defer cancel()
	if err := tlsConn.HandshakeContext(hctx); err != nil {
		_ = conn.Close()
		return nil, fmt.Errorf("TLS handshake with %s: %w", addr, err)
	}
	return tlsConn, nil
}

// handshake starts the connection, authenticates when asked and registers for schema changes.
func handshake(conn net.Conn, version byte, cfg Config) error {
	var startup writer
	startup.stringMap([][2]string{{"CQL_VERSION", "3.0.0"}})
	f, err := request(conn, version, opStartup, startup.b)
	if err != nil {
		return err
	}
	if f.opcode == opAuthenticate {
		if cfg.Username == "" && cfg.Password == "" {
			return errors.New("the cluster requires authentication and no credentials are configured")
		}
		var token writer
		token.bytes([]byte("\x00" + cfg.Username + "\x00" + cfg.Password))
		if f, err = request(conn, version, opAuthResponse, token.b); err != nil {
			return err
		}
		if f.opcode == opAuthChallenge {
			return errors.New("the cluster's authenticator asks for more than a username and password")
		}
		if f.opcode != opAuthSuccess {
			return fmt.Errorf("unexpected answer to authentication (opcode %#x)", f.opcode)
		}
	} else if f.opcode != opReady {
		return fmt.Errorf("unexpected answer to STARTUP (opcode %#x)", f.opcode)
	}
	var reg writer
	reg.stringList([]string{"SCHEMA_CHANGE"})
	if f, err = request(conn, version, opRegister, reg.b); err != nil {
		return err
	}
	if f.opcode != opReady {
		return fmt.Errorf("unexpected answer to REGISTER (opcode %#x)", f.opcode)
	}
	return nil
}

// request sends a request on stream 0 and reads its answer; an ERROR frame becomes a
// *ServerError.
func request(conn net.Conn, version, opcode byte, body []byte) (frame, error) {
	if err := writeFrame(conn, version, 0, opcode, body); err != nil {
		return frame{}, err
	}
	for {
		f, err := readFrame(conn)
		if err != nil {
			return frame{}, err
		}
		if f.stream == eventStream {
			continue // an event before registration completes cannot be ours
		}
		if f.opcode == opError {
			return frame{}, describeError(parseError(f))
		}
		return f, nil
	}
}

// describeError adds what a person can do about the errors of the handshake.
func describeError(err error) error {
	var se *ServerError
	if !errors.As(err, &se) {
		return err
	}
	switch se.Code {
	case codeBadCreds:
		return fmt.Errorf("authentication failed (check the connection's credentials): %w", err)
	case codeProtocol:
		if strings.Contains(strings.ToLower(se.Message), "version") {
			return err
		}
		return fmt.Errorf("protocol error: %w", err)
	}
	return err
}
