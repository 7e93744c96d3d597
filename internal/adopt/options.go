package adopt

import (
	"fmt"
	"maps"
	"math"
	"regexp"
	"strconv"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
	"github.com/cqlsync/cqlsync/internal/cql/ddl"
	"github.com/cqlsync/cqlsync/internal/cql/introspect"
	"github.com/cqlsync/cqlsync/internal/cql/plan"
)

// Limits and patterns of TableOptions (api/v1alpha1), which imported values must fit.
const (
	maxComment         = 4096
	maxRetryPolicy     = 64
	maxCompactionKeys  = 32
	maxCompressionKeys = 32
	maxCachingKeys     = 8
)

var (
	retryPolicyPattern = regexp.MustCompile(`^[A-Za-z0-9_.(), ]+$`)
	bloomPattern       = regexp.MustCompile(`^(0?\.[0-9]+|1(\.0+)?)$`)
	crcPattern         = regexp.MustCompile(`^(0?\.[0-9]+|0|1(\.0+)?)$`)
)

// tableOptions returns the options of a table that differ from what Cassandra 5.0 stores for a
// table created without them (nil when none does), and the ones among those that the API cannot
// hold (What is the option's CQL name).
func tableOptions(live introspect.TableOptions) (*cqlv1.TableOptions, []Skip) {
	def := ddl.DefaultTableOptions()
	def.BloomFilterFPChance = ddl.DefaultBloomFilterFPChance(live.Compaction["class"])
	o := &cqlv1.TableOptions{}
	var skips []Skip
	cannot := func(name, format string, args ...any) {
		skips = append(skips, Skip{What: name, Reason: fmt.Sprintf(format, args...)})
	}
	differs := false
	set := func() bool { differs = true; return true }

	if live.Comment != def.Comment && set() {
		if len(live.Comment) > maxComment {
			cannot(plan.OptComment, "it is longer than %d characters", maxComment)
		} else {
			o.Comment = ptr(live.Comment)
		}
	}
	o.DefaultTimeToLive = intOption(live.DefaultTimeToLive, def.DefaultTimeToLive, set)
	o.GCGraceSeconds = intOption(live.GCGraceSeconds, def.GCGraceSeconds, set)
	o.MemtableFlushPeriodInMs = intOption(live.MemtableFlushPeriodInMs, def.MemtableFlushPeriodInMs, set)
	o.MinIndexInterval = intOption(live.MinIndexInterval, def.MinIndexInterval, set)
	o.MaxIndexInterval = intOption(live.MaxIndexInterval, def.MaxIndexInterval, set)
	if live.BloomFilterFPChance != def.BloomFilterFPChance && set() {
		if s, ok := decimal(live.BloomFilterFPChance, bloomPattern); ok {
			o.BloomFilterFPChance = &s
		} else {
			cannot(plan.OptBloomFilterFPChance, "%v is not a decimal in (0, 1]", live.BloomFilterFPChance)
		}
	}
	if live.CRCCheckChance != def.CRCCheckChance && set() {
		if s, ok := decimal(live.CRCCheckChance, crcPattern); ok {
			o.CRCCheckChance = &s
		} else {
			cannot(plan.OptCRCCheckChance, "%v is not a decimal in [0, 1]", live.CRCCheckChance)
		}
	}
	for _, r := range []struct {
		name      string
		live, def string
		into      **string
	}{
		{plan.OptSpeculativeRetry, live.SpeculativeRetry, def.SpeculativeRetry, &o.SpeculativeRetry},
		{plan.OptAdditionalWritePolicy, live.AdditionalWritePolicy, def.AdditionalWritePolicy, &o.AdditionalWritePolicy},
	} {
		if r.live != r.def && set() {
			if len(r.live) > maxRetryPolicy || !retryPolicyPattern.MatchString(r.live) {
				cannot(r.name, "%q is not a policy cqlsync accepts", r.live)
			} else {
				*r.into = ptr(r.live)
			}
		}
	}
	if live.CDC != def.CDC && set() {
		o.CDC = ptr(live.CDC)
	}
	if live.ReadRepair != def.ReadRepair && set() {
		if live.ReadRepair == "BLOCKING" || live.ReadRepair == "NONE" {
			o.ReadRepair = ptr(live.ReadRepair)
		} else {
			cannot(plan.OptReadRepair, "%q is neither BLOCKING nor NONE", live.ReadRepair)
		}
	}
	for _, m := range []struct {
		name      string
		live, def map[string]string
		max       int
		into      *map[string]string
	}{
		{plan.OptCompaction, live.Compaction, def.Compaction, maxCompactionKeys, &o.Compaction},
		{plan.OptCompression, live.Compression, def.Compression, maxCompressionKeys, &o.Compression},
		{plan.OptCaching, live.Caching, def.Caching, maxCachingKeys, &o.Caching},
	} {
		if maps.Equal(m.live, m.def) || !set() {
			continue
		}
		if len(m.live) > m.max {
			cannot(m.name, "it has %d sub-options (at most %d)", len(m.live), m.max)
			continue
		}
		*m.into = shortClass(m.live)
	}
	if !differs {
		return nil, skips
	}
	return o, skips
}

// intOption is the value to set when it differs from the default, else nil; set records that
// there is one.
func intOption(live, def int, set func() bool) *int32 {
	if live == def || live < math.MinInt32 || live > math.MaxInt32 || !set() {
		return nil
	}
	return ptr(int32(live))
}

// decimal writes a stored double as the shortest decimal that reads back to it, if the API's
// pattern accepts it.
func decimal(f float64, pattern *regexp.Regexp) (string, bool) {
	s := strconv.FormatFloat(f, 'f', -1, 64)
	return s, pattern.MatchString(s)
}

// shortClass is a compaction or compression map with a built-in class by its short name, as users
// write it (the planner takes both names for the same class).
func shortClass(m map[string]string) map[string]string {
	out := maps.Clone(m)
	if c, ok := out["class"]; ok {
		out["class"] = plan.NormalizeOptionClass(c)
	}
	return out
}

func ptr[T any](v T) *T { return &v }
