package logs

import (
	"strings"

	"github.com/virga/virga/internal/awsproto"
)

// streamActions are the operations IAM authorizes on a log stream
// (arn:aws:logs:REGION:ACCOUNT:log-group:NAME:log-stream:STREAM) rather
// than on its log group, as the Service Authorization Reference lists
// them.
var streamActions = map[string]bool{"PutLogEvents": true, "GetLogEvents": true, "DeleteLogStream": true}

// resources names the log group (arn:aws:logs:REGION:ACCOUNT:log-group:NAME)
// or log stream a call acts on, for IAM authorization. Calls that name
// neither (DescribeLogGroups, queries) are authorized on "*".
func (s *Service) resources(c *awsproto.Call, in any) []string {
	group := awsproto.InputString(in, "LogGroupName")
	if group == "" {
		group = awsproto.InputString(in, "LogGroupIdentifier")
	}
	if group == "" {
		group = awsproto.InputString(in, "ResourceArn")
	}
	if strings.HasPrefix(group, "arn:") {
		name, err := s.groupFromARN(group)
		if err != nil {
			return nil // the operation answers the malformed ARN
		}
		group = name
	}
	if group == "" {
		return nil
	}
	arn := s.groupARN(group)
	if stream := awsproto.InputString(in, "LogStreamName"); stream != "" && streamActions[c.Op.Name] {
		arn += ":log-stream:" + stream
	}
	return []string{arn}
}
