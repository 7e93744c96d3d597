package plan

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/cqlsync/cqlsync/internal/cql/introspect"
	"github.com/cqlsync/cqlsync/internal/cql/schema"
)

// Version is a Cassandra release version, major.minor.patch.
type Version struct {
	Major, Minor, Patch int
}

// ParseVersion reads a release_version ("5.0.9", "4.1.10", "5.1-SNAPSHOT"); ok is false when it
// is not one.
func ParseVersion(s string) (v Version, ok bool) {
	s, _, _ = strings.Cut(s, "-")
	parts := strings.Split(s, ".")
	if len(parts) < 2 {
		return Version{}, false
	}
	nums := make([]int, 3)
	for i := 0; i < len(parts) && i < 3; i++ {
		n, err := strconv.Atoi(parts[i])
		if err != nil {
			return Version{}, false
		}
		nums[i] = n
	}
	return Version{nums[0], nums[1], nums[2]}, true
}

// Less reports whether v is an older release than o.
func (v Version) Less(o Version) bool {
	if v.Major != o.Major {
		return v.Major < o.Major
	}
	if v.Minor != o.Minor {
		return v.Minor < o.Minor
	}
	return v.Patch < o.Patch
}

// IsZero reports whether the version is unknown.
func (v Version) IsZero() bool { return v == Version{} }

func (v Version) String() string { return fmt.Sprintf("%d.%d.%d", v.Major, v.Minor, v.Patch) }

// since is the first release of a feature, as users name it ("5.0").
func since(major, minor int) Version { return Version{Major: major, Minor: minor} }

// Features of tables that not every supported Cassandra release has.
var (
	featureVector         = since(5, 0) // the vector type
	featureSAI            = since(5, 0) // Storage-Attached Indexing
	featureUCS            = since(5, 0) // UnifiedCompactionStrategy
	featureVectorModel    = since(5, 1) // an SAI vector index's source_model option
	featureAddWritePolicy = since(4, 0) // additional_write_policy
	featureReadRepair     = since(4, 0) // read_repair
	featureMask           = since(5, 0) // column masks (MASKED WITH)
	// featureAlterWritePolicy: ALTER TABLE applies additional_write_policy. Cassandra 4.0 and 4.1
	// accept it and change nothing: only CREATE TABLE sets it there.
	featureAlterWritePolicy = since(5, 0)
)

// Unsupported lists what the desired table asks for that a server of version server lacks: each
// a Difference of kind DiffUnsupported naming the feature, the release that has it and the
// server's. live is the table as it is (nil when it does not exist yet): some changes of an
// existing table need a newer release than creating it. An unknown server version (zero)
// supports everything: Cassandra says no if it must.
func Unsupported(desired Table, live *introspect.Table, server Version) []Difference {
	if server.IsZero() {
		return nil
	}
	var out []Difference
	need := func(v Version, format string, args ...any) {
		if server.Less(v) {
			out = append(out, Difference{Kind: DiffUnsupported, Message: fmt.Sprintf(format, args...) +
				fmt.Sprintf(" needs Cassandra %d.%d or later; the server runs %s", v.Major, v.Minor, server)})
		}
	}
	for _, c := range desired.Columns {
		if hasVector(c.Type) {
			need(featureVector, "column %q of type %s", c.Name, c.Type.String())
		}
		if c.Mask != nil {
			need(featureMask, "the mask of column %q (MASKED WITH %s)", c.Name, c.Mask.String())
		}
	}
	for _, ix := range desired.Indexes {
		if isSAI(ix.Using) {
			need(featureSAI, "index %q (using '%s', Storage-Attached Indexing)", ix.Name, ix.Using)
			if _, ok := ix.Options["source_model"]; ok {
				need(featureVectorModel, "the option source_model of index %q", ix.Name)
			}
		}
	}
	o := desired.Options
	if c := o.Compaction["class"]; strings.HasSuffix(c, "UnifiedCompactionStrategy") {
		need(featureUCS, "compaction class %s", c)
	}
	if o.AdditionalWritePolicy != nil {
		need(featureAddWritePolicy, "the option additional_write_policy")
		if live != nil && NormalizeRetryPolicy(*o.AdditionalWritePolicy) != NormalizeRetryPolicy(live.Options.AdditionalWritePolicy) {
			need(featureAlterWritePolicy, "changing the option additional_write_policy of an existing table (from %s to %s: before 5.0, ALTER TABLE accepts it and changes nothing; only CREATE TABLE sets it)",
				live.Options.AdditionalWritePolicy, *o.AdditionalWritePolicy)
		}
	}
	if o.ReadRepair != nil {
		need(featureReadRepair, "the option read_repair")
	}
	return out
}

func hasVector(t schema.Type) bool {
	if t.Kind == schema.KindVector {
		return true
	}
	for _, p := range t.Params {
		if hasVector(p) {
			return true
		}
	}
	return false
}

// isSAI reports whether a custom index class is Storage-Attached Indexing.
func isSAI(using string) bool {
	u := strings.ToLower(using)
	return u == "sai" || u == "storageattachedindex" || strings.HasSuffix(u, ".storageattachedindex")
}
