package lambda

import (
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
)

type layerVersionOut struct {
	Content struct {
		Location, CodeSha256 string
		CodeSize             int64
	}
	LayerArn, LayerVersionArn, Description, CreatedDate, LicenseInfo string
	Version                                                          int64
	CompatibleRuntimes, CompatibleArchitectures                      []string
}

func TestLayers(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	zip := makeZip(t, zf{name: "python/lib.py", body: "X = 1\n"})
	var v1 layerVersionOut
	f.ok(201, &v1, "POST", "/2018-10-31/layers/libs/versions", map[string]any{
		"Content": map[string]any{"ZipFile": b64(zip)}, "Description": "first", "LicenseInfo": "MIT",
		"CompatibleRuntimes": []string{"python3.12", "python3.13"}, "CompatibleArchitectures": []string{"x86_64"},
	})
	if v1.LayerArn != "arn:aws:lambda:us-east-1:000000000000:layer:libs" || v1.LayerVersionArn != v1.LayerArn+":1" || v1.Version != 1 ||
		v1.Description != "first" || v1.LicenseInfo != "MIT" || v1.Content.CodeSize != int64(len(zip)) || v1.Content.CodeSha256 == "" ||
		v1.CreatedDate != "2024-03-04T05:06:07.890+0000" || len(v1.CompatibleRuntimes) != 2 {
		t.Errorf("PublishLayerVersion = %+v", v1)
	}
	w := httptest.NewRecorder()
	f.svc.CodeHandler().ServeHTTP(w, httptest.NewRequest("GET", v1.Content.Location, nil))
	if body, _ := io.ReadAll(w.Result().Body); w.Code != 200 || string(body) != string(zip) {
		t.Errorf("downloading the layer: HTTP %d", w.Code)
	}
	var v2 layerVersionOut
	f.ok(201, &v2, "POST", "/2018-10-31/layers/arn:aws:lambda:us-east-1:000000000000:layer:libs/versions", map[string]any{
		"Content": map[string]any{"ZipFile": b64(makeZip(t, zf{name: "nodejs/x.js", body: "1"}))}, "CompatibleRuntimes": []string{"nodejs22.x"},
	})
	if v2.Version != 2 {
		t.Errorf("second version = %d", v2.Version)
	}
	f.ok(201, nil, "POST", "/2018-10-31/layers/other/versions", map[string]any{"Content": map[string]any{"ZipFile": b64(zip)}})

	var got layerVersionOut
	f.ok(200, &got, "GET", "/2018-10-31/layers/libs/versions/1", nil)
	if got.LayerVersionArn != v1.LayerVersionArn || got.Description != "first" {
		t.Errorf("GetLayerVersion = %+v", got)
	}
	f.ok(200, &got, "GET", "/2018-10-31/layers?find=LayerVersion&Arn="+v2.LayerVersionArn, nil)
	if got.Version != 2 {
		t.Errorf("GetLayerVersionByArn = %+v", got)
	}
	msg := f.fails("ResourceNotFoundException", 404, "GET", "/2018-10-31/layers/libs/versions/9", nil)
	if msg != "The resource you requested does not exist." {
		t.Errorf("message %q", msg)
	}

	var layers struct {
		Layers []struct {
			LayerName, LayerArn   string
			LatestMatchingVersion struct{ Version int64 }
		}
	}
	f.ok(200, &layers, "GET", "/2018-10-31/layers", nil)
	if len(layers.Layers) != 2 || layers.Layers[0].LayerName != "libs" || layers.Layers[0].LatestMatchingVersion.Version != 2 {
		t.Errorf("ListLayers = %+v", layers)
	}
	f.ok(200, &layers, "GET", "/2018-10-31/layers?CompatibleRuntime=python3.12", nil)
	if len(layers.Layers) != 1 || layers.Layers[0].LatestMatchingVersion.Version != 1 {
		t.Errorf("ListLayers for python3.12 = %+v", layers)
	}
	var versions struct {
		LayerVersions []struct{ Version int64 }
		NextMarker    string
	}
	f.ok(200, &versions, "GET", "/2018-10-31/layers/libs/versions", nil)
	if len(versions.LayerVersions) != 2 || versions.LayerVersions[0].Version != 2 {
		t.Errorf("ListLayerVersions = %+v", versions)
	}
	f.ok(200, &versions, "GET", "/2018-10-31/layers/libs/versions?MaxItems=1", nil)
	if len(versions.LayerVersions) != 1 || versions.NextMarker == "" {
		t.Errorf("first page: %+v", versions)
	}

	// A function uses layers by version ARN; its Spec lists their
	// directories in order.
	f.create("withlayers", "Layers", []string{v2.LayerVersionArn, "arn:aws:lambda:us-east-1:000000000000:layer:other:1"})
	var cfg functionConfig
	f.ok(200, &cfg, "GET", "/2015-03-31/functions/withlayers/configuration", nil)
	if len(cfg.Layers) != 2 || cfg.Layers[0].Arn != v2.LayerVersionArn || cfg.Layers[0].CodeSize == 0 {
		t.Errorf("Layers = %+v", cfg.Layers)
	}
	msg = f.fails("InvalidParameterValueException", 400, "PUT", "/2015-03-31/functions/withlayers/configuration",
		map[string]any{"Layers": []string{v1.LayerVersionArn, v2.LayerVersionArn}})
	if !contains(msg, "Two different versions of the same layer") {
		t.Errorf("message %q", msg)
	}
	// Deleting the layer version leaves the function's copy.
	f.ok(204, nil, "DELETE", "/2018-10-31/layers/libs/versions/2", nil)
	f.ok(204, nil, "DELETE", "/2018-10-31/layers/libs/versions/2", nil) // again: still 204
	f.fails("ResourceNotFoundException", 404, "GET", "/2018-10-31/layers/libs/versions/2", nil)
	f.ok(200, nil, "POST", "/2015-03-31/functions/withlayers/invocations", []byte(`{}`))
	spec := f.fns.invocations()[0].Spec
	if len(spec.LayerDirs) != 2 {
		t.Fatalf("LayerDirs = %v", spec.LayerDirs)
	}
	if _, err := os.Stat(filepath.Join(spec.LayerDirs[0], "nodejs", "x.js")); err != nil {
		t.Errorf("first layer: %v", err)
	}
	if _, err := os.Stat(filepath.Join(spec.LayerDirs[1], "python", "lib.py")); err != nil {
		t.Errorf("second layer: %v", err)
	}
	// Removing the layers from the function frees the deleted version's
	// archive.
	f.ok(200, nil, "PUT", "/2015-03-31/functions/withlayers/configuration", map[string]any{"Layers": []string{}})
	if _, err := os.Stat(spec.LayerDirs[0]); !os.IsNotExist(err) {
		t.Errorf("the unused layer archive is still extracted: %v", err)
	}
	f.ok(201, &got, "POST", "/2018-10-31/layers/libs/versions", map[string]any{"Content": map[string]any{"ZipFile": b64(zip)}})
	if got.Version != 3 {
		t.Errorf("version numbers were reused: %d", got.Version)
	}
	f.fails("InvalidParameterValueException", 400, "POST", "/2018-10-31/layers/bad/versions",
		map[string]any{"Content": map[string]any{"ZipFile": b64(makeZip(t, zf{name: "../x", body: "x"}))}})
}

func TestCombinedSizeWithLayers(t *testing.T) {
	t.Parallel()
	code := codeRef{Unzipped: maxUnzipped - 10}
	if err := checkUnzipped(code, nil); err != nil {
		t.Errorf("within the limit: %v", err)
	}
	err := checkUnzipped(code, []codeRef{{Unzipped: 11}})
	if err == nil || err.Error() != "InvalidParameterValueException: Function code combined with layers exceeds the maximum allowed size of 262144000 bytes. The actual size is 262144001 bytes." {
		t.Errorf("over the limit: %v", err)
	}
}
