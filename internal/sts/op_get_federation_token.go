package sts

import (
	"context"
	"encoding/json"
	"strings"
	"time"
)

const (
	// defaultFederationDuration is GetFederationToken's DurationSeconds
	// when not given: 12 hours.
	defaultFederationDuration = 12 * time.Hour
	// maxRootFederationDuration caps the sessions the account root asks
	// for: "one hour" whatever DurationSeconds says.
	maxRootFederationDuration = time.Hour
)

// getFederationToken issues temporary credentials for a federated user
// named by the caller, an IAM user or the account root with long-term
// credentials. The federated user has the caller's permissions capped by
// the session policies given (Policy, PolicyArns); with none it has no
// permissions at all, as on AWS. Package iam's Authorizer applies both.
func (s *Service) getFederationToken(ctx context.Context, in *GetFederationTokenRequest) (*GetFederationTokenResponse, error) {
	c := s.caller(ctx)
	if c.SessionToken != "" {
		return nil, ErrAccessDenied.WithMessage("Cannot call GetFederationToken with session credentials")
	}
	if in.Policy != nil && !json.Valid([]byte(*in.Policy)) {
		return nil, ErrMalformedPolicyDocument
	}
	duration := defaultFederationDuration
	if in.DurationSeconds != nil {
		duration = time.Duration(*in.DurationSeconds) * time.Second
	}
	if strings.HasSuffix(c.ARN, ":root") {
		duration = min(duration, maxRootFederationDuration)
	}
	var policy string
	if in.Policy != nil {
		policy = *in.Policy
	}
	sess := s.newSession(duration, c.Account, "arn:aws:sts::"+c.Account+":federated-user/"+*in.Name, c.Account+":"+*in.Name)
	sess.Policy, sess.PolicyARNs, sess.Federator = policy, policyARNs(in.PolicyArns), c.ARN
	if err := s.saveSession(sess); err != nil {
		return nil, err
	}
	out := &GetFederationTokenResponse{
		Credentials:   sess.credentials(),
		FederatedUser: &FederatedUser{FederatedUserId: &sess.UserID, Arn: &sess.ARN},
	}
	if in.Policy != nil || len(in.PolicyArns) > 0 || len(in.Tags) > 0 {
		out.PackedPolicySize = packedPolicySize(in.Policy, in.PolicyArns, in.Tags)
	}
	return out, nil
}
