package cognitoidp

import (
	"strings"
	"testing"
)

func TestParseFilter(t *testing.T) {
	u := &user{Username: "Jo", Sub: "s-1", Status: "CONFIRMED", Enabled: true,
		Attributes: map[string]string{"email": `a"b@example.com`, "name": "Jo Doe"}}
	for _, tc := range []struct {
		filter string
		match  bool
		err    bool
	}{
		{``, true, false},
		{`username = "Jo"`, true, false},
		{`username = "jo"`, false, false},
		{`username ^= "J"`, true, false},
		{`email = "a\"b@example.com"`, true, false},
		{`email^="a"`, true, false},
		{`cognito:user_status = "confirmed"`, true, false},
		{`status = "Enabled"`, true, false},
		{`status = "Disabled"`, false, false},
		{`sub = "s-1"`, true, false},
		{`given_name = "Jo"`, false, false},
		{`email = bob`, false, true},
		{`email != "x"`, false, true},
		{`shoe = "x"`, false, true},
		{`email = "x" y`, false, true},
		{`email = "x`, false, true},
	} {
		f, err := parseFilter(tc.filter)
		if (err != nil) != tc.err {
			t.Errorf("%q: err %v", tc.filter, err)
			continue
		}
		if err == nil && f.matches(u) != tc.match {
			t.Errorf("%q: matches = %v", tc.filter, !tc.match)
		}
	}
}

func TestCheckPassword(t *testing.T) {
	all := &PasswordPolicyType{MinimumLength: ptr(int32(8)), RequireUppercase: ptr(true), RequireLowercase: ptr(true),
		RequireNumbers: ptr(true), RequireSymbols: ptr(true)}
	for pw, want := range map[string]string{
		"Ab1!":       "Password did not conform with policy: Password not long enough",
		"ABCDEFG1!":  "Password did not conform with policy: Password must have lowercase characters",
		"abcdefg1!":  "Password did not conform with policy: Password must have uppercase characters",
		"Abcdefgh!":  "Password did not conform with policy: Password must have numeric characters",
		"Abcdefgh1":  "Password did not conform with policy: Password must have symbol characters",
		"Abcdefg1 ":  "Password did not conform with policy: Password must have symbol characters",
		"Abc defg1":  "",
		"Abcdefg1^":  "",
		"Abcdefg1=+": "",
	} {
		err := checkPassword(all, pw)
		got := ""
		if err != nil {
			got = err.Error()
		}
		if (want == "") != (err == nil) || (err != nil && !strings.Contains(got, want)) {
			t.Errorf("%q: %v, want %q", pw, err, want)
		}
	}
}

func TestSecretHash(t *testing.T) {
	c := &UserPoolClientType{ClientId: ptr("client"), ClientSecret: ptr("secret")}
	if err := checkSecretHash(c, "user", secretHash("secret", "user", "client")); err != nil {
		t.Error(err)
	}
	if err := checkSecretHash(c, "user", secretHash("secret", "other", "client")); err == nil {
		t.Error("a hash of another user passed")
	}
	if err := checkSecretHash(&UserPoolClientType{ClientId: ptr("c")}, "user", ""); err != nil {
		t.Error(err)
	}
}
