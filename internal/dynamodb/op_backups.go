package dynamodb

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/virga/virga/internal/dynamodb/attr"
	"github.com/virga/virga/internal/store"
	"github.com/virga/virga/internal/store/keys"
)

// On-demand backups. A backup is a copy of a table's items, read from one
// store snapshot, and of its definition at that moment:
//
//	("ddb", "backup", backupARN)               → backup (JSON)
//	("ddb", "bitem", backupARN, hash[, range]) → item
//
// The items are written first and the backup record last, so a backup
// exists (and is listed) only once all of it is durable. Backups outlive
// their table; deleting a table with point-in-time recovery on first takes
// a SYSTEM backup of it, named TABLE$DeletedTableBackup, which expires
// after 35 days. A restore creates a new table from a backup's definition
// (with the request's overrides) and copies the items into it, building
// its indexes; the table becomes visible, ACTIVE, only when the copy is
// done.

// backup is a stored backup.
type backup struct {
	ARN     string    `json:"arn"`
	Name    string    `json:"name"`
	Created time.Time `json:"created"`
	Type    string    `json:"type"` // USER or SYSTEM
	// Expires is when a SYSTEM backup is deleted.
	Expires time.Time `json:"expires,omitzero"`
	Size    int64     `json:"size"`
	Count   int64     `json:"count"`
	Table   table     `json:"table"`
}

func backupKey(arn string) []byte {
	return keys.AppendString(backupsPrefix(), arn)
}

func backupsPrefix() []byte {
	return keys.AppendString(keys.AppendString(nil, "ddb"), "backup")
}

func backupItemsPrefix(arn string) []byte {
	k := keys.AppendString(keys.AppendString(nil, "ddb"), "bitem")
	return keys.AppendString(k, arn)
}

// pendingKey marks a copy in progress: a backup's items (kind "backup",
// by ARN) or a restored table's (kind "restore", by table id), which a
// crash would leave without the record that makes them visible. New
// removes what the marked copies left.
func pendingKey(kind, id string) []byte {
	return keys.AppendString(keys.AppendString(pendingPrefix(), kind), id)
}

func pendingPrefix() []byte {
	return keys.AppendString(keys.AppendString(nil, "ddb"), "pending")
}

// dropPending removes what the copies a crash interrupted left behind.
func (s *Service) dropPending() error {
	p := pendingPrefix()
	it, err := s.store.NewIter(p, keys.PrefixEnd(p))
	if err != nil {
		return err
	}
	defer it.Close()
	b := s.store.NewBatch()
	defer b.Close()
	for it.First(); it.Valid(); it.Next() {
		vals, err := keys.Decode(it.Key()[len(p):])
		if err != nil || len(vals) != 2 {
			return fmt.Errorf("dynamodb: stored pending copy: %v", err)
		}
		kind, _ := vals[0].(string)
		id, _ := vals[1].(string)
		switch kind {
		case "backup":
			bp := backupItemsPrefix(id)
			b.DeleteRange(bp, keys.PrefixEnd(bp))
		case "restore":
			var tid uint64
			if _, err := fmt.Sscan(id, &tid); err != nil {
				return fmt.Errorf("dynamodb: stored pending restore %q", id)
			}
			for _, pre := range [][]byte{itemsPrefix(tid), indexesPrefix(tid)} {
				b.DeleteRange(pre, keys.PrefixEnd(pre))
			}
		}
		b.Delete(append([]byte(nil), it.Key()...))
	}
	if err := it.Error(); err != nil {
		return err
	}
	if b.Len() == 0 {
		return nil
	}
	return b.Commit()
}

// copyChunk is how many items a backup or restore commits per batch.
const copyChunk = 512

func (s *Service) createBackup(ctx context.Context, in *CreateBackupInput) (*CreateBackupOutput, error) {
	// The definition and the items are read at one moment: definitions
	// change under s.mu held exclusively.
	s.mu.RLock()
	t := s.tables[*in.TableName]
	var snap store.Snapshot
	if t != nil {
		snap = s.store.NewSnapshot()
	}
	s.mu.RUnlock()
	if t == nil {
		return nil, ErrTableNotFound.Withf("Table not found: %s", *in.TableName)
	}
	defer snap.Close()
	bk, err := s.backUp(snap, t, *in.BackupName, "USER")
	if err != nil {
		return nil, err
	}
	// The backup is complete when this returns; the response says
	// CREATING, as DynamoDB's does, and DescribeBackup says AVAILABLE.
	d := bk.details()
	d.BackupStatus = ptr(BackupStatus("CREATING"))
	return &CreateBackupOutput{BackupDetails: d}, nil
}

