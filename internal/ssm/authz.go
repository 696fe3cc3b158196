package ssm

import (
	"strings"

	"github.com/virga/virga/internal/awsproto"
)

// resources names the parameters a call acts on
// (arn:aws:ssm:REGION:ACCOUNT:parameter/NAME, the name without its
// leading "/"), by Name or Names, for IAM authorization: GetParameters
// needs ssm:GetParameters on each. A name may be given as its ARN.
// Calls that name none (DescribeParameters) are authorized on "*".
func (s *Service) resources(c *awsproto.Call, in any) []string {
	names := awsproto.InputStrings(in, "Names")
	if name := awsproto.InputString(in, "Name"); name != "" {
		names = append(names, name)
	}
	var out []string
	for _, name := range names {
		if strings.HasPrefix(name, "arn:") {
			out = append(out, name)
			continue
		}
		if i := strings.IndexByte(name, ':'); i >= 0 {
			name = name[:i] // a version or label selector
		}
		out = append(out, s.arn(name))
	}
	return out
}
