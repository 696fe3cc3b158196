// Package sts is the AWS Security Token Service: who am I
// (GetCallerIdentity, GetAccessKeyInfo) and temporary credentials
// (AssumeRole, GetSessionToken, GetFederationToken).
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
// hour at most. GetCallerIdentity needs no permission, as on AWS.
//
// Not supported yet (the edge answers InvalidAction): AssumeRoleWithSAML,
// AssumeRoleWithWebIdentity, AssumeRoot, DecodeAuthorizationMessage,
// GetDelegatedAccessToken, GetWebIdentityToken. GetFederationToken's Tags
// count toward PackedPolicySize but are not principal tags.
package sts
