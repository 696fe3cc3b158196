package sam

import (
	"strings"
)

// implicitHTTPAPI is the HTTP API SAM makes for the HttpApi events that
// name no ApiId.
const implicitHTTPAPI = "ServerlessHttpApi"

// defaultRoute is the route key of an HTTP API's catch-all route, which an
// HttpApi event without Path and Method asks for.
const defaultRoute = "$default"

// An HTTP API is built in one of two ways. When the template gives its
// OpenAPI document (DefinitionBody, or DefinitionUri), SAM's way is kept:
// the events' routes are added to the document and the API is imported
// from it (Body or BodyS3Location). Otherwise SAM would generate a
// document too; the transform writes the routes as resources instead,
// which is the same API with each route visible as a stack resource: one
// AWS::ApiGatewayV2::Integration and
// AWS::ApiGatewayV2::Route per event (FUNCTIONEVENTIntegration,
// FUNCTIONEVENTRoute) and one AWS::ApiGatewayV2::Authorizer per
// authorizer (APINAMEAuthorizer). The API, its stage and the permissions
// keep SAM's logical IDs either way.

// httpAPI is an AWS::Serverless::HttpApi, declared or implicit.
type httpAPI struct {
	id       string
	raw      map[string]any
	props    map[string]any
	attrs    attributes
	implicit bool
	// body is the template's OpenAPI document and bodyS3 its S3
	// location; both are nil when the routes are written as resources.
	body   map[string]any
	bodyS3 map[string]any
	routes []*httpRoute
	keys   map[string]bool
}

// httpRoute is a route an HttpApi event adds.
type httpRoute struct {
	f       *function
	event   string
	key     string // "GET /path", "ANY /path" or "$default"
	path    string
	method  string // lower-case, "any" or "" for the default route
	auth    map[string]any
	payload any
	timeout any
}

// declareHTTPAPI reads an explicit AWS::Serverless::HttpApi.
func (t *transformer) declareHTTPAPI(id string, raw map[string]any) error {
	props, err := properties(id, typeHTTPAPI, raw)
	if err != nil {
		return err
	}
	api := &httpAPI{id: id, raw: raw, props: t.globals.apply("HttpApi", props), attrs: attributesOf(raw), keys: map[string]bool{}}
	_, hasBody := api.props["DefinitionBody"]
	_, hasURI := api.props["DefinitionUri"]
	if hasBody || hasURI {
		body, s3, _, err := t.definition(id, api.props, true, nil)
		if err != nil {
			return err
		}
		api.body, api.bodyS3 = body, s3
	}
	t.httpAPIs[id] = api
	return nil
}

// implicitHTTP returns ServerlessHttpApi, creating it on first use.
func (t *transformer) implicitHTTP() *httpAPI {
	if api, ok := t.httpAPIs[implicitHTTPAPI]; ok {
		return api
	}
	api := &httpAPI{id: implicitHTTPAPI, implicit: true, props: t.globals.apply("HttpApi", nil), keys: map[string]bool{}}
	t.httpAPIs[implicitHTTPAPI] = api
	return api
}

