package ddl

import (
	"errors"
	"fmt"
	"strings"

	"github.com/cqlsync/cqlsync/internal/cql/introspect"
)

// Result is what Parse found in a CQL text.
type Result struct {
	// Keyspaces are the keyspaces the text creates or uses, in order of first appearance, each
	// with its tables, user-defined types and indexes, with every field as Cassandra would store it
	// in system_schema after running the text (the values introspect.ReadKeyspaceSchema reads).
	//
	// A keyspace whose tables or types the text defines without creating the keyspace itself (the
	// output of DESCRIBE TABLE or DESCRIBE TYPE) is here too, with a nil Replication: its
	// replication and durable_writes are unknown, and a Warning says so.
	Keyspaces []*introspect.KeyspaceSchema
	// Skipped are the statements that did not change the result: what cqlsync does not manage
	// (materialized views, functions, aggregates, triggers, roles, ...), what Parse does not
	// understand, what is malformed or what Cassandra would refuse. Each says why.
	Skipped []Skipped
	// Unmanaged maps each keyspace of Keyspaces that has any to what it holds that cqlsync does
	// not manage, as introspect.ReadUnmanaged reads it live: the materialized views, functions,
	// aggregates and triggers the text creates (and does not drop), and the table options outside
	// introspect.TableOptions set to other than their default. The statements that create the
	// objects are in Skipped too. A DESCRIBE text from the Python driver (export_as_string) does
	// not print the options, so only server-side DESCRIBE gives them.
	Unmanaged map[string]*introspect.Unmanaged
	// Warnings are about statements that were applied, but where the result may differ from what
	// a particular cluster would store (a replication that depends on the cluster's datacenters,
	// an ignored option, a keyspace that is never created).
	Warnings []Warning
}

// Keyspace returns the keyspace of that exact name, or nil.
func (r *Result) Keyspace(name string) *introspect.KeyspaceSchema {
	for _, ks := range r.Keyspaces {
		if ks.Name == name {
			return ks
		}
	}
	return nil
}

// Kinds of skipped items (Skipped.Kind).
const (
	KindKeyspace  = "keyspace"
	KindTable     = "table"
	KindType      = "type"
	KindIndex     = "index"
	KindView      = "materialized view"
	KindFunction  = "function"
	KindAggregate = "aggregate"
	KindTrigger   = "trigger"
	KindStatement = "statement" // anything else: roles, grants, DML, unknown or unreadable statements
)

// Skipped is a statement Parse did not apply.
type Skipped struct {
	// Line is the line of the statement's first token (1-based).
	Line int
	// Kind is what the statement is about: one of the Kind constants.
	Kind string
	// Keyspace and Name name the object, as far as they could be read ("" otherwise). A trigger's
	// Name is the trigger's; its table is in Reason.
	Keyspace, Name string
	// Reason says why it was skipped; for a malformed statement it starts with the line of the
	// problem ("line 12: expected ')', found ...").
	Reason string
}

func (s Skipped) String() string {
	// A reason about the statement's first line need not say the line twice.
	reason := strings.TrimPrefix(s.Reason, fmt.Sprintf("line %d: ", s.Line))
	return fmt.Sprintf("line %d: %s: skipped: %s", s.Line, describeObject(s.Kind, s.Keyspace, s.Name), reason)
}

// Warning is a remark about a statement that was applied.
type Warning struct {
	Line           int
	Keyspace, Name string
	Message        string
}

func (w Warning) String() string {
	return fmt.Sprintf("line %d: %s: %s", w.Line, describeObject("", w.Keyspace, w.Name), w.Message)
}

func describeObject(kind, keyspace, name string) string {
	s := kind
	add := func(part string) {
		if s != "" {
			s += " "
		}
		s += part
	}
	switch {
	case keyspace != "" && name != "":
		add(keyspace + "." + name)
	case keyspace != "":
		add(keyspace)
	case name != "":
		add(name)
	}
	if s == "" {
		return "statement"
	}
	return s
}

