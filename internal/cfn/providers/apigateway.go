package providers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/virga/virga/internal/awsproto/apierr"
	"github.com/virga/virga/internal/cfn/resource"
	"github.com/virga/virga/internal/cfn/template"
)

// API Gateway's REST APIs (service "apigateway"). Their operations take
// JSON Patch documents for updates, so the providers here turn a change
// of properties into patch operations; HTTP APIs are in apigatewayv2.go.

func init() {
	resource.Register(&resource.Type{
		Name:       "AWS::ApiGateway::RestApi",
		Tags:       resource.TagList,
		Provider:   restAPI{},
		Attributes: []string{"RestApiId", "RootResourceId"},
	})
	resource.Register(&resource.Type{
		Name:       "AWS::ApiGateway::Resource",
		Required:   []string{"ParentId", "PathPart", "RestApiId"},
		Provider:   restResource{},
		Replace:    []string{"ParentId", "PathPart", "RestApiId"},
		Attributes: []string{"ResourceId"},
	})
	resource.Register(&resource.Type{
		Name:       "AWS::ApiGateway::Method",
		Required:   []string{"RestApiId", "ResourceId", "HttpMethod"},
		Provider:   restMethod{},
		Replace:    []string{"RestApiId", "ResourceId", "HttpMethod"},
		Attributes: []string{},
	})
	resource.Register(&resource.Type{
		Name:     "AWS::ApiGateway::Deployment",
		Required: []string{"RestApiId"},
		Provider: restDeployment{},
		// AWS updates a deployment's Description in place; virga's API
		// Gateway has no UpdateDeployment, so a new description makes a
		// new deployment.
		Replace:    []string{"RestApiId", "DeploymentCanarySettings", "Description"},
		Attributes: []string{"DeploymentId"},
	})
	resource.Register(&resource.Type{
		Name:       "AWS::ApiGateway::Stage",
		Tags:       resource.TagList,
		Required:   []string{"RestApiId"},
		Provider:   restStage{},
		Replace:    []string{"RestApiId", "StageName"},
		Attributes: []string{},
	})
	resource.Register(&resource.Type{
		Name:       "AWS::ApiGateway::Authorizer",
		Required:   []string{"RestApiId", "Type", "Name"},
		Provider:   restAuthorizer{},
		Replace:    []string{"RestApiId"},
		Attributes: []string{"AuthorizerId"},
	})
}

// Service names for Env.Call: REST APIs and HTTP APIs share the signing
// name "apigateway", and the app names HTTP APIs "apigatewayv2".
const (
	restAPIs = "apigateway"
	httpAPIs = "apigatewayv2"
)

// The bound of the generated physical IDs of the types that have no
// identifier of their own, and of names.
const (
	maxRecordedID = 255
	maxStageName  = 128 // "Maximum length is 128 characters"
	maxMethodID   = 255
)

// defaultAuthorizerTTL is what a REST API authorizer caches results for
// when its template gives no AuthorizerResultTtlInSeconds.
const defaultAuthorizerTTL = "300"

var restAPIKinds = map[string]kind{
	"MinimumCompressionSize": number, "AuthorizerResultTtlInSeconds": number, "TimeoutInMillis": number,
	"CacheTtlInSeconds": number, "ThrottlingBurstLimit": number, "ThrottlingRateLimit": number,
	"DisableExecuteApiEndpoint": boolean, "FailOnWarnings": boolean, "ApiKeyRequired": boolean,
	"ValidateRequestBody": boolean, "ValidateRequestParameters": boolean,
	"CacheClusterEnabled": boolean, "TracingEnabled": boolean, "MetricsEnabled": boolean,
	"DataTraceEnabled": boolean, "CachingEnabled": boolean, "CacheDataEncrypted": boolean,
}

// s3Definition reads the OpenAPI or Swagger document a BodyS3Location
// ({Bucket, Key, Version}) names in virga's S3 and returns it as JSON
// text. As on AWS, the document is taken as it is: intrinsic functions in
// it are not evaluated (that takes the AWS::Include transform).
func s3Definition(ctx context.Context, r *resource.Request, typ string, loc props) (string, error) {
	if r.Env == nil || r.Env.ReadObject == nil {
		return "", fmt.Errorf("%s: BodyS3Location cannot be read: the engine has no S3", typ)
	}
	if loc.str("Bucket") == "" || loc.str("Key") == "" {
		return "", fmt.Errorf("%s: BodyS3Location must give Bucket and Key", typ)
	}
	data, err := r.Env.ReadObject(ctx, loc.str("Bucket"), loc.str("Key"), loc.str("Version"))
	if err != nil {
		return "", err
	}
	doc, err := template.ParseSnippet(data)
	if err != nil {
		return "", fmt.Errorf("%s: the document at BodyS3Location is not JSON or YAML: %w", typ, err)
	}
	return jsonText(doc)
}

// restAPI is AWS::ApiGateway::RestApi: CreateRestApi, then, for an API
// defined by an OpenAPI or Swagger document (Body), PutRestApi with it
// (Mode, overwrite by default) and UpdateRestApi to put back the
// template's settings over the document's, as AWS does ("If you specify
// Name and it differs from the title in the OpenAPI definition, the
// Name value wins"; binary media types are merged). An update with a
// new Body puts it again. Its physical ID and Ref are the API's id.
type restAPI struct{}

