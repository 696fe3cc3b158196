package lambda

import "testing"

func TestCodeSigningReads(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.create("signed")
	r := f.ok(200, nil, "GET", "/2020-06-30/functions/signed/code-signing-config", nil)
	if got, want := string(r.Body), `{"CodeSigningConfigArn":"","FunctionName":"signed"}`; got != want {
		t.Errorf("GetFunctionCodeSigningConfig = %s, want %s", got, want)
	}
	msg := f.fails("ResourceNotFoundException", 404, "GET", "/2020-06-30/functions/none/code-signing-config", nil)
	if msg != "Function not found: arn:aws:lambda:us-east-1:000000000000:function:none" {
		t.Errorf("missing function: %q", msg)
	}
	r = f.ok(200, nil, "GET", "/2020-04-22/code-signing-configs/", nil)
	if got, want := string(r.Body), `{"CodeSigningConfigs":[]}`; got != want {
		t.Errorf("ListCodeSigningConfigs = %s, want %s", got, want)
	}
}
