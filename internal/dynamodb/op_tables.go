package dynamodb

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"sort"
	"strings"
	"time"
	"unicode"

	"github.com/virga/virga/internal/awsproto"
	"github.com/virga/virga/internal/store"
	"github.com/virga/virga/internal/store/keys"
)

// table returns the cached table, or ResourceNotFoundException.
func (s *Service) table(name string) (*table, error) {
	s.mu.RLock()
	t := s.tables[name]
	s.mu.RUnlock()
	if t == nil {
		return nil, tableNotFound(name)
	}
	return t, nil
}

// tableByNameOrARN accepts a table name or ARN, as the item operations do.
func (s *Service) tableByNameOrARN(nameOrARN string) (*table, error) {
	name := nameOrARN
	if i := lastIndexByte(name, '/'); i >= 0 && len(name) > 4 && name[:4] == "arn:" {
		name = name[i+1:]
	}
	s.mu.RLock()
	t := s.tables[name]
	s.mu.RUnlock()
	if t == nil {
		return nil, ErrResourceNotFound
	}
	return t, nil
}

func lastIndexByte(s string, c byte) int {
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] == c {
			return i
		}
	}
	return -1
}

// saveTable writes t durably and then caches it; the caller holds s.mu.
func (s *Service) saveTable(b store.Batch, t *table) error {
	v, err := json.Marshal(t)
	if err != nil {
		return err
	}
	b.Set(tableKey(t.Name), v)
	if err := b.Commit(); err != nil {
		return err
	}
	s.tables[t.Name] = t
	return nil
}

