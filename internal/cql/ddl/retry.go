package ddl

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
)

// The forms of a speculative retry policy (speculative_retry, additional_write_policy), as the
// patterns of Cassandra's PercentileSpeculativeRetryPolicy, FixedSpeculativeRetryPolicy and
// HybridSpeculativeRetryPolicy (all case-insensitive).
var (
	percentileRetry = regexp.MustCompile(`(?i)^([0-9.]+)p(ercentile)?$`)
	fixedRetry      = regexp.MustCompile(`(?i)^([0-9.]+)ms$`)
	hybridRetry     = regexp.MustCompile(`(?i)^(MIN|MAX)\(([0-9.]+[a-z]+)\s*,\s*([0-9.]+[a-z]+)\)$`)
)

// normalizeRetry returns a speculative retry policy as Cassandra stores it, the toString() of the
// policy SpeculativeRetryPolicy.fromString builds:
//
//   - ALWAYS; NEVER (also for NONE), in any case;
//   - a percentile, 99PERCENTILE or 99.5p, as DecimalFormat("#.####") prints it plus "p" (99p,
//     99.5p; 99.123456p is 99.1235p), strictly between 0 and 100;
//   - a fixed delay, 50MS or 42.5ms, truncated to whole milliseconds (50ms, 42ms);
//   - MIN(a,b) or MAX(a,b) of a percentile and a fixed delay in either order, printed upper-case
//     with the percentile first and no spaces: MIN(99p,50ms).
func normalizeRetry(s string) (string, error) {
	switch {
	case strings.EqualFold(s, "ALWAYS"):
		return "ALWAYS", nil
	case strings.EqualFold(s, "NEVER"), strings.EqualFold(s, "NONE"):
		return "NEVER", nil
	}
	if v, ok, err := percentile(s); ok {
		return v, err
	}
	if v, ok, err := fixedDelay(s); ok {
		return v, err
	}
	if m := hybridRetry.FindStringSubmatch(s); m != nil {
		p1, isP1, err1 := percentile(m[2])
		p2, isP2, err2 := percentile(m[3])
		f1, isF1, err3 := fixedDelay(m[2])
		f2, isF2, err4 := fixedDelay(m[3])
		for _, err := range []error{err1, err2, err3, err4} {
			if err != nil {
				return "", err
			}
		}
		fn := strings.ToUpper(m[1])
		switch {
		case isP1 && isF2:
			return fn + "(" + p1 + "," + f2 + ")", nil
		case isF1 && isP2:
			return fn + "(" + p2 + "," + f1 + ")", nil
		case isP1 && isP2, isF1 && isF2:
			return "", fmt.Errorf("invalid speculative retry policy '%s': MIN()/MAX() arguments should be of different types", s)
		}
	}
	return "", fmt.Errorf("invalid speculative retry policy '%s': expected ALWAYS, NEVER, a percentile (99p), a delay (50ms) or MIN/MAX of a percentile and a delay", s)
}

// percentile parses a percentile policy; ok reports whether s has that form at all.
func percentile(s string) (norm string, ok bool, err error) {
	m := percentileRetry.FindStringSubmatch(s)
	if m == nil {
		return "", false, nil
	}
	v, perr := strconv.ParseFloat(m[1], 64)
	if perr != nil || v <= 0 || v >= 100 {
		return "", true, fmt.Errorf("invalid speculative retry percentile '%s': must be between 0 and 100, both excluded", s)
	}
	return decimalFormat4(v) + "p", true, nil
}

// fixedDelay parses a fixed delay policy; ok reports whether s has that form at all.
func fixedDelay(s string) (norm string, ok bool, err error) {
	m := fixedRetry.FindStringSubmatch(s)
	if m == nil {
		return "", false, nil
	}
	v, perr := strconv.ParseFloat(m[1], 64)
	if perr != nil {
		return "", true, fmt.Errorf("invalid speculative retry delay '%s'", s)
	}
	// Java's (int) cast of a double: toward zero, saturating.
	ms := int64(math.MaxInt32)
	if v < math.MaxInt32 {
		ms = int64(v)
	}
	return strconv.FormatInt(ms, 10) + "ms", true, nil
}
