// Package apigateway is Amazon API Gateway's REST APIs (version 1;
// restJson1, signing name "apigateway"): the control plane that defines
// APIs, and the data plane that serves their deployed stages at
// http://{apiId}.execute-api.localhost:4566/{stage}/{path}.
//
// # What it owns
//
// REST APIs with their resources, methods, method responses,
// integrations, integration responses and Lambda authorizers (one
// definition per API, edited by the control plane); deployments, each an
// immutable snapshot of a definition; stages, which point at a deployment
// and carry stage variables; tags. All of it is in the store under
// "apigateway" (storage.go) and every change a client is told about is
// committed first. Lambda functions are run through the Functions
// interface (Lambda's InvokeSync, wired by internal/app); the package
// imports no other service.
//
// # Operations
//
// RestApi: Create (cloneFrom included), Get, Gets, Update, Delete, Import
// and Put (OpenAPI 3 or Swagger 2, JSON or YAML; see openapi.go).
// Resource, Method, MethodResponse, Integration, IntegrationResponse,
// Deployment, Stage, Authorizer, Model and RequestValidator: create or
// put, get, list, update (JSON Patch, patch.go) and delete. Models
// (op_models.go) are JSON Schema draft 4 documents, by name, which
// CreateModel and UpdateModel check against the draft's form
// (jsonschema.go); every API CreateRestApi makes starts with AWS's
// default models Empty and Error; a model a method or method response
// names cannot be deleted; GetModelTemplate writes the mapping template
// AWS derives from a model's top-level properties. Request validators
// (op_requestvalidators.go) have names unique in their API. The account's API keys and usage plans,
// with the keys of each plan (op_apikeys.go, op_usageplans.go): create,
// get, list, update and delete. Gateway responses (gatewayresponses.go):
// put, get, list and delete. GetUsage and UpdateUsage of a plan's keys
// (usage.go). The account's client certificates
// (op_clientcertificates.go) and VPC links (op_vpclinks.go, AVAILABLE
// once created), and each API's documentation parts and versions: create,
// get, list, update and delete;
// GetAccount and UpdateAccount (op_account.go), whose CloudWatch role is
// recorded. TagResource, UntagResource, GetTags for
// APIs, stages, client certificates and VPC links. Identifiers look like AWS's: ten lowercase letters and
// digits for APIs and root resources, six for the rest. IAM authorizes the
// control plane by HTTP verb (apigateway:GET, apigateway:POST, ...), as
// AWS does.
//
// # The data plane
//
// Handler(apiID) serves one API; internal/app puts it behind
// apigatewayv2.DataPlane, which owns the execute-api host names that HTTP
// APIs share, and the edge rewrites the path form
// /_aws/execute-api/{apiId}/{stage}/{path} into the host form. The
// README beside this file draws a request's way through a stage. In
// short: the stage's deployment is matched (route.go: literal before
// {variable} before {greedy+}, ANY when the resource lacks the verb, and
// on to less specific resources when the most specific one has no method
// for the request); the method's authorizer runs (authorizer.go, with the
// IAM policy evaluation of policy.go and result caching); then its
// integration: AWS_PROXY to Lambda with the payload format 1.0 event
// (proxy.go; its header names spelled as the client sent them, which
// package headercase remembers); HTTP_PROXY, passing the request through to an endpoint; or
// MOCK, AWS (Lambda without the proxy event, or another service's API
// through AWSServices, which internal/app serves with virga's own
// services) and HTTP, which map the request and the answer with Velocity
// mapping templates (integration.go, mapping.go, package velocity) and
// integration responses chosen by selectionPattern. API Gateway's own
// answers, unless the API's gateway responses customize them, keep AWS's
// statuses, bodies and x-amzn-ErrorType: 403 Missing Authentication
// Token, 403 Forbidden (unknown stage, missing API key), 401
// Unauthorized, 403 AccessDeniedException, 500 AuthorizerConfiguration,
// 502 Internal server error (function error, malformed answer), 504
// Endpoint request timed out (the integration's timeoutInMillis, 29 s by
// default), 429 Too Many Requests (THROTTLED, x-amzn-ErrorType
// TooManyRequestsException) and 429 Limit Exceeded (QUOTA_EXCEEDED,
// LimitExceededException).
//
// # Throttling and quotas
//
// Once a request is authorized (its API key known), it takes a token
// from each token bucket (package throttle) AWS applies, in AWS's order
// (throttling.go): its key's per-method throttle from the usage plan's
// apiStages, the plan's throttle for the key, the stage's method
// settings (the method's own throttlingRateLimit/throttlingBurstLimit
// over "*/*", a bucket per method), and the account's 10,000 requests a
// second with a burst of 5,000, which HTTP APIs share (the app passes
// one bucket to both packages). A setting left unset takes the
// account's value, a negative one throttles nothing, and changed
// settings start a full bucket. Then the request counts against its
// key's quota in the plan (usage.go): DAY, WEEK or MONTH periods from
// midnight UTC, a week starting on the quota's offset as a weekday (0
// Sunday) and a month on its first day plus offset days (kept within
// the month); offset is not subtracted from the first period's limit.
// GetUsage reports each day's [used, remaining] per key of a plan with
// a quota (a plan without one reports no items); UpdateUsage's
// "replace /remaining" sets what is left of the current period.
//
// Counts are kept in memory, a record and a lock per key and plan, so a
// request writes nothing to the store; Run writes the records that
// changed every five seconds (one batch) and Close writes them when
// virga stops, so a crash forgets at most the last five seconds of
// requests. UpdateUsage writes at once. The buckets themselves are not
// stored: a restart starts them full, as their state is seconds long.
//
// # CORS and SAM
//
// SAM's Cors property (for a CloudFormation engine to come) becomes, for
// every path, an OPTIONS method with authorizationType NONE, a method
// response 200 declaring the Access-Control-Allow-Headers, -Methods and
// -Origin headers, and a MOCK integration whose application/json request
// template sets statusCode 200 and whose default integration response
// 200 maps those headers to quoted static values ("'*'") with an
// application/json response template of "{}". SAM writes that into
// the API's OpenAPI body (DefinitionBody), so ImportRestApi or PutRestApi
// with it is all it takes; this package serves it as AWS does. Lambda
// proxy responses must carry their own Access-Control-Allow-Origin.
//
// # Test invocations
//
// TestInvokeMethod (op_testinvoke.go) runs one method of the API as it is
// defined now, deployed or not, on the stage "test-invoke-stage": the
// method is the resource's, the path (the resource's own by default)
// gives the path parameters when it is one of the resource's, and the
// call's headers, body and stage variables stand for the request's. It
// skips the method's authorization, API key and throttling, validates
// and integrates as a stage does, and answers the method's status, body
// and headers with the execution log of every line, data included, as
// the console shows it ("Execution log for request ID", then each line
// after its time), and the latency in milliseconds.
//
// # Tracing
//
// A stage with TracingEnabled traces each request whose X-Amzn-Trace-Id
// says Sampled=1 and, when the header says nothing of sampling, each the
// account's X-Ray sampling rules sample (ServiceName API/stage,
// ServiceType AWS::ApiGateway::Stage; by default the first request each
// second, then 5%); one they do not is passed on with Sampled=0
// (tracing.go). A traced request's integration receives the trace
// header with the stage's segment as Parent, and after the answer the
// stage's segment (named API/stage, origin AWS::ApiGateway::Stage, with
// the request, the response status and the aws:api_id and aws:api_stage
// annotations) goes to X-Ray's asynchronous writer. The segment has no
// subsegment for the integration call.
//
// # Locks
//
// Service.mu guards the APIs, their deployments and stages; control plane
// handlers hold it across their commits, and replace what they change,
// so the data plane reads a stage's deployment under the read lock and
// serves it unlocked. authCache.mu is taken alone, never with Service.mu.
// The throttle buckets synchronize themselves (atomics, sync.Map); a
// quota record's lock is taken alone by the data plane, and under
// Service.mu's read lock by GetUsage and UpdateUsage.
//
// # Not supported yet
//
// Integrations through VPC links (connectionType VPC_LINK): the links
// are recorded, not routed through; contentHandling (binary conversions) in mapping templates;
// AWS integrations with services virga does not have (Step Functions,
// Kinesis, S3) answer 500 Internal server error. AWS_IAM
// methods require a SigV4 Authorization header, whose signer (by its
// access key) fills requestContext.identity and $context.identity in
// every mode (Deps.Identify); only with --auth iam
// (EnforcePolicies, iampolicy.go) is it verified and execute-api:Invoke
// decided, from the signer's identity policies and the resource policy
// the stage's deployment carries, which then also holds methods without
// authorization to what it allows Principal "*". It holds methods with
// authorizers as AWS's authorization workflow says: for a Lambda
// authorizer an explicit Deny in it refuses the request before the
// authorizer runs, and otherwise the authorizer's policy decides, its
// Allow being enough and its Deny winning, with the resource policy's
// Allow enough when the authorizer's policy says neither; for a
// Cognito authorizer, once the token holds, the resource policy must
// allow the (anonymous) caller. Both answer 403 AccessDeniedException
// {"Message":"User: anonymous is not authorized to perform:
// execute-api:Invoke on resource: ARN"}, " with an explicit deny"
// appended when a Deny decided. A resource policy is saved (CreateRestApi,
// UpdateRestApi, an imported x-amazon-apigateway-policy) with its short
// resources, execute-api:/STAGE/VERB/PATH, expanded to the API's ARNs,
// as API Gateway saves it.
// COGNITO_USER_POOLS methods take a token of one of the authorizer's
// ProviderARNs pools (virga's Cognito user pools, through
// Deps.UserPools) from its identity source (Authorization by default):
// an ID token, or an access token with one of the method's
// authorizationScopes; its claims reach the integration as
// requestContext.authorizer.claims, every value a string. Anything else
// is 401 Unauthorized (userpools.go). A method
// that requires an API key takes an enabled key of a usage plan that
// names its stage, and answers 403 Forbidden otherwise. GetUsage's and
// UpdateUsage's errors for bad dates or a plan without a quota are
// BadRequestException in virga's words, AWS's not being known. Gateway
// responses map static values, request
// headers, query strings, path parameters and stage variables into
// headers, but not $context variables. Request validators check required
// parameters and bodies against their JSON Schema draft 4 models
// (requestvalidation.go, jsonschema.go), as the stage's deployment holds
// them. GetModelTemplate renders nested objects and arrays as the
// request has them rather than member by member. Custom domain names and their base path mappings
// (op_domainnames.go) are shared with API Gateway version 2's domain
// names and API mappings (domains.go), reported with the DNS targets AWS
// would give them, and route requests whose Host names them
// (apigatewayv2.DomainPlane); CreateBasePathMapping maps a domain's root
// only alone, as AWS does; their version 1 Update operations are not
// implemented. GetExport (export.go) writes the API a stage's
// deployment holds as an OpenAPI 3.0 (oas30) or Swagger 2.0 (swagger)
// document, JSON or YAML by its Accept header, with the extensions its
// parameters ask for (integrations, authorizers, apigateway); postman adds
// nothing. Canary settings and caching are not implemented;
// documentation parts and versions (op_documentation.go) are kept, a
// version put on a stage by CreateDocumentationVersion's stageName, but
// GetExport does not write them and ImportDocumentationParts is not
// implemented; client certificates are made and kept, but HTTP
// integrations do not present them to their endpoints. Execution logs are: a stage whose
// method settings set LoggingLevel INFO (every request) or ERROR
// (requests answered 4xx or 5xx) writes the lines of each request that
// matched a method, "(requestId) ..." as AWS words them, to
// API-Gateway-Execution-Logs_{restApiId}/{stageName}, the request's and
// response's data only with DataTraceEnabled, lines cut after 1,024
// bytes (executionlog.go; service integrations' endpoint request lines
// are not written). Access logs are: a stage whose
// accessLogSettings name a CloudWatch Logs group writes each request's
// line, its format's $context variables replaced ("-" for those without
// a value), to one stream of that group (accesslog.go, package
// accesslog); a Firehose destination writes nothing. Authorizer
// policies' Conditions are not evaluated. With --auth iam a Lambda
// integration's or authorizer's function must allow
// apigateway.amazonaws.com for the method
// (execute-api:API/STAGE/VERB/PATH, VERB "*" for ANY) or the authorizer
// (API/authorizers/ID) in its policy (Deps.Permitted, the same check
// HTTP APIs make), or the request answers 500, as on AWS; an
// integration with credentials (an authorizer with
// authorizerCredentials) invokes as that role instead, which must trust
// apigateway.amazonaws.com and allow lambda:InvokeFunction; credentials
// arn:aws:iam::*:user/* (the caller's own) are not checked. The
// execution log line AWS writes then is not. Header names reach functions in
// Go's canonical form (x-custom arrives as X-Custom), since net/http does
// not keep the case a client sent.
package apigateway
