package apigateway

import (
	"encoding/json"
	"maps"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/virga/virga/internal/openapi"
)

// exportFormat is the OpenAPI version GetExport writes: OpenAPI 3.0
// (exportType oas30) or Swagger 2.0 (swagger).
type exportFormat int

const (
	formatOAS30 exportFormat = iota
	formatSwagger
)

// exportOptions are the extensions GetExport's parameters ask for.
type exportOptions struct {
	format       exportFormat
	integrations bool // x-amazon-apigateway-integration on each operation
	authorizers  bool // x-amazon-apigateway-authorizer on each authorizer's scheme
	apigateway   bool // every API Gateway extension, the API-wide ones included
}

// exportDocument writes a deployed API as an OpenAPI document: the
// reverse of what the importer (openapi.go) reads, with the same
// extensions. host and basePath are the stage's URL: its API's
// execute-api host name and the stage's name.
func exportDocument(a *restAPI, host, basePath string, o exportOptions) map[string]any {
	x := &exporter{api: a, o: o}
	doc := map[string]any{}
	info := map[string]any{"title": a.Name, "version": a.Version}
	if a.Version == "" {
		info["version"] = a.Created.UTC().Format(time.RFC3339)
	}
	if a.Description != "" {
		info["description"] = a.Description
	}
	doc["info"] = info
	if o.format == formatSwagger {
		doc["swagger"] = "2.0"
		doc["host"] = host
		doc["basePath"] = "/" + basePath
		doc["schemes"] = []any{"https"}
	} else {
		doc["openapi"] = "3.0.1"
		doc["servers"] = []any{map[string]any{
			"url":       "https://" + host + "/{basePath}",
			"variables": map[string]any{"basePath": map[string]any{"default": basePath}},
		}}
	}
	paths := map[string]any{}
	for _, r := range a.Resources {
		if len(r.Methods) == 0 {
			continue
		}
		path := a.path(r)
		item := map[string]any{}
		for verb, m := range r.Methods {
			key := strings.ToLower(verb)
			if verb == "ANY" {
				key = "x-amazon-apigateway-any-method"
			}
			item[key] = x.operation(path, m)
		}
		paths[path] = item
	}
	doc["paths"] = paths
	schemes := x.schemes()
	schemas := x.models()
	if o.format == formatSwagger {
		if len(schemes) > 0 {
			doc["securityDefinitions"] = schemes
		}
		if len(schemas) > 0 {
			doc["definitions"] = schemas
		}
	} else {
		components := map[string]any{}
		if len(schemas) > 0 {
			components["schemas"] = schemas
		}
		if len(schemes) > 0 {
			components["securitySchemes"] = schemes
		}
		if len(components) > 0 {
			doc["components"] = components
		}
	}
	if o.apigateway {
		x.apiExtensions(doc)
	}
	return doc
}

// exporter holds what writing one document needs.
type exporter struct {
	api *restAPI
	o   exportOptions
	// sigv4 and apiKey say whether a method uses IAM authorization or
	// an API key, which makes the document declare their schemes.
	sigv4, apiKey bool
}

// Scheme names of IAM authorization and API keys, as API Gateway's
// exports and imports name them.
const (
	sigv4Scheme  = "sigv4"
	apiKeyScheme = "api_key"
)

// pathParameter matches a path's {name} and {name+} variables.
var pathParameter = regexp.MustCompile(`\{([^}+]+)\+?\}`)