// Parse reads CQL text, typically the output of DESCRIBE KEYSPACE or DESCRIBE SCHEMA (from cqlsh,
// the server, or a driver's export_as_string), and returns the schema it defines. Statements are
// applied in order, as Cassandra would run them, each to the result of the previous ones.
//
// Parse never fails and never stops early: every statement it cannot apply is reported in
// Result.Skipped and parsing goes on with the next one. Statements about system keyspaces are not
// applied: each system keyspace the text mentions is reported once as skipped.
func Parse(src string) *Result {
	p := &parser{
		res:      &Result{},
		implicit: map[string]int{},
		reported: map[string]bool{},
		others:   map[*introspect.Table]*otherOptions{},
		objects:  map[string]map[string]map[string]bool{},
	}
	for _, st := range splitStatements(src) {
		p.statement(src, st)
	}
	p.res.Unmanaged = p.unmanaged()
	for _, ks := range p.res.Keyspaces {
		if line, ok := p.implicit[ks.Name]; ok {
			p.warn(line, ks.Name, "", "the keyspace is used but never created in the text: its replication and durable_writes are unknown (Replication is nil)")
		}
	}
	return p.res
}

// parser holds the state of a Parse: the schema so far and the keyspace of USE.
type parser struct {
	res      *Result
	implicit map[string]int  // keyspaces used but not (yet) created by the text: line of first use
	reported map[string]bool // system keyspaces already reported as skipped
	current  string          // the keyspace of the last USE, "" before any
	// others are the options outside introspect.TableOptions of each table the text creates.
	others map[*introspect.Table]*otherOptions
	// objects are the views, functions, aggregates and triggers the text creates and does not
	// drop: keyspace, then kind, then name.
	objects map[string]map[string]map[string]bool
}

// stmt is the statement being applied: its tokens, and what it is about, filled in as it is read
// so that a skipped statement is named as well as it can be.
type stmt struct {
	c        *cursor
	line     int
	verb     string // create, alter or drop, once read; "" for other statements
	kind     string
	keyspace string
	name     string
	warnings []string // reported only if the statement is applied
}

func (s *stmt) warnf(format string, args ...any) {
	s.warnings = append(s.warnings, fmt.Sprintf(format, args...))
}

// errSystemKeyspace marks a statement about a system keyspace.
var errSystemKeyspace = errors.New("system keyspace")

func (p *parser) statement(src string, st statement) {
	s := &stmt{c: &cursor{src: src, toks: st.toks}, line: st.line, kind: KindStatement}
	err := p.lexErrors(s)
	if err == nil {
		err = p.dispatch(s)
	}
	switch {
	case err == nil:
		for _, w := range s.warnings {
			p.warn(s.line, s.keyspace, s.name, "%s", w)
		}
	case errors.Is(err, errSystemKeyspace):
		if !p.reported[s.keyspace] {
			p.reported[s.keyspace] = true
			p.res.Skipped = append(p.res.Skipped, Skipped{Line: s.line, Kind: KindKeyspace, Keyspace: s.keyspace,
				Reason: "system keyspace: managed by Cassandra itself (this and every later statement about it are skipped)"})
		}
	default:
		p.res.Skipped = append(p.res.Skipped, Skipped{Line: s.line, Kind: s.kind, Keyspace: s.keyspace, Name: s.name, Reason: err.Error()})
		p.trackObject(s)
	}
}

// lexErrors fails for a statement holding a lexical error (an unterminated string, bad UTF-8).
func (p *parser) lexErrors(s *stmt) error {
	for _, t := range s.c.toks {
		if t.kind == tokError {
			return &syntaxError{line: t.line, msg: t.text}
		}
	}
	return nil
}

