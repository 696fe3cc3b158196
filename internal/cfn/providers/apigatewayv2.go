package providers

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/virga/virga/internal/cfn/resource"
)

// API Gateway's HTTP and WebSocket APIs (service "apigatewayv2"). Their update
// operations take the members that change, so a change of properties is
// the members that differ, with the defaults of those a template drops.

func init() {
	resource.Register(&resource.Type{
		Name:       "AWS::ApiGatewayV2::Api",
		Tags:       resource.TagMap,
		Provider:   httpAPI{},
		Replace:    []string{"ProtocolType"},
		Attributes: []string{"ApiEndpoint", "ApiId"},
	})
	resource.Register(&resource.Type{
		Name:       "AWS::ApiGatewayV2::Route",
		Required:   []string{"RouteKey", "ApiId"},
		Provider:   httpRoute{},
		Replace:    []string{"ApiId"},
		Attributes: []string{"RouteId"},
	})
	resource.Register(&resource.Type{
		Name:       "AWS::ApiGatewayV2::Integration",
		Required:   []string{"ApiId", "IntegrationType"},
		Provider:   httpIntegration{},
		Replace:    []string{"ApiId"},
		Attributes: []string{"IntegrationId"},
	})
	resource.Register(&resource.Type{
		Name:       "AWS::ApiGatewayV2::Stage",
		Tags:       resource.TagMap,
		Required:   []string{"StageName", "ApiId"},
		Provider:   httpStage{},
		Replace:    []string{"ApiId", "StageName"},
		Attributes: []string{},
	})
	resource.Register(&resource.Type{
		Name:       "AWS::ApiGatewayV2::Deployment",
		Required:   []string{"ApiId"},
		Provider:   httpDeployment{},
		Replace:    []string{"ApiId"},
		Attributes: []string{"DeploymentId"},
	})
	resource.Register(&resource.Type{
		Name:       "AWS::ApiGatewayV2::RouteResponse",
		Required:   []string{"RouteResponseKey", "RouteId", "ApiId"},
		Provider:   routeResponse{},
		Replace:    []string{"ApiId", "RouteId"},
		Attributes: []string{"RouteResponseId"},
	})
	resource.Register(&resource.Type{
		Name:       "AWS::ApiGatewayV2::IntegrationResponse",
		Required:   []string{"ApiId", "IntegrationId", "IntegrationResponseKey"},
		Provider:   integrationResponse{},
		Replace:    []string{"ApiId", "IntegrationId"},
		Attributes: []string{"IntegrationResponseId"},
	})
	resource.Register(&resource.Type{
		Name:       "AWS::ApiGatewayV2::Authorizer",
		Required:   []string{"AuthorizerType", "ApiId", "Name"},
		Provider:   httpAuthorizer{},
		Replace:    []string{"ApiId"},
		Attributes: []string{"AuthorizerId"},
	})
	resource.Register(&resource.Type{
		Name:       "AWS::ApiGatewayV2::VpcLink",
		Tags:       resource.TagMap,
		Required:   []string{"Name", "SubnetIds"},
		Provider:   vpcLink{},
		Replace:    []string{"SubnetIds", "SecurityGroupIds"},
		Attributes: []string{"VpcLinkId"},
	})
	resource.Register(&resource.Type{
		Name:       "AWS::ApiGatewayV2::Model",
		Required:   []string{"ApiId", "Schema", "Name"},
		Provider:   wsModel{},
		Replace:    []string{"ApiId"},
		Attributes: []string{"ModelId"},
	})
}

// httpAPIKinds are the types of the HTTP and WebSocket API resources'
// members that templates may write in another (the payload format
// versions are text, often written as the number 2.0).
var httpAPIKinds = map[string]kind{
	"PayloadFormatVersion": stringKind, "AuthorizerPayloadFormatVersion": stringKind,
	"TimeoutInMillis": number, "AuthorizerResultTtlInSeconds": number, "MaxAge": number,
	"ThrottlingBurstLimit": number, "ThrottlingRateLimit": number,
	"AutoDeploy": boolean, "AllowCredentials": boolean, "EnableSimpleResponses": boolean, "ApiKeyRequired": boolean,
	"DisableExecuteApiEndpoint": boolean, "DisableSchemaValidation": boolean, "FailOnWarnings": boolean,
	"DataTraceEnabled": boolean, "DetailedMetricsEnabled": boolean, "Required": boolean,
}

