package dynamodb

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode/utf16"

	"github.com/virga/virga/internal/awsproto"
)

// table is a table's definition as stored (JSON) and cached.
type table struct {
	ID         uint64    `json:"id"`
	Name       string    `json:"name"`
	UUID       string    `json:"uuid"`
	Created    time.Time `json:"created"`
	Status     string    `json:"status"`
	Attributes []attrDef `json:"attributes"`
	Hash       string    `json:"hash"`
	Range      string    `json:"range,omitempty"`
	Billing    string    `json:"billing"`
	RCU        int64     `json:"rcu,omitempty"`
	WCU        int64     `json:"wcu,omitempty"`
	// BillingAt is when the table last became PAY_PER_REQUEST (its
	// creation for a table created so).
	BillingAt time.Time `json:"billingAt"`
	// FromOnDemand is whether a provisioned table was switched from
	// PAY_PER_REQUEST, which DescribeTable then reports with BillingAt.
	FromOnDemand bool              `json:"fromOnDemand,omitempty"`
	Throughput   throughputChanges `json:"throughput,omitzero"`
	GSIs         []index           `json:"gsis,omitempty"`
	LSIs         []index           `json:"lsis,omitempty"`
	Stream       streamConfig      `json:"stream"`
	// PastStreams are the disabled streams that a later stream replaced,
	// readable until their retention ends.
	PastStreams []streamConfig `json:"pastStreams,omitempty"`
	SSE         bool           `json:"sse,omitempty"`
	SSEType     string         `json:"sseType,omitempty"`
	KMSKey      string         `json:"kmsKey,omitempty"`
	TTL         ttlConfig      `json:"ttl"`
	Tags        []tagPair      `json:"tags,omitempty"`
	Class       string         `json:"class"`
	// ClassSet is whether a request named the table class, which
	// DescribeTable then reports even when it is the default.
	ClassSet bool `json:"classSet,omitempty"`
	// ClassUpdated is when UpdateTable last changed the table class.
	ClassUpdated time.Time `json:"classUpdated,omitzero"`
	// WarmRead and WarmWrite are the warm throughput a request configured
	// (zero: the baseline every table has).
	WarmRead  int64 `json:"warmRead,omitempty"`
	WarmWrite int64 `json:"warmWrite,omitempty"`
	Protected bool  `json:"protected,omitempty"`
	MaxRead   int64 `json:"maxRead,omitempty"`
	MaxWrite  int64 `json:"maxWrite,omitempty"`
	// PITRSince is when point-in-time recovery was enabled (zero: it is
	// disabled).
	PITRSince time.Time `json:"pitrSince,omitzero"`
	// PITRDays is the recovery period, in days (zero: the default, 35).
	PITRDays int32 `json:"pitrDays,omitempty"`
	// Restore is where a restored table came from.
	Restore *restoreInfo `json:"restore,omitempty"`
	// Kinesis are the table's Kinesis streaming destinations, active or
	// disabled.
	Kinesis []kinesisDest `json:"kinesis,omitempty"`
	// Insights are the table's and its indexes' contributor insights
	// (op_contributor_insights.go).
	Insights []insightsConfig `json:"insights,omitempty"`
}

type attrDef struct {
	Name string `json:"name"`
	Type string `json:"type"` // S, N or B
}

// index is a secondary index. Range is empty for a hash-only GSI. A
// global index's multi-attribute key has further partition and sort key
// attributes after Hash and Range, in key schema order.
type index struct {
	Name       string   `json:"name"`
	Hash       string   `json:"hash"`
	Range      string   `json:"range,omitempty"`
	MoreHash   []string `json:"moreHash,omitempty"`
	MoreRange  []string `json:"moreRange,omitempty"`
	Projection string   `json:"projection"` // ALL, KEYS_ONLY, INCLUDE
	NonKey     []string `json:"nonKey,omitempty"`
	RCU        int64    `json:"rcu,omitempty"`
	WCU        int64    `json:"wcu,omitempty"`
	Status     string   `json:"status"`
	// Throughput is the history of RCU and WCU.
	Throughput throughputChanges `json:"throughput,omitzero"`
}

type streamConfig struct {
	Enabled  bool   `json:"enabled"`
	ViewType string `json:"viewType,omitempty"`
	Label    string `json:"label,omitempty"`
	// Disabled is when the stream was disabled; its records stay
	// readable for the retention period after.
	Disabled time.Time `json:"disabled,omitzero"`
	// End is a replaced stream's last sequence number.
	End uint64 `json:"end,omitempty"`
}

