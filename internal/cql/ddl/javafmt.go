package ddl

import (
	"errors"
	"math"
	"strconv"
	"strings"
)

// decimalFormat4 formats v as Java's new DecimalFormat("#.####").format(v) does for the positive
// values it is used for: at most four decimals, rounded half to even, without trailing zeros or a
// trailing point (99.0 is "99", 99.123456 is "99.1235").
func decimalFormat4(v float64) string {
	s := strconv.FormatFloat(v, 'f', 4, 64)
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}

// javaDoubleString formats f as Java's Double.toString: decimal notation with at least one digit
// after the point when 1e-3 <= |f| < 1e7 (2.0, 1.1), computerised scientific notation otherwise
// (1.0E-5, 1.23456785E7).
func javaDoubleString(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	case f == 0:
		if math.Signbit(f) {
			return "-0.0"
		}
		return "0.0"
	}
	if a := math.Abs(f); a >= 1e-3 && a < 1e7 {
		s := strconv.FormatFloat(f, 'f', -1, 64)
		if !strings.Contains(s, ".") {
			s += ".0"
		}
		return s
	}
	mant, exp, _ := strings.Cut(strconv.FormatFloat(f, 'e', -1, 64), "e")
	if !strings.Contains(mant, ".") {
		mant += ".0"
	}
	n, _ := strconv.Atoi(exp)
	return mant + "E" + strconv.Itoa(n)
}

// parseJavaDouble parses a number as Java's Double.parseDouble does for the decimal forms CQL
// options use: surrounding whitespace is ignored, a trailing d/D/f/F type suffix is allowed, and
// NaN and Infinity are spelt that way only. An overflow is infinite, as in Java.
func parseJavaDouble(s string) (float64, error) {
	s = strings.TrimSpace(s)
	body := strings.TrimLeft(s, "+-")
	switch body {
	case "NaN", "Infinity":
		return strconv.ParseFloat(s, 64)
	}
	if n := len(s); n > 1 && strings.ContainsRune("dDfF", rune(s[n-1])) {
		s = s[:n-1]
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(isDigit(c) || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-') {
			return 0, errors.New("not a number")
		}
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil && errors.Is(err, strconv.ErrRange) {
		return f, nil
	}
	return f, err
}