// operation writes one method.
func (x *exporter) operation(path string, m *method) map[string]any {
	op := map[string]any{}
	if m.OperationName != "" {
		op["operationId"] = m.OperationName
	}
	declared := map[string]bool{}
	var params []any
	for _, v := range pathParameter.FindAllStringSubmatch(path, -1) {
		declared["method.request.path."+v[1]] = true
		params = append(params, x.parameter(v[1], "path", true))
	}
	for _, k := range slices.Sorted(maps.Keys(m.RequestParameters)) {
		if declared[k] {
			continue
		}
		in, name, ok := strings.Cut(strings.TrimPrefix(k, "method.request."), ".")
		if !ok {
			continue
		}
		if in == "querystring" {
			in = "query"
		}
		if in == "path" || in == "query" || in == "header" {
			params = append(params, x.parameter(name, in, in == "path" || m.RequestParameters[k]))
		}
	}
	if len(m.RequestModels) > 0 {
		types := slices.Sorted(maps.Keys(m.RequestModels))
		if x.o.format == formatSwagger {
			op["consumes"] = openapi.AnyList(types)
			params = append(params, map[string]any{"in": "body", "name": m.RequestModels[types[0]], "required": true,
				"schema": x.modelRef(m.RequestModels[types[0]])})
		} else {
			content := map[string]any{}
			for _, ct := range types {
				content[ct] = map[string]any{"schema": x.modelRef(m.RequestModels[ct])}
			}
			op["requestBody"] = map[string]any{"content": content, "required": true}
		}
	}
	if len(params) > 0 {
		op["parameters"] = params
	}
	responses := map[string]any{}
	var produces []string
	for code, r := range m.Responses {
		resp := map[string]any{"description": code + " response"}
		headers := map[string]any{}
		for k := range r.ResponseParameters {
			if h, ok := strings.CutPrefix(k, "method.response.header."); ok {
				headers[h] = x.schemaOf(map[string]any{"type": "string"})
			}
		}
		if len(headers) > 0 {
			resp["headers"] = headers
		}
		if len(r.ResponseModels) > 0 {
			types := slices.Sorted(maps.Keys(r.ResponseModels))
			if x.o.format == formatSwagger {
				resp["schema"] = x.modelRef(r.ResponseModels[types[0]])
				for _, ct := range types {
					if !slices.Contains(produces, ct) {
						produces = append(produces, ct)
					}
				}
			} else {
				content := map[string]any{}
				for _, ct := range types {
					content[ct] = map[string]any{"schema": x.modelRef(r.ResponseModels[ct])}
				}
				resp["content"] = content
			}
		}
		responses[code] = resp
	}
	if len(produces) > 0 {
		slices.Sort(produces)
		op["produces"] = openapi.AnyList(produces)
	}
	op["responses"] = responses
	var security []any
	switch m.AuthorizationType {
	case "AWS_IAM":
		x.sigv4 = true
		security = append(security, map[string]any{sigv4Scheme: []any{}})
	case "CUSTOM", "COGNITO_USER_POOLS":
		if au := x.api.Authorizers[m.AuthorizerID]; au != nil {
			security = append(security, map[string]any{au.Name: openapi.AnyList(m.AuthorizationScopes)})
		}
	}
	if m.APIKeyRequired {
		x.apiKey = true
		security = append(security, map[string]any{apiKeyScheme: []any{}})
	}
	if len(security) > 0 {
		op["security"] = security
	}
	if x.o.apigateway && m.RequestValidatorID != "" {
		if v := x.api.RequestValidators[m.RequestValidatorID]; v != nil {
			op["x-amazon-apigateway-request-validator"] = v.Name
		}
	}
	if (x.o.integrations || x.o.apigateway) && m.Integration != nil {
		op["x-amazon-apigateway-integration"] = exportIntegration(m.Integration)
	}
	return op
}

// parameter is a path, query string or header parameter: its type as
// a schema in OpenAPI 3, inline in Swagger 2.
func (x *exporter) parameter(name, in string, required bool) map[string]any {
	p := map[string]any{"name": name, "in": in, "required": required}
	if x.o.format == formatSwagger {
		p["type"] = "string"
	} else {
		p["schema"] = map[string]any{"type": "string"}
	}
	return p
}

// schemaOf is a header's type: a schema in OpenAPI 3, inline in
// Swagger 2.
func (x *exporter) schemaOf(s map[string]any) map[string]any {
	if x.o.format == formatSwagger {
		return s
	}
	return map[string]any{"schema": s}
}