type ttlConfig struct {
	Attribute string `json:"attribute,omitempty"`
	Enabled   bool   `json:"enabled"`
}

type tagPair struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// Billing modes and statuses, as DynamoDB spells them.
const (
	billingProvisioned   = "PROVISIONED"
	billingPayPerRequest = "PAY_PER_REQUEST"
	statusActive         = "ACTIVE"
	statusCreating       = "CREATING"
	statusDeleting       = "DELETING"
	statusUpdating       = "UPDATING"
)

// Limits from DynamoDB's "Service, account, and table quotas".
const (
	// A global secondary index's partition key and its sort key each
	// consist of up to four attributes (multi-attribute keys).
	maxGSIKeyAttrs       = 4
	maxGSIs              = 20
	maxLSIs              = 5
	maxProjectedNonKey   = 100 // non-key attributes projected across all of a table's indexes
	maxTablesPerAccount  = 2500
	maxTagsPerResource   = 50
	defaultAccountMaxRCU = 80000
	defaultAccountMaxWCU = 80000
	defaultTableMaxRCU   = 40000
	defaultTableMaxWCU   = 40000
	// "By default, all on-demand tables and indexes have a warm throughput
	// of 12,000 read units per second and 4,000 write units per second";
	// a table's warm throughput is never configured below it.
	baselineWarmRead  = 12000
	baselineWarmWrite = 4000
)

func (t *table) arn(account, region string) string {
	return "arn:aws:dynamodb:" + region + ":" + account + ":table/" + t.Name
}

// attrType returns the declared type of a key attribute.
func (t *table) attrType(name string) string {
	for _, a := range t.Attributes {
		if a.Name == name {
			return a.Type
		}
	}
	return ""
}

// index returns the secondary index with the name, or nil.
func (t *table) index(name string) *index {
	for i := range t.GSIs {
		if t.GSIs[i].Name == name {
			return &t.GSIs[i]
		}
	}
	for i := range t.LSIs {
		if t.LSIs[i].Name == name {
			return &t.LSIs[i]
		}
	}
	return nil
}

// isLSI reports whether the named index is local.
func (t *table) isLSI(name string) bool {
	for i := range t.LSIs {
		if t.LSIs[i].Name == name {
			return true
		}
	}
	return false
}

// keyNames are the table's key attribute names (hash, then range if any).
func (t *table) keyNames() []string {
	if t.Range == "" {
		return []string{t.Hash}
	}
	return []string{t.Hash, t.Range}
}

// hashNames are the index's partition key attributes, in key schema order.
func (ix *index) hashNames() []string {
	return append([]string{ix.Hash}, ix.MoreHash...)
}

// rangeNames are the index's sort key attributes, in key schema order.
func (ix *index) rangeNames() []string {
	if ix.Range == "" {
		return nil
	}
	return append([]string{ix.Range}, ix.MoreRange...)
}

// keyNames are all of the index's key attributes, partition key first.
func (ix *index) keyNames() []string {
	return append(ix.hashNames(), ix.rangeNames()...)
}

// multiAttribute reports whether the index has a multi-attribute key.
func (ix *index) multiAttribute() bool {
	return len(ix.MoreHash) > 0 || len(ix.MoreRange) > 0
}

// isRange reports whether name is one of the index's sort key attributes.
func (ix *index) isRange(name string) bool {
	return slices.Contains(ix.rangeNames(), name)
}

// keySchema renders the index's key schema for the wire.
func (ix *index) keySchema() []KeySchemaElement {
	return keySchemaOf(ix.hashNames(), ix.rangeNames())
}

// clone returns a deep copy, for changes that replace the cached table.
func (t *table) clone() *table {
	c := *t
	c.Attributes = append([]attrDef(nil), t.Attributes...)
	c.GSIs = append([]index(nil), t.GSIs...)
	c.LSIs = append([]index(nil), t.LSIs...)
	c.Tags = append([]tagPair(nil), t.Tags...)
	c.PastStreams = append([]streamConfig(nil), t.PastStreams...)
	c.Kinesis = append([]kinesisDest(nil), t.Kinesis...)
	c.Insights = append([]insightsConfig(nil), t.Insights...)
	return &c
}