// httpAPIEvent adds an HttpApi event's route to its API and lets API
// Gateway invoke the function for it: FUNCTIONEVENTPermission.
func (t *transformer) httpAPIEvent(f *function, name string, p map[string]any) error {
	var api *httpAPI
	if v, ok := p["ApiId"]; ok {
		target, _ := refTarget(v)
		api = t.httpAPIs[target]
		if api == nil && target == implicitHTTPAPI && t.samTypes[target] == "" && t.out[target] == nil {
			api = t.implicitHTTP()
		}
		if api == nil {
			return eventError(f.id, name, "ApiId must be a valid reference to an 'AWS::Serverless::HttpApi' resource in same template.")
		}
	} else {
		api = t.implicitHTTP()
	}
	r := &httpRoute{f: f, event: name, auth: asMap(p["Auth"]), payload: "2.0", timeout: p["TimeoutInMillis"]}
	if v, ok := p["PayloadFormatVersion"]; ok {
		r.payload = clone(v)
	}
	_, hasPath := p["Path"]
	_, hasMethod := p["Method"]
	switch {
	case !hasPath && !hasMethod:
		r.key = defaultRoute
	case hasPath && hasMethod:
		// Wording of these two unconfirmed.
		path, ok := p["Path"].(string)
		if !ok || !strings.HasPrefix(path, "/") {
			return eventError(f.id, name, "Path must be a string that starts with '/'.")
		}
		method, ok := p["Method"].(string)
		if !ok || method == "" {
			return eventError(f.id, name, "Method must be a string.")
		}
		r.path, r.method = path, strings.ToLower(method)
		r.key = strings.ToUpper(method) + " " + path
	default:
		// Wording unconfirmed.
		return eventError(f.id, name, "Path and Method must both be set, or both be left out for the default route.")
	}
	if api.keys[r.key] {
		// Wording unconfirmed.
		return eventError(f.id, name, "The route %s is defined more than once on API %s.", r.key, api.id)
	}
	api.keys[r.key] = true
	if _, ok := p["RouteSettings"]; ok {
		t.warn(f.id, "event %s: RouteSettings is not supported by virga yet and was ignored", name)
	}
	api.routes = append(api.routes, r)

	arnPath := "*"
	if r.key != defaultRoute {
		verb := strings.ToUpper(r.method)
		if verb == "ANY" {
			verb = "*"
		}
		arnPath = verb + sourceArnPath(r.path)
	}
	arn := subVars("arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${__ApiId__}/${__Stage__}/"+arnPath,
		map[string]any{"__ApiId__": ref(api.id), "__Stage__": "*"})
	return t.add(f.id, f.id+name+"Permission", permission(f, "apigateway.amazonaws.com", arn))
}

// httpAuthorizer is an authorizer of an HTTP API.
type httpAuthorizer struct {
	name   string
	kind   string // "lambda", "jwt" or "iam"
	id     string // logical ID of its resource
	spec   map[string]any
	scopes any // a JWT authorizer's default AuthorizationScopes
}

// httpAuth reads an HTTP API's Auth: its authorizers by name and the
// default one.
func (t *transformer) httpAuth(api *httpAPI) (map[string]*httpAuthorizer, string, error) {
	auth := asMap(api.props["Auth"])
	out := map[string]*httpAuthorizer{}
	authorizers := asMap(auth["Authorizers"])
	for _, name := range sortedKeys(authorizers) {
		a := asMap(authorizers[name])
		if a == nil {
			return nil, "", invalidType(api.id, "Auth.Authorizers."+name)
		}
		z := &httpAuthorizer{name: name, spec: a, id: api.id + alphanumeric(name) + "Authorizer"}
		switch {
		case a["FunctionArn"] != nil:
			z.kind = "lambda"
			if _, ok := a["AuthorizerPayloadFormatVersion"]; !ok {
				// Wording unconfirmed.
				return nil, "", resourceError(api.id, "Property 'AuthorizerPayloadFormatVersion' must be specified for Lambda authorizer %s.", name)
			}
		case a["JwtConfiguration"] != nil:
			z.kind = "jwt"
			z.scopes = a["AuthorizationScopes"]
		default:
			// Wording unconfirmed.
			return nil, "", resourceError(api.id, "Authorizer %s must have either 'FunctionArn' or 'JwtConfiguration'.", name)
		}
		out[name] = z
	}
	if truthy(auth["EnableIamAuthorizer"]) {
		out["AWS_IAM"] = &httpAuthorizer{name: "AWS_IAM", kind: "iam"}
	}
	def, _ := auth["DefaultAuthorizer"].(string)
	if def != "" && out[def] == nil {
		return nil, "", resourceError(api.id, "Unable to set DefaultAuthorizer because '%s' was not defined in 'Authorizers'.", def)
	}
	return out, def, nil
}

