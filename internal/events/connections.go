package events

import (
	"context"
	"slices"
	"strings"
	"time"
)

// Connections: how EventBridge authorizes itself to an API destination's
// endpoint. AWS keeps a connection's credentials in a Secrets Manager
// secret it creates (named events!connection/NAME/ID) and answers with
// that secret's ARN. virga has no Secrets Manager: the credentials stay
// in the connection's record in virga's store and SecretArn is an ARN of
// AWS's shape that names no secret anyone can read. Describe never shows
// a secret: API key values, passwords, client secrets and the values of
// parameters marked IsValueSecret stay hidden, as on AWS.

const (
	authAPIKey = "API_KEY"
	authBasic  = "BASIC"
	authOAuth  = "OAUTH_CLIENT_CREDENTIALS"

	connAuthorized    = "AUTHORIZED"
	connAuthorizing   = "AUTHORIZING"
	connDeauthorizing = "DEAUTHORIZING"
	connDeauthorized  = "DEAUTHORIZED"
	connDeleting      = "DELETING"

	// maxConnections is AWS's default quota of connections per account
	// and Region.
	maxConnections = 50
)

// connectionRecord is a connection as the store keeps it, its
// credentials included.
type connectionRecord struct {
	Name        string    `json:"name"`
	ID          string    `json:"id"`
	Description string    `json:"description,omitempty"`
	AuthType    string    `json:"authType"`
	State       string    `json:"state"`
	StateReason string    `json:"stateReason,omitempty"`
	SecretARN   string    `json:"secretArn,omitempty"`
	Created     time.Time `json:"created"`
	Modified    time.Time `json:"modified"`
	Authorized  time.Time `json:"authorized,omitzero"`
	// Auth is the connection's authorization, secrets and all; nil once
	// DeauthorizeConnection has removed it.
	Auth *CreateConnectionAuthRequestParameters `json:"auth,omitempty"`
}

// Store layout:
//
//	("events", "connection", NAME)       connectionRecord
func connectionKey(name string) []byte { return eventsKey("connection", name) }

func (s *Service) connectionARN(c *connectionRecord) string {
	return "arn:aws:events:" + s.region + ":" + s.account + ":connection/" + c.Name + "/" + c.ID
}

// secretARN is the ARN AWS gives the secret it makes for a connection:
// events!connection/NAME/ID and the six random characters Secrets
// Manager appends.
func (s *Service) secretARN(name, id string) string {
	return "arn:aws:secretsmanager:" + s.region + ":" + s.account + ":secret:events!connection/" + name + "/" + id + "-" + s.ids.Hex(3)
}

// connectionByARN finds a connection by its ARN; the caller holds s.mu.
func (s *Service) connectionByARN(arn string) *connectionRecord {
	i := strings.Index(arn, ":connection/")
	if i < 0 {
		return nil
	}
	name, id, _ := strings.Cut(arn[i+len(":connection/"):], "/")
	c := s.connections[name]
	if c == nil || c.ID != id {
		return nil
	}
	return c
}

func (s *Service) lookupConnection(name, action string) (*connectionRecord, error) {
	c := s.connections[name]
	if c == nil {
		return nil, ErrNotFound.Withf("Failed to %s the connection(s). Connection '%s' does not exist.", action, name)
	}
	return c, nil
}

// checkAuth checks that a connection's parameters are those of its
// authorization type.
func checkAuth(authType string, a *CreateConnectionAuthRequestParameters) error {
	if a == nil {
		return ErrValidation.WithMessage("Parameter AuthParameters is not valid. Reason: AuthParameters is a required argument.")
	}
	var has bool
	var want string
	switch authType {
	case authAPIKey:
		has, want = a.ApiKeyAuthParameters != nil, "ApiKeyAuthParameters"
	case authBasic:
		has, want = a.BasicAuthParameters != nil, "BasicAuthParameters"
	case authOAuth:
		has, want = a.OAuthParameters != nil, "OAuthParameters"
		if has {
			if err := checkEndpoint("AuthorizationEndpoint", deref(a.OAuthParameters.AuthorizationEndpoint)); err != nil {
				return err
			}
			if m := deref(a.OAuthParameters.HttpMethod); !slices.Contains([]string{"GET", "POST", "PUT"}, m) {
				return ErrValidation.Withf("1 validation error detected: Value '%s' at 'authParameters.oAuthParameters.httpMethod' failed to satisfy constraint: Member must satisfy enum value set: [GET, POST, PUT]", m)
			}
		}
	default:
		return ErrValidation.Withf("1 validation error detected: Value '%s' at 'authorizationType' failed to satisfy constraint: Member must satisfy enum value set: [BASIC, OAUTH_CLIENT_CREDENTIALS, API_KEY]", authType)
	}
	if !has {
		return ErrValidation.Withf("Parameter AuthParameters is not valid. Reason: %s is required for authorization type %s.", want, authType)
	}
	n := 0
	for _, p := range []bool{a.ApiKeyAuthParameters != nil, a.BasicAuthParameters != nil, a.OAuthParameters != nil} {
		if p {
			n++
		}
	}
	if n > 1 {
		return ErrValidation.Withf("Parameter AuthParameters is not valid. Reason: only the parameters of authorization type %s may be given.", authType)
	}
	return nil
}