// systemBackupLife is how long DynamoDB keeps the SYSTEM backup of a
// deleted table: "retained for 35 days".
const systemBackupLife = 35 * 24 * time.Hour

// backUp copies t's items, as r holds them, into a new backup.
func (s *Service) backUp(r store.Reader, t *table, name, typ string) (*backup, error) {
	now := s.clock.Now().UTC()
	bk := &backup{
		ARN:     fmt.Sprintf("%s/backup/%014d-%s", t.arn(s.account, s.region), now.UnixMilli(), s.ids.Hex(4)),
		Name:    name,
		Created: now,
		Type:    typ,
		Table:   *t,
	}
	if typ == "SYSTEM" {
		bk.Expires = now.Add(systemBackupLife)
	}
	ip := itemsPrefix(t.ID)
	it, err := r.NewIter(ip, keys.PrefixEnd(ip))
	if err != nil {
		return nil, err
	}
	defer it.Close()
	bp := backupItemsPrefix(bk.ARN)
	b := s.store.NewBatch()
	defer func() { b.Close() }()
	pending := pendingKey("backup", bk.ARN)
	b.Set(pending, nil)
	for it.First(); it.Valid(); it.Next() {
		b.Set(append(append([]byte(nil), bp...), it.Key()[len(ip):]...), it.Value())
		bk.Count++
		bk.Size += int64(len(it.Value()))
		if b.Len() >= copyChunk {
			if err := b.Commit(); err != nil {
				return nil, err
			}
			b.Close()
			b = s.store.NewBatch()
		}
	}
	if err := it.Error(); err != nil {
		return nil, err
	}
	v, err := json.Marshal(bk)
	if err != nil {
		return nil, err
	}
	b.Set(backupKey(bk.ARN), v)
	b.Delete(pending)
	if err := b.Commit(); err != nil {
		return nil, err
	}
	return bk, nil
}

// expireBackups deletes the SYSTEM backups past their expiry.
func (s *Service) expireBackups() error {
	p := backupsPrefix()
	it, err := s.store.NewIter(p, keys.PrefixEnd(p))
	if err != nil {
		return err
	}
	defer it.Close()
	now := s.clock.Now()
	b := s.store.NewBatch()
	defer b.Close()
	for it.First(); it.Valid(); it.Next() {
		var bk backup
		if err := json.Unmarshal(it.Value(), &bk); err != nil {
			return fmt.Errorf("dynamodb: stored backup: %w", err)
		}
		if bk.Expires.IsZero() || now.Before(bk.Expires) {
			continue
		}
		b.Delete(backupKey(bk.ARN))
		bp := backupItemsPrefix(bk.ARN)
		b.DeleteRange(bp, keys.PrefixEnd(bp))
	}
	if err := it.Error(); err != nil {
		return err
	}
	if b.Len() == 0 {
		return nil
	}
	return b.Commit()
}

func (bk *backup) details() *BackupDetails {
	return &BackupDetails{
		BackupArn:              ptr(bk.ARN),
		BackupName:             ptr(bk.Name),
		BackupSizeBytes:        ptr(bk.Size),
		BackupStatus:           ptr(BackupStatus("AVAILABLE")),
		BackupType:             ptr(BackupType(bk.Type)),
		BackupCreationDateTime: ptr(bk.Created),
		BackupExpiryDateTime:   optTime(bk.Expires),
	}
}

func optTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// loadBackup returns the stored backup, or BackupNotFoundException.
func (s *Service) loadBackup(arn string) (*backup, error) {
	v, err := s.store.Get(backupKey(arn))
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrBackupNotFound.WithMessage("Backup not found for the given BackupARN.")
	}
	if err != nil {
		return nil, err
	}
	var bk backup
	if err := json.Unmarshal(v, &bk); err != nil {
		return nil, fmt.Errorf("dynamodb: stored backup: %w", err)
	}
	return &bk, nil
}

