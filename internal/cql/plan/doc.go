// Package plan compares a desired schema object with the live one (as read by package
// introspect) and returns the ordered statements that make the live schema match, or nothing when
// it already does.
//
// It is pure: no I/O, no driver, no Kubernetes types. All CQL text comes from package render. Each
// statement carries what it changes, so that a controller can report it (events, status) without
// parsing CQL.
package plan
