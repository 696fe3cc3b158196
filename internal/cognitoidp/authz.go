package cognitoidp

import "github.com/virga/virga/internal/awsproto"

// resources names the user pool a call acts on
// (arn:aws:cognito-idp:REGION:ACCOUNT:userpool/ID), by UserPoolId or a
// tagging call's ResourceArn, for IAM authorization. Calls that name
// none (CreateUserPool, ListUserPools) are authorized on "*"; the
// operations a user makes with its own tokens or none are not
// authorized by IAM at all.
func (s *Service) resources(c *awsproto.Call, in any) []string {
	if arn := awsproto.InputString(in, "ResourceArn"); arn != "" {
		return []string{arn}
	}
	if id := awsproto.InputString(in, "UserPoolId"); id != "" {
		return []string{"arn:aws:cognito-idp:" + s.region + ":" + s.account + ":userpool/" + id}
	}
	return nil
}
