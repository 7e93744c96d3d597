package events

import (
	"context"
	"errors"
	"net"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-logr/logr"
)

// fakeNode is a loopback server that speaks enough of the native protocol: it answers the
// handshake (asking for a password when it has one, refusing protocol versions above maxVersion),
// answers OPTIONS, and pushes the EVENT frames it is given.
type fakeNode struct {
	t          *testing.T
	ln         net.Listener
	password   string
	maxVersion byte
	push       chan []byte // EVENT bodies
	mu         sync.Mutex
	conns      []net.Conn
	versions   []byte // the versions of the STARTUPs it accepted
}

func newFakeNode(t *testing.T, password string, maxVersion byte) *fakeNode {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	n := &fakeNode{t: t, ln: ln, password: password, maxVersion: maxVersion, push: make(chan []byte, 16)}
	go n.serve()
	t.Cleanup(func() { _ = ln.Close(); n.dropAll() })
	return n
}

func (n *fakeNode) addr() string { return n.ln.Addr().String() }

func (n *fakeNode) dropAll() {
	n.mu.Lock()
	defer n.mu.Unlock()
	for _, c := range n.conns {
		_ = c.Close()
	}
	n.conns = nil
}

func (n *fakeNode) serve() {
	for {
		c, err := n.ln.Accept()
		if err != nil {
			return
		}
		n.mu.Lock()
		n.conns = append(n.conns, c)
		n.mu.Unlock()
		go n.handle(c)
	}
}

func (n *fakeNode) reply(c net.Conn, version byte, stream int16, op byte, body []byte) {
	_ = writeFrame(c, version|0x80, stream, op, body)
}

func (n *fakeNode) handle(c net.Conn) {
	registered := make(chan byte, 1)
	done := make(chan struct{})
	go func() {
		var v byte
		select {
		case v = <-registered:
		case <-done:
			return
		}
		for {
			select {
			case body := <-n.push:
				n.reply(c, v, eventStream, opEvent, body)
			case <-done:
				return
			}
		}
	}()
	defer close(done)
	for {
		var h [headerLen]byte
		if _, err := readFull(c, h[:]); err != nil {
			return
		}
		version, stream, op := h[0], int16(h[2])<<8|int16(h[3]), h[4]
		size := int(h[5])<<24 | int(h[6])<<16 | int(h[7])<<8 | int(h[8])
		body := make([]byte, size)
		if _, err := readFull(c, body); err != nil {
			return
		}
		switch op {
		case opStartup:
			if version > n.maxVersion {
				var w writer
				w.b = append(w.b, 0, 0, 0, byte(codeProtocol))
				w.string("Invalid or unsupported protocol version (" + string('0'+version) + ")")
				n.reply(c, n.maxVersion, stream, opError, w.b)
				return
			}
			n.mu.Lock()
			n.versions = append(n.versions, version)
			n.mu.Unlock()
			if n.password != "" {
				var w writer
				w.string("org.apache.cassandra.auth.PasswordAuthenticator")
				n.reply(c, version, stream, opAuthenticate, w.b)
			} else {
				n.reply(c, version, stream, opReady, nil)
			}
		case opAuthResponse:
			r := &reader{b: body}
			if string(r.bytes()) != "\x00cassandra\x00"+n.password {
				var w writer
				w.b = append(w.b, 0, 0, 1, 0)
				w.string("Provided username cassandra and/or password are incorrect")
				n.reply(c, version, stream, opError, w.b)
				return
			}
			n.reply(c, version, stream, opAuthSuccess, []byte{0xff, 0xff, 0xff, 0xff})
		case opRegister:
			r := &reader{b: body}
			if l := r.stringList(); !slices.Equal(l, []string{"SCHEMA_CHANGE"}) {
				n.t.Errorf("REGISTER %v", l)
			}
			n.reply(c, version, stream, opReady, nil)
			registered <- version
		case opOptions:
			var w writer
			w.short(0)
			n.reply(c, version, stream, opSupported, w.b)
		}
	}
}

func readFull(c net.Conn, b []byte) (int, error) {
	got := 0
	for got < len(b) {
		k, err := c.Read(b[got:])
		got += k
		if err != nil {
			return got, err
		}
	}
	return got, nil
}

func schemaChange(change, target, keyspace string, rest ...string) []byte {
	var w writer
	w.string("SCHEMA_CHANGE")
	w.string(change)
	w.string(target)
	w.string(keyspace)
	switch target {
	case "TABLE", "TYPE":
		w.string(rest[0])
	case "FUNCTION", "AGGREGATE":
		w.string(rest[0])
		w.stringList(rest[1:])
	}
	return w.b
}

// recorder collects what a Handler is told.
type recorder struct {
	ups     chan string
	changes chan Change
	downs   chan error
}

func newRecorder() *recorder {
	return &recorder{ups: make(chan string, 16), changes: make(chan Change, 16), downs: make(chan error, 16)}
}

