// Package sts is the AWS Security Token Service: who am I
// (GetCallerIdentity, GetAccessKeyInfo) and temporary credentials
// (AssumeRole, AssumeRoleWithWebIdentity, GetSessionToken,
// GetFederationToken).
//
// Temporary credentials are stored (see sessions.go) and outlive a
// restart; the edge asks this package about every request signed with
// one, and accepts it until it expires. A role session keeps the session
// policies AssumeRole was given (Policy, PolicyArns), which IAM's
// Authorizer applies. With --auth iam, AssumeRole is authorized against
// the role's trust policy (its resource-based policy, which must allow the
// caller; a role that does not exist allows no one); otherwise any
// well-formed role ARN can be assumed. A session of a role IAM knows
// carries the role's unique id (AROA...:session); of one it does not, an
// id derived from the ARN. GetFederationToken's federated user
// (arn:aws:sts::ACCOUNT:federated-user/NAME, user id ACCOUNT:NAME) keeps
// the ARN of the IAM user or root that asked for it and the session
// policies it was given: IAM's Authorizer holds it to that identity's
// policies and the session policies together, so that without a session
// policy it may do nothing, as on AWS. A root's federated user lasts an
// hour at most. GetCallerIdentity needs no permission, as on AWS. A
// role session lasts at most the role's MaxSessionDuration
// (ValidationError "The requested DurationSeconds exceeds the
// MaxSessionDuration set for this role.").
//
// AssumeRoleWithWebIdentity is Anonymous (the SDKs' web identity
// credential provider and `aws sts assume-role-with-web-identity
// --no-sign-request` send it unsigned; the token is the proof). Its JWT
// is checked as STS checks it: its iss must be the URL of one of IAM's
// OpenID Connect providers (Deps.Providers; InvalidIdentityToken "No
// OpenIDConnect provider found in your account for ISSUER") and one of
// its aud one of the provider's client ids ("Incorrect token
// audience"), except for Cognito identity pools' tokens
// (https://cognito-identity.amazonaws.com), which every account trusts;
// a ProviderId (an OAuth 2.0 provider) stands for the issuer, but the
// token must still be a JWT (Login with Amazon's and Facebook's opaque
// access tokens are refused as not one). An
// expired token is ExpiredTokenException. Its signature is verified
// with the keys of the issuers virga runs (VerifyTokensWith: its user
// pools and GetOpenIdToken's key). virga has no network, so it cannot
// fetch another issuer's keys (token.actions.githubusercontent.com, an
// EKS cluster's issuer): without --auth iam such a token's signature is
// taken on trust; with --auth iam it is refused (InvalidIdentityToken
// "Couldn't retrieve verification key ..."). With --auth iam the role's
// trust policy must let the federated principal (the provider's ARN,
// cognito-identity.amazonaws.com, or the ProviderId) perform
// sts:AssumeRoleWithWebIdentity, with the condition keys ISSUER:aud,
// ISSUER:sub and ISSUER:amr, ISSUER being the issuer without https://
// (token.actions.githubusercontent.com:sub); otherwise AccessDenied "Not
// authorized to perform sts:AssumeRoleWithWebIdentity". The answer's
// Provider is the provider's ARN (cognito-identity.amazonaws.com, or the
// ProviderId), as AWS reports it; its SourceIdentity is the token's
// https://aws.amazon.com/source_identity claim. The session is an
// ordinary role session: it does not carry a Cognito identity (API
// Gateway sees no cognitoIdentityId for it) nor the token's principal
// tags.
//
// DecodeAuthorizationMessage answers InvalidAuthorizationMessageException
// for every message: virga's AccessDenied answers say in plain words what
// was denied and carry no encoded message.
//
// Not supported yet (the edge answers InvalidAction): AssumeRoleWithSAML,
// AssumeRoot, GetDelegatedAccessToken, GetWebIdentityToken. GetFederationToken's Tags
// count toward PackedPolicySize but are not principal tags.
package sts