// restAPISettings are the API's settings a template sets, with the
// patch path each is changed at.
var restAPISettings = []struct{ prop, path string }{
	{"Name", "/name"},
	{"Description", "/description"},
	{"Policy", "/policy"},
	{"MinimumCompressionSize", "/minimumCompressionSize"},
	{"ApiKeySourceType", "/apiKeySource"},
	{"DisableExecuteApiEndpoint", "/disableExecuteApiEndpoint"},
	{"EndpointConfiguration", "/endpointConfiguration/types/0"},
}

func (restAPI) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p, _ := coerced(r, restAPIKinds)
	body, err := restAPIBody(ctx, r, p)
	if err != nil {
		return nil, err
	}
	name := p.str("Name")
	if name == "" && body != "" {
		name = definitionTitle(body)
	}
	var out map[string]any
	if name == "" && body != "" {
		// A title this provider cannot read (YAML text): ImportRestApi
		// reads it, or says why it cannot.
		out, err = call(ctx, r, restAPIs, "ImportRestApi", definitionInput(p, body))
	} else {
		in := map[string]any{}
		if name != "" { // else CreateRestApi says that it needs one
			in["name"] = name
		}
		if err := restAPIMembers.add(in, p); err != nil {
			return nil, err
		}
		if tags := tagMap(p["Tags"]); len(tags) > 0 {
			in["tags"] = anyMap(tags)
		}
		out, err = call(ctx, r, restAPIs, "CreateRestApi", in)
		if err == nil && body != "" {
			id := outStr(out, "id")
			if err = putDefinition(ctx, r, id, p, body); err != nil {
				_, _ = call(ctx, r, restAPIs, "DeleteRestApi", map[string]any{"restApiId": id})
			}
		}
	}
	if err != nil {
		return nil, err
	}
	id := outStr(out, "id")
	if body != "" {
		if err := settleRestAPI(ctx, r, id, nil, p, true); err != nil {
			_, _ = call(ctx, r, restAPIs, "DeleteRestApi", map[string]any{"restApiId": id})
			return nil, err
		}
		if tags := tagMap(p["Tags"]); len(tags) > 0 && name == "" {
			if err := retagAPIGateway(ctx, r, restAPIs, restAPIARN(r, id), nil, tags); err != nil {
				return &resource.Result{PhysicalID: id}, err // made: the rollback deletes it
			}
		}
	}
	return restAPIResult(ctx, r, id)
}

// restAPIMembers are the CreateRestApi members a template sets.
var restAPIMembers = memberList{
	{prop: "Description"},
	{prop: "CloneFrom"},
	{prop: "BinaryMediaTypes"},
	{prop: "MinimumCompressionSize"},
	{prop: "ApiKeySourceType", name: "apiKeySource"},
	{prop: "EndpointConfiguration", conv: lowerKeys},
	{prop: "Policy", conv: jsonTextValue},
	{prop: "DisableExecuteApiEndpoint"},
}

func (restAPI) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p, old := coerced(r, restAPIKinds)
	body, err := restAPIBody(ctx, r, p)
	if err != nil {
		return nil, err
	}
	id := r.PhysicalID
	redefined := body != "" && changed(old, p, "Body", "Mode", "FailOnWarnings", "Parameters")
	if redefined {
		if err := putDefinition(ctx, r, id, p, body); err != nil {
			return nil, err
		}
	}
	if err := settleRestAPI(ctx, r, id, old, p, redefined); err != nil {
		return nil, err
	}
	if err := retagAPIGateway(ctx, r, restAPIs, restAPIARN(r, id), tagMap(old["Tags"]), tagMap(p["Tags"])); err != nil {
		return nil, err
	}
	return restAPIResult(ctx, r, id)
}

func (restAPI) Delete(ctx context.Context, r *resource.Request) error {
	_, err := call(ctx, r, restAPIs, "DeleteRestApi", map[string]any{"restApiId": r.PhysicalID})
	return ignoreGone(err)
}

func restAPIResult(ctx context.Context, r *resource.Request, id string) (*resource.Result, error) {
	out, err := call(ctx, r, restAPIs, "GetRestApi", map[string]any{"restApiId": id})
	if err != nil {
		return &resource.Result{PhysicalID: id}, err // made: the rollback deletes it
	}
	return &resource.Result{PhysicalID: id, Attributes: map[string]any{"RestApiId": id, "RootResourceId": outStr(out, "rootResourceId")}}, nil
}

// restAPIARN is the ARN API Gateway tags an API by.
func restAPIARN(r *resource.Request, id string) string {
	return "arn:aws:apigateway:" + r.Env.Region + "::/restapis/" + id
}

// restAPIBody returns a RestApi's definition as JSON text ("" when it
// has none), after checking that virga can read it.
func restAPIBody(ctx context.Context, r *resource.Request, p props) (string, error) {
	if err := checkDefinitionParameters(p); err != nil {
		return "", err
	}
	if p.has("BodyS3Location") && !p.has("Body") {
		return s3Definition(ctx, r, "AWS::ApiGateway::RestApi", p.obj("BodyS3Location"))
	}
	if !p.has("Body") {
		return "", nil
	}
	return jsonText(p["Body"])
}

// checkDefinitionParameters checks a RestApi's Parameters, the options
// ImportRestApi and PutRestApi take in their query string. In-process
// calls cannot carry a query map, so only those that change nothing in
// virga are accepted: ignore=documentation (virga imports no
// documentation), basepath=ignore (the default), and
// endpointConfigurationTypes, which EndpointConfiguration sets.
func checkDefinitionParameters(p props) error {
	params, _ := jsonObject(p["Parameters"]).(map[string]any)
	for _, k := range sortedKeys(params) {
		v, _ := text(params[k])
		switch {
		case k == "ignore", k == "endpointConfigurationTypes", k == "basepath" && v == "ignore":
		default:
			return fmt.Errorf("AWS::ApiGateway::RestApi: the import parameter %s=%s is not supported by virga yet", k, v)
		}
	}
	return nil
}

