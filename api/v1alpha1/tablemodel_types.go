package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// ColumnName is a CQL column name: letters, digits and underscores. It is always quoted, so it is
// case-sensitive and may be a reserved word.
// +kubebuilder:validation:MinLength=1
// +kubebuilder:validation:MaxLength=128
// +kubebuilder:validation:Pattern=`^[A-Za-z0-9_]+$`
type ColumnName string

// Column is one column of the table.
type Column struct {
	// Name of the column.
	Name ColumnName `json:"name"`

	// Type is the CQL type text: a native type (text, int, uuid, timestamp, blob, ...), a
	// collection (list<int>, set<text>, map<text, frozen<list<int>>>), a tuple, a user-defined type
	// (frozen<address>; the type must exist in the keyspace) or vector<float, 3>. The controller
	// parses it; a type it cannot parse makes the TableModel Ready=False with reason InvalidType
	// naming the column.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=512
	Type string `json:"type"`

	// Static makes the column shared by all rows of a partition. Only for non-key columns of a table
	// with a clustering key.
	// +optional
	Static bool `json:"static,omitempty"`

	// Mask is the column's dynamic data mask (Cassandra 5.0 and later, with
	// dynamic_data_masking_enabled in cassandra.yaml): a role without the UNMASK permission reads
	// the mask function's result instead of the value. Absent means no mask: a mask set out of
	// band is dropped. A cluster older than 5.0 is refused with UnsupportedByServer.
	// +optional
	Mask *ColumnMask `json:"mask,omitempty"`
}

// ColumnMask is a column's MASKED WITH clause.
// +kubebuilder:validation:XValidation:rule="!(self.function in ['DEFAULT', 'mask_default', 'mask_null']) || !has(self.arguments) || size(self.arguments) == 0",message="mask.arguments: DEFAULT, mask_default and mask_null take no arguments"
// +kubebuilder:validation:XValidation:rule="self.function != 'mask_replace' || (has(self.arguments) && size(self.arguments) == 1)",message="mask.arguments: mask_replace takes one argument, the replacement value"
// +kubebuilder:validation:XValidation:rule="!(self.function in ['mask_inner', 'mask_outer']) || (has(self.arguments) && size(self.arguments) >= 2 && size(self.arguments) <= 3)",message="mask.arguments: mask_inner and mask_outer take 2 or 3 arguments: the characters kept at the beginning and at the end, and an optional padding character"
// +kubebuilder:validation:XValidation:rule="self.function != 'mask_hash' || !has(self.arguments) || size(self.arguments) <= 1",message="mask.arguments: mask_hash takes at most one argument, the hash algorithm"
type ColumnMask struct {
	// Function is DEFAULT (MASKED WITH DEFAULT: a fixed value of the column's type), a built-in
	// mask function (mask_default, mask_null, mask_replace, mask_inner, mask_outer, mask_hash),
	// or a user-defined function as keyspace.function (names as Cassandra stores them).
	// +kubebuilder:validation:MaxLength=97
	// +kubebuilder:validation:Pattern=`^(DEFAULT|mask_default|mask_null|mask_replace|mask_inner|mask_outer|mask_hash|[A-Za-z0-9_]{1,48}\.[A-Za-z0-9_]{1,48})$`
	Function string `json:"function"`
	// Arguments of the function after the column's value, each a CQL literal: null, true, false,
	// a number, or a string in single quotes ('' for a quote). For example ["1", "null"] for
	// mask_inner(1, null), ["'***'"] for mask_replace('***'), ["'SHA-256'"] for mask_hash.
	// +kubebuilder:validation:MaxItems=8
	// +kubebuilder:validation:items:MaxLength=1024
	// +kubebuilder:validation:items:Pattern=`^([Nn][Uu][Ll][Ll]|[Tt][Rr][Uu][Ee]|[Ff][Aa][Ll][Ss][Ee]|-?[0-9]+(\.[0-9]+)?|'([^']|'')*')$`
	// +listType=atomic
	// +optional
	Arguments []string `json:"arguments,omitempty"`
}

