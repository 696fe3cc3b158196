package apigateway

import (
	"encoding/json"
	"fmt"
	"maps"
	"path"
	"regexp"
	"slices"
	"strings"

	"github.com/virga/virga/internal/awsproto/apierr"
	"github.com/virga/virga/internal/openapi"
)

// ImportRestApi and PutRestApi read an OpenAPI 3 or Swagger 2 document,
// in JSON or YAML, with API Gateway's extensions:
//
//	x-amazon-apigateway-integration         a method's integration (type aws_proxy, mock, ...)
//	x-amazon-apigateway-any-method          the ANY method of a path
//	x-amazon-apigateway-binary-media-types  the API's binary media types
//	x-amazon-apigateway-authorizer          a security scheme that is a Lambda or Cognito authorizer
//	x-amazon-apigateway-authtype            awsSigv4 (AWS_IAM), or the authorizer's authType
//	x-amazon-apigateway-api-key-source      HEADER or AUTHORIZER
//	x-amazon-apigateway-gateway-responses   the API's customized gateway responses
//	x-amazon-apigateway-request-validators  the API's request validators, and
//	x-amazon-apigateway-request-validator   the document's or an operation's validator
//	definitions, components.schemas         the API's models, which body parameters,
//	                                        requestBody content, and responses' schemas
//	                                        and content refer to
//	x-amazon-apigateway-minimum-compression-size, -policy, -endpoint-configuration
//
// parseDefinition turns a document into a definition; applyDefinition
// (op_import.go) builds it into an API. Documentation parts are not
// imported, and are reported as a warning.

// definition is what an OpenAPI document defines for API Gateway.
type definition struct {
	title, description, version string
	basePath                    string
	binaryMediaTypes            []string
	minimumCompressionSize      *int32
	apiKeySource                string
	policy                      string
	disableExecuteAPIEndpoint   *bool
	vpcEndpointIDs              []string
	// paths are sorted by path; a method's AuthorizerID holds its
	// authorizer's name until the definition is applied.
	paths       []definedPath
	authorizers []*authorizer // ID empty, sorted by name
	// gatewayResponses are x-amazon-apigateway-gateway-responses.
	gatewayResponses map[string]*gatewayResponse
	// models are the document's schemas (ID empty), by name; validators
	// its x-amazon-apigateway-request-validators (ID empty), by name. A
	// method's RequestValidatorID holds its validator's name until the
	// definition is applied.
	models     map[string]*model
	validators map[string]*requestValidator
	warnings   []string
}

// definedPath is one path of a document with its methods.
type definedPath struct {
	path    string
	methods map[string]*method
}

// importError is BadRequestException for a document API Gateway cannot
// import.
func importError(format string, args ...any) error {
	return ErrBadRequest.WithMessage("Errors found during import:\n\t" + fmt.Sprintf(format, args...))
}

