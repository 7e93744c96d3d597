package main

import (
	"strings"
	"testing"
	"time"
)

func TestLeaseTimings(t *testing.T) {
	s := time.Second
	for _, c := range []struct {
		l    leaseTimings
		want string // "" when valid
	}{
		{leaseTimings{15 * s, 10 * s, 2 * s}, ""},
		{leaseTimings{4 * s, 3 * s, s}, ""},
		{leaseTimings{10 * s, 10 * s, 2 * s}, "renew-deadline (10s) must be less than --leader-elect-lease-duration (10s)"},
		{leaseTimings{15 * s, 2 * s, 2 * s}, "retry-period (2s) must be less than --leader-elect-renew-deadline (2s)"},
		{leaseTimings{15 * s, 10 * s, 0}, "must be positive"},
	} {
		err := c.l.validate()
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%+v: %v", c.l, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%+v: got %v, want an error with %q", c.l, err, c.want)
		}
	}
}