// keySchema renders a table's key schema for the wire.
func keySchema(hash, rng string) []KeySchemaElement {
	if rng == "" {
		return keySchemaOf([]string{hash}, nil)
	}
	return keySchemaOf([]string{hash}, []string{rng})
}

// keySchemaOf renders a key schema of partition and sort key attributes.
func keySchemaOf(hashes, ranges []string) []KeySchemaElement {
	var ks []KeySchemaElement
	for _, n := range hashes {
		ks = append(ks, KeySchemaElement{AttributeName: ptr(n), KeyType: ptr(KeyType("HASH"))})
	}
	for _, n := range ranges {
		ks = append(ks, KeySchemaElement{AttributeName: ptr(n), KeyType: ptr(KeyType("RANGE"))})
	}
	return ks
}

func ptr[T any](v T) *T { return &v }

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// errStreamViewTypeWhenDisabled refuses a StreamSpecification that
// disables the stream and still names a view type.
var errStreamViewTypeWhenDisabled = ErrValidation.WithMessage("One or more parameter values were invalid: StreamViewType cannot be specified when StreamEnabled is false")

// parseKeySchema checks a table's or index's key schema the way DynamoDB
// does and returns its hash and range attribute names. One attribute as
// both keys is refused in words that differ for a table and an index.
func parseKeySchema(ks []KeySchemaElement, what string) (hash, rng string, err error) {
	if len(ks) == 0 || len(ks) > 2 {
		return "", "", invalid("1 validation error detected: Value '%d' at 'keySchema' failed to satisfy constraint: Member must have length less than or equal to 2", len(ks))
	}
	if deref(ks[0].KeyType) != "HASH" {
		return "", "", invalid("Invalid KeySchema: The first KeySchemaElement is not a HASH key type")
	}
	hash = deref(ks[0].AttributeName)
	if len(ks) == 2 {
		if deref(ks[1].KeyType) != "RANGE" {
			return "", "", invalid("Invalid KeySchema: The second KeySchemaElement is not a RANGE key type")
		}
		rng = deref(ks[1].AttributeName)
		if rng == hash && what == "index" {
			return "", "", invalid("Both the Hash Key and the Range Key element in the KeySchema have the same name")
		}
		if rng == hash {
			return "", "", invalid("Invalid KeySchema: Some index key attribute have no definition")
		}
	}
	return hash, rng, nil
}

// parseGSIKeySchema checks a global secondary index's key schema, which
// may have a multi-attribute key: up to four HASH elements, then up to
// four RANGE elements, each attribute named once. A schema of a table's
// shape is checked (and its errors worded) as a table's is.
func parseGSIKeySchema(ks []KeySchemaElement) (hashes, ranges []string, err error) {
	if len(ks) <= 2 && (len(ks) < 2 || deref(ks[1].KeyType) == "RANGE") {
		h, r, err := parseKeySchema(ks, "index")
		if err != nil {
			return nil, nil, err
		}
		if r == "" {
			return []string{h}, nil, nil
		}
		return []string{h}, []string{r}, nil
	}
	if len(ks) > 2*maxGSIKeyAttrs {
		return nil, nil, invalid("1 validation error detected: Value '%d' at 'keySchema' failed to satisfy constraint: Member must have length less than or equal to %d", len(ks), 2*maxGSIKeyAttrs)
	}
	if deref(ks[0].KeyType) != "HASH" {
		return nil, nil, invalid("Invalid KeySchema: The first KeySchemaElement is not a HASH key type")
	}
	seen := map[string]bool{}
	for _, k := range ks {
		name := deref(k.AttributeName)
		if seen[name] {
			return nil, nil, invalid("Invalid KeySchema: Duplicate key attribute name: %s", name)
		}
		seen[name] = true
		switch deref(k.KeyType) {
		case "HASH":
			if len(ranges) > 0 {
				return nil, nil, invalid("Invalid KeySchema: HASH key elements must all come before the RANGE key elements")
			}
			hashes = append(hashes, name)
		case "RANGE":
			ranges = append(ranges, name)
		}
	}
	if len(hashes) > maxGSIKeyAttrs {
		return nil, nil, invalid("Invalid KeySchema: A global secondary index key has at most %d HASH key elements, found %d", maxGSIKeyAttrs, len(hashes))
	}
	if len(ranges) > maxGSIKeyAttrs {
		return nil, nil, invalid("Invalid KeySchema: A global secondary index key has at most %d RANGE key elements, found %d", maxGSIKeyAttrs, len(ranges))
	}
	return hashes, ranges, nil
}