// routeAuthorizer is the authorizer that guards a route, nil for none,
// and the scopes it requires.
func routeAuthorizer(r *httpRoute, authorizers map[string]*httpAuthorizer, def string) (*httpAuthorizer, any, error) {
	name := def
	var scopes any
	if r.auth != nil {
		if a, ok := r.auth["Authorizer"].(string); ok {
			name = a
		}
		scopes = r.auth["AuthorizationScopes"]
	}
	if name == "" || name == "NONE" {
		return nil, nil, nil
	}
	z := authorizers[name]
	if z == nil {
		method := r.method
		if r.key == defaultRoute {
			method = "any"
		}
		if len(authorizers) == 0 {
			return nil, nil, eventError(r.f.id, r.event, "Unable to set Authorizer [%s] on API method [%s] for path [%s] because the related API does not define any Authorizers.", name, method, r.path)
		}
		// Wording unconfirmed.
		return nil, nil, eventError(r.f.id, r.event, "Unable to set Authorizer [%s] on API method [%s] for path [%s] because it wasn't defined in the API's Authorizers.", name, method, r.path)
	}
	if scopes == nil {
		scopes = z.scopes
	}
	return z, scopes, nil
}

// defaultHTTPAuthorizer puts the document's own operations under the
// API's DefaultAuthorizer, as SAM does: each one with an integration and
// no security of its own, the CORS preflight (options) and the
// operations in chosen (those an event's Auth decided) aside.
func defaultHTTPAuthorizer(body map[string]any, z *httpAuthorizer, chosen map[string]bool) {
	paths, _ := body["paths"].(map[string]any)
	for _, path := range sortedKeys(paths) {
		item := asMap(paths[path])
		for _, key := range sortedKeys(item) {
			op := asMap(item[key])
			if !operationKeys[key] || key == "options" || op == nil || chosen[path+" "+key] {
				continue
			}
			if _, has := op["x-amazon-apigateway-integration"]; !has || len(asList(op["security"])) > 0 {
				continue
			}
			op["security"] = securityRequirement(z.name, z.scopes)
		}
	}
}

// securityRequirement is an operation's security under one authorizer
// with its scopes.
func securityRequirement(name string, scopes any) []any {
	s := []any{}
	if l := asList(scopes); l != nil {
		s = clone(l).([]any)
	}
	return []any{map[string]any{name: s}}
}

// httpAPITagName is the tag SAM puts on what it makes for an HTTP API.
const httpAPITagName = "httpapi:createdBy"

// emitHTTPAPI adds the HTTP API, its routes and its stage.
func (t *transformer) emitHTTPAPI(api *httpAPI) error {
	props := api.props
	if _, ok := props["PropagateTags"]; ok {
		t.warn(api.id, "PropagateTags is not supported by virga yet and was ignored")
	}
	authorizers, def, err := t.httpAuth(api)
	if err != nil {
		return err
	}
	tags := map[string]any{}
	if m := asMap(props["Tags"]); m != nil {
		tags = cloneMap(m)
	}
	tags[httpAPITagName] = "SAM"

	var routeIDs []any
	out := map[string]any{"Tags": tags}
	copyKeys(out, props, "DisableExecuteApiEndpoint", "FailOnWarnings")
	if api.body != nil || api.bodyS3 != nil {
		if err := t.httpBody(api, authorizers, def); err != nil {
			return err
		}
		if api.body != nil {
			out["Body"] = api.body
		} else {
			out["BodyS3Location"] = api.bodyS3
			if c, ok := props["CorsConfiguration"]; ok {
				out["CorsConfiguration"] = httpCors(c, false)
			}
		}
	} else {
		out["Name"] = ref("AWS::StackName")
		out["ProtocolType"] = "HTTP"
		copyKeys(out, props, "Name", "Description")
		if c, ok := props["CorsConfiguration"]; ok {
			out["CorsConfiguration"] = httpCors(c, false)
		}
		if routeIDs, err = t.httpRoutes(api, authorizers, def); err != nil {
			return err
		}
	}
	var r map[string]any
	if api.implicit {
		r = api.attrs.resource("AWS::ApiGatewayV2::Api", out)
	} else {
		r = api.attrs.mainResource(api.raw, "AWS::ApiGatewayV2::Api", out)
	}
	if err := t.add(api.id, api.id, r); err != nil {
		return err
	}

	stageName := any(defaultRoute)
	stageID := api.id + "ApiGatewayDefaultStage"
	if s, ok := props["StageName"]; ok {
		stageName = clone(s)
		if s != defaultRoute {
			// Named as a REST API's stage is: from StageName as written.
			stageID, _ = stageIDs(api.id, s)
		}
	}
	stage := map[string]any{
		"ApiId":      ref(api.id),
		"StageName":  stageName,
		"AutoDeploy": true,
		"Tags":       cloneMap(tags),
	}
	copyKeys(stage, props, "AccessLogSettings", "DefaultRouteSettings", "RouteSettings", "StageVariables")
	sr := api.attrs.resource("AWS::ApiGatewayV2::Stage", stage)
	if len(routeIDs) > 0 {
		sr["DependsOn"] = routeIDs
	}
	if err := t.add(api.id, stageID, sr); err != nil {
		return err
	}
	t.refs[api.id+".Stage"] = stageID
	if err := t.httpDomain(api, stageID); err != nil {
		return err
	}
	return t.authorizerPermissions(api.id, api.attrs, asMap(asMap(props["Auth"])["Authorizers"]), true)
}