// HTTP APIs' defaults, which an update puts back when a template drops
// the property.
const (
	defaultRouteSelection  = "$request.method $request.path"
	defaultAPIKeySelection = "$request.header.x-api-key"
	defaultHTTPTimeout     = 30000 // milliseconds, also the largest
)

// httpAPI is AWS::ApiGatewayV2::Api: CreateApi (quick create included:
// Target, RouteKey, CredentialsArn), UpdateApi, DeleteCorsConfiguration
// and the tagging operations; an API defined by an OpenAPI document
// (Body, or BodyS3Location in virga's S3) is ImportApi's, and a change of
// the document ReimportApi's. Its physical ID
// and Ref are the API's id; ApiEndpoint is where virga serves it.
type httpAPI struct{}

// httpAPIMembers are the members CreateApi and UpdateApi take.
var httpAPIMembers = memberList{
	{prop: "Name"},
	{prop: "Description", reset: ""},
	{prop: "Version", reset: ""},
	{prop: "RouteSelectionExpression", reset: defaultRouteSelection},
	{prop: "ApiKeySelectionExpression", reset: defaultAPIKeySelection},
	{prop: "DisableExecuteApiEndpoint", reset: false},
	{prop: "DisableSchemaValidation", reset: false},
	{prop: "CorsConfiguration", conv: lowerKeys},
	{prop: "CredentialsArn"},
	{prop: "RouteKey"},
	{prop: "Target"},
}

func (httpAPI) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p, _ := coerced(r, httpAPIKinds)
	if p.has("Body") || p.has("BodyS3Location") {
		return importHTTPAPI(ctx, r, p)
	}
	in := map[string]any{}
	if p.has("ProtocolType") {
		in["protocolType"] = p.str("ProtocolType")
	}
	if err := httpAPIMembers.add(in, p); err != nil {
		return nil, err
	}
	if tags := tagsOf(p["Tags"]); len(tags) > 0 {
		in["tags"] = anyMap(tags)
	}
	out, err := call(ctx, r, httpAPIs, "CreateApi", in)
	if err != nil {
		return nil, err
	}
	return httpAPIResult(r, outStr(out, "apiId"), p), nil
}

// importHTTPAPI makes an API from its OpenAPI document with ImportApi,
// then gives it the template's settings over the document's.
func importHTTPAPI(ctx context.Context, r *resource.Request, p props) (*resource.Result, error) {
	in, err := httpDefinitionInput(ctx, r, p)
	if err != nil {
		return nil, err
	}
	out, err := call(ctx, r, httpAPIs, "ImportApi", in)
	if err != nil {
		return nil, err
	}
	id := outStr(out, "apiId")
	// Once ImportApi made the API, a failure names it: the rollback
	// deletes it.
	upd := map[string]any{"ApiId": id}
	if n, err := httpAPIMembers.changes(upd, nil, p); err != nil || n > 0 {
		if err == nil {
			_, err = call(ctx, r, httpAPIs, "UpdateApi", upd)
		}
		if err != nil {
			return httpAPIResult(r, id, p), err
		}
	}
	if err := retagAPIGateway(ctx, r, httpAPIs, httpAPIARN(r, id), nil, tagsOf(p["Tags"])); err != nil {
		return httpAPIResult(r, id, p), err
	}
	return httpAPIResult(r, id, p), nil
}

// httpDefinitionInput is the input of ImportApi and ReimportApi.
func httpDefinitionInput(ctx context.Context, r *resource.Request, p props) (map[string]any, error) {
	var body string
	var err error
	if p.has("Body") {
		body, err = jsonText(p["Body"])
	} else {
		body, err = s3Definition(ctx, r, "AWS::ApiGatewayV2::Api", p.obj("BodyS3Location"))
	}
	if err != nil {
		return nil, err
	}
	in := map[string]any{"body": body}
	if p.has("BasePath") {
		in["Basepath"] = p.str("BasePath")
	}
	if p.has("FailOnWarnings") {
		in["FailOnWarnings"] = p.flag("FailOnWarnings")
	}
	return in, nil
}

