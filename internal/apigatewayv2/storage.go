package apigatewayv2

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/virga/virga/internal/store"
	"github.com/virga/virga/internal/store/keys"
)

// The store layout, every key under "apigatewayv2" and the account:
//
//	a/API            apiRecord (JSON): the API and all it owns
//	d/API/DEPLOYMENT snapshot (JSON): what a deployment froze
//
// An API is one record, rewritten whole by every change, so that a change
// and the automatic deployment it triggers commit together. Snapshots are
// written once and deleted with their deployment or API.

func rootKey(account, kind string) []byte {
	k := keys.AppendString(nil, "apigatewayv2")
	k = keys.AppendString(k, kind)
	return keys.AppendString(k, account)
}

func apiKey(account, id string) []byte { return keys.AppendString(rootKey(account, "a"), id) }

func snapshotsPrefix(account, apiID string) []byte {
	return keys.AppendString(rootKey(account, "d"), apiID)
}

func snapshotKey(account, apiID, deploymentID string) []byte {
	return keys.AppendString(snapshotsPrefix(account, apiID), deploymentID)
}

// apiRecord is an HTTP API as stored: its settings and every route,
// integration, authorizer, stage and deployment it has (deployments'
// snapshots apart). A record in Service.apis is never changed: a change
// is made to a copy, which replaces it once committed.
type apiRecord struct {
	ID                        string
	Name                      string
	Description               *string `json:",omitempty"`
	Version                   *string `json:",omitempty"`
	ProtocolType              string
	RouteSelectionExpression  string
	APIKeySelectionExpression string
	Cors                      *corsConfig `json:",omitempty"`
	DisableExecuteAPIEndpoint bool        `json:",omitempty"`
	DisableSchemaValidation   bool        `json:",omitempty"`
	Created                   time.Time
	Tags                      map[string]string `json:",omitempty"`
	// QuickRoute and QuickIntegration are what quick create made, which
	// UpdateApi's RouteKey and Target change ("" without quick create).
	QuickRoute       string `json:",omitempty"`
	QuickIntegration string `json:",omitempty"`

	Routes       map[string]*routeRecord
	Integrations map[string]*integrationRecord
	Authorizers  map[string]*authorizerRecord
	Stages       map[string]*stageRecord
	Deployments  map[string]*deploymentRecord
	// Models are a WebSocket API's JSON schemas, which routes and route
	// responses name in RequestModels and ResponseModels.
	Models map[string]*modelRecord `json:",omitempty"`
}

// modelRecord is a model: a JSON schema with a name unique in its API.
type modelRecord struct {
	ID          string
	Name        string
	ContentType string `json:",omitempty"`
	Description string `json:",omitempty"`
	Schema      string
}

// corsConfig is an API's CorsConfiguration, defaults not applied.
type corsConfig struct {
	AllowCredentials bool     `json:",omitempty"`
	AllowHeaders     []string `json:",omitempty"`
	AllowMethods     []string `json:",omitempty"`
	AllowOrigins     []string `json:",omitempty"`
	ExposeHeaders    []string `json:",omitempty"`
	// MaxAge is nil when not set (no Access-Control-Max-Age header).
	MaxAge *int32 `json:",omitempty"`
}

// routeRecord is a route.
type routeRecord struct {
	ID                  string
	Key                 string
	Target              string `json:",omitempty"`
	AuthorizationType   string
	AuthorizerID        string   `json:",omitempty"`
	AuthorizationScopes []string `json:",omitempty"`
	APIKeyRequired      bool     `json:",omitempty"`
	OperationName       string   `json:",omitempty"`
	// RequestParameters and RequestModels are WebSocket settings AWS
	// stores for HTTP APIs too; virga keeps and returns them.
	RequestParameters map[string]ParameterConstraints `json:",omitempty"`
	RequestModels     map[string]string               `json:",omitempty"`
	Managed           bool                            `json:",omitempty"`
	// RouteResponseSelection and ModelSelection are WebSocket routes'
	// selection expressions; Responses are a WebSocket route's route
	// responses by id: with one, the integration's answer goes back to
	// the client (two-way communication).
	RouteResponseSelection string                          `json:",omitempty"`
	ModelSelection         string                          `json:",omitempty"`
	Responses              map[string]*routeResponseRecord `json:",omitempty"`
}

// routeResponseRecord is a WebSocket route's route response.
type routeResponseRecord struct {
	ID                 string
	Key                string
	ModelSelection     string                          `json:",omitempty"`
	ResponseModels     map[string]string               `json:",omitempty"`
	ResponseParameters map[string]ParameterConstraints `json:",omitempty"`
}

// integrationResponseRecord is a WebSocket integration's integration
// response.
type integrationResponseRecord struct {
	ID                      string
	Key                     string
	ContentHandlingStrategy string            `json:",omitempty"`
	ResponseParameters      map[string]string `json:",omitempty"`
	ResponseTemplates       map[string]string `json:",omitempty"`
	TemplateSelection       string            `json:",omitempty"`
}

