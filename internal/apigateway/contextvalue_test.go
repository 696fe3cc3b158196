package apigateway

import "testing"

// TestContextAuthorizerValues: $context.authorizer.KEY (access logs,
// parameter mappings) reads a Lambda authorizer's context and, with
// claims.NAME, the claims of a Cognito user pool's token.
func TestContextAuthorizerValues(t *testing.T) {
	lambdaAuth := &request{authorizer: map[string]any{"principalId": "user-1", "tier": "gold"}}
	cognito := &request{authorizer: map[string]any{"claims": map[string]string{"sub": "u-42", "email": "a@example.com"}}}
	for _, tc := range []struct {
		req  *request
		name string
		want string
		ok   bool
	}{
		{lambdaAuth, "authorizer.principalId", "user-1", true},
		{lambdaAuth, "authorizer.tier", "gold", true},
		{lambdaAuth, "authorizer.claims.sub", "", false},
		{cognito, "authorizer.claims.sub", "u-42", true},
		{cognito, "authorizer.claims.email", "a@example.com", true},
		{cognito, "authorizer.claims.missing", "", false},
		{&request{}, "authorizer.claims.sub", "", false},
	} {
		if got, ok := tc.req.contextValue(tc.name); got != tc.want || ok != tc.ok {
			t.Errorf("contextValue(%q) = %q, %v; want %q, %v", tc.name, got, ok, tc.want, tc.ok)
		}
	}
}