func (httpAPI) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p, old := coerced(r, httpAPIKinds)
	id := r.PhysicalID
	if (p.has("Body") || p.has("BodyS3Location")) && changed(old, p, "Body", "BodyS3Location", "BasePath", "FailOnWarnings") {
		in, err := httpDefinitionInput(ctx, r, p)
		if err != nil {
			return nil, err
		}
		in["ApiId"] = id
		if _, err := call(ctx, r, httpAPIs, "ReimportApi", in); err != nil {
			return nil, err
		}
	}
	in := map[string]any{"ApiId": id}
	n, err := httpAPIMembers.changes(in, old, p)
	if err != nil {
		return nil, err
	}
	if n > 0 {
		if _, err := call(ctx, r, httpAPIs, "UpdateApi", in); err != nil {
			return nil, err
		}
	}
	if old.has("CorsConfiguration") && !p.has("CorsConfiguration") {
		if _, err := call(ctx, r, httpAPIs, "DeleteCorsConfiguration", map[string]any{"ApiId": id}); err != nil {
			return nil, err
		}
	}
	if err := retagAPIGateway(ctx, r, httpAPIs, httpAPIARN(r, id), tagsOf(old["Tags"]), tagsOf(p["Tags"])); err != nil {
		return nil, err
	}
	return httpAPIResult(r, id, p), nil
}

func (httpAPI) Delete(ctx context.Context, r *resource.Request) error {
	_, err := call(ctx, r, httpAPIs, "DeleteApi", map[string]any{"ApiId": r.PhysicalID})
	return ignoreGone(err)
}

func httpAPIResult(r *resource.Request, id string, p props) *resource.Result {
	endpoint := httpAPIEndpoint(r, id)
	if p.str("ProtocolType") == "WEBSOCKET" {
		endpoint = "ws" + strings.TrimPrefix(endpoint, "http")
	}
	return &resource.Result{PhysicalID: id, Attributes: map[string]any{"ApiId": id, "ApiEndpoint": endpoint}}
}

// httpAPIEndpoint is where virga serves an API's $default stage:
// http://ID.execute-api.localhost:PORT, on the port of virga's endpoint
// (ws://... for a WebSocket API, whose clients add the stage's name).
func httpAPIEndpoint(r *resource.Request, id string) string {
	host := id + ".execute-api.localhost"
	if u, err := url.Parse(r.Env.Endpoint); err == nil && u.Port() != "" {
		host += ":" + u.Port()
	}
	return "http://" + host
}

// httpAPIARN is the ARN API Gateway tags an HTTP API by.
func httpAPIARN(r *resource.Request, id string) string {
	return "arn:aws:apigateway:" + r.Env.Region + "::/apis/" + id
}

// httpRoute is AWS::ApiGatewayV2::Route: CreateRoute and UpdateRoute.
// Its physical ID and Ref are the route's id.
type httpRoute struct{}

var routeMembers = memberList{
	{prop: "RouteKey"},
	{prop: "Target", reset: ""},
	{prop: "ApiKeyRequired", reset: false},
	{prop: "OperationName", reset: ""},
	{prop: "RequestModels", conv: stringMapValue, reset: map[string]any{}},
	{prop: "RequestParameters", conv: routeParameters, reset: map[string]any{}},
	{prop: "ModelSelectionExpression", reset: ""},
	{prop: "RouteResponseSelectionExpression", reset: ""},
}

// routeAuthMembers are a route's authorization, which an update gives
// whole when any part of it changes, since UpdateRoute checks the
// authorizer against the type.
var routeAuthMembers = memberList{
	{prop: "AuthorizationType"},
	{prop: "AuthorizerId"},
	{prop: "AuthorizationScopes"},
}

func (httpRoute) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p, _ := coerced(r, httpAPIKinds)
	in := map[string]any{"ApiId": p.str("ApiId")}
	if err := routeMembers.add(in, p); err != nil {
		return nil, err
	}
	if err := routeAuthMembers.add(in, p); err != nil {
		return nil, err
	}
	out, err := call(ctx, r, httpAPIs, "CreateRoute", in)
	if err != nil {
		return nil, err
	}
	id := outStr(out, "routeId")
	return &resource.Result{PhysicalID: id, Attributes: map[string]any{"RouteId": id}}, nil
}

