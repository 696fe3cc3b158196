package apigateway

import (
	"cmp"
	"context"
	"maps"
	"regexp"
	"slices"
)

// Authorizer result caching: five minutes unless the authorizer says
// otherwise, at most an hour.
const (
	defaultAuthorizerTTL = 300
	maxAuthorizerTTL     = 3600
)

// checkAuthorizer checks an authorizer's settings against its type.
func checkAuthorizer(au *authorizer) error {
	switch au.Type {
	case "TOKEN", "REQUEST":
		if au.AuthorizerURI == "" {
			return badRequest(msgAuthorizerURIRequired)
		}
		if au.Type == "TOKEN" && au.IdentitySource == "" {
			return badRequest(msgIdentitySourceRequired)
		}
		if au.Type == "REQUEST" && au.ResultTTLSeconds > 0 && au.IdentitySource == "" {
			return badRequest(msgIdentitySourceForCaching)
		}
		if _, err := parseIdentitySources(au.IdentitySource); err != nil {
			return err
		}
	case "COGNITO_USER_POOLS":
		if len(au.ProviderARNs) == 0 {
			return badRequest("ProviderARNs need to be specified for authorizers of type COGNITO_USER_POOLS")
		}
	default:
		return badRequest("Invalid authorizer type specified: %s", au.Type)
	}
	if au.ResultTTLSeconds < 0 || au.ResultTTLSeconds > maxAuthorizerTTL {
		return badRequest(msgAuthorizerTTL)
	}
	if au.IdentityValidationExpression != "" {
		if _, err := regexp.Compile(au.IdentityValidationExpression); err != nil {
			return badRequest("Invalid identity validation expression specified: %s", au.IdentityValidationExpression)
		}
	}
	return nil
}

func (s *Service) createAuthorizer(ctx context.Context, in *CreateAuthorizerRequest) (*Authorizer, error) {
	return editDefinition(s, in.RestApiId, func(a *restAPI) (*Authorizer, error) {
		au := &authorizer{
			Name:                         *in.Name,
			Type:                         string(*in.Type),
			ProviderARNs:                 slices.Clone(in.ProviderARNs),
			AuthType:                     deref(in.AuthType),
			AuthorizerURI:                deref(in.AuthorizerUri),
			AuthorizerCredentials:        deref(in.AuthorizerCredentials),
			IdentitySource:               deref(in.IdentitySource),
			IdentityValidationExpression: deref(in.IdentityValidationExpression),
			ResultTTLSeconds:             defaultAuthorizerTTL,
		}
		if in.AuthorizerResultTtlInSeconds != nil {
			au.ResultTTLSeconds = *in.AuthorizerResultTtlInSeconds
		}
		if err := checkAuthorizer(au); err != nil {
			return nil, err
		}
		au.ID = s.newID(shortIDLength, func(id string) bool { return a.Authorizers[id] != nil })
		if a.Authorizers == nil {
			a.Authorizers = map[string]*authorizer{}
		}
		a.Authorizers[au.ID] = au
		return authorizerOutput(au), nil
	})
}

func (s *Service) getAuthorizer(ctx context.Context, in *GetAuthorizerRequest) (*Authorizer, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	st, err := s.api(in.RestApiId)
	if err != nil {
		return nil, err
	}
	au := st.def.Authorizers[*in.AuthorizerId]
	if au == nil {
		return nil, notFound(msgAuthorizerNotFound)
	}
	return authorizerOutput(au), nil
}

func (s *Service) getAuthorizers(ctx context.Context, in *GetAuthorizersRequest) (*Authorizers, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	st, err := s.api(in.RestApiId)
	if err != nil {
		return nil, err
	}
	all := slices.SortedFunc(maps.Values(st.def.Authorizers), func(x, y *authorizer) int { return cmp.Compare(x.ID, y.ID) })
	items, next := page(all, func(au *authorizer) string { return au.ID }, in.Position, in.Limit)
	out := &Authorizers{Position: next, Items: make([]Authorizer, 0, len(items))}
	for _, au := range items {
		out.Items = append(out.Items, *authorizerOutput(au))
	}
	return out, nil
}

func (s *Service) updateAuthorizer(ctx context.Context, in *UpdateAuthorizerRequest) (*Authorizer, error) {
	patches, err := parsePatches(in.PatchOperations)
	if err != nil {
		return nil, err
	}
	return editDefinition(s, in.RestApiId, func(a *restAPI) (*Authorizer, error) {
		au := a.Authorizers[*in.AuthorizerId]
		if au == nil {
			return nil, notFound(msgAuthorizerNotFound)
		}
		for _, p := range patches {
			if err := patchAuthorizer(au, p); err != nil {
				return nil, err
			}
		}
		if err := checkAuthorizer(au); err != nil {
			return nil, err
		}
		return authorizerOutput(au), nil
	})
}

// patchAuthorizer applies one patch operation to an authorizer.
func patchAuthorizer(au *authorizer, p patch) error {
	if arn, ok := p.under("providerARNs"); ok {
		return applyListPatch(&au.ProviderARNs, p, arn)
	}
	if p.op != "replace" {
		return p.invalid()
	}
	switch {
	case p.is("name"):
		au.Name = p.str()
	case p.is("type"):
		au.Type = p.str()
	case p.is("authType"):
		au.AuthType = p.str()
	case p.is("authorizerUri"):
		au.AuthorizerURI = p.str()
	case p.is("authorizerCredentials"):
		au.AuthorizerCredentials = p.str()
	case p.is("identitySource"):
		au.IdentitySource = p.str()
	case p.is("identityValidationExpression"):
		au.IdentityValidationExpression = p.str()
	case p.is("authorizerResultTtlInSeconds"):
		n, err := p.intValue()
		if err != nil {
			return err
		}
		au.ResultTTLSeconds = n
	default:
		return p.invalid()
	}
	return nil
}

func (s *Service) deleteAuthorizer(ctx context.Context, in *DeleteAuthorizerRequest) (*noOutput, error) {
	return editDefinition(s, in.RestApiId, func(a *restAPI) (*noOutput, error) {
		au := a.Authorizers[*in.AuthorizerId]
		if au == nil {
			return nil, notFound(msgAuthorizerNotFound)
		}
		for _, r := range a.resourcesByPath() {
			for _, name := range slices.Sorted(maps.Keys(r.Methods)) {
				if r.Methods[name].AuthorizerID == au.ID {
					return nil, ErrConflict.Withf(msgAuthorizerInUse, au.Name, name, a.path(r))
				}
			}
		}
		delete(a.Authorizers, au.ID)
		return nil, nil
	})
}

// authorizerOutput is an authorizer as GetAuthorizer answers it.
func authorizerOutput(au *authorizer) *Authorizer {
	return &Authorizer{
		Id:                           ptr(au.ID),
		Name:                         ptr(au.Name),
		Type:                         ptr(AuthorizerType(au.Type)),
		ProviderARNs:                 slices.Clone(au.ProviderARNs),
		AuthType:                     optional(au.AuthType),
		AuthorizerUri:                optional(au.AuthorizerURI),
		AuthorizerCredentials:        optional(au.AuthorizerCredentials),
		IdentitySource:               optional(au.IdentitySource),
		IdentityValidationExpression: optional(au.IdentityValidationExpression),
		AuthorizerResultTtlInSeconds: ptr(au.ResultTTLSeconds),
	}
}
