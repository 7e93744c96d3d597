// Package controllers wires cqlsync's reconcilers into a manager: Setup registers the field
// indexes (engine.RegisterIndexes), the connection reconcilers (package connection) and the
// schema kinds' reconcilers (package schemakind). The manager binary and the test suites call the
// same Setup, so tests run exactly the production wiring. What every reconciler shares around its
// work is in package skeleton; the schema pipeline itself is internal/engine.
package controllers
