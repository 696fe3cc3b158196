// Package apigatewayv2 is Amazon API Gateway's HTTP APIs: the control
// plane (the apigatewayv2 operations, restJson1 under /v2/, signed as
// "apigateway" like the REST APIs of package apigateway, which the edge
// tells apart by path) and the data plane that serves the APIs' stages at
// http://ID.execute-api.localhost:PORT/ (or
// http://127.0.0.1:PORT/_aws/execute-api/ID/). See README.md beside this
// file for the path of a request through the data plane.
//
// # What it owns
//
// HTTP APIs with their routes, integrations, authorizers, stages,
// deployments and tags, in the store under "apigatewayv2/" (storage.go):
// one record per API, and one snapshot per deployment. The data plane
// serves a stage from its deployment's snapshot, so a change reaches
// clients when it is deployed: by CreateDeployment, or at once on stages
// with AutoDeploy, which get a new deployment in the same commit as the
// change. Quick create (CreateApi with Target) makes an integration, a
// route (RouteKey, $default by default) and the auto-deploying $default
// stage, all marked ApiGatewayManaged.
//
// It does not run functions: Lambda proxy integrations and Lambda
// authorizers go through the Functions interface (the lambda service in
// the app). With --auth iam, Deps.Permitted decides whether API Gateway
// may invoke an HTTP API's function, as it does for REST APIs: the
// function's policy must allow apigateway.amazonaws.com with
// aws:SourceArn arn:aws:execute-api:REGION:ACCOUNT:API/STAGE/METHOD/PATH
// (the route key's method, "*" for ANY, and path; API/STAGE/$default
// for the $default route) for an integration, or API/authorizers/ID for
// a Lambda authorizer; an integration with CredentialsArn (an
// authorizer with AuthorizerCredentialsArn) invokes as that role
// instead, which must trust apigateway.amazonaws.com and allow
// lambda:InvokeFunction. Otherwise the client gets 500 {"message":
// "Internal Server Error"}, and the access log's
// $context.integrationErrorMessage AWS's reason. WebSocket APIs'
// integrations are not checked.
//
// Function URLs (functionurl.go) hold their function's resource-based
// policy in every auth mode: a URL with AuthType NONE answers only when
// the policy allows Principal "*" both lambda:InvokeFunctionUrl (with
// lambda:FunctionUrlAuthType NONE) and lambda:InvokeFunction (with
// lambda:InvokedViaFunctionUrl true), as AWS requires of URLs since
// October 2025 (Deps.URLPolicy); otherwise it is 403 {"Message":
// "Forbidden. ..."}. An AWS_IAM URL's signer needs the same two actions
// only with --auth iam (EnforcePolicies).
//
// # The data plane
//
// A request picks its stage (a named stage by the path's first segment,
// else $default), is answered from the CORS configuration if it is a
// preflight, matches a route (exact paths over {variables} over greedy
// {proxy+}; a method over ANY; $default last), passes the route's
// authorizer (Lambda REQUEST authorizers with payload 1.0 or 2.0, simple
// or IAM policy responses, cached by identity sources for their TTL; JWT
// authorizers, with keys from the issuer's OpenID configuration, or, for
// an issuer that is one of virga's Cognito user pools
// (https://cognito-idp.REGION.amazonaws.com/POOL_ID), from the pool
// itself through Deps.Issuers, without the network), and
// reaches its integration: AWS_PROXY to a Lambda function with the 1.0 or
// 2.0 event, or HTTP_PROXY to a URL. API Gateway's own answers are
// {"message": "..."}: 404 Not Found (no stage, route or integration), 401
// Unauthorized (an identity source missing, a bad JWT), 403 Forbidden (an
// authorizer said no), 413 (a body over 10 MB), 500 Internal Server Error
// (the function failed or answered what API Gateway cannot read) and 503
// Service Unavailable (the integration's timeout passed). Every response
// carries apigw-requestid, which is also the events' requestId. A Lambda
// proxy response that names no Content-Type gets text/plain;
// charset=utf-8. A stage's DefaultRouteSettings and RouteSettings
// throttle its routes, each route with a token bucket of its own (the
// route's settings over the default ones, an unset one taking the
// account's value), and the account's bucket (10,000 requests a second,
// burst 5,000), shared with REST APIs, throttles every request
// (throttling.go): 429 {"message":"Too Many Requests"}. A stage with AccessLogSettings naming a log group
// writes each request's line in its format to that group (accesslog.go,
// package accesslog), in one stream per stage, with "-" for variables
// that have no value.
//
// REST APIs share the execute-api host names: DataPlane dispatches on the
// API id, to this package's APIs first and then to the REST APIs'
// handler the app passes in.
//
// # WebSocket APIs
//
// CreateApi with ProtocolType WEBSOCKET makes an API whose stages are
// served at ws://ID.execute-api.localhost:PORT/STAGE (and
// ws://127.0.0.1:PORT/_aws/execute-api/ID/STAGE). Its routes are
// $connect, $disconnect, $default and the values of its route selection
// expression ($request.body.NAME); their integrations are Lambda proxy
// integrations, which get AWS's WebSocket event (eventType CONNECT,
// MESSAGE or DISCONNECT), MOCK integrations, or AWS integrations that call
// a service's API through request and response mapping templates, run by
// REST APIs' mechanism (wsaws.go). The $connect route runs
// before the handshake is answered: a status other than 2xx refuses the
// connection with that status (502 when the function failed). A text
// message goes to the route its route selection expression picks, else
// $default, else the client is told {"message": "Forbidden", ...}; the
// function's body goes back to the client when the route has a route
// response (two-way). $disconnect runs after the connection is gone.
// AWS's limits hold: frames of 32 KB, messages of 128 KB (close code
// 1009), no binary frames (1003), 10 minutes idle and 2 hours in all
// (1001; Deps makes both shorter for tests). A stage's
// DefaultRouteSettings and RouteSettings throttle WebSocket routes as
// they do HTTP APIs' (throttling.go), with the account's bucket: the
// handshake counts as $connect and is answered 429 {"message":"Too Many
// Requests"} over its limits, before $connect's integration runs; a
// message counts as the route it selects and, over its limits, is not
// integrated and the client is told {"message": "Too Many Requests",
// "connectionId": ..., "requestId": ...}. AWS documents the 429 and the
// token buckets for WebSocket APIs; the message's wording follows the
// Forbidden and Internal server error messages and is not sourced.
// Models (op_models.go) are a WebSocket API's JSON schemas, named by
// routes' RequestModels and route responses' ResponseModels; names are
// not checked against them, since templates create and delete a route
// and the model it names in either order, and GetModelTemplate generates
// a template copying a top-level object's properties. A route with a
// model selection expression validates each message against the model it
// selects (RequestModels by the expression's value, else $default) with
// REST APIs' JSON schema validator; a message that fails, or selects no
// model, is not integrated and the client is told {"message": "Invalid
// request body", ...}. Backends reach clients with
// the @connections API at /STAGE/@connections/ID on the same host
// (wsconnections.go), signed for execute-api. A function finds it as on
// AWS, at https://{requestContext.domainName}/{requestContext.stage}:
// a connection's domainName is ID.execute-api.localhost:PORT, PORT being
// the one the connection came in on (AWS's is
// ID.execute-api.REGION.amazonaws.com, on 443), however the client
// addressed the API; the edge answers TLS on that port (package
// localtls), and Deps.HostNames gives every API's name to the function
// sandboxes' /etc/hosts. $AWS_ENDPOINT_URL/_aws/execute-api/ID/STAGE
// reaches it too.
//
// # AWS service integrations and OpenAPI import
//
// An AWS_PROXY integration with an IntegrationSubtype calls an AWS service
// with parameters mapped from the request (service_integration.go):
// SQS-SendMessage, -ReceiveMessage, -DeleteMessage, -PurgeQueue,
// EventBridge-PutEvents, Kinesis-PutRecord (Data is the record's blob
// base64-encoded, as Kinesis's JSON API carries it) and
// StepFunctions-StartExecution, -StartSyncExecution and -StopExecution,
// through Services, which internal/app serves with
// virga's own services in process. SQS's subtypes answer SQS's response
// as its awsQuery protocol writes it (<SendMessageResponse>... XML,
// text/xml), which API Gateway relays; the others their output as JSON. ImportApi and ReimportApi build an API
// from an OpenAPI 3 document with API Gateway's extensions (op_import.go);
// ExportApi writes an HTTP API, or a stage's deployment, as such a
// document (op_export.go), which imports back to the same API.
//
// # Not supported yet
//
// For WebSocket APIs: Lambda authorizers, HTTP integrations, mapping
// templates of MOCK integrations (one answers its integration response's
// template as written), request parameters other than an AWS
// integration's constant headers, and API keys. IAM policies for
// routes (an AWS_IAM route, or function URL, requires a SigV4-signed
// request and passes its signer to the function, as
// requestContext.authorizer.iam in 2.0 events and requestContext.identity
// in 1.0 events, but does not check the signature against IAM), service integrations with services
// virga does not have (AppConfig-GetConfiguration), private
// integrations with AWS Cloud Map services, private integrations of
// WebSocket APIs, request parameter mapping for Lambda
// integrations (HTTP_PROXY and service integrations take it, and responses
// of all of them: parameter_mapping.go), and mutual TLS.
// Their operations and
// parameters answer NotImplementedException (501).
//
// # VPC links and private integrations
//
// VPC links (op_vpclinks.go, VpcLinkVersion V2) are kept in the store
// beside the APIs, tagged by arn:aws:apigateway:REGION::/vpclinks/ID. A
// link's subnets and security groups must be ones EC2 keeps (through
// vpcref; another is BadRequestException with EC2's message for it).
// CreateVpcLink answers PENDING, as AWS does while it provisions network
// interfaces; virga has none to provision, and the link is AVAILABLE
// from then on. A link an integration uses is not deleted
// (ConflictException, in virga's words).
//
// A private integration (private.go) is an HTTP_PROXY integration with
// ConnectionType VPC_LINK, ConnectionId a VPC link of this account and
// IntegrationUri a load balancer listener's ARN (anything else is
// BadRequestException; a Cloud Map service's ARN NotImplementedException;
// the listener is not looked up until a request). Its request goes to
// the listener in process, through Deps.Listeners (the elbv2 service),
// as the load balancer would receive it on its port: an Application
// Load Balancer's rules choose the action, and a forward gets
// X-Forwarded-For, -Proto and -Port; a Network Load Balancer's TCP
// listener passes the request as it is to its next target. The
// request keeps the client's Host header and the path as the client
// sent it, with a named stage's name (AWS's documented behaviour:
// overwrite:path to $request.path leaves it out), and takes request and
// response parameter mappings as other HTTP proxy integrations do. The
// load balancer's own answers (503 with no target, 502, 504) come back
// as they are; a listener that is gone, a Network Load Balancer's with
// no target or whose target refuses, or a UDP one, is 500
// {"message":"Internal Server Error"}. TlsConfig's ServerNameToVerify is
// kept and returned; as virga's listeners terminate no TLS, no
// certificate is verified.
//
// # Custom domain names
//
// Domain names and API mappings (op_domainnames.go) are kept by the REST
// API service, which shares them with its own domain names and base path
// mappings, as on AWS. DomainPlane serves a request whose Host is a
// custom domain: the mapping whose key is the longest whole-segment
// prefix of the path (else the root mapping) names an API and stage,
// which serve the path below the key; a path no mapping takes is 403
// {"message":"Forbidden"}. The request carries apigateway.DomainRequest,
// so events show the domain as requestContext.domainName (its first
// label as domainPrefix) and the path as the client sent it, and an API
// whose execute-api endpoint is disabled still serves it.
//
// # Concurrency
//
// Service.mu guards the APIs and the compiled deployments. Operations
// hold it across their store commit; records are replaced, never changed
// in place, so the data plane reads one under RLock and uses it after
// unlocking. The authorizer cache and the JWKS cache have locks of their
// own, taken without Service.mu held.
package apigatewayv2