func (s *Service) describeBackupOf(bk *backup) *BackupDescription {
	t := &bk.Table
	src := &SourceTableDetails{
		TableName:             ptr(t.Name),
		TableId:               ptr(t.UUID),
		TableArn:              ptr(t.arn(s.account, s.region)),
		TableSizeBytes:        ptr(bk.Size),
		KeySchema:             keySchema(t.Hash, t.Range),
		TableCreationDateTime: ptr(t.Created),
		ProvisionedThroughput: &ProvisionedThroughput{ReadCapacityUnits: ptr(t.RCU), WriteCapacityUnits: ptr(t.WCU)},
		ItemCount:             ptr(bk.Count),
		BillingMode:           ptr(BillingMode(t.Billing)),
	}
	feat := &SourceTableFeatureDetails{}
	for _, ix := range t.LSIs {
		feat.LocalSecondaryIndexes = append(feat.LocalSecondaryIndexes, LocalSecondaryIndexInfo{
			IndexName: ptr(ix.Name), KeySchema: ix.keySchema(), Projection: projectionOf(&ix),
		})
	}
	for _, ix := range t.GSIs {
		g := GlobalSecondaryIndexInfo{IndexName: ptr(ix.Name), KeySchema: ix.keySchema(), Projection: projectionOf(&ix)}
		if t.Billing == billingProvisioned {
			g.ProvisionedThroughput = &ProvisionedThroughput{ReadCapacityUnits: ptr(ix.RCU), WriteCapacityUnits: ptr(ix.WCU)}
		}
		feat.GlobalSecondaryIndexes = append(feat.GlobalSecondaryIndexes, g)
	}
	if t.Stream.Enabled {
		feat.StreamDescription = &StreamSpecification{StreamEnabled: ptr(true), StreamViewType: ptr(StreamViewType(t.Stream.ViewType))}
	}
	if t.TTL.Enabled {
		feat.TimeToLiveDescription = &TimeToLiveDescription{AttributeName: ptr(t.TTL.Attribute), TimeToLiveStatus: ptr(TimeToLiveStatus("ENABLED"))}
	}
	if t.SSE {
		feat.SSEDescription = &SSEDescription{Status: ptr(SSEStatus("ENABLED")), SSEType: ptr(SSEType(t.SSEType))}
	}
	return &BackupDescription{BackupDetails: bk.details(), SourceTableDetails: src, SourceTableFeatureDetails: feat}
}

func projectionOf(ix *index) *Projection {
	p := &Projection{ProjectionType: ptr(ProjectionType(ix.Projection))}
	if len(ix.NonKey) > 0 {
		p.NonKeyAttributes = append([]string(nil), ix.NonKey...)
	}
	return p
}

func (s *Service) describeBackup(ctx context.Context, in *DescribeBackupInput) (*DescribeBackupOutput, error) {
	bk, err := s.loadBackup(*in.BackupArn)
	if err != nil {
		return nil, err
	}
	return &DescribeBackupOutput{BackupDescription: s.describeBackupOf(bk)}, nil
}

func (s *Service) deleteBackup(ctx context.Context, in *DeleteBackupInput) (*DeleteBackupOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	bk, err := s.loadBackup(*in.BackupArn)
	if err != nil {
		return nil, err
	}
	if s.restoring[bk.ARN] {
		return nil, ErrBackupInUse.WithMessage("There is another ongoing conflicting backup control plane operation on the table. The backup is either being created, deleted or restored to a table.")
	}
	b := s.store.NewBatch()
	defer b.Close()
	b.Delete(backupKey(bk.ARN))
	bp := backupItemsPrefix(bk.ARN)
	b.DeleteRange(bp, keys.PrefixEnd(bp))
	if err := b.Commit(); err != nil {
		return nil, err
	}
	d := s.describeBackupOf(bk)
	d.BackupDetails.BackupStatus = ptr(BackupStatus("DELETED"))
	return &DeleteBackupOutput{BackupDescription: d}, nil
}

// listBackupsPage is ListBackups' page size when Limit is not given.
const listBackupsPage = 100

