package registry

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-logr/logr"
)

type fakeConn struct{ closed atomic.Bool }

func (f *fakeConn) Close()       { f.closed.Store(true) }
func (f *fakeConn) Closed() bool { return f.closed.Load() }

type fakeDialer struct {
	mu    sync.Mutex
	calls int
	conns []*fakeConn
	err   error
}

func (d *fakeDialer) dial(_ context.Context, _ Config, _ logr.Logger) (Conn, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.calls++
	if d.err != nil {
		return nil, d.err
	}
	c := &fakeConn{}
	d.conns = append(d.conns, c)
	return c, nil
}

func (d *fakeDialer) count() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.calls
}

func baseConfig() Config {
	return Config{
		Hosts: []string{"127.0.0.1"}, Port: 9042, ConnectTimeout: time.Second,
		RequestTimeout: time.Second, SchemaAgreementTimeout: time.Second,
	}
}

func TestConfigHash(t *testing.T) {
	a := baseConfig()
	b := baseConfig()
	if a.Hash() != b.Hash() {
		t.Fatal("equal configs must hash equally")
	}
	changes := map[string]func(c *Config){
		"password":   func(c *Config) { c.Password = "rotated" },
		"username":   func(c *Config) { c.Username = "other" },
		"ca":         func(c *Config) { c.TLS = &TLSConfig{CA: []byte("new ca")} },
		"host":       func(c *Config) { c.Hosts = []string{"127.0.0.2"} },
		"port":       func(c *Config) { c.Port = 9043 },
		"timeout":    func(c *Config) { c.RequestTimeout = 2 * time.Second },
		"localDC":    func(c *Config) { c.LocalDatacenter = "dc1" },
		"compressor": func(c *Config) { c.Compression = "lz4" },
	}
	for name, change := range changes {
		c := baseConfig()
		change(&c)
		if c.Hash() == a.Hash() {
			t.Errorf("%s: a changed config must hash differently", name)
		}
	}
	withPw := baseConfig()
	withPw.Password = "s3cret-value"
	if s := withPw.String(); strings.Contains(s, "s3cret") {
		t.Errorf("String() leaks the password: %s", s)
	}
}