// httpCors is an HTTP API's CORS configuration: true allows every origin,
// header and method. In an OpenAPI document the keys start in lower case.
func httpCors(v any, document bool) any {
	var cfg map[string]any
	switch {
	case truthy(v):
		cfg = map[string]any{"AllowOrigins": []any{"*"}, "AllowHeaders": []any{"*"}, "AllowMethods": []any{"*"}}
	case asMap(v) != nil:
		cfg = cloneMap(asMap(v))
	default:
		return clone(v)
	}
	if !document {
		return cfg
	}
	out := map[string]any{}
	for k, v := range cfg {
		out[lowerFirst(k)] = v
	}
	return out
}

// httpRoutes writes each route as an integration and a route resource,
// with the API's authorizers, and returns the routes' logical IDs that
// the stage waits for.
func (t *transformer) httpRoutes(api *httpAPI, authorizers map[string]*httpAuthorizer, def string) ([]any, error) {
	for _, name := range sortedKeys(authorizers) {
		z := authorizers[name]
		if z.kind == "iam" {
			continue
		}
		if err := t.add(api.id, z.id, api.attrs.resource("AWS::ApiGatewayV2::Authorizer", t.httpAuthorizerProps(api.id, z))); err != nil {
			return nil, err
		}
	}
	var waits []any
	for _, r := range api.routes {
		integrationID := r.f.id + r.event + "Integration"
		integration := map[string]any{
			"ApiId":                ref(api.id),
			"IntegrationType":      "AWS_PROXY",
			"IntegrationMethod":    "POST",
			"IntegrationUri":       lambdaInvocationURI(r.f.subARN()),
			"PayloadFormatVersion": r.payload,
		}
		if r.timeout != nil {
			integration["TimeoutInMillis"] = clone(r.timeout)
		}
		if err := t.add(r.f.id, integrationID, r.f.resource("AWS::ApiGatewayV2::Integration", integration)); err != nil {
			return nil, err
		}
		route := map[string]any{
			"ApiId":    ref(api.id),
			"RouteKey": r.key,
			"Target":   sub("integrations/${" + integrationID + "}"),
		}
		z, scopes, err := routeAuthorizer(r, authorizers, def)
		if err != nil {
			return nil, err
		}
		switch {
		case z == nil:
			route["AuthorizationType"] = "NONE"
		case z.kind == "iam":
			route["AuthorizationType"] = "AWS_IAM"
		case z.kind == "jwt":
			route["AuthorizationType"] = "JWT"
			route["AuthorizerId"] = ref(z.id)
		default:
			route["AuthorizationType"] = "CUSTOM"
			route["AuthorizerId"] = ref(z.id)
		}
		if z != nil && scopes != nil {
			route["AuthorizationScopes"] = clone(scopes)
		}
		routeID := r.f.id + r.event + "Route"
		if err := t.add(r.f.id, routeID, r.f.resource("AWS::ApiGatewayV2::Route", route)); err != nil {
			return nil, err
		}
		if r.f.attrs.condition == nil && api.attrs.condition == nil {
			waits = append(waits, routeID)
		}
	}
	return waits, nil
}