func (s *Service) listBackups(ctx context.Context, in *ListBackupsInput) (*ListBackupsOutput, error) {
	filter := "USER"
	if in.BackupType != nil {
		filter = string(*in.BackupType)
	}
	limit := listBackupsPage
	if in.Limit != nil {
		limit = int(*in.Limit)
	}
	p := backupsPrefix()
	lower := p
	if in.ExclusiveStartBackupArn != nil {
		lower = keys.PrefixEnd(backupKey(*in.ExclusiveStartBackupArn))
	}
	it, err := s.store.NewIter(lower, keys.PrefixEnd(p))
	if err != nil {
		return nil, err
	}
	defer it.Close()
	out := &ListBackupsOutput{BackupSummaries: []BackupSummary{}} // an empty list is [], as ListTables answers
	for it.First(); it.Valid(); it.Next() {
		var bk backup
		if err := json.Unmarshal(it.Value(), &bk); err != nil {
			return nil, fmt.Errorf("dynamodb: stored backup: %w", err)
		}
		if in.TableName != nil && bk.Table.Name != *in.TableName {
			continue
		}
		if filter != "ALL" && bk.Type != filter {
			continue
		}
		if in.TimeRangeLowerBound != nil && bk.Created.Before(*in.TimeRangeLowerBound) {
			continue
		}
		if in.TimeRangeUpperBound != nil && !bk.Created.Before(*in.TimeRangeUpperBound) {
			continue
		}
		if len(out.BackupSummaries) == limit {
			out.LastEvaluatedBackupArn = out.BackupSummaries[limit-1].BackupArn
			break
		}
		out.BackupSummaries = append(out.BackupSummaries, BackupSummary{
			TableName:              ptr(bk.Table.Name),
			TableId:                ptr(bk.Table.UUID),
			TableArn:               ptr(bk.Table.arn(s.account, s.region)),
			BackupArn:              ptr(bk.ARN),
			BackupName:             ptr(bk.Name),
			BackupCreationDateTime: ptr(bk.Created),
			BackupExpiryDateTime:   optTime(bk.Expires),
			BackupStatus:           ptr(BackupStatus("AVAILABLE")),
			BackupType:             ptr(BackupType(bk.Type)),
			BackupSizeBytes:        ptr(bk.Size),
		})
	}
	return out, it.Error()
}

// restoreSource is what a restore copies: a table definition, and its
// items.
type restoreSource struct {
	def   *table
	items func(fn func(itemKey, item []byte) error) error
	// summary is the restored table's RestoreSummary.
	summary restoreInfo
	// busy is the backup ARN a restore from a backup holds.
	busy string
}

// restoreInfo is a restored table's RestoreSummary.
type restoreInfo struct {
	BackupARN string    `json:"backupArn,omitempty"`
	TableARN  string    `json:"tableArn,omitempty"`
	Time      time.Time `json:"time"`
}

// restoreOverrides are a restore request's overrides of the source's
// definition.
type restoreOverrides struct {
	billing *BillingMode
	gsis    []GlobalSecondaryIndex
	lsis    []LocalSecondaryIndex
	pt      *ProvisionedThroughput
	sse     *SSESpecification
}

