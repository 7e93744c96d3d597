package ddl

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/cqlsync/cqlsync/internal/cql/introspect"
)

// Class names as Cassandra stores them in system_schema.tables.compaction and .compression.
const (
	compactionPackage  = "org.apache.cassandra.db.compaction."
	sizeTiered         = compactionPackage + "SizeTieredCompactionStrategy"
	leveled            = compactionPackage + "LeveledCompactionStrategy"
	timeWindow         = compactionPackage + "TimeWindowCompactionStrategy"
	compressionPackage = "org.apache.cassandra.io.compress."
	lz4Compressor      = compressionPackage + "LZ4Compressor"
)

// DefaultTableOptions are the options Cassandra 5.0.9 stores for CREATE TABLE without a WITH
// clause, with the stock cassandra.yaml (read back from system_schema.tables of a 5.0.9 node).
// Only one of them depends on cassandra.yaml: default_compaction, new in 5.0 and unset by default,
// changes the compaction of tables created without one. One of them depends on another option:
// a table created with a compaction but no bloom_filter_fp_chance gets
// [DefaultBloomFilterFPChance] of that compaction.
//
// It is what the parser starts a CREATE TABLE from, and what cqlsync import compares a table's
// options with to write only those set on purpose.
func DefaultTableOptions() introspect.TableOptions {
	return introspect.TableOptions{
		AdditionalWritePolicy:   "99p",
		BloomFilterFPChance:     0.01,
		Caching:                 map[string]string{"keys": "ALL", "rows_per_partition": "NONE"},
		Comment:                 "",
		Compaction:              map[string]string{"class": sizeTiered, "max_threshold": "32", "min_threshold": "4"},
		Compression:             map[string]string{"chunk_length_in_kb": "16", "class": lz4Compressor},
		CRCCheckChance:          1.0,
		DefaultTimeToLive:       0,
		GCGraceSeconds:          864000,
		MaxIndexInterval:        2048,
		MemtableFlushPeriodInMs: 0,
		MinIndexInterval:        128,
		ReadRepair:              "BLOCKING",
		SpeculativeRetry:        "99p",
	}
}

// Limits Cassandra's TableParams.validate applies.
const (
	maxDefaultTTL        = 630720000 // 20 years
	minBloomFilterChance = 6.71e-5   // BloomCalculations.minSupportedBloomFilterFpChance(), exclusive
)