// httpIdentitySources are a Lambda authorizer's identity sources, from
// its Identity; $request.header.Authorization when it names none.
func httpIdentitySources(identity map[string]any) []any {
	var src []any
	for _, part := range []struct{ key, prefix string }{
		{"Headers", "$request.header."},
		{"QueryStrings", "$request.querystring."},
		{"Context", "$context."},
		{"StageVariables", "$stageVariables."},
	} {
		for _, v := range asList(identity[part.key]) {
			if s, ok := v.(string); ok {
				src = append(src, part.prefix+s)
			}
		}
	}
	if len(src) == 0 {
		src = []any{"$request.header.Authorization"}
	}
	return src
}

// jwtConfiguration reads SAM's JwtConfiguration, whose keys SAM writes in
// lower case (issuer, audience), into CloudFormation's.
func jwtConfiguration(v any) map[string]any {
	m := asMap(v)
	out := map[string]any{}
	for _, k := range []string{"Issuer", "Audience"} {
		if x, ok := m[k]; ok {
			out[k] = clone(x)
		} else if x, ok := m[lowerFirst(k)]; ok {
			out[k] = clone(x)
		}
	}
	return out
}

// httpAuthorizerProps are the properties of an AWS::ApiGatewayV2::Authorizer.
func (t *transformer) httpAuthorizerProps(apiID string, z *httpAuthorizer) map[string]any {
	a := z.spec
	props := map[string]any{"ApiId": ref(apiID), "Name": z.name}
	if z.kind == "jwt" {
		props["AuthorizerType"] = "JWT"
		props["JwtConfiguration"] = jwtConfiguration(a["JwtConfiguration"])
		src := any("$request.header.Authorization")
		if s, ok := a["IdentitySource"]; ok {
			src = clone(s)
		}
		props["IdentitySource"] = []any{src}
		return props
	}
	identity := asMap(a["Identity"])
	props["AuthorizerType"] = "REQUEST"
	props["AuthorizerUri"] = subVars("arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${__FunctionArn__}/invocations",
		map[string]any{"__FunctionArn__": clone(a["FunctionArn"])})
	props["IdentitySource"] = httpIdentitySources(identity)
	copyKeys(props, a, "AuthorizerPayloadFormatVersion", "EnableSimpleResponses")
	if ttl, ok := identity["ReauthorizeEvery"]; ok {
		props["AuthorizerResultTtlInSeconds"] = clone(ttl)
	}
	if role, ok := a["FunctionInvokeRole"]; ok {
		props["AuthorizerCredentialsArn"] = clone(role)
	}
	return props
}

