package sam

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// implicitRestAPI is the REST API SAM makes for the Api events that name
// no RestApiId, and its stage.
const (
	implicitRestAPI      = "ServerlessRestApi"
	implicitRestAPIStage = "Prod"
)

// anyMethod is the OpenAPI key of API Gateway's ANY method.
const anyMethod = "x-amazon-apigateway-any-method"

// restAPI is an AWS::Serverless::Api, declared or implicit, being built.
type restAPI struct {
	id       string
	raw      map[string]any // the declaration; nil when implicit
	props    map[string]any // with Globals merged
	attrs    attributes
	implicit bool

	stageName any // the Stage's StageName
	// stageID is the Stage's logical ID, and permSuffix what the stage
	// adds to the IDs of the permissions of the API's events.
	stageID, permSuffix string
	// body is the OpenAPI document, or nil when the definition is in S3
	// (bodyS3). userBody is set when the template wrote it.
	body     map[string]any
	bodyS3   map[string]any
	userBody bool
	v3       bool
	// methods are the operations function events added.
	methods []*apiMethod
}

// apiMethod is an operation a function event added to a REST API.
type apiMethod struct {
	path, key string // key is the lower-case method or anyMethod
	auth      map[string]any
	condition any
	function  string
	event     string
}

// declareRestAPI reads an explicit AWS::Serverless::Api.
func (t *transformer) declareRestAPI(id string, raw map[string]any) error {
	props, err := properties(id, typeAPI, raw)
	if err != nil {
		return err
	}
	stage, ok := props["StageName"]
	if !ok {
		return missingProperty(id, "StageName")
	}
	api := &restAPI{id: id, raw: raw, props: t.globals.apply("Api", props), attrs: attributesOf(raw), stageName: clone(stage)}
	if err := t.initRestAPI(api); err != nil {
		return err
	}
	t.restAPIs[id] = api
	return nil
}

// implicitRest returns ServerlessRestApi, creating it on first use.
func (t *transformer) implicitRest() *restAPI {
	if api, ok := t.restAPIs[implicitRestAPI]; ok {
		return api
	}
	api := &restAPI{id: implicitRestAPI, implicit: true, props: t.globals.apply("Api", nil), stageName: implicitRestAPIStage}
	// Globals were checked against the Api properties; the document is
	// generated, so initialisation cannot fail on DefinitionBody.
	if err := t.initRestAPI(api); err != nil {
		t.fail(err)
	}
	t.restAPIs[implicitRestAPI] = api
	return api
}

// initRestAPI sets up an API's stage and OpenAPI document.
func (t *transformer) initRestAPI(api *restAPI) error {
	api.stageID, api.permSuffix = stageIDs(api.id, api.stageName)
	if v, ok := t.resolve(api.props["OpenApiVersion"]); ok && strings.HasPrefix(v, "3") {
		api.v3 = true
	}
	body, s3, user, err := t.definition(api.id, api.props, api.v3, nil)
	if err != nil {
		return err
	}
	api.body, api.bodyS3, api.userBody = body, s3, user
	if user {
		_, api.v3 = body["openapi"]
	}
	return nil
}

// stageIDs names an API's stage and says what the stage adds to its
// events' permissions, as AWS's translator does. A StageName written as
// letters and digits is part of both (ApiProdStage, FnGetPermissionProd);
// any other text is replaced by the first ten hexadecimal digits of its
// SHA-1 (ApiStageHASH, FnGetPermissionHASH). A StageName given with an
// intrinsic function, even a Ref to a parameter, is not resolved for
// this: the stage is APIStage and the suffix "Stage".
func stageIDs(api string, stageName any) (stageID, permSuffix string) {
	s, ok := stageName.(string)
	switch {
	case !ok:
		return api + "Stage", "Stage"
	case isAlphanumeric(s):
		return api + s + "Stage", s
	}
	h := samHash(s)
	return api + "Stage" + h, h
}

// definition returns an API's OpenAPI document: DefinitionBody, the
// document Options.Definition reads from DefinitionUri, or a generated
// one; or, for a DefinitionUri in S3, its location.
func (t *transformer) definition(id string, props map[string]any, v3 bool, tags []any) (body, s3 map[string]any, user bool, err error) {
	if b, ok := props["DefinitionBody"]; ok {
		body = asMap(b)
		if body == nil {
			return nil, nil, false, invalidType(id, "DefinitionBody")
		}
		return cloneMap(body), nil, true, nil
	}
	if uri, ok := props["DefinitionUri"]; ok {
		if t.opts.Definition != nil {
			doc, err := t.opts.Definition(id, clone(uri))
			if err != nil {
				return nil, nil, false, resourceError(id, "DefinitionUri could not be read: %v.", err)
			}
			if doc != nil {
				return doc, nil, true, nil
			}
		}
		loc, err := t.location(id, "DefinitionUri", uri, nil, "Bucket", "Key", "Version")
		if err != nil {
			return nil, nil, false, err
		}
		return nil, loc, false, nil
	}
	body = map[string]any{
		"info":  map[string]any{"version": "1.0", "title": ref("AWS::StackName")},
		"paths": map[string]any{},
	}
	if v3 {
		body["openapi"] = "3.0.1"
	} else {
		body["swagger"] = "2.0"
	}
	if tags != nil {
		body["tags"] = tags
	}
	return body, nil, false, nil
}

