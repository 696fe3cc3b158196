// Package providers holds CloudFormation's resource providers for the
// resource types virga can make: each registers its type with package
// resource from init, and creates, updates and deletes resources by
// calling virga's services' own API operations through resource.Env.Call,
// the way AWS CloudFormation's handlers call AWS's.
//
// # What it owns and what it must not do
//
// A provider owns the translation from a resource type's CloudFormation
// properties (their documented names and shapes) to the service's API
// members, and back from the API's answers to the type's Ref value and
// Fn::GetAtt attributes. It must not reach into a service's internals:
// everything goes through Env.Call, so that a resource made by a stack is
// exactly what the API would have made, and a failure is the API's own
// error, which the engine reports as CloudFormation does ("Resource
// handler returned message: ..."). Providers keep no state of their own:
// what a later Update or Delete needs is in the physical ID and
// attributes the engine keeps.
//
// Each Type lists the top-level properties whose change replaces the
// resource, from CloudFormation's resource schemas ("Update requires:
// Replacement", the schemas' createOnlyProperties). Where virga must
// replace although AWS updates in place, the Type says why (an
// AWS::ApiGateway::Deployment's Description: virga has no
// UpdateDeployment for REST APIs).
//
// Each Type also lists the top-level properties its schema requires (the
// schemas' "required" arrays, in their order); the engine refuses a
// resource missing one with CloudFormation's schema validation message
// before the provider is called, so providers need not check them.
//
// A Type whose resources CloudFormation tags says how its Tags property
// lists them (resource.TagList or resource.TagMap). The engine then
// hands its provider Tags with the stack's tags and the
// aws:cloudformation:stack-name, stack-id and logical-id tags merged in
// (resource.WithTags), and calls Update when only the stack's tags
// changed: the provider tags and retags from Tags as it does for the
// template's own. Its calls are marked so that the services accept the
// aws: keys they refuse from callers (awsproto.WithReservedTags).
//
// # API Gateway
//
// REST APIs (AWS::ApiGateway::*) are service "apigateway" and HTTP and
// WebSocket APIs (AWS::ApiGatewayV2::*, RouteResponse,
// IntegrationResponse and Model included) service "apigatewayv2", as the app names them
// for Env.Call, although both sign as "apigateway". A RestApi with a
// Body (an OpenAPI or Swagger document, an object or JSON or YAML text)
// is CreateRestApi and PutRestApi (Mode, overwrite by default), then
// UpdateRestApi to put the template's Name, Description and other
// settings over the document's, as AWS does; one without a Name is
// named by the document's title. Methods are PutMethod, their responses,
// PutIntegration and the integration's responses, and are put again
// whole on an update; a method's Ref is a generated name, since API
// Gateway names methods by API, resource and verb. A Deployment with
// StageName makes or moves that stage and deletes it with itself if the
// stage still shows it. A Model's Ref is its name, which CloudFormation
// generates from the stack's and resource's names when the template gives
// none (letters and digits only, as model names must be), its Schema an
// object or JSON text; a RequestValidator's Ref and RequestValidatorId are
// its id; methods name both in RequestModels and RequestValidatorId, and
// Description, Schema and the validator's checks change in place. An
// HTTP API's ApiEndpoint is
// http://ID.execute-api.localhost:PORT, on the port of virga's endpoint.
//
// # Names
//
// A resource whose template gives it no name gets the name CloudFormation
// makes, STACK-LOGICALID-RANDOM (physicalName): the stack's name and the
// logical ID, shortened evenly to fit the service's length limit, and 13
// random upper-case letters and digits. S3 bucket names, which must be
// lower case, are the same in lower case. State machines and their
// aliases, which CloudFormation's Step Functions handlers name, are
// named by the logical ID alone, LOGICALID-RANDOM (logicalName): the
// logical ID cut to fit, and 12 random letters of both cases and digits,
// within 40 characters for a state machine and 80 for an alias. Lambda
// functions, also named by a newer handler, are STACK-LOGICALID-RANDOM
// with that random part (handlerName).
//
// A template that names a resource whose name is in use outside the
// stack fails it, as CloudFormation's handlers do, also where the
// service's creating call would answer the name with the existing
// resource (taken.go): AWS::Events::Rule, AWS::SNS::Topic and
// AWS::S3::Bucket with "NAME already exists", AWS::SQS::Queue,
// AWS::CloudWatch::Alarm and ::Dashboard, AWS::Logs::MetricFilter,
// ::SubscriptionFilter and ::ResourcePolicy, AWS::ECS::Cluster,
// AWS::ElasticLoadBalancingV2::LoadBalancer and ::TargetGroup,
// AWS::Lambda::EventInvokeConfig and AWS::Events::EventBusPolicy (a
// statement id in the bus's policy) with "Resource of type 'TYPE' with
// identifier 'NAME' already exists.", so that the rollback never deletes
// what the stack did not make. AWS::StepFunctions::StateMachine, whose
// handler does not look, takes over an identical state machine as on
// AWS.
//
// # Values
//
// Properties come evaluated, as the template package makes them
// (map[string]any, []any, string, json.Number, bool). CloudFormation
// converts a template's text to a property's type, so that a parameter's
// "256" is a number for MemorySize and "true" a boolean for FifoQueue;
// each provider does the same for its members (coerce). Properties that
// AWS takes as JSON objects but the API as text (an SQS RedrivePolicy,
// an EventBridge EventPattern, an SNS FilterPolicy, policy documents) are
// encoded to JSON text; text is passed as it is.
//
// # virga's extensions
//
// AWS::Lambda::Function's Code and AWS::Lambda::LayerVersion's Content
// accept a member AWS does not have, ZipFileBytes: the deployment
// package, a zip archive, base64-encoded. An engine that has the package
// (a local path packaged by the CLI, an asset of a CDK app) sets
// ZipFileBytes, which then wins over S3Bucket and S3Key; without it
// Lambda reads S3Bucket, S3Key and S3ObjectVersion from virga's S3.
// A container image (ImageUri, with PackageType Image) is passed on to
// Lambda, which resolves it in virga's ECR.
//
// S3: API definitions in S3 (AWS::ApiGateway::RestApi's and
// AWS::ApiGatewayV2::Api's BodyS3Location) are read through Env.ReadObject;
// nested stacks (AWS::CloudFormation::Stack) are made by CloudFormation's
// own CreateStack from their TemplateURL (cloudformation.go).
//
// # Custom resources
//
// AWS::CloudFormation::CustomResource and every Custom::NAME type are
// one provider (custom.go), whose work is done by another: a Lambda
// function or an SNS topic named by ServiceToken. Each Create, Update
// and Delete sends it CloudFormation's request object (a function is
// invoked asynchronously; a topic gets it as a message), and waits, for
// at most ServiceTimeout seconds (3600 by default), for the response
// object PUT to the request's ResponseURL; the wait ends sooner when the
// operation is cancelled (CancelUpdateStack, DeleteStack of a stack
// being created, virga's stop). Only waits end so (resource.Waits and
// resource.Sleep, for every provider's polls): service calls run to
// completion on the context the engine detaches (resource.Detach), and
// a provider whose wait ended after it made something returns its
// physical ID with the error, so that it is deleted, not orphaned. A Create left unanswered either
// way names a made-up physical ID, for which the rollback or deletion
// sends a Delete, as CloudFormation does. That URL is the one piece of
// HTTP: ResponseURLs (custom_response.go) serves
// /_virga/cloudformation/custom-resource-response/TOKEN on virga's
// endpoint, where functions reach virga, and each URL, named by a
// random token, takes one PUT. The answer's PhysicalResourceId is the
// resource's, its Data what Fn::GetAtt reads; an Update answered with a
// new PhysicalResourceId replaced the resource, and a failed Update is
// undone by another in the rollback (resource.Type's Opaque). Inline
// function code (Code.ZipFile) that loads CloudFormation's cfn-response
// module (import cfnresponse; require('cfn-response')) gets virga's
// own, with the same API, in its package (cfnresponse/).
//
// # State machines
//
// AWS::StepFunctions::StateMachine takes Definition (an object),
// DefinitionString, or DefinitionS3Location ({Bucket, Key, Version}: a
// JSON or YAML file in virga's S3, as aws cloudformation package
// uploads a local DefinitionUri), with DefinitionSubstitutions' ${name}
// replaced in the definition's text; Ref is its ARN, GetAtt Name and
// Arn.
// AWS::StepFunctions::StateMachineVersion publishes a version
// (PublishStateMachineVersion with StateMachineRevisionId and
// Description; a change publishes a new one); Ref and Arn are its ARN.
// AWS::StepFunctions::StateMachineAlias routes by RoutingConfiguration;
// a DeploymentPreference moves all traffic to its version at once (no
// LINEAR or CANARY steps, no alarms); Ref and Arn are its ARN.
// AWS::StepFunctions::Activity is CreateActivity with Name and Tags;
// Ref and Arn are its ARN.
//
// # Wait conditions
//
// AWS::CloudFormation::WaitConditionHandle's Ref is a URL on virga's
// endpoint (ENDPOINT/_virga/cloudformation/wait-condition/TOKEN, served
// by WaitHandles) that takes signals as AWS's presigned S3 URL does: a
// PUT of {"Status", "Reason", "UniqueId", "Data"}, as cfn-signal or
// curl sends it, kept by UniqueId. AWS::CloudFormation::WaitCondition
// waits for Count SUCCESS signals on its Handle within Timeout seconds
// and fails at the first FAILURE ("WaitCondition received failed
// message: 'REASON' for uniqueId: ID") or at the timeout
// ("WaitCondition timed out. Received N conditions when expecting M");
// its Ref is STACKID/LOGICALID and Data the JSON object of UniqueId to
// Data. Changes to it are not applied, as on AWS. Signals are kept in
// memory (a restart loses those received), and a WaitCondition without
// Handle, which waits on a CreationPolicy's signals, is refused: virga
// has no SignalResource.
//
// # Parameters and secrets
//
// AWS::SSM::Parameter makes String and StringList parameters only, as
// CloudFormation does (SecureString is refused); its Tags are an object
// of keys to values. AWS::SecretsManager::Secret takes SecretString or
// GenerateSecretString, whose password comes from GetRandomPassword with
// the same options, put under GenerateStringKey in the JSON
// SecretStringTemplate when both are given; its Ref and Id are the ARN,
// and deleting it skips the recovery window.
// AWS::SecretsManager::ResourcePolicy is PutResourcePolicy (Ref and Id
// the secret's ARN), again on an update, refused when the secret
// already has a policy; a new SecretId replaces it.
//
// # Cognito user pools
//
// AWS::Cognito::UserPool is CreateUserPool (UserPoolName as PoolName);
// its Ref is the pool id and GetAtt gives Arn, ProviderName
// (cognito-idp.REGION.amazonaws.com/ID) and ProviderURL, the issuer an
// HTTP API's JWT authorizer names. Updates are UpdateUserPool; a new
// UserPoolName or Schema replaces the pool, which AWS updates in place
// (virga has no AddCustomAttributes, nor a PoolName in UpdateUserPool).
// AWS::Cognito::UserPoolClient's Ref is the client id, with GetAtt
// ClientSecret and Name; AWS::Cognito::UserPoolGroup's Ref is the group's
// name. AWS::Cognito::UserPoolDomain is CreateUserPoolDomain (a prefix
// domain, or a custom one with CustomDomainConfig, whose certificate an
// update changes with UpdateUserPoolDomain); its Ref is the domain and
// GetAtt CloudFrontDistribution the host its endpoints answer on,
// PREFIX.auth.REGION.localhost or a custom domain's made-up
// distribution.
// AWS::Cognito::UserPoolResourceServer's Ref is its Identifier; updates
// are UpdateResourceServer. AWS::Cognito::UserPoolUser is AdminCreateUser
// with the template's properties (a FORCE_CHANGE_PASSWORD user whose
// temporary password virga logs unless MessageAction is SUPPRESS); its
// Ref is the template's Username, and any change replaces it.
// AWS::Cognito::UserPoolUserToGroupAttachment is AdminAddUserToGroup
// (Ref USERPOOLID|GROUPNAME|USERNAME; any change replaces it), refused
// when the user is already in the group, and AdminRemoveUserFromGroup
// when deleted.
//
// # Cognito identity pools
//
// AWS::Cognito::IdentityPool is CreateIdentityPool (a generated name
// without IdentityPoolName; IdentityPoolTags as a {Key, Value} list),
// updated in place with UpdateIdentityPool; its Ref is the pool id
// (REGION:UUID), GetAtt Id and Name. CognitoEvents, CognitoStreams and
// PushSync (Cognito Sync) are ignored.
// AWS::Cognito::IdentityPoolRoleAttachment is SetIdentityPoolRoles: its
// RoleMappings entries name their provider in IdentityProvider, which
// becomes the API's key; its Ref is the pool id, and deleting it leaves
// the pool without roles.
//
// # Keys
//
// AWS::KMS::Key is CreateKey (KeySpec, KeyUsage, KeyPolicy as an object
// or text, Description, Tags), then DisableKey for Enabled false and
// EnableKeyRotation with RotationPeriodInDays; its Ref is the key id, GetAtt Arn and KeyId. An
// update changes description, policy, state, rotation and tags in place
// and fails on a new KeySpec, KeyUsage, Origin or MultiRegion, as
// CloudFormation does rather than replace a key. Deleting it schedules
// the key's deletion after PendingWindowInDays (30 by default);
// DeletionPolicy Retain keeps it, as for every type. AWS::KMS::Alias's
// Ref is the alias name; a new TargetKeyId is UpdateAlias.
//
// # CloudWatch
//
// AWS::CloudWatch::Alarm is PutMetricAlarm (service "monitoring"), again
// with its whole configuration on an update, with tags changed through
// TagResource and UntagResource; a new AlarmName replaces it. Its Ref is
// the alarm's name and GetAtt Arn its ARN. Metric math alarms (Metrics)
// are passed on; CloudWatch evaluates their arithmetic, not functions.
// AWS::CloudWatch::Dashboard is PutDashboard, again on an update; a new
// DashboardName replaces it, and its Ref is the dashboard's name.
//
// # ECR
//
// AWS::ECR::Repository is CreateRepository (RepositoryName, or a
// generated name in lower case, as ECR wants; ImageTagMutability,
// ImageScanningConfiguration, EncryptionConfiguration, Tags), then
// PutLifecyclePolicy and SetRepositoryPolicy for LifecyclePolicy and
// RepositoryPolicyText (an object or JSON text). Its Ref is the
// repository's name, GetAtt Arn its ARN and RepositoryUri
// ACCOUNT.dkr.ecr.REGION.localhost:PORT/NAME. ImageTagMutability, the
// policies and Tags change in place; ImageScanningConfiguration
// replaces the repository (virga's ECR has no
// PutImageScanningConfiguration). Deleting a repository that holds
// images fails with RepositoryNotEmptyException unless EmptyOnDelete is
// true.
//
// # CloudTrail
//
// AWS::CloudTrail::Trail is CreateTrail (TrailName, or a generated name;
// S3BucketName, S3KeyPrefix, SnsTopicName, IsMultiRegionTrail,
// IncludeGlobalServiceEvents, EnableLogFileValidation, the CloudWatch
// Logs ARNs, KMSKeyId as the API's KmsKeyId, Tags), then
// PutEventSelectors when EventSelectors or AdvancedEventSelectors are
// given, then StartLogging or StopLogging as IsLogging says. Its Ref is
// the trail's name; GetAtt gives Arn and SnsTopicArn. A new TrailName
// replaces it; everything else changes in place (UpdateTrail, the
// selectors when they changed, AddTags and RemoveTags, logging).
// InsightSelectors are not supported.
//
// # Kinesis
//
// AWS::Kinesis::Stream is CreateStream (ShardCount, or one shard when
// neither it nor StreamModeDetails is given; Tags), then
// IncreaseStreamRetentionPeriod when RetentionPeriodHours is not 24. Its
// Ref is the stream's name and GetAtt Arn its ARN. RetentionPeriodHours
// and Tags change in place, and so, as on AWS, do StreamModeDetails
// (UpdateStreamMode) and a provisioned stream's ShardCount
// (UpdateShardCount, uniform scaling, within its limits of double and
// half), each once the stream is ACTIVE again. StreamEncryption is
// StartStreamEncryption, and StopStreamEncryption when it is removed.
// DesiredShardLevelMetrics is accepted without effect.
// AWS::Kinesis::StreamConsumer is RegisterStreamConsumer, and
// DeregisterStreamConsumer when deleted; its Ref is the consumer's ARN,
// and GetAtt gives ConsumerARN, ConsumerName, ConsumerStatus,
// ConsumerCreationTimestamp and StreamARN. A change of either property
// replaces it; Tags are accepted without effect.
//
// # Kinesis Data Firehose
//
// AWS::KinesisFirehose::DeliveryStream is CreateDeliveryStream with the
// properties as the template gives them (their names are the API's;
// SizeInMBs and IntervalInSeconds written as text are numbers), so the
// destinations and settings Firehose refuses fail the resource. Its Ref
// is the stream's name and GetAtt Arn its ARN. A change of
// ExtendedS3DestinationConfiguration or S3DestinationConfiguration is
// UpdateDestination, and Tags change in place; the name, the type, the
// source and the stream's encryption replace it. The schema requires no
// top-level property; a destination or source given without its
// BucketARN, KinesisStreamARN or RoleARN fails with CloudFormation's
// "#/Property: required key [Member] not found".
//
// # EventBridge Pipes
//
// AWS::Pipes::Pipe is CreatePipe (a StartingPositionTimestamp given as
// ISO 8601 text is sent as seconds). Its Ref is the pipe's name; GetAtt
// gives Arn, CurrentState, StateReason, CreationTime and
// LastModifiedTime. Name and Source replace the pipe; every other
// property changes in place through UpdatePipe (without a stream
// source's starting position, which UpdatePipe keeps; a removed
// Enrichment is removed) and the tagging operations. LogConfiguration and
// KmsKeyIdentifier are not passed on.
//
// # Elastic Load Balancing v2
//
// AWS::ElasticLoadBalancingV2::LoadBalancer is CreateLoadBalancer (a
// generated name when Name is not given), then
// ModifyLoadBalancerAttributes for LoadBalancerAttributes; attributes
// and Tags change in place, and a change of Name, Scheme, Type,
// IpAddressType, Subnets, SubnetMappings or SecurityGroups replaces it
// (virga has no SetSubnets or SetSecurityGroups). GetAtt gives DNSName,
// CanonicalHostedZoneID, LoadBalancerFullName (app/NAME/ID, or
// net/NAME/ID for a Type network load balancer),
// LoadBalancerName, LoadBalancerArn and SecurityGroups.
// AWS::ElasticLoadBalancingV2::TargetGroup is CreateTargetGroup, then
// ModifyTargetGroupAttributes and RegisterTargets for
// TargetGroupAttributes and Targets (a Lambda target needs its
// AWS::Lambda::Permission first: DependsOn); health check settings,
// attributes, targets and tags change in place. Listener (CreateListener,
// ModifyListener) and ListenerRule (CreateRule, SetRulePriorities for a
// new Priority, ModifyRule) follow; all four have their ARN as Ref.
// AWS::ElasticLoadBalancingV2::ListenerCertificate adds its Certificates
// to its listener's certificate list (AddListenerCertificates, one per
// call), an update adds the new ones and removes those left out, and
// deletion removes them; its Ref is a generated id
// (STACK-LOGICALID-RANDOM), and a new ListenerArn replaces it.
//
// # ECS
//
// AWS::ECS::Cluster is CreateCluster (Ref the name, GetAtt Arn);
// AWS::ECS::TaskDefinition is RegisterTaskDefinition (Ref the revision's
// ARN), which every change replaces and deletion deregisters;
// AWS::ECS::Service is CreateService (DesiredCount 1 when unset, Ref the
// service's ARN, GetAtt Name), updated through UpdateService and deleted
// with force, its Delete waiting until the service is INACTIVE so that
// the cluster can go next. Property names become ECS's camel-case
// members at any depth, except the user's keys of log driver Options
// and DockerLabels; PlacementStrategies is the API's placementStrategy.
//
// # What is recorded but not made
//
// AWS::IAM::Role, AWS::IAM::Policy, AWS::IAM::ManagedPolicy,
// AWS::IAM::User, AWS::IAM::Group, AWS::IAM::UserToGroupAddition and
// AWS::IAM::InstanceProfile are made, not recorded: they are real IAM
// entities (iam.go), but IAM enforces no policy yet, so no permission is
// checked against them. AWS::IAM::RolePolicy, ::UserPolicy and
// ::GroupPolicy put one inline policy on one principal; their Ref is
// POLICYNAME|PRINCIPALNAME, a new PolicyName or principal replaces them,
// and, unlike AWS::IAM::Policy, they refuse a policy the principal
// already has. AWS::IAM::AccessKey's Ref is the key id and GetAtt
// SecretAccessKey its secret; Status changes in place and a new Serial
// or UserName replaces (rotates) the key. AWS::IAM::OIDCProvider is
// CreateOpenIDConnectProvider (Ref and Arn its ARN), refused when the
// account has a provider for the issuer; ClientIdList, ThumbprintList
// and Tags change in place and a new Url replaces it.
// AWS::IAM::ServiceLinkedRole is CreateServiceLinkedRole (Ref and
// RoleName the role's name, AWSServiceRoleForNAME); Description changes
// in place, AWSServiceName and CustomSuffix replace it.
// AWS::CDK::Metadata, which the AWS CDK adds to every stack, is a no-op
// whose physical ID is a UUID.
// AWS::ApiGateway::Account sets the account's CloudWatch role
// (UpdateAccount), which virga's API Gateway records and its logs do not
// need; its Ref is a generated identifier. AWS::ApiGateway::ClientCertificate
// and AWS::ApiGateway::VpcLink (Ref and VpcLinkId its id) are made, their
// names, descriptions and tags changed in place (apigateway_account.go);
// so are AWS::ApiGateway::DocumentationPart (Ref and DocumentationPartId
// its id, Properties an object or JSON text, changed in place) and
// AWS::ApiGateway::DocumentationVersion (Ref the version).
// AWS::ResourceGroups::Group (Ref its Name, GetAtt Arn) and
// AWS::ApplicationInsights::Application (Ref and ApplicationARN its ARN),
// the monitoring sam init adds to every template, are recorded only too
// (monitoring.go): virga has no Resource Groups or Application Insights.
// AWS::EC2::VPC, ::Subnet, ::SecurityGroup, ::SecurityGroupIngress,
// ::SecurityGroupEgress, ::InternetGateway, ::VPCGatewayAttachment,
// ::RouteTable, ::Route and ::SubnetRouteTableAssociation are made
// through the EC2 API (ec2.go), which records them and checks what AWS
// checks (CIDR blocks, a subnet inside its VPC, zones of the region):
// virga has no VPC networking, so rules and routes are not applied. A
// group's Ref is its id (sg- and 17 hexadecimal digits) when it has a
// VpcId and its name otherwise. Egress-only gateways, Elastic IPs (from
// 203.0.113.0/24), NAT gateways, VPC endpoints, CIDR blocks, network
// ACLs and their subnet associations are recorded in the provider only,
// with ids in AWS's form.
//
// AWS::Route53::HostedZone, ::RecordSet and ::RecordSetGroup are made
// through the Route 53 API (route53.go), which keeps the records and
// checks each change batch as AWS does, but answers no DNS queries. A
// record set names its zone by HostedZoneId or HostedZoneName (which
// must name exactly one zone); its updates are UPSERTs, and a deletion
// deletes what the zone holds under the record's name, type and set
// identifier. A group's record sets change in one batch.
//
// AWS::CertificateManager::Certificate is requested through the ACM API
// (acm.go). For each DomainValidationOptions entry with a HostedZoneId,
// the name's validation CNAME is written into that zone, as
// CloudFormation does, and the resource waits for ISSUED (at most
// certificateIssueWait, failing with the records still missing). Its
// deletion leaves those records, as on AWS: a stack that also made
// their zone fails to delete the zone until they are removed.
//
// A version's or alias's ProvisionedConcurrencyConfig (and so SAM's
// AutoPublishAlias with ProvisionedConcurrencyConfig) is applied with
// PutProvisionedConcurrencyConfig, and the resource is ready once its
// environments are (FAILED fails it); an alias updated without it loses
// it, and deleting the version or alias releases the environments.
//
// An AWS::S3::Bucket's NotificationConfiguration (LambdaConfigurations,
// QueueConfigurations and TopicConfigurations with one Event each and
// Filter.S3Key.Rules; EventBridgeConfiguration.EventBridgeEnabled) is
// applied with PutBucketNotificationConfiguration, which checks the
// destinations as S3 does, so the function or queue must exist first:
// templates make the bucket depend on its AWS::Lambda::Permission. Its
// OwnershipControls, PublicAccessBlockConfiguration,
// LifecycleConfiguration (rules' Prefix, TagFilters and object sizes
// become a Filter; ExpirationInDays, ExpirationDate and the
// Transition(s) properties become S3's actions) and WebsiteConfiguration
// (IndexDocument and ErrorDocument names, RedirectAllRequestsTo,
// RoutingRules of RoutingRuleCondition and RedirectRule) and
// ObjectLockConfiguration (with ObjectLockEnabled at creation) and
// ReplicationConfiguration (a Filter's TagFilter and TagFilters become
// Tag and Tags; the destination's bucket versioned first, so the bucket
// depends on it) are applied with
// S3's Put operations, and removed with its Delete ones when a stack
// update drops them. WebsiteURL is AWS's
// http://BUCKET.s3-website-REGION.amazonaws.com, which virga's edge
// serves.
//
// Some properties have no effect in virga and are accepted without
// one: a log group's DataProtectionPolicy, an
// event bus's Description, KmsKeyIdentifier, DeadLetterConfig and
// Policy, an HTTP API stage's AccessPolicyId. Properties that would change what a resource does, and
// that virga cannot honour, fail instead: a table's
// ImportSourceSpecification together with LocalSecondaryIndexes,
// TableClass, DeletionProtectionEnabled, OnDemandThroughput or
// ResourcePolicy (ImportTable's TableCreationParameters carry none of
// them), a change of a log group's KmsKeyId,
// a RestApi's import Parameters other than ignore and basepath=ignore
// (in-process calls carry no query map), canary settings of REST API
// deployments and stages, and an AWS::ApiGatewayV2::Api with a Body
// (virga's API Gateway has no ImportApi yet), and an
// AWS::DynamoDB::GlobalTable with a replica in another region than the
// stack's (the table is the stack region's replica, made as
// AWS::DynamoDB::Table makes one, with the replica's settings; its write
// and auto-scaled capacities are provisioned at their minimum). An SNS
// subscription's Region is ignored: virga is one region.
package providers