// httpBody adds the routes, authorizers and CORS settings to the API's
// OpenAPI document, as SAM does.
func (t *transformer) httpBody(api *httpAPI, authorizers map[string]*httpAuthorizer, def string) error {
	if api.body == nil {
		if len(api.routes) > 0 {
			t.warn(api.id, "the API's definition is in S3, so its HttpApi events' routes must already be in it")
		}
		return nil
	}
	// The operations the events chose an authorizer for (NONE included)
	// keep it; the document's others take the default below.
	chosen := map[string]bool{}
	for _, r := range api.routes {
		path, key := r.path, r.method
		if r.key == defaultRoute {
			path, key = defaultRoute, "any"
		}
		if key == "any" {
			key = anyMethod
		}
		chosen[path+" "+key] = true
		item, err := pathItem(api.body, path)
		if err != nil {
			return eventError(r.f.id, r.event, "%s", err.Error())
		}
		op := asMap(item[key])
		if op == nil {
			op = map[string]any{"responses": map[string]any{}}
			item[key] = op
		}
		if _, has := op["x-amazon-apigateway-integration"]; !has {
			integration := map[string]any{
				"type":                 "aws_proxy",
				"httpMethod":           "POST",
				"uri":                  lambdaInvocationURI(r.f.subARN()),
				"payloadFormatVersion": r.payload,
			}
			if r.timeout != nil {
				integration["timeoutInMillis"] = clone(r.timeout)
			}
			op["x-amazon-apigateway-integration"] = integration
		}
		if r.key == defaultRoute {
			op["isDefaultRoute"] = true
		}
		z, scopes, err := routeAuthorizer(r, authorizers, def)
		if err != nil {
			return err
		}
		if _, has := op["security"]; !has && z != nil {
			op["security"] = securityRequirement(z.name, scopes)
		}
	}
	if z := authorizers[def]; z != nil {
		defaultHTTPAuthorizer(api.body, z, chosen)
	}
	if len(authorizers) > 0 {
		components, _ := api.body["components"].(map[string]any)
		if components == nil {
			components = map[string]any{}
			api.body["components"] = components
		}
		schemes, _ := components["securitySchemes"].(map[string]any)
		if schemes == nil {
			schemes = map[string]any{}
			components["securitySchemes"] = schemes
		}
		for _, name := range sortedKeys(authorizers) {
			schemes[name] = httpScheme(authorizers[name])
		}
	}
	if c, ok := api.props["CorsConfiguration"]; ok {
		api.body["x-amazon-apigateway-cors"] = httpCors(c, true)
	}
	// With a document, the API takes its name and description from it.
	if info := asMap(api.body["info"]); info != nil {
		for _, k := range []string{"Name", "Description"} {
			if v, ok := api.props[k]; ok {
				key := "description"
				if k == "Name" {
					key = "title"
				}
				info[key] = clone(v)
			}
		}
	}
	return nil
}

// httpScheme is an HTTP API authorizer as an OpenAPI security scheme.
func httpScheme(z *httpAuthorizer) map[string]any {
	switch z.kind {
	case "iam":
		return iamScheme()
	case "jwt":
		ext := map[string]any{
			"type":             "jwt",
			"jwtConfiguration": lowerKeys(jwtConfiguration(z.spec["JwtConfiguration"])),
			"identitySource":   "$request.header.Authorization",
		}
		if s, ok := z.spec["IdentitySource"]; ok {
			ext["identitySource"] = clone(s)
		}
		return map[string]any{"type": "oauth2", "x-amazon-apigateway-authorizer": ext}
	}
	identity := asMap(z.spec["Identity"])
	var src []string
	for _, s := range httpIdentitySources(identity) {
		src = append(src, s.(string))
	}
	ext := map[string]any{
		"type": "request",
		"authorizerUri": subVars("arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${__FunctionArn__}/invocations",
			map[string]any{"__FunctionArn__": clone(z.spec["FunctionArn"])}),
		"identitySource": strings.Join(src, ","),
	}
	for _, o := range []struct {
		key  string
		from map[string]any
		name string
	}{
		{"authorizerPayloadFormatVersion", z.spec, "AuthorizerPayloadFormatVersion"},
		{"enableSimpleResponses", z.spec, "EnableSimpleResponses"},
		{"authorizerResultTtlInSeconds", identity, "ReauthorizeEvery"},
		{"authorizerCredentials", z.spec, "FunctionInvokeRole"},
	} {
		if v, ok := o.from[o.name]; ok {
			ext[o.key] = clone(v)
		}
	}
	return map[string]any{"type": "apiKey", "name": "Unused", "in": "header", "x-amazon-apigateway-authorizer": ext}
}

// lowerKeys lowers the first letter of a map's keys.
func lowerKeys(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[lowerFirst(k)] = v
	}
	return out
}
