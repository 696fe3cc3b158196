// Package sam is the AWS::Serverless-2016-10-31 transform: it turns a
// template written with the AWS Serverless Application Model (SAM) into
// the plain CloudFormation template it stands for, as AWS's translator
// does when CloudFormation processes the transform. It is written from
// the SAM specification (the developer guide's resource, event source,
// Globals, policy template and generated-resource pages), not from the
// translator's code.
//
// # What it owns and what it must not do
//
// The package is pure: a tree in (template.Template.Tree), a tree out,
// with the warnings about what was skipped. It calls no AWS API, reads
// no file and keeps no state; packaging local code is the caller's
// business, through Options.Code, Options.LayerContent and
// Options.Definition. The input tree is never modified and the output
// shares no node with it. Output is deterministic: the same input gives
// the same tree, hashes included.
//
// # What it does
//
// Globals (Function, Api, HttpApi, SimpleTable, StateMachine,
// LayerVersion) are merged into every resource of their type, implicit
// APIs included; a section may set only the properties SAM lets Globals
// set (a state machine's PropagateTags alone, a layer's
// PublishLambdaVersion alone, a function's code only as CodeUri). A
// WebSocketApi section is checked the same way, though an
// AWS::Serverless::WebSocketApi is refused. A resource's scalar
// replaces the global one, maps merge key by key with the resource
// winning, and lists are the global entries followed by the resource's
// (Architectures excepted: the resource's replaces it).
//
//	AWS::Serverless::Function   FUNCTION (AWS::Lambda::Function)
//	                            FUNCTIONRole unless Role is given
//	                            FUNCTIONVersionHASH, FUNCTIONAliasNAME (AutoPublishAlias)
//	                            FUNCTIONEventInvokeConfig (and FUNCTIONEventInvokeConfigOnSuccessQueue,
//	                            ...OnFailureTopic for destinations it creates), FUNCTIONUrl,
//	                            FUNCTIONUrlPublicPermissions, FUNCTIONURLInvokeAllowPublicAccess
//	  event Api                 operation in the REST API's generated document (a document
//	                            the template wrote is left as it is), FUNCTIONEVENTPermissionSTAGE
//	  event HttpApi             route of the HTTP API, FUNCTIONEVENTPermission
//	  event SQS, DynamoDB,
//	  Kinesis                   FUNCTIONEVENT (AWS::Lambda::EventSourceMapping)
//	  event SNS                 FUNCTIONEVENT (AWS::SNS::Subscription), FUNCTIONEVENTPermission
//	  event Schedule,
//	  EventBridgeRule,
//	  CloudWatchEvent           FUNCTIONEVENT (AWS::Events::Rule), FUNCTIONEVENTPermission
//	  event ScheduleV2          FUNCTIONEVENT (AWS::Scheduler::Schedule), FUNCTIONEVENTRole
//	  event CloudWatchLogs      FUNCTIONEVENT (AWS::Logs::SubscriptionFilter), FUNCTIONEVENTPermission
//	  event S3                  FUNCTIONEVENTPermission; the template's bucket gets the
//	                            LambdaConfigurations and depends on the permission
//	  event Cognito             FUNCTIONCognitoPermission (one per function); the
//	                            template's user pool gets the trigger in its LambdaConfig
//	AWS::Serverless::Api        API (RestApi with an OpenAPI Body), APIDeploymentHASH, APISTAGEStage
//	                            (APIStageHASH when STAGE is not alphanumeric, APIStage when
//	                            StageName is an intrinsic function)
//	  Auth.UsagePlan            APIUsagePlan, APIApiKey, APIUsagePlanKey (PER_API), or
//	                            ServerlessUsagePlan, ServerlessApiKey, ServerlessUsagePlanKey (SHARED)
//	  Auth.ResourcePolicy       the Body's x-amazon-apigateway-policy (as an event's Auth.ResourcePolicy)
//	(implicit)                  ServerlessRestApi, ServerlessRestApiDeploymentHASH, ServerlessRestApiProdStage
//	AWS::Serverless::HttpApi    API (AWS::ApiGatewayV2::Api), APIApiGatewayDefaultStage or APISTAGEStage
//	(implicit)                  ServerlessHttpApi, ServerlessHttpApiApiGatewayDefaultStage
//	AWS::Serverless::SimpleTable  TABLE (AWS::DynamoDB::Table)
//	AWS::Serverless::LayerVersion LAYERHASH (AWS::Lambda::LayerVersion)
//	AWS::Serverless::Connector  CONNECTORPolicy (AWS::IAM::ManagedPolicy on the source's role),
//	(and Connectors attributes) or CONNECTORWriteLambdaPermission, CONNECTORQueuePolicy,
//	                            CONNECTORTopicPolicy for sources without a role
//
// A layer with PublishLambdaVersion makes the functions that use it
// with AutoPublishAliasAllProperties publish a new version when the
// layer changes: their version's digest takes in the layer's properties
// and its hashed logical ID.
//
// HASH is the first ten hexadecimal digits of a SHA-1 of what the
// resource is made from (the API's document, the function's code, the
// layer's content), so that a change makes a new deployment or version.
// The digests cannot equal AWS's, which hash SAM's own serialisation;
// only their form and their stability are kept.
//
// An HTTP API without a document of the template's is written as
// resources (Integration and Route per event, Authorizer per authorizer)
// rather than as a generated document, because virga's API Gateway v2
// does not import OpenAPI; see httpapi.go.
//
// SAM's referenceable properties work in Ref, Fn::GetAtt and Fn::Sub:
// FUNCTION.Alias, FUNCTION.Version, FUNCTION.DestinationQueue,
// FUNCTION.DestinationTopic, API.Stage, API.Deployment. References to a
// layer follow its hashed logical ID.
//
// AWS::Serverless::StateMachine becomes an
// AWS::StepFunctions::StateMachine with the same logical ID and, unless
// Role is given, a role ID+"Role" that states.amazonaws.com assumes with
// the Policies (statemachine.go). Its events start executions: Schedule
// and EventBridgeRule (or CloudWatchEvent) become AWS::Events::Rule
// resources ID+EVENT, ScheduleV2 an AWS::Scheduler::Schedule, and Api a
// method of the REST API whose AWS integration calls StartExecution with
// the request body as input; each gets a role ID+EVENT+"Role" allowed
// states:StartExecution, unless the event names one. An inline
// Definition becomes DefinitionString, as AWS's translator renders it:
// the definition's JSON text (keys sorted, four-space indents) joined
// line by line with Fn::Join, each intrinsic function in it replaced by
// ${definition_substitution_N} and added to DefinitionSubstitutions, so
// that a "ResultPath": null survives the template. A DefinitionUri
// given as an s3:// URL or {Bucket, Key} becomes DefinitionS3Location; a
// local file is read by virga deploy, which puts its content in
// Definition, and refused here. AutoPublishAlias adds ID+"Version" (an
// AWS::StepFunctions::StateMachineVersion, retained) and
// ID+"Alias"+NAME (an AWS::StepFunctions::StateMachineAlias with
// DeploymentPreference, ALL_AT_ONCE unless given). UseAliasAsEventTarget
// and the other event types are not supported.
//
// PropagateTags on a function, a state machine (or in their Globals) or
// an Api puts its Tags on every resource generated for it whose type has
// Tags in SAM's model (roles, queues, the function or state machine,
// REST APIs and their stages, usage plans, API keys), replacing SAM's
// own tag as AWS's translator does; mappings, permissions, rules,
// schedules, subscriptions, versions, aliases and URLs stay untagged.
// Api events that use the implicit REST API add the tags to that API,
// which propagates them; a function's HttpApi events that use the
// implicit HTTP API add them to its tags (and its stage's).
//
// # What it does not do
//
// AWS::Serverless::Application becomes an AWS::CloudFormation::Stack
// when its Location is a template's URL (application.go); one from the
// Serverless Application Repository (ApplicationId), GraphQLApi, WebSocketApi and CapacityProvider give an *Error that wraps
// template.ErrNotSupported. Event sources for services virga lacks
// (MSK, MQ, SelfManagedKafka, DocumentDB, IoTRule, AlexaSkill)
// are accepted and skipped: the function's
// Metadata records them under Virga.SkippedEvents, and a warning says
// so. A DeploymentPreference is recorded under Virga.DeploymentPreference
// with a warning: no CodeDeploy resources are made, the alias moves at
// once and hooks are not run, but references to
// ServerlessDeploymentApplication resolve to the name AWS would give it
// (deployment.go). GatewayResponses go into the API's document as
// x-amazon-apigateway-gateway-responses; Models, and an Api event's
// RequestModel and RequestParameters, become the document's definitions,
// the operation's parameters and its request validator. Custom domains
// and resource policies are ignored with a warning, as are the policy
// templates virga has no statements for.
//
// # Errors
//
// A template SAM would reject gives an *Error listing every problem in
// SAM's wording, for example "Resource with id [Fn] is invalid. Event with
// id [Get] is invalid. Resource dict has missing or invalid value for key
// Type. Event Type is: API.". Where AWS's wording could not be confirmed
// a comment at the message says so and SAM's style is kept.
package sam