// parseProjection checks an index projection.
func parseProjection(p *Projection, indexName string) (string, []string, error) {
	// ProjectionType has no default: a Projection without it is refused.
	pt := string(deref(p.ProjectionType))
	if pt == "" {
		return "", nil, invalid("One or more parameter values were invalid: Unknown ProjectionType: null")
	}
	switch pt {
	case "INCLUDE":
		if len(p.NonKeyAttributes) == 0 {
			return "", nil, invalid("One or more parameter values were invalid: ProjectionType is INCLUDE, but NonKeyAttributes is not specified")
		}
	default:
		if len(p.NonKeyAttributes) > 0 {
			return "", nil, invalid("One or more parameter values were invalid: ProjectionType is %s, but NonKeyAttributes is specified", pt)
		}
	}
	seen := map[string]bool{}
	for _, a := range p.NonKeyAttributes {
		if seen[a] {
			return "", nil, invalid("One or more parameter values were invalid: Duplicate element in NonKeyAttributes: %s", a)
		}
		seen[a] = true
	}
	return pt, p.NonKeyAttributes, nil
}

// newTable builds and checks a table from CreateTable's input;
// reservedTags allows tag keys in the aws: namespace (checkTags).
func newTable(in *CreateTableInput, reservedTags bool) (*table, error) {
	t := &table{Name: *in.TableName, Status: statusActive, Class: "STANDARD"}
	// A provisioned capacity out of bounds is malformed, reported before
	// anything about the keys.
	if pt := in.ProvisionedThroughput; pt != nil && string(deref(in.BillingMode)) != billingPayPerRequest {
		if err := capacityInBounds(deref(pt.ReadCapacityUnits), deref(pt.WriteCapacityUnits)); err != nil {
			return nil, err
		}
	}
	var err error
	if t.Hash, t.Range, err = parseKeySchema(in.KeySchema, "table"); err != nil {
		return nil, err
	}
	defined := map[string]string{}
	for _, ad := range in.AttributeDefinitions {
		name, typ := deref(ad.AttributeName), string(deref(ad.AttributeType))
		if _, dup := defined[name]; dup {
			return nil, invalid("Attribute Name is duplicated: %s", name)
		}
		defined[name] = typ
		t.Attributes = append(t.Attributes, attrDef{Name: name, Type: typ})
	}
	used := map[string]bool{}
	checkDefined := func(names ...string) error {
		var missing []string
		for _, n := range names {
			if n == "" {
				continue
			}
			used[n] = true
			if _, ok := defined[n]; !ok {
				missing = append(missing, n)
			}
		}
		if len(missing) > 0 {
			var defs []string
			for _, ad := range t.Attributes {
				defs = append(defs, ad.Name)
			}
			return invalid("One or more parameter values were invalid: Some index key attributes are not defined in AttributeDefinitions. Keys: [%s], AttributeDefinitions: [%s]",
				strings.Join(missing, ", "), strings.Join(defs, ", "))
		}
		return nil
	}
	if err := checkDefined(t.Hash, t.Range); err != nil {
		return nil, err
	}

	// Index lists, when sent, are not empty; and every definition backs a
	// key, which DynamoDB checks before any other rule of the indexes.
	if in.LocalSecondaryIndexes != nil && len(in.LocalSecondaryIndexes) == 0 {
		return nil, invalid("One or more parameter values were invalid: List of LocalSecondaryIndexes is empty")
	}
	if in.GlobalSecondaryIndexes != nil && len(in.GlobalSecondaryIndexes) == 0 {
		return nil, invalid("One or more parameter values were invalid: List of GlobalSecondaryIndexes is empty")
	}
	keysUsed := []string{t.Hash}
	if t.Range != "" {
		keysUsed = append(keysUsed, t.Range)
	}
	indexKeys := func(ks []KeySchemaElement) error {
		var names []string
		for _, k := range ks {
			names = append(names, deref(k.AttributeName))
		}
		keysUsed = append(keysUsed, names...)
		return checkDefined(names...)
	}
	for _, l := range in.LocalSecondaryIndexes {
		if err := indexKeys(l.KeySchema); err != nil {
			return nil, err
		}
	}
	for _, g := range in.GlobalSecondaryIndexes {
		if err := indexKeys(g.KeySchema); err != nil {
			return nil, err
		}
	}
	if len(used) != len(defined) {
		if in.LocalSecondaryIndexes == nil && in.GlobalSecondaryIndexes == nil {
			return nil, invalid("One or more parameter values were invalid: Number of attributes in KeySchema does not exactly match number of attributes defined in AttributeDefinitions")
		}
		var defs []string
		for _, ad := range t.Attributes {
			defs = append(defs, ad.Name)
		}
		return nil, invalid("One or more parameter values were invalid: Some AttributeDefinitions are not used. AttributeDefinitions: [%s], keys used: [%s]",
			strings.Join(defs, ", "), strings.Join(javaHashSetOrder(keysUsed), ", "))
	}

	// Billing.
	t.Billing = string(deref(in.BillingMode))
	if t.Billing == "" {
		t.Billing = billingProvisioned
	}
	switch t.Billing {
	case billingProvisioned:
		pt := in.ProvisionedThroughput
		if pt == nil {
			return nil, invalid("One or more parameter values were invalid: ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED")
		}
		t.RCU, t.WCU = deref(pt.ReadCapacityUnits), deref(pt.WriteCapacityUnits)
		if err := checkThroughput(t.RCU, t.WCU); err != nil {
			return nil, err
		}
	case billingPayPerRequest:
		if in.ProvisionedThroughput != nil {
			return nil, invalid("One or more parameter values were invalid: Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST")
		}
		if od := in.OnDemandThroughput; od != nil {
			t.MaxRead, t.MaxWrite = deref(od.MaxReadRequestUnits), deref(od.MaxWriteRequestUnits)
		}
	}

	// Indexes.
	names := map[string]bool{}
	nonKey := 0
	if len(in.LocalSecondaryIndexes) > maxLSIs {
		return nil, invalid("One or more parameter values were invalid: Number of LocalSecondaryIndexes exceeds per-table limit of %d", maxLSIs)
	}
	if len(in.GlobalSecondaryIndexes) > maxGSIs {
		// UpdateTable reports the same limit as LimitExceededException.
		return nil, invalid("One or more parameter values were invalid: GlobalSecondaryIndex count exceeds the per-table limit of %d", maxGSIs)
	}
	if len(in.LocalSecondaryIndexes) > 0 && t.Range == "" {
		return nil, invalid("One or more parameter values were invalid: Table KeySchema does not have a range key, which is required when specifying a LocalSecondaryIndex")
	}
	for _, l := range in.LocalSecondaryIndexes {
		name := *l.IndexName
		if names[name] {
			return nil, invalid("One or more parameter values were invalid: Duplicate index name: %s", name)
		}
		names[name] = true
		h, r, err := parseKeySchema(l.KeySchema, "index")
		if err != nil {
			return nil, err
		}
		if r == "" {
			return nil, invalid("One or more parameter values were invalid: Index KeySchema does not have a range key for index: %s", name)
		}
		if h != t.Hash {
			return nil, invalid("One or more parameter values were invalid: Index KeySchema does not have the same leading hash key as table KeySchema for index: %s. index hash key: %s, table hash key: %s", name, h, t.Hash)
		}
		if err := checkDefined(h, r); err != nil {
			return nil, err
		}
		pt, nk, err := parseProjection(l.Projection, name)
		if err != nil {
			return nil, err
		}
		nonKey += len(nk)
		t.LSIs = append(t.LSIs, index{Name: name, Hash: h, Range: r, Projection: pt, NonKey: nk, Status: statusActive})
	}
	for _, g := range in.GlobalSecondaryIndexes {
		ix, err := newGSI(&g, t, names, checkDefined, func(name string) error {
			return invalid("One or more parameter values were invalid: ProvisionedThroughput is not specified for index: %s", name)
		})
		if err != nil {
			return nil, err
		}
		nonKey += len(ix.NonKey)
		t.GSIs = append(t.GSIs, *ix)
	}
	if nonKey > maxProjectedNonKey {
		return nil, invalid("One or more parameter values were invalid: Number of projected attributes in all indexes exceeds limit of %d, number of projected attributes:%d", maxProjectedNonKey, nonKey)
	}

	if ss := in.StreamSpecification; ss != nil && !deref(ss.StreamEnabled) && ss.StreamViewType != nil {
		return nil, errStreamViewTypeWhenDisabled
	}
	if ss := in.StreamSpecification; ss != nil && deref(ss.StreamEnabled) {
		if ss.StreamViewType == nil {
			return nil, invalid("One or more parameter values were invalid: StreamViewType is required when StreamEnabled is true")
		}
		t.Stream = streamConfig{Enabled: true, ViewType: string(*ss.StreamViewType)}
	}
	if sse := in.SSESpecification; sse != nil && deref(sse.Enabled) {
		t.SSE = true
		t.SSEType = string(deref(sse.SSEType))
		if t.SSEType == "" {
			t.SSEType = "KMS"
		}
		t.KMSKey = deref(sse.KMSMasterKeyId)
	}
	if in.TableClass != nil {
		t.Class, t.ClassSet = string(*in.TableClass), true
	}
	if err := t.setWarmThroughput(in.WarmThroughput); err != nil {
		return nil, err
	}
	t.Protected = deref(in.DeletionProtectionEnabled)
	if awsproto.UserTags(in.Tags, func(tg Tag) string { return deref(tg.Key) }) > maxTagsPerResource {
		return nil, errTooManyTags
	}
	if err := checkTags(in.Tags, reservedTags); err != nil {
		return nil, err
	}
	for _, tg := range in.Tags {
		t.Tags = append(t.Tags, tagPair{Key: deref(tg.Key), Value: deref(tg.Value)})
	}
	return t, nil
}