func (httpRoute) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p, old := coerced(r, httpAPIKinds)
	in := map[string]any{"ApiId": p.str("ApiId"), "RouteId": r.PhysicalID}
	n, err := routeMembers.changes(in, old, p)
	if err != nil {
		return nil, err
	}
	if changed(old, p, "AuthorizationType", "AuthorizerId", "AuthorizationScopes") {
		if err := routeAuthMembers.add(in, p); err != nil {
			return nil, err
		}
		if !p.has("AuthorizationType") {
			in["authorizationType"] = "NONE"
		}
		if !p.has("AuthorizationScopes") {
			in["authorizationScopes"] = []any{} // else UpdateRoute keeps a JWT route's scopes
		}
		n++
	}
	if n > 0 {
		if _, err := call(ctx, r, httpAPIs, "UpdateRoute", in); err != nil {
			return nil, err
		}
	}
	return &resource.Result{PhysicalID: r.PhysicalID, Attributes: map[string]any{"RouteId": r.PhysicalID}}, nil
}

func (httpRoute) Delete(ctx context.Context, r *resource.Request) error {
	_, err := call(ctx, r, httpAPIs, "DeleteRoute", map[string]any{"ApiId": props(r.Properties).str("ApiId"), "RouteId": r.PhysicalID})
	return ignoreGone(err)
}

// httpIntegration is AWS::ApiGatewayV2::Integration: CreateIntegration
// and UpdateIntegration. Its physical ID and Ref are the integration's
// id.
type httpIntegration struct{}

var httpIntegrationMembers = memberList{
	{prop: "IntegrationType"},
	{prop: "IntegrationUri"},
	{prop: "IntegrationMethod"},
	{prop: "IntegrationSubtype"},
	{prop: "PayloadFormatVersion"},
	{prop: "TimeoutInMillis", reset: defaultHTTPTimeout},
	{prop: "ConnectionType"},
	{prop: "ConnectionId"},
	{prop: "CredentialsArn", reset: ""},
	{prop: "Description", reset: ""},
	{prop: "PassthroughBehavior"},
	{prop: "ContentHandlingStrategy"},
	{prop: "RequestParameters", conv: stringMapValue},
	{prop: "RequestTemplates", conv: stringMapValue},
	{prop: "ResponseParameters", conv: responseParameters},
	{prop: "TemplateSelectionExpression"},
	{prop: "TlsConfig", conv: lowerKeys},
}

func (httpIntegration) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p, _ := coerced(r, httpAPIKinds)
	in := map[string]any{"ApiId": p.str("ApiId")}
	if err := httpIntegrationMembers.add(in, p); err != nil {
		return nil, err
	}
	out, err := call(ctx, r, httpAPIs, "CreateIntegration", in)
	if err != nil {
		return nil, err
	}
	id := outStr(out, "integrationId")
	return &resource.Result{PhysicalID: id, Attributes: map[string]any{"IntegrationId": id}}, nil
}

func (httpIntegration) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p, old := coerced(r, httpAPIKinds)
	in := map[string]any{"ApiId": p.str("ApiId"), "IntegrationId": r.PhysicalID}
	n, err := httpIntegrationMembers.changes(in, old, p)
	if err != nil {
		return nil, err
	}
	if n > 0 {
		if _, err := call(ctx, r, httpAPIs, "UpdateIntegration", in); err != nil {
			return nil, err
		}
	}
	return &resource.Result{PhysicalID: r.PhysicalID, Attributes: map[string]any{"IntegrationId": r.PhysicalID}}, nil
}

func (httpIntegration) Delete(ctx context.Context, r *resource.Request) error {
	_, err := call(ctx, r, httpAPIs, "DeleteIntegration", map[string]any{"ApiId": props(r.Properties).str("ApiId"), "IntegrationId": r.PhysicalID})
	return ignoreGone(err)
}

// httpStage is AWS::ApiGatewayV2::Stage: CreateStage, UpdateStage and
// the tagging operations. Its physical ID and Ref are the stage's name.
// AccessPolicyId (for WebSocket APIs) is accepted without effect.
type httpStage struct{}

