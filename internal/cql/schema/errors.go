package schema

import "fmt"

// ParseError is the error of [ParseType] and [Normalize]: what is wrong with which text, and
// where when the problem is at one place of the text.
type ParseError struct {
	// Input is the type text as given.
	Input string
	// Offset is the byte offset in Input where the problem was found, or -1 when the problem is
	// with the type as a whole (for example a non-frozen collection inside a collection).
	Offset int
	// Msg says what is wrong, e.g. `map takes 2 type parameters (map<K, V>), got 1`.
	Msg string
}

func (e *ParseError) Error() string {
	if e.Offset >= 0 {
		return fmt.Sprintf("invalid CQL type %q: %s (at offset %d)", e.Input, e.Msg, e.Offset)
	}
	return fmt.Sprintf("invalid CQL type %q: %s", e.Input, e.Msg)
}

// UnknownTypeError is the error of [Type.CheckUDTs] for a name that is neither a CQL type nor a
// user-defined type of the keyspace.
type UnknownTypeError struct {
	// Name is the user-defined type name as referenced (exact, unquoted).
	Name string
	// Suggestion is a native type the name is close to ("text" for "txet"), or "".
	Suggestion string
}

func (e *UnknownTypeError) Error() string {
	if e.Suggestion != "" {
		return fmt.Sprintf("unknown type %q (not a CQL type nor a user-defined type of the keyspace; did you mean %s?)", e.Name, e.Suggestion)
	}
	return fmt.Sprintf("unknown type %q (not a CQL type nor a user-defined type of the keyspace)", e.Name)
}

// UnknownType is the *UnknownTypeError for a type name the keyspace does not have, with the
// native type it is a likely misspelling of, if any.
func UnknownType(name string) *UnknownTypeError {
	return &UnknownTypeError{Name: name, Suggestion: suggestNative(name)}
}