func (s *Service) createConnection(ctx context.Context, in *CreateConnectionRequest) (*CreateConnectionResponse, error) {
	if err := checkAuth(*in.AuthorizationType, in.AuthParameters); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.connections[*in.Name] != nil {
		return nil, ErrAlreadyExists.Withf("Connection %s already exists.", *in.Name)
	}
	if len(s.connections) >= maxConnections {
		return nil, ErrLimitExceeded.WithMessage("The requested resource exceeds the maximum number allowed.")
	}
	now := s.clock.Now()
	id := s.ids.UUID()
	c := &connectionRecord{Name: *in.Name, ID: id, Description: deref(in.Description), AuthType: *in.AuthorizationType,
		SecretARN: s.secretARN(*in.Name, id), Created: now, Modified: now, Auth: in.AuthParameters}
	s.authorize(c, now)
	if err := s.put(connectionKey(c.Name), c); err != nil {
		return nil, err
	}
	s.connections[c.Name] = c
	s.afterAuthorize(c)
	return &CreateConnectionResponse{ConnectionArn: ptr(s.connectionARN(c)), ConnectionState: ptr(c.State),
		CreationTime: &c.Created, LastModifiedTime: &c.Modified}, nil
}

// authorize sets the state a connection takes with new credentials:
// basic and API key connections are authorized at once; an OAuth
// connection is AUTHORIZING until its first token arrives (oauth.go).
func (s *Service) authorize(c *connectionRecord, now time.Time) {
	c.StateReason = ""
	if c.AuthType == authOAuth {
		c.State = connAuthorizing
		return
	}
	c.State, c.Authorized = connAuthorized, now
}

// afterAuthorize starts fetching an AUTHORIZING connection's first token,
// after its record is committed; the caller holds s.mu.
func (s *Service) afterAuthorize(c *connectionRecord) {
	if c.State == connAuthorizing {
		s.dropToken(c.Name)
		s.work.Go(func() { s.authorizeOAuth(c.Name, c.Modified) })
	}
}

func (s *Service) describeConnection(ctx context.Context, in *DescribeConnectionRequest) (*DescribeConnectionResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, err := s.lookupConnection(*in.Name, "describe")
	if err != nil {
		return nil, err
	}
	out := &DescribeConnectionResponse{ConnectionArn: ptr(s.connectionARN(c)), Name: &c.Name, Description: optional(c.Description),
		ConnectionState: &c.State, StateReason: optional(c.StateReason), AuthorizationType: &c.AuthType,
		SecretArn: optional(c.SecretARN), AuthParameters: publicAuth(c.Auth), CreationTime: &c.Created, LastModifiedTime: &c.Modified}
	if !c.Authorized.IsZero() {
		out.LastAuthorizedTime = &c.Authorized
	}
	return out, nil
}

// publicAuth is a connection's authorization without its secrets.
func publicAuth(a *CreateConnectionAuthRequestParameters) *ConnectionAuthResponseParameters {
	if a == nil {
		return nil
	}
	out := &ConnectionAuthResponseParameters{InvocationHttpParameters: publicParams(a.InvocationHttpParameters)}
	if k := a.ApiKeyAuthParameters; k != nil {
		out.ApiKeyAuthParameters = &ConnectionApiKeyAuthResponseParameters{ApiKeyName: k.ApiKeyName}
	}
	if b := a.BasicAuthParameters; b != nil {
		out.BasicAuthParameters = &ConnectionBasicAuthResponseParameters{Username: b.Username}
	}
	if o := a.OAuthParameters; o != nil {
		out.OAuthParameters = &ConnectionOAuthResponseParameters{AuthorizationEndpoint: o.AuthorizationEndpoint, HttpMethod: o.HttpMethod,
			OAuthHttpParameters: publicParams(o.OAuthHttpParameters)}
		if o.ClientParameters != nil {
			out.OAuthParameters.ClientParameters = &ConnectionOAuthClientResponseParameters{ClientID: o.ClientParameters.ClientID}
		}
	}
	return out
}

