package apigateway

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"time"
)

// restAPI is a REST API's definition: what the control plane edits and
// what a deployment snapshots. It is stored as JSON, so its fields are
// exported; it holds no HTTP.
type restAPI struct {
	ID                        string
	Name                      string
	Description               string `json:",omitempty"`
	Version                   string `json:",omitempty"`
	Created                   time.Time
	BinaryMediaTypes          []string `json:",omitempty"`
	MinimumCompressionSize    *int32   `json:",omitempty"`
	APIKeySource              string
	EndpointTypes             []string
	VpcEndpointIDs            []string          `json:",omitempty"`
	Policy                    string            `json:",omitempty"`
	DisableExecuteAPIEndpoint bool              `json:",omitempty"`
	Tags                      map[string]string `json:",omitempty"`
	Warnings                  []string          `json:",omitempty"`
	RootID                    string
	Resources                 map[string]*resource   // by id
	Authorizers               map[string]*authorizer `json:",omitempty"` // by id
	// GatewayResponses are the API's customized gateway responses, by
	// response type.
	GatewayResponses map[string]*gatewayResponse `json:",omitempty"`
	// Models are the API's models, by name, and RequestValidators its
	// request validators, by id (requestvalidation.go).
	Models            map[string]*model            `json:",omitempty"`
	RequestValidators map[string]*requestValidator `json:",omitempty"`
	// DocumentationParts are the API's documentation parts, by id, and
	// DocumentationVersions its documentation versions, by version
	// (op_documentation.go).
	DocumentationParts    map[string]*docPart    `json:",omitempty"`
	DocumentationVersions map[string]*docVersion `json:",omitempty"`
}

// resource is one node of an API's path tree. The root has no parent and
// an empty path part.
type resource struct {
	ID       string
	ParentID string             `json:",omitempty"`
	PathPart string             `json:",omitempty"`
	Methods  map[string]*method `json:",omitempty"` // by HTTP method, "ANY" included
}

// method is a resource's method: how it is authorized and what it
// integrates with.
type method struct {
	HTTPMethod          string
	AuthorizationType   string
	AuthorizerID        string                     `json:",omitempty"`
	APIKeyRequired      bool                       `json:",omitempty"`
	OperationName       string                     `json:",omitempty"`
	RequestValidatorID  string                     `json:",omitempty"`
	RequestParameters   map[string]bool            `json:",omitempty"`
	RequestModels       map[string]string          `json:",omitempty"`
	AuthorizationScopes []string                   `json:",omitempty"`
	Responses           map[string]*methodResponse `json:",omitempty"` // by status code
	Integration         *integration               `json:",omitempty"`
}

// methodResponse is a status code a method declares, with the headers
// and models it may carry.
type methodResponse struct {
	StatusCode         string
	ResponseParameters map[string]bool   `json:",omitempty"`
	ResponseModels     map[string]string `json:",omitempty"`
}

// integration is what a method's requests are sent to.
type integration struct {
	Type                     string
	HTTPMethod               string            `json:",omitempty"`
	URI                      string            `json:",omitempty"`
	ConnectionType           string            `json:",omitempty"`
	ConnectionID             string            `json:",omitempty"`
	Credentials              string            `json:",omitempty"`
	RequestParameters        map[string]string `json:",omitempty"`
	RequestTemplates         map[string]string `json:",omitempty"`
	PassthroughBehavior      string            `json:",omitempty"`
	ContentHandling          string            `json:",omitempty"`
	TimeoutMillis            int32
	CacheNamespace           string                          `json:",omitempty"`
	CacheKeyParameters       []string                        `json:",omitempty"`
	InsecureSkipVerification *bool                           `json:",omitempty"`
	Responses                map[string]*integrationResponse `json:",omitempty"` // by status code
}

// integrationResponse maps an integration's answer to a method response.
type integrationResponse struct {
	StatusCode         string
	SelectionPattern   string            `json:",omitempty"`
	ResponseParameters map[string]string `json:",omitempty"`
	ResponseTemplates  map[string]string `json:",omitempty"`
	ContentHandling    string            `json:",omitempty"`
}

