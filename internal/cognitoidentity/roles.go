package cognitoidentity

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// roleARN matches an IAM role ARN.
var roleARN = regexp.MustCompile(`^arn:aws[a-z-]*:iam::\d{12}:role/(?:[\x21-\x7E]*/)?[\w+=,.@-]{1,64}$`)

// Role mapping types, resolutions and rule match types (the model's
// enums).
const (
	RoleMappingTypeToken = RoleMappingType("Token")
	RoleMappingTypeRules = RoleMappingType("Rules")

	AmbiguousAuthenticatedRole = AmbiguousRoleResolutionType("AuthenticatedRole")
	AmbiguousDeny              = AmbiguousRoleResolutionType("Deny")

	MatchEquals     = MappingRuleMatchType("Equals")
	MatchContains   = MappingRuleMatchType("Contains")
	MatchStartsWith = MappingRuleMatchType("StartsWith")
	MatchNotEqual   = MappingRuleMatchType("NotEqual")
)

// role is the role whose credentials an identity gets: the pool's
// unauthenticated role for a guest; for a signed-in user the role its
// provider's role mapping chooses, if the pool has one, or the
// authenticated role. customRole is the request's CustomRoleArn, which
// a Token mapping honours when the token's cognito:roles include it.
func (p *identityPool) role(logins []login, customRole string) (string, error) {
	if len(logins) == 0 {
		if r := p.Roles[roleUnauthenticated]; r != "" {
			return r, nil
		}
		return "", ErrInvalidPoolConfig
	}
	for _, l := range logins {
		name, m, ok := p.mappingFor(l)
		if !ok {
			continue
		}
		if r := m.choose(l.Claims, customRole); r != "" {
			return r, nil
		}
		if deref(m.AmbiguousRoleResolution) == AmbiguousDeny {
			return "", ErrNotAuthorized.WithMessage(msgAmbiguousRoleMap + name)
		}
	}
	if r := p.Roles[roleAuthenticated]; r != "" {
		return r, nil
	}
	return "", ErrInvalidPoolConfig
}

// mappingFor is the role mapping of a login's provider: the one named
// PROVIDER:CLIENT_ID, as AWS names user pool providers' mappings, or
// PROVIDER.
func (p *identityPool) mappingFor(l login) (string, RoleMapping, bool) {
	for _, name := range []string{l.Provider + ":" + l.Client, l.Provider} {
		if m, ok := p.RoleMappings[name]; ok {
			return name, m, true
		}
	}
	return "", RoleMapping{}, false
}

// choose is the role a mapping chooses for a token's claims, or "" when
// it is ambiguous: for Token, cognito:preferred_role, or the custom role
// or only role of cognito:roles; for Rules, the first rule that matches.
func (m RoleMapping) choose(claims map[string]any, customRole string) string {
	switch deref(m.Type) {
	case RoleMappingTypeToken:
		roles := claimStrings(claims["cognito:roles"])
		if customRole != "" && slices.Contains(roles, customRole) {
			return customRole
		}
		if r, _ := claims["cognito:preferred_role"].(string); r != "" {
			return r
		}
		if len(roles) == 1 {
			return roles[0]
		}
	case RoleMappingTypeRules:
		if m.RulesConfiguration == nil {
			return ""
		}
		for _, r := range m.RulesConfiguration.Rules {
			if r.matches(claims) {
				return deref(r.RoleARN)
			}
		}
	}
	return ""
}

// matches applies a rule to a token's claims. A claim that is a list
// (cognito:groups) matches when one of its values does, and NotEqual
// when none equals the rule's value.
func (r MappingRule) matches(claims map[string]any) bool {
	v, present := claims[deref(r.Claim)]
	if !present {
		return false
	}
	values := claimStrings(v)
	want := deref(r.Value)
	if deref(r.MatchType) == MatchNotEqual {
		return !slices.Contains(values, want)
	}
	for _, got := range values {
		switch deref(r.MatchType) {
		case MatchEquals:
			if got == want {
				return true
			}
		case MatchContains:
			if strings.Contains(got, want) {
				return true
			}
		case MatchStartsWith:
			if strings.HasPrefix(got, want) {
				return true
			}
		}
	}
	return false
}

// claimStrings is a claim's value as strings: a list's elements, or the
// value itself.
func claimStrings(v any) []string {
	switch v := v.(type) {
	case nil:
		return nil
	case []any:
		out := make([]string, 0, len(v))
		for _, e := range v {
			out = append(out, fmt.Sprint(e))
		}
		return out
	default:
		return []string{fmt.Sprint(v)}
	}
}