// apiEvent adds an Api event's operation to its REST API and lets API
// Gateway invoke the function for it: FUNCTIONEVENTPermissionSTAGE.
// eventRoute finds the REST API an Api event of resource owner adds to
// (RestApiId, or the implicit ServerlessRestApi) and reads its Path and
// Method: method is lower-case, key the OpenAPI key.
func (t *transformer) eventRoute(owner, name string, p map[string]any) (api *restAPI, path, method, key string, err error) {
	if v, ok := p["RestApiId"]; ok {
		target, _ := refTarget(v)
		api = t.restAPIs[target]
		if api == nil && target == implicitRestAPI && t.samTypes[target] == "" && t.out[target] == nil {
			api = t.implicitRest()
		}
		if api == nil {
			return nil, "", "", "", eventError(owner, name, "RestApiId must be a valid reference to an 'AWS::Serverless::Api' resource in same template.")
		}
	} else {
		api = t.implicitRest()
	}
	// Wording of these two unconfirmed.
	path, ok := p["Path"].(string)
	if !ok || !strings.HasPrefix(path, "/") {
		return nil, "", "", "", eventError(owner, name, "Path must be a string that starts with '/'.")
	}
	method, ok = p["Method"].(string)
	if !ok || method == "" {
		return nil, "", "", "", eventError(owner, name, "Method must be a string.")
	}
	method = strings.ToLower(method)
	key = method
	if method == "any" {
		key = anyMethod
	}
	return api, path, method, key, nil
}

func (t *transformer) apiEvent(f *function, name string, p map[string]any) error {
	api, path, method, key, err := t.eventRoute(f.id, name, p)
	if err != nil {
		return err
	}
	if api.body != nil {
		if err := api.addMethod(f, name, path, key, p); err != nil {
			return err
		}
		if err := api.addRequestChecks(f, name, path, key, p); err != nil {
			return err
		}
	}
	verb := strings.ToUpper(method)
	if method == "any" {
		verb = "*"
	}
	arn := subVars("arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${__ApiId__}/${__Stage__}/"+verb+sourceArnPath(path),
		map[string]any{"__ApiId__": ref(api.id), "__Stage__": "*"})
	perm := f.resource("AWS::Lambda::Permission", map[string]any{
		"Action":       "lambda:InvokeFunction",
		"FunctionName": f.name(),
		"Principal":    "apigateway.amazonaws.com",
		"SourceArn":    arn,
	})
	return t.add(f.id, f.id+name+"Permission"+api.permSuffix, perm)
}

// pathParameter matches a path parameter, {id} or {proxy+}.
var pathParameter = regexp.MustCompile(`\{[^}]*\}`)

// permissionPath is a resource path as it appears in an execute-api ARN:
// path parameters match anything.
func permissionPath(path string) string {
	return pathParameter.ReplaceAllString(path, "*")
}

// sourceArnPath is a path as a Lambda permission's SourceArn has it:
// without a trailing slash, which API Gateway drops from a resource's
// path (SAM's translator drops it too).
func sourceArnPath(path string) string {
	if len(path) > 1 {
		path = strings.TrimSuffix(path, "/")
	}
	return permissionPath(path)
}

// addMethod adds an aws_proxy operation for the function to the API's
// document. A document the template wrote (DefinitionBody, or a local
// DefinitionUri) is not added to, as AWS's translator leaves it: the
// event gives the function its permission, and the document must
// define the operation and its integration itself.
func (api *restAPI) addMethod(f *function, event, path, key string, p map[string]any) error {
	if api.userBody {
		// The template's own operation is not made conditional.
		api.methods = append(api.methods, &apiMethod{path: path, key: key, auth: asMap(p["Auth"]), function: f.id, event: event})
		return nil
	}
	item, err := pathItem(api.body, path)
	if err != nil {
		return eventError(f.id, event, "%s", err.Error())
	}
	m := &apiMethod{path: path, key: key, auth: asMap(p["Auth"]), condition: f.attrs.condition, function: f.id, event: event}
	if _, exists := item[key]; exists {
		// Wording unconfirmed.
		return eventError(f.id, event, "API method [%s] defined multiple times for path [%s].", methodName(key), path)
	}
	integration := map[string]any{
		"type":       "aws_proxy",
		"httpMethod": "POST",
		"uri":        lambdaInvocationURI(f.subARN()),
	}
	if v, ok := p["TimeoutInMillis"]; ok {
		integration["timeoutInMillis"] = clone(v)
	}
	item[key] = map[string]any{"x-amazon-apigateway-integration": integration, "responses": map[string]any{}}
	api.methods = append(api.methods, m)
	return nil
}

