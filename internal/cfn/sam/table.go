package sam

// dynamoDBTypes maps SimpleTable's attribute types to DynamoDB's.
var dynamoDBTypes = map[string]string{"String": "S", "Number": "N", "Binary": "B"}

// simpleTable transforms an AWS::Serverless::SimpleTable into an
// AWS::DynamoDB::Table with the same logical ID: a single-attribute
// primary key (id, a String, unless PrimaryKey says otherwise), billed
// per request unless ProvisionedThroughput is given.
func (t *transformer) simpleTable(id string, raw map[string]any) error {
	props, err := properties(id, typeSimpleTable, raw)
	if err != nil {
		return err
	}
	props = t.globals.apply("SimpleTable", props)
	keyName, keyType := any("id"), "S"
	if pk, ok := props["PrimaryKey"]; ok {
		m := asMap(pk)
		if m == nil {
			return invalidType(id, "PrimaryKey")
		}
		if err := checkProperties(id, "PrimaryKey", m, set("Name", "Type")); err != nil {
			return err
		}
		name, ok := m["Name"]
		if !ok {
			return missingProperty(id, "PrimaryKey.Name")
		}
		typ, _ := t.resolve(m["Type"])
		if keyType, ok = dynamoDBTypes[typ]; !ok {
			// Wording unconfirmed.
			return resourceError(id, "Invalid 'Type' \"%s\" for the PrimaryKey; it must be one of String, Number or Binary.", typ)
		}
		keyName = clone(name)
	}
	table := map[string]any{
		"AttributeDefinitions": []any{map[string]any{"AttributeName": keyName, "AttributeType": keyType}},
		"KeySchema":            []any{map[string]any{"AttributeName": clone(keyName), "KeyType": "HASH"}},
	}
	if pt, ok := props["ProvisionedThroughput"]; ok {
		table["ProvisionedThroughput"] = clone(pt)
	} else {
		table["BillingMode"] = "PAY_PER_REQUEST"
	}
	copyKeys(table, props, "TableName", "SSESpecification", "PointInTimeRecoverySpecification")
	if tags, ok := props["Tags"]; ok {
		m := asMap(tags)
		if m == nil {
			return invalidType(id, "Tags")
		}
		table["Tags"] = tagList(nil, cloneMap(m))
	}
	return t.add(id, id, attributesOf(raw).mainResource(raw, "AWS::DynamoDB::Table", table))
}
