package backfill

import (
	"math"
	"math/big"
	"slices"
	"strings"
	"testing"
)

func TestRangesCoverTheRing(t *testing.T) {
	for _, n := range []int{1, 2, 3, 7, 256, 65536} {
		rs := Ranges(n)
		if len(rs) != n {
			t.Fatalf("Ranges(%d) has %d ranges", n, len(rs))
		}
		if rs[0].Start != math.MinInt64 {
			t.Errorf("Ranges(%d)[0].Start = %d, want math.MinInt64", n, rs[0].Start)
		}
		if rs[n-1].End != math.MaxInt64 {
			t.Errorf("Ranges(%d)[%d].End = %d, want math.MaxInt64", n, n-1, rs[n-1].End)
		}
		// The widths (exclusive start, inclusive end) add up to the whole ring, MaxUint64 tokens
		// after math.MinInt64, and no range is empty or reversed.
		total := new(big.Int)
		minW, maxW := new(big.Int), new(big.Int)
		for i, r := range rs {
			if r.End <= r.Start {
				t.Fatalf("Ranges(%d)[%d] = %+v: empty or reversed", n, i, r)
			}
			if i+1 < n && r.End != rs[i+1].Start {
				t.Fatalf("Ranges(%d)[%d].End = %d, next Start = %d: a gap or an overlap", n, i, r.End, rs[i+1].Start)
			}
			w := new(big.Int).Sub(big.NewInt(r.End), big.NewInt(r.Start))
			total.Add(total, w)
			if i == 0 || w.Cmp(minW) < 0 {
				minW.Set(w)
			}
			if i == 0 || w.Cmp(maxW) > 0 {
				maxW.Set(w)
			}
		}
		if want := new(big.Int).SetUint64(math.MaxUint64); total.Cmp(want) != 0 {
			t.Errorf("Ranges(%d) covers %s tokens, want %s", n, total, want)
		}
		// Equal ranges: the last one takes the remainder, less than n tokens.
		if d := new(big.Int).Sub(maxW, minW); d.Cmp(big.NewInt(int64(n))) >= 0 {
			t.Errorf("Ranges(%d): widths from %s to %s, not equal", n, minW, maxW)
		}
	}
}

func TestRangesContainEveryToken(t *testing.T) {
	rs := Ranges(7)
	for _, tok := range []int64{math.MinInt64 + 1, -1, 0, 1, math.MaxInt64 - 1, math.MaxInt64, rs[3].End, rs[3].End + 1} {
		n := 0
		for _, r := range rs {
			if r.Start < tok && tok <= r.End {
				n++
			}
		}
		if n != 1 {
			t.Errorf("token %d is in %d ranges, want 1", tok, n)
		}
	}
}

func TestSetRoundTrip(t *testing.T) {
	for _, c := range []struct {
		in   []int
		text string
	}{
		{nil, ""},
		{[]int{0}, "0"},
		{[]int{0, 1, 2, 3, 7, 9, 10}, "0-3,7,9-10"},
		{[]int{10, 9, 7, 3, 2, 1, 0}, "0-3,7,9-10"},
		{[]int{1, 3, 5}, "1,3,5"},
		{[]int{4, 5}, "4-5"},
		{[]int{0, 2, 3, 4, 255}, "0,2-4,255"},
	} {
		var s Set
		for _, i := range c.in {
			s.Add(i)
		}
		if got := s.String(); got != c.text {
			t.Errorf("Set%v.String() = %q, want %q", c.in, got, c.text)
		}
		p, err := ParseSet(c.text, 256)
		if err != nil {
			t.Fatalf("ParseSet(%q): %v", c.text, err)
		}
		if p.String() != c.text {
			t.Errorf("ParseSet(%q).String() = %q", c.text, p.String())
		}
		want := slices.Clone(c.in)
		slices.Sort(want)
		if got := p.Sorted(); !slices.Equal(got, want) {
			t.Errorf("ParseSet(%q).Sorted() = %v, want %v", c.text, got, want)
		}
		if p.Len() != len(c.in) {
			t.Errorf("ParseSet(%q).Len() = %d, want %d", c.text, p.Len(), len(c.in))
		}
	}
	s, err := ParseSet("0-3,7,9-10", 11)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 12 {
		want := i <= 3 || i == 7 || i == 9 || i == 10
		if s.Has(i) != want {
			t.Errorf("Has(%d) = %v, want %v", i, s.Has(i), want)
		}
	}
}

