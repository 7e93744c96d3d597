package schema

import "slices"

// UDTs returns the names of the user-defined types t references, at any depth, each once, in the
// order they first appear. Names are exact (case kept, unquoted), as in system_schema.types.
func (t Type) UDTs() []string {
	var names []string
	t.collectUDTs(&names)
	return names
}

func (t Type) collectUDTs(names *[]string) {
	if t.Kind == KindUDT && !slices.Contains(*names, t.Name) {
		*names = append(*names, t.Name)
	}
	for _, p := range t.Params {
		p.collectUDTs(names)
	}
}

// CheckUDTs reports the first user-defined type t references for which exists returns false, as
// an *[UnknownTypeError]: this is how a misspelt type such as strnig is caught, since the parser
// cannot tell it from a user-defined type until the keyspace's types are known. It returns nil
// when every reference exists.
func (t Type) CheckUDTs(exists func(name string) bool) error {
	for _, name := range t.UDTs() {
		if !exists(name) {
			return UnknownType(name)
		}
	}
	return nil
}

// suggestNative returns the native type name closest to name when it is a likely misspelling
// (at most two edits away, and name is not much shorter than the suggestion), or "".
func suggestNative(name string) string {
	if len(name) < 3 {
		return ""
	}
	best, bestDist := "", 3
	for kw, canonical := range nativeTypes {
		if kw != canonical {
			continue // suggest "text", not its alias "varchar"
		}
		if d := editDistance(name, kw); d < bestDist || d == bestDist && kw < best {
			best, bestDist = kw, d
		}
	}
	return best
}

// editDistance is the Damerau–Levenshtein distance (optimal string alignment) between a and b,
// counting bytes: insertions, deletions, substitutions and swaps of neighbours cost one each.
func editDistance(a, b string) int {
	prev2 := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}
