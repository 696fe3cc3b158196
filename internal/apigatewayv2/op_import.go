package apigatewayv2

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/virga/virga/internal/awsproto/apierr"
	"github.com/virga/virga/internal/openapi"
)

// ImportApi and ReimportApi read an OpenAPI 3 document, in JSON or YAML,
// with API Gateway's HTTP API extensions:
//
//	x-amazon-apigateway-integration    an operation's integration (aws_proxy, with an
//	                                   integrationSubtype for AWS services, or http_proxy)
//	                                   with its requestParameters and responseParameters,
//	                                   inline or a $ref to components.x-amazon-apigateway-integrations
//	x-amazon-apigateway-any-method     the ANY method of a path; the path /$default is the $default route
//	x-amazon-apigateway-cors           the API's CORS configuration
//	x-amazon-apigateway-authorizer     a security scheme that is a JWT or Lambda (request) authorizer
//
// Every operation becomes a route ("GET /items/{id}") with its
// integration; security requirements pick a route's authorizer and
// scopes (the document's top-level security applies to operations
// without their own). ReimportApi replaces an API's routes, integrations,
// authorizers and CORS configuration with the document's and redeploys
// its automatic stages. Documentation, models and request validation are
// not imported.

func (s *Service) importAPI(ctx context.Context, in *ImportApiRequest) (*ImportApiResponse, error) {
	def, err := parseHTTPDefinition(*in.Body)
	if err != nil {
		return nil, err
	}
	a := &apiRecord{Name: def.name, Description: def.description, Version: def.version, ProtocolType: "HTTP",
		RouteSelectionExpression: defaultRouteSelection, APIKeySelectionExpression: defaultAPIKeySelection,
		Created: s.now()}
	a.ensureMaps()
	if err := s.applyHTTPDefinition(a, def); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a.ID = newID(s.ids, s.apis, 10)
	if err := s.commit(a, nil, nil); err != nil {
		return nil, err
	}
	out := ImportApiResponse(s.apiShape(ctx, a))
	return &out, nil
}

func (s *Service) reimportAPI(ctx context.Context, in *ReimportApiRequest) (*ReimportApiResponse, error) {
	def, err := parseHTTPDefinition(*in.Body)
	if err != nil {
		return nil, err
	}
	a, err := s.update(*in.ApiId, true, func(a *apiRecord) error {
		a.Name, a.Description, a.Version = def.name, def.description, def.version
		a.Routes, a.Integrations, a.Authorizers = map[string]*routeRecord{}, map[string]*integrationRecord{}, map[string]*authorizerRecord{}
		a.QuickRoute, a.QuickIntegration = "", ""
		return s.applyHTTPDefinition(a, def)
	})
	if err != nil {
		return nil, err
	}
	out := ReimportApiResponse(s.apiShape(ctx, a))
	return &out, nil
}

// httpDefinition is what an OpenAPI document defines for an HTTP API.
type httpDefinition struct {
	name                 string
	description, version *string
	cors                 *corsConfig
	routes               []definedRoute // sorted by key
	authorizers          map[string]*authorizerRecord
	sigv4Schemes         map[string]bool
}

// definedRoute is a route with its integration and its authorization:
// the name of its security scheme and scopes.
type definedRoute struct {
	key    string
	integ  *integrationRecord
	scheme string
	scopes []string
	opName string
}

// importError is BadRequestException for a document API Gateway cannot
// import.
func importError(format string, args ...any) error {
	return badRequest("Errors found during import:\n\t%s", fmt.Sprintf(format, args...))
}

// messageOf is an error's message without its code.
func messageOf(err error) string {
	if e := apierr.As(err); e != nil {
		return e.Message
	}
	return err.Error()
}

// httpMethods are the operation keys of a path item, and the method each
// is.
var httpMethods = map[string]string{"get": "GET", "put": "PUT", "post": "POST", "delete": "DELETE", "options": "OPTIONS",
	"head": "HEAD", "patch": "PATCH", "x-amazon-apigateway-any-method": "ANY"}

