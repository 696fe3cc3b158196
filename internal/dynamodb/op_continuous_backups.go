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
			RecoveryPeriodInDays:       ptr(int32(t.period() / (24 * time.Hour))),
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
	spec := in.PointInTimeRecoverySpecification
	enable := deref(spec.PointInTimeRecoveryEnabled)
	days := deref(spec.RecoveryPeriodInDays)
	if days == 0 {
		days = defaultPITRDays
	}
	on := !cur.PITRSince.IsZero()
	if enable == on && (!on || days == int32(cur.period()/(24*time.Hour))) {
		return &UpdateContinuousBackupsOutput{ContinuousBackupsDescription: s.continuousBackups(cur)}, nil
	}
	t := cur.clone()
	switch {
	case !enable:
		t.PITRSince, t.PITRDays = time.Time{}, 0
	case on:
		// A new period: what can be restored now stays restorable as
		// far as the new period reaches, and no further back than the
		// history kept.
		t.PITRSince, _ = s.pitrWindowOf(cur)
		t.PITRDays = days
	default:
		t.PITRSince, t.PITRDays = s.clock.Now().UTC(), days
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