var httpStageMembers = memberList{
	{prop: "AutoDeploy", reset: false},
	{prop: "DeploymentId"},
	{prop: "Description", reset: ""},
	{prop: "StageVariables", conv: stringMapValue, reset: map[string]any{}},
	{prop: "AccessLogSettings", conv: lowerKeys, reset: map[string]any{}},
	{prop: "DefaultRouteSettings", conv: lowerKeys, reset: map[string]any{}},
	{prop: "RouteSettings", conv: routeSettings, reset: map[string]any{}},
	{prop: "ClientCertificateId", reset: ""},
}

func (httpStage) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p, _ := coerced(r, httpAPIKinds)
	name := p.str("StageName")
	in := map[string]any{"ApiId": p.str("ApiId"), "stageName": name}
	if err := httpStageMembers.add(in, p); err != nil {
		return nil, err
	}
	if tags := tagsOf(p["Tags"]); len(tags) > 0 {
		in["tags"] = anyMap(tags)
	}
	if _, err := call(ctx, r, httpAPIs, "CreateStage", in); err != nil {
		return nil, err
	}
	return &resource.Result{PhysicalID: name, Attributes: map[string]any{}}, nil
}

func (httpStage) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p, old := coerced(r, httpAPIKinds)
	api, name := p.str("ApiId"), r.PhysicalID
	in := map[string]any{"ApiId": api, "StageName": name}
	n, err := httpStageMembers.changes(in, old, p)
	if err != nil {
		return nil, err
	}
	if n > 0 {
		if _, err := call(ctx, r, httpAPIs, "UpdateStage", in); err != nil {
			return nil, err
		}
	}
	if err := retagAPIGateway(ctx, r, httpAPIs, httpAPIARN(r, api)+"/stages/"+name, tagsOf(old["Tags"]), tagsOf(p["Tags"])); err != nil {
		return nil, err
	}
	return &resource.Result{PhysicalID: name, Attributes: map[string]any{}}, nil
}

func (httpStage) Delete(ctx context.Context, r *resource.Request) error {
	_, err := call(ctx, r, httpAPIs, "DeleteStage", map[string]any{"ApiId": props(r.Properties).str("ApiId"), "StageName": r.PhysicalID})
	return ignoreGone(err)
}

// httpDeployment is AWS::ApiGatewayV2::Deployment: CreateDeployment,
// which with StageName also points that stage at it; updates change its
// description (UpdateDeployment) or point another stage at it. Its
// physical ID and Ref are the deployment's id.
type httpDeployment struct{}

func (httpDeployment) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p := props(r.Properties)
	in := map[string]any{"ApiId": p.str("ApiId")}
	if p.has("Description") {
		in["description"] = p.str("Description")
	}
	if p.has("StageName") {
		in["stageName"] = p.str("StageName")
	}
	out, err := call(ctx, r, httpAPIs, "CreateDeployment", in)
	if err != nil {
		return nil, err
	}
	id := outStr(out, "deploymentId")
	return &resource.Result{PhysicalID: id, Attributes: map[string]any{"DeploymentId": id}}, nil
}

func (httpDeployment) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p, old := props(r.Properties), props(r.OldProperties)
	api, id := p.str("ApiId"), r.PhysicalID
	if changed(old, p, "Description") {
		if _, err := call(ctx, r, httpAPIs, "UpdateDeployment", map[string]any{
			"ApiId": api, "DeploymentId": id, "description": p.str("Description"),
		}); err != nil {
			return nil, err
		}
	}
	if name := p.str("StageName"); name != "" && changed(old, p, "StageName") {
		if _, err := call(ctx, r, httpAPIs, "UpdateStage", map[string]any{"ApiId": api, "StageName": name, "deploymentId": id}); err != nil {
			return nil, err
		}
	}
	return &resource.Result{PhysicalID: id, Attributes: map[string]any{"DeploymentId": id}}, nil
}

func (httpDeployment) Delete(ctx context.Context, r *resource.Request) error {
	_, err := call(ctx, r, httpAPIs, "DeleteDeployment", map[string]any{"ApiId": props(r.Properties).str("ApiId"), "DeploymentId": r.PhysicalID})
	return ignoreGone(err)
}