// parseDefinition reads an OpenAPI document.
func parseDefinition(body []byte) (*definition, error) {
	root, err := decodeDocument(body)
	if err != nil {
		return nil, badRequest("Invalid OpenAPI input.")
	}
	isV3 := strings.HasPrefix(str(root["openapi"]), "3.")
	if !isV3 && str(root["swagger"]) != "2.0" {
		return nil, badRequest("Invalid OpenAPI input.")
	}
	p := &parser{root: root}
	d := &definition{}
	info := obj(root["info"])
	d.title, d.description, d.version = str(info["title"]), str(info["description"]), str(info["version"])
	if isV3 {
		if servers := list(root["servers"]); len(servers) > 0 {
			d.basePath = serverBasePath(obj(servers[0]))
		}
	} else {
		d.basePath = str(root["basePath"])
	}
	for _, t := range list(root["x-amazon-apigateway-binary-media-types"]) {
		d.binaryMediaTypes = append(d.binaryMediaTypes, str(t))
	}
	if v, ok := root["x-amazon-apigateway-minimum-compression-size"]; ok {
		n, ok := integer(v)
		if !ok || n < 0 || n > maxCompressionSize {
			return nil, badRequest(msgInvalidMinimumCompression)
		}
		d.minimumCompressionSize = ptr(int32(n))
	}
	if v := str(root["x-amazon-apigateway-api-key-source"]); v != "" {
		d.apiKeySource = strings.ToUpper(v)
	}
	if pol, ok := root["x-amazon-apigateway-policy"]; ok {
		b, err := json.Marshal(pol)
		if err != nil {
			return nil, importError("Invalid policy")
		}
		d.policy = string(b)
	}
	if ec := obj(root["x-amazon-apigateway-endpoint-configuration"]); ec != nil {
		if b, ok := ec["disableExecuteApiEndpoint"].(bool); ok {
			d.disableExecuteAPIEndpoint = &b
		}
		for _, id := range list(ec["vpcEndpointIds"]) {
			d.vpcEndpointIDs = append(d.vpcEndpointIDs, str(id))
		}
	}
	schemes := obj(root["securityDefinitions"])
	if isV3 {
		schemes = obj(obj(root["components"])["securitySchemes"])
	}
	if err := p.readSchemes(schemes, d); err != nil {
		return nil, err
	}
	if err := readGatewayResponses(obj(root["x-amazon-apigateway-gateway-responses"]), d); err != nil {
		return nil, err
	}
	if _, ok := root["x-amazon-apigateway-documentation"]; ok {
		d.warnings = append(d.warnings, "Ignoring x-amazon-apigateway-documentation: not supported by virga yet")
	}
	schemas := obj(root["definitions"])
	if isV3 {
		schemas = obj(obj(root["components"])["schemas"])
	}
	if err := readModels(schemas, d); err != nil {
		return nil, err
	}
	validators := obj(root["x-amazon-apigateway-request-validators"])
	for _, name := range slices.Sorted(maps.Keys(validators)) {
		v := obj(validators[name])
		body, _ := v["validateRequestBody"].(bool)
		params, _ := v["validateRequestParameters"].(bool)
		if d.validators == nil {
			d.validators = map[string]*requestValidator{}
		}
		d.validators[name] = &requestValidator{Name: name, ValidateRequestBody: body, ValidateRequestParameters: params}
	}
	p.defaultValidator = str(root["x-amazon-apigateway-request-validator"])
	p.consumes, p.produces = list(root["consumes"]), list(root["produces"])
	globalSecurity, hasGlobal := root["security"]
	paths := obj(root["paths"])
	for _, route := range slices.Sorted(maps.Keys(paths)) {
		if !strings.HasPrefix(route, "/") {
			return nil, importError("Invalid path %q: a path must begin with '/'", route)
		}
		item := obj(p.resolve(paths[route]))
		dp := definedPath{path: route, methods: map[string]*method{}}
		for _, key := range slices.Sorted(maps.Keys(item)) {
			verb := operationVerb(key)
			if verb == "" {
				continue
			}
			op := obj(item[key])
			security, hasSecurity := op["security"]
			if !hasSecurity && hasGlobal {
				security = globalSecurity
			}
			m, err := p.readOperation(verb, op, list(item["parameters"]), security, d)
			if err != nil {
				return nil, err
			}
			if m.Integration == nil {
				d.warnings = append(d.warnings, fmt.Sprintf("No integration defined for method %s %s", verb, route))
			}
			dp.methods[verb] = m
		}
		d.paths = append(d.paths, dp)
	}
	return d, nil
}

// operationVerb is the HTTP method a path item's key stands for, "" for
// keys that are not operations (parameters, summary, extensions).
func operationVerb(key string) string {
	switch key {
	case "get", "put", "post", "delete", "options", "head", "patch":
		return strings.ToUpper(key)
	case "x-amazon-apigateway-any-method":
		return "ANY"
	}
	return ""
}

// serverBasePath is the path of an OpenAPI 3 server URL, with its
// variables' defaults substituted.
func serverBasePath(server map[string]any) string {
	u := str(server["url"])
	vars := obj(server["variables"])
	for name, v := range vars {
		u = strings.ReplaceAll(u, "{"+name+"}", str(obj(v)["default"]))
	}
	if i := strings.Index(u, "://"); i >= 0 {
		u = u[i+3:]
		if j := strings.IndexByte(u, '/'); j >= 0 {
			u = u[j:]
		} else {
			u = ""
		}
	}
	if u == "" {
		return ""
	}
	return path.Clean("/" + u)
}

// parser reads one document, resolving its local $refs.
type parser struct {
	root map[string]any
	// apiKeySchemes and sigv4Schemes are the security schemes that stand
	// for an API key and for IAM authorization.
	apiKeySchemes, sigv4Schemes map[string]bool
	// defaultValidator is the document's x-amazon-apigateway-request-validator;
	// consumes and produces its Swagger 2 content types.
	defaultValidator   string
	consumes, produces []any
}