// publicParams are parameters with the values marked secret left out.
func publicParams(p *ConnectionHttpParameters) *ConnectionHttpParameters {
	if p == nil {
		return nil
	}
	out := &ConnectionHttpParameters{}
	for _, h := range p.HeaderParameters {
		if h.IsValueSecret != nil && *h.IsValueSecret {
			h.Value = nil
		}
		out.HeaderParameters = append(out.HeaderParameters, h)
	}
	for _, q := range p.QueryStringParameters {
		if q.IsValueSecret != nil && *q.IsValueSecret {
			q.Value = nil
		}
		out.QueryStringParameters = append(out.QueryStringParameters, q)
	}
	for _, b := range p.BodyParameters {
		if b.IsValueSecret != nil && *b.IsValueSecret {
			b.Value = nil
		}
		out.BodyParameters = append(out.BodyParameters, b)
	}
	return out
}

// updateConnection changes a connection's description, type or
// credentials. New authorization parameters are merged into the ones the
// connection has, member by member, so an update may change only a
// password; changing the type needs the new type's parameters. Any
// change to the authorization authorizes the connection again.
func (s *Service) updateConnection(ctx context.Context, in *UpdateConnectionRequest) (*UpdateConnectionResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	old, err := s.lookupConnection(*in.Name, "update")
	if err != nil {
		return nil, err
	}
	c := *old
	if in.Description != nil {
		c.Description = *in.Description
	}
	reauth := false
	if in.AuthorizationType != nil && *in.AuthorizationType != c.AuthType {
		c.AuthType, c.Auth, reauth = *in.AuthorizationType, nil, true
	}
	if in.AuthParameters != nil {
		c.Auth, reauth = mergeAuth(c.Auth, in.AuthParameters), true
	}
	if reauth {
		if err := checkAuth(c.AuthType, c.Auth); err != nil {
			return nil, err
		}
		if c.SecretARN == "" {
			c.SecretARN = s.secretARN(c.Name, c.ID)
		}
	}
	now := s.clock.Now()
	c.Modified = now
	if reauth {
		s.authorize(&c, now)
	}
	if err := s.put(connectionKey(c.Name), &c); err != nil {
		return nil, err
	}
	s.connections[c.Name] = &c
	if reauth {
		s.afterAuthorize(&c)
	}
	out := &UpdateConnectionResponse{ConnectionArn: ptr(s.connectionARN(&c)), ConnectionState: ptr(c.State),
		CreationTime: &c.Created, LastModifiedTime: &c.Modified}
	if !c.Authorized.IsZero() {
		out.LastAuthorizedTime = &c.Authorized
	}
	return out, nil
}