// definitionTitle is the title (info.title) of an OpenAPI or Swagger
// document in JSON, or "".
func definitionTitle(body string) string {
	var doc struct {
		Info struct {
			Title string `json:"title"`
		} `json:"info"`
	}
	if json.Unmarshal([]byte(body), &doc) != nil {
		return ""
	}
	return doc.Info.Title
}

// definitionInput is the input of ImportRestApi and PutRestApi for a
// definition: the document (the request's payload, given as its text)
// and whether warnings fail.
func definitionInput(p props, body string) map[string]any {
	in := map[string]any{"body": body}
	if p.has("FailOnWarnings") {
		in["failOnWarnings"] = p.flag("FailOnWarnings")
	}
	return in
}

// putDefinition puts a definition into an API, in the template's Mode
// (overwrite unless it says merge).
func putDefinition(ctx context.Context, r *resource.Request, id string, p props, body string) error {
	in := definitionInput(p, body)
	in["restApiId"] = id
	in["mode"] = "overwrite"
	if strings.EqualFold(p.str("Mode"), "merge") {
		in["mode"] = "merge"
	}
	_, err := call(ctx, r, restAPIs, "PutRestApi", in)
	return err
}

// settleRestAPI makes an API's settings the template's. After a
// definition was put (redefined) every setting the template gives is
// applied again, since the document replaced them; otherwise only those
// that changed, and those the template dropped go back to API Gateway's
// defaults. Binary media types are the API's (the document's) and the
// template's together.
func settleRestAPI(ctx context.Context, r *resource.Request, id string, old, p props, redefined bool) error {
	var ops []any
	for _, s := range restAPISettings {
		if !redefined && !changed(old, p, s.prop) {
			continue
		}
		v, set, err := restAPISetting(p, s.prop)
		if err != nil {
			return err
		}
		switch {
		case set && v == "" && s.prop == "EndpointConfiguration":
			continue // no Types: the API's stands
		case !set && s.prop == "Name":
			continue // a name cannot be removed
		case !set && redefined && (s.prop != "EndpointConfiguration" || !changed(old, p, s.prop)):
			continue // the document's value, or the API's, stands
		}
		ops = append(ops, replaceOp(s.path, v))
	}
	if redefined || changed(old, p, "BinaryMediaTypes") {
		out, err := call(ctx, r, restAPIs, "GetRestApi", map[string]any{"restApiId": id})
		if err != nil {
			return err
		}
		have := stringList(out["binaryMediaTypes"])
		want := stringList(p["BinaryMediaTypes"])
		for _, t := range want {
			if !slices.Contains(have, t) {
				ops = append(ops, patchOp("add", patchPath("binaryMediaTypes", t), nil))
			}
		}
		for _, t := range stringList(old["BinaryMediaTypes"]) {
			if !slices.Contains(want, t) && slices.Contains(have, t) {
				ops = append(ops, patchOp("remove", patchPath("binaryMediaTypes", t), nil))
			}
		}
	}
	if len(ops) == 0 {
		return nil
	}
	_, err := call(ctx, r, restAPIs, "UpdateRestApi", map[string]any{"restApiId": id, "patchOperations": ops})
	return err
}

// restAPISetting is a setting's value as UpdateRestApi takes it, or its
// default when the template does not set it.
func restAPISetting(p props, prop string) (v string, set bool, err error) {
	if !p.has(prop) {
		switch prop {
		case "ApiKeySourceType":
			return "HEADER", false, nil
		case "DisableExecuteApiEndpoint":
			return "false", false, nil
		case "EndpointConfiguration":
			return "EDGE", false, nil
		}
		return "", false, nil
	}
	switch prop {
	case "Policy":
		v, err = jsonText(p[prop])
	case "EndpointConfiguration":
		v = firstString(p.obj(prop)["Types"])
	default:
		v = p.str(prop)
	}
	return v, true, err
}

// restResource is AWS::ApiGateway::Resource: CreateResource. Every
// property replaces it; its physical ID and Ref are the resource's id.
type restResource struct{}

func (restResource) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p := props(r.Properties)
	out, err := call(ctx, r, restAPIs, "CreateResource", map[string]any{
		"restApiId": p.str("RestApiId"), "parentId": p.str("ParentId"), "pathPart": p.str("PathPart"),
	})
	if err != nil {
		return nil, err
	}
	id := outStr(out, "id")
	return &resource.Result{PhysicalID: id, Attributes: map[string]any{"ResourceId": id}}, nil
}

func (restResource) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	return &resource.Result{PhysicalID: r.PhysicalID, Attributes: map[string]any{"ResourceId": r.PhysicalID}}, nil
}

func (restResource) Delete(ctx context.Context, r *resource.Request) error {
	p := props(r.Properties)
	_, err := call(ctx, r, restAPIs, "DeleteResource", map[string]any{"restApiId": p.str("RestApiId"), "resourceId": r.PhysicalID})
	return ignoreGone(err)
}

// restMethod is AWS::ApiGateway::Method: PutMethod, PutMethodResponse
// for each of its MethodResponses, then PutIntegration and
// PutIntegrationResponse for each of the integration's responses. An
// update puts the method again, whole. A method has no identifier of its
// own (API Gateway names it by API, resource and verb), so its physical
// ID and Ref are a generated name.
type restMethod struct{}

