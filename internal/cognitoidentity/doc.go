// Package cognitoidentity is Amazon Cognito identity pools (awsJson 1.1,
// target prefix AWSCognitoIdentityService, signing name
// cognito-identity): the identities web and mobile apps get for their
// guests and signed-in users, and the temporary AWS credentials of the
// pool's roles that those identities exchange for.
//
// Store layout (tuples, package keys):
//
//	("cognito-identity", "pool", POOL_ID)                          → pool: its IdentityPool, roles and role mappings
//	("cognito-identity", "identity", IDENTITY_ID)                  → identity: its pool, linked logins, dates
//	("cognito-identity", "poolidentity", POOL_ID, IDENTITY_ID)     → the identity's id (ListIdentities, DeleteIdentityPool)
//	("cognito-identity", "login", POOL_ID, PROVIDER, SUBJECT)      → the id of the identity a user of a provider has
//	("cognito-identity", "signingkey")                             → GetOpenIdToken's RSA key, sealed (package sealed)
//	("cognito-identity", "datakey")                                → the data key the signing key is sealed with
//
// Pools: ids are REGION:UUID, ARNs
// arn:aws:cognito-identity:REGION:ACCOUNT:identitypool/ID. A pool's
// CognitoIdentityProviders name virga's user pools
// (cognito-idp.REGION.amazonaws.com/POOL_ID) and the app clients whose
// tokens it accepts. SetIdentityPoolRoles gives the authenticated and
// unauthenticated roles, and role mappings by provider
// (PROVIDER:CLIENT_ID): Token (cognito:preferred_role, CustomRoleArn
// among cognito:roles, or the only one of cognito:roles) and Rules (the
// first rule whose claim Equals, Contains, StartsWith or is NotEqual to
// its value), with AmbiguousRoleResolution AuthenticatedRole or Deny.
//
// Identities: GetId without Logins makes a new guest identity, and only
// in a pool that AllowUnauthenticatedIdentities (NotAuthorizedException
// "Unauthenticated access is not supported for this identity pool.").
// With Logins it returns the identity of the user (the token's sub) in
// the pool, made the first time. A login is a user pool ID token,
// checked as AWS checks it: its iss is the Logins key, it has an aud
// that is one of the clients the pool lists for that user pool, its
// signature verifies with the user pool's keys and it is unexpired
// (cognitoidp.Service.CheckToken); each failure is NotAuthorizedException
// with AWS's message ("Invalid login token. Token expired: NOW >= EXP",
// "Token is not from a supported provider of this identity pool." and
// so on). A revoked token (GlobalSignOut) is refused only for providers
// with ServerSideTokenCheck, as on AWS.
//
// Credentials: GetCredentialsForIdentity returns credentials of a
// session (CognitoIdentityCredentials, one hour) of the role the
// identity gets, issued by STS's own mechanism (Deps.Roles, the one
// Lambda's execution roles use), which the edge accepts and, with
// --auth iam, holds to the role's policies. The session carries the
// identity (pool, id, authentication type and provider, amr), which API
// Gateway gives the functions of AWS_IAM methods called with it as
// requestContext.identity's cognitoIdentityId and its siblings, and HTTP
// APIs as authorizer.iam.cognitoIdentity. With --auth iam the role's
// trust policy must also let cognito-identity.amazonaws.com assume it
// with sts:AssumeRoleWithWebIdentity (EnforceTrust), given the condition
// keys cognito-identity.amazonaws.com:aud (the pool), :sub (the identity)
// and :amr, as AWS's own AssumeRoleWithWebIdentity weighs them; a role
// that does not is InvalidIdentityPoolConfigurationException. A guest gets the
// unauthenticated role; an identity with logins must present one of
// them ("Logins don't match. ..."), and a login not yet linked to any
// identity is linked to the one it is presented with. A pool with no
// role for the case answers InvalidIdentityPoolConfigurationException.
// GetOpenIdToken returns an RS512 token (iss
// https://cognito-identity.amazonaws.com, aud the pool, sub the
// identity, amr) valid for ten minutes.
//
// GetId, GetCredentialsForIdentity and GetOpenIdToken are Anonymous:
// the SDKs send them unsigned, and the edge takes them unsigned even
// when it verifies signatures.
//
// Concurrency: Service.mu serializes read-modify-write of pools and
// identities and guards the cached signing key; it is held while a login
// is verified (cognitoidp's lock is taken inside it, never the other
// way round) and never while credentials are issued.
//
// Not supported: developer-authenticated identities
// (GetOpenIdTokenForDeveloperIdentity, LookupDeveloperIdentity,
// MergeDeveloperIdentities, UnlinkDeveloperIdentity; DeveloperProviderName
// is stored), UnlinkIdentity, principal tags
// (Get/SetPrincipalTagAttributeMap), logins of external providers
// (SupportedLoginProviders such as accounts.google.com, OpenID Connect
// and SAML providers: stored, but their tokens are refused with
// NotAuthorizedException, as virga cannot verify them), the
// scope-down policy AWS applies to guests' credentials; the edge answers the unsupported operations UnknownOperationException.
package cognitoidentity
