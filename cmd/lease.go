package main

import (
	"fmt"
	"time"
)

// leaseTimings are the leader election's timings (the --leader-elect-* flags), with
// controller-runtime's defaults.
type leaseTimings struct {
	duration, renewDeadline, retryPeriod time.Duration
}

// validate refuses timings the election cannot work with: the leader must give up before its
// Lease expires, and retry more than once before it gives up.
func (l leaseTimings) validate() error {
	switch {
	case l.retryPeriod <= 0 || l.renewDeadline <= 0 || l.duration <= 0:
		return fmt.Errorf("--leader-elect-lease-duration, --leader-elect-renew-deadline and --leader-elect-retry-period must be positive (got %s, %s, %s)", l.duration, l.renewDeadline, l.retryPeriod)
	case l.renewDeadline >= l.duration:
		return fmt.Errorf("--leader-elect-renew-deadline (%s) must be less than --leader-elect-lease-duration (%s)", l.renewDeadline, l.duration)
	case l.retryPeriod >= l.renewDeadline:
		return fmt.Errorf("--leader-elect-retry-period (%s) must be less than --leader-elect-renew-deadline (%s)", l.retryPeriod, l.renewDeadline)
	}
	return nil
}