func (restMethod) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p, _ := coerced(r, restAPIKinds)
	if err := putRestMethod(ctx, r, p); err != nil {
		return nil, err
	}
	return &resource.Result{PhysicalID: physicalName(r, maxMethodID), Attributes: map[string]any{}}, nil
}

func (restMethod) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p, _ := coerced(r, restAPIKinds)
	if _, err := call(ctx, r, restAPIs, "DeleteMethod", methodKey(p)); ignoreGone(err) != nil {
		return nil, err
	}
	if err := putRestMethod(ctx, r, p); err != nil {
		return nil, err
	}
	return &resource.Result{PhysicalID: r.PhysicalID, Attributes: map[string]any{}}, nil
}

func (restMethod) Delete(ctx context.Context, r *resource.Request) error {
	_, err := call(ctx, r, restAPIs, "DeleteMethod", methodKey(props(r.Properties)))
	return ignoreGone(err)
}

// methodKey names a method in API Gateway's operations.
func methodKey(p props) map[string]any {
	return map[string]any{
		"restApiId": p.str("RestApiId"), "resourceId": p.str("ResourceId"), "httpMethod": strings.ToUpper(p.str("HttpMethod")),
	}
}

var (
	methodMembers = memberList{
		{prop: "AuthorizationType", reset: "NONE"},
		{prop: "AuthorizerId"},
		{prop: "ApiKeyRequired"},
		{prop: "OperationName"},
		{prop: "RequestParameters", conv: boolMap},
		{prop: "RequestModels", conv: stringMapValue},
		{prop: "RequestValidatorId"},
		{prop: "AuthorizationScopes"},
	}
	methodResponseMembers = memberList{
		{prop: "ResponseParameters", conv: boolMap},
		{prop: "ResponseModels", conv: stringMapValue},
	}
	integrationMembers = memberList{
		{prop: "Type"},
		{prop: "Uri"},
		{prop: "ConnectionType"},
		{prop: "ConnectionId"},
		{prop: "Credentials"},
		{prop: "RequestParameters", conv: stringMapValue},
		{prop: "RequestTemplates", conv: stringMapValue},
		{prop: "PassthroughBehavior"},
		{prop: "CacheNamespace"},
		{prop: "CacheKeyParameters"},
		{prop: "ContentHandling"},
		{prop: "TimeoutInMillis"},
	}
	integrationResponseMembers = memberList{
		{prop: "SelectionPattern"},
		{prop: "ResponseParameters", conv: stringMapValue},
		{prop: "ResponseTemplates", conv: stringMapValue},
		{prop: "ContentHandling"},
	}
)

// putRestMethod puts a method with its responses and integration; when
// any part fails the method is deleted again, so that a failed create
// leaves nothing behind.
func putRestMethod(ctx context.Context, r *resource.Request, p props) error {
	key := methodKey(p)
	in := maps.Clone(key)
	if err := methodMembers.add(in, p); err != nil {
		return err
	}
	if !p.has("AuthorizationType") {
		in["authorizationType"] = "NONE"
	}
	if _, err := call(ctx, r, restAPIs, "PutMethod", in); err != nil {
		return err
	}
	if err := putMethodParts(ctx, r, key, p); err != nil {
		_, _ = call(ctx, r, restAPIs, "DeleteMethod", key)
		return err
	}
	return nil
}

func putMethodParts(ctx context.Context, r *resource.Request, key map[string]any, p props) error {
	for _, e := range p.list("MethodResponses") {
		mr := props(asMap(e))
		in := maps.Clone(key)
		in["statusCode"] = mr.str("StatusCode")
		if err := methodResponseMembers.add(in, mr); err != nil {
			return err
		}
		if _, err := call(ctx, r, restAPIs, "PutMethodResponse", in); err != nil {
			return err
		}
	}
	ig := p.obj("Integration")
	if ig == nil {
		return nil
	}
	in := maps.Clone(key)
	if err := integrationMembers.add(in, ig); err != nil {
		return err
	}
	if _, err := call(ctx, r, restAPIs, "PutIntegration", in); err != nil {
		return err
	}
	// PutIntegration's input names the method's verb and the
	// integration's own HTTP method (IntegrationHttpMethod) with the same
	// member name, httpMethod, one in the path and one in the body; an
	// in-process call carries one value for both, the verb. The
	// integration's is set apart.
	if verb := ig.str("IntegrationHttpMethod"); verb != key["httpMethod"] {
		patch := maps.Clone(key)
		patch["patchOperations"] = []any{replaceOp("/httpMethod", strings.ToUpper(verb))}
		if _, err := call(ctx, r, restAPIs, "UpdateIntegration", patch); err != nil {
			return err
		}
	}
	for _, e := range ig.list("IntegrationResponses") {
		ir := props(asMap(e))
		in := maps.Clone(key)
		in["statusCode"] = ir.str("StatusCode")
		if err := integrationResponseMembers.add(in, ir); err != nil {
			return err
		}
		if _, err := call(ctx, r, restAPIs, "PutIntegrationResponse", in); err != nil {
			return err
		}
	}
	return nil
}

// errCanary is what canary settings fail with.
var errCanary = errors.New("canary releases (DeploymentCanarySettings, CanarySetting) are not supported by virga's API Gateway yet")