// modelRef points at a model of the document.
func (x *exporter) modelRef(name string) map[string]any {
	return map[string]any{"$ref": x.modelPath() + name}
}

func (x *exporter) modelPath() string {
	if x.o.format == formatSwagger {
		return "#/definitions/"
	}
	return "#/components/schemas/"
}

// modelRefs matches a model schema's references to other models, in
// the forms API Gateway and OpenAPI documents write them.
var modelRefs = regexp.MustCompile(`^(?:https://apigateway\.amazonaws\.com/restapis/[^/]+/models/|#/definitions/|#/components/schemas/)([A-Za-z0-9]+)$`)

// models writes the API's models as the document's schemas, their
// references to one another pointing into the document.
func (x *exporter) models() map[string]any {
	out := map[string]any{}
	for name, md := range x.api.Models {
		var schema any
		if err := json.Unmarshal([]byte(md.Schema), &schema); err != nil {
			continue
		}
		if m, ok := schema.(map[string]any); ok {
			delete(m, "$schema")
		}
		out[name] = x.rewriteRefs(schema)
	}
	return out
}

func (x *exporter) rewriteRefs(v any) any {
	switch t := v.(type) {
	case map[string]any:
		for k, e := range t {
			if s, ok := e.(string); ok && k == "$ref" {
				if m := modelRefs.FindStringSubmatch(s); m != nil {
					t[k] = x.modelPath() + m[1]
				}
				continue
			}
			t[k] = x.rewriteRefs(e)
		}
	case []any:
		for i, e := range t {
			t[i] = x.rewriteRefs(e)
		}
	}
	return v
}

// schemes writes the security schemes the methods use: IAM, API keys
// and the API's authorizers, whose definitions come with the
// authorizers extension.
func (x *exporter) schemes() map[string]any {
	out := map[string]any{}
	if x.sigv4 {
		out[sigv4Scheme] = map[string]any{"type": "apiKey", "name": "Authorization", "in": "header",
			"x-amazon-apigateway-authtype": "awsSigv4"}
	}
	if x.apiKey {
		out[apiKeyScheme] = map[string]any{"type": "apiKey", "name": "x-api-key", "in": "header"}
	}
	for _, au := range x.api.Authorizers {
		header := "Unused"
		if srcs, err := parseIdentitySources(au.IdentitySource); err == nil && au.Type == "TOKEN" && len(srcs) == 1 {
			header = srcs[0].name
		}
		authType := au.AuthType
		if authType == "" {
			authType = "custom"
			if au.Type == "COGNITO_USER_POOLS" {
				authType = "cognito_user_pools"
			}
		}
		sc := map[string]any{"type": "apiKey", "name": header, "in": "header", "x-amazon-apigateway-authtype": authType}
		if x.o.authorizers || x.o.apigateway {
			ext := map[string]any{"type": strings.ToLower(au.Type)}
			if au.AuthorizerURI != "" {
				ext["authorizerUri"] = au.AuthorizerURI
			}
			if au.AuthorizerCredentials != "" {
				ext["authorizerCredentials"] = au.AuthorizerCredentials
			}
			if len(au.ProviderARNs) > 0 {
				ext["providerARNs"] = openapi.AnyList(au.ProviderARNs)
			}
			if au.IdentitySource != "" {
				ext["identitySource"] = au.IdentitySource
			}
			if au.IdentityValidationExpression != "" {
				ext["identityValidationExpression"] = au.IdentityValidationExpression
			}
			ext["authorizerResultTtlInSeconds"] = au.ResultTTLSeconds
			sc["x-amazon-apigateway-authorizer"] = ext
		}
		out[au.Name] = sc
	}
	return out
}