// pathItem returns the item of a path in an OpenAPI document, adding
// the paths and the item when they are missing. A document whose paths
// or item is not a plain map (an intrinsic function, say) cannot be
// added to.
func pathItem(doc map[string]any, path string) (map[string]any, error) {
	v, ok := doc["paths"]
	if !ok {
		v = map[string]any{}
		doc["paths"] = v
	}
	paths := asMap(v)
	if paths == nil {
		// Wording unconfirmed.
		return nil, errors.New("The 'paths' of the API definition must be a dictionary.")
	}
	v, ok = paths[path]
	if !ok {
		v = map[string]any{}
		paths[path] = v
	}
	item := asMap(v)
	if item == nil {
		// Wording unconfirmed.
		return nil, fmt.Errorf("The path %s of the API definition must be a dictionary.", path)
	}
	return item, nil
}

// methodName is how SAM's messages name a method: "get", or "any".
func methodName(key string) string {
	if key == anyMethod {
		return "any"
	}
	return key
}

// emitRestAPI adds the REST API, its deployment and its stage:
// API, APIDeploymentHASH and APISTAGEStage.
func (t *transformer) emitRestAPI(api *restAPI) error {
	props := api.props
	for _, p := range []string{"MergeDefinitions", "AlwaysDeploy"} {
		if _, ok := props[p]; ok {
			t.warn(api.id, "%s is not supported by virga yet and was ignored", p)
		}
	}
	if api.body != nil {
		if err := t.restCors(api); err != nil {
			return err
		}
		if err := t.restAuth(api); err != nil {
			return err
		}
		if err := gatewayResponses(api); err != nil {
			return err
		}
		if err := api.models(); err != nil {
			return err
		}
		api.wrapConditional()
	} else if _, ok := props["Cors"]; ok {
		return resourceError(api.id, "Cors works only with inline Swagger specified in 'DefinitionBody' property.")
	} else if _, ok := props["Auth"]; ok {
		// Wording unconfirmed.
		return resourceError(api.id, "Auth works only with inline Swagger specified in 'DefinitionBody' property.")
	} else if _, ok := props["GatewayResponses"]; ok {
		return resourceError(api.id, "GatewayResponses works only with inline Swagger specified in 'DefinitionBody' property.")
	}

	rest := map[string]any{}
	if api.body != nil {
		rest["Body"] = api.body
	} else {
		rest["BodyS3Location"] = api.bodyS3
	}
	// Description is the RestApi's property, whether SAM generated the
	// document or the template wrote it, as AWS's translator writes it.
	copyKeys(rest, props, "Name", "Description", "MinimumCompressionSize", "ApiKeySourceType",
		"DisableExecuteApiEndpoint", "FailOnWarnings", "Mode", "Policy")
	if bmt, ok := props["BinaryMediaTypes"]; ok {
		types := binaryMediaTypes(bmt)
		rest["BinaryMediaTypes"] = types
		if api.body != nil {
			api.body["x-amazon-apigateway-binary-media-types"] = clone(types)
		}
	}
	if ec, ok := props["EndpointConfiguration"]; ok {
		rest["EndpointConfiguration"] = endpointConfiguration(ec)
	}
	var r map[string]any
	if api.implicit {
		r = api.attrs.resource("AWS::ApiGateway::RestApi", rest)
	} else {
		r = api.attrs.mainResource(api.raw, "AWS::ApiGateway::RestApi", rest)
	}
	if err := t.add(api.id, api.id, r); err != nil {
		return err
	}

	digest := hashOf(rest, props["OpenApiVersion"])
	deployment := api.id + "Deployment" + digest[:logicalIDHashLength]
	depProps := map[string]any{
		"Description": "RestApi deployment id: " + digest,
		"RestApiId":   ref(api.id),
	}
	if _, ok := props["OpenApiVersion"]; !ok {
		// SAM's deployment also creates a stage named Stage, unless
		// OpenApiVersion is set.
		depProps["StageName"] = "Stage"
	}
	if err := t.add(api.id, deployment, api.attrs.resource("AWS::ApiGateway::Deployment", depProps)); err != nil {
		return err
	}

	stageID := api.stageID
	stage := map[string]any{
		"DeploymentId": ref(deployment),
		"RestApiId":    ref(api.id),
		"StageName":    clone(api.stageName),
	}
	copyKeys(stage, props, "Variables", "MethodSettings", "AccessLogSetting",
		"CacheClusterEnabled", "CacheClusterSize", "TracingEnabled", "CanarySetting")
	if tags := asMap(props["Tags"]); tags != nil {
		stage["Tags"] = tagList(nil, cloneMap(tags))
	}
	if err := t.add(api.id, stageID, api.attrs.resource("AWS::ApiGateway::Stage", stage)); err != nil {
		return err
	}
	t.refs[api.id+".Stage"] = stageID
	t.refs[api.id+".Deployment"] = deployment
	if err := t.restDomain(api, stageID); err != nil {
		return err
	}
	if err := t.usagePlan(api, stageID); err != nil {
		return err
	}
	if err := t.authorizerPermissions(api.id, api.attrs, asMap(asMap(props["Auth"])["Authorizers"]), false); err != nil {
		return err
	}
	if truthy(props["PropagateTags"]) {
		t.propagateTags(api.id, asMap(props["Tags"]))
	}
	return nil
}

