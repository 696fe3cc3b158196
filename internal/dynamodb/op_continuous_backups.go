package dynamodb

import (
	"context"
	"time"

	"github.com/virga/virga/internal/store/keys"
)

// pitrLag is how far LatestRestorableDateTime trails the present, as
// DynamoDB documents it: "typically 5 minutes before the current time".
const pitrLag = 5 * time.Minute

// backupTable is the table a continuous backups operation names, or
// TableNotFoundException, which these operations answer instead of
// ResourceNotFoundException.
func (s *Service) backupTable(name string) (*table, error) {
	s.mu.RLock()
	t := s.tables[name]
	s.mu.RUnlock()
	if t == nil {
		return nil, ErrTableNotFound.Withf("Table not found: %s", name)
	}
	return t, nil
}

// continuousBackups describes a table's backups: continuous backups are
// always on; point-in-time recovery is on from PITRSince, if set.
func (s *Service) continuousBackups(t *table) *ContinuousBackupsDescription {
	pitr := &PointInTimeRecoveryDescription{PointInTimeRecoveryStatus: ptr(PointInTimeRecoveryStatus("DISABLED"))}
	if !t.PITRSince.IsZero() {
		earliest, latest := s.pitrWindowOf(t)
		pitr = &PointInTimeRecoveryDescription{
			PointInTimeRecoveryStatus:  ptr(PointInTimeRecoveryStatus("ENABLED")),
			EarliestRestorableDateTime: ptr(earliest),
			LatestRestorableDateTime:   ptr(latest),
		}
	}
	return &ContinuousBackupsDescription{
		ContinuousBackupsStatus:        ptr(ContinuousBackupsStatus("ENABLED")),
		PointInTimeRecoveryDescription: pitr,
	}
}

func (s *Service) describeContinuousBackups(ctx context.Context, in *DescribeContinuousBackupsInput) (*DescribeContinuousBackupsOutput, error) {
	t, err := s.backupTable(*in.TableName)
	if err != nil {
		return nil, err
	}
	return &DescribeContinuousBackupsOutput{ContinuousBackupsDescription: s.continuousBackups(t)}, nil
}

// updateContinuousBackups turns point-in-time recovery on or off. Turning
// it off drops the table's history, so turning it on again starts a new
// window.
func (s *Service) updateContinuousBackups(ctx context.Context, in *UpdateContinuousBackupsInput) (*UpdateContinuousBackupsOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cur := s.tables[*in.TableName]
	if cur == nil {
		return nil, ErrTableNotFound.Withf("Table not found: %s", *in.TableName)
	}
	enable := deref(in.PointInTimeRecoverySpecification.PointInTimeRecoveryEnabled)
	if enable == !cur.PITRSince.IsZero() {
		return &UpdateContinuousBackupsOutput{ContinuousBackupsDescription: s.continuousBackups(cur)}, nil
	}
	t := cur.clone()
	t.PITRSince = time.Time{}
	if enable {
		t.PITRSince = s.clock.Now().UTC()
	}
	b := s.store.NewBatch()
	defer b.Close()
	if !enable {
		hp := histPrefix(t.ID)
		b.DeleteRange(hp, keys.PrefixEnd(hp))
	}
	if err := s.saveTable(b, t); err != nil {
		return nil, err
	}
	return &UpdateContinuousBackupsOutput{ContinuousBackupsDescription: s.continuousBackups(t)}, nil
}