// newGSI checks a global secondary index definition against its table.
// noThroughput is the error for an index of a provisioned table that
// names no throughput, which CreateTable and UpdateTable word apart.
func newGSI(g *GlobalSecondaryIndex, t *table, names map[string]bool, checkDefined func(...string) error, noThroughput func(index string) error) (*index, error) {
	name := *g.IndexName
	if names[name] {
		return nil, invalid("One or more parameter values were invalid: Duplicate index name: %s", name)
	}
	names[name] = true
	hashes, ranges, err := parseGSIKeySchema(g.KeySchema)
	if err != nil {
		return nil, err
	}
	if err := checkDefined(append(hashes, ranges...)...); err != nil {
		return nil, err
	}
	pt, nk, err := parseProjection(g.Projection, name)
	if err != nil {
		return nil, err
	}
	ix := &index{Name: name, Hash: hashes[0], MoreHash: hashes[1:], Projection: pt, NonKey: nk, Status: statusActive}
	if len(ranges) > 0 {
		ix.Range, ix.MoreRange = ranges[0], ranges[1:]
	}
	if t.Billing == billingProvisioned {
		if g.ProvisionedThroughput == nil {
			return nil, noThroughput(name)
		}
		ix.RCU, ix.WCU = deref(g.ProvisionedThroughput.ReadCapacityUnits), deref(g.ProvisionedThroughput.WriteCapacityUnits)
		if err := checkThroughput(ix.RCU, ix.WCU); err != nil {
			return nil, err
		}
	} else if g.ProvisionedThroughput != nil {
		return nil, invalid("One or more parameter values were invalid: ProvisionedThroughput should not be specified for index: %s when BillingMode is PAY_PER_REQUEST", name)
	}
	return ix, nil
}

