package plan

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/cqlsync/cqlsync/internal/cql/introspect"
	"github.com/cqlsync/cqlsync/internal/cql/render"
)

// CQL names of the table options.
const (
	OptComment                 = "comment"
	OptDefaultTimeToLive       = "default_time_to_live"
	OptGCGraceSeconds          = "gc_grace_seconds"
	OptBloomFilterFPChance     = "bloom_filter_fp_chance"
	OptSpeculativeRetry        = "speculative_retry"
	OptAdditionalWritePolicy   = "additional_write_policy"
	OptMemtableFlushPeriodInMs = "memtable_flush_period_in_ms"
	OptMinIndexInterval        = "min_index_interval"
	OptMaxIndexInterval        = "max_index_interval"
	OptCRCCheckChance          = "crc_check_chance"
	OptCDC                     = "cdc"
	OptReadRepair              = "read_repair"
	OptCompaction              = "compaction"
	OptCompression             = "compression"
	OptCaching                 = "caching"
)

// optionDiff collects the options to set and a description of each change. With no live options
// (CREATE TABLE) every option the spec sets is collected.
type optionDiff struct {
	live    *introspect.TableOptions
	opts    []render.Option
	changes []string
}

// optionChanges returns the options of d that differ from live (all of d's when live is nil), in a
// fixed order, and a description of each change ("comment 'a' -> 'b'").
func optionChanges(d TableOptions, live *introspect.TableOptions) ([]render.Option, []string) {
	o := &optionDiff{live: live}
	l := live
	if l == nil {
		l = &introspect.TableOptions{}
	}
	if d.Comment != nil {
		o.add(*d.Comment == l.Comment, render.StringOption(OptComment, *d.Comment), render.String(l.Comment))
	}
	o.integer(OptDefaultTimeToLive, d.DefaultTimeToLive, l.DefaultTimeToLive)
	o.integer(OptGCGraceSeconds, d.GCGraceSeconds, l.GCGraceSeconds)
	o.float(OptBloomFilterFPChance, d.BloomFilterFPChance, l.BloomFilterFPChance)
	if d.SpeculativeRetry != nil {
		o.add(NormalizeRetryPolicy(*d.SpeculativeRetry) == NormalizeRetryPolicy(l.SpeculativeRetry),
			render.StringOption(OptSpeculativeRetry, *d.SpeculativeRetry), render.String(l.SpeculativeRetry))
	}
	if d.AdditionalWritePolicy != nil {
		o.add(NormalizeRetryPolicy(*d.AdditionalWritePolicy) == NormalizeRetryPolicy(l.AdditionalWritePolicy),
			render.StringOption(OptAdditionalWritePolicy, *d.AdditionalWritePolicy), render.String(l.AdditionalWritePolicy))
	}
	o.integer(OptMemtableFlushPeriodInMs, d.MemtableFlushPeriodInMs, l.MemtableFlushPeriodInMs)
	o.integer(OptMinIndexInterval, d.MinIndexInterval, l.MinIndexInterval)
	o.integer(OptMaxIndexInterval, d.MaxIndexInterval, l.MaxIndexInterval)
	o.float(OptCRCCheckChance, d.CRCCheckChance, l.CRCCheckChance)
	if d.CDC != nil {
		o.add(*d.CDC == l.CDC, render.BoolOption(OptCDC, *d.CDC), render.Bool(l.CDC))
	}
	if d.ReadRepair != nil {
		o.add(strings.EqualFold(*d.ReadRepair, l.ReadRepair), render.StringOption(OptReadRepair, *d.ReadRepair), render.String(l.ReadRepair))
	}
	o.mapOption(OptCompaction, d.Compaction, l.Compaction)
	o.mapOption(OptCompression, d.Compression, l.Compression)
	o.mapOption(OptCaching, d.Caching, l.Caching)
	return o.opts, o.changes
}

func (o *optionDiff) add(same bool, opt render.Option, have string) {
	if o.live != nil && same {
		return
	}
	o.opts = append(o.opts, opt)
	if o.live != nil {
		o.changes = append(o.changes, opt.Name()+" "+have+" -> "+opt.Literal())
	}
}

func (o *optionDiff) integer(name string, want *int32, have int) {
	if want != nil {
		o.add(int(*want) == have, render.IntOption(name, int64(*want)), strconv.Itoa(have))
	}
}

func (o *optionDiff) float(name string, want *float64, have float64) {
	if want != nil {
		o.add(*want == have || math.IsNaN(*want) && math.IsNaN(have), render.FloatOption(name, *want), render.Float(have))
	}
}