// routeResponse is AWS::ApiGatewayV2::RouteResponse: CreateRouteResponse
// and UpdateRouteResponse. A WebSocket route with one is two-way. Its
// physical ID and Ref are the route response's id.
type routeResponse struct{}

var routeResponseMembers = memberList{
	{prop: "RouteResponseKey"},
	{prop: "ModelSelectionExpression", reset: ""},
	{prop: "ResponseModels", conv: stringMapValue, reset: map[string]any{}},
	{prop: "ResponseParameters", conv: routeParameters, reset: map[string]any{}},
}

func (routeResponse) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p, _ := coerced(r, httpAPIKinds)
	in := map[string]any{"ApiId": p.str("ApiId"), "RouteId": p.str("RouteId")}
	if err := routeResponseMembers.add(in, p); err != nil {
		return nil, err
	}
	out, err := call(ctx, r, httpAPIs, "CreateRouteResponse", in)
	if err != nil {
		return nil, err
	}
	id := outStr(out, "routeResponseId")
	return &resource.Result{PhysicalID: id, Attributes: map[string]any{"RouteResponseId": id}}, nil
}

func (routeResponse) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p, old := coerced(r, httpAPIKinds)
	in := map[string]any{"ApiId": p.str("ApiId"), "RouteId": p.str("RouteId"), "RouteResponseId": r.PhysicalID}
	n, err := routeResponseMembers.changes(in, old, p)
	if err != nil {
		return nil, err
	}
	if n > 0 {
		if _, err := call(ctx, r, httpAPIs, "UpdateRouteResponse", in); err != nil {
			return nil, err
		}
	}
	return &resource.Result{PhysicalID: r.PhysicalID, Attributes: map[string]any{"RouteResponseId": r.PhysicalID}}, nil
}

func (routeResponse) Delete(ctx context.Context, r *resource.Request) error {
	p := props(r.Properties)
	_, err := call(ctx, r, httpAPIs, "DeleteRouteResponse", map[string]any{"ApiId": p.str("ApiId"), "RouteId": p.str("RouteId"), "RouteResponseId": r.PhysicalID})
	return ignoreGone(err)
}

// integrationResponse is AWS::ApiGatewayV2::IntegrationResponse:
// CreateIntegrationResponse and UpdateIntegrationResponse. Its physical
// ID and Ref are the integration response's id.
type integrationResponse struct{}

var wsIntegrationResponseMembers = memberList{
	{prop: "IntegrationResponseKey"},
	{prop: "ContentHandlingStrategy"},
	{prop: "ResponseParameters", conv: stringMapValue, reset: map[string]any{}},
	{prop: "ResponseTemplates", conv: stringMapValue, reset: map[string]any{}},
	{prop: "TemplateSelectionExpression", reset: ""},
}

func (integrationResponse) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p, _ := coerced(r, httpAPIKinds)
	in := map[string]any{"ApiId": p.str("ApiId"), "IntegrationId": p.str("IntegrationId")}
	if err := wsIntegrationResponseMembers.add(in, p); err != nil {
		return nil, err
	}
	out, err := call(ctx, r, httpAPIs, "CreateIntegrationResponse", in)
	if err != nil {
		return nil, err
	}
	id := outStr(out, "integrationResponseId")
	return &resource.Result{PhysicalID: id, Attributes: map[string]any{"IntegrationResponseId": id}}, nil
}

func (integrationResponse) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p, old := coerced(r, httpAPIKinds)
	in := map[string]any{"ApiId": p.str("ApiId"), "IntegrationId": p.str("IntegrationId"), "IntegrationResponseId": r.PhysicalID}
	n, err := wsIntegrationResponseMembers.changes(in, old, p)
	if err != nil {
		return nil, err
	}
	if n > 0 {
		if _, err := call(ctx, r, httpAPIs, "UpdateIntegrationResponse", in); err != nil {
			return nil, err
		}
	}
	return &resource.Result{PhysicalID: r.PhysicalID, Attributes: map[string]any{"IntegrationResponseId": r.PhysicalID}}, nil
}

