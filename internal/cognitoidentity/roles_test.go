package cognitoidentity

import "testing"

func TestRuleMatches(t *testing.T) {
	t.Parallel()
	claims := map[string]any{"cognito:groups": []any{"staff", "web-admins"}, "email": "ana@example.com"}
	rule := func(claim string, match MappingRuleMatchType, value string) MappingRule {
		return MappingRule{Claim: &claim, MatchType: &match, Value: &value}
	}
	for _, tc := range []struct {
		rule MappingRule
		want bool
	}{
		{rule("email", MatchEquals, "ana@example.com"), true},
		{rule("email", MatchEquals, "bo@example.com"), false},
		{rule("email", MatchContains, "@example"), true},
		{rule("email", MatchStartsWith, "ana"), true},
		{rule("email", MatchNotEqual, "bo@example.com"), true},
		{rule("cognito:groups", MatchEquals, "staff"), true},
		{rule("cognito:groups", MatchStartsWith, "web-"), true},
		{rule("cognito:groups", MatchNotEqual, "staff"), false},
		{rule("cognito:groups", MatchNotEqual, "ops"), true},
		{rule("missing", MatchNotEqual, "x"), false},
	} {
		if got := tc.rule.matches(claims); got != tc.want {
			t.Errorf("%s %s %s = %v", *tc.rule.Claim, *tc.rule.MatchType, *tc.rule.Value, got)
		}
	}
}

func TestPoolRole(t *testing.T) {
	t.Parallel()
	p := &identityPool{Roles: map[string]string{roleAuthenticated: "auth", roleUnauthenticated: "guest"},
		RoleMappings: map[string]RoleMapping{"idp:client": {Type: ptr(RoleMappingTypeToken), AmbiguousRoleResolution: ptr(AmbiguousDeny)}}}
	l := login{Provider: "idp", Client: "client", Claims: map[string]any{"cognito:roles": []any{"r1", "r2"}}}
	if r, err := p.role(nil, ""); r != "guest" || err != nil {
		t.Errorf("guest: %q, %v", r, err)
	}
	if r, err := p.role([]login{l}, "r2"); r != "r2" || err != nil {
		t.Errorf("custom role among cognito:roles: %q, %v", r, err)
	}
	if _, err := p.role([]login{l}, ""); err == nil {
		t.Error("two roles, no preferred one, Deny: no error")
	}
	if _, err := p.role([]login{l}, "r3"); err == nil {
		t.Error("a custom role not among cognito:roles was taken")
	}
	other := login{Provider: "idp", Client: "other"}
	if r, err := p.role([]login{other}, ""); r != "auth" || err != nil {
		t.Errorf("a client without a mapping: %q, %v", r, err)
	}
}