// restDeployment is AWS::ApiGateway::Deployment: CreateDeployment, which
// with StageName also creates (or moves) that stage, configured by
// StageDescription. Updates move the deployment to another stage or
// reconfigure its stage; deleting it deletes the stage it made, if that
// still shows it. Its physical ID and Ref are the deployment's id.
type restDeployment struct{}

func (restDeployment) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p, _ := coerced(r, restAPIKinds)
	sd := stageOfDescription(p.obj("StageDescription"))
	if p.has("DeploymentCanarySettings") || sd.has("CanarySetting") {
		return nil, fmt.Errorf("AWS::ApiGateway::Deployment: %w", errCanary)
	}
	api := p.str("RestApiId")
	in := map[string]any{"restApiId": api}
	if p.has("Description") {
		in["description"] = p.str("Description")
	}
	name := p.str("StageName")
	if name != "" {
		in["stageName"] = name
		if sd.has("Description") {
			in["stageDescription"] = sd.str("Description")
		}
		if err := deploymentStageMembers.add(in, sd); err != nil {
			return nil, err
		}
	}
	out, err := call(ctx, r, restAPIs, "CreateDeployment", in)
	if err != nil {
		return nil, err
	}
	id := outStr(out, "id")
	res := &resource.Result{PhysicalID: id, Attributes: map[string]any{"DeploymentId": id}}
	if name != "" {
		// What CreateDeployment does not take is set on the stage after.
		made := props{"Description": sd["Description"]}
		for _, m := range deploymentStageMembers {
			made[m.prop] = sd[m.prop]
		}
		err := updateStage(ctx, r, api, name, stagePatches(made, sd))
		if err == nil {
			err = retagAPIGateway(ctx, r, restAPIs, restAPIARN(r, api)+"/stages/"+name, nil, tagMap(sd["Tags"]))
		}
		if err != nil {
			// The deployment and its stage are made: the rollback
			// deletes them.
			return res, err
		}
	}
	return res, nil
}

// deploymentStageMembers are the members of CreateDeployment that
// configure the stage it makes.
var deploymentStageMembers = memberList{
	{prop: "Variables", conv: stringMapValue},
	{prop: "CacheClusterEnabled"},
	{prop: "CacheClusterSize"},
	{prop: "TracingEnabled"},
}

func (restDeployment) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p, old := coerced(r, restAPIKinds)
	sd, oldSD := stageOfDescription(p.obj("StageDescription")), stageOfDescription(old.obj("StageDescription"))
	if sd.has("CanarySetting") {
		return nil, fmt.Errorf("AWS::ApiGateway::Deployment: %w", errCanary)
	}
	api, id := p.str("RestApiId"), r.PhysicalID
	name, oldName := p.str("StageName"), old.str("StageName")
	result := &resource.Result{PhysicalID: id, Attributes: map[string]any{"DeploymentId": id}}
	if name == oldName {
		if name == "" {
			return result, nil
		}
		err := updateStage(ctx, r, api, name, stagePatches(oldSD, sd))
		if err == nil {
			err = retagAPIGateway(ctx, r, restAPIs, restAPIARN(r, api)+"/stages/"+name, tagMap(oldSD["Tags"]), tagMap(sd["Tags"]))
		}
		return result, err
	}
	if name != "" {
		if err := pointStage(ctx, r, api, name, id, sd); err != nil {
			return nil, err
		}
	}
	if oldName != "" {
		if err := deleteStageOf(ctx, r, api, oldName, id); err != nil {
			return nil, err
		}
	}
	return result, nil
}

// pointStage makes a stage show a deployment: the stage if it exists, a
// new one configured by sd if not.
func pointStage(ctx context.Context, r *resource.Request, api, name, deployment string, sd props) error {
	_, err := call(ctx, r, restAPIs, "GetStage", map[string]any{"restApiId": api, "stageName": name})
	if err == nil {
		return updateStage(ctx, r, api, name, []any{replaceOp("/deploymentId", deployment)})
	}
	if !gone(err) {
		return err
	}
	return createRestStage(ctx, r, api, name, deployment, sd)
}

// deleteStageOf deletes a stage if it shows the deployment.
func deleteStageOf(ctx context.Context, r *resource.Request, api, name, deployment string) error {
	out, err := call(ctx, r, restAPIs, "GetStage", map[string]any{"restApiId": api, "stageName": name})
	if err != nil || outStr(out, "deploymentId") != deployment {
		return ignoreGone(err)
	}
	_, err = call(ctx, r, restAPIs, "DeleteStage", map[string]any{"restApiId": api, "stageName": name})
	return ignoreGone(err)
}

func (restDeployment) Delete(ctx context.Context, r *resource.Request) error {
	p := props(r.Properties)
	api := p.str("RestApiId")
	if name := p.str("StageName"); name != "" {
		if err := deleteStageOf(ctx, r, api, name, r.PhysicalID); err != nil {
			return err
		}
	}
	_, err := call(ctx, r, restAPIs, "DeleteDeployment", map[string]any{"restApiId": api, "deploymentId": r.PhysicalID})
	return ignoreGone(err)
}

// stageOfDescription reads a deployment's StageDescription as the
// properties of a stage: its method settings for every method
// (MetricsEnabled, LoggingLevel, ...) become the MethodSettings entry of
// "/*" and "*", ahead of its own MethodSettings.
func stageOfDescription(sd props) props {
	if sd == nil {
		return props{}
	}
	out := props{}
	all := map[string]any{}
	for k, v := range sd {
		if _, ok := methodSettingPaths[k]; ok {
			all[k] = v
		} else {
			out[k] = v
		}
	}
	if len(all) > 0 {
		all["ResourcePath"], all["HttpMethod"] = "/*", "*"
		out["MethodSettings"] = append([]any{all}, sd.list("MethodSettings")...)
	}
	return out
}

