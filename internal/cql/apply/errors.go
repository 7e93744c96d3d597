package apply

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	gocql "github.com/apache/cassandra-gocql-driver/v2"

	"github.com/cqlsync/cqlsync/internal/cql/plan"
)

// DisagreementError: the reachable nodes of the cluster report more than one schema version.
type DisagreementError struct {
	// After is the statement that ran before agreement was awaited; nil when the cluster already
	// disagreed before any statement ran.
	After *plan.Statement
	// Waited is how long agreement was awaited (0 for the check before DDL).
	Waited time.Duration
	// Versions are the distinct schema versions of the reachable nodes at the last check.
	Versions []string
}

func (e *DisagreementError) Error() string {
	if e.After == nil {
		return fmt.Sprintf("the reachable nodes disagree on the schema version (%s); no DDL was run",
			strings.Join(e.Versions, ", "))
	}
	return fmt.Sprintf("after %s, the reachable nodes did not agree on the schema version within %s (%s)",
		e.After.Summary, e.Waited, strings.Join(e.Versions, ", "))
}

// UnknownDatacenterError: Cassandra refused a NetworkTopologyStrategy datacenter that the cluster
// does not have.
type UnknownDatacenterError struct {
	// Datacenter is the name Cassandra refused.
	Datacenter string
	// Known are the cluster's datacenters (empty if they could not be read).
	Known []string
	// Err is Cassandra's error.
	Err error
}

func (e *UnknownDatacenterError) Error() string {
	known := "could not be read"
	if len(e.Known) > 0 {
		known = strings.Join(e.Known, ", ")
	}
	return fmt.Sprintf("datacenter %q does not exist in this cluster (its datacenters: %s)", e.Datacenter, known)
}

func (e *UnknownDatacenterError) Unwrap() error { return e.Err }

// StatementError: Cassandra refused a statement or did not answer.
type StatementError struct {
	Statement plan.Statement
	Err       error
}

func (e *StatementError) Error() string { return e.Statement.Summary + ": " + e.Err.Error() }
func (e *StatementError) Unwrap() error { return e.Err }

// unknownDCMessage is how Cassandra 5.0 refuses a datacenter it does not know, from
// AbstractReplicationStrategy.validateExpectedOptions, as a ConfigurationException (error code
// 0x2300): "Unrecognized strategy option {dc9} passed to NetworkTopologyStrategy for keyspace ks".
var unknownDCMessage = regexp.MustCompile(`^Unrecognized strategy option \{(.*)\} passed to (?:org\.apache\.cassandra\.locator\.)?NetworkTopologyStrategy for keyspace `)

// UnknownDatacenter reports whether err is Cassandra refusing a NetworkTopologyStrategy datacenter
// it does not know, and which.
func UnknownDatacenter(err error) (string, bool) {
	var reqErr gocql.RequestError
	if !errors.As(err, &reqErr) || reqErr.Code() != gocql.ErrCodeConfig {
		return "", false
	}
	m := unknownDCMessage.FindStringSubmatch(reqErr.Message())
	if m == nil {
		return "", false
	}
	return m[1], true
}
