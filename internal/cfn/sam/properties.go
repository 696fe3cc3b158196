package sam

// The properties each SAM resource type defines, from the AWS SAM
// specification. A property outside its type's set is refused with SAM's
// "property X not defined for resource of type T".

// set builds a set of names.
func set(names ...string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}

// lambdaFunctionProperties are the properties of AWS::Serverless::Function
// that pass unchanged to AWS::Lambda::Function.
var lambdaFunctionProperties = []string{
	"Architectures", "CodeSigningConfigArn", "Description", "Environment",
	"EphemeralStorage", "FileSystemConfigs", "FunctionName", "Handler",
	"ImageConfig", "KmsKeyArn", "Layers", "LoggingConfig", "MemorySize",
	"PackageType", "RecursiveLoop", "ReservedConcurrentExecutions", "Runtime",
	"RuntimeManagementConfig", "SnapStart", "Timeout", "VpcConfig",
}

var resourceProperties = map[string]map[string]bool{
	typeFunction: set(append([]string{
		"AssumeRolePolicyDocument", "AutoPublishAlias", "AutoPublishAliasAllProperties",
		"AutoPublishCodeSha256", "CapacityProviderConfig", "CodeUri", "DeadLetterQueue",
		"DeploymentPreference", "EventInvokeConfig", "Events", "FunctionUrlConfig",
		"ImageUri", "InlineCode", "PermissionsBoundary", "Policies", "PropagateTags",
		"ProvisionedConcurrencyConfig", "Role", "RolePath", "SourceKMSKeyArn", "Tags",
		"Tracing", "VersionDescription",
	}, lambdaFunctionProperties...)...),
	typeAPI: set(
		"AccessLogSetting", "AlwaysDeploy", "ApiKeySourceType", "Auth", "BinaryMediaTypes",
		"CacheClusterEnabled", "CacheClusterSize", "CanarySetting", "Cors", "DefinitionBody",
		"DefinitionUri", "Description", "DisableExecuteApiEndpoint", "Domain",
		"EndpointConfiguration", "FailOnWarnings", "GatewayResponses", "MergeDefinitions",
		"MethodSettings", "MinimumCompressionSize", "Mode", "Models", "Name", "OpenApiVersion",
		"Policy", "PropagateTags", "StageName", "Tags", "TracingEnabled", "Variables",
	),
	typeHTTPAPI: set(
		"AccessLogSettings", "Auth", "CorsConfiguration", "DefaultRouteSettings",
		"DefinitionBody", "DefinitionUri", "Description", "DisableExecuteApiEndpoint", "Domain",
		"FailOnWarnings", "Name", "PropagateTags", "RouteSettings", "StageName",
		"StageVariables", "Tags",
	),
	typeSimpleTable: set(
		"PointInTimeRecoverySpecification", "PrimaryKey", "ProvisionedThroughput",
		"SSESpecification", "TableName", "Tags",
	),
	typeConnector: set("Destination", "Permissions", "Source"),
	typeStateMachine: set(
		"AutoPublishAlias", "Definition", "DefinitionSubstitutions", "DefinitionUri", "DeploymentPreference",
		"Events", "Logging", "Name", "PermissionsBoundary", "Policies", "PropagateTags", "Role", "RolePath",
		"Tags", "Tracing", "Type", "UseAliasAsEventTarget",
	),
	typeApplication: set(
		"Location", "NotificationARNs", "Parameters", "Tags", "TimeoutInMinutes",
	),
	typeLayer: set(
		"CompatibleArchitectures", "CompatibleRuntimes", "ContentUri", "Description",
		"LayerName", "LicenseInfo", "PublishLambdaVersion", "RetentionPolicy",
	),
}
