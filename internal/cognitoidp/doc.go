// Package cognitoidp is Amazon Cognito user pools (awsJson 1.1, target
// prefix AWSCognitoIdentityProviderService, signing name cognito-idp):
// user pools and their app clients, users, groups, sign-in with a
// password, and the JSON web tokens API Gateway's authorizers trust.
//
// Store layout (tuples, package keys):
//
//	("cognito-idp", "pool", POOL_ID)                → pool: its UserPoolType and sealed signing keys
//	("cognito-idp", "client", POOL_ID, CLIENT_ID)   → app client (UserPoolClientType)
//	("cognito-idp", "clientpool", CLIENT_ID)        → the client's pool id (SignUp and InitiateAuth name only the client)
//	("cognito-idp", "user", POOL_ID, USERNAME)      → user: attributes, status, password hash, groups, revoked sessions
//	("cognito-idp", "group", POOL_ID, GROUP)        → group (GroupType)
//	("cognito-idp", "refresh", TOKEN)               → what a refresh token stands for
//	("cognito-idp", "domain", PREFIX)               → the pool id of a prefix domain
//	("cognito-idp", "resource", POOL_ID, IDENTIFIER) → resource server (ResourceServerType)
//	("cognito-idp", "datakey")                      → the data key signing keys are sealed with
//
// Pools: ids are REGION_ + nine letters and digits, ARNs
// arn:aws:cognito-idp:REGION:ACCOUNT:userpool/ID. CreateUserPool fills in
// AWS's defaults (a password policy of eight characters with upper and
// lower case letters, numbers and symbols when none is given; temporary
// passwords valid for seven days) and stores what it is given, LambdaConfig
// included. The schema is the standard attributes plus the request's
// custom ones, named custom:NAME. UpdateUserPool resets what it is not
// given, as AWS's does. Each pool has two 2048-bit RSA keys, the first
// signing ID tokens, the second access tokens; kid is the base64 SHA-256
// of the public key. They are sealed (package sealed) in the store.
//
// App clients: ids are 26 lowercase letters and digits; GenerateSecret
// makes a secret, and then SignUp, ConfirmSignUp and the password flows
// need SECRET_HASH (Base64 HMAC-SHA256 of user name + client id under the
// secret). ExplicitAuthFlows defaults to ALLOW_USER_SRP_AUTH,
// ALLOW_CUSTOM_AUTH and ALLOW_REFRESH_TOKEN_AUTH, so USER_PASSWORD_AUTH
// must be asked for, as on AWS. UpdateUserPoolClient, like
// UpdateUserPool, returns what it is not given to its default; the id
// and secret stay. Token validity defaults to an hour (ID,
// access) and 30 days (refresh).
//
// Users: SignUp makes an UNCONFIRMED user with a six-digit code. virga
// sends no email or SMS: it logs the code, and
// GET /_virga/cognito-idp/{POOL_ID}/users lists the pool's users with
// their pending codes; AdminConfirmSignUp is the usual way to confirm.
// ResendConfirmationCode makes a new one. ForgotPassword gives a user
// with a verified email address or phone number a reset code (logged and
// listed the same way, valid an hour) that ConfirmForgotPassword takes
// with the new password. AdminResetUserPassword gives any user such a
// code, and sign-in answers PasswordResetRequiredException until it is
// used. Users change their own attributes (UpdateUserAttributes, within
// their client's WriteAttributes) and delete themselves (DeleteUser)
// with an access token.
// In pools with UsernameAttributes the user name is the sub and users
// sign in with their email address or phone number; AliasAttributes
// let them sign in with a verified email or phone number, or
// preferred_username. AdminCreateUser makes a FORCE_CHANGE_PASSWORD user
// whose temporary password signs in to a NEW_PASSWORD_REQUIRED challenge
// (a generated temporary password is logged, unless MessageAction is
// SUPPRESS). Passwords are stored as salted PBKDF2-SHA256 hashes and
// checked against the pool's policy wherever they are set. ListUsers
// filters with `attr = "v"` or `attr ^= "v"` (filter.go).
//
// Auth: InitiateAuth (USER_SRP_AUTH, USER_PASSWORD_AUTH,
// REFRESH_TOKEN_AUTH) and AdminInitiateAuth (USER_SRP_AUTH,
// ADMIN_USER_PASSWORD_AUTH / ADMIN_NO_SRP_AUTH, REFRESH_TOKEN_AUTH);
// RespondToAuthChallenge PASSWORD_VERIFIER (SRP-6a as Cognito runs it,
// srp.go, which Amplify and amazon-cognito-identity-js use by default) and
// NEW_PASSWORD_REQUIRED. Setting a password stores its SRP salt and
// verifier beside its hash.
// Tokens are RS256 JWTs with the claims the developer guide lists (sub,
// cognito:groups, iss https://cognito-idp.REGION.amazonaws.com/POOL_ID,
// token_use, auth_time, exp, iat, jti, origin_jti, event_id; the ID token
// adds aud, cognito:username, the user's attributes, and cognito:roles
// and cognito:preferred_role from the groups' RoleArn and Precedence
// (groupRoles), which identity pools' Token role mappings read; the access token
// client_id, scope aws.cognito.signin.user.admin and username). Refresh
// tokens are opaque. GlobalSignOut, AdminUserGlobalSignOut and
// RevokeToken end sessions: their origin_jti is recorded on the user and
// tokens that carry it are refused (GetUser: "Access Token has been
// revoked"). Challenge sessions live in memory for the client's
// AuthSessionValidity (three minutes by default).
//
// The operations apps call without AWS credentials (SignUp,
// ConfirmSignUp, ResendConfirmationCode, ForgotPassword,
// ConfirmForgotPassword, InitiateAuth, RespondToAuthChallenge, and those
// that take an access token) are Anonymous: they take unsigned requests
// even when virga verifies signatures.
//
// Keys for others: WellKnownHandler serves /{POOL_ID}/.well-known/jwks.json
// and openid-configuration on virga's endpoint; IssuerKey lets HTTP API
// JWT authorizers verify a pool's tokens in process, and VerifyToken is
// what REST API COGNITO_USER_POOLS authorizers check.
//
// Domains and OAuth 2.0 (op_domains.go, op_resourceservers.go,
// oauth.go): a pool has at most one prefix domain, unique in the region,
// and one custom domain (CreateUserPoolDomain; DescribeUserPoolDomain
// answers an unknown one with an empty description; a pool with a
// domain is not deleted). A custom domain's certificate (Deps.Certificates,
// ACM) must be in us-east-1, issued and cover the domain; its CloudFront
// distribution is a made-up dXXXX.cloudfront.net, UpdateUserPoolDomain
// changes its certificate, and OAuthHandler serves it to requests whose
// Host is the custom domain (CustomDomain, which the edge asks).
// Resource servers hold custom scopes, IDENTIFIER/NAME. App clients'
// AllowedOAuthFlows and AllowedOAuthScopes are checked as AWS does:
// client_credentials needs a secret and goes alone, code and implicit
// need CallbackURLs (InvalidOAuthFlowException), every scope is a
// standard one (openid, email, phone, profile,
// aws.cognito.signin.user.admin) or a resource server's
// (ScopeDoesNotExistException). The domain's endpoints are served by
// OAuthHandler at PREFIX.auth.REGION.localhost, AWS's
// PREFIX.auth.REGION.amazoncognito.com and /_aws/auth/PREFIX/ (the edge
// maps all three to PREFIX.auth.localhost): /oauth2/token
// (client_credentials, authorization_code, refresh_token; the client
// authenticates with HTTP Basic or client_id and client_secret in the
// body; errors are {"error":"invalid_client"} and the like with status
// 400), /oauth2/authorize, a plain sign-in form at /login (a confirmed
// user with their password, through the PreAuthentication and
// PostAuthentication triggers; PreTokenGeneration sees
// TokenGeneration_HostedAuth; a user with a temporary password gets a
// form that sets their own, typed twice and checked against the pool's
// policy, within the NEW_PASSWORD_REQUIRED challenge's session, and is
// then CONFIRMED and signed in), /oauth2/userInfo (the attributes the
// token's scopes and the client's ReadAttributes allow), /oauth2/revoke
// and /logout. Client-credentials access tokens have sub and client_id the
// client id and the granted custom scopes; code-flow tokens carry the
// granted scopes (the ID token only with openid), and refresh tokens
// remember them. Authorization codes live in memory for five minutes,
// are used once, and check redirect_uri and the PKCE verifier. A
// browser that signed in keeps a session on the domain for an hour (the
// cognito cookie; in memory), with which /oauth2/authorize skips the
// form; /logout ends it.
//
// Lambda triggers (triggers.go): PreSignUp (SignUp; autoConfirmUser,
// autoVerifyEmail, autoVerifyPhone), PostConfirmation (ConfirmSignUp,
// AdminConfirmSignUp, ConfirmForgotPassword), PreAuthentication and
// PostAuthentication (password and SRP sign-in) and PreTokenGeneration
// (version 1 events: ID token claims added or suppressed, groups, roles
// and the preferred role overridden) run through Deps.Functions; a failing function is
// UserLambdaValidationException ("PreSignUp failed with error MESSAGE.").
// CUSTOM_AUTH (customauth.go) runs PreAuthentication, then
// DefineAuthChallenge, CreateAuthChallenge and VerifyAuthChallengeResponse
// in rounds until DefineAuthChallenge issues tokens or fails the
// sign-in; each CUSTOM_CHALLENGE gets a new session, which keeps the
// answers so far and the private challenge parameters in memory.
//
// Concurrency: Service.mu serializes read-modify-write of pools, clients,
// users, groups, domains and resource servers and guards sessions, SRP
// challenges, authorization codes, browser sessions and the unsealed
// key cache. It is
// taken by API Gateway's authorizers (IssuerKey, VerifyToken), and released while a Lambda trigger runs, so that the
// function may call Cognito back; it is never held while calling another
// service.
//
// Not supported: USER_AUTH answers InvalidParameterException, and so do
// SRP_A in CUSTOM_AUTH and challenges other than CUSTOM_CHALLENGE named by
// DefineAuthChallenge (PASSWORD_VERIFIER, SMS_MFA); with
// PreventUserExistenceErrors, CUSTOM_AUTH for an unknown user runs the
// challenge triggers with userNotFound but not PreAuthentication; users made before SRP verifiers were kept
// cannot use USER_SRP_AUTH until their password is set again; the
// TIMESTAMP of a PASSWORD_VERIFIER answer is not checked against the
// clock; MFA; the other Lambda triggers (CustomMessage, user migration, custom senders) are stored and not run, PreSignUp does not
// run for AdminCreateUser, and PreTokenGeneration's version 2 (access
// token claims) is not honoured; sending messages (codes and temporary
// passwords are logged); VerifyUserAttribute and
// GetUserAttributeVerificationCode (UpdateUserAttributes marks a changed
// email address or phone number unverified and sends nothing); devices
// and identity providers (federation); a custom domain's A record
// (nothing answers on the made-up distribution); the hosted UI beyond a plain sign-in form
// (no sign-up, password reset, MFA, or required attributes asked for
// on the new-password form, in the browser);
// PKCE's plain method (Cognito takes S256 only); refresh token rotation;
// tag operations beyond UserPoolTags at creation.
package cognitoidp
