package apigatewayv2

import (
	"context"
	"regexp"
	"strings"

	"github.com/virga/virga/internal/openapi"
)

// ExportApi writes an HTTP API as an OpenAPI 3.0 document (Specification
// OAS30, ExportVersion 1.0), in JSON or YAML (OutputType): its routes as
// paths and operations, their integrations as
// x-amazon-apigateway-integration, its authorizers as security schemes
// with x-amazon-apigateway-authorizer, its CORS configuration as
// x-amazon-apigateway-cors. IncludeExtensions false leaves API Gateway's
// extensions out. With a StageName the document is the API as that
// stage's deployment froze it; without one, the API as it is. It is the
// document ImportApi and ReimportApi read (op_import.go): importing it
// makes the same routes, integrations, authorizers and CORS.

// exportVersion is the one ExportVersion API Gateway writes.
const exportVersion = "1.0"

func (s *Service) exportAPI(ctx context.Context, in *ExportApiRequest) (*ExportApiResponse, error) {
	if spec := deref(in.Specification, ""); spec != "OAS30" {
		return nil, badRequest("Invalid specification %s; must be OAS30", spec)
	}
	yaml := false
	switch out := deref(in.OutputType, ""); out {
	case "JSON":
	case "YAML":
		yaml = true
	default:
		return nil, badRequest("Invalid output type %s; must be JSON or YAML", out)
	}
	if v := deref(in.ExportVersion, ""); v != "" && v != exportVersion {
		return nil, badRequest("Invalid export version %s; must be %s", v, exportVersion)
	}
	a, err := s.get(*in.ApiId)
	if err != nil {
		return nil, err
	}
	if a.ProtocolType != "HTTP" {
		return nil, badRequest("Only HTTP APIs can be exported")
	}
	snap := &snapshot{Routes: a.Routes, Integrations: a.Integrations, Authorizers: a.Authorizers, Cors: a.Cors}
	if name := deref(in.StageName, ""); name != "" {
		st := a.Stages[name]
		if st == nil {
			return nil, stageNotFound(name)
		}
		if st.DeploymentID == "" {
			return nil, badRequest("Stage %s has no deployment to export", name)
		}
		if snap, err = loadSnapshot(s.store, s.account, a.ID, st.DeploymentID); err != nil {
			return nil, err
		}
	}
	extensions := in.IncludeExtensions == nil || *in.IncludeExtensions
	body, err := openapi.Encode(httpDocument(a, snap, extensions), yaml)
	if err != nil {
		return nil, err
	}
	return &ExportApiResponse{Body: body}, nil
}

// httpDocument is the OpenAPI document of an HTTP API's routes,
// integrations, authorizers and CORS configuration (snap).
func httpDocument(a *apiRecord, snap *snapshot, extensions bool) map[string]any {
	info := map[string]any{"title": a.Name, "version": a.Created.UTC().Format("2006-01-02 15:04:05UTC")}
	if a.Version != nil {
		info["version"] = *a.Version
	}
	if a.Description != nil {
		info["description"] = *a.Description
	}
	doc := map[string]any{"openapi": "3.0.1", "info": info}
	schemes := map[string]any{}
	for _, au := range snap.Authorizers {
		schemes[au.Name] = securityScheme(au, extensions)
	}
	paths := map[string]any{}
	for _, r := range snap.Routes {
		method, path, _ := strings.Cut(r.Key, " ")
		if r.Key == defaultRouteKey {
			method, path = "ANY", "/$default"
		}
		verb := strings.ToLower(method)
		if method == "ANY" {
			verb = "x-amazon-apigateway-any-method"
		}
		op := map[string]any{"responses": map[string]any{"default": map[string]any{"description": "Default response for " + r.Key}}}
		if r.OperationName != "" {
			op["operationId"] = r.OperationName
		}
		var params []any
		for _, v := range routePathParameter.FindAllStringSubmatch(path, -1) {
			params = append(params, map[string]any{"name": v[1], "in": "path", "required": true, "schema": map[string]any{"type": "string"}})
		}
		if len(params) > 0 {
			op["parameters"] = params
		}
		switch r.AuthorizationType {
		case "AWS_IAM":
			sc := map[string]any{"type": "apiKey", "name": "Authorization", "in": "header"}
			if extensions {
				sc["x-amazon-apigateway-authtype"] = "awsSigv4"
			}
			schemes[sigv4Scheme] = sc
			op["security"] = []any{map[string]any{sigv4Scheme: []any{}}}
		case "JWT", "CUSTOM":
			if au := snap.Authorizers[r.AuthorizerID]; au != nil {
				op["security"] = []any{map[string]any{au.Name: openapi.AnyList(r.AuthorizationScopes)}}
			}
		}
		if id, ok := strings.CutPrefix(r.Target, "integrations/"); ok && extensions {
			if integ := snap.Integrations[id]; integ != nil {
				op["x-amazon-apigateway-integration"] = exportHTTPIntegration(integ)
			}
		}
		item, _ := paths[path].(map[string]any)
		if item == nil {
			item = map[string]any{}
			paths[path] = item
		}
		item[verb] = op
	}
	doc["paths"] = paths
	if len(schemes) > 0 {
		doc["components"] = map[string]any{"securitySchemes": schemes}
	}
	if extensions && snap.Cors != nil {
		doc["x-amazon-apigateway-cors"] = exportCors(snap.Cors)
	}
	return doc
}

