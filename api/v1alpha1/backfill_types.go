package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// A Backfill copies the rows of a source table into the table of a TableModel, for the
// expand/contract way of changing what Cassandra cannot ALTER (a primary key, a column's type):
// create the new table (a TableModel), let the application write to both, backfill the old rows,
// verify, switch reads, then delete the old TableModel with deletionPolicy Delete.

// BackfillSource is the table rows are copied from: a TableModel of the Backfill's namespace, or
// a keyspace and a table reached through the target's connection. Exactly one of tableModel and
// table is set.
// +kubebuilder:validation:XValidation:rule="has(self.tableModel) != has(self.table)",message="spec.source: set exactly one of tableModel and table"
// +kubebuilder:validation:XValidation:rule="!has(self.keyspace) || has(self.table)",message="spec.source.keyspace goes with spec.source.table (a TableModel's keyspace is the target's)"
type BackfillSource struct {
	// TableModel names a TableModel of the Backfill's namespace: its table in the target's
	// keyspace, on the target's connection.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	// +optional
	TableModel string `json:"tableModel,omitempty"`
	// Keyspace of spec.source.table; the target's keyspace when empty.
	// +optional
	Keyspace KeyspaceName `json:"keyspace,omitempty"`
	// Table is the CQL name of a table (case-sensitive, as stored) not managed by a TableModel.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=48
	// +kubebuilder:validation:Pattern=`^[A-Za-z0-9_]+$`
	// +optional
	Table string `json:"table,omitempty"`
}

// BackfillTarget is the TableModel rows are copied into. It must be of the Backfill's own
// namespace.
type BackfillTarget struct {
	// TableModel names the target TableModel.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	TableModel string `json:"tableModel"`
	// Namespace of the TableModel; the Backfill's own namespace when empty. Any other namespace
	// is refused (NotPermitted): a namespace only writes into its own tables.
	// +kubebuilder:validation:MaxLength=63
	// +optional
	Namespace string `json:"namespace,omitempty"`
	// Connection is the target TableModel's connection to copy on, when it has several (the
	// name of a CassandraConnection, or {kind: ClusterCassandraConnection, name: ...}).
	// +optional
	Connection *ConnectionRef `json:"connection,omitempty"`
	// Keyspace is the target TableModel's keyspace to copy into, when it has several.
	// +optional
	Keyspace KeyspaceName `json:"keyspace,omitempty"`
}

// BackfillColumn maps a target column to the source column it is copied from.
type BackfillColumn struct {
	// Target is the name of a column of the target table.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=48
	// +kubebuilder:validation:Pattern=`^[A-Za-z0-9_]+$`
	Target string `json:"target"`
	// Source is the name of the source column copied into it; the same name when empty. The
	// types must be equal, or one of the safe conversions (docs/backfill.md): int, smallint or
	// tinyint to a wider integer or varint, bigint to varint, float to double, ascii to text,
	// and freezing or unfreezing a set, a map or a user-defined type of the same shape.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=48
	// +kubebuilder:validation:Pattern=`^[A-Za-z0-9_]+$`
	// +optional
	Source string `json:"source,omitempty"`
	// Skip leaves the target column out of the copy (it stays null in copied rows). Only a
	// regular or static column may be skipped.
	// +optional
	Skip bool `json:"skip,omitempty"`
}

// BackfillWorkers runs the copy in count worker processes instead of inside the manager: the pods
// of a Kubernetes Indexed Job of the operator's image (in the operator's namespace, with its
// service account), or processes you run (external), each copying and verifying a share of the
// splits.
type BackfillWorkers struct {
	// Count is the number of worker pods; pod i owns the splits s with s mod count = i.
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=64
	Count int32 `json:"count"`
	// Image of the workers; the manager's --backfill-image (the chart sets it to the operator's
	// image) when empty.
	// +kubebuilder:validation:MaxLength=512
	// +optional
	Image string `json:"image,omitempty"`
	// External: the manager creates no Job and copies nothing itself; run the count workers
	// yourself, `cqlsync backfill --split i/count NAME` for i in 0..count-1, wherever they reach
	// the API server and the cluster. The manager sums up what they record.
	// +optional
	External bool `json:"external,omitempty"`
}

