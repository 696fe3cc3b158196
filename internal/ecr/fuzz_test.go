package ecr

import (
	"strings"
	"testing"
	"time"
)

// FuzzParseManifest checks that a manifest parseManifest accepts is of
// an accepted kind, with only valid digests, and that what it keeps
// matches the kind.
func FuzzParseManifest(f *testing.F) {
	cfg := `{"mediaType":"application/vnd.oci.image.config.v1+json","size":2,"digest":"sha256:` + strings.Repeat("a", 64) + `"}`
	layer := `{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","size":10,"digest":"sha256:` + strings.Repeat("b", 64) + `"}`
	for _, seed := range [][2]string{
		{`{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":` + cfg + `,"layers":[` + layer + `]}`, ""},
		{`{"schemaVersion":2,"config":` + cfg + `,"layers":[]}`, "application/vnd.oci.image.manifest.v1+json"},
		{`{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json","config":` + cfg + `,"layers":[` + layer + `]}`, "application/vnd.docker.distribution.manifest.v2+json"},
		{`{"schemaVersion":2,"manifests":[` + layer + `]}`, ""},
		{`{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.list.v2+json","manifests":[]}`, ""},
		{`{"schemaVersion":1}`, ""},
		{`{"schemaVersion":2,"mediaType":"x","config":` + cfg + `}`, "application/vnd.oci.image.manifest.v1+json"},
		{`[]`, ""},
	} {
		f.Add(seed[0], seed[1])
	}
	f.Fuzz(func(t *testing.T, raw, contentType string) {
		p, err := parseManifest([]byte(raw), contentType)
		if err != nil {
			return
		}
		switch p.MediaType {
		case mediaDockerManifest, mediaOCIManifest:
			if p.Config == nil || p.Manifests != nil || !validDigest(p.Config.Digest) {
				t.Fatalf("image manifest %q: %+v", raw, p)
			}
			for _, l := range p.Layers {
				if !validDigest(l.Digest) || l.Size < 0 {
					t.Fatalf("layer %+v", l)
				}
			}
			if p.layerSize() < 0 {
				t.Fatalf("negative size")
			}
		case mediaDockerList, mediaOCIIndex:
			if p.Config != nil || p.Layers != nil {
				t.Fatalf("index %q: %+v", raw, p)
			}
			for _, m := range p.Manifests {
				if !validDigest(m.Digest) {
					t.Fatalf("child %+v", m)
				}
			}
		default:
			t.Fatalf("media type %q accepted", p.MediaType)
		}
	})
}

// FuzzParseRegistryPath checks that a path parseRegistryPath accepts is
// rebuilt from its parts.
func FuzzParseRegistryPath(f *testing.F) {
	for _, s := range []string{"/v2/", "/v2", "/v2/team/app/manifests/latest", "/v2/a/blobs/sha256:00", "/v2/a/b/c/blobs/uploads/",
		"/v2/a/blobs/uploads/123", "/v2/a/tags/list", "/v2/_catalog", "/v2/manifests/x", "/v2/a/manifests/", "/v2/a/blobs/uploads/x/y"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, path string) {
		p, ok := parseRegistryPath(path)
		if !ok {
			return
		}
		var back string
		switch p.Kind {
		case "":
			if path != "/v2/" && path != "/v2" {
				t.Fatalf("%q: root", path)
			}
			return
		case "catalog":
			back = "/v2/_catalog"
			if p.Name != "" {
				t.Fatalf("%q: catalog with a name", path)
			}
			if back != path {
				t.Fatalf("%q parsed as %+v", path, p)
			}
			return
		case "tags":
			back = "/v2/" + p.Name + "/tags/list"
		case "uploads":
			back = "/v2/" + p.Name + "/blobs/uploads/" + p.Ref
			if p.Ref == "" && path == strings.TrimSuffix(back, "/") {
				back = path
			}
		default:
			back = "/v2/" + p.Name + "/" + p.Kind + "/" + p.Ref
		}
		if back != path || p.Name == "" || strings.Contains(p.Ref, "/") {
			t.Fatalf("%q parsed as %+v", path, p)
		}
	})
}

// FuzzParseByteRange checks that an accepted range lies in the blob.
func FuzzParseByteRange(f *testing.F) {
	for _, s := range []string{"bytes=0-9", "bytes=5-", "bytes=-3", "bytes=9-1", "bytes=0-0,2-3", "items=0-1"} {
		f.Add(s, int64(10))
	}
	f.Fuzz(func(t *testing.T, h string, size int64) {
		if size < 0 {
			return
		}
		from, to, ok := parseByteRange(h, size)
		if ok && (from < 0 || to > size || from >= to) {
			t.Fatalf("%q over %d: [%d, %d)", h, size, from, to)
		}
	})
}

// FuzzParseLifecyclePolicy checks that an accepted policy's rules are in
// priority order, with unique priorities, and that evaluating them never
// expires an image twice.
func FuzzParseLifecyclePolicy(f *testing.F) {
	f.Add(`{"rules":[{"rulePriority":1,"selection":{"tagStatus":"untagged","countType":"sinceImagePushed","countUnit":"days","countNumber":14},"action":{"type":"expire"}}]}`)
	f.Add(`{"rules":[{"rulePriority":2,"selection":{"tagStatus":"tagged","tagPatternList":["v*"],"countType":"imageCountMoreThan","countNumber":1},"action":{"type":"expire"}},{"rulePriority":9,"selection":{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":3},"action":{"type":"expire"}}]}`)
	f.Add(`{"rules":[]}`)
	f.Fuzz(func(t *testing.T, text string) {
		rules, err := parseLifecyclePolicy(text)
		if err != nil {
			return
		}
		for i := 1; i < len(rules); i++ {
			if *rules[i-1].RulePriority >= *rules[i].RulePriority {
				t.Fatalf("rules out of order: %s", text)
			}
		}
		images := []*image{{Digest: "a", Tags: []string{"v1"}, Pushed: 1}, {Digest: "b", Pushed: 2}, {Digest: "c", Tags: []string{"prod"}, Pushed: 3}}
		got := expired(rules, images, time.UnixMilli(1e12))
		seen := map[string]bool{}
		for _, d := range got {
			if seen[d] {
				t.Fatalf("%s expired twice", d)
			}
			seen[d] = true
		}
	})
}

// FuzzLoginPrincipal: no password, however malformed, panics the
// token parser or is taken for a token this registry did not make.
func FuzzLoginPrincipal(f *testing.F) {
	s := newTestService(f)
	good := s.newLoginToken(tokenPrincipal{ARN: "arn:aws:iam::000000000000:user/bob"})
	for _, seed := range []string{good, s.newLoginToken(tokenPrincipal{Self: true}), s.newScopedToken(""), "", ".", "..", "1.e30.x",
		"9999999999.eyJhcm4iOiJ4In0.AAAA", good + "."} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, tok string) {
		p, legacy, ok := s.loginPrincipal(tok)
		if !ok {
			return
		}
		if legacy != (p == nil) {
			t.Fatalf("%q: principal %+v, legacy %v", tok, p, legacy)
		}
		if !legacy && s.newLoginToken(*p) == "" {
			t.Fatalf("%q", tok)
		}
	})
}
