package sts

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"time"
)

// assumeRoleWithWebIdentity exchanges an OpenID Connect ID token for
// credentials of a role. The request is unsigned (the token is the
// proof), so the edge does not authorize it: the token is checked here
// as STS checks it (issuer, audience, expiry, signature) and, with
// --auth iam, the role's trust policy is weighed for the token's
// provider as the federated principal.
func (s *Service) assumeRoleWithWebIdentity(ctx context.Context, in *AssumeRoleWithWebIdentityRequest) (*AssumeRoleWithWebIdentityResponse, error) {
	if in.Policy != nil && !json.Valid([]byte(*in.Policy)) {
		return nil, ErrMalformedPolicyDocument
	}
	tok, ok := parseWebToken(*in.WebIdentityToken)
	if !ok {
		return nil, ErrInvalidIdentityToken.WithMessage("The ID Token provided is not a valid JWT. (You may see this error if you sent an Access Token)")
	}
	principal, prefix, provider, err := s.tokenProvider(tok, in.ProviderId)
	if err != nil {
		return nil, err
	}
	if tok.Expires == 0 {
		return nil, ErrInvalidIdentityToken.WithMessage("Missing a required claim: exp")
	}
	if now := s.clock.Now().Unix(); now >= tok.Expires {
		return nil, ErrExpiredToken.Withf("Token expired: current date/time %d must be before the expiration date/time %d", now, tok.Expires)
	}
	if err := s.verifySignature(tok, *in.WebIdentityToken); err != nil {
		return nil, err
	}
	if s.federatedTrust != nil {
		ok, err := s.federatedTrust(ctx, principal, *in.RoleArn, tok.conditionKeys(prefix))
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, ErrAccessDenied.WithMessage("Not authorized to perform sts:AssumeRoleWithWebIdentity")
		}
	}
	sess, err := s.requestedRoleSession(*in.RoleArn, *in.RoleSessionName, in.DurationSeconds, in.Policy, in.PolicyArns)
	if err != nil {
		return nil, err
	}
	out := &AssumeRoleWithWebIdentityResponse{
		Credentials:                 sess.credentials(),
		SubjectFromWebIdentityToken: &tok.Subject,
		AssumedRoleUser:             &AssumedRoleUser{AssumedRoleId: &sess.UserID, Arn: &sess.ARN},
		Provider:                    &provider,
	}
	if len(tok.Audiences) > 0 {
		out.Audience = &tok.Audiences[0]
	}
	if tok.SourceIdentity != "" {
		out.SourceIdentity = &tok.SourceIdentity
	}
	if in.Policy != nil || len(in.PolicyArns) > 0 {
		out.PackedPolicySize = packedPolicySize(in.Policy, in.PolicyArns, nil)
	}
	return out, nil
}

// tokenProvider finds who vouches for a token: the federated principal
// a trust policy names (an IAM OpenID Connect provider's ARN,
// cognito-identity.amazonaws.com, or the ProviderId of an OAuth 2.0
// provider), the prefix of its condition keys, and the Provider the
// answer reports (the provider's ARN, as AWS reports it).
func (s *Service) tokenProvider(tok *webToken, providerID *string) (principal, prefix, provider string, err error) {
	if providerID != nil {
		return *providerID, *providerID, *providerID, nil
	}
	host := strings.TrimSuffix(strings.TrimPrefix(tok.Issuer, "https://"), "/")
	if tok.Issuer == "" {
		return "", "", "", ErrInvalidIdentityToken.WithMessage("Missing a required claim: iss")
	}
	if tok.Issuer == cognitoIdentityIssuer {
		// Identity pools' tokens are for the pool (aud); every account
		// trusts the issuer without an IAM provider.
		return host, host, host, nil
	}
	var arn string
	var clients []string
	ok := false
	if s.providers != nil {
		if arn, clients, ok, err = s.providers.OpenIDConnectProvider(host); err != nil {
			return "", "", "", err
		}
	}
	if !ok {
		return "", "", "", ErrInvalidIdentityToken.Withf("No OpenIDConnect provider found in your account for %s", tok.Issuer)
	}
	if !slices.ContainsFunc(tok.Audiences, func(aud string) bool { return slices.Contains(clients, aud) }) {
		return "", "", "", ErrInvalidIdentityToken.WithMessage("Incorrect token audience")
	}
	return arn, host, arn, nil
}

// verifySignature checks a token's signature with the keys of its
// issuer when virga runs that issuer. Another issuer's keys are out of
// reach (virga has no network): its tokens are taken on trust, unless
// virga enforces IAM policies.
func (s *Service) verifySignature(tok *webToken, token string) error {
	known := false
	var err error
	if s.tokenKeys != nil {
		known, err = s.tokenKeys.VerifyToken(tok.Issuer, token)
	}
	switch {
	case known && err != nil:
		return ErrInvalidIdentityToken.WithMessage("The web identity token's signature could not be verified with its issuer's keys.")
	case !known && s.federatedTrust != nil:
		return ErrInvalidIdentityToken.WithMessage("Couldn't retrieve verification key from your identity provider, please reference AssumeRoleWithWebIdentity documentation for requirements")
	}
	return nil
}

// roleDuration is the lifetime of a role session asked for with
// seconds (an hour when nil), which may not exceed the role's
// MaxSessionDuration.
func (s *Service) roleDuration(roleARN string, seconds *int32) (time.Duration, error) {
	if seconds == nil {
		return defaultRoleDuration, nil
	}
	if s.roles != nil {
		max, ok, err := s.roles.MaxSessionDuration(roleARN)
		if err != nil {
			return 0, err
		}
		if ok && max == 0 {
			max = int32(defaultRoleDuration / time.Second)
		}
		if ok && *seconds > max {
			return 0, ErrValidation.WithMessage("The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
		}
	}
	return time.Duration(*seconds) * time.Second, nil
}