// maxCapacityUnits is the largest read or write capacity DynamoDB takes
// as a value at all; above it a request is malformed, below it and above
// the account's quota it exceeds a limit.
const maxCapacityUnits = 1_000_000_000_000

// capacityInBounds refuses a capacity above maxCapacityUnits, read first.
func capacityInBounds(rcu, wcu int64) error { return capacityInBoundsFor("", rcu, wcu) }

// capacityInBoundsFor is capacityInBounds for an UpdateTable's update of
// an index's capacity, whose message names the index.
func capacityInBoundsFor(index string, rcu, wcu int64) error {
	where := ""
	if index != "" {
		where = " for index " + index
	}
	if rcu > maxCapacityUnits {
		return invalid("Given value %d for ReadCapacityUnits is out of bounds%s", rcu, where)
	}
	if wcu > maxCapacityUnits {
		return invalid("Given value %d for WriteCapacityUnits is out of bounds%s", wcu, where)
	}
	return nil
}

// checkThroughput checks a table's or an index's provisioned capacity:
// malformed values first, then the account's per-table quota.
func checkThroughput(rcu, wcu int64) error {
	if err := capacityInBounds(rcu, wcu); err != nil {
		return err
	}
	if rcu < 1 {
		return invalid("One or more parameter values were invalid: Provisioned throughput for ReadCapacityUnits must be at least 1")
	}
	if wcu < 1 {
		return invalid("One or more parameter values were invalid: Provisioned throughput for WriteCapacityUnits must be at least 1")
	}
	if rcu > defaultTableMaxRCU || wcu > defaultTableMaxWCU {
		return ErrLimitExceeded.Withf("Subscriber limit exceeded: Provisioned throughput for table exceeds the maximum allowed: %d read capacity units and %d write capacity units", defaultTableMaxRCU, defaultTableMaxWCU)
	}
	return nil
}

