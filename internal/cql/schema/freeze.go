package schema

// freeze returns t as Cassandra's CQL3Type.Raw.freeze() leaves it: a collection becomes frozen
// and freezes its own parameters recursively, a user-defined type becomes frozen, and tuples and
// vectors are returned unchanged (tuples froze their elements when they were built; vectors never
// freeze their element). Native types cannot be frozen; callers reject frozen<native> first and
// freeze leaves native parameters as they are.
func freeze(t Type) Type {
	switch t.Kind {
	case KindList, KindSet, KindMap:
		params := make([]Type, len(t.Params))
		for i, p := range t.Params {
			params[i] = freeze(p)
		}
		t.Params = params
		t.Frozen = true
	case KindUDT:
		t.Frozen = true
	}
	return t
}
