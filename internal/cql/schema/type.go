package schema

// Kind is the kind of a CQL type.
type Kind uint8

// The kinds of CQL types.
const (
	KindNative Kind = iota + 1 // ascii, int, text, ...
	KindList                   // list<E>
	KindSet                    // set<E>
	KindMap                    // map<K, V>
	KindTuple                  // tuple<A, B, ...>, always frozen
	KindVector                 // vector<E, N>, always a single cell
	KindUDT                    // a user-defined type reference
)

var kindNames = [...]string{KindNative: "native", KindList: "list", KindSet: "set", KindMap: "map", KindTuple: "tuple", KindVector: "vector", KindUDT: "udt"}

// String returns the lower-case name of k.
func (k Kind) String() string {
	if int(k) < len(kindNames) && kindNames[k] != "" {
		return kindNames[k]
	}
	return "invalid"
}

// Type is a parsed CQL type. Build one with [ParseType]; a Type built by hand must respect the
// invariants ParseType establishes (parameter counts, freezing) for String to be meaningful.
type Type struct {
	Kind Kind
	// Name is the canonical native type name ("text" for varchar), the exact name of a
	// user-defined type (case kept, unquoted), or the keyword of other kinds ("list", "map", ...).
	Name string
	// Keyspace is the keyspace qualifier of a user-defined type reference as written ("" when
	// unqualified), case-folded as Cassandra does. It is not part of the normal form: Cassandra
	// reports the type without it, and a table may only use types of its own keyspace.
	Keyspace string
	// Params are the element types: one for a list, set or vector, key and value for a map, the
	// fields of a tuple, none otherwise.
	Params []Type
	// Frozen is set on frozen collections and frozen user-defined types, and always on tuples and
	// vectors, which Cassandra stores as a single cell.
	Frozen bool
	// VectorDim is the dimension of a vector.
	VectorDim int
}

// IsCounter reports whether t is the counter type.
func (t Type) IsCounter() bool { return t.Kind == KindNative && t.Name == "counter" }

// IsDuration reports whether t is the duration type.
func (t Type) IsDuration() bool { return t.Kind == KindNative && t.Name == "duration" }

// IsCollection reports whether t is a non-frozen list, set or map.
func (t Type) IsCollection() bool { return isCollectionKind(t.Kind) && !t.Frozen }

// IsFrozen reports whether t is stored as a single cell although it has parts: a frozen
// collection, a frozen user-defined type, a tuple or a vector. Native types report false.
func (t Type) IsFrozen() bool {
	switch t.Kind {
	case KindList, KindSet, KindMap, KindUDT:
		return t.Frozen
	case KindTuple, KindVector:
		return true
	}
	return false
}

// IsMultiCell reports whether t is stored as several cells (a non-frozen collection or
// user-defined type); such a type cannot be part of a primary key.
func (t Type) IsMultiCell() bool { return (isCollectionKind(t.Kind) || t.Kind == KindUDT) && !t.Frozen }

// ContainsDuration reports whether t is or contains the duration type (which Cassandra does not
// allow in a primary key).
func (t Type) ContainsDuration() bool {
	if t.IsDuration() {
		return true
	}
	for _, p := range t.Params {
		if p.ContainsDuration() {
			return true
		}
	}
	return false
}

func isCollectionKind(k Kind) bool { return k == KindList || k == KindSet || k == KindMap }