// describe renders the table for the wire. counts gives the item count and
// size of the table and each index (by index name, "" for the table).
func (s *Service) describe(t *table, counts map[string][2]int64) *TableDescription {
	now := s.clock.Now()
	d := &TableDescription{
		TableName:                 ptr(t.Name),
		KeySchema:                 keySchema(t.Hash, t.Range),
		TableStatus:               ptr(TableStatus(t.Status)),
		CreationDateTime:          ptr(t.Created),
		TableArn:                  ptr(t.arn(s.account, s.region)),
		TableId:                   ptr(t.UUID),
		DeletionProtectionEnabled: ptr(t.Protected),
		ProvisionedThroughput:     t.Throughput.describe(now, t.RCU, t.WCU),
		TableSizeBytes:            ptr(counts[""][1]),
		ItemCount:                 ptr(counts[""][0]),
	}
	if r := t.Restore; r != nil {
		d.RestoreSummary = &RestoreSummary{RestoreDateTime: ptr(r.Time), RestoreInProgress: ptr(false), SourceTableArn: nonEmpty(r.TableARN), SourceBackupArn: nonEmpty(r.BackupARN)}
	}
	for _, a := range t.Attributes {
		d.AttributeDefinitions = append(d.AttributeDefinitions, AttributeDefinition{AttributeName: ptr(a.Name), AttributeType: ptr(ScalarAttributeType(a.Type))})
	}
	sort.Slice(d.AttributeDefinitions, func(i, j int) bool {
		return *d.AttributeDefinitions[i].AttributeName < *d.AttributeDefinitions[j].AttributeName
	})
	if t.Billing == billingProvisioned && t.FromOnDemand {
		d.BillingModeSummary = &BillingModeSummary{BillingMode: ptr(BillingMode(billingProvisioned)), LastUpdateToPayPerRequestDateTime: ptr(t.BillingAt)}
	}
	if t.Billing == billingPayPerRequest {
		d.BillingModeSummary = &BillingModeSummary{BillingMode: ptr(BillingMode(billingPayPerRequest)), LastUpdateToPayPerRequestDateTime: ptr(t.BillingAt)}
		if t.MaxRead != 0 || t.MaxWrite != 0 {
			d.OnDemandThroughput = &OnDemandThroughput{MaxReadRequestUnits: ptr(t.MaxRead), MaxWriteRequestUnits: ptr(t.MaxWrite)}
		}
	}
	arn := t.arn(s.account, s.region)
	for _, ix := range t.LSIs {
		c := counts[ix.Name]
		d.LocalSecondaryIndexes = append(d.LocalSecondaryIndexes, LocalSecondaryIndexDescription{
			IndexName:      ptr(ix.Name),
			KeySchema:      ix.keySchema(),
			Projection:     ix.projection(),
			IndexSizeBytes: ptr(c[1]),
			ItemCount:      ptr(c[0]),
			IndexArn:       ptr(arn + "/index/" + ix.Name),
		})
	}
	for _, ix := range t.GSIs {
		c := counts[ix.Name]
		gd := GlobalSecondaryIndexDescription{
			IndexName:             ptr(ix.Name),
			KeySchema:             ix.keySchema(),
			Projection:            ix.projection(),
			IndexStatus:           ptr(IndexStatus(ix.Status)),
			ProvisionedThroughput: ix.Throughput.describe(now, ix.RCU, ix.WCU),
			IndexSizeBytes:        ptr(c[1]),
			ItemCount:             ptr(c[0]),
			IndexArn:              ptr(arn + "/index/" + ix.Name),
		}
		if ix.Status == statusCreating {
			gd.Backfilling = ptr(true)
		}
		d.GlobalSecondaryIndexes = append(d.GlobalSecondaryIndexes, gd)
	}
	if t.Stream.Enabled {
		d.StreamSpecification = &StreamSpecification{StreamEnabled: ptr(true), StreamViewType: ptr(StreamViewType(t.Stream.ViewType))}
	}
	// A disabled stream stays readable, and DescribeTable still names it.
	if t.Stream.Label != "" {
		d.LatestStreamLabel = ptr(t.Stream.Label)
		d.LatestStreamArn = ptr(arn + "/stream/" + t.Stream.Label)
	}
	if t.SSE {
		d.SSEDescription = &SSEDescription{
			Status:          ptr(SSEStatus("ENABLED")),
			SSEType:         ptr(SSEType(t.SSEType)),
			KMSMasterKeyArn: ptr(fmt.Sprintf("arn:aws:kms:%s:%s:key/%s", s.region, s.account, kmsKeyID(t))),
		}
	}
	if t.ClassSet || t.Class != "STANDARD" {
		d.TableClassSummary = &TableClassSummary{TableClass: ptr(TableClass(t.Class))}
		if !t.ClassUpdated.IsZero() {
			d.TableClassSummary.LastUpdateDateTime = ptr(t.ClassUpdated)
		}
	}
	// Warm throughput changes take effect at once: the table is always
	// ready for what it was configured with, and never less than the
	// baseline.
	d.WarmThroughput = &TableWarmThroughputDescription{
		ReadUnitsPerSecond:  ptr(max(t.WarmRead, baselineWarmRead)),
		WriteUnitsPerSecond: ptr(max(t.WarmWrite, baselineWarmWrite)),
		Status:              ptr(TableStatus(statusActive)),
	}
	return d
}