func parseHTTPDefinition(body string) (*httpDefinition, error) {
	root, err := openapi.Decode([]byte(body))
	if err != nil {
		return nil, importError("Unable to parse the API definition: %v", err)
	}
	if openapi.Str(root["openapi"]) == "" && openapi.Str(root["swagger"]) != "" {
		return nil, importError("HTTP APIs import OpenAPI 3 documents; this is Swagger %s.", openapi.Str(root["swagger"]))
	}
	info := openapi.Obj(root["info"])
	d := &httpDefinition{name: openapi.Str(info["title"]), authorizers: map[string]*authorizerRecord{}, sigv4Schemes: map[string]bool{}}
	if d.name == "" {
		return nil, importError("The API definition has no info.title, which names the API.")
	}
	if v := openapi.Str(info["description"]); v != "" {
		d.description = &v
	}
	if v := openapi.Str(info["version"]); v != "" {
		d.version = &v
	}
	if c := openapi.Obj(root["x-amazon-apigateway-cors"]); c != nil {
		cors := &corsConfig{AllowOrigins: openapi.Strings(c["allowOrigins"]), AllowMethods: openapi.Strings(c["allowMethods"]),
			AllowHeaders: openapi.Strings(c["allowHeaders"]), ExposeHeaders: openapi.Strings(c["exposeHeaders"]),
			AllowCredentials: openapi.Str(c["allowCredentials"]) == "true"}
		if n, ok := openapi.Int(c["maxAge"]); ok {
			age := int32(n)
			cors.MaxAge = &age
		}
		d.cors = cors
	}
	schemes := openapi.Obj(openapi.Obj(root["components"])["securitySchemes"])
	for _, name := range slices.Sorted(maps.Keys(schemes)) {
		sc := openapi.Obj(openapi.Resolve(root, schemes[name]))
		if strings.EqualFold(openapi.Str(sc["x-amazon-apigateway-authtype"]), "awsSigv4") {
			d.sigv4Schemes[name] = true
			continue
		}
		x := openapi.Obj(sc["x-amazon-apigateway-authorizer"])
		if x == nil {
			continue
		}
		au := &authorizerRecord{Name: name, IdentitySource: openapi.Strings(x["identitySource"])}
		switch strings.ToLower(openapi.Str(x["type"])) {
		case "jwt":
			jwt := openapi.Obj(x["jwtConfiguration"])
			au.Type, au.JWTIssuer, au.JWTAudience = "JWT", openapi.Str(jwt["issuer"]), openapi.Strings(jwt["audience"])
		case "request":
			au.Type, au.URI = "REQUEST", openapi.Str(x["authorizerUri"])
			au.PayloadFormatVersion = formatVersion(x["authorizerPayloadFormatVersion"])
			au.SimpleResponses = openapi.Str(x["enableSimpleResponses"]) == "true"
			au.CredentialsArn = openapi.Str(x["authorizerCredentials"])
			if n, ok := openapi.Int(x["authorizerResultTtlInSeconds"]); ok {
				au.TTLSeconds = int32(n)
			}
		default:
			return nil, importError("Security scheme %s: unsupported authorizer type %q.", name, openapi.Str(x["type"]))
		}
		if err := checkAuthorizer(au); err != nil {
			return nil, importError("Security scheme %s: %s", name, messageOf(err))
		}
		d.authorizers[name] = au
	}
	paths := openapi.Obj(root["paths"])
	for _, p := range slices.Sorted(maps.Keys(paths)) {
		item := openapi.Obj(openapi.Resolve(root, paths[p]))
		for _, opKey := range slices.Sorted(maps.Keys(item)) {
			method, ok := httpMethods[strings.ToLower(opKey)]
			if !ok {
				continue
			}
			op := openapi.Obj(openapi.Resolve(root, item[opKey]))
			key := method + " " + p
			if p == "/$default" {
				key = defaultRouteKey
			}
			if _, err := parseRouteKey(key); err != nil {
				return nil, importError("Path %s: %s", p, routeKeyMessage(err))
			}
			r := definedRoute{key: key, opName: openapi.Str(op["operationId"])}
			if x := openapi.Obj(openapi.Resolve(root, op["x-amazon-apigateway-integration"])); x != nil {
				integ, err := readHTTPIntegration(x)
				if err != nil {
					return nil, importError("%s: %s", key, messageOf(err))
				}
				r.integ = integ
			}
			security, ok := op["security"]
			if !ok {
				security = root["security"]
			}
			for _, req := range openapi.List(security) {
				for _, name := range slices.Sorted(maps.Keys(openapi.Obj(req))) {
					if d.authorizers[name] == nil && !d.sigv4Schemes[name] {
						return nil, importError("%s: security scheme %s is not an API Gateway authorizer.", key, name)
					}
					r.scheme, r.scopes = name, openapi.Strings(openapi.Obj(req)[name])
				}
			}
			d.routes = append(d.routes, r)
		}
	}
	return d, nil
}