// sigv4Scheme names IAM authorization among the security schemes.
const sigv4Scheme = "sigv4"

// routePathParameter matches a route path's {name} and {name+} variables.
var routePathParameter = regexp.MustCompile(`\{([^}+]+)\+?\}`)

// securityScheme writes an authorizer as a security scheme: a JWT
// authorizer as oauth2, a Lambda one as an API key in its identity
// source's header.
func securityScheme(au *authorizerRecord, extensions bool) map[string]any {
	x := map[string]any{"identitySource": strings.Join(au.IdentitySource, ", ")}
	var sc map[string]any
	if au.Type == "JWT" {
		sc = map[string]any{"type": "oauth2", "flows": map[string]any{}}
		jwt := map[string]any{"issuer": au.JWTIssuer}
		if len(au.JWTAudience) > 0 {
			jwt["audience"] = openapi.AnyList(au.JWTAudience)
		}
		x["type"], x["jwtConfiguration"] = "jwt", jwt
	} else {
		header := "Unused"
		if len(au.IdentitySource) == 1 {
			if h, ok := strings.CutPrefix(au.IdentitySource[0], "$request.header."); ok {
				header = h
			}
		}
		sc = map[string]any{"type": "apiKey", "name": header, "in": "header"}
		x["type"], x["authorizerUri"] = "request", au.URI
		x["authorizerPayloadFormatVersion"] = au.PayloadFormatVersion
		x["authorizerResultTtlInSeconds"] = au.TTLSeconds
		if au.SimpleResponses {
			x["enableSimpleResponses"] = true
		}
		if au.CredentialsArn != "" {
			x["authorizerCredentials"] = au.CredentialsArn
		}
	}
	if extensions {
		sc["x-amazon-apigateway-authorizer"] = x
	}
	return sc
}

// exportHTTPIntegration writes an integration as
// x-amazon-apigateway-integration, as readHTTPIntegration reads it.
func exportHTTPIntegration(integ *integrationRecord) map[string]any {
	out := map[string]any{"type": strings.ToLower(integ.Type), "payloadFormatVersion": integ.PayloadFormatVersion,
		"connectionType": integ.ConnectionType, "timeoutInMillis": integ.TimeoutMillis}
	set := func(k, v string) {
		if v != "" {
			out[k] = v
		}
	}
	set("integrationSubtype", integ.Subtype)
	set("uri", integ.URI)
	set("httpMethod", integ.Method)
	set("connectionId", integ.ConnectionID)
	set("credentials", integ.CredentialsArn)
	if integ.Type == "AWS_PROXY" && integ.Subtype == "" && integ.Method == "" {
		out["httpMethod"] = "POST"
	}
	if len(integ.RequestParameters) > 0 {
		out["requestParameters"] = openapi.AnyMap(integ.RequestParameters)
	}
	if len(integ.ResponseParameters) > 0 {
		rp := map[string]any{}
		for status, m := range integ.ResponseParameters {
			rp[status] = openapi.AnyMap(m)
		}
		out["responseParameters"] = rp
	}
	if integ.TLSServerName != "" {
		out["tlsConfig"] = map[string]any{"serverNameToVerify": integ.TLSServerName}
	}
	return out
}

// exportCors writes a CORS configuration as x-amazon-apigateway-cors.
func exportCors(c *corsConfig) map[string]any {
	out := map[string]any{}
	for k, v := range map[string][]string{"allowOrigins": c.AllowOrigins, "allowMethods": c.AllowMethods,
		"allowHeaders": c.AllowHeaders, "exposeHeaders": c.ExposeHeaders} {
		if len(v) > 0 {
			out[k] = openapi.AnyList(v)
		}
	}
	if c.AllowCredentials {
		out["allowCredentials"] = true
	}
	if c.MaxAge != nil {
		out["maxAge"] = *c.MaxAge
	}
	return out
}
