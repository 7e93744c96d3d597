package skeleton

import (
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestRetryAfter(t *testing.T) {
	now := time.Unix(10000, 0)
	cases := []struct {
		since time.Duration
		want  time.Duration
	}{
		{0, MinRetry},
		{4 * time.Second, MinRetry},
		{40 * time.Second, 10 * time.Second},
		{time.Hour, MaxRetry},
	}
	for _, tc := range cases {
		got := RetryAfter(metav1.NewTime(now.Add(-tc.since)), now)
		if got != tc.want {
			t.Errorf("failing for %s: retry after %s, want %s", tc.since, got, tc.want)
		}
	}
	if got := RetryAfter(metav1.Time{}, now); got != MinRetry {
		t.Errorf("no transition time: %s", got)
	}
}
