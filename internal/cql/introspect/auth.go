package introspect

import (
	"context"
	"errors"
	"fmt"
	"strings"

	gocql "github.com/apache/cassandra-gocql-driver/v2"
)

// Auth is how a cluster authenticates and authorizes clients, as the coordinator's settings say
// (system_views.settings, Cassandra 4.0 and later). A field is "" when it could not be read.
type Auth struct {
	Authenticator, Authorizer string
}

// WithoutAuthentication reports whether the cluster is known to run AllowAllAuthenticator: every
// client is anonymous, no role can log in, and Cassandra refuses CREATE ROLE from an anonymous
// client.
func (a Auth) WithoutAuthentication() bool {
	return strings.HasSuffix(a.Authenticator, "AllowAllAuthenticator")
}

// WithoutAuthorization reports whether the cluster is known to run AllowAllAuthorizer: Cassandra
// refuses GRANT.
func (a Auth) WithoutAuthorization() bool {
	return strings.HasSuffix(a.Authorizer, "AllowAllAuthorizer")
}

// String names both classes, short ("AllowAllAuthenticator, AllowAllAuthorizer").
func (a Auth) String() string {
	short := func(s string) string {
		if s == "" {
			return "unknown"
		}
		return s[strings.LastIndex(s, ".")+1:]
	}
	return fmt.Sprintf("authenticator %s, authorizer %s", short(a.Authenticator), short(a.Authorizer))
}

const selectSetting = `SELECT value FROM system_views.settings WHERE name = ?`

// ReadAuth reads the authenticator and authorizer of the node that answers (every node of a
// cluster should run the same). A setting the node does not list stays "".
func ReadAuth(ctx context.Context, s *gocql.Session) (Auth, error) {
	var a Auth
	for name, into := range map[string]*string{"authenticator": &a.Authenticator, "authorizer": &a.Authorizer} {
		err := s.Query(selectSetting, name).Idempotent(true).ScanContext(ctx, into)
		if err != nil && !errors.Is(err, gocql.ErrNotFound) {
			return Auth{}, fmt.Errorf("reading system_views.settings: %w", err)
		}
	}
	return a, nil
}