// mergeAuth lays an update's authorization parameters over a
// connection's.
func mergeAuth(cur *CreateConnectionAuthRequestParameters, up *UpdateConnectionAuthRequestParameters) *CreateConnectionAuthRequestParameters {
	out := &CreateConnectionAuthRequestParameters{}
	if cur != nil {
		*out = *cur
	}
	if k := up.ApiKeyAuthParameters; k != nil {
		n := CreateConnectionApiKeyAuthRequestParameters{}
		if out.ApiKeyAuthParameters != nil {
			n = *out.ApiKeyAuthParameters
		}
		n.ApiKeyName = or(k.ApiKeyName, n.ApiKeyName)
		n.ApiKeyValue = or(k.ApiKeyValue, n.ApiKeyValue)
		out.ApiKeyAuthParameters = &n
	}
	if b := up.BasicAuthParameters; b != nil {
		n := CreateConnectionBasicAuthRequestParameters{}
		if out.BasicAuthParameters != nil {
			n = *out.BasicAuthParameters
		}
		n.Username = or(b.Username, n.Username)
		n.Password = or(b.Password, n.Password)
		out.BasicAuthParameters = &n
	}
	if o := up.OAuthParameters; o != nil {
		n := CreateConnectionOAuthRequestParameters{}
		if out.OAuthParameters != nil {
			n = *out.OAuthParameters
		}
		n.AuthorizationEndpoint = or(o.AuthorizationEndpoint, n.AuthorizationEndpoint)
		n.HttpMethod = or(o.HttpMethod, n.HttpMethod)
		if o.OAuthHttpParameters != nil {
			n.OAuthHttpParameters = o.OAuthHttpParameters
		}
		if cp := o.ClientParameters; cp != nil {
			c := CreateConnectionOAuthClientRequestParameters{}
			if n.ClientParameters != nil {
				c = *n.ClientParameters
			}
			c.ClientID = or(cp.ClientID, c.ClientID)
			c.ClientSecret = or(cp.ClientSecret, c.ClientSecret)
			n.ClientParameters = &c
		}
		out.OAuthParameters = &n
	}
	if up.InvocationHttpParameters != nil {
		out.InvocationHttpParameters = up.InvocationHttpParameters
	}
	return out
}

func or(a, b *string) *string {
	if a != nil {
		return a
	}
	return b
}

// deauthorizeConnection removes a connection's credentials (its secret,
// on AWS); an API destination that uses it fails until it is updated
// with new ones. AWS answers DEAUTHORIZING and settles on DEAUTHORIZED;
// virga's removal is done before the answer.
func (s *Service) deauthorizeConnection(ctx context.Context, in *DeauthorizeConnectionRequest) (*DeauthorizeConnectionResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	old, err := s.lookupConnection(*in.Name, "deauthorize")
	if err != nil {
		return nil, err
	}
	c := *old
	c.Auth, c.SecretARN, c.State, c.StateReason, c.Modified = nil, "", connDeauthorized, "", s.clock.Now()
	if err := s.put(connectionKey(c.Name), &c); err != nil {
		return nil, err
	}
	s.connections[c.Name] = &c
	s.dropToken(c.Name)
	out := &DeauthorizeConnectionResponse{ConnectionArn: ptr(s.connectionARN(&c)), ConnectionState: ptr(connDeauthorizing),
		CreationTime: &c.Created, LastModifiedTime: &c.Modified}
	if !c.Authorized.IsZero() {
		out.LastAuthorizedTime = &c.Authorized
	}
	return out, nil
}

func (s *Service) deleteConnection(ctx context.Context, in *DeleteConnectionRequest) (*DeleteConnectionResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, err := s.lookupConnection(*in.Name, "delete")
	if err != nil {
		return nil, err
	}
	if err := s.del(connectionKey(c.Name)); err != nil {
		return nil, err
	}
	delete(s.connections, c.Name)
	s.dropToken(c.Name)
	out := &DeleteConnectionResponse{ConnectionArn: ptr(s.connectionARN(c)), ConnectionState: ptr(connDeleting),
		CreationTime: &c.Created, LastModifiedTime: &c.Modified}
	if !c.Authorized.IsZero() {
		out.LastAuthorizedTime = &c.Authorized
	}
	return out, nil
}

func (s *Service) listConnections(ctx context.Context, in *ListConnectionsRequest) (*ListConnectionsResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var names []string
	for _, n := range sortedNames(s.connections) {
		c := s.connections[n]
		if in.NamePrefix != nil && !strings.HasPrefix(n, *in.NamePrefix) || in.ConnectionState != nil && c.State != *in.ConnectionState {
			continue
		}
		names = append(names, n)
	}
	page, next, err := paginate(names, in.NextToken, in.Limit)
	if err != nil {
		return nil, err
	}
	out := &ListConnectionsResponse{Connections: []Connection{}, NextToken: next}
	for _, n := range page {
		c := s.connections[n]
		e := Connection{ConnectionArn: ptr(s.connectionARN(c)), Name: ptr(c.Name), ConnectionState: ptr(c.State),
			StateReason: optional(c.StateReason), AuthorizationType: ptr(c.AuthType), CreationTime: ptr(c.Created), LastModifiedTime: ptr(c.Modified)}
		if !c.Authorized.IsZero() {
			e.LastAuthorizedTime = ptr(c.Authorized)
		}
		out.Connections = append(out.Connections, e)
	}
	return out, nil
}