func (r *recorder) handler() Handler {
	return Handler{
		Up:      func(a string) { r.ups <- a },
		Changed: func(c Change) { r.changes <- c },
		Down:    func(err error) { r.downs <- err },
	}
}

func receive[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(10 * time.Second):
		t.Fatalf("no %s within 10s", what)
		var zero T
		return zero
	}
}

func run(t *testing.T, cfg Config, r *recorder) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { Run(ctx, cfg, r.handler(), logr.Discard()); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
}

// Every kind of SCHEMA_CHANGE is reported as it comes, after authentication and registration.
func TestListenerReportsSchemaChanges(t *testing.T) {
	node := newFakeNode(t, "secret", 4)
	r := newRecorder()
	run(t, Config{Addresses: func() []string { return []string{node.addr()} }, Username: "cassandra", Password: "secret"}, r)
	if got := receive(t, r.ups, "Up"); got != node.addr() {
		t.Fatalf("Up(%q)", got)
	}
	node.push <- schemaChange("UPDATED", "KEYSPACE", "ks")
	node.push <- schemaChange("UPDATED", "TABLE", "ks", "t")
	node.push <- schemaChange("DROPPED", "TYPE", "ks", "address")
	node.push <- schemaChange("CREATED", "FUNCTION", "ks", "f", "int", "text")
	want := []Change{
		{Type: Updated, Target: TargetKeyspace, Keyspace: "ks"},
		{Type: Updated, Target: TargetTable, Keyspace: "ks", Name: "t"},
		{Type: Dropped, Target: TargetType, Keyspace: "ks", Name: "address"},
		{Type: Created, Target: TargetFunction, Keyspace: "ks", Name: "f", Arguments: []string{"int", "text"}},
	}
	for _, w := range want {
		got := receive(t, r.changes, "change")
		if got.String() != w.String() || !slices.Equal(got.Arguments, w.Arguments) {
			t.Errorf("got %v %v, want %v %v", got, got.Arguments, w, w.Arguments)
		}
	}
}

// A lost connection is reported (Down) and reopened (Up again); the events after it are heard.
func TestListenerReconnects(t *testing.T) {
	node := newFakeNode(t, "", 4)
	r := newRecorder()
	run(t, Config{Addresses: func() []string { return []string{node.addr()} }}, r)
	receive(t, r.ups, "Up")
	node.dropAll()
	if err := receive(t, r.downs, "Down"); err == nil {
		t.Fatal("Down(nil)")
	}
	receive(t, r.ups, "Up after the connection was lost")
	node.push <- schemaChange("CREATED", "TABLE", "ks", "t2")
	if got := receive(t, r.changes, "change"); got.Name != "t2" {
		t.Errorf("got %v", got)
	}
}

// A server without protocol v4 is spoken to in v3.
func TestListenerFallsBackToV3(t *testing.T) {
	node := newFakeNode(t, "", 3)
	r := newRecorder()
	run(t, Config{Addresses: func() []string { return []string{node.addr()} }}, r)
	receive(t, r.ups, "Up")
	node.mu.Lock()
	defer node.mu.Unlock()
	if !slices.Equal(node.versions, []byte{3}) {
		t.Errorf("accepted versions %v", node.versions)
	}
}

// Wrong credentials are reported, with what to check, and retried with backoff; the next
// address is tried.
func TestListenerReportsBadCredentials(t *testing.T) {
	node := newFakeNode(t, "secret", 4)
	r := newRecorder()
	var mu sync.Mutex
	calls := 0
	run(t, Config{Addresses: func() []string {
		mu.Lock()
		defer mu.Unlock()
		calls++
		return []string{node.addr()}
	}, Username: "cassandra", Password: "wrong", MaxBackoff: 50 * time.Millisecond}, r)
	err := receive(t, r.downs, "Down")
	if !strings.Contains(err.Error(), "authentication failed (check the connection's credentials)") || strings.Contains(err.Error(), "wrong") {
		t.Errorf("Down(%v)", err)
	}
	var se *ServerError
	if !errors.As(err, &se) || se.Code != codeBadCreds {
		t.Errorf("not a ServerError: %v", err)
	}
	receive(t, r.downs, "a second attempt")
	mu.Lock()
	defer mu.Unlock()
	if calls < 2 {
		t.Errorf("addresses asked %d times", calls)
	}
}

// Truncated or unknown events are errors, never panics.
func TestParseEventRejectsGarbage(t *testing.T) {
	for _, body := range [][]byte{
		nil,
		schemaChange("UPDATED", "TABLE", "ks", "t")[:20],
		schemaChange("UPDATED", "VIEW", "ks"),
		{0xff, 0xff},
	} {
		if _, ok, err := parseEvent(frame{body: body}); err == nil && ok {
			t.Errorf("%q parsed", body)
		}
	}
	var w writer
	w.string("TOPOLOGY_CHANGE")
	if _, ok, err := parseEvent(frame{body: w.b}); ok || err != nil {
		t.Errorf("another event type: ok %v err %v", ok, err)
	}
}
