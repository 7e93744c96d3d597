package registry

import (
	"context"
	"sort"
	"sync"
	"time"

	"github.com/go-logr/logr"
)

// Conn is what the registry needs of a driver session: *gocql.Session satisfies it.
type Conn interface {
	Close()
	Closed() bool
}

// DialFunc opens a driver session for a config. Tests replace it; production uses the driver.
type DialFunc func(ctx context.Context, cfg Config, log logr.Logger) (Conn, error)

// retryGap is how long a failed connect is remembered: callers arriving within it get the same
// error at once instead of dialling an unreachable cluster again.
const retryGap = 2 * time.Second

// Registry holds the sessions. It is safe for concurrent use.
type Registry struct {
	log  logr.Logger
	dial DialFunc
	now  func() time.Time

	mu      sync.Mutex
	entries map[Key]*entry
	// onConnect are called (outside any lock) after a session is opened, so that a controller can
	// refresh the status of a lazily connected connection.
	onConnect []func(Key)
	// schemaSubs receive the schema changes the sessions' clusters announce; eventSubs whether
	// those are heard.
	schemaSubs []func(SchemaChange)
	eventSubs  []func(Key, bool)
}

type entry struct {
	key       Key
	cfg       Config
	hash      string
	isDefault bool
	lazy      bool

	mu          sync.Mutex // serialises connecting and closing of this entry
	session     *Session
	lastErr     error
	lastAttempt time.Time
	removed     bool
}

// New returns an empty registry that dials with the Cassandra driver.
func New(log logr.Logger) *Registry {
	return &Registry{log: log, dial: dialConn, now: time.Now, entries: map[Key]*entry{}}
}

// NewWithDialer returns a registry with a custom dialer (unit tests).
func NewWithDialer(log logr.Logger, d DialFunc) *Registry {
	r := New(log)
	r.dial = d
	return r
}

// OnConnect adds a callback run after every successful connect.
func (r *Registry) OnConnect(f func(Key)) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.onConnect = append(r.onConnect, f)
}

// Options are the per-connection settings that do not change the session itself.
type Options struct {
	// Default marks the namespace's default connection.
	Default bool
	// Lazy defers connecting until Get.
	Lazy bool
}

// Register records the configuration of a connection and, unless it is lazy, makes sure a session
// with exactly this configuration is open. An unchanged configuration reuses the open session; a
// changed one closes the old session and opens a new one. It returns the session (nil when lazy and
// not yet connected) or the connect error.
func (r *Registry) Register(ctx context.Context, key Key, cfg Config, opts Options) (*Session, error) {
	hash := cfg.Hash()
	r.mu.Lock()
	e, ok := r.entries[key]
	var old *entry
	if !ok || e.hash != hash {
		old = e
		e = &entry{key: key, cfg: cfg, hash: hash}
		r.entries[key] = e
	}
	e.isDefault, e.lazy = opts.Default, opts.Lazy
	r.mu.Unlock()

	if old != nil {
		r.log.Info("connection configuration changed; replacing its session", "connection", key.String())
		old.remove()
	}
	if opts.Lazy {
		e.mu.Lock()
		s := e.session
		e.mu.Unlock()
		return s, nil
	}
	return r.connect(ctx, e)
}

// Get returns the open session of a connection, connecting first if needed (lazy connections, or
// a previous failure). ErrNotRegistered means the connection controller has not registered it.
func (r *Registry) Get(ctx context.Context, key Key) (*Session, error) {
	r.mu.Lock()
	e, ok := r.entries[key]
	r.mu.Unlock()
	if !ok {
		return nil, ErrNotRegistered
	}
	return r.connect(ctx, e)
}