// binaryMediaTypes converts SAM's binary media types, which write "/" as
// "~1", to API Gateway's.
func binaryMediaTypes(v any) any {
	list := asList(v)
	if list == nil {
		return clone(v)
	}
	out := make([]any, len(list))
	for i, e := range list {
		if s, ok := e.(string); ok {
			out[i] = strings.ReplaceAll(s, "~1", "/")
		} else {
			out[i] = clone(e)
		}
	}
	return out
}

// endpointConfiguration turns SAM's EndpointConfiguration, a type name or
// {Type, VPCEndpointIds}, into the RestApi property, where the endpoints
// are spelled VpcEndpointIds.
func endpointConfiguration(v any) any {
	if m := asMap(v); m != nil {
		out := map[string]any{}
		if typ, ok := m["Type"]; ok {
			out["Types"] = []any{clone(typ)}
		}
		if ids, ok := m["VPCEndpointIds"]; ok {
			out["VpcEndpointIds"] = clone(ids)
		}
		copyKeys(out, m, "IpAddressType")
		return out
	}
	return map[string]any{"Types": []any{clone(v)}}
}

// wrapConditional makes the operations of functions under a condition
// exist only when it holds, as SAM does with Fn::If.
func (api *restAPI) wrapConditional() {
	paths, _ := api.body["paths"].(map[string]any)
	for _, m := range api.methods {
		cond, ok := m.condition.(string)
		if !ok {
			continue
		}
		item, _ := paths[m.path].(map[string]any)
		if op, ok := item[m.key]; ok && !isIntrinsic(op) {
			item[m.key] = map[string]any{"Fn::If": []any{cond, op, ref("AWS::NoValue")}}
		}
	}
}

// restCors adds an OPTIONS operation answering CORS preflight requests,
// a MOCK integration, to every path of the document, as SAM's Cors does.
func (t *transformer) restCors(api *restAPI) error {
	v, ok := api.props["Cors"]
	if !ok {
		return nil
	}
	var origin, methods, headers, maxAge any
	credentials := false
	if m := asMap(v); m != nil {
		if err := checkProperties(api.id, "Cors", m, set("AllowOrigin", "AllowMethods", "AllowHeaders", "MaxAge", "AllowCredentials")); err != nil {
			return err
		}
		if origin, ok = m["AllowOrigin"]; !ok {
			return missingProperty(api.id, "Cors.AllowOrigin")
		}
		methods, headers, maxAge = m["AllowMethods"], m["AllowHeaders"], m["MaxAge"]
		credentials = truthy(m["AllowCredentials"])
	} else {
		origin = v
	}
	paths, _ := api.body["paths"].(map[string]any)
	for _, path := range sortedKeys(paths) {
		item := asMap(paths[path])
		if item == nil {
			continue
		}
		if _, ok := item["options"]; ok {
			continue
		}
		params := map[string]any{"Access-Control-Allow-Origin": clone(origin)}
		if methods != nil {
			params["Access-Control-Allow-Methods"] = clone(methods)
		} else {
			params["Access-Control-Allow-Methods"] = "'" + strings.Join(allowedMethods(item), ",") + "'"
		}
		if headers != nil {
			params["Access-Control-Allow-Headers"] = clone(headers)
		}
		if maxAge != nil {
			params["Access-Control-Max-Age"] = clone(maxAge)
		}
		if credentials {
			params["Access-Control-Allow-Credentials"] = "'true'"
		}
		item["options"] = corsOperation(params, api.v3)
	}
	return nil
}

// allowedMethods are the methods a path answers, for a preflight
// response: its operations and OPTIONS, in order.
func allowedMethods(item map[string]any) []string {
	all := []string{"DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"}
	if _, ok := item[anyMethod]; ok {
		return all
	}
	var out []string
	for _, m := range all {
		if _, ok := item[strings.ToLower(m)]; ok || m == "OPTIONS" {
			out = append(out, m)
		}
	}
	return out
}

