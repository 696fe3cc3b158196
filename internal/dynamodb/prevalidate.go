package dynamodb

// DynamoDB counts the requests of a batch across tables before it applies
// the model's per-table limits, and words the per-table limit its own way.

// Prevalidate applies BatchGetItem's 100-key limit.
func (in *BatchGetItemInput) Prevalidate() error {
	total := 0
	for _, ka := range in.RequestItems {
		total += len(ka.Keys)
	}
	if total > maxBatchGetKeys {
		return invalid("Too many items requested for the BatchGetItem call")
	}
	return nil
}

// Prevalidate applies BatchWriteItem's 25-request limits.
func (in *BatchWriteItemInput) Prevalidate() error {
	total := 0
	for _, name := range sortedNames(in.RequestItems) {
		n := len(in.RequestItems[name])
		if n > maxBatchWrites {
			return invalid("1 validation error detected: Value at 'RequestItems.%s.member' failed to satisfy constraint: Member must have length less than or equal to %d", name, maxBatchWrites)
		}
		total += n
	}
	if total > maxBatchWrites {
		return invalid("Too many items requested for the BatchWriteItem call")
	}
	return nil
}
