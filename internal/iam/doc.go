// Package iam is AWS Identity and Access Management over awsQuery
// (Version 2010-05-08): roles with their trust policies, tags and inline
// policies; customer managed policies with their versions; a catalogue
// of the AWS managed policies serverless applications attach; users with
// their access keys, tags and policies; groups with their members and
// policies; and instance profiles.
//
// # What it owns
//
// Every IAM entity, in the store under "iam/" (see store.go). IAM is
// global: its ARNs name no region (arn:aws:iam::ACCOUNT:role/PATH/NAME).
// Names are unique in the account whatever their case, as on AWS. Policy
// documents are kept as the caller wrote them and returned URL-encoded
// (RFC 3986), as IAM returns them; the aws CLI and boto3 decode them.
//
// Access keys CreateAccessKey issues sign requests like any other
// (credentials.go): internal/app puts LookupCredential before STS's in
// the edge's credential sources, and with --auth sigv4 a request signed
// with an active key is the user's (GetCallerIdentity answers the user's
// ARN); an inactive one is refused. GetUser without a name, signed with
// any other long-term key, answers the account's root user, whose
// CreateDate is the account's creation date: the time IAM was first asked
// for it, stored then and unchanged afterwards.
//
// # Enforcement (--auth iam)
//
// Authorizer (authorize.go) decides every AWS API call the edge serves
// with --auth iam, with the evaluator in package policy: the configured
// keys are the account root's and may do anything; a user is held to its
// inline and attached policies, its groups' and its permissions boundary;
// a role session (assumed-role ARN) to its role's policies and boundary
// and the session policies STS kept with it; a federated user
// (GetFederationToken) to the policies of the user that asked for it
// (everything, for the root's) and its session policies, which must
// allow too, so that one without any may do nothing. The called service names the
// resources (awsproto.Service.Resources) and their resource-based
// policies (ResourcePolicy). AllowsService decides the calls services
// make to each other for one of their resources (SNS to a queue or
// function, EventBridge, S3 and API Gateway to a function, queue or topic), which
// internal/app checks where it delivers them: only the target's
// resource-based policy counts, and it must allow the sending service's
// principal, with aws:SourceArn and aws:SourceAccount in the context.
// AllowsFederated decides, on a role's trust policy alone, whether a web
// identity of a federated provider may assume it (Cognito identity
// pools' GetCredentialsForIdentity, with the identity's
// cognito-identity.amazonaws.com:aud, :sub and :amr in the context; STS's
// AssumeRoleWithWebIdentity, with an OpenID Connect provider's ARN and
// its ISSUER:aud, :sub and :amr).
// ECR's registry (docker push and pull) calls Authorize too, for the
// principal its token names (see internal/ecr). AuthorizeCaller decides
// the data planes' requests (function URLs, HTTP API routes and REST
// API methods with AWS_IAM, REST API methods under a resource policy)
// for the signer, or for an anonymous caller whom only a resource policy
// naming Principal "*" allows; and AuthorizeRole a call made as a
// session of a role a service was given (a schedule's or rule target's
// RoleArn, a function's execution role, a state machine's role, and what
// ECS's agent does with a task's execution role: pulls, secrets,
// environment files and awslogs, see internal/ecs; internal/app's
// roleSessions also checks, with AllowsService on STS's trust policies,
// that the sending service may assume the role). The same trust check
// (deliver.Trust) runs where AWS makes it when a role is given:
// Lambda's CreateFunction and UpdateFunctionConfiguration, Step
// Functions' CreateStateMachine and UpdateStateMachine, Scheduler's
// CreateSchedule and UpdateSchedule, each refusing a role that does not
// exist or does not trust the service in that service's words. RoleSession is the
// caller such a session is, for services that call each other in
// process as one (awsproto.CallOptions' Authorizer: Step Functions'
// optimized integrations). A denial is the called service's AccessDenied
// (awsproto.Service.AccessDenied: SNS's AuthorizationError, S3's and the
// awsQuery services' 403 AccessDenied, the JSON services'
// AccessDeniedException) in IAM's words, "User: P is not authorized to
// perform: A on resource: R because no T allows the A action", with A
// and R spelt as each service spells them (policy.Worded: SQS's action
// in lower case, SNS's prefix "SNS", S3's resource in quotes) and a call
// on no particular resource named as that service names it (Lambda's
// "*", DynamoDB ListTables' "table/*"; none at all for S3's
// ListAllMyBuckets and the services not in Worded's table). Parsed policies are cached per caller and
// dropped whenever a commit bumps Service.gen, so a change is in force
// for the next call. TrustPolicy gives STS a role's trust policy.
//
// # Console passwords and MFA
//
// A login profile (op_login_profiles.go) records that a user has a
// console password and whether it must be reset; the password itself is
// checked against the request's constraints and then forgotten (virga
// has no console sign-in, and no account password policy to hold it
// to). A virtual MFA device (op_mfa.go) keeps its TOTP secret, which
// CreateVirtualMFADevice answers as Base32StringSeed; QRCodePNG is
// never answered, so the aws CLI's --bootstrap-method QRCodePNG writes
// no file. EnableMFADevice checks the two codes as RFC 6238 consecutive
// codes of the secret (30-second steps, six digits, the first within ten
// steps before now), and assigns the device in the same commit as the
// user. DeleteUser refuses while a login profile or an MFA device
// remains, DeleteVirtualMFADevice while the device is assigned.
// GetAccountSummary counts the store's entities next to IAM's default
// quotas. GetAccountAuthorizationDetails answers users, groups, roles and
// managed policies with what they hold; of the AWS managed policies, only
// those attached to something (AWS's catalogue is not virga's), and its
// marker is the index of the next entity.
//
// # Policy simulation
//
// SimulatePrincipalPolicy and SimulateCustomPolicy (op_simulate.go)
// weigh every action on every resource with policy.Explain, the
// evaluator Authorize uses, so that the simulator answers what --auth
// iam does: a user's inline, attached and group policies, a group's or
// a role's, the permissions boundary (replaced by
// PermissionsBoundaryPolicyInputList when given), the documents of
// PolicyInputList and the ResourcePolicy, with only the ContextEntries
// in the request context. MatchedStatements name inline policies by
// name (type user, group or role), managed ones by name (aws-managed or
// user-managed) and given documents as PolicyInputList.N (none) and
// ResourcePolicy (resource), with each statement's position just past
// its opening and closing braces, as AWS counts them. With ResourceArns
// there is one result per action and resource, each with its
// ResourceSpecificResults. Results page by their index. Not simulated:
// ResourceOwner, ResourceHandlingOption (EC2's scenarios) and
// Organizations' policies.
//
// # Invariants
//
// A role, user or group record carries its inline policies and the ARNs
// of the managed policies attached to it, and a group record the names of
// its members, so that one commit changes an entity and all it owns;
// attachment counts and the groups a user is in are derived from those
// records, never stored. A user in a group cannot be deleted, so a group's
// members always exist. Every change a client is told about is committed before the
// answer.
//
// # Limits
//
// Policy sizes are held to IAM's quotas, counted in characters without
// white space (LimitExceeded, 409, otherwise): 6,144 for a managed
// policy version, 2,048 for a role's trust policy, and, for all of an
// identity's inline policies together, 2,048 (user), 10,240 (role) and
// 5,120 (group).
//
// # Locks
//
// Service.mu serializes changes: each holds it from reading the records it
// changes to committing them. Reads take no lock. The authorizer's cache
// takes none either: an entry records Service.gen as it was before its
// records were read, and commit bumps gen after the batch is written, so
// an entry read before a change is never taken for current after it.
//
// # OpenID Connect providers
//
// CreateOpenIDConnectProvider and its operations keep a provider by its
// issuer (the Url without https://, unique in the account; its ARN is
// arn:aws:iam::ACCOUNT:oidc-provider/HOST/PATH) with its client ids,
// thumbprints and tags (op_oidc_providers.go). STS's
// AssumeRoleWithWebIdentity accepts the tokens of a provider's issuer
// for its client ids (OpenIDConnectProvider); thumbprints are kept but
// not checked, as virga fetches no issuer's keys.
//
// # Service-linked roles
//
// CreateServiceLinkedRole makes AWSServiceRoleForNAME (NAME from the
// table in op_service_linked_roles.go, _SUFFIX with CustomSuffix) under
// /aws-service-role/SERVICE/, trusting the service; DeleteRole refuses
// it with UnmodifiableEntity, and DeleteServiceLinkedRole deletes it at
// once, its task answering SUCCEEDED. A service not in the table is
// refused with InvalidInput. virga's services neither need nor make
// them.
//
// # Not supported yet
//
// Policies are enforced only with --auth iam (see above), and there
// on calls made to the edge, on the service-to-service deliveries above,
// on the sends services make as a role they were given (EventBridge
// Scheduler's targets and dead-letter queues; EventBridge targets with a
// RoleArn that AWS reaches by role: state machines and event buses;
// event source mappings, which Lambda checks at
// CreateEventSourceMapping and polls as the function's execution role;
// Lambda destinations and dead-letter queues; Step Functions' tasks:
// functions, child executions and optimized integrations),
// on function URLs (lambda:InvokeFunctionUrl; the lambda:InvokeFunction
// AWS also requires of URLs created since October 2025 is not, as
// AddPermission here cannot express lambda:InvokedViaFunctionUrl) and
// on HTTP API routes with AWS_IAM (execute-api:Invoke from identity
// policies), on REST API methods with AWS_IAM (identity policies and the
// API's resource policy, which also holds methods with a Lambda or
// Cognito authorizer as AWS's workflow says; see internal/apigateway),
// on API Gateway's invocation of a REST or HTTP API's Lambda
// integrations and authorizers (the function's policy for
// apigateway.amazonaws.com, or the integration's credentials role), on ECS tasks'
// execution roles and on Lambda's read of an image function's
// repository (the repository policy must allow lambda.amazonaws.com;
// see internal/lambda). Not authorized as their role yet: EventBridge
// API destinations (events:InvokeApiDestination), ECS tasks' and
// scheduled tasks' roles as EventBridge targets, CloudFormation's
// service role, the trust of a rule target's RoleArn at PutTargets
// (checked when an event is delivered), nor WebSocket APIs' Lambda
// integrations. Service control policies
// do not exist, and services do not use service-linked roles. X-Ray, SES v2 and the
// operations AWS gives no resource-level permissions are authorized on
// "*"; so are CreateLoadBalancer and CreateTargetGroup (their ARN is
// not known before the call), and RunTask with a task definition named
// by family alone is authorized on task-definition/FAMILY, without the
// revision AWS resolves. A denial names the ARN it was decided on,
// except Secrets Manager's, which names the SecretId as the request gave
// it (awsproto.Service.DeniedResource), as AWS does; a service not in
// policy.Worded's table names a call on "*" without " on resource",
// which may not be how AWS words it (Scheduler's ListSchedules names a
// scheduler ARN on AWS; Kinesis, ELB and SES listings are unverified).
// An AWS managed policy without a
// document here grants nothing when enforced, except
// AWSLambdaSQSQueueExecutionRole and AWSLambdaKinesisExecutionRole, which
// grant what Lambda's documentation says an event source mapping's
// poller needs (their queue or stream reads and CloudWatch Logs writes),
// so that the roles SAM makes for SQS and Kinesis events work, and the
// FullAccess policies of SQS, SNS, DynamoDB, S3 and CloudWatch Logs
// (every action of their service), AWSLambdaRole (lambda:InvokeFunction)
// and AWSXrayWriteOnlyAccess (X-Ray's writes), which templates attach to
// their functions by name. An AWS
// managed policy ARN outside the catalogue in awspolicies.go is taken to
// name an existing policy (AWS has over a thousand; a misspelt one is
// therefore accepted here and refused by AWS); of those in the catalogue, only the documents of AWSLambdaBasicExecutionRole,
// AWSLambdaDynamoDBExecutionRole, AdministratorAccess and PowerUserAccess are carried, and GetPolicyVersion on
// the others answers NotImplementedException. Not in the operation table,
// so the edge answers InvalidAction: hardware MFA devices (ResyncMFADevice,
// TagMFADevice), ChangePassword, SAML providers,
// server and signing certificates, SSH public keys, service-specific
// credentials, account aliases and password policy, credential reports,
// access advisor, GetContextKeysFor*Policy,
// UpdateUser (renaming users), tagging of instance profiles, and role
// last-used tracking (RoleLastUsed is always empty).
//
// Listings page by name and their marker is the last name answered: a
// marker naming an item deleted since continues after where it stood.
// ListAttachedRolePolicies, ListAttachedUserPolicies,
// ListAttachedGroupPolicies and ListPolicyVersions, which page in
// attachment or version order, start again from the first item when the
// marker no longer names one.
package iam