// ClusteringOrder is the on-disk order of a clustering column.
// +kubebuilder:validation:Enum=ASC;DESC
type ClusteringOrder string

// ClusteringColumn is one clustering column and its order.
type ClusteringColumn struct {
	// Name of a column of spec.columns.
	Name ColumnName `json:"name"`
	// Order of the rows within a partition by this column.
	// +kubebuilder:default=ASC
	// +optional
	Order ClusteringOrder `json:"order,omitempty"`
}

// IndexTarget says what part of a collection column an index covers.
// +kubebuilder:validation:Enum=keys;values;entries;full
type IndexTarget string

// Index is a named secondary index.
type Index struct {
	// Name of the index (unique per keyspace in Cassandra).
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=128
	// +kubebuilder:validation:Pattern=`^[A-Za-z0-9_]+$`
	Name string `json:"name"`
	// Column indexed; one of spec.columns.
	Column ColumnName `json:"column"`
	// Target, for collection columns: keys or entries (maps), values (the default for
	// collections), full (frozen collections).
	// +optional
	Target IndexTarget `json:"target,omitempty"`
	// Using is a custom index class, e.g. "sai" or "StorageAttachedIndex" for Storage-Attached
	// Indexing. Empty means a legacy secondary index.
	// +kubebuilder:validation:MaxLength=256
	// +kubebuilder:validation:Pattern=`^[A-Za-z0-9_.$]+$`
	// +optional
	Using string `json:"using,omitempty"`
	// Options of a custom index (WITH OPTIONS = {...}), e.g. {"case_sensitive": "false"} for SAI.
	// An SAI index on a vector column takes similarity_function (COSINE, the default, EUCLIDEAN
	// or DOT_PRODUCT) and source_model (OTHER, ADA002, OPENAI_V3_SMALL, OPENAI_V3_LARGE, BERT,
	// GECKO or NV_QA_4: the embedding model, which tunes the index).
	// +kubebuilder:validation:MaxProperties=32
	// +kubebuilder:validation:XValidation:rule="!('similarity_function' in self) || self['similarity_function'] in ['COSINE', 'EUCLIDEAN', 'DOT_PRODUCT']",message="options.similarity_function must be COSINE, EUCLIDEAN or DOT_PRODUCT"
	// +kubebuilder:validation:XValidation:rule="!('source_model' in self) || self['source_model'] in ['OTHER', 'ADA002', 'OPENAI_V3_SMALL', 'OPENAI_V3_LARGE', 'BERT', 'GECKO', 'NV_QA_4']",message="options.source_model must be OTHER, ADA002, OPENAI_V3_SMALL, OPENAI_V3_LARGE, BERT, GECKO or NV_QA_4"
	// +optional
	Options map[string]string `json:"options,omitempty"`
}

