package dynamodb

import (
	"context"
	"strings"
)

// The Kinesis streaming destination operations. Enabling and disabling
// take effect at once: the answer says ENABLING or DISABLING, as
// DynamoDB's does while it sets the destination up, and
// DescribeKinesisStreamingDestination already reports ACTIVE or
// DISABLED.

// kinesisTable is the table an operation names by name or ARN, under
// s.mu.
func (s *Service) kinesisTable(nameOrARN string) (*table, error) {
	name := nameOrARN
	if strings.HasPrefix(name, "arn:") {
		if i := strings.LastIndexByte(name, '/'); i >= 0 {
			name = name[i+1:]
		}
	}
	t := s.tables[name]
	if t == nil {
		return nil, tableNotFound(nameOrARN)
	}
	return t, nil
}

func (s *Service) enableKinesisStreamingDestination(ctx context.Context, in *KinesisStreamingDestinationInput) (*KinesisStreamingDestinationOutput, error) {
	arn := *in.StreamArn
	precision := precisionMilli
	if c := in.EnableKinesisStreamingConfiguration; c != nil && c.ApproximateCreationDateTimePrecision != nil {
		precision = string(*c.ApproximateCreationDateTimePrecision)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cur, err := s.kinesisTable(*in.TableName)
	if err != nil {
		return nil, err
	}
	if cur.Status != "ACTIVE" {
		return nil, ErrResourceInUse.Withf("Table is being updated: %s", cur.Name)
	}
	if s.kinesis == nil || !s.kinesis.StreamExists(arn) {
		return nil, ErrResourceNotFound.Withf("Requested resource not found: Stream: %s not found", arn)
	}
	t := cur.clone()
	found := false
	for i := range t.Kinesis {
		if t.Kinesis[i].StreamARN != arn {
			continue
		}
		if t.Kinesis[i].Status == kdsActive {
			return nil, ErrResourceInUse.Withf("Table %s is already streaming to %s", t.Name, arn)
		}
		t.Kinesis[i] = kinesisDest{StreamARN: arn, Status: kdsActive, Precision: precision}
		found = true
	}
	if !found {
		t.Kinesis = append(t.Kinesis, kinesisDest{StreamARN: arn, Status: kdsActive, Precision: precision})
	}
	b := s.store.NewBatch()
	defer b.Close()
	if err := s.saveTable(b, t); err != nil {
		return nil, err
	}
	return &KinesisStreamingDestinationOutput{
		TableName: ptr(t.Name), StreamArn: ptr(arn), DestinationStatus: ptr(DestinationStatus("ENABLING")),
		EnableKinesisStreamingConfiguration: &EnableKinesisStreamingConfiguration{
			ApproximateCreationDateTimePrecision: ptr(ApproximateCreationDateTimePrecision(precision)),
		},
	}, nil
}

func (s *Service) disableKinesisStreamingDestination(ctx context.Context, in *KinesisStreamingDestinationInput) (*KinesisStreamingDestinationOutput, error) {
	arn := *in.StreamArn
	s.mu.Lock()
	defer s.mu.Unlock()
	cur, err := s.kinesisTable(*in.TableName)
	if err != nil {
		return nil, err
	}
	t := cur.clone()
	found := false
	for i := range t.Kinesis {
		if t.Kinesis[i].StreamARN == arn && t.Kinesis[i].Status == kdsActive {
			t.Kinesis[i].Status = kdsDisabled
			found = true
		}
	}
	if !found {
		return nil, ErrResourceNotFound.Withf("Requested resource not found: Table %s is not streaming to %s", t.Name, arn)
	}
	b := s.store.NewBatch()
	defer b.Close()
	if err := s.saveTable(b, t); err != nil {
		return nil, err
	}
	return &KinesisStreamingDestinationOutput{
		TableName: ptr(t.Name), StreamArn: ptr(arn), DestinationStatus: ptr(DestinationStatus("DISABLING")),
	}, nil
}

func (s *Service) describeKinesisStreamingDestination(ctx context.Context, in *DescribeKinesisStreamingDestinationInput) (*DescribeKinesisStreamingDestinationOutput, error) {
	s.mu.RLock()
	t, err := s.kinesisTable(*in.TableName)
	s.mu.RUnlock()
	if err != nil {
		return nil, err
	}
	out := &DescribeKinesisStreamingDestinationOutput{TableName: ptr(t.Name), KinesisDataStreamDestinations: []KinesisDataStreamDestination{}}
	for _, d := range t.Kinesis {
		p := d.Precision
		if p == "" {
			p = precisionMilli
		}
		out.KinesisDataStreamDestinations = append(out.KinesisDataStreamDestinations, KinesisDataStreamDestination{
			StreamArn: ptr(d.StreamARN), DestinationStatus: ptr(DestinationStatus(d.Status)),
			ApproximateCreationDateTimePrecision: ptr(ApproximateCreationDateTimePrecision(p)),
		})
	}
	return out, nil
}

func (s *Service) updateKinesisStreamingDestination(ctx context.Context, in *UpdateKinesisStreamingDestinationInput) (*UpdateKinesisStreamingDestinationOutput, error) {
	arn := *in.StreamArn
	s.mu.Lock()
	defer s.mu.Unlock()
	cur, err := s.kinesisTable(*in.TableName)
	if err != nil {
		return nil, err
	}
	t := cur.clone()
	i := -1
	for j, d := range t.Kinesis {
		if d.StreamARN == arn && d.Status == kdsActive {
			i = j
		}
	}
	if i < 0 {
		return nil, ErrResourceNotFound.Withf("Requested resource not found: Table %s is not streaming to %s", t.Name, arn)
	}
	if c := in.UpdateKinesisStreamingConfiguration; c != nil && c.ApproximateCreationDateTimePrecision != nil {
		t.Kinesis[i].Precision = string(*c.ApproximateCreationDateTimePrecision)
	}
	b := s.store.NewBatch()
	defer b.Close()
	if err := s.saveTable(b, t); err != nil {
		return nil, err
	}
	p := t.Kinesis[i].Precision
	if p == "" {
		p = precisionMilli
	}
	return &UpdateKinesisStreamingDestinationOutput{
		TableName: ptr(t.Name), StreamArn: ptr(arn), DestinationStatus: ptr(DestinationStatus("UPDATING")),
		UpdateKinesisStreamingConfiguration: &UpdateKinesisStreamingConfiguration{
			ApproximateCreationDateTimePrecision: ptr(ApproximateCreationDateTimePrecision(p)),
		},
	}, nil
}