// formatVersion reads a payload format version, which YAML documents
// often write unquoted (1.0 reads as the number 1).
func formatVersion(v any) string {
	switch s := openapi.Str(v); s {
	case "1", "2":
		return s + ".0"
	default:
		return s
	}
}

// readHTTPIntegration reads an x-amazon-apigateway-integration object.
func readHTTPIntegration(x map[string]any) (*integrationRecord, error) {
	integ := &integrationRecord{
		Type: strings.ToUpper(openapi.Str(x["type"])), Subtype: openapi.Str(x["integrationSubtype"]),
		URI: openapi.Str(x["uri"]), Method: strings.ToUpper(openapi.Str(x["httpMethod"])),
		PayloadFormatVersion: formatVersion(x["payloadFormatVersion"]), ConnectionType: strings.ToUpper(openapi.Str(x["connectionType"])),
		ConnectionID: openapi.Str(x["connectionId"]), CredentialsArn: openapi.Str(x["credentials"]),
		RequestParameters: openapi.StringMap(x["requestParameters"]), TimeoutMillis: maxIntegrationTimeout,
	}
	if integ.ConnectionType == "" {
		integ.ConnectionType = "INTERNET"
	}
	if n, ok := openapi.Int(x["timeoutInMillis"]); ok {
		integ.TimeoutMillis = int32(n)
	}
	if tls := openapi.Obj(x["tlsConfig"]); tls != nil {
		integ.TLSServerName = openapi.Str(tls["serverNameToVerify"])
	}
	// responseParameters maps status codes to their response mappings.
	if rp := openapi.Obj(x["responseParameters"]); len(rp) > 0 {
		integ.ResponseParameters = map[string]map[string]string{}
		for status, m := range rp {
			integ.ResponseParameters[status] = openapi.StringMap(m)
		}
	}
	if err := checkIntegration(integ, integ.PayloadFormatVersion == ""); err != nil {
		return nil, err
	}
	return integ, nil
}

// applyHTTPDefinition adds a definition's authorizers, integrations and
// routes to an API (whose maps are empty).
func (s *Service) applyHTTPDefinition(a *apiRecord, d *httpDefinition) error {
	if d.cors != nil && d.cors.AllowCredentials && slices.Contains(d.cors.AllowOrigins, "*") {
		return importError("allow-credentials is not supported if 'allow-origin' is *")
	}
	a.Cors = d.cors
	authorizerIDs := map[string]string{}
	for _, name := range slices.Sorted(maps.Keys(d.authorizers)) {
		au := *d.authorizers[name]
		au.ID = newID(s.ids, a.Authorizers, 6)
		a.Authorizers[au.ID] = &au
		authorizerIDs[name] = au.ID
	}
	for _, dr := range d.routes {
		r := &routeRecord{ID: newID(s.ids, a.Routes, 7), Key: dr.key, AuthorizationType: "NONE", OperationName: dr.opName}
		if dr.integ != nil {
			integ := *dr.integ
			integ.ID = newID(s.ids, a.Integrations, 7)
			a.Integrations[integ.ID] = &integ
			r.Target = "integrations/" + integ.ID
		}
		switch {
		case d.sigv4Schemes[dr.scheme]:
			r.AuthorizationType = "AWS_IAM"
		case dr.scheme != "":
			au := a.Authorizers[authorizerIDs[dr.scheme]]
			r.AuthorizationType, r.AuthorizerID = "CUSTOM", au.ID
			if au.Type == "JWT" {
				r.AuthorizationType, r.AuthorizationScopes = "JWT", dr.scopes
			}
		}
		a.Routes[r.ID] = r
	}
	return nil
}