// resolve follows a {"$ref": "#/a/b"} to what it points at.
func (p *parser) resolve(v any) any { return openapi.Resolve(p.root, v) }

// readSchemes reads the security schemes: authorizers, API keys and
// SigV4.
func (p *parser) readSchemes(schemes map[string]any, d *definition) error {
	p.apiKeySchemes, p.sigv4Schemes = map[string]bool{}, map[string]bool{}
	for _, name := range slices.Sorted(maps.Keys(schemes)) {
		sc := obj(p.resolve(schemes[name]))
		authType := str(sc["x-amazon-apigateway-authtype"])
		ext := obj(sc["x-amazon-apigateway-authorizer"])
		switch {
		case ext != nil:
			au := &authorizer{
				Name:                         name,
				Type:                         strings.ToUpper(str(ext["type"])),
				AuthType:                     authType,
				AuthorizerURI:                str(ext["authorizerUri"]),
				AuthorizerCredentials:        str(ext["authorizerCredentials"]),
				IdentitySource:               str(ext["identitySource"]),
				IdentityValidationExpression: str(ext["identityValidationExpression"]),
				ResultTTLSeconds:             defaultAuthorizerTTL,
			}
			if v, ok := ext["authorizerResultTtlInSeconds"]; ok {
				n, ok := integer(v)
				if !ok {
					return importError("Invalid authorizerResultTtlInSeconds for authorizer %s", name)
				}
				au.ResultTTLSeconds = int32(n)
			}
			for _, arn := range list(ext["providerARNs"]) {
				au.ProviderARNs = append(au.ProviderARNs, str(arn))
			}
			if au.Type == "TOKEN" && au.IdentitySource == "" && str(sc["in"]) == "header" && str(sc["name"]) != "" {
				au.IdentitySource = "method.request.header." + str(sc["name"])
			}
			if err := checkAuthorizer(au); err != nil {
				return importError("Invalid authorizer definition %s: %s", name, apiMessage(err))
			}
			d.authorizers = append(d.authorizers, au)
		case strings.EqualFold(authType, "awsSigv4"):
			p.sigv4Schemes[name] = true
		case str(sc["type"]) == "apiKey":
			p.apiKeySchemes[name] = true
		}
	}
	return nil
}

// readOperation reads one operation of a path into a method.
func (p *parser) readOperation(verb string, op map[string]any, pathParams []any, security any, d *definition) (*method, error) {
	m := &method{HTTPMethod: verb, AuthorizationType: "NONE", OperationName: str(op["operationId"])}
	for _, req := range list(security) {
		for _, name := range slices.Sorted(maps.Keys(obj(req))) {
			switch {
			case p.apiKeySchemes[name]:
				m.APIKeyRequired = true
			case p.sigv4Schemes[name]:
				m.AuthorizationType = "AWS_IAM"
			default:
				i := slices.IndexFunc(d.authorizers, func(a *authorizer) bool { return a.Name == name })
				if i < 0 {
					return nil, importError("Unable to find a security scheme named %s for method %s", name, verb)
				}
				m.AuthorizerID = name
				m.AuthorizationType = "CUSTOM"
				if d.authorizers[i].Type == "COGNITO_USER_POOLS" {
					m.AuthorizationType = "COGNITO_USER_POOLS"
					for _, scope := range list(obj(req)[name]) {
						m.AuthorizationScopes = append(m.AuthorizationScopes, str(scope))
					}
				}
			}
		}
	}
	if err := p.readRequestModels(m, op, append(slices.Clone(pathParams), list(op["parameters"])...), d); err != nil {
		return nil, err
	}
	if v, ok := op["x-amazon-apigateway-request-validator"]; ok {
		m.RequestValidatorID = str(v)
	} else {
		m.RequestValidatorID = p.defaultValidator
	}
	if m.RequestValidatorID != "" && d.validators[m.RequestValidatorID] == nil {
		return nil, importError("Invalid request validator %s for method %s", m.RequestValidatorID, verb)
	}
	for _, raw := range append(slices.Clone(pathParams), list(op["parameters"])...) {
		prm := obj(p.resolve(raw))
		in := map[string]string{"path": "path", "query": "querystring", "header": "header"}[str(prm["in"])]
		if in == "" || str(prm["name"]) == "" {
			continue
		}
		if m.RequestParameters == nil {
			m.RequestParameters = map[string]bool{}
		}
		required, _ := prm["required"].(bool)
		m.RequestParameters["method.request."+in+"."+str(prm["name"])] = required
	}
	responses := obj(op["responses"])
	for _, code := range slices.Sorted(maps.Keys(responses)) {
		if parseStatus(code) == 0 {
			continue
		}
		mr := &methodResponse{StatusCode: code}
		resp := obj(p.resolve(responses[code]))
		for _, h := range slices.Sorted(maps.Keys(obj(resp["headers"]))) {
			if mr.ResponseParameters == nil {
				mr.ResponseParameters = map[string]bool{}
			}
			mr.ResponseParameters["method.response.header."+h] = false
		}
		if err := p.readResponseModels(mr, op, resp, d); err != nil {
			return nil, err
		}
		if m.Responses == nil {
			m.Responses = map[string]*methodResponse{}
		}
		m.Responses[code] = mr
	}
	if x, ok := op["x-amazon-apigateway-integration"]; ok {
		ig, err := readIntegration(obj(x))
		if err != nil {
			return nil, err
		}
		m.Integration = ig
	}
	return m, nil
}

