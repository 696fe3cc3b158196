package openapi

import (
	"strings"
	"testing"
)

func TestDecodeAndResolve(t *testing.T) {
	doc, err := Decode([]byte(`
paths:
  /a:
    get:
      x-amazon-apigateway-integration:
        $ref: '#/components/x-amazon-apigateway-integrations/fn'
components:
  x-amazon-apigateway-integrations:
    fn: {type: aws_proxy, timeoutInMillis: 3000, statuses: {200: ok}}
`))
	if err != nil {
		t.Fatal(err)
	}
	x := Obj(Resolve(doc, Obj(Obj(Obj(doc["paths"])["/a"])["get"])["x-amazon-apigateway-integration"]))
	if Str(x["type"]) != "aws_proxy" || StringMap(x["statuses"])["200"] != "ok" {
		t.Errorf("resolved %v", x)
	}
	if n, ok := Int(x["timeoutInMillis"]); !ok || n != 3000 {
		t.Errorf("timeoutInMillis %v", x["timeoutInMillis"])
	}
	j, err := Decode([]byte(`{"a": [1, "x"], "n": 12345678901234567890}`))
	if err != nil || Str(j["n"]) != "12345678901234567890" || len(Strings(j["a"])) != 2 {
		t.Errorf("JSON: %v %v", j, err)
	}
	loop, _ := Decode([]byte(`{"a": {"$ref": "#/b"}, "b": {"$ref": "#/a"}}`))
	if Resolve(loop, loop["a"]) != nil {
		t.Error("a $ref loop resolved")
	}
	if _, err := Decode([]byte(`[1, 2]`)); err == nil {
		t.Error("a list decoded as a document")
	}
}

func FuzzDecode(f *testing.F) {
	for _, s := range []string{`{"openapi": "3.0.1", "paths": {}}`, "openapi: 3.0.1\npaths:\n  /x: {get: {}}\n", `{"$ref": "#/"}`,
		strings.Repeat("[", 100), "a: &x [*x]\n", "200: ok\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		doc, err := Decode(body)
		if err != nil {
			return
		}
		for _, v := range doc {
			Resolve(doc, v)
			Strings(v)
			StringMap(v)
		}
	})
}