// Peek returns the open session without connecting; nil when none is open.
func (r *Registry) Peek(key Key) *Session {
	r.mu.Lock()
	e, ok := r.entries[key]
	r.mu.Unlock()
	if !ok {
		return nil
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.session
}

// DefaultKey returns the namespace's default connection.
func (r *Registry) DefaultKey(namespace string) (Key, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	var found []Key
	for k, e := range r.entries {
		if k.Namespace == namespace && e.isDefault {
			found = append(found, k)
		}
	}
	switch len(found) {
	case 0:
		return Key{}, ErrNoDefault
	case 1:
		return found[0], nil
	}
	names := make([]string, len(found))
	for i, k := range found {
		names[i] = k.Name
	}
	sort.Strings(names)
	return Key{}, &DefaultConflictError{Names: names}
}

// Resolve returns the session of the named connection, or of the namespace default when name is
// empty. This is what the schema controllers call.
func (r *Registry) Resolve(ctx context.Context, namespace, name string) (*Session, error) {
	key := Key{Namespace: namespace, Name: name}
	if name == "" {
		var err error
		if key, err = r.DefaultKey(namespace); err != nil {
			return nil, err
		}
	}
	return r.Get(ctx, key)
}

// ClusterID is the identity of the cluster a connection's open session reaches (Session.ClusterID);
// "" when no session is open or it has not described its cluster yet.
func (r *Registry) ClusterID(key Key) string {
	if s := r.Peek(key); s != nil {
		return s.ClusterID()
	}
	return ""
}

// Reset closes the open session of a connection but keeps its registration, so the next Get dials
// afresh. Used when a cluster stopped answering altogether.
func (r *Registry) Reset(key Key) {
	r.mu.Lock()
	e, ok := r.entries[key]
	r.mu.Unlock()
	if !ok {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.session != nil {
		e.session.close()
		e.session = nil
	}
}

// Unregister closes the connection's session and forgets it (unregister_connection).
func (r *Registry) Unregister(key Key) {
	r.mu.Lock()
	e, ok := r.entries[key]
	delete(r.entries, key)
	r.mu.Unlock()
	if ok {
		e.remove()
		r.log.Info("connection unregistered; session closed", "connection", key.String())
	}
}

// Close closes every session (manager shutdown).
func (r *Registry) Close() {
	r.mu.Lock()
	entries := r.entries
	r.entries = map[Key]*entry{}
	r.mu.Unlock()
	for _, e := range entries {
		e.remove()
	}
}

// Len is the number of registered connections; Open the number of open sessions.
func (r *Registry) Len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.entries)
}

// Open counts the open sessions.
func (r *Registry) Open() int {
	r.mu.Lock()
	entries := make([]*entry, 0, len(r.entries))
	for _, e := range r.entries {
		entries = append(entries, e)
	}
	r.mu.Unlock()
	n := 0
	for _, e := range entries {
		e.mu.Lock()
		if e.session != nil {
			n++
		}
		e.mu.Unlock()
	}
	return n
}

func (e *entry) remove() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.removed = true
	if e.session != nil {
		e.session.close()
		e.session = nil
	}
}

func (r *Registry) connect(ctx context.Context, e *entry) (*Session, error) {
	e.mu.Lock()
	if e.removed {
		e.mu.Unlock()
		return nil, ErrNotRegistered
	}
	if e.session != nil && !e.session.Closed() {
		s := e.session
		e.mu.Unlock()
		return s, nil
	}
	if e.lastErr != nil && r.now().Sub(e.lastAttempt) < retryGap {
		err := e.lastErr
		e.mu.Unlock()
		return nil, err
	}
	log := r.log.WithValues("connection", e.key.String())
	log.V(1).Info("connecting", "config", e.cfg.String())
	gs, err := r.dial(ctx, e.cfg, log)
	e.lastAttempt = r.now()
	if err != nil {
		e.lastErr = err
		e.mu.Unlock()
		return nil, err
	}
	if e.removed { // unregistered while dialling
		e.mu.Unlock()
		gs.Close()
		return nil, ErrNotRegistered
	}
	e.lastErr = nil
	e.session = &Session{key: e.key, hash: e.hash, cfg: e.cfg, conn: gs}
	s := e.session
	if s.Driver() != nil {
		r.startListener(e, s, log)
	}
	e.mu.Unlock()
	// Learn the cluster's identity before anyone uses the session: ownership of schema objects is
	// decided by it. A failure here is the next Describe's to report.
	if s.Driver() != nil {
		if _, err := s.Describe(ctx); err != nil {
			log.V(1).Info("describing the cluster after connecting", "error", err.Error())
		}
	}
	log.Info("connected", "cluster", s.ClusterID())

	r.mu.Lock()
	callbacks := r.onConnect
	r.mu.Unlock()
	for _, cb := range callbacks {
		cb(e.key)
	}
	return s, nil
}

// startListener starts the session's schema change listener; closing the session stops it, and
// says that the connection's events are no longer heard.
func (r *Registry) startListener(e *entry, s *Session, log logr.Logger) {
	cfg, err := eventsConfig(e.cfg, s)
	if err != nil { // the session itself was opened with this TLS config: cannot happen
		log.Error(err, "cannot listen to schema change events; the schema is checked on every read instead")
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	s.onClose = func() {
		cancel()
		r.emitEvents(e.key, false)
	}
	go r.listen(ctx, e, s, cfg, log.WithName("events"))
}
