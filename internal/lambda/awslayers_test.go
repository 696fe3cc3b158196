package lambda

import (
	"strings"
	"testing"
)

func TestAWSPublishedLayers(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	const ext = "arn:aws:lambda:us-east-1:177933569100:layer:AWS-Parameters-and-Secrets-Lambda-Extension:11"
	zip := bootstrapZip(t)
	f.ok(201, nil, "POST", "/2018-10-31/layers/libs/versions", map[string]any{"Content": map[string]any{"ZipFile": b64(zip)}})
	own := "arn:aws:lambda:us-east-1:" + testAccount + ":layer:libs:1"
	cfg := f.create("ext", "Layers", []string{own, ext})
	if len(cfg.Layers) != 2 || cfg.Layers[1].Arn != ext || cfg.Layers[1].CodeSize != 0 {
		t.Errorf("Layers = %+v", cfg.Layers)
	}
	f.ok(200, nil, "POST", "/2015-03-31/functions/ext/invocations", []byte(`{}`))
	calls := f.fns.invocations()
	if spec := calls[len(calls)-1].Spec; !spec.ParamsSecrets || len(spec.LayerDirs) != 1 {
		t.Errorf("the extension's Spec: ParamsSecrets %v, %d layer directories", spec.ParamsSecrets, len(spec.LayerDirs))
	}
	// Without the layer, the extension goes with it.
	f.ok(200, nil, "PUT", "/2015-03-31/functions/ext/configuration", map[string]any{"Layers": []string{own}})
	f.ok(200, nil, "POST", "/2015-03-31/functions/ext/invocations", []byte(`{}`))
	calls = f.fns.invocations()
	if calls[len(calls)-1].Spec.ParamsSecrets {
		t.Error("the extension outlived its layer")
	}
	for _, tc := range []struct{ layer, code, msg string }{
		{"arn:aws:lambda:us-east-1:094274105915:layer:AWSLambdaPowertoolsTypeScriptV2:20", "InvalidParameterValueException", "is published by AWS, and virga has no copy of its content"},
		{"arn:aws:lambda:us-east-1:" + testAccount + ":layer:AWS-Parameters-and-Secrets-Lambda-Extension:1", "InvalidParameterValueException", "does not exist"},
		{"arn:aws:lambda:us-east-1:123456789012:layer:other:1", "InvalidParameterValueException", "does not exist"},
		{ext[:len(ext)-2] + "12", "InvalidParameterValueException", "Two different versions of the same layer"},
	} {
		layers := []string{tc.layer}
		if strings.HasSuffix(tc.layer, ":12") {
			layers = []string{ext, tc.layer}
		}
		r := f.do("POST", "/2015-03-31/functions", createBody("refused", zip, "Layers", layers))
		if code, msg := r.errorCode(t); r.Status != 400 || code != tc.code || !strings.Contains(msg, tc.msg) {
			t.Errorf("%s: %d %s %s", tc.layer, r.Status, code, msg)
		}
	}
}