// applyTableOptions applies the WITH properties of CREATE TABLE (create) or ALTER TABLE to o, the
// defaults or the table's current options, normalising each value as Cassandra does before it
// stores it, and to other, the table's options outside introspect.TableOptions. It returns
// warnings about options that were ignored.
func applyTableOptions(o *introspect.TableOptions, other *otherOptions, props []property, create bool) ([]string, error) {
	var warnings []string
	bloomSet, compactionSet := false, false
	for _, pr := range props {
		var err error
		switch pr.name {
		case "additional_write_policy", "speculative_retry":
			var s string
			if s, err = stringOption(pr); err == nil {
				if s, err = normalizeRetry(s); err == nil {
					if pr.name == "speculative_retry" {
						o.SpeculativeRetry = s
					} else {
						o.AdditionalWritePolicy = s
					}
				}
			}
		case "bloom_filter_fp_chance":
			var f float64
			if f, err = floatOption(pr); err == nil {
				if !(f > minBloomFilterChance && f <= 1) {
					err = optionError(pr, "must be larger than %v and at most 1.0, got %v", minBloomFilterChance, f)
				}
				o.BloomFilterFPChance, bloomSet = f, true
			}
		case "caching":
			var m map[string]string
			if m, err = mapOption(pr); err == nil {
				o.Caching, err = normalizeCaching(m)
			}
		case "cdc":
			if o.CDC, err = boolOption(pr); err == nil && o.CDC {
				warnings = append(warnings, "cdc = true is stored in system_schema only by nodes with cdc_enabled: true in cassandra.yaml; "+
					"other nodes (and the stock configuration) store no cdc flag, which reads back as false")
			}
		case "comment":
			o.Comment, err = stringOption(pr)
		case "compaction":
			var m map[string]string
			if m, err = mapOption(pr); err == nil {
				o.Compaction, err = normalizeCompaction(m)
				compactionSet = true
			}
		case "compression":
			var m map[string]string
			if m, err = mapOption(pr); err == nil {
				o.Compression, err = normalizeCompression(m)
			}
		case "crc_check_chance":
			var f float64
			if f, err = floatOption(pr); err == nil {
				if !(f >= 0 && f <= 1) {
					err = optionError(pr, "must be between 0 and 1.0, got %v", f)
				}
				o.CRCCheckChance = f
			}
		case "default_time_to_live":
			o.DefaultTimeToLive, err = intOption(pr, 0, maxDefaultTTL)
		case "gc_grace_seconds":
			o.GCGraceSeconds, err = intOption(pr, 0, math.MaxInt32)
		case "max_index_interval":
			o.MaxIndexInterval, err = intOption(pr, 1, math.MaxInt32)
		case "min_index_interval":
			o.MinIndexInterval, err = intOption(pr, 1, math.MaxInt32)
		case "memtable_flush_period_in_ms":
			o.MemtableFlushPeriodInMs, err = intOption(pr, 0, math.MaxInt32)
		case "read_repair":
			var s string
			if s, err = stringOption(pr); err == nil {
				// ReadRepairStrategy.fromString: valueOf(s.toUpperCase()).
				switch u := strings.ToUpper(s); u {
				case "BLOCKING", "NONE":
					o.ReadRepair = u
				default:
					err = optionError(pr, "must be BLOCKING or NONE, got '%s'", s)
				}
			}
		case "allow_auto_snapshot", "incremental_backups":
			// Valid options that system_schema keeps outside cqlsync's TableOptions: kept aside, for
			// cqlsync import to say it does not manage them.
			var b bool
			if b, err = boolOption(pr); err == nil {
				other.setBool(pr.name, b)
			}
		case "memtable", "extensions":
			// Also outside TableOptions. DESCRIBE prints memtable = 'default' and extensions = {}
			// for every table.
			other.set(pr)
		case "auto_repair", "id":
			// Valid, and not kept at all: WITH INTERNALS prints the table's id.
		default:
			warnings = append(warnings, fmt.Sprintf("unknown table option %s ignored (Cassandra 5.0 would refuse it)", pr.name))
		}
		if err != nil {
			return nil, err
		}
	}
	if o.MaxIndexInterval < o.MinIndexInterval {
		return nil, fmt.Errorf("max_index_interval (%d) must be greater than or equal to min_index_interval (%d)", o.MaxIndexInterval, o.MinIndexInterval)
	}
	// TableParams.Builder: without an explicit bloom_filter_fp_chance, a new table gets its
	// compaction strategy's default, 0.1 for leveled compaction and 0.01 for the others. ALTER
	// TABLE starts from the table's current value, so it keeps it.
	if create && compactionSet && !bloomSet {
		o.BloomFilterFPChance = DefaultBloomFilterFPChance(o.Compaction["class"])
	}
	return warnings, nil
}

// DefaultBloomFilterFPChance is the bloom_filter_fp_chance Cassandra 5.0 gives a new table that
// does not set one, by its compaction class as system_schema stores it (fully qualified): 0.1 for
// leveled compaction, 0.01 for the others (TableParams.Builder, from the strategy's default).
func DefaultBloomFilterFPChance(compactionClass string) float64 {
	if compactionClass == leveled {
		return 0.1
	}
	return 0.01
}

// normalizeCaching is CachingParams.fromMap then asMap: both keys always present, keys ALL or
// NONE (NONE when not given), rows_per_partition ALL, NONE or a positive count (NONE when not
// given; 0 is NONE and Integer.MAX_VALUE is ALL).
func normalizeCaching(m map[string]string) (map[string]string, error) {
	out := map[string]string{"keys": "NONE", "rows_per_partition": "NONE"}
	for _, k := range slices.Sorted(maps.Keys(m)) {
		v := m[k]
		switch k {
		case "keys":
			u := strings.ToUpper(v)
			if u != "ALL" && u != "NONE" {
				return nil, fmt.Errorf("invalid value '%s' for caching sub-option keys: only ALL and NONE are allowed", v)
			}
			out[k] = u
		case "rows_per_partition":
			switch u := strings.ToUpper(v); u {
			case "ALL", "NONE":
				out[k] = u
			default:
				n, err := strconv.ParseInt(v, 10, 32)
				if err != nil || n < 0 {
					return nil, fmt.Errorf("invalid value '%s' for caching sub-option rows_per_partition: only ALL, NONE and integer values are allowed", v)
				}
				switch n {
				case 0:
					out[k] = "NONE"
				case math.MaxInt32:
					out[k] = "ALL"
				default:
					out[k] = strconv.FormatInt(n, 10)
				}
			}
		default:
			return nil, fmt.Errorf("invalid caching sub-option %s: only keys and rows_per_partition are allowed", k)
		}
	}
	return out, nil
}