// restoreInput is the CreateTable request that makes the restored table:
// the source's key schema, indexes, billing and encryption, each replaced
// by its override when one is given. Streams, TTL, tags and point-in-time
// recovery are not restored.
func restoreInput(def *table, target string, o restoreOverrides) *CreateTableInput {
	in := &CreateTableInput{TableName: ptr(target), KeySchema: keySchema(def.Hash, def.Range)}
	billing := BillingMode(def.Billing)
	if o.billing != nil {
		billing = *o.billing
	}
	in.BillingMode = ptr(billing)
	pt := o.pt
	if pt == nil && billing == billingProvisioned {
		rcu, wcu := def.RCU, def.WCU
		if def.Billing != billingProvisioned {
			rcu, wcu = 0, 0
		}
		pt = &ProvisionedThroughput{ReadCapacityUnits: ptr(rcu), WriteCapacityUnits: ptr(wcu)}
	}
	in.ProvisionedThroughput = pt
	// An override lists the indexes to keep; an empty one keeps none.
	if o.lsis != nil {
		in.LocalSecondaryIndexes = nilIfEmpty(o.lsis)
	} else {
		for _, ix := range def.LSIs {
			in.LocalSecondaryIndexes = append(in.LocalSecondaryIndexes, LocalSecondaryIndex{IndexName: ptr(ix.Name), KeySchema: ix.keySchema(), Projection: projectionOf(&ix)})
		}
	}
	if o.gsis != nil {
		in.GlobalSecondaryIndexes = nilIfEmpty(o.gsis)
	} else {
		for _, ix := range def.GSIs {
			g := GlobalSecondaryIndex{IndexName: ptr(ix.Name), KeySchema: ix.keySchema(), Projection: projectionOf(&ix)}
			if billing == billingProvisioned {
				rcu, wcu := ix.RCU, ix.WCU
				if def.Billing != billingProvisioned && pt != nil {
					rcu, wcu = deref(pt.ReadCapacityUnits), deref(pt.WriteCapacityUnits)
				}
				g.ProvisionedThroughput = &ProvisionedThroughput{ReadCapacityUnits: ptr(rcu), WriteCapacityUnits: ptr(wcu)}
			}
			in.GlobalSecondaryIndexes = append(in.GlobalSecondaryIndexes, g)
		}
	}
	// The attribute definitions the restored keys use.
	used := map[string]bool{def.Hash: true, def.Range: true}
	for _, l := range in.LocalSecondaryIndexes {
		for _, k := range l.KeySchema {
			used[deref(k.AttributeName)] = true
		}
	}
	for _, g := range in.GlobalSecondaryIndexes {
		for _, k := range g.KeySchema {
			used[deref(k.AttributeName)] = true
		}
	}
	for _, a := range def.Attributes {
		if used[a.Name] {
			in.AttributeDefinitions = append(in.AttributeDefinitions, AttributeDefinition{AttributeName: ptr(a.Name), AttributeType: ptr(ScalarAttributeType(a.Type))})
		}
	}
	if o.sse != nil {
		in.SSESpecification = o.sse
	} else if def.SSE {
		in.SSESpecification = &SSESpecification{Enabled: ptr(true), SSEType: ptr(SSEType(def.SSEType)), KMSMasterKeyId: nonEmpty(def.KMSKey)}
	}
	if def.Class != "" {
		in.TableClass = ptr(TableClass(def.Class))
	}
	return in
}

func nilIfEmpty[T any](s []T) []T {
	if len(s) == 0 {
		return nil
	}
	return s
}

func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// restore creates the target table from src: it reserves the name, copies
// the items in batches under a table id nothing else uses, then stores the
// table, ACTIVE.
func (s *Service) restore(target string, src *restoreSource, o restoreOverrides) (*TableDescription, error) {
	t, err := newTable(restoreInput(src.def, target, o), true)
	if err != nil {
		return nil, err
	}
	t.Restore = &src.summary
	f, err := s.reserveTable(t, src.busy)
	switch {
	case errors.Is(err, errTargetExists):
		return nil, ErrTableAlreadyExists.Withf("Table already exists: %s", target)
	case errors.Is(err, errTargetBusy):
		return nil, ErrTableInUse.WithMessage("A target table with the specified name is either being created or deleted.")
	case err != nil:
		return nil, err
	}
	defer s.releaseTable(f)
	if err := s.fillTable(f, func(fn func(attr.Item) error) error {
		return src.items(func(_, v []byte) error {
			item, err := decodeItem(v)
			if err != nil {
				return err
			}
			return fn(item)
		})
	}); err != nil {
		return nil, err
	}
	if err := s.publishTable(f); err != nil {
		return nil, err
	}
	// As CreateTable's, the response says CREATING and the restore in
	// progress; the next DescribeTable says ACTIVE.
	s.mu.RLock()
	d := s.describe(t, nil)
	s.mu.RUnlock()
	d.TableStatus = ptr(TableStatus(statusCreating))
	d.RestoreSummary.RestoreInProgress = ptr(true)
	return d, nil
}