// checkTableClass refuses a table class DynamoDB does not have, in its own
// words and before the model's constraints (whose enum violation it
// never reports).
func checkTableClass(c *TableClass) error {
	if c != nil && !slices.Contains(c.Values(), string(*c)) {
		return invalid("Invalid table-class parameter provided. Please try again with a valid table-class value: [%s]", strings.Join(c.Values(), ", "))
	}
	return nil
}

// setWarmThroughput applies a requested warm throughput: each unit it
// names is raised to the value, which may be neither below the baseline
// nor below the table's current warm throughput (it cannot be lowered).
func (t *table) setWarmThroughput(w *WarmThroughput) error {
	if w == nil {
		return nil
	}
	units := []struct {
		name      string
		requested *int64
		cur       *int64
		baseline  int64
	}{
		{"ReadUnitsPerSecond", w.ReadUnitsPerSecond, &t.WarmRead, baselineWarmRead},
		{"WriteUnitsPerSecond", w.WriteUnitsPerSecond, &t.WarmWrite, baselineWarmWrite},
	}
	for _, u := range units {
		if u.requested == nil {
			continue
		}
		if *u.requested < u.baseline {
			return invalid("One or more parameter values were invalid: Requested %s for WarmThroughput for table is lower than the minimum allowed value: %d", u.name, u.baseline)
		}
		if *u.requested < *u.cur {
			return invalid("One or more parameter values were invalid: Requested %s for WarmThroughput for table is lower than current WarmThroughput value: %d", u.name, *u.cur)
		}
	}
	for _, u := range units {
		if u.requested != nil {
			*u.cur = *u.requested
		}
	}
	return nil
}

func kmsKeyID(t *table) string {
	if t.KMSKey != "" {
		return t.KMSKey
	}
	return "aws/dynamodb"
}

func (ix *index) projection() *Projection {
	p := &Projection{ProjectionType: ptr(ProjectionType(ix.Projection))}
	if len(ix.NonKey) > 0 {
		p.NonKeyAttributes = ix.NonKey
	}
	return p
}

// javaHashSetOrder orders names as a java.util.HashSet of them iterates,
// which is the order DynamoDB lists a set of attribute names in some of
// its messages: by the bucket of each name's String.hashCode, spread as
// HashMap spreads it, in a table sized for the set; names that share a
// bucket keep the order they were added in. Duplicates are dropped.
func javaHashSetOrder(names []string) []string {
	var uniq []string
	seen := map[string]bool{}
	for _, n := range names {
		if !seen[n] {
			seen[n] = true
			uniq = append(uniq, n)
		}
	}
	capacity := 16
	for len(uniq) > capacity*3/4 {
		capacity *= 2
	}
	bucket := func(s string) int {
		var h int32
		for _, r := range utf16.Encode([]rune(s)) {
			h = 31*h + int32(r)
		}
		u := uint32(h)
		return int((u ^ u>>16) & uint32(capacity-1))
	}
	sort.SliceStable(uniq, func(i, j int) bool { return bucket(uniq[i]) < bucket(uniq[j]) })
	return uniq
}
