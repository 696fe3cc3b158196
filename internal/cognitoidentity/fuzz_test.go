package cognitoidentity

import (
	"strings"
	"testing"
)

func TestParseProviderName(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, region, pool string
		ok                 bool
	}{
		{"cognito-idp.us-east-1.amazonaws.com/us-east-1_AbC123xyz", "us-east-1", "us-east-1_AbC123xyz", true},
		{"cognito-idp.eu-west-2.amazonaws.com/eu-west-2_x", "eu-west-2", "eu-west-2_x", true},
		{"cognito-idp.us-east-1.amazonaws.com/eu-west-2_x", "", "", false},
		{"https://cognito-idp.us-east-1.amazonaws.com/us-east-1_x", "", "", false},
		{"cognito-idp.us-east-1.amazonaws.com/", "", "", false},
		{"accounts.google.com", "", "", false},
	} {
		region, pool, ok := parseProviderName(tc.name)
		if region != tc.region || pool != tc.pool || ok != tc.ok {
			t.Errorf("parseProviderName(%q) = %q, %q, %v", tc.name, region, pool, ok)
		}
	}
}

// FuzzParseProviderName: whatever the key, a name that parses is
// rebuilt from its parts.
func FuzzParseProviderName(f *testing.F) {
	for _, s := range []string{"cognito-idp.us-east-1.amazonaws.com/us-east-1_AbC123xyz", "cognito-idp..amazonaws.com/",
		"cognito-idp.a.amazonaws.com/a_b", "graph.facebook.com", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		region, pool, ok := parseProviderName(name)
		if ok && name != "cognito-idp."+region+".amazonaws.com/"+pool {
			t.Fatalf("%q parsed as %q, %q", name, region, pool)
		}
		if ok && !strings.HasPrefix(pool, region+"_") {
			t.Fatalf("%q: pool %q is not of region %q", name, pool, region)
		}
	})
}