// corsOperation is the OPTIONS operation SAM generates for CORS.
func corsOperation(headers map[string]any, v3 bool) map[string]any {
	params := map[string]any{}
	declared := map[string]any{}
	for _, h := range sortedKeys(headers) {
		params["method.response.header."+h] = headers[h]
		if v3 {
			declared[h] = map[string]any{"schema": map[string]any{"type": "string"}}
		} else {
			declared[h] = map[string]any{"type": "string"}
		}
	}
	op := map[string]any{
		"summary": "CORS support",
		"x-amazon-apigateway-integration": map[string]any{
			"type":             "mock",
			"requestTemplates": map[string]any{"application/json": "{\n  \"statusCode\" : 200\n}\n"},
			"responses": map[string]any{"default": map[string]any{
				"statusCode":         "200",
				"responseParameters": params,
				"responseTemplates":  map[string]any{"application/json": "{}\n"},
			}},
		},
		"responses": map[string]any{"200": map[string]any{
			"description": "Default response for CORS method",
			"headers":     declared,
		}},
	}
	if !v3 {
		op["consumes"] = []any{"application/json"}
		op["produces"] = []any{"application/json"}
	}
	return op
}

// operationKeys are the keys of a path item that are operations.
var operationKeys = set("get", "put", "post", "delete", "options", "head", "patch", anyMethod)

// restAuth writes the API's authorizers into the document as security
// schemes and puts each operation under its authorizer: the one its
// event names, or the API's DefaultAuthorizer. An event's Authorizer
// NONE leaves its operation open.
func (t *transformer) restAuth(api *restAPI) error {
	auth := asMap(api.props["Auth"])
	eventAuth := map[string]*apiMethod{}
	for _, m := range api.methods {
		if m.auth != nil {
			eventAuth[m.path+" "+m.key] = m
		}
	}
	if auth == nil && len(eventAuth) == 0 {
		return nil
	}
	if err := t.resourcePolicies(api, auth); err != nil {
		return err
	}
	authorizers := asMap(auth["Authorizers"])
	schemes := map[string]any{}
	for _, name := range sortedKeys(authorizers) {
		s, err := t.restAuthorizer(api.id, name, authorizers[name])
		if err != nil {
			return err
		}
		schemes[name] = s
	}
	defaultAuth, _ := auth["DefaultAuthorizer"].(string)
	if defaultAuth == "AWS_IAM" {
		schemes["AWS_IAM"] = iamScheme()
	} else if defaultAuth != "" && schemes[defaultAuth] == nil {
		return resourceError(api.id, "Unable to set DefaultAuthorizer because '%s' was not defined in 'Authorizers'.", defaultAuth)
	}
	preflight := !isFalse(auth["AddDefaultAuthorizerToCorsPreflight"])
	apiKeyDefault := truthy(auth["ApiKeyRequired"])
	// The CORS preflight takes the API key too, unless
	// AddApiKeyRequiredToCorsPreflight is false (SAM's default is true).
	keyPreflight := !isFalse(auth["AddApiKeyRequiredToCorsPreflight"])

	paths, _ := api.body["paths"].(map[string]any)
	for _, path := range sortedKeys(paths) {
		item := asMap(paths[path])
		for _, key := range sortedKeys(item) {
			op := asMap(item[key])
			if !operationKeys[key] || op == nil {
				continue
			}
			apiKey := apiKeyDefault && (key != "options" || keyPreflight)
			m := eventAuth[path+" "+key]
			if m != nil {
				if v, ok := m.auth["ApiKeyRequired"]; ok {
					apiKey = truthy(v)
				}
			}
			if sec, has := op["security"]; has {
				// The document's own requirements stay; SAM adds the
				// API key to them, as a requirement of its own.
				if apiKey && !requiresAPIKey(sec) {
					reqs, _ := clone(asList(sec)).([]any)
					op["security"] = append(reqs, map[string]any{"api_key": []any{}})
					schemes["api_key"] = apiKeyScheme()
				}
				continue
			}
			name := defaultAuth
			if key == "options" && !preflight {
				name = ""
			}
			var scopes any
			if m != nil {
				if a, ok := m.auth["Authorizer"].(string); ok {
					name = a
				}
				scopes = m.auth["AuthorizationScopes"]
				if name == "AWS_IAM" {
					schemes["AWS_IAM"] = iamScheme()
				}
				if name != "" && name != "NONE" && schemes[name] == nil {
					if len(authorizers) == 0 {
						return eventError(m.function, m.event, "Unable to set Authorizer [%s] on API method [%s] for path [%s] because the related API does not define any Authorizers.", name, methodName(key), path)
					}
					// Wording unconfirmed.
					return eventError(m.function, m.event, "Unable to set Authorizer [%s] on API method [%s] for path [%s] because it wasn't defined in the API's Authorizers.", name, methodName(key), path)
				}
			}
			requirement := map[string]any{}
			if name != "" && name != "NONE" {
				if l := asList(scopes); l != nil {
					requirement[name] = clone(l)
				} else {
					requirement[name] = []any{}
				}
			}
			if apiKey {
				requirement["api_key"] = []any{}
				schemes["api_key"] = apiKeyScheme()
			}
			if len(requirement) > 0 {
				op["security"] = []any{requirement}
			}
		}
	}
	if len(schemes) == 0 {
		return nil
	}
	if api.v3 {
		components, _ := api.body["components"].(map[string]any)
		if components == nil {
			components = map[string]any{}
			api.body["components"] = components
		}
		existing, _ := components["securitySchemes"].(map[string]any)
		components["securitySchemes"] = mergeSchemes(existing, schemes)
	} else {
		existing, _ := api.body["securityDefinitions"].(map[string]any)
		api.body["securityDefinitions"] = mergeSchemes(existing, schemes)
	}
	return nil
}

