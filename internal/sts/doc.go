// Package sts is the AWS Security Token Service: who am I
// (GetCallerIdentity, GetAccessKeyInfo) and temporary credentials
// (AssumeRole, GetSessionToken).
//
// Temporary credentials are stored (see sessions.go) and outlive a
// restart; the edge asks this package about every request signed with
// one, and accepts it until it expires. Which roles exist, and whether
// the caller may assume them, is IAM's business and is not checked yet:
// any well-formed role ARN can be assumed.
//
// Not supported yet (the edge answers InvalidAction): AssumeRoleWithSAML,
// AssumeRoleWithWebIdentity, AssumeRoot, DecodeAuthorizationMessage,
// GetFederationToken, GetDelegatedAccessToken, GetWebIdentityToken.
package sts
