package dynamodb

import (
	"strings"

	"github.com/virga/virga/internal/awsproto"
)

// resources names the tables a call acts on, for IAM authorization:
// arn:aws:dynamodb:REGION:ACCOUNT:table/NAME, from TableName (a name or
// an ARN) or from the keys of a batch's RequestItems. Other calls (the
// account-level ListTables, transactions) act on "*".
func (s *Service) resources(c *awsproto.Call, in any) []string {
	if name := awsproto.InputString(in, "TableName"); name != "" {
		return []string{s.tableResource(name)}
	}
	if arn := awsproto.InputString(in, "TableArn"); arn != "" {
		return []string{arn}
	}
	// Point-in-time restores act on their source table, backup
	// operations on the backup.
	if name := awsproto.InputString(in, "SourceTableName"); name != "" {
		return []string{s.tableResource(name)}
	}
	if arn := awsproto.InputString(in, "SourceTableArn"); arn != "" {
		return []string{arn}
	}
	if arn := awsproto.InputString(in, "BackupArn"); arn != "" {
		return []string{arn}
	}
	if arn := awsproto.InputString(in, "ResourceArn"); arn != "" {
		return []string{arn}
	}
	// Exports and imports are resources under their table's ARN.
	for _, m := range []string{"ExportArn", "ImportArn"} {
		if arn := awsproto.InputString(in, m); arn != "" {
			return []string{arn}
		}
	}
	names := awsproto.InputMapKeys(in, "RequestItems")
	for i, n := range names {
		names[i] = s.tableResource(n)
	}
	return names
}

func (s *Service) tableResource(name string) string {
	if strings.HasPrefix(name, "arn:") {
		return name
	}
	return "arn:aws:dynamodb:" + s.region + ":" + s.account + ":table/" + name
}

// permissions are what a transaction needs, as DynamoDB authorizes it
// item by item ("Using IAM with DynamoDB transactions"): GetItem on each
// TransactGetItems item's table; PutItem, UpdateItem, DeleteItem or
// ConditionCheckItem on each TransactWriteItems item's. Other calls need
// their operation's action on resources.
func (s *Service) permissions(c *awsproto.Call, in any) []awsproto.Permission {
	var out []awsproto.Permission
	seen := map[awsproto.Permission]bool{}
	add := func(action string, table *string) {
		if table == nil {
			return
		}
		p := awsproto.Permission{Action: "dynamodb:" + action, Resource: s.tableResource(*table)}
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	switch in := in.(type) {
	case *TransactGetItemsInput:
		for _, it := range in.TransactItems {
			if it.Get != nil {
				add("GetItem", it.Get.TableName)
			}
		}
	case *TransactWriteItemsInput:
		for _, it := range in.TransactItems {
			switch {
			case it.Put != nil:
				add("PutItem", it.Put.TableName)
			case it.Update != nil:
				add("UpdateItem", it.Update.TableName)
			case it.Delete != nil:
				add("DeleteItem", it.Delete.TableName)
			case it.ConditionCheck != nil:
				add("ConditionCheckItem", it.ConditionCheck.TableName)
			}
		}
	}
	return out
}