// TableOptions are the table's CQL options (cqlengine's __options__). Unset options are left as
// Cassandra has them; set options are enforced.
type TableOptions struct {
	// Comment of the table.
	// +kubebuilder:validation:MaxLength=4096
	// +optional
	Comment *string `json:"comment,omitempty"`
	// DefaultTimeToLive in seconds for rows written without a TTL (default_time_to_live); 0 means none.
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=630720000
	// +optional
	DefaultTimeToLive *int32 `json:"defaultTimeToLive,omitempty"`
	// GCGraceSeconds is how long tombstones are kept (gc_grace_seconds).
	// +kubebuilder:validation:Minimum=0
	// +optional
	GCGraceSeconds *int32 `json:"gcGraceSeconds,omitempty"`
	// BloomFilterFPChance is the false-positive chance of the bloom filter, a decimal in (0, 1],
	// e.g. "0.01" (bloom_filter_fp_chance).
	// +kubebuilder:validation:Pattern=`^(0?\.[0-9]+|1(\.0+)?)$`
	// +optional
	BloomFilterFPChance *string `json:"bloomFilterFpChance,omitempty"`
	// SpeculativeRetry, e.g. "99p", "50ms", "ALWAYS", "NONE", "MIN(99p,50ms)" (speculative_retry).
	// +kubebuilder:validation:MaxLength=64
	// +kubebuilder:validation:Pattern=`^[A-Za-z0-9_.(), ]+$`
	// +optional
	SpeculativeRetry *string `json:"speculativeRetry,omitempty"`
	// AdditionalWritePolicy, e.g. "99p" (additional_write_policy).
	// +kubebuilder:validation:MaxLength=64
	// +kubebuilder:validation:Pattern=`^[A-Za-z0-9_.(), ]+$`
	// +optional
	AdditionalWritePolicy *string `json:"additionalWritePolicy,omitempty"`
	// MemtableFlushPeriodInMs forces memtable flushes at this period; 0 disables.
	// +kubebuilder:validation:Minimum=0
	// +optional
	MemtableFlushPeriodInMs *int32 `json:"memtableFlushPeriodInMs,omitempty"`
	// MinIndexInterval of the partition summary.
	// +kubebuilder:validation:Minimum=1
	// +optional
	MinIndexInterval *int32 `json:"minIndexInterval,omitempty"`
	// MaxIndexInterval of the partition summary.
	// +kubebuilder:validation:Minimum=1
	// +optional
	MaxIndexInterval *int32 `json:"maxIndexInterval,omitempty"`
	// CRCCheckChance, a decimal in [0, 1] (crc_check_chance).
	// +kubebuilder:validation:Pattern=`^(0?\.[0-9]+|0|1(\.0+)?)$`
	// +optional
	CRCCheckChance *string `json:"crcCheckChance,omitempty"`
	// CDC enables change data capture for the table.
	// +optional
	CDC *bool `json:"cdc,omitempty"`
	// ReadRepair: BLOCKING or NONE.
	// +kubebuilder:validation:Enum=BLOCKING;NONE
	// +optional
	ReadRepair *string `json:"readRepair,omitempty"`
	// Compaction sub-options, e.g. {"class": "SizeTieredCompactionStrategy", "min_threshold": "4"}.
	// Must name the class.
	// +kubebuilder:validation:MaxProperties=32
	// +kubebuilder:validation:XValidation:rule="'class' in self",message="spec.options.compaction must include 'class'"
	// +optional
	Compaction map[string]string `json:"compaction,omitempty"`
	// Compression sub-options, e.g. {"class": "LZ4Compressor", "chunk_length_in_kb": "16"}, or
	// {"enabled": "false"}. Must name the class unless it disables compression.
	// +kubebuilder:validation:MaxProperties=32
	// +kubebuilder:validation:XValidation:rule="'class' in self || ('enabled' in self && self['enabled'].lowerAscii() == 'false')",message="spec.options.compression must include 'class' (or set 'enabled': 'false')"
	// +optional
	Compression map[string]string `json:"compression,omitempty"`
	// Caching sub-options, e.g. {"keys": "ALL", "rows_per_partition": "NONE"}.
	// +kubebuilder:validation:MaxProperties=8
	// +optional
	Caching map[string]string `json:"caching,omitempty"`
}

