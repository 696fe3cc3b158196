package sts

import (
	"context"

	"github.com/virga/virga/internal/awsproto"
)

// getCallerIdentity reports who signed the request: the account root for
// a long-term key (IAM users come with IAM), the assumed role for
// AssumeRole credentials.
func (s *Service) getCallerIdentity(ctx context.Context, _ *GetCallerIdentityRequest) (*GetCallerIdentityResponse, error) {
	c := s.caller(ctx)
	return &GetCallerIdentityResponse{UserId: &c.UserID, Account: &c.Account, Arn: &c.ARN}, nil
}

// caller returns the request's identity with the defaults of a long-term
// key filled in.
func (s *Service) caller(ctx context.Context) awsproto.Caller {
	var c awsproto.Caller
	if call := awsproto.CallFrom(ctx); call != nil {
		c = call.Caller
	}
	if c.Account == "" {
		c.Account = s.account
	}
	if c.ARN == "" {
		c.ARN = "arn:aws:iam::" + c.Account + ":root"
		c.UserID = c.Account
	}
	return c
}
