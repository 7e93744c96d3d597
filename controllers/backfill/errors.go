package backfill

import (
	"errors"

	gocql "github.com/apache/cassandra-gocql-driver/v2"
)

// errNoDriver: the connection's session has no driver session (only a test dialer makes those).
var errNoDriver = errors.New("the connection's session has no driver session")

// errPaused: a worker's copy stopped because the Backfill was paused.
var errPaused = errors.New("the Backfill was paused")

// refusedByCassandra reports whether a copy's error is a statement Cassandra refused (invalid,
// a syntax error, unauthorized: the spec or the server must change, retrying changes nothing),
// rather than a cluster that did not answer.
func refusedByCassandra(err error) bool {
	var re gocql.RequestError
	if !errors.As(err, &re) {
		return false
	}
	switch re.Code() {
	case gocql.ErrCodeInvalid, gocql.ErrCodeSyntax, gocql.ErrCodeUnauthorized, gocql.ErrCodeConfig:
		return true
	}
	return false
}
