package dynamodb

// The order DynamoDB lists some enums' values in when it refuses a value
// outside them: the order of the Java set behind its check, not the
// model's (see shape.EnumMessageOrderer).

// ValuesInMessages is ScalarAttributeType's values as DynamoDB lists them.
func (ScalarAttributeType) ValuesInMessages() []string { return []string{"B", "N", "S"} }

// ValuesInMessages is Select's values as DynamoDB lists them.
func (Select) ValuesInMessages() []string {
	return []string{"SPECIFIC_ATTRIBUTES", "COUNT", "ALL_ATTRIBUTES", "ALL_PROJECTED_ATTRIBUTES"}
}

// ValuesInMessages is ReturnValue's values as DynamoDB lists them.
func (ReturnValue) ValuesInMessages() []string {
	return []string{"ALL_NEW", "UPDATED_OLD", "ALL_OLD", "NONE", "UPDATED_NEW"}
}

// ValuesInMessages is ConditionalOperator's values as DynamoDB lists them.
func (ConditionalOperator) ValuesInMessages() []string { return []string{"OR", "AND"} }