// restStage is AWS::ApiGateway::Stage: CreateStage, then UpdateStage for
// what CreateStage does not take (method settings, the client
// certificate); updates are UpdateStage's patches and the tagging
// operations; AccessLogSetting becomes the /accessLogSettings/...
// patches, or its removal. Its physical ID and Ref are the stage's name.
type restStage struct{}

func (restStage) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p, _ := coerced(r, restAPIKinds)
	if p.has("CanarySetting") {
		return nil, fmt.Errorf("AWS::ApiGateway::Stage: %w", errCanary)
	}
	name := p.str("StageName")
	if name == "" {
		name = physicalName(r, maxStageName)
	}
	if err := createRestStage(ctx, r, p.str("RestApiId"), name, p.str("DeploymentId"), p); err != nil {
		return nil, err
	}
	return &resource.Result{PhysicalID: name, Attributes: map[string]any{}}, nil
}

// stageMembers are the CreateStage members a stage's properties set.
var stageMembers = memberList{
	{prop: "Description"},
	{prop: "Variables", conv: stringMapValue},
	{prop: "CacheClusterEnabled"},
	{prop: "CacheClusterSize"},
	{prop: "TracingEnabled"},
	{prop: "DocumentationVersion"},
}

// createRestStage creates a stage of a deployment configured by the
// stage properties p.
func createRestStage(ctx context.Context, r *resource.Request, api, name, deployment string, p props) error {
	in := map[string]any{"restApiId": api, "stageName": name, "deploymentId": deployment}
	if err := stageMembers.add(in, p); err != nil {
		return err
	}
	if tags := tagMap(p["Tags"]); len(tags) > 0 {
		in["tags"] = anyMap(tags)
	}
	if _, err := call(ctx, r, restAPIs, "CreateStage", in); err != nil {
		return err
	}
	made := props{"DeploymentId": p["DeploymentId"]}
	for _, m := range stageMembers {
		made[m.prop] = p[m.prop]
	}
	err := updateStage(ctx, r, api, name, stagePatches(made, p))
	if err != nil {
		_, _ = call(ctx, r, restAPIs, "DeleteStage", map[string]any{"restApiId": api, "stageName": name})
	}
	return err
}

func (restStage) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p, old := coerced(r, restAPIKinds)
	if p.has("CanarySetting") {
		return nil, fmt.Errorf("AWS::ApiGateway::Stage: %w", errCanary)
	}
	api, name := p.str("RestApiId"), r.PhysicalID
	if err := updateStage(ctx, r, api, name, stagePatches(old, p)); err != nil {
		return nil, err
	}
	if err := retagAPIGateway(ctx, r, restAPIs, restAPIARN(r, api)+"/stages/"+name, tagMap(old["Tags"]), tagMap(p["Tags"])); err != nil {
		return nil, err
	}
	return &resource.Result{PhysicalID: name, Attributes: map[string]any{}}, nil
}

func (restStage) Delete(ctx context.Context, r *resource.Request) error {
	_, err := call(ctx, r, restAPIs, "DeleteStage", map[string]any{"restApiId": props(r.Properties).str("RestApiId"), "stageName": r.PhysicalID})
	return ignoreGone(err)
}

func updateStage(ctx context.Context, r *resource.Request, api, name string, ops []any) error {
	if len(ops) == 0 {
		return nil
	}
	_, err := call(ctx, r, restAPIs, "UpdateStage", map[string]any{"restApiId": api, "stageName": name, "patchOperations": ops})
	return err
}

// stageSettings are a stage's scalar settings with their patch paths.
var stageSettings = []struct{ prop, path string }{
	{"DeploymentId", "/deploymentId"},
	{"Description", "/description"},
	{"DocumentationVersion", "/documentationVersion"},
	{"ClientCertificateId", "/clientCertificateId"},
	{"CacheClusterSize", "/cacheClusterSize"},
	{"CacheClusterEnabled", "/cacheClusterEnabled"},
	{"TracingEnabled", "/tracingEnabled"},
}

// methodSettingPaths are the members of a MethodSetting with the part of
// the patch path, below /{resourcePath}/{httpMethod}, that sets each.
var methodSettingPaths = map[string]string{
	"MetricsEnabled":       "metrics/enabled",
	"DataTraceEnabled":     "logging/dataTrace",
	"LoggingLevel":         "logging/loglevel",
	"ThrottlingBurstLimit": "throttling/burstLimit",
	"ThrottlingRateLimit":  "throttling/rateLimit",
	"CachingEnabled":       "caching/enabled",
	"CacheTtlInSeconds":    "caching/ttlInSeconds",
	"CacheDataEncrypted":   "caching/dataEncrypted",
}