// authorizer is a Lambda (TOKEN or REQUEST) or Cognito authorizer.
type authorizer struct {
	ID                           string
	Name                         string
	Type                         string
	ProviderARNs                 []string `json:",omitempty"`
	AuthType                     string   `json:",omitempty"`
	AuthorizerURI                string   `json:",omitempty"`
	AuthorizerCredentials        string   `json:",omitempty"`
	IdentitySource               string   `json:",omitempty"`
	IdentityValidationExpression string   `json:",omitempty"`
	ResultTTLSeconds             int32
}

// deployment is an immutable snapshot of an API's definition, which
// stages serve.
type deployment struct {
	ID          string
	Description string `json:",omitempty"`
	Created     time.Time
	API         *restAPI

	routes *routeNode // the match tree, built by compile
}

// stage names a deployment and carries the variables its requests see.
type stage struct {
	Name                 string
	DeploymentID         string
	Description          string            `json:",omitempty"`
	Variables            map[string]string `json:",omitempty"`
	CacheClusterEnabled  bool              `json:",omitempty"`
	CacheClusterSize     string            `json:",omitempty"`
	TracingEnabled       bool              `json:",omitempty"`
	DocumentationVersion string            `json:",omitempty"`
	ClientCertificateID  string            `json:",omitempty"`
	// MethodSettings are kept as recorded, keyed by the method path
	// their patch path writes ("~1pets/GET", "~1/GET" for the root,
	// "*/*" for every method; see methodSettingMethod); the data plane
	// applies their throttling and logging settings.
	MethodSettings map[string]MethodSetting `json:",omitempty"`
	// AccessLog is where and how the data plane writes the stage's
	// access logs; nil writes none.
	AccessLog *AccessLogSettings `json:",omitempty"`
	Tags      map[string]string  `json:",omitempty"`
	Created   time.Time
	Updated   time.Time
}

// clone returns a deep copy of the API, for a handler to change and
// commit before it replaces the original, which readers may still hold.
func (a *restAPI) clone() *restAPI {
	b, err := json.Marshal(a)
	if err != nil {
		panic("apigateway: cloning an API: " + err.Error())
	}
	c := new(restAPI)
	if err := json.Unmarshal(b, c); err != nil {
		panic("apigateway: cloning an API: " + err.Error())
	}
	return c
}

// path is a resource's full path, "/" for the root.
func (a *restAPI) path(r *resource) string {
	var parts []string
	for r != nil && r.ParentID != "" {
		parts = append(parts, r.PathPart)
		r = a.Resources[r.ParentID]
	}
	slices.Reverse(parts)
	return "/" + strings.Join(parts, "/")
}

// children returns the resource's children, sorted by path part.
func (a *restAPI) children(id string) []*resource {
	var out []*resource
	for _, r := range a.Resources {
		if r.ParentID == id {
			out = append(out, r)
		}
	}
	slices.SortFunc(out, func(x, y *resource) int { return strings.Compare(x.PathPart, y.PathPart) })
	return out
}

// descendants returns the ids of the resource and everything below it.
func (a *restAPI) descendants(id string) []string {
	out := []string{id}
	for i := 0; i < len(out); i++ {
		for _, c := range a.children(out[i]) {
			out = append(out, c.ID)
		}
	}
	return out
}

// hasMethods reports whether any resource has a method.
func (a *restAPI) hasMethods() bool {
	for _, r := range a.Resources {
		if len(r.Methods) > 0 {
			return true
		}
	}
	return false
}

// resourcesByPath returns the resources sorted by path, the root first.
func (a *restAPI) resourcesByPath() []*resource {
	out := slices.Collect(maps.Values(a.Resources))
	paths := make(map[string]string, len(out))
	for _, r := range out {
		paths[r.ID] = a.path(r)
	}
	slices.SortFunc(out, func(x, y *resource) int { return strings.Compare(paths[x.ID], paths[y.ID]) })
	return out
}

// resourceAt returns the resource with the given full path, or nil.
func (a *restAPI) resourceAt(path string) *resource {
	for _, r := range a.Resources {
		if a.path(r) == path {
			return r
		}
	}
	return nil
}
