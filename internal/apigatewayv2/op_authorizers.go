package apigatewayv2

import (
	"context"
	"maps"
	"slices"
	"strings"
)

// maxAuthorizerTTL bounds AuthorizerResultTtlInSeconds: "The maximum value
// is 3600, or 1 hour."
const maxAuthorizerTTL = 3600

func (s *Service) createAuthorizer(ctx context.Context, in *CreateAuthorizerRequest) (*CreateAuthorizerResponse, error) {
	au := &authorizerRecord{
		Name: *in.Name, Type: string(*in.AuthorizerType), URI: deref(in.AuthorizerUri, ""),
		CredentialsArn:               deref(in.AuthorizerCredentialsArn, ""),
		PayloadFormatVersion:         deref(in.AuthorizerPayloadFormatVersion, ""),
		TTLSeconds:                   deref(in.AuthorizerResultTtlInSeconds, 0),
		SimpleResponses:              deref(in.EnableSimpleResponses, false),
		IdentitySource:               in.IdentitySource,
		IdentityValidationExpression: deref(in.IdentityValidationExpression, ""),
	}
	if in.JwtConfiguration != nil {
		au.JWTIssuer, au.JWTAudience = deref(in.JwtConfiguration.Issuer, ""), in.JwtConfiguration.Audience
	}
	if err := checkAuthorizer(au); err != nil {
		return nil, err
	}
	_, err := s.update(*in.ApiId, true, func(a *apiRecord) error {
		au.ID = newID(s.ids, a.Authorizers, 6)
		a.Authorizers[au.ID] = au
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := CreateAuthorizerResponse(authorizerShape(au))
	return &out, nil
}

// checkAuthorizer checks an authorizer as HTTP APIs do, and fills in the
// defaults its type has.
func checkAuthorizer(au *authorizerRecord) error {
	switch au.Type {
	case "REQUEST":
		if au.URI == "" {
			return badRequest("AuthorizerUri is required for REQUEST authorizers.")
		}
		if !isLambdaTarget(au.URI) {
			return badRequest("Invalid AuthorizerUri %s: a REQUEST authorizer's URI is a Lambda function ARN or its API Gateway invocation ARN.", au.URI)
		}
		switch au.PayloadFormatVersion {
		case "1.0", "2.0":
		case "":
			return badRequest("AuthorizerPayloadFormatVersion is required for REQUEST authorizers; use 1.0 or 2.0.")
		default:
			return badRequest("Invalid AuthorizerPayloadFormatVersion %s: use 1.0 or 2.0.", au.PayloadFormatVersion)
		}
		if au.SimpleResponses && au.PayloadFormatVersion != "2.0" {
			return badRequest("Simple responses are only supported with authorizer payload format version 2.0.")
		}
		if au.TTLSeconds > 0 && len(au.IdentitySource) == 0 {
			return badRequest("Caching authorizer results (AuthorizerResultTtlInSeconds %d) needs at least one identity source.", au.TTLSeconds)
		}
	case "JWT":
		if au.JWTIssuer == "" || len(au.JWTAudience) == 0 {
			return badRequest("JWT authorizers need a JwtConfiguration with an Issuer and at least one Audience.")
		}
		if len(au.IdentitySource) == 0 {
			au.IdentitySource = []string{"$request.header.Authorization"}
		}
		if len(au.IdentitySource) != 1 {
			return badRequest("JWT authorizers take exactly one identity source.")
		}
		if au.SimpleResponses || au.PayloadFormatVersion != "" || au.URI != "" {
			return badRequest("JWT authorizers take no AuthorizerUri, AuthorizerPayloadFormatVersion or EnableSimpleResponses.")
		}
	default:
		return badRequest("Invalid authorizer type %s: HTTP APIs use REQUEST or JWT authorizers.", au.Type)
	}
	if au.TTLSeconds < 0 || au.TTLSeconds > maxAuthorizerTTL {
		return badRequest("AuthorizerResultTtlInSeconds must be between 0 and %d.", maxAuthorizerTTL)
	}
	for _, src := range au.IdentitySource {
		if _, err := parseIdentitySource(src); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) getAuthorizer(ctx context.Context, in *GetAuthorizerRequest) (*GetAuthorizerResponse, error) {
	a, err := s.get(*in.ApiId)
	if err != nil {
		return nil, err
	}
	au := a.Authorizers[*in.AuthorizerId]
	if au == nil {
		return nil, authorizerNotFound(*in.AuthorizerId)
	}
	out := GetAuthorizerResponse(authorizerShape(au))
	return &out, nil
}

func (s *Service) getAuthorizers(ctx context.Context, in *GetAuthorizersRequest) (*GetAuthorizersResponse, error) {
	a, err := s.get(*in.ApiId)
	if err != nil {
		return nil, err
	}
	all := slices.SortedFunc(maps.Values(a.Authorizers), func(x, y *authorizerRecord) int { return strings.Compare(x.ID, y.ID) })
	items, next, err := page(all, in.MaxResults, in.NextToken)
	if err != nil {
		return nil, err
	}
	out := &GetAuthorizersResponse{Items: make([]Authorizer, 0, len(items)), NextToken: next}
	for _, au := range items {
		out.Items = append(out.Items, authorizerShape(au))
	}
	return out, nil
}

func (s *Service) updateAuthorizer(ctx context.Context, in *UpdateAuthorizerRequest) (*UpdateAuthorizerResponse, error) {
	var au *authorizerRecord
	_, err := s.update(*in.ApiId, true, func(a *apiRecord) error {
		if au = a.Authorizers[*in.AuthorizerId]; au == nil {
			return authorizerNotFound(*in.AuthorizerId)
		}
		setIf(&au.Name, in.Name)
		if in.AuthorizerType != nil {
			au.Type = string(*in.AuthorizerType)
		}
		setIf(&au.URI, in.AuthorizerUri)
		setIf(&au.CredentialsArn, in.AuthorizerCredentialsArn)
		setIf(&au.PayloadFormatVersion, in.AuthorizerPayloadFormatVersion)
		setIf(&au.TTLSeconds, in.AuthorizerResultTtlInSeconds)
		setIf(&au.SimpleResponses, in.EnableSimpleResponses)
		setIf(&au.IdentityValidationExpression, in.IdentityValidationExpression)
		if in.IdentitySource != nil {
			au.IdentitySource = in.IdentitySource
		}
		if in.JwtConfiguration != nil {
			setIf(&au.JWTIssuer, in.JwtConfiguration.Issuer)
			if in.JwtConfiguration.Audience != nil {
				au.JWTAudience = in.JwtConfiguration.Audience
			}
		}
		if err := checkAuthorizer(au); err != nil {
			return err
		}
		for _, r := range a.Routes {
			if r.AuthorizerID == au.ID && (r.AuthorizationType == "JWT") != (au.Type == "JWT") {
				return badRequest("Authorizer %s is used by route %s with authorization type %s; its type cannot change to %s.",
					au.ID, r.ID, r.AuthorizationType, au.Type)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.authCache.resetAuthorizer(*in.ApiId, au.ID)
	out := UpdateAuthorizerResponse(authorizerShape(au))
	return &out, nil
}

func (s *Service) deleteAuthorizer(ctx context.Context, in *DeleteAuthorizerRequest) (*noOutput, error) {
	_, err := s.update(*in.ApiId, true, func(a *apiRecord) error {
		id := *in.AuthorizerId
		if a.Authorizers[id] == nil {
			return authorizerNotFound(id)
		}
		var users []string
		for _, r := range a.Routes {
			if r.AuthorizerID == id {
				users = append(users, r.ID)
			}
		}
		if len(users) > 0 {
			slices.Sort(users)
			return referencedBy("Authorizer", users)
		}
		delete(a.Authorizers, id)
		return nil
	})
	if err == nil {
		s.authCache.resetAuthorizer(*in.ApiId, *in.AuthorizerId)
	}
	return nil, err
}

// authorizerShape renders an authorizer as the operations return it.
func authorizerShape(au *authorizerRecord) Authorizer {
	t := AuthorizerType(au.Type)
	out := Authorizer{
		AuthorizerCredentialsArn:       ptrNonEmpty(au.CredentialsArn),
		AuthorizerId:                   ptr(au.ID),
		AuthorizerPayloadFormatVersion: ptrNonEmpty(au.PayloadFormatVersion),
		AuthorizerType:                 &t,
		AuthorizerUri:                  ptrNonEmpty(au.URI),
		IdentitySource:                 au.IdentitySource,
		IdentityValidationExpression:   ptrNonEmpty(au.IdentityValidationExpression),
		Name:                           ptr(au.Name),
	}
	if au.Type == "REQUEST" {
		out.AuthorizerResultTtlInSeconds = ptr(au.TTLSeconds)
		out.EnableSimpleResponses = ptr(au.SimpleResponses)
	}
	if au.Type == "JWT" {
		out.JwtConfiguration = &JWTConfiguration{Audience: au.JWTAudience, Issuer: ptr(au.JWTIssuer)}
	}
	return out
}
