package sam

import (
	"slices"
	"strings"
)

// globalsProperties lists, per section, the properties SAM lets Globals
// set, in the order SAM's translator lists them when it refuses another
// ("Globals section of the AWS SAM template": the others "either made
// the template hard to understand, or they might open a potential
// security issue"). A state machine takes only PropagateTags from
// Globals, and a function not its code given inline or as an image.
// CapacityProvider is accepted so that a template using it fails on the
// resource, with a clear not-supported error, rather than on Globals.
var globalsProperties = map[string][]string{
	"Api": {"Auth", "Name", "DefinitionUri", "CacheClusterEnabled", "CacheClusterSize", "MergeDefinitions",
		"Variables", "EndpointConfiguration", "MethodSettings", "BinaryMediaTypes", "MinimumCompressionSize",
		"Cors", "GatewayResponses", "AccessLogSetting", "CanarySetting", "TracingEnabled", "OpenApiVersion",
		"Domain", "AlwaysDeploy", "PropagateTags", "SecurityPolicy", "EndpointAccessMode"},
	"CapacityProvider": {"VpcConfig", "OperatorRole", "Tags", "InstanceRequirements", "ScalingConfig", "KmsKeyArn",
		"PropagateTags"},
	"Function": {"Handler", "Runtime", "CodeUri", "DeadLetterQueue", "Description", "MemorySize", "Timeout",
		"VpcConfig", "Environment", "Tags", "PropagateTags", "Tracing", "KmsKeyArn", "AutoPublishAlias",
		"AutoPublishAliasAllProperties", "Layers", "DeploymentPreference", "RolePath", "PermissionsBoundary",
		"ReservedConcurrentExecutions", "ProvisionedConcurrencyConfig", "AssumeRolePolicyDocument",
		"EventInvokeConfig", "FileSystemConfigs", "CodeSigningConfigArn", "Architectures", "SnapStart",
		"EphemeralStorage", "FunctionUrlConfig", "RuntimeManagementConfig", "LoggingConfig", "RecursiveLoop",
		"SourceKMSKeyArn", "TenancyConfig", "DurableConfig", "CapacityProviderConfig", "FunctionScalingConfig",
		"PublishToLatestPublished", "VersionDeletionPolicy"},
	"HttpApi": {"Auth", "AccessLogSettings", "StageVariables", "Tags", "CorsConfiguration", "DefaultRouteSettings",
		"Domain", "RouteSettings", "FailOnWarnings", "PropagateTags"},
	"LayerVersion": {"PublishLambdaVersion"},
	"SimpleTable":  {"SSESpecification"},
	"StateMachine": {"PropagateTags"},
	// virga has no WebSocket APIs: the section is accepted, and an
	// AWS::Serverless::WebSocketApi is refused where it stands.
	"WebSocketApi": {"AccessLogSettings", "ApiKeySelectionExpression", "DefaultRouteSettings",
		"DisableExecuteApiEndpoint", "DisableSchemaValidation", "Domain", "FailOnWarnings", "IpAddressType",
		"PropagateTags", "RouteSelectionExpression", "RouteSettings", "StageVariables", "Tags"},
}

// globals holds the Globals section by section name ("Function", ...).
type globals map[string]map[string]any

// parseGlobals checks a Globals section: every section must be one SAM
// knows and every property one SAM lets Globals set for it.
func parseGlobals(v any) (globals, error) {
	g := globals{}
	if v == nil {
		return g, nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, globalsError("Globals must be a dictionary.")
	}
	for _, section := range sortedKeys(m) {
		allowed, known := globalsProperties[section]
		if !known {
			return nil, globalsError("'%s' is not supported. Must be one of the following values - %s",
				section, quotedList(sortedKeys(globalsProperties)))
		}
		props, ok := m[section].(map[string]any)
		if !ok {
			return nil, globalsError("Value of %s must be a dictionary.", section)
		}
		for _, p := range sortedKeys(props) {
			if !slices.Contains(allowed, p) {
				return nil, globalsError("'%s' is not a supported property of '%s'. Must be one of the following values - %s",
					p, section, quotedList(allowed))
			}
		}
		g[section] = props
	}
	return g, nil
}

// quotedList renders names the way SAM lists allowed values: ['A', 'B'].
func quotedList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = "'" + n + "'"
	}
	return "[" + strings.Join(q, ", ") + "]"
}

// apply merges a section of Globals into a resource's properties and
// returns the result; neither input is changed.
//
// SAM's rules ("Overridable properties"): a primitive in the resource
// replaces the global one, maps are merged key by key with the resource
// winning, and lists are additive with the global entries first. An
// intrinsic function counts as a primitive, since its value is unknown
// until the stack is deployed. One exception is virga's: Architectures
// is replaced rather than appended, because a function runs on exactly
// one architecture and ["x86_64", "arm64"] is not a valid value (SAM's
// own pull request 3945 makes the same change).
func (g globals) apply(section string, props map[string]any) map[string]any {
	out := cloneMap(props)
	if out == nil {
		out = map[string]any{}
	}
	for k, gv := range g[section] {
		lv, ok := out[k]
		switch {
		case !ok:
			out[k] = clone(gv)
		case section == "Function" && k == "Architectures":
			// The resource's value stands.
		default:
			out[k] = mergeGlobal(gv, lv)
		}
	}
	return out
}

// mergeGlobal merges one global value with the resource's value for it.
func mergeGlobal(global, local any) any {
	if gm, lm := asMap(global), asMap(local); gm != nil && lm != nil {
		out := cloneMap(lm)
		for k, gv := range gm {
			if lv, ok := lm[k]; ok {
				out[k] = mergeGlobal(gv, lv)
			} else {
				out[k] = clone(gv)
			}
		}
		return out
	}
	if gl, ok := global.([]any); ok {
		if ll, ok := local.([]any); ok {
			out := make([]any, 0, len(gl)+len(ll))
			for _, v := range gl {
				out = append(out, clone(v))
			}
			for _, v := range ll {
				out = append(out, clone(v))
			}
			return out
		}
	}
	return clone(local)
}