// mapOption compares only the keys the spec sets, and sets the whole map the spec gives.
func (o *optionDiff) mapOption(name string, want, have map[string]string) {
	if len(want) == 0 {
		return
	}
	same := true
	shown := map[string]string{}
	for k, v := range want {
		hv, ok := have[k]
		if ok {
			shown[k] = hv
		}
		if !sameMapValue(name, k, v, hv, ok) {
			same = false
		}
	}
	o.add(same, render.MapOption(name, want), render.StringMap(shown))
}

// mapDefaults are sub-options Cassandra leaves out of the stored map when they have their default.
var mapDefaults = map[string]map[string]string{
	OptCompression: {"enabled": "true"},
	OptCompaction:  {"enabled": "true"},
}

// sameMapValue compares a sub-option the spec sets with the stored one.
func sameMapValue(option, key, want, have string, present bool) bool {
	if !present {
		def, ok := mapDefaults[option][key]
		return ok && sameValue(want, def)
	}
	if key == "class" {
		return NormalizeOptionClass(want) == NormalizeOptionClass(have)
	}
	return sameValue(want, have)
}

// sameValue: equal strings, equal ignoring case (ALL and all, true and TRUE; upper-casing as
// Cassandra stores some values, so 'ı' matches the 'I' it becomes), or equal numbers (16 and 16.0).
func sameValue(a, b string) bool {
	if a == b || strings.EqualFold(a, b) || strings.ToUpper(a) == strings.ToUpper(b) {
		return true
	}
	fa, errA := strconv.ParseFloat(strings.TrimSpace(a), 64)
	fb, errB := strconv.ParseFloat(strings.TrimSpace(b), 64)
	return errA == nil && errB == nil && fa == fb
}

// optionClassPackages are the Java packages of Cassandra's built-in compaction strategies and
// compressors: system_schema.tables reports their classes fully qualified, users write them short.
var optionClassPackages = []string{
	"org.apache.cassandra.db.compaction.",
	"org.apache.cassandra.io.compress.",
}

// NormalizeOptionClass returns the short name of a built-in compaction or compression class given
// either its short or fully qualified name
// ("org.apache.cassandra.db.compaction.SizeTieredCompactionStrategy" -> "SizeTieredCompactionStrategy");
// any other class is returned as it is.
func NormalizeOptionClass(class string) string {
	for _, p := range optionClassPackages {
		if rest, ok := strings.CutPrefix(class, p); ok && !strings.Contains(rest, ".") {
			return rest
		}
	}
	return class
}

// NormalizeRetryPolicy returns a speculative_retry or additional_write_policy value as Cassandra
// 5.0 stores it (SpeculativeRetryPolicy.toString()): "99PERCENTILE" and "99.0p" are "99p",
// "50MS" is "50ms", "NONE" is "NEVER", "always" is "ALWAYS", and "min(50ms, 90p)" is
// "MIN(90p,50ms)". Text it cannot read is returned upper-cased, so that it still compares with
// itself.
func NormalizeRetryPolicy(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 { // no retry policy is spelled outside ASCII: leave such text alone
			return s
		}
	}
	u := strings.ToUpper(strings.Join(strings.Fields(s), ""))
	switch u {
	case "NONE", "NEVER":
		return "NEVER"
	case "ALWAYS":
		return "ALWAYS"
	}
	for _, fn := range []string{"MIN", "MAX"} {
		if inner, ok := strings.CutPrefix(u, fn+"("); ok {
			inner, ok = strings.CutSuffix(inner, ")")
			a, b, ok2 := strings.Cut(inner, ",")
			if !ok || !ok2 {
				return u
			}
			a, b = NormalizeRetryPolicy(a), NormalizeRetryPolicy(b)
			if strings.HasSuffix(a, "ms") && strings.HasSuffix(b, "p") {
				a, b = b, a
			}
			return fmt.Sprintf("%s(%s,%s)", fn, a, b)
		}
	}
	for _, suffix := range []string{"PERCENTILE", "P"} {
		if num, ok := strings.CutSuffix(u, suffix); ok {
			if f, err := strconv.ParseFloat(num, 64); err == nil && !math.IsNaN(f) && !math.IsInf(f, 0) {
				// DecimalFormat("#.####"): at most four decimals, no trailing zeros.
				return strconv.FormatFloat(math.Round(f*1e4)/1e4, 'f', -1, 64) + "p"
			}
			return u
		}
	}
	if num, ok := strings.CutSuffix(u, "MS"); ok {
		if f, err := strconv.ParseFloat(num, 64); err == nil && f >= 0 && f < 1e18 {
			return strconv.FormatInt(int64(f), 10) + "ms"
		}
	}
	return u
}