// stagePatches are the UpdateStage operations that change a stage set up
// by the properties old into one set up by p.
func stagePatches(old, p props) []any {
	var ops []any
	for _, s := range stageSettings {
		if !changed(old, p, s.prop) || (s.prop == "DeploymentId" && !p.has(s.prop)) {
			continue
		}
		v := p.str(s.prop)
		if !p.has(s.prop) && (s.prop == "CacheClusterEnabled" || s.prop == "TracingEnabled") {
			v = "false"
		}
		ops = append(ops, replaceOp(s.path, v))
	}
	oldVars, vars := stringMap(jsonObject(old["Variables"])), stringMap(jsonObject(p["Variables"]))
	for _, k := range sortedKeys(oldVars) {
		if _, ok := vars[k]; !ok {
			ops = append(ops, patchOp("remove", patchPath("variables", k), nil))
		}
	}
	for _, k := range sortedKeys(vars) {
		if was, ok := oldVars[k]; !ok || !resource.Equal(was, vars[k]) {
			ops = append(ops, replaceOp(patchPath("variables", k), fmt.Sprint(vars[k])))
		}
	}
	if changed(old, p, "AccessLogSetting") {
		al := props(asMap(p["AccessLogSetting"]))
		if al.str("DestinationArn") == "" {
			if old.has("AccessLogSetting") {
				ops = append(ops, patchOp("remove", "/accessLogSettings", nil))
			}
		} else {
			ops = append(ops, replaceOp("/accessLogSettings/destinationArn", al.str("DestinationArn")),
				replaceOp("/accessLogSettings/format", al.str("Format")))
		}
	}
	if changed(old, p, "MethodSettings") {
		for _, e := range old.list("MethodSettings") {
			ops = append(ops, patchOp("remove", methodSettingPath(props(asMap(e))), nil))
		}
		for _, e := range p.list("MethodSettings") {
			ms := props(asMap(e))
			for _, k := range sortedKeys(methodSettingPaths) {
				if ms.has(k) {
					ops = append(ops, replaceOp(methodSettingPath(ms)+"/"+methodSettingPaths[k], ms.str(k)))
				}
			}
		}
	}
	return ops
}

// methodSettingPath is where a method setting's members are patched:
// /{resourcePath}/{httpMethod}, the resource path's own slashes escaped
// as ~1 ("/~1pets~1{id}/GET", "/~1/GET" for the root, "/*/*" for every
// method). The template's ResourcePath is written either way,
// "/~1pets~1{id}" as CloudFormation documents it or "/pets/{id}".
func methodSettingPath(ms props) string {
	path := strings.TrimPrefix(ms.str("ResourcePath"), "/")
	switch path {
	case "*":
	case "":
		path = "~1"
	default:
		path = strings.ReplaceAll(path, "~1", "/")
		if !strings.HasPrefix(path, "/") {
			path = "/" + path
		}
		path = escapePointer(path)
	}
	method := ms.str("HttpMethod")
	if method == "" {
		method = "*"
	}
	return "/" + path + "/" + method
}

// restAuthorizer is AWS::ApiGateway::Authorizer: CreateAuthorizer and
// UpdateAuthorizer's patches. Its physical ID and Ref are the
// authorizer's id.
type restAuthorizer struct{}

// authorizerMembers are an authorizer's members, each patched at
// /member.
var authorizerMembers = memberList{
	{prop: "Name"},
	{prop: "Type"},
	{prop: "AuthType"},
	{prop: "AuthorizerUri"},
	{prop: "AuthorizerCredentials"},
	{prop: "IdentitySource"},
	{prop: "IdentityValidationExpression"},
	{prop: "AuthorizerResultTtlInSeconds", reset: defaultAuthorizerTTL},
}

func (restAuthorizer) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p, _ := coerced(r, restAPIKinds)
	in := map[string]any{"restApiId": p.str("RestApiId")}
	if err := authorizerMembers.add(in, p); err != nil {
		return nil, err
	}
	if p.has("ProviderARNs") {
		in["providerARNs"] = p["ProviderARNs"]
	}
	out, err := call(ctx, r, restAPIs, "CreateAuthorizer", in)
	if err != nil {
		return nil, err
	}
	id := outStr(out, "id")
	return &resource.Result{PhysicalID: id, Attributes: map[string]any{"AuthorizerId": id}}, nil
}

func (restAuthorizer) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p, old := coerced(r, restAPIKinds)
	var ops []any
	for _, m := range authorizerMembers {
		if !changed(old, p, m.prop) {
			continue
		}
		v, _ := text(m.reset)
		if p.has(m.prop) {
			v = p.str(m.prop)
		}
		ops = append(ops, replaceOp("/"+m.member(), v))
	}
	oldARNs, arns := stringList(old["ProviderARNs"]), stringList(p["ProviderARNs"])
	for _, a := range oldARNs {
		if !slices.Contains(arns, a) {
			ops = append(ops, patchOp("remove", patchPath("providerARNs", a), nil))
		}
	}
	for _, a := range arns {
		if !slices.Contains(oldARNs, a) {
			ops = append(ops, patchOp("add", patchPath("providerARNs", a), nil))
		}
	}
	if len(ops) > 0 {
		if _, err := call(ctx, r, restAPIs, "UpdateAuthorizer", map[string]any{
			"restApiId": p.str("RestApiId"), "authorizerId": r.PhysicalID, "patchOperations": ops,
		}); err != nil {
			return nil, err
		}
	}
	return &resource.Result{PhysicalID: r.PhysicalID, Attributes: map[string]any{"AuthorizerId": r.PhysicalID}}, nil
}

func (restAuthorizer) Delete(ctx context.Context, r *resource.Request) error {
	_, err := call(ctx, r, restAPIs, "DeleteAuthorizer", map[string]any{
		"restApiId": props(r.Properties).str("RestApiId"), "authorizerId": r.PhysicalID,
	})
	return ignoreGone(err)
}