func (integrationResponse) Delete(ctx context.Context, r *resource.Request) error {
	p := props(r.Properties)
	_, err := call(ctx, r, httpAPIs, "DeleteIntegrationResponse", map[string]any{
		"ApiId": p.str("ApiId"), "IntegrationId": p.str("IntegrationId"), "IntegrationResponseId": r.PhysicalID})
	return ignoreGone(err)
}

// wsModel is AWS::ApiGatewayV2::Model: CreateModel and UpdateModel. Its
// Schema is a JSON object, or the text of one. Its physical ID and Ref
// are the model's id.
type wsModel struct{}

var wsModelMembers = memberList{
	{prop: "Name"},
	{prop: "Schema", conv: jsonTextValue},
	{prop: "ContentType", reset: ""},
	{prop: "Description", reset: ""},
}

func (wsModel) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p, _ := coerced(r, httpAPIKinds)
	in := map[string]any{"ApiId": p.str("ApiId")}
	if err := wsModelMembers.add(in, p); err != nil {
		return nil, err
	}
	out, err := call(ctx, r, httpAPIs, "CreateModel", in)
	if err != nil {
		return nil, err
	}
	id := outStr(out, "modelId")
	return &resource.Result{PhysicalID: id, Attributes: map[string]any{"ModelId": id}}, nil
}

func (wsModel) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p, old := coerced(r, httpAPIKinds)
	in := map[string]any{"ApiId": p.str("ApiId"), "ModelId": r.PhysicalID}
	n, err := wsModelMembers.changes(in, old, p)
	if err != nil {
		return nil, err
	}
	if n > 0 {
		if _, err := call(ctx, r, httpAPIs, "UpdateModel", in); err != nil {
			return nil, err
		}
	}
	return &resource.Result{PhysicalID: r.PhysicalID, Attributes: map[string]any{"ModelId": r.PhysicalID}}, nil
}

func (wsModel) Delete(ctx context.Context, r *resource.Request) error {
	_, err := call(ctx, r, httpAPIs, "DeleteModel", map[string]any{"ApiId": props(r.Properties).str("ApiId"), "ModelId": r.PhysicalID})
	return ignoreGone(err)
}

// httpAuthorizer is AWS::ApiGatewayV2::Authorizer: CreateAuthorizer and
// UpdateAuthorizer. Its physical ID and Ref are the authorizer's id.
type httpAuthorizer struct{}

var httpAuthorizerMembers = memberList{
	{prop: "Name"},
	{prop: "AuthorizerType"},
	{prop: "AuthorizerUri"},
	{prop: "AuthorizerCredentialsArn", reset: ""},
	{prop: "AuthorizerPayloadFormatVersion"},
	{prop: "AuthorizerResultTtlInSeconds"},
	{prop: "EnableSimpleResponses", reset: false},
	{prop: "IdentitySource"},
	{prop: "IdentityValidationExpression", reset: ""},
	{prop: "JwtConfiguration", conv: lowerKeys},
}

func (httpAuthorizer) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p, _ := coerced(r, httpAPIKinds)
	in := map[string]any{"ApiId": p.str("ApiId")}
	if err := httpAuthorizerMembers.add(in, p); err != nil {
		return nil, err
	}
	out, err := call(ctx, r, httpAPIs, "CreateAuthorizer", in)
	if err != nil {
		return nil, err
	}
	id := outStr(out, "authorizerId")
	return &resource.Result{PhysicalID: id, Attributes: map[string]any{"AuthorizerId": id}}, nil
}

func (httpAuthorizer) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p, old := coerced(r, httpAPIKinds)
	in := map[string]any{"ApiId": p.str("ApiId"), "AuthorizerId": r.PhysicalID}
	n, err := httpAuthorizerMembers.changes(in, old, p)
	if err != nil {
		return nil, err
	}
	if n > 0 {
		if _, err := call(ctx, r, httpAPIs, "UpdateAuthorizer", in); err != nil {
			return nil, err
		}
	}
	return &resource.Result{PhysicalID: r.PhysicalID, Attributes: map[string]any{"AuthorizerId": r.PhysicalID}}, nil
}

func (httpAuthorizer) Delete(ctx context.Context, r *resource.Request) error {
	_, err := call(ctx, r, httpAPIs, "DeleteAuthorizer", map[string]any{"ApiId": props(r.Properties).str("ApiId"), "AuthorizerId": r.PhysicalID})
	return ignoreGone(err)
}

