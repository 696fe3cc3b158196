package lambda

import (
	"strings"
	"testing"
)

func TestParseImageURI(t *testing.T) {
	digest := "sha256:" + strings.Repeat("ab", 32)
	for _, tc := range []struct {
		uri                        string
		account, region, repo, ref string
		ok                         bool
	}{
		{"000000000000.dkr.ecr.us-east-1.amazonaws.com/app:v1", "000000000000", "us-east-1", "app", "v1", true},
		{"000000000000.dkr.ecr.us-east-1.localhost:4566/team/app:latest", "000000000000", "us-east-1", "team/app", "latest", true},
		{"000000000000.dkr.ecr.eu-west-1.amazonaws.com/app@" + digest, "000000000000", "eu-west-1", "app", digest, true},
		{"000000000000.dkr.ecr.us-east-1.amazonaws.com/app", "", "", "", "", false},           // no tag
		{"000000000000.dkr.ecr.us-east-1.amazonaws.com/App:v1", "", "", "", "", false},        // upper case
		{"docker.io/library/alpine:3", "", "", "", "", false},                                 // not ECR
		{"00000000000.dkr.ecr.us-east-1.amazonaws.com/app:v1", "", "", "", "", false},         // 11 digits
		{"000000000000.dkr.ecr.us-east-1.amazonaws.com/app@sha256:ab", "", "", "", "", false}, // short digest
		{"000000000000.dkr.ecr.us-east-1.example.com/app:v1", "", "", "", "", false},
	} {
		account, region, repo, ref, ok := parseImageURI(tc.uri)
		if ok != tc.ok || account != tc.account || region != tc.region || repo != tc.repo || ref != tc.ref {
			t.Errorf("parseImageURI(%q) = %q %q %q %q %v", tc.uri, account, region, repo, ref, ok)
		}
	}
}

func FuzzParseImageURI(f *testing.F) {
	for _, s := range []string{
		"000000000000.dkr.ecr.us-east-1.amazonaws.com/app:v1",
		"000000000000.dkr.ecr.us-east-1.localhost:4566/a/b/c:t_1.x",
		"000000000000.dkr.ecr.us-east-1.amazonaws.com/app@sha256:" + strings.Repeat("0", 64),
		"docker.io/library/alpine:3",
		"",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, uri string) {
		account, region, repo, ref, ok := parseImageURI(uri)
		if !ok {
			return
		}
		// What parses names a registry, a repository and a reference
		// that the URI ends with, and the resolved URI parses back to
		// the same parts.
		if len(account) != 12 || region == "" || repo == "" || ref == "" || !strings.HasSuffix(uri, repo+":"+ref) && !strings.HasSuffix(uri, repo+"@"+ref) {
			t.Fatalf("parseImageURI(%q) = %q %q %q %q", uri, account, region, repo, ref)
		}
		if strings.HasPrefix(ref, "sha256:") {
			c := &imageCode{URI: uri, Repo: repo, Digest: ref}
			a2, r2, repo2, ref2, ok2 := parseImageURI(c.resolved())
			if !ok2 || a2 != account || r2 != region || repo2 != repo || ref2 != ref {
				t.Fatalf("resolved %q of %q does not parse back", c.resolved(), uri)
			}
		}
	})
}