// BackfillSpec is what to copy, and how fast. The source, the target, the columns and the number
// of splits are immutable: the progress recorded in status is about them.
// +kubebuilder:validation:XValidation:rule="self.source == oldSelf.source && self.target == oldSelf.target",message="spec.source and spec.target are immutable: create another Backfill"
// +kubebuilder:validation:XValidation:rule="(has(self.columns) ? self.columns : []) == (has(oldSelf.columns) ? oldSelf.columns : [])",message="spec.columns is immutable: create another Backfill"
// +kubebuilder:validation:XValidation:rule="self.splits == oldSelf.splits",message="spec.splits is immutable: the progress in status counts them"
type BackfillSpec struct {
	// Source is the table copied from.
	Source BackfillSource `json:"source"`
	// Target is the TableModel copied into.
	Target BackfillTarget `json:"target"`
	// Columns maps target columns to source columns. A target column not listed is copied from
	// the source column of the same name, if there is one, and left null otherwise; every
	// column of the target's primary key needs a source.
	// +kubebuilder:validation:MaxItems=256
	// +listType=map
	// +listMapKey=target
	// +optional
	Columns []BackfillColumn `json:"columns,omitempty"`
	// Splits is the number of equal token ranges the ring is cut into; each is copied, recorded
	// and verified as a unit.
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=65536
	// +kubebuilder:default=256
	// +optional
	Splits int32 `json:"splits,omitempty"`
	// Concurrency is how many splits are copied at once (per worker).
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=64
	// +kubebuilder:default=4
	// +optional
	Concurrency int32 `json:"concurrency,omitempty"`
	// RowsPerSecond caps the rows read from the source per second (per worker, for the copy
	// and the verification alike); 0 is no limit.
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=10000000
	// +optional
	RowsPerSecond int32 `json:"rowsPerSecond,omitempty"`
	// PageSize is the number of rows fetched per page of the source scan.
	// +kubebuilder:validation:Minimum=10
	// +kubebuilder:validation:Maximum=10000
	// +kubebuilder:default=1000
	// +optional
	PageSize int32 `json:"pageSize,omitempty"`
	// Consistency of the reads and writes: LOCAL_QUORUM by default.
	// +kubebuilder:validation:Enum=ONE;LOCAL_ONE;QUORUM;LOCAL_QUORUM;EACH_QUORUM;ALL
	// +kubebuilder:default=LOCAL_QUORUM
	// +optional
	Consistency string `json:"consistency,omitempty"`
	// Workers, when set, runs the copy as an Indexed Job instead of in the manager.
	// +optional
	Workers *BackfillWorkers `json:"workers,omitempty"`
}

// BackfillPhase is where a Backfill is.
// +kubebuilder:validation:Enum=Pending;Copying;Verifying;Paused;Complete;Refused
type BackfillPhase string

// The phases of a Backfill.
const (
	// BackfillPending: waiting for the target (its TableModel Ready) or the connection.
	BackfillPending BackfillPhase = "Pending"
	// BackfillCopying: splits are being copied.
	BackfillCopying BackfillPhase = "Copying"
	// BackfillVerifying: every split is copied; splits are being verified (and mismatching ones
	// copied again).
	BackfillVerifying BackfillPhase = "Verifying"
	// BackfillPaused: the annotation cqlsync.io/paused is "true"; nothing runs.
	BackfillPaused BackfillPhase = "Paused"
	// BackfillComplete: every split is copied and verified.
	BackfillComplete BackfillPhase = "Complete"
	// BackfillRefused: the spec cannot be run (see the Ready condition); nothing is copied.
	BackfillRefused BackfillPhase = "Refused"
)

// BackfillSkipped is what a split holds that could not be copied: rows whose new key column is
// null in the source.
type BackfillSkipped struct {
	// Split is the split's index.
	Split int32 `json:"split"`
	// Rows is how many rows of the split were not copied.
	Rows int64 `json:"rows"`
	// Samples are the primary keys (source columns, CQL literals) of up to three of them.
	// +listType=atomic
	// +optional
	Samples []string `json:"samples,omitempty"`
}

// BackfillWorkerStatus is the progress a worker of spec.workers (or a `cqlsync backfill --split
// i/n` process) reported about its share of the splits; the splits themselves are recorded in
// the Backfill's copied and verified.
type BackfillWorkerStatus struct {
	// Index is the worker's share: it owns the splits s with s mod Of = Index.
	Index int32 `json:"index"`
	// Of is the number of shares.
	Of int32 `json:"of"`
	// SplitsCopied and SplitsVerified count the splits of its share done.
	// +optional
	SplitsCopied int32 `json:"splitsCopied,omitempty"`
	// +optional
	SplitsVerified int32 `json:"splitsVerified,omitempty"`
	// Splits is the number of splits its share owns.
	// +optional
	Splits int32 `json:"splits,omitempty"`
	// RowsCopied is how many rows it wrote since it started.
	// +optional
	RowsCopied int64 `json:"rowsCopied,omitempty"`
	// RowsPerSecond is its rate over its last report interval.
	// +optional
	RowsPerSecond int64 `json:"rowsPerSecond,omitempty"`
	// EstimatedTimeLeft is the time its splits left should take at its pace.
	// +optional
	EstimatedTimeLeft string `json:"estimatedTimeLeft,omitempty"`
	// LastReport is when it last reported.
	// +optional
	LastReport *metav1.Time `json:"lastReport,omitempty"`
}

