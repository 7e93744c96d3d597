package backfill

import "errors"

// errNoDriver: the connection's session has no driver session (only a test dialer makes those).
var errNoDriver = errors.New("the connection's session has no driver session")