// apiExtensions adds the API-wide extensions: binary media types,
// minimum compression size, API key source, resource policy, gateway
// responses and request validators.
func (x *exporter) apiExtensions(doc map[string]any) {
	a := x.api
	if len(a.BinaryMediaTypes) > 0 {
		doc["x-amazon-apigateway-binary-media-types"] = openapi.AnyList(a.BinaryMediaTypes)
	}
	if a.MinimumCompressionSize != nil {
		doc["x-amazon-apigateway-minimum-compression-size"] = *a.MinimumCompressionSize
	}
	if a.APIKeySource != "" {
		doc["x-amazon-apigateway-api-key-source"] = a.APIKeySource
	}
	if a.Policy != "" {
		var pol any
		if json.Unmarshal([]byte(a.Policy), &pol) == nil {
			doc["x-amazon-apigateway-policy"] = pol
		}
	}
	if len(a.GatewayResponses) > 0 {
		out := map[string]any{}
		for typ, g := range a.GatewayResponses {
			r := map[string]any{}
			if g.StatusCode != "" {
				r["statusCode"] = g.StatusCode
			}
			if len(g.ResponseParameters) > 0 {
				r["responseParameters"] = openapi.AnyMap(g.ResponseParameters)
			}
			if len(g.ResponseTemplates) > 0 {
				r["responseTemplates"] = openapi.AnyMap(g.ResponseTemplates)
			}
			out[typ] = r
		}
		doc["x-amazon-apigateway-gateway-responses"] = out
	}
	if len(a.RequestValidators) > 0 {
		out := map[string]any{}
		for _, v := range a.RequestValidators {
			out[v.Name] = map[string]any{"validateRequestBody": v.ValidateRequestBody, "validateRequestParameters": v.ValidateRequestParameters}
		}
		doc["x-amazon-apigateway-request-validators"] = out
	}
}

// exportIntegration writes an integration as
// x-amazon-apigateway-integration, its enumerations in lower case as
// API Gateway writes them.
func exportIntegration(ig *integration) map[string]any {
	out := map[string]any{"type": strings.ToLower(ig.Type)}
	set := func(k, v string) {
		if v != "" {
			out[k] = v
		}
	}
	set("httpMethod", ig.HTTPMethod)
	set("uri", ig.URI)
	set("credentials", ig.Credentials)
	set("passthroughBehavior", strings.ToLower(ig.PassthroughBehavior))
	set("contentHandling", ig.ContentHandling)
	set("cacheNamespace", ig.CacheNamespace)
	if ig.ConnectionType != "" && ig.ConnectionType != "INTERNET" {
		set("connectionType", ig.ConnectionType)
		set("connectionId", ig.ConnectionID)
	}
	if ig.TimeoutMillis != 0 && ig.TimeoutMillis != int32(defaultIntegrationTimeout/time.Millisecond) {
		out["timeoutInMillis"] = ig.TimeoutMillis
	}
	if len(ig.CacheKeyParameters) > 0 {
		out["cacheKeyParameters"] = openapi.AnyList(ig.CacheKeyParameters)
	}
	if len(ig.RequestParameters) > 0 {
		out["requestParameters"] = openapi.AnyMap(ig.RequestParameters)
	}
	if len(ig.RequestTemplates) > 0 {
		out["requestTemplates"] = openapi.AnyMap(ig.RequestTemplates)
	}
	if len(ig.Responses) > 0 {
		responses := map[string]any{}
		for _, r := range ig.Responses {
			resp := map[string]any{"statusCode": r.StatusCode}
			if len(r.ResponseParameters) > 0 {
				resp["responseParameters"] = openapi.AnyMap(r.ResponseParameters)
			}
			if len(r.ResponseTemplates) > 0 {
				resp["responseTemplates"] = openapi.AnyMap(r.ResponseTemplates)
			}
			if r.ContentHandling != "" {
				resp["contentHandling"] = r.ContentHandling
			}
			pattern := r.SelectionPattern
			if pattern == "" {
				pattern = "default"
			}
			responses[pattern] = resp
		}
		out["responses"] = responses
	}
	return out
}