// normalizeCompaction is CompactionParams.fromMap then asMap: the class fully qualified, the other
// options as written, and for the strategies that take them min_threshold 4 and max_threshold 32
// unless given (UnifiedCompactionStrategy refuses them).
func normalizeCompaction(m map[string]string) (map[string]string, error) {
	class := m["class"]
	if class == "" {
		return nil, fmt.Errorf("missing sub-option 'class' for the compaction option")
	}
	if !strings.Contains(class, ".") {
		class = compactionPackage + class
	}
	out := maps.Clone(m)
	out["class"] = class
	switch class {
	case sizeTiered, leveled, timeWindow:
		if _, ok := out["min_threshold"]; !ok {
			out["min_threshold"] = "4"
		}
		if _, ok := out["max_threshold"]; !ok {
			out["max_threshold"] = "32"
		}
	}
	return out, nil
}

// normalizeCompression is CompressionParams.fromMap then asMap: disabled compression is stored as
// {'enabled': 'false'} alone ('enabled' is false unless it says true, as Boolean.parseBoolean);
// otherwise the class fully qualified, chunk_length_in_kb as a number (16 when not given),
// min_compress_ratio as a Java double (and left out when 0, its default), the other options as
// written.
func normalizeCompression(m map[string]string) (map[string]string, error) {
	opts := maps.Clone(m)
	enabled, hasEnabled := opts["enabled"]
	delete(opts, "enabled")
	if hasEnabled && !strings.EqualFold(enabled, "true") {
		if len(opts) > 0 {
			return nil, fmt.Errorf("compression: if the 'enabled' option is set to false no other options must be specified")
		}
		return map[string]string{"enabled": "false"}, nil
	}
	class, ok := opts["class"]
	switch {
	case !ok:
		return nil, fmt.Errorf("missing sub-option 'class' for the compression option")
	case class == "":
		return nil, fmt.Errorf("compression: the 'class' option must not be empty; to disable compression use 'enabled': false")
	case !strings.Contains(class, "."):
		class = compressionPackage + class
	}
	opts["class"] = class
	chunk := int64(16)
	if v, ok := opts["chunk_length_in_kb"]; ok {
		n, err := strconv.ParseInt(v, 10, 32)
		if err != nil || n <= 0 || n&(n-1) != 0 {
			return nil, fmt.Errorf("compression: chunk_length_in_kb must be a power of 2, got '%s'", v)
		}
		chunk = n
	}
	opts["chunk_length_in_kb"] = strconv.FormatInt(chunk, 10)
	if v, ok := opts["min_compress_ratio"]; ok {
		f, err := parseJavaDouble(v)
		if err != nil || (f != 0 && f < 1) {
			return nil, fmt.Errorf("compression: min_compress_ratio can either be 0 or greater than or equal to 1, got '%s'", v)
		}
		if f == 0 {
			delete(opts, "min_compress_ratio")
		} else {
			opts["min_compress_ratio"] = javaDoubleString(f)
		}
	}
	return opts, nil
}

// optionError is an error about the value of a property.
func optionError(pr property, format string, args ...any) error {
	return &syntaxError{line: pr.val.tok.line, msg: pr.name + " " + fmt.Sprintf(format, args...)}
}

// stringOption is a property's value as PropertyDefinitions.getString reads it: the raw text of a
// constant (comment = 12 is the comment "12").
func stringOption(pr property) (string, error) {
	if pr.val.isMap {
		return "", optionError(pr, "must be a string, not a map")
	}
	return pr.val.raw, nil
}

// mapOption is a property's value as a map.
func mapOption(pr property) (map[string]string, error) {
	if !pr.val.isMap {
		return nil, optionError(pr, "must be a map such as {'class': '...'}")
	}
	return pr.val.m, nil
}

// boolOption reads a boolean as PropertyDefinitions.parseBoolean: 1, true or yes; 0, false or no;
// in any case.
func boolOption(pr property) (bool, error) {
	s, err := stringOption(pr)
	if err != nil {
		return false, err
	}
	switch strings.ToLower(s) {
	case "1", "true", "yes":
		return true, nil
	case "0", "false", "no":
		return false, nil
	}
	return false, optionError(pr, "must be a boolean (true/false, yes/no or 1/0), got '%s'", s)
}

// intOption reads an integer (Integer.parseInt) between lo and hi.
func intOption(pr property, lo, hi int64) (int, error) {
	s, err := stringOption(pr)
	if err != nil {
		return 0, err
	}
	n, err := strconv.ParseInt(s, 10, 32)
	if err != nil {
		return 0, optionError(pr, "must be an integer, got '%s'", s)
	}
	if n < lo || n > hi {
		return 0, optionError(pr, "must be between %d and %d, got %d", lo, hi, n)
	}
	return int(n), nil
}

// floatOption reads a number (Double.parseDouble).
func floatOption(pr property) (float64, error) {
	s, err := stringOption(pr)
	if err != nil {
		return 0, err
	}
	f, err := parseJavaDouble(s)
	if err != nil {
		return 0, optionError(pr, "must be a number, got '%s'", s)
	}
	return f, nil
}
