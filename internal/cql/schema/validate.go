package schema

// validate applies the rules Cassandra checks when it prepares a parsed type
// (CQL3Type.Raw.RawCollection.prepare, RawTuple.prepare) and returns the first violation, or "".
// Each collection checks only its direct parameters, as Cassandra does; deeper ones are checked
// when the walk reaches them.
func validate(t Type) string {
	switch t.Kind {
	case KindList, KindSet, KindMap:
		values := t.Params[len(t.Params)-1]
		if msg := checkCollectionParam(t, values); msg != "" {
			return msg
		}
		if t.Kind == KindSet && values.IsDuration() {
			return "durations are not allowed inside sets: " + t.String()
		}
		if t.Kind == KindMap {
			keys := t.Params[0]
			if msg := checkCollectionParam(t, keys); msg != "" {
				return msg
			}
			if keys.IsDuration() {
				return "durations are not allowed as map keys: " + t.String()
			}
		}
	case KindTuple:
		for _, p := range t.Params {
			if p.IsCounter() {
				return "counters are not allowed inside tuples: " + t.String()
			}
		}
	case KindVector:
		// Cassandra 5.0 itself accepts vector<counter, N>; a counter vector is meaningless.
		if t.Params[0].IsCounter() {
			return "counters are not allowed inside vectors: " + t.String()
		}
	}
	for _, p := range t.Params {
		if msg := validate(p); msg != "" {
			return msg
		}
	}
	return ""
}

func checkCollectionParam(coll, p Type) string {
	if p.IsCounter() {
		return "counters are not allowed inside collections: " + coll.String()
	}
	if coll.Frozen {
		return "" // a frozen collection froze its parameters
	}
	switch {
	case p.IsCollection():
		return "non-frozen collections are not allowed inside collections: " + coll.String() +
			" (write frozen<" + p.String() + ">)"
	case p.Kind == KindUDT && !p.Frozen:
		return "non-frozen user-defined types are not allowed inside collections: " + coll.String() +
			" (write frozen<" + p.String() + ">)"
	}
	return ""
}
