package ecr

import "github.com/virga/virga/internal/awsproto"

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