func TestParseSetErrors(t *testing.T) {
	for _, c := range []struct {
		in, want string
	}{
		{"4", "outside the 4 splits"},
		{"0-4", "outside the 4 splits"},
		{"2,9", "outside the 4 splits"},
		{"-1", "not a number"}, // "-1" reads as the range "" - "1"
		{"3-1", "outside"},     // reversed
		{"a", "not a number"},
		{"1-b", "not a number"},
		{"1-", "not a number"},
		{"1,,2", "not a number"},
		{"1-2-3", "not a number"},
		{" 1", "not a number"},
		{"1.5", "not a number"},
	} {
		s, err := ParseSet(c.in, 4)
		if err == nil {
			t.Errorf("ParseSet(%q, 4) = %v, want an error", c.in, s)
			continue
		}
		if !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), c.in) {
			t.Errorf("ParseSet(%q, 4) error %q, want it to name the set and say %q", c.in, err, c.want)
		}
	}
}

func TestSetOperations(t *testing.T) {
	var zero Set
	if zero.Has(0) || zero.Len() != 0 || zero.String() != "" {
		t.Errorf("the zero Set is not empty: %q", zero.String())
	}
	zero.Remove(3) // no panic on a nil map

	var a Set
	a.Add(1)
	a.Add(2)
	a.Add(2)
	var b Set
	b.Add(5)
	b.Add(2)
	c := a.Clone()
	c.Union(b)
	if c.String() != "1-2,5" || a.String() != "1-2" {
		t.Errorf("union = %q, original %q; want 1-2,5 and 1-2 (a clone is independent)", c.String(), a.String())
	}
	c.Remove(2)
	if c.String() != "1,5" || c.Has(2) || c.Len() != 2 {
		t.Errorf("after Remove(2): %q", c.String())
	}
	if a.String() != "1-2" {
		t.Errorf("Remove on a clone changed the original: %q", a.String())
	}
}

func TestParseShare(t *testing.T) {
	for _, c := range []struct {
		in   string
		want Share
	}{
		{"0/3", Share{0, 3}},
		{"2/3", Share{2, 3}},
		{"0/1", All},
	} {
		got, err := ParseShare(c.in)
		if err != nil || got != c.want {
			t.Errorf("ParseShare(%q) = %v, %v; want %v", c.in, got, err, c.want)
		}
		if got.String() != c.in {
			t.Errorf("ParseShare(%q).String() = %q", c.in, got.String())
		}
	}
	for _, in := range []string{"3/3", "4/3", "a/b", "1/b", "a/2", "-1/2", "1", "", "/", "0/0", "0/-1", "1/2/3", " 0/3"} {
		if got, err := ParseShare(in); err == nil {
			t.Errorf("ParseShare(%q) = %v, want an error", in, got)
		} else if !strings.Contains(err.Error(), "0 <= i < n") {
			t.Errorf("ParseShare(%q) error %q does not say what is wanted", in, err)
		}
	}
}

func TestShareOwns(t *testing.T) {
	for s := range 10 {
		if !All.Owns(s) {
			t.Errorf("All does not own split %d", s)
		}
	}
	// The shares i/3 partition the splits: each split has exactly one owner, s mod 3.
	for s := range 20 {
		owners := 0
		for i := range 3 {
			sh := Share{Index: i, Of: 3}
			if sh.Owns(s) {
				owners++
				if s%3 != i {
					t.Errorf("%v owns split %d", sh, s)
				}
			}
		}
		if owners != 1 {
			t.Errorf("split %d has %d owners among 0/3, 1/3, 2/3", s, owners)
		}
	}
	if (Share{Index: 1, Of: 3}).Owns(3) || !(Share{Index: 1, Of: 3}).Owns(4) {
		t.Errorf("1/3 must own 4, not 3")
	}
}