// dispatch applies one statement according to its first keywords.
func (p *parser) dispatch(s *stmt) error {
	c := s.c
	switch {
	case c.acceptKeyword("create"):
		s.verb = "create"
		if c.peekKeyword("index") || c.peekKeyword("custom", "index") {
			return p.createIndex(s)
		}
		if apply := c.byKind(p.createKeyspace, p.createTable, p.createType, nil); apply != nil {
			return apply(s)
		}
		return p.skipCreate(s)
	case c.acceptKeyword("alter"):
		s.verb = "alter"
		if apply := c.byKind(p.alterKeyspace, p.alterTable, p.alterType, nil); apply != nil {
			return apply(s)
		}
		return p.skipOther(s, "ALTER")
	case c.acceptKeyword("drop"):
		s.verb = "drop"
		if apply := c.byKind(p.dropKeyspace, p.dropTable, p.dropType, p.dropIndex); apply != nil {
			return apply(s)
		}
		return p.skipOther(s, "DROP")
	case c.acceptKeyword("use"):
		return p.use(s)
	}
	return p.skipOther(s, "")
}

// byKind consumes the keyword of the kind of object a statement is about (KEYSPACE or its synonym
// SCHEMA, TABLE or its synonym COLUMNFAMILY, TYPE, and INDEX when index is not nil) and returns
// the function that applies the statement to that kind; nil for any other word.
func (c *cursor) byKind(keyspace, table, typ, index func(*stmt) error) func(*stmt) error {
	switch {
	case c.acceptKeyword("keyspace"), c.acceptKeyword("schema"):
		return keyspace
	case c.acceptKeyword("table"), c.acceptKeyword("columnfamily"):
		return table
	case c.acceptKeyword("type"):
		return typ
	case index != nil && c.acceptKeyword("index"):
		return index
	}
	return nil
}

// use applies USE keyspace: unqualified names of later statements are in that keyspace.
func (p *parser) use(s *stmt) error {
	name, err := s.c.ident("keyspace")
	if err != nil {
		return err
	}
	if err := s.c.expectEnd(); err != nil {
		return err
	}
	s.keyspace = name
	p.current = name
	if IsSystemKeyspace(name) {
		return errSystemKeyspace
	}
	return nil
}

// resolve returns the keyspace of a possibly qualified name and records it in s; it fails for a
// system keyspace and for an unqualified name before any USE.
func (p *parser) resolve(s *stmt, qualifier string) (string, error) {
	ks := qualifier
	if ks == "" {
		if p.current == "" {
			return "", fmt.Errorf("no keyspace: qualify the name (keyspace.name) or USE a keyspace first")
		}
		ks = p.current
	}
	s.keyspace = ks
	if IsSystemKeyspace(ks) {
		return ks, errSystemKeyspace
	}
	return ks, nil
}

// lookup returns the keyspace of that name, or nil.
func (p *parser) lookup(name string) *introspect.KeyspaceSchema { return p.res.Keyspace(name) }

// ensure returns the keyspace of that name, creating it with an unknown replication when the
// text has not created it (Parse warns about those that stay so).
func (p *parser) ensure(s *stmt, name string) *introspect.KeyspaceSchema {
	if ks := p.lookup(name); ks != nil {
		return ks
	}
	ks := newKeyspace(name)
	ks.DurableWrites = true
	p.res.Keyspaces = append(p.res.Keyspaces, ks)
	p.implicit[name] = s.line
	return ks
}

// keyspaceSchema is the result of parsing a keyspace: exactly what introspect reads live.
type keyspaceSchema = introspect.KeyspaceSchema

func newKeyspace(name string) *introspect.KeyspaceSchema {
	return &introspect.KeyspaceSchema{
		Name:        name,
		Tables:      map[string]*introspect.Table{},
		Types:       map[string]*introspect.UserType{},
		IndexTables: map[string]string{},
	}
}

func (p *parser) warn(line int, keyspace, name, format string, args ...any) {
	p.res.Warnings = append(p.res.Warnings, Warning{Line: line, Keyspace: keyspace, Name: name, Message: fmt.Sprintf(format, args...)})
}