// integrationRecord is an integration.
type integrationRecord struct {
	ID                   string
	Type                 string
	Subtype              string `json:",omitempty"`
	URI                  string `json:",omitempty"`
	Method               string `json:",omitempty"`
	PayloadFormatVersion string
	TimeoutMillis        int32
	ConnectionType       string
	ConnectionID         string                       `json:",omitempty"`
	CredentialsArn       string                       `json:",omitempty"`
	Description          string                       `json:",omitempty"`
	RequestParameters    map[string]string            `json:",omitempty"`
	ResponseParameters   map[string]map[string]string `json:",omitempty"`
	TLSServerName        string                       `json:",omitempty"`
	Managed              bool                         `json:",omitempty"`
	// The members below are WebSocket APIs': request templates and how
	// they are picked, which virga keeps and returns, and the
	// integration responses by id.
	ContentHandlingStrategy string                                `json:",omitempty"`
	PassthroughBehavior     string                                `json:",omitempty"`
	RequestTemplates        map[string]string                     `json:",omitempty"`
	TemplateSelection       string                                `json:",omitempty"`
	ResponseSelection       string                                `json:",omitempty"`
	Responses               map[string]*integrationResponseRecord `json:",omitempty"`
}

// authorizerRecord is an authorizer.
type authorizerRecord struct {
	ID                           string
	Name                         string
	Type                         string
	URI                          string `json:",omitempty"`
	CredentialsArn               string `json:",omitempty"`
	PayloadFormatVersion         string `json:",omitempty"`
	TTLSeconds                   int32
	SimpleResponses              bool     `json:",omitempty"`
	IdentitySource               []string `json:",omitempty"`
	IdentityValidationExpression string   `json:",omitempty"`
	JWTIssuer                    string   `json:",omitempty"`
	JWTAudience                  []string `json:",omitempty"`
}

// stageRecord is a stage.
type stageRecord struct {
	Name                 string
	Description          string `json:",omitempty"`
	DeploymentID         string `json:",omitempty"`
	AutoDeploy           bool   `json:",omitempty"`
	Variables            map[string]string
	AccessLog            *AccessLogSettings       `json:",omitempty"`
	DefaultRouteSettings *RouteSettings           `json:",omitempty"`
	RouteSettings        map[string]RouteSettings `json:",omitempty"`
	ClientCertificateID  string                   `json:",omitempty"`
	LastDeploymentStatus string                   `json:",omitempty"`
	Created              time.Time
	Updated              time.Time
	Tags                 map[string]string `json:",omitempty"`
	Managed              bool              `json:",omitempty"`
}

// deploymentRecord is a deployment's description; what it deployed is its
// snapshot.
type deploymentRecord struct {
	ID           string
	Description  string `json:",omitempty"`
	AutoDeployed bool   `json:",omitempty"`
	Created      time.Time
}

// snapshot is what a deployment froze of its API: what the data plane
// serves from a stage pointing at it.
type snapshot struct {
	Routes       map[string]*routeRecord
	Integrations map[string]*integrationRecord
	Authorizers  map[string]*authorizerRecord
	Cors         *corsConfig `json:",omitempty"`
}

// clone returns a deep copy of a, for a change to work on.
func (a *apiRecord) clone() (*apiRecord, error) {
	b, err := json.Marshal(a)
	if err != nil {
		return nil, err
	}
	var c apiRecord
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, err
	}
	c.ensureMaps()
	return &c, nil
}

// ensureMaps makes the record's maps, which JSON leaves nil when empty.
func (a *apiRecord) ensureMaps() {
	if a.Routes == nil {
		a.Routes = map[string]*routeRecord{}
	}
	if a.Integrations == nil {
		a.Integrations = map[string]*integrationRecord{}
	}
	if a.Authorizers == nil {
		a.Authorizers = map[string]*authorizerRecord{}
	}
	if a.Stages == nil {
		a.Stages = map[string]*stageRecord{}
	}
	if a.Deployments == nil {
		a.Deployments = map[string]*deploymentRecord{}
	}
	if a.Models == nil {
		a.Models = map[string]*modelRecord{}
	}
}

// snapshot freezes a's current configuration.
func (a *apiRecord) snapshot() *snapshot {
	return &snapshot{Routes: a.Routes, Integrations: a.Integrations, Authorizers: a.Authorizers, Cors: a.Cors}
}

// putAPI adds an API's record to b.
func putAPI(b store.Batch, account string, a *apiRecord) error {
	v, err := json.Marshal(a)
	if err != nil {
		return err
	}
	b.Set(apiKey(account, a.ID), v)
	return nil
}

// putSnapshot adds a deployment's snapshot to b.
func putSnapshot(b store.Batch, account, apiID, deploymentID string, snap *snapshot) error {
	v, err := json.Marshal(snap)
	if err != nil {
		return err
	}
	b.Set(snapshotKey(account, apiID, deploymentID), v)
	return nil
}

// loadSnapshot reads a deployment's snapshot.
func loadSnapshot(r store.Reader, account, apiID, deploymentID string) (*snapshot, error) {
	v, err := r.Get(snapshotKey(account, apiID, deploymentID))
	if err != nil {
		return nil, fmt.Errorf("apigatewayv2: snapshot of deployment %s of API %s: %w", deploymentID, apiID, err)
	}
	var snap snapshot
	if err := json.Unmarshal(v, &snap); err != nil {
		return nil, fmt.Errorf("apigatewayv2: snapshot of deployment %s of API %s: %w", deploymentID, apiID, err)
	}
	return &snap, nil
}

// scan calls f with the value of every key under prefix.
func scan(r store.Reader, prefix []byte, f func(value []byte) error) error {
	it, err := r.NewIter(prefix, keys.PrefixEnd(prefix))
	if err != nil {
		return err
	}
	for it.First(); it.Valid(); it.Next() {
		if err := f(it.Value()); err != nil {
			it.Close()
			return err
		}
	}
	return it.Close()
}
