package ddl

import (
	"maps"
	"slices"

	"github.com/cqlsync/cqlsync/internal/cql/introspect"
)

// otherOptions are a table's options outside introspect.TableOptions, as the text sets them.
type otherOptions struct {
	allowAutoSnapshot, incrementalBackups *bool
	memtable                              string
	extensions                            []string
}

// setBool records allow_auto_snapshot or incremental_backups.
func (o *otherOptions) setBool(name string, b bool) {
	if name == introspect.OptionAllowAutoSnapshot {
		o.allowAutoSnapshot = &b
	} else {
		o.incrementalBackups = &b
	}
}

// set records memtable (a string) or extensions (a map, of which only the names are kept). A value
// of another form is ignored, as the parser always did with these options.
func (o *otherOptions) set(pr property) {
	switch {
	case pr.name == introspect.OptionMemtable && !pr.val.isMap:
		o.memtable = pr.val.raw
	case pr.name == introspect.OptionExtensions && pr.val.isMap:
		o.extensions = slices.Clone(pr.val.keys)
	}
}

// otherOptionsOf returns a copy of the table's options outside TableOptions, for ALTER TABLE to
// change and keep only if the statement applies.
func (p *parser) otherOptionsOf(t *introspect.Table) otherOptions {
	if o := p.others[t]; o != nil {
		return *o
	}
	return otherOptions{}
}

// unmanagedKinds are the kinds of skipped statements whose objects Result.Unmanaged lists.
var unmanagedKinds = []string{KindView, KindFunction, KindAggregate, KindTrigger}

// trackObject records the view, function, aggregate or trigger that a skipped CREATE makes, and
// forgets it on DROP, so that Result.Unmanaged lists what exists after the text.
func (p *parser) trackObject(s *stmt) {
	if !slices.Contains(unmanagedKinds, s.kind) || s.keyspace == "" || s.name == "" {
		return
	}
	byKind := p.objects[s.keyspace]
	if byKind == nil {
		byKind = map[string]map[string]bool{}
		p.objects[s.keyspace] = byKind
	}
	if byKind[s.kind] == nil {
		byKind[s.kind] = map[string]bool{}
	}
	switch s.verb {
	case "create":
		byKind[s.kind][s.name] = true
	case "drop":
		delete(byKind[s.kind], s.name)
	}
}

// unmanaged builds Result.Unmanaged for the keyspaces of the result.
func (p *parser) unmanaged() map[string]*introspect.Unmanaged {
	out := map[string]*introspect.Unmanaged{}
	for _, ks := range p.res.Keyspaces {
		u := &introspect.Unmanaged{}
		names := func(kind string) []string {
			if n := slices.Sorted(maps.Keys(p.objects[ks.Name][kind])); len(n) > 0 {
				return n
			}
			return nil
		}
		u.Views, u.Functions, u.Aggregates, u.Triggers = names(KindView), names(KindFunction), names(KindAggregate), names(KindTrigger)
		for name, t := range ks.Tables {
			o := p.others[t]
			if o == nil {
				continue
			}
			if opts := introspect.UnmanagedTableOptions(o.allowAutoSnapshot, o.incrementalBackups, o.memtable, o.extensions); opts != nil {
				if u.TableOptions == nil {
					u.TableOptions = map[string]map[string]string{}
				}
				u.TableOptions[name] = opts
			}
		}
		if !u.Empty() {
			out[ks.Name] = u
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}
