package secretsmanager

import (
	"errors"
	"strings"
	"testing"
)

func TestGeneratePassword(t *testing.T) {
	has := func(pw, set string) bool { return strings.ContainsAny(pw, set) }
	for name, tc := range map[string]struct {
		o       PasswordOptions
		length  int
		must    []string
		mustNot []string
	}{
		"defaults": {DefaultPasswordOptions(), 32, []string{lowercase, uppercase, digits, punctuation}, []string{" "}},
		"no punctuation": {PasswordOptions{Length: 20, ExcludePunctuation: true, RequireEachIncludedType: true}, 20,
			[]string{lowercase, uppercase, digits}, []string{punctuation, " "}},
		"digits only": {PasswordOptions{Length: 8, ExcludeLowercase: true, ExcludeUppercase: true, ExcludePunctuation: true}, 8,
			nil, []string{lowercase, uppercase, punctuation}},
		"space": {PasswordOptions{Length: 5, IncludeSpace: true, RequireEachIncludedType: true}, 5, []string{" ", lowercase, uppercase, digits, punctuation}, nil},
		"exclusions": {PasswordOptions{Length: 64, ExcludeCharacters: "abcdefghijklmnopqrstuvwxyz0123456789\"'@/\\", RequireEachIncludedType: true}, 64,
			[]string{uppercase}, []string{lowercase, digits, "\"'@/\\"}},
	} {
		for range 20 {
			pw, err := GeneratePassword(tc.o, nil)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if len(pw) != tc.length {
				t.Errorf("%s: %q has length %d, want %d", name, pw, len(pw), tc.length)
			}
			for _, set := range tc.must {
				if !has(pw, set) {
					t.Errorf("%s: %q lacks a character of %q", name, pw, set)
				}
			}
			for _, set := range tc.mustNot {
				if has(pw, set) {
					t.Errorf("%s: %q has a character of %q", name, pw, set)
				}
			}
		}
	}
	_, err := GeneratePassword(PasswordOptions{Length: 3, RequireEachIncludedType: true}, nil)
	if !errors.Is(err, ErrInvalidParameter) {
		t.Errorf("3 characters for 4 types: %v", err)
	}
	_, err = GeneratePassword(PasswordOptions{ExcludeLowercase: true, ExcludeUppercase: true, ExcludeNumbers: true, ExcludePunctuation: true}, nil)
	if !errors.Is(err, ErrInvalidParameter) {
		t.Errorf("nothing to choose from: %v", err)
	}
}

func TestValidName(t *testing.T) {
	for name, want := range map[string]bool{
		"prod/db": true, "a-b_c+d=e.f@g!h": true, "MySecret": true,
		"": false, "has space": false, "a:b": false, "a#b": false, "é": false,
		strings.Repeat("n", 512): true, strings.Repeat("n", 513): false,
	} {
		if got := validName(name); got != want {
			t.Errorf("validName(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestNameFromARN(t *testing.T) {
	for arn, want := range map[string][2]string{
		"arn:aws:secretsmanager:us-east-1:000000000000:secret:db-AbC123":    {"db-AbC123", "db"},
		"arn:aws:secretsmanager:us-east-1:000000000000:secret:app/db":       {"app/db", "app/db"},
		"arn:aws:secretsmanager:us-east-1:000000000000:secret:a-b-c-xyz789": {"a-b-c-xyz789", "a-b-c"},
		"arn:aws:ssm:us-east-1:000000000000:parameter/x":                    {"", ""},
		"arn:aws:secretsmanager:us-east-1:000000000000:secret:":             {"", ""},
	} {
		full, trimmed, _ := nameFromARN(arn)
		if full != want[0] || trimmed != want[1] {
			t.Errorf("nameFromARN(%q) = %q, %q; want %q, %q", arn, full, trimmed, want[0], want[1])
		}
	}
}