func (s *Service) restoreTableFromBackup(ctx context.Context, in *RestoreTableFromBackupInput) (*RestoreTableFromBackupOutput, error) {
	bk, err := s.loadBackup(*in.BackupArn)
	if err != nil {
		return nil, err
	}
	bp := backupItemsPrefix(bk.ARN)
	src := &restoreSource{
		def:  &bk.Table,
		busy: bk.ARN,
		items: func(fn func(ik, v []byte) error) error {
			it, err := s.store.NewIter(bp, keys.PrefixEnd(bp))
			if err != nil {
				return err
			}
			defer it.Close()
			for it.First(); it.Valid(); it.Next() {
				if err := fn(it.Key()[len(bp):], it.Value()); err != nil {
					return err
				}
			}
			return it.Error()
		},
		summary: restoreInfo{BackupARN: bk.ARN, TableARN: bk.Table.arn(s.account, s.region), Time: s.clock.Now().UTC()},
	}
	d, err := s.restore(*in.TargetTableName, src, restoreOverrides{
		billing: in.BillingModeOverride, gsis: in.GlobalSecondaryIndexOverride, lsis: in.LocalSecondaryIndexOverride,
		pt: in.ProvisionedThroughputOverride, sse: in.SSESpecificationOverride,
	})
	if err != nil {
		return nil, err
	}
	return &RestoreTableFromBackupOutput{TableDescription: d}, nil
}

func (s *Service) restoreTableToPointInTime(ctx context.Context, in *RestoreTableToPointInTimeInput) (*RestoreTableToPointInTimeOutput, error) {
	var name string
	switch {
	case in.SourceTableName != nil:
		name = *in.SourceTableName
	case in.SourceTableArn != nil:
		arn := *in.SourceTableArn
		if i := strings.LastIndexByte(arn, '/'); i >= 0 && strings.HasPrefix(arn, "arn:") {
			name = arn[i+1:]
		} else {
			return nil, invalid("Invalid TableArn: %s", arn)
		}
	default:
		return nil, invalid("Either SourceTableArn or SourceTableName must be specified")
	}
	latestReq := deref(in.UseLatestRestorableTime)
	if latestReq && in.RestoreDateTime != nil {
		return nil, invalid("Only one of RestoreDateTime or UseLatestRestorableTime can be specified")
	}
	if !latestReq && in.RestoreDateTime == nil {
		return nil, invalid("Either RestoreDateTime or UseLatestRestorableTime must be specified")
	}
	t, snap, err := s.recoverySnapshot(name)
	if err != nil {
		return nil, err
	}
	defer snap.Close()
	if t.PITRSince.IsZero() {
		return nil, ErrPITRUnavailable.WithMessage("Point in time recovery has not yet been enabled for this source table.")
	}
	earliest, latest := s.pitrWindowOf(t)
	at := latest
	if !latestReq {
		// Times travel in milliseconds: the earliest time as described
		// is restorable.
		at = in.RestoreDateTime.UTC()
		if at.Before(earliest.Truncate(time.Millisecond)) || at.After(latest) {
			return nil, ErrInvalidRestoreTime.WithMessage("An invalid restore time was specified. RestoreDateTime must be between EarliestRestorableDateTime and LatestRestorableDateTime.")
		}
	}
	src := &restoreSource{
		def: t,
		items: func(fn func(ik, v []byte) error) error {
			return itemsAt(snap, t, at, fn)
		},
		summary: restoreInfo{TableARN: t.arn(s.account, s.region), Time: at},
	}
	d, err := s.restore(*in.TargetTableName, src, restoreOverrides{
		billing: in.BillingModeOverride, gsis: in.GlobalSecondaryIndexOverride, lsis: in.LocalSecondaryIndexOverride,
		pt: in.ProvisionedThroughputOverride, sse: in.SSESpecificationOverride,
	})
	if err != nil {
		return nil, err
	}
	return &RestoreTableToPointInTimeOutput{TableDescription: d}, nil
}

// recoverySnapshot is a table's definition and a store snapshot of its
// items and history at one moment, for a point-in-time restore or an
// export; a missing table is TableNotFoundException.
func (s *Service) recoverySnapshot(name string) (*table, store.Snapshot, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	t := s.tables[name]
	if t == nil {
		return nil, nil, ErrTableNotFound.Withf("Table not found: %s", name)
	}
	return t, s.store.NewSnapshot(), nil
}
