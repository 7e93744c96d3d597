package ddl

import (
	"strings"
	"testing"
)

// TestNormalizeRetry: each case is what a 5.0.9 node stored for speculative_retry = '<in>'.
func TestNormalizeRetry(t *testing.T) {
	tests := []struct{ in, want string }{
		{"99p", "99p"},
		{"99PERCENTILE", "99p"},
		{"99percentile", "99p"},
		{"99.5PERCENTILE", "99.5p"},
		{"95.50p", "95.5p"},
		{"99.0p", "99p"},
		{"099p", "99p"},
		{"99.9p", "99.9p"},
		{"99.95p", "99.95p"},
		{"99.999p", "99.999p"},
		{"99.123456p", "99.1235p"},
		{"99.99999p", "100p"},
		{"0.5p", "0.5p"},
		{"50ms", "50ms"},
		{"50MS", "50ms"},
		{"050ms", "50ms"},
		{"0ms", "0ms"},
		{"1.5ms", "1ms"},
		{"1.9ms", "1ms"},
		{"42.5ms", "42ms"},
		{"ALWAYS", "ALWAYS"},
		{"always", "ALWAYS"},
		{"Always", "ALWAYS"},
		{"NEVER", "NEVER"},
		{"NONE", "NEVER"},
		{"none", "NEVER"},
		{"MIN(99p,50ms)", "MIN(99p,50ms)"},
		{"MIN(50ms,99p)", "MIN(99p,50ms)"},
		{"max(99P, 50MS)", "MAX(99p,50ms)"},
		{"min(25ms, 99p)", "MIN(99p,25ms)"},
		{"MAX(99.5PERCENTILE,1.5ms)", "MAX(99.5p,1ms)"},
	}
	for _, tt := range tests {
		if got, err := normalizeRetry(tt.in); err != nil || got != tt.want {
			t.Errorf("normalizeRetry(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	// Refused by 5.0.9 too.
	for _, in := range []string{"100p", "0p", "custom", "", " 99p", "99", "MIN( 99.5p , 10ms )", "MIN(99p,90p)", "MIN(1ms,2ms)", "min(ALWAYS,10ms)", "1.2.3p", "99 p"} {
		if got, err := normalizeRetry(in); err == nil {
			t.Errorf("normalizeRetry(%q) = %q, want an error", in, got)
		}
	}
}

func TestJavaNumberFormats(t *testing.T) {
	doubles := []struct {
		in   float64
		want string
	}{
		{1.1, "1.1"}, {2, "2.0"}, {0.5, "0.5"}, {1e-3, "0.001"}, {1e-5, "1.0E-5"}, {12345678.5, "1.23456785E7"},
		{1e7, "1.0E7"}, {9999999, "9999999.0"}, {0, "0.0"}, {-1.5, "-1.5"}, {1.5e300, "1.5E300"},
	}
	for _, tt := range doubles {
		if got := javaDoubleString(tt.in); got != tt.want {
			t.Errorf("javaDoubleString(%v) = %q, want %q", tt.in, got, tt.want)
		}
	}
	decimals := []struct {
		in   float64
		want string
	}{{99, "99"}, {99.5, "99.5"}, {99.123456, "99.1235"}, {0.00004, "0"}, {99.99999, "100"}, {12.34565, "12.3456"}}
	for _, tt := range decimals {
		if got := decimalFormat4(tt.in); got != tt.want {
			t.Errorf("decimalFormat4(%v) = %q, want %q", tt.in, got, tt.want)
		}
	}
	for in, want := range map[string]float64{"1": 1, " 0.5 ": 0.5, "1e-5": 1e-5, "2d": 2, "1.5F": 1.5, "-3": -3, "1e999": 0} {
		got, err := parseJavaDouble(in)
		if in == "1e999" {
			if err != nil || got < 1e308 {
				t.Errorf("parseJavaDouble(%q) = %v, %v; want +Inf", in, got, err)
			}
			continue
		}
		if err != nil || got != want {
			t.Errorf("parseJavaDouble(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "inf", "nan", "0x1p3", "1_000", "abc", "1e"} {
		if got, err := parseJavaDouble(in); err == nil {
			t.Errorf("parseJavaDouble(%q) = %v, want an error", in, got)
		}
	}
}

func TestLex(t *testing.T) {
	src := "CREATE TABLE \"My\"\"T\" -- c\n(a int, 'it''s' $$x$$ 1e-5 -2 89f47aa0-ec22 {}:<>=.) /* x\ny */ é"
	var got []string
	for _, tk := range lex(src) {
		got = append(got, []string{"EOF", "id", "q", "s", "n", "p", "err"}[tk.kind]+":"+tk.text+":"+string(rune('0'+tk.line)))
	}
	want := "id:CREATE:1 id:TABLE:1 q:My\"T:1 p:(:2 id:a:2 id:int:2 p:,:2 s:it's:2 s:x:2 n:1e-5:2 p:-:2 n:2:2 " +
		"n:89f47aa0-ec22:2 p:{:2 p:}:2 p:::2 p:<:2 p:>:2 p:=:2 p:.:2 p:):2 p:é:3 EOF::3"
	if g := strings.Join(got, " "); g != want {
		t.Errorf("lex:\n got %s\nwant %s", g, want)
	}
	// Token offsets cover the source as written.
	for _, tk := range lex(`"a""b" 'c''d' $$e$$ f`) {
		if tk.kind != tokEOF && tk.end <= tk.pos {
			t.Errorf("token %+v has no extent", tk)
		}
	}
}

// TestDefaultBloomFilterFPChance: what a 5.0.9 node stores for a table created with that
// compaction and no bloom_filter_fp_chance.
func TestDefaultBloomFilterFPChance(t *testing.T) {
	for class, want := range map[string]float64{
		leveled:    0.1,
		sizeTiered: 0.01,
		timeWindow: 0.01,
		compactionPackage + "UnifiedCompactionStrategy": 0.01,
		"": 0.01,
	} {
		if got := DefaultBloomFilterFPChance(class); got != want {
			t.Errorf("DefaultBloomFilterFPChance(%q) = %v, want %v", class, got, want)
		}
	}
	if got := DefaultTableOptions().BloomFilterFPChance; got != DefaultBloomFilterFPChance(DefaultTableOptions().Compaction["class"]) {
		t.Errorf("the default options' bloom_filter_fp_chance %v is not their compaction's default", got)
	}
}