// counts returns the item count and stored size of a table and of each of
// its indexes. DynamoDB refreshes these figures about every six hours;
// virga counts on demand.
func (s *Service) counts(t *table) (map[string][2]int64, error) {
	out := map[string][2]int64{}
	count := func(name string, prefix []byte) error {
		it, err := s.store.NewIter(prefix, keys.PrefixEnd(prefix))
		if err != nil {
			return err
		}
		defer it.Close()
		var n, size int64
		for it.First(); it.Valid(); it.Next() {
			n++
			size += int64(len(it.Value()))
		}
		out[name] = [2]int64{n, size}
		return it.Error()
	}
	if err := count("", itemsPrefix(t.ID)); err != nil {
		return nil, err
	}
	for _, ix := range append(append([]index(nil), t.LSIs...), t.GSIs...) {
		if err := count(ix.Name, indexPrefix(t.ID, ix.Name)); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (s *Service) createTable(ctx context.Context, in *CreateTableInput) (*CreateTableOutput, error) {
	t, err := newTable(in, awsproto.ReservedTagsAllowed(ctx))
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	// A table a restore is creating exists, CREATING, for DynamoDB.
	if _, exists := s.tables[t.Name]; exists || s.restoring[t.Name] {
		return nil, ErrResourceInUse.Withf("Table already exists: %s", t.Name)
	}
	if len(s.tables) >= maxTablesPerAccount {
		return nil, ErrLimitExceeded.Withf("Subscriber limit exceeded: You have exceeded the maximum number of tables allowed (%d) for this account.", maxTablesPerAccount)
	}
	seq, err := s.nextTableID()
	if err != nil {
		return nil, err
	}
	now := s.clock.Now().UTC()
	t.ID, t.UUID, t.Created, t.BillingAt = seq, s.ids.UUID(), now, now
	if t.Stream.Enabled {
		t.Stream.Label = streamLabel(now)
	}
	b := s.store.NewBatch()
	defer b.Close()
	b.Set(seqKey(), binary.BigEndian.AppendUint64(nil, seq))
	// A table is ACTIVE as soon as it is stored; the response says
	// CREATING, as DynamoDB's does, and the next DescribeTable says ACTIVE.
	if err := s.saveTable(b, t); err != nil {
		return nil, err
	}
	s.streams[t.ID] = &streamState{changed: make(chan struct{})}
	d := s.describe(t, nil)
	d.TableStatus = ptr(TableStatus(statusCreating))
	for i := range d.GlobalSecondaryIndexes {
		d.GlobalSecondaryIndexes[i].IndexStatus = ptr(IndexStatus(statusCreating))
	}
	return &CreateTableOutput{TableDescription: d}, nil
}

// streamLabel is a stream's label: its creation time to the millisecond.
func streamLabel(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000") }

func (s *Service) describeTable(ctx context.Context, in *DescribeTableInput) (*DescribeTableOutput, error) {
	t, err := s.table(*in.TableName)
	if err != nil {
		return nil, err
	}
	counts, err := s.counts(t)
	if err != nil {
		return nil, err
	}
	return &DescribeTableOutput{Table: s.describe(t, counts)}, nil
}

// defaultListTablesLimit is ListTables' page size when Limit is not given.
const defaultListTablesLimit = 100

func (s *Service) listTables(ctx context.Context, in *ListTablesInput) (*ListTablesOutput, error) {
	s.mu.RLock()
	names := make([]string, 0, len(s.tables))
	for n := range s.tables {
		names = append(names, n)
	}
	s.mu.RUnlock()
	sort.Strings(names)
	start := 0
	if in.ExclusiveStartTableName != nil {
		start = sort.SearchStrings(names, *in.ExclusiveStartTableName)
		if start < len(names) && names[start] == *in.ExclusiveStartTableName {
			start++
		}
	}
	limit := defaultListTablesLimit
	if in.Limit != nil {
		limit = int(*in.Limit)
	}
	out := &ListTablesOutput{TableNames: []string{}}
	end := min(start+limit, len(names))
	out.TableNames = append(out.TableNames, names[start:end]...)
	if end < len(names) {
		out.LastEvaluatedTableName = ptr(names[end-1])
	}
	return out, nil
}

func (s *Service) deleteTable(ctx context.Context, in *DeleteTableInput) (*DeleteTableOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.tables[*in.TableName]
	if t == nil {
		return nil, tableNotFound(*in.TableName)
	}
	if t.Protected {
		return nil, invalid("Resource cannot be deleted as it is currently protected against deletion. Disable deletion protection first.")
	}
	counts, err := s.counts(t)
	if err != nil {
		return nil, err
	}
	// "If you delete a table with point-in-time recovery enabled, a
	// SYSTEM backup is automatically created and is retained for 35
	// days": no write is in flight while s.mu is held.
	if !t.PITRSince.IsZero() {
		if _, err := s.backUp(s.store, t, t.Name+"$DeletedTableBackup", "SYSTEM"); err != nil {
			return nil, err
		}
	}
	b := s.store.NewBatch()
	defer b.Close()
	b.Delete(tableKey(t.Name))
	p := itemsPrefix(t.ID)
	b.DeleteRange(p, keys.PrefixEnd(p))
	hp := histPrefix(t.ID)
	b.DeleteRange(hp, keys.PrefixEnd(hp))
	for _, ix := range append(append([]index(nil), t.LSIs...), t.GSIs...) {
		p := indexPrefix(t.ID, ix.Name)
		b.DeleteRange(p, keys.PrefixEnd(p))
	}
	// The table's streams go DISABLED and stay readable for 24 hours.
	gone := s.dropTable(t)
	if gone != nil {
		v, err := json.Marshal(gone)
		if err != nil {
			return nil, err
		}
		b.Set(droppedKey(t.ID), v)
	} else {
		sp := streamPrefix(t.ID)
		b.DeleteRange(sp, keys.PrefixEnd(sp))
	}
	if err := b.Commit(); err != nil {
		return nil, err
	}
	delete(s.tables, t.Name)
	delete(s.streams, t.ID)
	if gone != nil {
		s.dropped[t.ID] = gone
	}
	// DeleteTable's description leaves out the table's schema and its
	// creation time, which DescribeTable gives.
	d := s.describe(t, counts)
	d.TableStatus = ptr(TableStatus(statusDeleting))
	d.KeySchema, d.AttributeDefinitions, d.CreationDateTime = nil, nil, nil
	d.GlobalSecondaryIndexes, d.LocalSecondaryIndexes = nil, nil
	return &DeleteTableOutput{TableDescription: d}, nil
}

func (s *Service) updateTimeToLive(ctx context.Context, in *UpdateTimeToLiveInput) (*UpdateTimeToLiveOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cur := s.tables[*in.TableName]
	if cur == nil {
		return nil, tableNotFound(*in.TableName)
	}
	spec := in.TimeToLiveSpecification
	enable := deref(spec.Enabled)
	name := deref(spec.AttributeName)
	switch {
	case enable && cur.TTL.Enabled:
		return nil, invalid("TimeToLive is already enabled")
	case !enable && !cur.TTL.Enabled:
		return nil, invalid("TimeToLive is already disabled")
	case !enable && name != cur.TTL.Attribute:
		return nil, invalid("TimeToLive is active on a different AttributeName: current AttributeName is %s", cur.TTL.Attribute)
	}
	t := cur.clone()
	t.TTL = ttlConfig{Attribute: name, Enabled: enable}
	b := s.store.NewBatch()
	defer b.Close()
	if err := s.saveTable(b, t); err != nil {
		return nil, err
	}
	return &UpdateTimeToLiveOutput{TimeToLiveSpecification: spec}, nil
}

func (s *Service) describeTimeToLive(ctx context.Context, in *DescribeTimeToLiveInput) (*DescribeTimeToLiveOutput, error) {
	t, err := s.table(*in.TableName)
	if err != nil {
		return nil, err
	}
	d := &TimeToLiveDescription{TimeToLiveStatus: ptr(TimeToLiveStatus("DISABLED"))}
	if t.TTL.Enabled {
		d = &TimeToLiveDescription{TimeToLiveStatus: ptr(TimeToLiveStatus("ENABLED")), AttributeName: ptr(t.TTL.Attribute)}
	}
	return &DescribeTimeToLiveOutput{TimeToLiveDescription: d}, nil
}

// checkTableARN refuses what is not a table's ARN, in words that depend on
// what it is: no ARN at all, an index's ARN, or another malformed one.
func checkTableARN(arn string) error {
	switch {
	case !strings.HasPrefix(arn, "arn:"):
		return invalid("One or more parameter values were invalid: ARNs must start with 'arn:': %s", arn)
	case isIndexARN(arn):
		return invalid("One or more parameter values were invalid: Invalid resource arn provided, only table or stream is accepted. Provided resource arn: %s", arn)
	case !isTableARN(arn):
		return invalid("Invalid TableArn: Invalid ResourceArn provided as input %s", arn)
	}
	return nil
}

// tableForARN finds the table a tagging call names by ARN, after
// checkTableARN.
func (s *Service) tableForARN(arn string) (*table, error) {
	if err := checkTableARN(arn); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, t := range s.tables {
		if t.arn(s.account, s.region) == arn {
			return t, nil
		}
	}
	return nil, ErrResourceNotFound.Withf("Requested resource not found: ResourcArn: %s not found", arn)
}

func (s *Service) tagResource(ctx context.Context, in *TagResourceInput) (*awsproto.NoBody, error) {
	// An empty list is refused before the table is looked up.
	if err := checkTableARN(*in.ResourceArn); err != nil {
		return nil, err
	}
	if len(in.Tags) == 0 {
		return nil, invalid("Atleast one Tag needs to be provided as Input.")
	}
	cur, err := s.tableForARN(*in.ResourceArn)
	if err != nil {
		return nil, err
	}
	if err := checkTags(in.Tags, awsproto.ReservedTagsAllowed(ctx)); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t := cur.clone()
	for _, tg := range in.Tags {
		k, v := deref(tg.Key), deref(tg.Value)
		replaced := false
		for i := range t.Tags {
			if t.Tags[i].Key == k {
				t.Tags[i].Value, replaced = v, true
			}
		}
		if !replaced {
			t.Tags = append(t.Tags, tagPair{Key: k, Value: v})
		}
	}
	if awsproto.UserTags(t.Tags, func(p tagPair) string { return p.Key }) > maxTagsPerResource {
		return nil, errTooManyTags
	}
	b := s.store.NewBatch()
	defer b.Close()
	return &awsproto.NoBody{}, s.saveTable(b, t)
}

func (s *Service) untagResource(ctx context.Context, in *UntagResourceInput) (*awsproto.NoBody, error) {
	if err := checkTableARN(*in.ResourceArn); err != nil {
		return nil, err
	}
	if len(in.TagKeys) == 0 {
		return nil, invalid("Atleast one Tag Key needs to be provided as Input.")
	}
	cur, err := s.tableForARN(*in.ResourceArn)
	if err != nil {
		return nil, err
	}
	if len(in.TagKeys) > maxTagsPerResource {
		return nil, errTooManyTags
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t := cur.clone()
	drop := map[string]bool{}
	for _, k := range in.TagKeys {
		drop[k] = true
	}
	t.Tags = t.Tags[:0]
	for _, tg := range cur.Tags {
		if !drop[tg.Key] {
			t.Tags = append(t.Tags, tg)
		}
	}
	b := s.store.NewBatch()
	defer b.Close()
	return &awsproto.NoBody{}, s.saveTable(b, t)
}

func (s *Service) listTagsOfResource(ctx context.Context, in *ListTagsOfResourceInput) (*ListTagsOfResourceOutput, error) {
	t, err := s.tableForARN(*in.ResourceArn)
	if err != nil {
		return nil, err
	}
	out := &ListTagsOfResourceOutput{Tags: []Tag{}}
	for _, tg := range t.Tags {
		out.Tags = append(out.Tags, Tag{Key: ptr(tg.Key), Value: ptr(tg.Value)})
	}
	return out, nil
}

func (s *Service) describeLimits(ctx context.Context, in *DescribeLimitsInput) (*DescribeLimitsOutput, error) {
	return &DescribeLimitsOutput{
		AccountMaxReadCapacityUnits:  ptr(int64(defaultAccountMaxRCU)),
		AccountMaxWriteCapacityUnits: ptr(int64(defaultAccountMaxWCU)),
		TableMaxReadCapacityUnits:    ptr(int64(defaultTableMaxRCU)),
		TableMaxWriteCapacityUnits:   ptr(int64(defaultTableMaxWCU)),
	}, nil
}

// describeEndpoints names virga itself, as the host the request reached,
// so clients that use endpoint discovery keep talking to virga.
func (s *Service) describeEndpoints(ctx context.Context, in *DescribeEndpointsRequest) (*DescribeEndpointsResponse, error) {
	host := "dynamodb." + s.region + ".amazonaws.com"
	if c := awsproto.CallFrom(ctx); c != nil && c.Request.Host != "" {
		host = c.Request.Host
	}
	return &DescribeEndpointsResponse{Endpoints: []Endpoint{{Address: ptr(host), CachePeriodInMinutes: ptr(int64(1440))}}}, nil
}

// isTableARN reports whether arn has the form of a table's ARN:
// arn:PARTITION:dynamodb:REGION:ACCOUNT:table/NAME.
func isTableARN(arn string) bool {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "dynamodb" {
		return false
	}
	name, ok := strings.CutPrefix(parts[5], "table/")
	return ok && name != "" && !strings.Contains(name, "/")
}

// errTooManyTags is DynamoDB's answer to more than 50 tags on a table, or
// in one request: a ValidationException, not LimitExceededException.
// Tags in the aws: namespace, which AWS sets itself (CloudFormation's
// stack tags), do not count (awsproto.UserTags).
var errTooManyTags = ErrValidation.WithMessage("Number of Tags exceed the current limit for the provided ResourceArn")

// checkTags applies the rules on the tags of one request: no key twice,
// and none in the aws: namespace unless reserved (a call of AWS's own,
// see awsproto.WithReservedTags). A request that breaks them changes
// nothing.
func checkTags(tags []Tag, reserved bool) error {
	seen := map[string]bool{}
	for _, tg := range tags {
		k := deref(tg.Key)
		if seen[k] {
			return invalid("Duplicate Tag Keys provided as input: Duplicate Tag Key found %s", k)
		}
		seen[k] = true
		if !validTagText(k, 1, maxTagKeyLen) {
			return invalid("The Tag Key provided is invalid, Key: %s", k)
		}
		if tg.Value == nil || !validTagText(*tg.Value, 0, maxTagValueLen) {
			v := "null"
			if tg.Value != nil {
				v = *tg.Value
			}
			return invalid("The Tag Value provided is invalid, Value: %s", v)
		}
		if strings.HasPrefix(k, "aws:") && !reserved {
			return invalid("Tag Key cannot be prefixed with aws:, Key: %s", k)
		}
	}
	return nil
}

// Limits of a tag, from DynamoDB's tagging restrictions.
const (
	maxTagKeyLen   = 128 // "Maximum key length: 128 Unicode characters in UTF-8"
	maxTagValueLen = 256 // "Maximum value length: 256 Unicode characters in UTF-8"
)

// validTagText reports whether a tag key or value has an allowed length
// and only the allowed characters: letters, numbers, spaces and
// _ . : / = + - @.
func validTagText(s string, minLen, maxLen int) bool {
	n := 0
	for _, r := range s {
		n++
		if !(unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.In(r, unicode.Z) || strings.ContainsRune("_.:/=+-@", r)) {
			return false
		}
	}
	return n >= minLen && n <= maxLen
}

// isIndexARN reports whether arn has the form of an index's ARN:
// arn:PARTITION:dynamodb:REGION:ACCOUNT:table/NAME/index/INDEX.
func isIndexARN(arn string) bool {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[2] != "dynamodb" {
		return false
	}
	res := strings.Split(parts[5], "/")
	return len(res) == 4 && res[0] == "table" && res[2] == "index" && res[1] != "" && res[3] != ""
}