// BackfillStatus is a Backfill's progress. Splits are recorded as ranges of their indexes
// ("0-127,130"), at most once a second, so a restart redoes only the splits that were in flight
// (and those finished in the last second).
type BackfillStatus struct {
	// ObservedGeneration is the generation of the spec the last reconcile acted on.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`
	// Conditions: Ready is True when every split is copied and verified (reason Verified).
	// +listType=map
	// +listMapKey=type
	// +optional
	Conditions []metav1.Condition `json:"conditions,omitempty"`
	// Targets is the one target (connection and keyspace) of the copy, in the vocabulary of the
	// schema kinds.
	// +listType=atomic
	// +optional
	Targets []TargetStatus `json:"targets,omitempty"`
	// TargetsSynced is "1/1" once verified, "0/1" before.
	// +optional
	TargetsSynced string `json:"targetsSynced,omitempty"`
	// Phase is Pending, Copying, Verifying, Paused, Complete or Refused.
	// +optional
	Phase BackfillPhase `json:"phase,omitempty"`
	// Source and Target are the tables, as keyspace.table.
	// +optional
	Source string `json:"source,omitempty"`
	// +optional
	Target string `json:"target,omitempty"`
	// Splits is the number of splits (spec.splits).
	// +optional
	Splits int32 `json:"splits,omitempty"`
	// Progress is "copied/total verified/total", for kubectl get.
	// +optional
	Progress string `json:"progress,omitempty"`
	// Copied, Verified and Mismatched are split indexes as ranges ("0-127,130"): copied, then
	// verified; Mismatched are those whose verification found a source cell missing or newer
	// in the target, copied again.
	// +optional
	Copied string `json:"copied,omitempty"`
	// +optional
	Verified string `json:"verified,omitempty"`
	// +optional
	Mismatched string `json:"mismatched,omitempty"`
	// RowsCopied is how many source rows were written into the target (a split copied twice
	// counts twice).
	// +optional
	RowsCopied int64 `json:"rowsCopied,omitempty"`
	// RowsVerified is how many source rows the verified splits hold, each found in the target.
	// +optional
	RowsVerified int64 `json:"rowsVerified,omitempty"`
	// RowsSkipped is how many source rows of verified splits could not be copied (see Skipped).
	// +optional
	RowsSkipped int64 `json:"rowsSkipped,omitempty"`
	// Skipped lists the splits with rows that could not be copied, with samples.
	// +kubebuilder:validation:MaxItems=64
	// +listType=atomic
	// +optional
	Skipped []BackfillSkipped `json:"skipped,omitempty"`
	// RowsPerSecond is the rate of the last report interval.
	// +optional
	RowsPerSecond int64 `json:"rowsPerSecond,omitempty"`
	// EstimatedTimeLeft is the time the splits left should take at the current rate.
	// +optional
	EstimatedTimeLeft string `json:"estimatedTimeLeft,omitempty"`
	// KeyOnlyTimestamp is the write timestamp (microseconds) of the rows that have no regular
	// cell, whose own write time CQL cannot read: fixed when the Backfill starts, so copying them
	// again writes the same.
	// +optional
	KeyOnlyTimestamp int64 `json:"keyOnlyTimestamp,omitempty"`
	// StartTime is when copying started; CompletionTime when the last split was verified.
	// +optional
	StartTime *metav1.Time `json:"startTime,omitempty"`
	// +optional
	CompletionTime *metav1.Time `json:"completionTime,omitempty"`
	// Workers is the progress of each worker pod of spec.workers.
	// +listType=map
	// +listMapKey=index
	// +optional
	Workers []BackfillWorkerStatus `json:"workers,omitempty"`
}

// Backfill copies the rows of a table into a TableModel's table, resumably, and verifies them.
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:shortName=cqlbf,categories=cqlsync
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="Reason",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].reason`
// +kubebuilder:printcolumn:name="Targets",type=string,JSONPath=`.status.targetsSynced`
// +kubebuilder:printcolumn:name="Phase",type=string,JSONPath=`.status.phase`
// +kubebuilder:printcolumn:name="Progress",type=string,JSONPath=`.status.progress`
// +kubebuilder:printcolumn:name="Rows",type=integer,JSONPath=`.status.rowsCopied`
// +kubebuilder:printcolumn:name="Rate",type=integer,JSONPath=`.status.rowsPerSecond`,description="rows per second"
// +kubebuilder:printcolumn:name="ETA",type=string,JSONPath=`.status.estimatedTimeLeft`
// +kubebuilder:printcolumn:name="Source",type=string,JSONPath=`.status.source`,priority=1
// +kubebuilder:printcolumn:name="Target",type=string,JSONPath=`.status.target`,priority=1
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
type Backfill struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   BackfillSpec   `json:"spec"`
	Status BackfillStatus `json:"status,omitempty"`
}

// BackfillList is a list of Backfills.
// +kubebuilder:object:root=true
type BackfillList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []Backfill `json:"items"`
}

func init() {
	SchemeBuilder.Register(&Backfill{}, &BackfillList{})
}

// Paused reports whether the annotation cqlsync.io/paused is "true".
func (b *Backfill) Paused() bool { return b.Annotations[AnnotationPaused] == "true" }

// SourceColumn is the source column a target column is copied from ("" when skipped), and
// whether the spec names it.
func (s *BackfillSpec) SourceColumn(target string) (source string, listed bool) {
	for _, c := range s.Columns {
		if c.Target == target {
			if c.Skip {
				return "", true
			}
			if c.Source == "" {
				return target, true
			}
			return c.Source, true
		}
	}
	return target, false
}
