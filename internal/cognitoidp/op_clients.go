package cognitoidp

import (
	"context"
	"slices"
)

// Token validity defaults, from CreateUserPoolClient's API reference:
// an hour for access and ID tokens, 30 days for refresh tokens.
const (
	defaultAccessValidity  = 60 // minutes
	defaultIDValidity      = 60
	defaultRefreshValidity = 30 // days
)

// defaultAuthFlows are a client's flows when it names none, as
// CreateUserPoolClient's ExplicitAuthFlows documents.
var defaultAuthFlows = []ExplicitAuthFlowsType{"ALLOW_USER_SRP_AUTH", "ALLOW_CUSTOM_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}

func (s *Service) createUserPoolClient(_ context.Context, in *CreateUserPoolClientRequest) (*CreateUserPoolClientResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	poolID := deref(in.UserPoolId)
	if _, err := s.loadPool(poolID); err != nil {
		return nil, err
	}
	now := s.clock.Now()
	id := s.randomString(clientIDLength, lowerAlnum)
	c, err := clientSettings(in)
	if err != nil {
		return nil, err
	}
	if err := s.checkOAuth(poolID, &c, deref(in.GenerateSecret)); err != nil {
		return nil, err
	}
	c.UserPoolId, c.ClientId, c.CreationDate, c.LastModifiedDate = &poolID, &id, &now, &now
	if deref(in.GenerateSecret) {
		c.ClientSecret = ptr(s.randomString(secretLength, lowerAlnum))
	}
	err = s.put(map[string]any{string(clientKey(poolID, id)): &client{Config: c}, string(clientIndexKey(id)): poolID})
	if err != nil {
		return nil, err
	}
	return &CreateUserPoolClientResponse{UserPoolClient: &c}, nil
}

// updateUserPoolClient sets every setting anew, as its API reference
// says: what the request leaves out returns to its default. The id and
// secret stay.
func (s *Service) updateUserPoolClient(_ context.Context, in *UpdateUserPoolClientRequest) (*UpdateUserPoolClientResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	poolID := deref(in.UserPoolId)
	if _, err := s.loadPool(poolID); err != nil {
		return nil, err
	}
	old, err := s.loadClient(poolID, deref(in.ClientId))
	if err != nil {
		return nil, err
	}
	c, err := clientSettings(&CreateUserPoolClientRequest{ClientName: in.ClientName, RefreshTokenValidity: in.RefreshTokenValidity,
		AccessTokenValidity: in.AccessTokenValidity, IdTokenValidity: in.IdTokenValidity, TokenValidityUnits: in.TokenValidityUnits,
		ReadAttributes: in.ReadAttributes, WriteAttributes: in.WriteAttributes, ExplicitAuthFlows: in.ExplicitAuthFlows,
		SupportedIdentityProviders: in.SupportedIdentityProviders, CallbackURLs: in.CallbackURLs, LogoutURLs: in.LogoutURLs,
		DefaultRedirectURI: in.DefaultRedirectURI, AllowedOAuthFlows: in.AllowedOAuthFlows, AllowedOAuthScopes: in.AllowedOAuthScopes,
		AllowedOAuthFlowsUserPoolClient: in.AllowedOAuthFlowsUserPoolClient, AnalyticsConfiguration: in.AnalyticsConfiguration,
		PreventUserExistenceErrors: in.PreventUserExistenceErrors, EnableTokenRevocation: in.EnableTokenRevocation,
		EnablePropagateAdditionalUserContextData: in.EnablePropagateAdditionalUserContextData, AuthSessionValidity: in.AuthSessionValidity})
	if err != nil {
		return nil, err
	}
	if c.ClientName == nil {
		c.ClientName = old.Config.ClientName
	}
	if err := s.checkOAuth(poolID, &c, old.Config.ClientSecret != nil); err != nil {
		return nil, err
	}
	now := s.clock.Now()
	c.UserPoolId, c.ClientId, c.ClientSecret = old.Config.UserPoolId, old.Config.ClientId, old.Config.ClientSecret
	c.CreationDate, c.LastModifiedDate = old.Config.CreationDate, &now
	if err := s.put1(clientKey(poolID, deref(c.ClientId)), &client{Config: c}); err != nil {
		return nil, err
	}
	return &UpdateUserPoolClientResponse{UserPoolClient: &c}, nil
}

// clientSettings is a client's configuration from a request, with
// CreateUserPoolClient's defaults for what it leaves out.
func clientSettings(in *CreateUserPoolClientRequest) (UserPoolClientType, error) {
	flows := in.ExplicitAuthFlows
	if len(flows) == 0 {
		flows = defaultAuthFlows
	}
	if err := checkFlows(flows); err != nil {
		return UserPoolClientType{}, err
	}
	c := UserPoolClientType{ClientName: in.ClientName,
		RefreshTokenValidity: in.RefreshTokenValidity, AccessTokenValidity: in.AccessTokenValidity,
		IdTokenValidity: in.IdTokenValidity, TokenValidityUnits: in.TokenValidityUnits, ReadAttributes: in.ReadAttributes,
		WriteAttributes: in.WriteAttributes, ExplicitAuthFlows: flows, SupportedIdentityProviders: in.SupportedIdentityProviders,
		CallbackURLs: in.CallbackURLs, LogoutURLs: in.LogoutURLs, DefaultRedirectURI: in.DefaultRedirectURI,
		AllowedOAuthFlows: in.AllowedOAuthFlows, AllowedOAuthScopes: in.AllowedOAuthScopes,
		AllowedOAuthFlowsUserPoolClient: ptr(deref(in.AllowedOAuthFlowsUserPoolClient)),
		AnalyticsConfiguration:          in.AnalyticsConfiguration, PreventUserExistenceErrors: in.PreventUserExistenceErrors,
		EnableTokenRevocation: in.EnableTokenRevocation, EnablePropagateAdditionalUserContextData: in.EnablePropagateAdditionalUserContextData,
		AuthSessionValidity: in.AuthSessionValidity}
	if c.RefreshTokenValidity == nil {
		c.RefreshTokenValidity = ptr(int32(defaultRefreshValidity))
	}
	if c.AccessTokenValidity == nil {
		c.AccessTokenValidity = ptr(int32(defaultAccessValidity))
	}
	if c.IdTokenValidity == nil {
		c.IdTokenValidity = ptr(int32(defaultIDValidity))
	}
	if c.TokenValidityUnits == nil {
		c.TokenValidityUnits = &TokenValidityUnitsType{}
	}
	u := c.TokenValidityUnits
	if u.AccessToken == nil {
		u.AccessToken = ptr(TimeUnitsType("minutes"))
	}
	if u.IdToken == nil {
		u.IdToken = ptr(TimeUnitsType("minutes"))
	}
	if u.RefreshToken == nil {
		u.RefreshToken = ptr(TimeUnitsType("days"))
	}
	if c.PreventUserExistenceErrors == nil {
		c.PreventUserExistenceErrors = ptr(PreventUserExistenceErrorTypes("LEGACY"))
	}
	if c.EnableTokenRevocation == nil {
		c.EnableTokenRevocation = ptr(true)
	}
	if c.AuthSessionValidity == nil {
		c.AuthSessionValidity = ptr(int32(3))
	}
	return c, nil
}

// checkOAuth checks a client's OAuth 2.0 settings as
// CreateUserPoolClient does: the client credentials grant needs a client
// secret and goes alone, the code and implicit grants need callback
// URLs, and every scope is a standard one or a resource server's.
func (s *Service) checkOAuth(poolID string, c *UserPoolClientType, secret bool) error {
	flows := c.AllowedOAuthFlows
	has := func(f OAuthFlowType) bool { return slices.Contains(flows, f) }
	if has("client_credentials") {
		if !secret {
			return ErrInvalidOAuthFlow.WithMessage("client_credentials flow can not be selected if client does not have a client secret.")
		}
		if has("code") || has("implicit") {
			return ErrInvalidOAuthFlow.WithMessage("client_credentials flow can not be selected along with code flow or implicit flow.")
		}
	}
	if deref(c.AllowedOAuthFlowsUserPoolClient) && (has("code") || has("implicit")) && len(c.CallbackURLs) == 0 {
		return ErrInvalidOAuthFlow.WithMessage("CallbackUrls can not be empty when code flow or implicit flow is selected.")
	}
	if deref(c.AllowedOAuthFlowsUserPoolClient) && len(flows) == 0 {
		return ErrInvalidOAuthFlow.WithMessage("AllowedOAuthFlows can not be empty when AllowedOAuthFlowsUserPoolClient is true.")
	}
	if d := deref(c.DefaultRedirectURI); d != "" && !slices.Contains(c.CallbackURLs, d) {
		return ErrInvalidParameter.WithMessage("DefaultRedirectURI must be one of the CallbackURLs.")
	}
	for _, sc := range c.AllowedOAuthScopes {
		ok, err := s.scopeExists(poolID, sc)
		if err != nil {
			return err
		}
		if !ok {
			return ErrScopeDoesNotExist.WithMessage("Invalid scope requested: " + sc)
		}
	}
	return nil
}

// checkFlows refuses a mix of the legacy flow names and the ALLOW_ ones.
func checkFlows(flows []ExplicitAuthFlowsType) error {
	legacy, allow := false, false
	for _, f := range flows {
		switch f {
		case "ADMIN_NO_SRP_AUTH", "CUSTOM_AUTH_FLOW_ONLY", "USER_PASSWORD_AUTH":
			legacy = true
		default:
			allow = true
		}
	}
	if legacy && allow {
		return ErrInvalidParameter.WithMessage("ExplicitAuthFlows can not have both legacy and new values.")
	}
	return nil
}

// flowAllowed reports whether a client allows an auth flow.
func flowAllowed(c *UserPoolClientType, flow string) bool {
	has := func(names ...ExplicitAuthFlowsType) bool {
		return slices.ContainsFunc(names, func(n ExplicitAuthFlowsType) bool { return slices.Contains(c.ExplicitAuthFlows, n) })
	}
	switch flow {
	case "USER_PASSWORD_AUTH":
		return has("ALLOW_USER_PASSWORD_AUTH", "USER_PASSWORD_AUTH")
	case "ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH":
		return has("ALLOW_ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH")
	case "USER_SRP_AUTH":
		return has("ALLOW_USER_SRP_AUTH") || !has("ALLOW_USER_PASSWORD_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_CUSTOM_AUTH", "ALLOW_REFRESH_TOKEN_AUTH")
	case "REFRESH_TOKEN_AUTH", "REFRESH_TOKEN":
		// Clients with the legacy names always allow refreshing.
		return has("ALLOW_REFRESH_TOKEN_AUTH") || !slices.ContainsFunc(c.ExplicitAuthFlows, func(f ExplicitAuthFlowsType) bool { return len(f) > 6 && f[:6] == "ALLOW_" })
	case "CUSTOM_AUTH":
		return has("ALLOW_CUSTOM_AUTH", "CUSTOM_AUTH_FLOW_ONLY")
	}
	return false
}

func (s *Service) describeUserPoolClient(_ context.Context, in *DescribeUserPoolClientRequest) (*DescribeUserPoolClientResponse, error) {
	if _, err := s.loadPool(deref(in.UserPoolId)); err != nil {
		return nil, err
	}
	c, err := s.loadClient(deref(in.UserPoolId), deref(in.ClientId))
	if err != nil {
		return nil, err
	}
	return &DescribeUserPoolClientResponse{UserPoolClient: &c.Config}, nil
}

func (s *Service) listUserPoolClients(_ context.Context, in *ListUserPoolClientsRequest) (*ListUserPoolClientsResponse, error) {
	poolID := deref(in.UserPoolId)
	if _, err := s.loadPool(poolID); err != nil {
		return nil, err
	}
	clients, err := list[client](s, poolPrefix("client", poolID))
	if err != nil {
		return nil, err
	}
	items := make([]string, len(clients))
	for i, c := range clients {
		items[i] = deref(c.Config.ClientId)
	}
	from, to, next, err := page(items, deref(in.NextToken), int(deref(in.MaxResults)), 60)
	if err != nil {
		return nil, err
	}
	out := &ListUserPoolClientsResponse{UserPoolClients: []UserPoolClientDescription{}, NextToken: next}
	for _, c := range clients[from:to] {
		out.UserPoolClients = append(out.UserPoolClients, UserPoolClientDescription{ClientId: c.Config.ClientId,
			UserPoolId: c.Config.UserPoolId, ClientName: c.Config.ClientName})
	}
	return out, nil
}

func (s *Service) deleteUserPoolClient(_ context.Context, in *DeleteUserPoolClientRequest) (*noOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	poolID, id := deref(in.UserPoolId), deref(in.ClientId)
	if _, err := s.loadPool(poolID); err != nil {
		return nil, err
	}
	if _, err := s.loadClient(poolID, id); err != nil {
		return nil, err
	}
	return &noOutput{}, s.put(nil, clientKey(poolID, id), clientIndexKey(id))
}
