// Package schema parses CQL type text and normalises it to the exact text Cassandra 5.0 writes into
// system_schema.columns.type, so that a user's column type and the live one compare as plain strings.
//
// [ParseType] builds a small AST ([Type]) from any CQL type text a user may write: native types
// and their aliases, list/set/map, frozen<...>, tuple<...>, vector<T, N> and user-defined type
// references, with keywords in any case and whitespace anywhere. It applies the same implicit
// freezing and the same validity rules as Cassandra, and [Type.String] prints the normal form.
// [Type.CQL] prints the same type for use in DDL, with every user-defined type name quoted.
//
// # What the normal form follows
//
// Everything below was read in Apache Cassandra's source for the 5.0 line (cassandra-all 5.0.9,
// the version hack/cassandra runs; apache/cassandra branch cassandra-5.0) and checked by feeding
// each case through that release's own CQL type parser and AbstractType.asCQL3Type().toString():
//
//   - SchemaKeyspace.addColumnToSchemaMutation writes type.asCQL3Type().toString() (with a
//     ReversedType unwrapped first) into system_schema.columns.type.
//   - CQL3Type.Native.toString() is the lower-case enum name; varchar maps to UTF8Type, whose
//     CQL type is TEXT, so varchar is reported as text. There are no other aliases in 5.0.
//   - CQL3Type.Collection.toString(): "list<E>", "set<E>", "map<K, V>" (", " between
//     parameters), wrapped in "frozen<...>" when the collection is not multi-cell.
//   - CQL3Type.Tuple.toString() is toString(true): tuples are always reported as
//     "frozen<tuple<A, B>>", and CQL3Type.Raw.RawTuple freezes every element that can be frozen,
//     so tuple<int, list<int>> is reported as frozen<tuple<int, frozen<list<int>>>>.
//   - CQL3Type.UserDefined.toString() is ColumnIdentifier.maybeQuote(name), wrapped in
//     "frozen<...>" when frozen. The name is the type's own name without its keyspace (user types
//     can only be used in their own keyspace), so ks.address is reported as address. maybeQuote
//     leaves a name unquoted only if it matches [a-z][a-z0-9_]* and is not in
//     reserved_keywords.txt; otherwise it double-quotes it, doubling inner quotes ("MyType").
//   - CQL3Type.Vector.toString() is "vector<E, N>" and never says frozen, even for
//     frozen<vector<...>>; RawVector does not freeze its element, so vector<list<int>, 2> is
//     reported as it is.
//   - CQL3Type.Raw.RawCollection.freeze() freezes nested collections and user types recursively:
//     frozen<list<list<int>>> is reported as frozen<list<frozen<list<int>>>>.
//   - Errors follow RawCollection.prepare ("Non-frozen collections are not allowed inside
//     collections", "Non-frozen UDTs ...", "Counters are not allowed inside collections",
//     "Durations are not allowed inside sets" / "as map keys"), RawTuple.prepare ("Counters are
//     not allowed inside tuples"), Raw.freeze ("frozen<> is only allowed on collections, tuples,
//     and user-defined types") and VectorType ("vectors may only have positive dimensions").
//
// # Where this package is stricter than Cassandra
//
// These never change the normal form of a type Cassandra accepts from a user; they reject text
// that is useless or ambiguous as a column type:
//
//   - custom types written as string literals ('org.apache.cassandra.db.marshal.UTF8Type') are
//     rejected: Cassandra maps many of them back to CQL types (that one is reported as text), and
//     replicating its marshal-class parser is not worth it;
//   - counters inside vectors are rejected (Cassandra 5.0 accepts vector<counter, 2>);
//   - user type names that Cassandra would report unquoted but could not read back as a user type
//     are rejected: names of CQL types ("int", "map", ...) and the reserved type names byte,
//     complex, enum, interval, macaddr and bitstring;
//   - comments, trailing text (Cassandra ignores "list<int>>"'s last '>') and invalid UTF-8 are
//     rejected, and nesting is limited to [MaxDepth] levels.
//
// An unknown name such as strnig is syntactically a user-defined type reference, so ParseType
// accepts it; [Type.CheckUDTs] reports it as an unknown type once the keyspace's types are known.
package schema
