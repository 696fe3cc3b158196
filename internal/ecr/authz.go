package ecr

import (
	"context"
	"strings"

	"github.com/virga/virga/internal/awsproto"
)

// resources names the repository a call acts on
// (arn:aws:ecr:REGION:ACCOUNT:repository/NAME), for IAM authorization.
// Calls that name none (GetAuthorizationToken, DescribeRepositories of
// all of them) are authorized on "*".
func (s *Service) resources(c *awsproto.Call, in any) []string {
	if name := awsproto.InputString(in, "RepositoryName"); name != "" {
		return []string{s.repoARN(name)}
	}
	if arn := awsproto.InputString(in, "ResourceArn"); arn != "" {
		return []string{arn}
	}
	return nil
}

// resourcePolicy returns the repository policy (SetRepositoryPolicy's)
// of the repository an ARN names, for IAM authorization; "" when it has
// none or does not exist.
func (s *Service) resourcePolicy(_ context.Context, arn string) (string, error) {
	name, ok := strings.CutPrefix(arn, "arn:aws:ecr:"+s.region+":"+s.account+":repository/")
	if !ok {
		return "", nil
	}
	r, err := s.loadRepo(name)
	if err != nil || r == nil {
		return "", err
	}
	return r.Policy, nil
}
