package apigateway

import (
	"encoding/json"
	"slices"
	"strings"
	"time"
)

// A COGNITO_USER_POOLS authorizer admits a request whose identity source
// (the Authorization header unless the authorizer says otherwise) holds
// a token one of the authorizer's user pools (ProviderARNs) signed and
// that has not expired: an ID token, or, when the method has
// authorization scopes, an access token with one of them in its scope
// claim. A missing or invalid token is 401 Unauthorized; an access token
// without the scope is 401 too, as API Gateway answers it. The token's
// claims reach the integration as requestContext.authorizer.claims,
// every value a string and exp and iat as dates ("Fri Jul 29 18:52:53
// UTC 2016"), as API Gateway renders them.
func (s *Service) authorizeUserPool(req *request, au *authorizer) *gatewayError {
	if s.pools == nil {
		return errUnauthorized
	}
	src := au.IdentitySource
	if src == "" {
		src = "method.request.header.Authorization"
	}
	sources, err := parseIdentitySources(src)
	if err != nil || len(sources) != 1 {
		return errAuthorizerConfig
	}
	token := strings.TrimSpace(req.identityValue(sources[0]))
	if len(token) > 7 && strings.EqualFold(token[:7], "bearer ") {
		token = strings.TrimSpace(token[7:])
	}
	if token == "" {
		return errUnauthorized
	}
	use := "id"
	scopes := req.match.method.AuthorizationScopes
	if len(scopes) > 0 {
		use = "access"
	}
	claims, ok := s.pools.VerifyToken(au.ProviderARNs, token, use)
	if !ok {
		return errUnauthorized
	}
	if len(scopes) > 0 {
		have, _ := claims["scope"].(string)
		if !slices.ContainsFunc(strings.Fields(have), func(sc string) bool { return slices.Contains(scopes, sc) }) {
			return errUnauthorized
		}
	}
	req.authorizer = map[string]any{"claims": claimStrings(claims)}
	return nil
}

// javaDate is how API Gateway renders exp and iat in a user pool
// authorizer's claims.
const javaDate = "Mon Jan 02 15:04:05 MST 2006"

// claimStrings renders a token's claims as API Gateway passes them on.
func claimStrings(claims map[string]any) map[string]string {
	out := make(map[string]string, len(claims))
	for k, v := range claims {
		switch v := v.(type) {
		case string:
			out[k] = v
		case json.Number:
			if k == "exp" || k == "iat" {
				if n, err := v.Int64(); err == nil {
					out[k] = time.Unix(n, 0).UTC().Format(javaDate)
					continue
				}
			}
			out[k] = v.String()
		case bool:
			if v {
				out[k] = "true"
			} else {
				out[k] = "false"
			}
		case []any:
			parts := make([]string, 0, len(v))
			for _, x := range v {
				if s, ok := x.(string); ok {
					parts = append(parts, s)
				}
			}
			out[k] = strings.Join(parts, ",")
		default:
			b, _ := json.Marshal(v)
			out[k] = string(b)
		}
	}
	return out
}