// readIntegration reads an x-amazon-apigateway-integration object.
func readIntegration(x map[string]any) (*integration, error) {
	ig := &integration{
		Type:                strings.ToUpper(str(x["type"])),
		HTTPMethod:          strings.ToUpper(str(x["httpMethod"])),
		URI:                 str(x["uri"]),
		Credentials:         str(x["credentials"]),
		ConnectionType:      strings.ToUpper(str(x["connectionType"])),
		ConnectionID:        str(x["connectionId"]),
		PassthroughBehavior: strings.ToUpper(str(x["passthroughBehavior"])),
		ContentHandling:     strings.ToUpper(str(x["contentHandling"])),
		CacheNamespace:      str(x["cacheNamespace"]),
		RequestTemplates:    stringMap(x["requestTemplates"]),
		RequestParameters:   stringMap(x["requestParameters"]),
	}
	for _, k := range list(x["cacheKeyParameters"]) {
		ig.CacheKeyParameters = append(ig.CacheKeyParameters, str(k))
	}
	if v, ok := x["timeoutInMillis"]; ok {
		n, ok := integer(v)
		if !ok {
			return nil, importError("Invalid timeoutInMillis: %v", v)
		}
		ig.TimeoutMillis = int32(n)
	}
	if ig.Type == "" {
		return nil, importError("An integration is missing its type")
	}
	responses := obj(x["responses"])
	for _, pattern := range slices.Sorted(maps.Keys(responses)) {
		r := obj(responses[pattern])
		ir := &integrationResponse{
			StatusCode:         str(r["statusCode"]),
			ResponseParameters: stringMap(r["responseParameters"]),
			ResponseTemplates:  stringMap(r["responseTemplates"]),
			ContentHandling:    strings.ToUpper(str(r["contentHandling"])),
		}
		if pattern != "default" {
			ir.SelectionPattern = pattern
		}
		if parseStatus(ir.StatusCode) == 0 {
			return nil, importError("Invalid status code %q in integration response %q", ir.StatusCode, pattern)
		}
		if ig.Responses == nil {
			ig.Responses = map[string]*integrationResponse{}
		}
		ig.Responses[ir.StatusCode] = ir
	}
	return ig, nil
}

// The document readers are package openapi's, under the names this
// package's code has always used.

func decodeDocument(body []byte) (map[string]any, error) { return openapi.Decode(body) }
func obj(v any) map[string]any                           { return openapi.Obj(v) }
func list(v any) []any                                   { return openapi.List(v) }
func str(v any) string                                   { return openapi.Str(v) }
func integer(v any) (int64, bool)                        { return openapi.Int(v) }
func stringMap(v any) map[string]string                  { return openapi.StringMap(v) }

// apiMessage is an API error's message without its code.
func apiMessage(err error) string {
	if e := apierr.As(err); e != nil {
		return e.Message
	}
	return err.Error()
}