func TestRegisterReusesUnchangedConfig(t *testing.T) {
	d := &fakeDialer{}
	r := NewWithDialer(logr.Discard(), d.dial)
	key := Key{"ns", "c1"}
	s1, err := r.Register(context.Background(), key, baseConfig(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	s2, err := r.Register(context.Background(), key, baseConfig(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if s1 != s2 || d.count() != 1 {
		t.Fatalf("unchanged config must reuse the session: same=%t dials=%d", s1 == s2, d.count())
	}
	got, err := r.Get(context.Background(), key)
	if err != nil || got != s1 || d.count() != 1 {
		t.Fatalf("Get must return the open session without dialling: err=%v dials=%d", err, d.count())
	}
}

func TestRegisterReplacesChangedConfig(t *testing.T) {
	d := &fakeDialer{}
	r := NewWithDialer(logr.Discard(), d.dial)
	key := Key{"ns", "c1"}
	s1, _ := r.Register(context.Background(), key, baseConfig(), Options{})
	cfg := baseConfig()
	cfg.Password = "rotated"
	s2, err := r.Register(context.Background(), key, cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if s1 == s2 || d.count() != 2 {
		t.Fatalf("a changed config must open a new session: dials=%d", d.count())
	}
	if !d.conns[0].Closed() || d.conns[1].Closed() {
		t.Fatalf("old session must be closed and new one open: old=%t new=%t", d.conns[0].Closed(), d.conns[1].Closed())
	}
	if r.Open() != 1 || r.Len() != 1 {
		t.Fatalf("one connection, one session: len=%d open=%d", r.Len(), r.Open())
	}
}

func TestLazyConnect(t *testing.T) {
	d := &fakeDialer{}
	r := NewWithDialer(logr.Discard(), d.dial)
	key := Key{"ns", "lazy"}
	var connected []Key
	r.OnConnect(func(k Key) { connected = append(connected, k) })
	s, err := r.Register(context.Background(), key, baseConfig(), Options{Lazy: true})
	if err != nil || s != nil || d.count() != 0 {
		t.Fatalf("lazy registration must not dial: s=%v err=%v dials=%d", s, err, d.count())
	}
	if r.Peek(key) != nil {
		t.Fatal("Peek must not connect")
	}
	if _, err := r.Get(context.Background(), key); err != nil || d.count() != 1 {
		t.Fatalf("Get must connect a lazy connection: err=%v dials=%d", err, d.count())
	}
	if len(connected) != 1 || connected[0] != key {
		t.Fatalf("OnConnect not called once with the key: %v", connected)
	}
}

func TestUnregisterCloses(t *testing.T) {
	d := &fakeDialer{}
	r := NewWithDialer(logr.Discard(), d.dial)
	key := Key{"ns", "c1"}
	if _, err := r.Register(context.Background(), key, baseConfig(), Options{}); err != nil {
		t.Fatal(err)
	}
	r.Unregister(key)
	if !d.conns[0].Closed() || r.Len() != 0 || r.Open() != 0 {
		t.Fatalf("unregister must close: closed=%t len=%d", d.conns[0].Closed(), r.Len())
	}
	if _, err := r.Get(context.Background(), key); !errors.Is(err, ErrNotRegistered) {
		t.Fatalf("Get after unregister: %v", err)
	}
	r.Unregister(key) // idempotent
}

func TestFailedConnectIsNotRetriedHot(t *testing.T) {
	d := &fakeDialer{err: &Error{Kind: KindUnreachable, Err: errors.New("connection refused")}}
	r := NewWithDialer(logr.Discard(), d.dial)
	now := time.Unix(1000, 0)
	r.now = func() time.Time { return now }
	key := Key{"ns", "down"}
	if _, err := r.Register(context.Background(), key, baseConfig(), Options{}); KindOf(err) != KindUnreachable {
		t.Fatalf("want unreachable, got %v", err)
	}
	if _, err := r.Get(context.Background(), key); err == nil || d.count() != 1 {
		t.Fatalf("a retry within the gap must not dial: dials=%d", d.count())
	}
	now = now.Add(retryGap)
	d.err = nil
	if _, err := r.Get(context.Background(), key); err != nil || d.count() != 2 {
		t.Fatalf("after the gap Get must dial again: err=%v dials=%d", err, d.count())
	}
}

func TestConcurrentGetDialsOnce(t *testing.T) {
	d := &fakeDialer{}
	r := NewWithDialer(logr.Discard(), d.dial)
	key := Key{"ns", "c1"}
	if _, err := r.Register(context.Background(), key, baseConfig(), Options{Lazy: true}); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := r.Get(context.Background(), key); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if d.count() != 1 {
		t.Fatalf("32 concurrent Gets dialled %d times", d.count())
	}
}

func TestDefaultKey(t *testing.T) {
	d := &fakeDialer{}
	r := NewWithDialer(logr.Discard(), d.dial)
	ctx := context.Background()
	if _, err := r.DefaultKey("ns"); !errors.Is(err, ErrNoDefault) {
		t.Fatalf("want ErrNoDefault, got %v", err)
	}
	_, _ = r.Register(ctx, Key{"ns", "a"}, baseConfig(), Options{Default: true, Lazy: true})
	_, _ = r.Register(ctx, Key{"other", "x"}, baseConfig(), Options{Default: true, Lazy: true})
	if k, err := r.DefaultKey("ns"); err != nil || k.Name != "a" {
		t.Fatalf("want ns/a, got %v %v", k, err)
	}
	_, _ = r.Register(ctx, Key{"ns", "b"}, baseConfig(), Options{Default: true, Lazy: true})
	var conflict *DefaultConflictError
	if _, err := r.DefaultKey("ns"); !errors.As(err, &conflict) || len(conflict.Names) != 2 || conflict.Names[0] != "a" {
		t.Fatalf("want conflict a,b, got %v", err)
	}
	if _, err := r.Resolve(ctx, "ns", ""); !errors.As(err, &conflict) {
		t.Fatalf("Resolve with conflict: %v", err)
	}
	if s, err := r.Resolve(ctx, "ns", "b"); err != nil || s == nil {
		t.Fatalf("Resolve by name must work despite the conflict: %v", err)
	}
	// b stops being a default: a is the default again.
	_, _ = r.Register(ctx, Key{"ns", "b"}, baseConfig(), Options{Lazy: true})
	if k, err := r.DefaultKey("ns"); err != nil || k.Name != "a" {
		t.Fatalf("want ns/a after b stepped down, got %v %v", k, err)
	}
}

func TestClusterInfoID(t *testing.T) {
	info := ClusterInfo{ClusterName: "Test Cluster", Hosts: []Host{{HostID: "b2"}, {HostID: "a1"}, {HostID: ""}, {HostID: "c3"}}}
	if got := info.ID(); got != "Test Cluster/a1" {
		t.Fatalf("ID = %q", got)
	}
	// The same cluster seen through another contact point (other addresses, another order).
	other := ClusterInfo{ClusterName: "Test Cluster", Hosts: []Host{{HostID: "c3", Address: "10.0.0.3:9042"}, {HostID: "a1", Address: "cass-0.db:9042"}}}
	if other.ID() != info.ID() {
		t.Fatalf("%q != %q", other.ID(), info.ID())
	}
	// Another cluster with the same (default) name.
	if (ClusterInfo{ClusterName: "Test Cluster", Hosts: []Host{{HostID: "d4"}}}).ID() == info.ID() {
		t.Fatal("two clusters with the same name must not share an identity")
	}
	if (ClusterInfo{ClusterName: "x"}).ID() != "" {
		t.Fatal("no host: no identity")
	}
}
