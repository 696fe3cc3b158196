package apigateway

import (
	"slices"
	"strings"
	"testing"
)

func TestRestAPISplitPatchPath(t *testing.T) {
	t.Parallel()
	cases := []struct {
		path string
		want []string
		ok   bool
	}{
		{"/name", []string{"name"}, true},
		{"/binaryMediaTypes/image~1png", []string{"binaryMediaTypes", "image/png"}, true},
		{"/variables/a~0b", []string{"variables", "a~b"}, true},
		{"/~1pets~1{id}/GET/metrics/enabled", []string{"/pets/{id}", "GET", "metrics", "enabled"}, true},
		{"/", []string{""}, true},
		{"name", nil, false},
		{"", nil, false},
		{"/bad~2", nil, false},
		{"/trailing~", nil, false},
	}
	for _, c := range cases {
		got, ok := splitPatchPath(c.path)
		if ok != c.ok || !slices.Equal(got, c.want) {
			t.Errorf("splitPatchPath(%q) = %q, %v; want %q, %v", c.path, got, ok, c.want, c.ok)
		}
	}
}

func TestRestAPIPatchSettings(t *testing.T) {
	t.Parallel()
	a := &restAPI{Name: "a", BinaryMediaTypes: []string{"image/png", "text/csv"}}
	apply := func(op, path, value string) error {
		ps, err := parsePatches([]PatchOperation{{Op: ptr(Op(op)), Path: &path, Value: &value}})
		if err != nil {
			return err
		}
		return patchRestAPI(a, ps[0])
	}
	for _, step := range []struct{ op, path, value string }{
		{"replace", "/name", "renamed"},
		{"replace", "/description", "about"},
		{"add", "/binaryMediaTypes/image~1jpeg", ""},
		{"remove", "/binaryMediaTypes/text~1csv", ""},
		{"replace", "/binaryMediaTypes/image~1png", "application/octet-stream"},
		{"replace", "/minimumCompressionSize", "1024"},
		{"replace", "/endpointConfiguration/types/0", "REGIONAL"},
		{"replace", "/disableExecuteApiEndpoint", "true"},
	} {
		if err := apply(step.op, step.path, step.value); err != nil {
			t.Fatalf("%s %s: %v", step.op, step.path, err)
		}
	}
	if a.Name != "renamed" || a.Description != "about" || *a.MinimumCompressionSize != 1024 ||
		!slices.Equal(a.EndpointTypes, []string{"REGIONAL"}) || !a.DisableExecuteAPIEndpoint {
		t.Errorf("API after patches: %+v", a)
	}
	if want := []string{"image/jpeg", "application/octet-stream"}; !slices.Equal(a.BinaryMediaTypes, want) {
		t.Errorf("binaryMediaTypes = %q, want %q", a.BinaryMediaTypes, want)
	}
	wantErr(t, apply("replace", "/id", "x"), "BadRequestException", "Invalid patch path /id")
	wantErr(t, apply("replace", "/minimumCompressionSize", "-1"), "BadRequestException", msgInvalidMinimumCompression)
	wantErr(t, apply("test", "/name", "x"), "BadRequestException", "")
	wantErr(t, apply("replace", "name", "x"), "BadRequestException", "Invalid patch path name")
}

func TestRestAPIPatchStage(t *testing.T) {
	t.Parallel()
	st := &apiState{deployments: map[string]*deployment{"d1": {ID: "d1"}}}
	g := &stage{Name: "prod", DeploymentID: "d0", Variables: map[string]string{"old": "1"}}
	for _, step := range []struct{ op, path, value string }{
		{"replace", "/variables/env", "prod"},
		{"remove", "/variables/old", ""},
		{"replace", "/deploymentId", "d1"},
		{"replace", "/tracingEnabled", "true"},
		{"replace", "/*/*/throttling/burstLimit", "10"},
		{"replace", "/~1pets/GET/logging/loglevel", "INFO"},
	} {
		ps, err := parsePatches([]PatchOperation{{Op: ptr(Op(step.op)), Path: &step.path, Value: &step.value}})
		if err != nil {
			t.Fatal(err)
		}
		if err := patchStage(st, g, ps[0]); err != nil {
			t.Fatalf("%s %s: %v", step.op, step.path, err)
		}
	}
	if g.Variables["env"] != "prod" || len(g.Variables) != 1 || g.DeploymentID != "d1" || !g.TracingEnabled {
		t.Errorf("stage after patches: %+v", g)
	}
	if *g.MethodSettings["*/*"].ThrottlingBurstLimit != 10 || *g.MethodSettings["~1pets/GET"].LoggingLevel != "INFO" {
		t.Errorf("method settings: %+v", g.MethodSettings)
	}
	bad, _ := parsePatches([]PatchOperation{{Op: ptr(Op("replace")), Path: ptr("/deploymentId"), Value: ptr("nope")}})
	wantErr(t, patchStage(st, g, bad[0]), "BadRequestException", "")
}

// FuzzPatchPath checks that parsing never panics and that what it parses
// escapes back to the path it came from.
func FuzzRestAPIPatchPath(f *testing.F) {
	for _, s := range []string{"/name", "/binaryMediaTypes/image~1png", "/~0~1", "/a//b", "/~", "x", "/*/*/caching/enabled"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, path string) {
		segs, ok := splitPatchPath(path)
		if !ok {
			return
		}
		esc := make([]string, len(segs))
		for i, s := range segs {
			esc[i] = strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
		}
		if back := "/" + strings.Join(esc, "/"); back != path {
			t.Fatalf("%q parsed as %q, which escapes to %q", path, segs, back)
		}
	})
}

// TestMethodSettingMethod: a method setting's key names its method
// whichever way the patch path wrote the resource path.
func TestMethodSettingMethod(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ key, path, verb string }{
		{"*/*", "*", "*"},
		{"~1/GET", "/", "GET"},
		{"/GET", "/", "GET"},
		{"~1pets~1{id}/GET", "/pets/{id}", "GET"},
		{"pets/{id}/DELETE", "/pets/{id}", "DELETE"},
		{"~1a~0b/*", "/a~b", "*"},
	} {
		if path, verb := methodSettingMethod(tc.key); path != tc.path || verb != tc.verb {
			t.Errorf("%s: %q %q, want %q %q", tc.key, path, verb, tc.path, tc.verb)
		}
	}
	settings := map[string]MethodSetting{"~1/GET": {LoggingLevel: ptr("INFO")}, "pets/GET": {LoggingLevel: ptr("ERROR")}}
	if ms, ok := methodSettingFor(settings, "/", "GET"); !ok || *ms.LoggingLevel != "INFO" {
		t.Errorf("root GET: %+v %v", ms, ok)
	}
	if ms, ok := methodSettingFor(settings, "/pets", "GET"); !ok || *ms.LoggingLevel != "ERROR" {
		t.Errorf("/pets GET: %+v %v", ms, ok)
	}
	if _, ok := methodSettingFor(settings, "/pets", "POST"); ok {
		t.Error("/pets POST has no setting")
	}
}
