package backfill

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// TokenRange is a split of the Murmur3 ring: the tokens t with Start < t <= End. Murmur3 never
// gives a key the token math.MinInt64, so the first split's exclusive start loses nothing.
type TokenRange struct {
	Start, End int64
}

// Ranges cuts the ring into n equal ranges, in token order.
func Ranges(n int) []TokenRange {
	out := make([]TokenRange, n)
	width := math.MaxUint64 / uint64(n)
	start := int64(math.MinInt64)
	for i := range out {
		end := int64(uint64(start) + width)
		if i == n-1 {
			end = math.MaxInt64
		}
		out[i] = TokenRange{Start: start, End: end}
		start = end
	}
	return out
}

// Set is a set of split indexes, written as sorted ranges ("0-127,130"): compact in status
// however many splits are done.
type Set struct {
	m map[int]bool
}

// ParseSet reads a Set written by String. n is the number of splits: an index outside [0, n) is
// an error.
func ParseSet(s string, n int) (Set, error) {
	out := Set{m: map[int]bool{}}
	if s == "" {
		return out, nil
	}
	for part := range strings.SplitSeq(s, ",") {
		lo, hi, isRange := strings.Cut(part, "-")
		a, err := strconv.Atoi(lo)
		if err != nil {
			return Set{}, fmt.Errorf("split set %q: %q is not a number", s, lo)
		}
		b := a
		if isRange {
			if b, err = strconv.Atoi(hi); err != nil {
				return Set{}, fmt.Errorf("split set %q: %q is not a number", s, hi)
			}
		}
		if a < 0 || b < a || b >= n {
			return Set{}, fmt.Errorf("split set %q: %q is outside the %d splits", s, part, n)
		}
		for i := a; i <= b; i++ {
			out.m[i] = true
		}
	}
	return out, nil
}

// Has reports whether i is in the set.
func (s Set) Has(i int) bool { return s.m[i] }

// Add puts i in the set.
func (s *Set) Add(i int) {
	if s.m == nil {
		s.m = map[int]bool{}
	}
	s.m[i] = true
}

// Remove takes i out of the set.
func (s *Set) Remove(i int) { delete(s.m, i) }

// Len is the number of indexes in the set.
func (s Set) Len() int { return len(s.m) }

// Union adds every index of o.
func (s *Set) Union(o Set) {
	for i := range o.m {
		s.Add(i)
	}
}

// Sorted lists the indexes in order.
func (s Set) Sorted() []int {
	out := make([]int, 0, len(s.m))
	for i := range s.m {
		out = append(out, i)
	}
	slices.Sort(out)
	return out
}

// Clone is a copy of the set.
func (s Set) Clone() Set {
	var out Set
	out.Union(s)
	return out
}

// String writes the set as sorted ranges: "0-3,7,9-10".
func (s Set) String() string {
	var b strings.Builder
	idx := s.Sorted()
	for i := 0; i < len(idx); {
		j := i
		for j+1 < len(idx) && idx[j+1] == idx[j]+1 {
			j++
		}
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.Itoa(idx[i]))
		if j > i {
			b.WriteByte('-')
			b.WriteString(strconv.Itoa(idx[j]))
		}
		i = j + 1
	}
	return b.String()
}

// Share is the part of the splits one worker owns: split s when s mod Of = Index.
type Share struct {
	Index, Of int
}

// All is the share of a single worker.
var All = Share{Index: 0, Of: 1}

// ParseShare reads "i/n" (0 <= i < n).
func ParseShare(s string) (Share, error) {
	a, b, ok := strings.Cut(s, "/")
	i, err1 := strconv.Atoi(a)
	n, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil || n < 1 || i < 0 || i >= n {
		return Share{}, fmt.Errorf("split share %q: want i/n with 0 <= i < n, for example 0/3", s)
	}
	return Share{Index: i, Of: n}, nil
}

// Owns reports whether the share owns split s.
func (sh Share) Owns(s int) bool { return sh.Of <= 1 || s%sh.Of == sh.Index }

func (sh Share) String() string { return fmt.Sprintf("%d/%d", sh.Index, sh.Of) }