// apiKeyScheme is the security scheme of API keys, which SAM names
// api_key.
func apiKeyScheme() map[string]any {
	return map[string]any{"type": "apiKey", "name": "x-api-key", "in": "header"}
}

// requiresAPIKey reports whether an operation's security requirements
// name SAM's api_key scheme.
func requiresAPIKey(security any) bool {
	for _, req := range asList(security) {
		if _, ok := asMap(req)["api_key"]; ok {
			return true
		}
	}
	return false
}

// mergeSchemes adds schemes to those a document defines.
func mergeSchemes(existing, schemes map[string]any) map[string]any {
	if existing == nil {
		return schemes
	}
	for k, v := range schemes {
		existing[k] = v
	}
	return existing
}

// iamScheme is the security scheme of IAM (SigV4) authorization.
func iamScheme() map[string]any {
	return map[string]any{
		"type": "apiKey", "name": "Authorization", "in": "header",
		"x-amazon-apigateway-authtype": "awsSigv4",
	}
}

// restAuthorizer is the security scheme of one REST API authorizer: a
// Lambda TOKEN or REQUEST authorizer, or a Cognito user pool.
func (t *transformer) restAuthorizer(apiID, name string, v any) (map[string]any, error) {
	a := asMap(v)
	if a == nil {
		return nil, invalidType(apiID, "Auth.Authorizers."+name)
	}
	identity := asMap(a["Identity"])
	header := "Authorization"
	if h, ok := identity["Header"].(string); ok {
		header = h
	}
	if pools, ok := a["UserPoolArn"]; ok {
		arns := pools
		if _, isList := pools.([]any); !isList {
			arns = []any{pools}
		}
		ext := map[string]any{"type": "cognito_user_pools", "providerARNs": clone(arns)}
		if ve, ok := identity["ValidationExpression"]; ok {
			ext["identityValidationExpression"] = clone(ve)
		}
		return map[string]any{
			"type": "apiKey", "name": header, "in": "header",
			"x-amazon-apigateway-authtype":   "cognito_user_pools",
			"x-amazon-apigateway-authorizer": ext,
		}, nil
	}
	fn, ok := a["FunctionArn"]
	if !ok {
		// Wording unconfirmed.
		return nil, resourceError(apiID, "Authorizer %s must have either 'FunctionArn' or 'UserPoolArn'.", name)
	}
	payload := "TOKEN"
	if p, ok := t.resolve(a["FunctionPayloadType"]); ok {
		payload = p
	}
	ext := map[string]any{
		"authorizerUri": subVars("arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${__FunctionArn__}/invocations",
			map[string]any{"__FunctionArn__": clone(fn)}),
	}
	if role, ok := a["FunctionInvokeRole"]; ok {
		ext["authorizerCredentials"] = clone(role)
	}
	if ttl, ok := identity["ReauthorizeEvery"]; ok {
		ext["authorizerResultTtlInSeconds"] = clone(ttl)
	}
	scheme := map[string]any{"type": "apiKey", "in": "header", "x-amazon-apigateway-authtype": "custom"}
	switch payload {
	case "TOKEN":
		ext["type"] = "token"
		scheme["name"] = header
		if ve, ok := identity["ValidationExpression"]; ok {
			ext["identityValidationExpression"] = clone(ve)
		}
	case "REQUEST":
		ext["type"] = "request"
		scheme["name"] = "Unused"
		if src := requestIdentitySource(identity); src != "" {
			ext["identitySource"] = src
		}
	default:
		// Wording unconfirmed.
		return nil, resourceError(apiID, "Authorizer %s has an invalid FunctionPayloadType; it must be TOKEN or REQUEST.", name)
	}
	scheme["x-amazon-apigateway-authorizer"] = ext
	return scheme, nil
}

