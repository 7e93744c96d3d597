package adopt

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
)

// namer holds the metadata.name of every resource of an import, per kind, computed at once so
// that collisions are resolved the same way whatever the order of the work.
type namer struct {
	keyspaces, types, tables map[string]string // id (see idOf) -> metadata.name
}

func newNamer(sources []Source) *namer {
	var ks, types, tables [][]string
	for _, src := range sources {
		s := src.Schema
		ks = append(ks, []string{s.Name})
		for name := range s.Types {
			types = append(types, []string{s.Name, name})
		}
		for name := range s.Tables {
			tables = append(tables, []string{s.Name, name})
		}
	}
	return &namer{keyspaces: uniqueNames(ks), types: uniqueNames(types), tables: uniqueNames(tables)}
}

func (n *namer) keyspace(ks string) string       { return n.keyspaces[idOf(ks)] }
func (n *namer) userType(ks, name string) string { return n.types[idOf(ks, name)] }
func (n *namer) table(ks, name string) string    { return n.tables[idOf(ks, name)] }

// idOf identifies an object by its exact CQL names (no CQL name holds a NUL).
func idOf(parts ...string) string { return strings.Join(parts, "\x00") }

// uniqueNames names each object, given by its CQL names (a keyspace; or a keyspace and a table or
// type): the DNS-1123 form of each name, joined by dots. Objects whose names fold to the same
// text are told apart: the one whose names are all lossless (see lossless) keeps it, the others
// get "-" and the start of a hash of their exact names. Hash prefixes grow, in a fixed order,
// until every name is unique, so the result depends only on the set of objects.
func uniqueNames(objects [][]string) map[string]string {
	slices.SortFunc(objects, func(a, b []string) int { return strings.Compare(idOf(a...), idOf(b...)) })
	base := map[string]string{}
	count := map[string]int{}
	for _, o := range objects {
		parts := make([]string, len(o))
		for i, p := range o {
			parts[i] = dnsPart(p)
		}
		b := strings.Join(parts, ".")
		base[idOf(o...)] = b
		count[b]++
	}
	out := map[string]string{}
	taken := map[string]bool{}
	// Names that need no hash first, so that a hashed name never takes one of theirs.
	for _, o := range objects {
		id := idOf(o...)
		if b := base[id]; count[b] == 1 || allLossless(o) {
			out[id], taken[b] = b, true
		}
	}
	for _, o := range objects {
		id := idOf(o...)
		if _, done := out[id]; done {
			continue
		}
		sum := sha256.Sum256([]byte(id))
		h := hex.EncodeToString(sum[:])
		for n := 6; ; n++ {
			if name := base[id] + "-" + h[:n]; !taken[name] || n == len(h) {
				out[id], taken[name] = name, true
				break
			}
		}
	}
	return out
}

// dnsPart is the DNS-1123 form of a CQL name: lower case, each character other than a-z and 0-9
// turned into '-', without '-' at either end; "x" when nothing is left (a name of underscores).
func dnsPart(name string) string {
	b := []byte(strings.ToLower(name))
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
			b[i] = '-'
		}
	}
	if s := strings.Trim(string(b), "-"); s != "" {
		return s
	}
	return "x"
}

// lossless reports whether the CQL name is the one its DNS-1123 form stands for by the API's own
// rule (metadata.name with "-" turned into "_"), i.e. folding lost nothing.
func lossless(name string) bool { return cqlv1.DefaultCQLName(dnsPart(name)) == name }

func allLossless(names []string) bool {
	for _, n := range names {
		if !lossless(n) {
			return false
		}
	}
	return true
}
