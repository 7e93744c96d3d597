// Package render is the one place where CQL text is built from user input.
//
// Every identifier that reaches Cassandra goes through [Ident] (always double-quoted, so that the
// name is stored exactly as given: Cassandra folds unquoted identifiers to lower case), and every
// value goes through one of the literal functions ([String], [Bool], [Int], [Float], [StringMap]).
// Statement builders such as [CreateKeyspace] are assembled only from those pieces, so no string
// taken from a user is ever spliced into a statement unquoted or unescaped.
//
// The package is pure: no I/O, no driver, no Kubernetes types. Callers validate names and values
// (non-empty names, allowed strategies, ...) before rendering; render only guarantees that whatever
// it is given comes out as a single, correctly escaped CQL token.
package render