// requestIdentitySource is a REQUEST authorizer's identity source, from
// its Identity's headers, query strings, stage variables and context.
func requestIdentitySource(identity map[string]any) string {
	var src []string
	for _, part := range []struct{ key, prefix string }{
		{"Headers", "method.request.header."},
		{"QueryStrings", "method.request.querystring."},
		{"StageVariables", "stageVariables."},
		{"Context", "context."},
	} {
		for _, v := range asList(identity[part.key]) {
			if s, ok := v.(string); ok {
				src = append(src, part.prefix+s)
			}
		}
	}
	return strings.Join(src, ", ")
}

// authorizerPermissions lets API Gateway invoke the Lambda authorizers of
// an API: APIAUTHORIZERAuthorizerPermission. An authorizer with a
// FunctionInvokeRole is invoked through that role instead. For HTTP
// APIs SAM adds them only when the authorizer asks, with
// EnableFunctionDefaultPermissions.
func (t *transformer) authorizerPermissions(apiID string, attrs attributes, authorizers map[string]any, optIn bool) error {
	for _, name := range sortedKeys(authorizers) {
		a := asMap(authorizers[name])
		fn, ok := a["FunctionArn"]
		if !ok {
			continue
		}
		if _, ok := a["FunctionInvokeRole"]; ok {
			continue
		}
		if optIn && !truthy(a["EnableFunctionDefaultPermissions"]) {
			continue
		}
		perm := attrs.resource("AWS::Lambda::Permission", map[string]any{
			"Action":       "lambda:InvokeFunction",
			"FunctionName": clone(fn),
			"Principal":    "apigateway.amazonaws.com",
			"SourceArn": subVars("arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${__ApiId__}/authorizers/*",
				map[string]any{"__ApiId__": ref(apiID)}),
		})
		if err := t.add(apiID, apiID+alphanumeric(name)+"AuthorizerPermission", perm); err != nil {
			return err
		}
	}
	return nil
}

// gatewayResponseLocations are where a gateway response's
// ResponseParameters put their values, with the prefix of their names in
// the document.
var gatewayResponseLocations = map[string]string{
	"Headers":      "gatewayresponse.header.",
	"Paths":        "gatewayresponse.path.",
	"QueryStrings": "gatewayresponse.querystring.",
}

// gatewayResponses writes the API's GatewayResponses into its document
// as x-amazon-apigateway-gateway-responses, as SAM does: each response
// type's StatusCode, its ResponseParameters (Headers, Paths,
// QueryStrings) named with their prefixes, and its ResponseTemplates.
func gatewayResponses(api *restAPI) error {
	v, ok := api.props["GatewayResponses"]
	if !ok {
		return nil
	}
	all := asMap(v)
	if all == nil {
		return invalidType(api.id, "GatewayResponses")
	}
	out := map[string]any{}
	for _, typ := range sortedKeys(all) {
		gr := asMap(all[typ])
		if gr == nil {
			return resourceError(api.id, "Invalid property type 'GatewayResponses.%s'.", typ)
		}
		for k := range gr {
			if k != "StatusCode" && k != "ResponseParameters" && k != "ResponseTemplates" {
				return resourceError(api.id, "Invalid property '%s' in 'GatewayResponses' property '%s'.", k, typ)
			}
		}
		params := map[string]any{}
		rp := asMap(gr["ResponseParameters"])
		for _, loc := range sortedKeys(rp) {
			prefix, ok := gatewayResponseLocations[loc]
			if !ok {
				return resourceError(api.id, "Invalid gateway response parameter '%s'", loc)
			}
			for name, value := range asMap(rp[loc]) {
				params[prefix+name] = clone(value)
			}
		}
		doc := map[string]any{"responseParameters": params, "responseTemplates": map[string]any{}}
		if rt := asMap(gr["ResponseTemplates"]); rt != nil {
			doc["responseTemplates"] = cloneMap(rt)
		}
		if code, ok := gr["StatusCode"]; ok {
			if s, ok := scalarString(code); ok {
				doc["statusCode"] = s
			} else {
				doc["statusCode"] = clone(code)
			}
		}
		out[typ] = doc
	}
	api.body["x-amazon-apigateway-gateway-responses"] = out
	return nil
}