// TableModelSpec is the desired table on every target (connection x keyspace).
// +kubebuilder:validation:XValidation:rule="self.partitionKey.all(k, self.columns.exists(c, c.name == k))",message="spec.partitionKey: every partition key column must be listed in spec.columns"
// +kubebuilder:validation:XValidation:rule="!has(self.clusteringKey) || self.clusteringKey.all(k, self.columns.exists(c, c.name == k.name))",message="spec.clusteringKey: every clustering column must be listed in spec.columns"
// +kubebuilder:validation:XValidation:rule="!has(self.clusteringKey) || self.clusteringKey.all(k, !(k.name in self.partitionKey))",message="spec.clusteringKey: a column cannot be in both the partition key and the clustering key"
// +kubebuilder:validation:XValidation:rule="self.columns.all(c, !has(c.static) || !c.static || !(c.name in self.partitionKey) && (!has(self.clusteringKey) || !self.clusteringKey.exists(k, k.name == c.name)))",message="spec.columns: a key column cannot be static"
// +kubebuilder:validation:XValidation:rule="!self.columns.exists(c, has(c.static) && c.static) || (has(self.clusteringKey) && size(self.clusteringKey) > 0)",message="spec.columns: static columns need a clustering key"
// +kubebuilder:validation:XValidation:rule="!self.columns.exists(c, c.type.lowerAscii().trim() == 'counter') || self.columns.all(c, c.type.lowerAscii().trim() == 'counter' || c.name in self.partitionKey || (has(self.clusteringKey) && self.clusteringKey.exists(k, k.name == c.name)))",message="spec.columns: counter columns cannot be mixed with non-counter columns outside the primary key"
// +kubebuilder:validation:XValidation:rule="!has(self.indexes) || self.indexes.all(i, self.columns.exists(c, c.name == i.column))",message="spec.indexes: every index column must be listed in spec.columns"
// +kubebuilder:validation:XValidation:rule="!has(self.indexes) || self.indexes.all(i, !has(i.options) || size(i.options) == 0 || has(i.using))",message="spec.indexes: options are only allowed on a custom index (set using, e.g. sai)"
// +kubebuilder:validation:XValidation:rule="!has(oldSelf.name) || (has(self.name) && self.name == oldSelf.name)",message="spec.name is immutable: create a new TableModel to use another table name"
type TableModelSpec struct {
	// Name is the CQL table name (letters, digits, underscores, at most 48; always quoted, so
	// case-sensitive). When empty the controller sets it from metadata.name with "-" turned into
	// "_". Immutable.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=48
	// +kubebuilder:validation:Pattern=`^[A-Za-z0-9_]+$`
	// +optional
	Name string `json:"name,omitempty"`

	// Keyspaces the table is synced into, on every connection. Empty means each connection's
	// spec.defaultKeyspace.
	// +kubebuilder:validation:MaxItems=32
	// +listType=set
	// +optional
	Keyspaces []KeyspaceName `json:"keyspaces,omitempty"`

	// Connections are the connections whose clusters get the table: the name of a
	// CassandraConnection of this namespace ("prod"), or {kind: ClusterCassandraConnection, name:
	// shared} for a cluster-scoped connection a platform team shares. Empty means the namespace's
	// default connection: its CassandraConnection with spec.default, or the
	// ClusterCassandraConnection that the namespace's annotation
	// cqlsync.io/default-cluster-connection names. Each connection at most once.
	// +kubebuilder:validation:MaxItems=32
	// +listType=atomic
	// +optional
	Connections []ConnectionRef `json:"connections,omitempty"`

	// Columns of the table, key columns included. Column names are unique.
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=256
	// +listType=map
	// +listMapKey=name
	Columns []Column `json:"columns"`

	// PartitionKey lists the partition key columns, in order. Immutable: Cassandra cannot change a
	// primary key; create a new table instead.
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=16
	// +listType=set
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="spec.partitionKey is immutable: Cassandra cannot change a primary key"
	PartitionKey []ColumnName `json:"partitionKey"`

	// ClusteringKey lists the clustering columns, in order, with their order. Immutable.
	// +kubebuilder:validation:MaxItems=16
	// +listType=map
	// +listMapKey=name
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="spec.clusteringKey is immutable: Cassandra cannot change a primary key or clustering order"
	// +optional
	ClusteringKey []ClusteringColumn `json:"clusteringKey,omitempty"`

	// Indexes are named secondary indexes (legacy or custom, e.g. SAI).
	// +kubebuilder:validation:MaxItems=64
	// +listType=map
	// +listMapKey=name
	// +optional
	Indexes []Index `json:"indexes,omitempty"`

	// Options are table options; those set here are enforced, the others left alone.
	// +optional
	Options *TableOptions `json:"options,omitempty"`

	// AllowDropColumns lets the operator DROP live columns that are not in spec.columns. By default
	// they are kept and reported in the Drifted condition: cqlsync never destroys data unasked.
	// +optional
	AllowDropColumns bool `json:"allowDropColumns,omitempty"`

	// AllowDropIndexes lets the operator DROP live indexes of the table that are not in
	// spec.indexes. By default they are kept and reported in the Drifted condition (an index is not
	// data, but dropping one can break the queries that use it). An index of spec.indexes whose
	// live definition differs is always dropped and created again.
	// +optional
	AllowDropIndexes bool `json:"allowDropIndexes,omitempty"`

	// ChangePolicy says which changes run on their own: Auto (the default) runs every change;
	// AutoAdditive runs only additive ones (creations, new columns and fields, new indexes) and
	// holds the others (ALTERs, DROPs, index rebuilds) for approval; Manual holds every change.
	// A held plan is published in status.plan with a hash, and runs once the annotation
	// cqlsync.io/approve-plan is set to that hash and recomputing the plan gives the same one.
	// +kubebuilder:default=Auto
	// +optional
	ChangePolicy ChangePolicy `json:"changePolicy,omitempty"`

	// DeletionPolicy: Retain (default) leaves the table and its data; Delete runs DROP TABLE IF
	// EXISTS on every target. A table that another TableModel of the namespace also declares on a
	// target is never dropped there: not by a TableModel that does not own it (reason
	// DuplicateOwner), and not by its owner while a duplicate that is not being deleted remains to
	// take it over. A Normal event says so.
	// +kubebuilder:default=Retain
	// +optional
	DeletionPolicy DeletionPolicy `json:"deletionPolicy,omitempty"`
}