// retagAPIGateway changes the tags of what an API Gateway ARN names from
// old to new. REST APIs name the members resourceArn and tagKeys, HTTP
// APIs (whose ARN travels in the path) ResourceArn and TagKeys.
func retagAPIGateway(ctx context.Context, r *resource.Request, service, arn string, old, new map[string]string) error {
	arnMember, keysMember := "resourceArn", "tagKeys"
	if service == httpAPIs {
		arnMember, keysMember = "ResourceArn", "TagKeys"
	}
	set, removed := tagDiff(old, new)
	if len(removed) > 0 {
		if _, err := call(ctx, r, service, "UntagResource", map[string]any{arnMember: arn, keysMember: anyStrings(removed)}); err != nil {
			return err
		}
	}
	if len(set) > 0 {
		if _, err := call(ctx, r, service, "TagResource", map[string]any{arnMember: arn, "tags": anyMap(set)}); err != nil {
			return err
		}
	}
	return nil
}

// member is a property that an API Gateway operation takes as a member.
type member struct {
	// prop is the property's name; name is the member's, prop with a
	// lower-case first letter when empty.
	prop, name string
	// conv converts the property's value to the member's; nil passes it
	// as it is.
	conv func(any) (any, error)
	// reset is the value that puts back the default when a template
	// drops the property on an update; nil leaves the member alone.
	reset any
}

func (m member) member() string {
	if m.name != "" {
		return m.name
	}
	return lowerFirst(m.prop)
}

// memberList maps the properties of a type to an operation's members.
type memberList []member

// add sets in the members of the properties p has.
func (l memberList) add(in map[string]any, p props) error {
	for _, m := range l {
		v, ok := p[m.prop]
		if !ok || v == nil {
			continue
		}
		if m.conv != nil {
			var err error
			if v, err = m.conv(v); err != nil {
				return fmt.Errorf("%s: %w", m.prop, err)
			}
		}
		in[m.member()] = v
	}
	return nil
}

// changes sets in the members of the properties that differ between old
// and p: their new values, or their resets when p drops them. It
// reports how many it set.
func (l memberList) changes(in map[string]any, old, p props) (int, error) {
	n := 0
	for _, m := range l {
		if !changed(old, p, m.prop) {
			continue
		}
		if p.has(m.prop) {
			if err := (memberList{m}).add(in, p); err != nil {
				return 0, err
			}
		} else if m.reset != nil {
			in[m.member()] = m.reset
		} else {
			continue
		}
		n++
	}
	return n, nil
}

// lowerFirst is s with its first letter in lower case: API Gateway's
// member names are CloudFormation's property names so written.
func lowerFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToLower(r)) + s[n:]
}

// lowerKeys converts an object whose keys are CloudFormation's property
// names (an EndpointConfiguration, a Cors) to the API's members. JSON
// text is read first.
func lowerKeys(v any) (any, error) {
	m, ok := jsonObject(v).(map[string]any)
	if !ok {
		return nil, fmt.Errorf("expected an object, not %T", v)
	}
	out := make(map[string]any, len(m))
	for k, e := range m {
		out[lowerFirst(k)] = e
	}
	return out, nil
}

// jsonTextValue is jsonText as a member converter.
func jsonTextValue(v any) (any, error) { return jsonText(v) }

// stringMapValue reads a map of text members (stage variables, request
// templates), which a template may also give as JSON text.
func stringMapValue(v any) (any, error) {
	m := stringMap(jsonObject(v))
	if m == nil {
		return nil, fmt.Errorf("expected an object, not %T", v)
	}
	return m, nil
}

// boolMap reads a map of booleans (a method's request parameters, a
// method response's response parameters), which templates may give as
// "true" and "false".
func boolMap(v any) (any, error) {
	m, ok := jsonObject(v).(map[string]any)
	if !ok {
		return nil, fmt.Errorf("expected an object, not %T", v)
	}
	out := make(map[string]any, len(m))
	for k, e := range m {
		s, _ := text(e)
		out[k] = strings.EqualFold(s, "true")
	}
	return out, nil
}

// jsonObject reads JSON text (the properties CloudFormation types as
// Json, which templates give as objects or as text) into a value; other
// values are returned as they are.
func jsonObject(v any) any {
	s, ok := v.(string)
	if !ok {
		return v
	}
	d := json.NewDecoder(strings.NewReader(s))
	d.UseNumber()
	var out any
	if d.Decode(&out) != nil {
		return v
	}
	return out
}

// stringList reads a list of text.
func stringList(v any) []string {
	l, _ := v.([]any)
	out := make([]string, 0, len(l))
	for _, e := range l {
		if s, ok := text(e); ok {
			out = append(out, s)
		}
	}
	return out
}

// firstString is the first element of a list of text, or "".
func firstString(v any) string {
	if l := stringList(v); len(l) > 0 {
		return l[0]
	}
	return ""
}

// patchOp is one JSON Patch operation of an API Gateway update.
func patchOp(op, path string, value *string) map[string]any {
	out := map[string]any{"op": op, "path": path}
	if value != nil {
		out["value"] = *value
	}
	return out
}

func replaceOp(path, value string) map[string]any { return patchOp("replace", path, &value) }

// patchPath is /member/item, item escaped for a JSON Pointer ("/" as
// "~1", "~" as "~0").
func patchPath(member, item string) string {
	return "/" + member + "/" + escapePointer(item)
}

func escapePointer(s string) string {
	return strings.NewReplacer("~", "~0", "/", "~1").Replace(s)
}

// isNotImplemented reports whether err is an operation virga does not
// implement.
func isNotImplemented(err error) bool {
	var e *apierr.Error
	return errors.As(err, &e) && e.Code == apierr.ErrNotImplemented.Code
}