// models writes the API's Models into its document, as SAM does: under
// definitions (components.schemas in OpenAPI 3), by their names in lower
// case, which RequestModel's references use.
func (api *restAPI) models() error {
	v, ok := api.props["Models"]
	if !ok {
		return nil
	}
	all := asMap(v)
	if all == nil {
		return invalidType(api.id, "Models")
	}
	var defs map[string]any
	if api.v3 {
		components := asMap(api.body["components"])
		if components == nil {
			components = map[string]any{}
			api.body["components"] = components
		}
		defs = asMap(components["schemas"])
		if defs == nil {
			defs = map[string]any{}
			components["schemas"] = defs
		}
	} else {
		defs = asMap(api.body["definitions"])
		if defs == nil {
			defs = map[string]any{}
			api.body["definitions"] = defs
		}
	}
	for _, name := range sortedKeys(all) {
		schema := asMap(all[name])
		if _, ok := schema["type"]; !ok {
			return resourceError(api.id, "'Models' schema is missing 'type'.")
		}
		defs[strings.ToLower(name)] = cloneMap(schema)
	}
	return nil
}

// requestParameter matches the names RequestParameters takes.
var requestParameter = regexp.MustCompile(`^method\.request\.(querystring|path|header)\.(.+)$`)

// addRequestChecks writes an Api event's RequestModel and
// RequestParameters into its operation, as SAM does: the model as the
// body parameter (OpenAPI 3: the requestBody), ValidateBody and
// ValidateParameters as the request validator body-and-params,
// body-only or params-only, the parameters with whether they are
// required, and those cached as the integration's cache key parameters.
func (api *restAPI) addRequestChecks(f *function, event, path, key string, p map[string]any) error {
	op := asMap(asMap(asMap(api.body["paths"])[path])[key])
	if op == nil {
		return nil
	}
	if rm, ok := p["RequestModel"]; ok {
		req := asMap(rm)
		name, _ := req["Model"].(string)
		if req == nil || name == "" {
			return eventError(f.id, event, "Invalid value for 'RequestModel' property.")
		}
		models := asMap(api.props["Models"])
		if models == nil {
			return eventError(f.id, event, "Unable to set RequestModel [%s] on API method [%s] for path [%s] because the related API does not define any 'Models'.", name, methodName(key), path)
		}
		if _, ok := models[name]; !ok {
			return eventError(f.id, event, "Unable to set RequestModel [%s] on API method [%s] for path [%s] because it wasn't defined in the API's Models.", name, methodName(key), path)
		}
		lower := strings.ToLower(name)
		required, hasRequired := req["Required"]
		if api.v3 {
			body := map[string]any{"content": map[string]any{"application/json": map[string]any{
				"schema": map[string]any{"$ref": "#/components/schemas/" + lower}}}}
			if hasRequired {
				body["required"] = clone(required)
			}
			op["requestBody"] = body
		} else {
			prm := map[string]any{"in": "body", "name": lower, "schema": map[string]any{"$ref": "#/definitions/" + lower}}
			if hasRequired {
				prm["required"] = clone(required)
			}
			op["parameters"] = append(asList(op["parameters"]), prm)
		}
		vb, hasBody := req["ValidateBody"]
		vp, hasParams := req["ValidateParameters"]
		if hasBody || hasParams {
			api.addValidator(op, truthy(vb), truthy(vp))
		}
	}
	if rp, ok := p["RequestParameters"]; ok {
		for _, e := range asList(rp) {
			name, settings := "", map[string]any{}
			if s, ok := e.(string); ok {
				name = s
			} else if m := asMap(e); len(m) == 1 {
				for k, v := range m {
					name, settings = k, asMap(v)
				}
			}
			parts := requestParameter.FindStringSubmatch(name)
			if parts == nil {
				return eventError(f.id, event, "Invalid value for 'RequestParameters' property. Keys must be in the format 'method.request.[querystring|path|header].{value}', e.g 'method.request.header.Authorization'.")
			}
			in := parts[1]
			if in == "querystring" {
				in = "query"
			}
			prm := map[string]any{"in": in, "name": parts[2], "required": truthy(settings["Required"])}
			if api.v3 {
				prm["schema"] = map[string]any{"type": "string"}
			} else {
				prm["type"] = "string"
			}
			op["parameters"] = append(asList(op["parameters"]), prm)
			if truthy(settings["Caching"]) {
				ig := asMap(op["x-amazon-apigateway-integration"])
				ig["cacheKeyParameters"] = append(asList(ig["cacheKeyParameters"]), name)
			}
		}
	}
	return nil
}

// addValidator puts an operation under the request validator SAM names
// after what it validates, adding the validator to the document.
func (api *restAPI) addValidator(op map[string]any, body, params bool) {
	name := "no-validation"
	switch {
	case body && params:
		name = "body-and-params"
	case body:
		name = "body-only"
	case params:
		name = "params-only"
	}
	validators := asMap(api.body["x-amazon-apigateway-request-validators"])
	if validators == nil {
		validators = map[string]any{}
		api.body["x-amazon-apigateway-request-validators"] = validators
	}
	if _, ok := validators[name]; !ok {
		validators[name] = map[string]any{"validateRequestBody": body, "validateRequestParameters": params}
	}
	op["x-amazon-apigateway-request-validator"] = name
}