// TableModelStatus is the observed state of a TableModel.
type TableModelStatus struct {
	SchemaStatus `json:",inline"`
	// Table is the effective CQL table name.
	// +optional
	Table string `json:"table,omitempty"`
}

// TableModel is a CQL table synced to every listed connection x keyspace: a cqlengine Model plus
// sync_table(Model, keyspaces=..., connections=...).
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:shortName=tm,categories=cqlsync
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="Reason",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].reason`
// +kubebuilder:printcolumn:name="Targets",type=string,JSONPath=`.status.targetsSynced`
// +kubebuilder:printcolumn:name="Drifted",type=string,JSONPath=`.status.conditions[?(@.type=="Drifted")].status`,priority=1
// +kubebuilder:printcolumn:name="Table",type=string,JSONPath=`.status.table`,priority=1
// +kubebuilder:printcolumn:name="Policy",type=string,JSONPath=`.spec.deletionPolicy`,priority=1
// +kubebuilder:printcolumn:name="Plan",type=string,JSONPath=`.status.plan.hash`,priority=1,description="the hash of the plan that waits, if any"
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
// +kubebuilder:validation:XValidation:rule="has(self.spec.name) || (size(self.metadata.name) <= 48 && !self.metadata.name.contains('.'))",message="metadata.name cannot be used as the table name (at most 48 characters, no dots): set spec.name"
type TableModel struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   TableModelSpec   `json:"spec"`
	Status TableModelStatus `json:"status,omitempty"`
}

// TableModelList is a list of TableModels.
// +kubebuilder:object:root=true
type TableModelList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []TableModel `json:"items"`
}

func init() {
	SchemeBuilder.Register(&TableModel{}, &TableModelList{})
}

// CQLName is the effective CQL table name: spec.name, or metadata.name with "-" turned into "_".
func (t *TableModel) CQLName() string { return cqlName(t.Spec.Name, t.Name) }

// SpecName is spec.name.
func (t *TableModel) SpecName() *string { return &t.Spec.Name }

// TargetConnections is spec.connections.
func (t *TableModel) TargetConnections() []ConnectionRef { return t.Spec.Connections }

// TargetKeyspaces is spec.keyspaces.
func (t *TableModel) TargetKeyspaces() []KeyspaceName { return t.Spec.Keyspaces }

// EffectiveDeletionPolicy is spec.deletionPolicy, Retain when unset.
func (t *TableModel) EffectiveDeletionPolicy() DeletionPolicy {
	return effectivePolicy(t.Spec.DeletionPolicy)
}

// EffectiveChangePolicy is spec.changePolicy, Auto when unset.
func (t *TableModel) EffectiveChangePolicy() ChangePolicy {
	return effectiveChangePolicy(t.Spec.ChangePolicy)
}

// Schema is the status shared with the other schema kinds.
func (t *TableModel) Schema() *SchemaStatus { return &t.Status.SchemaStatus }
