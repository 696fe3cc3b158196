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
	if arn := awsproto.InputString(in, "ResourceArn"); arn != "" {
		return []string{arn}
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