// vpcLink is AWS::ApiGatewayV2::VpcLink: CreateVpcLink, UpdateVpcLink
// (its name) and the tagging operations. Its physical ID and Ref are the
// VPC link's id.
type vpcLink struct{}

func (vpcLink) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p := props(r.Properties)
	in := map[string]any{"name": p.str("Name"), "subnetIds": anyStrings(stringList(p["SubnetIds"]))}
	if groups := stringList(p["SecurityGroupIds"]); len(groups) > 0 {
		in["securityGroupIds"] = anyStrings(groups)
	}
	if tags := tagsOf(p["Tags"]); len(tags) > 0 {
		in["tags"] = anyMap(tags)
	}
	out, err := call(ctx, r, httpAPIs, "CreateVpcLink", in)
	if err != nil {
		return nil, err
	}
	id := outStr(out, "vpcLinkId")
	return &resource.Result{PhysicalID: id, Attributes: map[string]any{"VpcLinkId": id}}, nil
}

func (vpcLink) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p, old := props(r.Properties), props(r.OldProperties)
	if name := p.str("Name"); name != old.str("Name") {
		if _, err := call(ctx, r, httpAPIs, "UpdateVpcLink", map[string]any{"VpcLinkId": r.PhysicalID, "name": name}); err != nil {
			return nil, err
		}
	}
	arn := "arn:aws:apigateway:" + r.Env.Region + "::/vpclinks/" + r.PhysicalID
	if err := retagAPIGateway(ctx, r, httpAPIs, arn, tagsOf(old["Tags"]), tagsOf(p["Tags"])); err != nil {
		return nil, err
	}
	return &resource.Result{PhysicalID: r.PhysicalID, Attributes: map[string]any{"VpcLinkId": r.PhysicalID}}, nil
}

func (vpcLink) Delete(ctx context.Context, r *resource.Request) error {
	_, err := call(ctx, r, httpAPIs, "DeleteVpcLink", map[string]any{"VpcLinkId": r.PhysicalID})
	return ignoreGone(err)
}

// tagsOf reads tags given as CloudFormation's list of {Key, Value} or,
// as AWS::ApiGatewayV2's types take them, as an object.
func tagsOf(v any) map[string]string {
	if _, ok := v.([]any); ok {
		return tagMap(v)
	}
	m := stringMap(jsonObject(v))
	if len(m) == 0 {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, e := range m {
		out[k] = fmt.Sprint(e)
	}
	return out
}

// routeParameters converts a route's RequestParameters, whose values are
// {Required: bool}, to the API's ({required: bool}).
func routeParameters(v any) (any, error) { return mapOfObjects(v) }

// routeSettings converts a stage's RouteSettings, by route key, to the
// API's; templates may give them as JSON text.
func routeSettings(v any) (any, error) { return mapOfObjects(v) }

// mapOfObjects converts a map whose values are objects with
// CloudFormation's property names to the API's members.
func mapOfObjects(v any) (any, error) {
	m, ok := jsonObject(v).(map[string]any)
	if !ok {
		return nil, fmt.Errorf("expected an object, not %T", v)
	}
	out := make(map[string]any, len(m))
	for k, e := range m {
		o, err := lowerKeys(e)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", k, err)
		}
		out[k] = o
	}
	return out, nil
}

// responseParameters converts an integration's ResponseParameters, by
// status code: CloudFormation's {ResponseParameters: [{Destination,
// Source}]} or the API's map of destinations to sources.
func responseParameters(v any) (any, error) {
	m, ok := jsonObject(v).(map[string]any)
	if !ok {
		return nil, fmt.Errorf("expected an object, not %T", v)
	}
	out := make(map[string]any, len(m))
	for code, e := range m {
		params := props(asMap(jsonObject(e)))
		if list := params.list("ResponseParameters"); list != nil {
			dst := map[string]any{}
			for _, x := range list {
				rp := props(asMap(x))
				dst[rp.str("Destination")] = rp.str("Source")
			}
			out[code] = dst
			continue
		}
		out[code] = stringMap(params)
	}
	return out, nil
}
