package kinesis

// Other services deliver records to streams in Go, through these calls,
// as they do on AWS through PutRecord on the customer's behalf (DynamoDB's
// Kinesis streaming destinations).

// StreamExists reports whether the stream with the ARN exists in this
// account and Region.
func (s *Service) StreamExists(arn string) bool {
	_, err := s.streamByARN(arn)
	return err == nil
}

// AppendRecord appends one record to the stream with the ARN, placed by
// its partition key as PutRecord places it. It fails when the stream is
// not there, or when the record is over the 1 MiB limit.
func (s *Service) AppendRecord(arn, partitionKey string, data []byte) error {
	name, err := s.streamName(nil, &arn)
	if err != nil {
		return err
	}
	if len(data)+len(partitionKey) > maxRecordSize {
		return ErrInvalidArgument.WithMessage("Record size exceeds the 1 MiB limit.")
	}
	_, _, err = s.appendRecords(name, []entry{{data: data, key: partitionKey}})
	return err
}