// readGatewayResponses reads x-amazon-apigateway-gateway-responses: by
// response type, a statusCode, responseParameters and responseTemplates.
func readGatewayResponses(ext map[string]any, d *definition) error {
	for _, typ := range slices.Sorted(maps.Keys(ext)) {
		if _, known := gatewayResponseStatus[typ]; !known {
			return importError("Invalid gateway response type specified: %s", typ)
		}
		v := obj(ext[typ])
		gr := &gatewayResponse{StatusCode: str(v["statusCode"]), ResponseParameters: stringMap(v["responseParameters"]),
			ResponseTemplates: stringMap(v["responseTemplates"])}
		if err := checkGatewayResponse(gr); err != nil {
			return err
		}
		if d.gatewayResponses == nil {
			d.gatewayResponses = map[string]*gatewayResponse{}
		}
		d.gatewayResponses[typ] = gr
	}
	return nil
}

// readModels reads a document's schemas as models: JSON Schema documents
// for application/json, references to other schemas left as written.
func readModels(schemas map[string]any, d *definition) error {
	for _, name := range slices.Sorted(maps.Keys(schemas)) {
		if !modelName.MatchString(name) {
			return importError("Model name must be alphanumeric: %s", name)
		}
		b, err := json.Marshal(schemas[name])
		if err != nil {
			return importError("Invalid model schema specified: %s", name)
		}
		if d.models == nil {
			d.models = map[string]*model{}
		}
		d.models[name] = &model{Name: name, ContentType: "application/json", Schema: string(b),
			Description: str(obj(schemas[name])["description"])}
	}
	return nil
}

// modelName is what API Gateway accepts as a model's name.
var modelName = regexp.MustCompile(`^[A-Za-z0-9]+$`)

// readRequestModels reads the models of an operation's request body: a
// Swagger 2 body parameter's schema, for each content type the
// operation consumes, or an OpenAPI 3 requestBody's content. A schema
// must refer to one of the document's models.
func (p *parser) readRequestModels(m *method, op map[string]any, params []any, d *definition) error {
	for _, raw := range params {
		prm := obj(p.resolve(raw))
		if str(prm["in"]) != "body" {
			continue
		}
		for _, t := range contentTypes(op["consumes"], p.consumes) {
			if err := addModel(&m.RequestModels, t, prm["schema"], "request", d); err != nil {
				return err
			}
		}
	}
	if rb := obj(p.resolve(op["requestBody"])); rb != nil {
		return addContentModels(&m.RequestModels, rb, "request", d)
	}
	return nil
}

// readResponseModels reads the models of a method response, as API
// Gateway imports them: a Swagger 2 response's schema, for each content
// type the operation produces, or an OpenAPI 3 response's content. A
// schema must refer to one of the document's models.
func (p *parser) readResponseModels(mr *methodResponse, op, resp map[string]any, d *definition) error {
	if schema, ok := resp["schema"]; ok {
		for _, t := range contentTypes(op["produces"], p.produces) {
			if err := addModel(&mr.ResponseModels, t, schema, "response", d); err != nil {
				return err
			}
		}
	}
	return addContentModels(&mr.ResponseModels, resp, "response", d)
}

// contentTypes are a Swagger 2 operation's consumes or produces: its
// own, else the document's, else application/json.
func contentTypes(own any, document []any) []string {
	types := list(own)
	if types == nil {
		types = document
	}
	if len(types) == 0 {
		return []string{"application/json"}
	}
	out := make([]string, len(types))
	for i, t := range types {
		out[i] = str(t)
	}
	return out
}

// addContentModels adds the models of an OpenAPI 3 requestBody's or
// response's content, by content type, to models.
func addContentModels(models *map[string]string, body map[string]any, what string, d *definition) error {
	content := obj(body["content"])
	for _, t := range slices.Sorted(maps.Keys(content)) {
		if err := addModel(models, t, obj(content[t])["schema"], what, d); err != nil {
			return err
		}
	}
	return nil
}

// addModel sets models[contentType] to the model schema refers to. An
// inline schema (what names a request's or a response's) is ignored with
// a warning; a reference to no model of the document fails the import.
func addModel(models *map[string]string, contentType string, schema any, what string, d *definition) error {
	ref := str(obj(schema)["$ref"])
	if ref == "" {
		if schema != nil {
			d.warnings = append(d.warnings, "Ignoring an inline "+what+" schema: "+what+" models must refer to the document's models in virga")
		}
		return nil
	}
	name := modelRef(ref)
	if d.models[name] == nil {
		return importError("Invalid model specified: %s", ref)
	}
	if *models == nil {
		*models = map[string]string{}
	}
	(*models)[contentType] = name
	return nil
}
