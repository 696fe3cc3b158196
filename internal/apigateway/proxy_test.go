package apigateway

import (
	"maps"
	"slices"
	"testing"
)

func TestRestAPIParseProxyResponse(t *testing.T) {
	t.Parallel()
	good := []struct {
		payload string
		status  int
		headers [][2]string
		body    string
		base64  bool
	}{
		{`{"statusCode":200}`, 200, nil, "", false},
		{`{"statusCode":"404","body":"gone"}`, 404, nil, "gone", false},
		{`{"statusCode":201,"headers":{"X-A":"1","X-N":5,"X-B":true},"body":null,"isBase64Encoded":null}`, 201,
			[][2]string{{"X-A", "1"}, {"X-B", "true"}, {"X-N", "5"}}, "", false},
		{`{"statusCode":200,"headers":{"Set-Cookie":"a=1","X-Only":"s"},"multiValueHeaders":{"set-cookie":["b=2","c=3"]}}`, 200,
			[][2]string{{"X-Only", "s"}, {"set-cookie", "b=2"}, {"set-cookie", "c=3"}}, "", false},
		{`{"statusCode":200,"body":"aGk=","isBase64Encoded":true}`, 200, nil, "aGk=", true},
	}
	for _, c := range good {
		r, err := parseProxyResponse([]byte(c.payload))
		if err != nil {
			t.Errorf("%s: %v", c.payload, err)
			continue
		}
		slices.SortFunc(r.headers, func(a, b [2]string) int {
			if a[0] != b[0] {
				if a[0] < b[0] {
					return -1
				}
				return 1
			}
			if a[1] < b[1] {
				return -1
			}
			return 1
		})
		if r.status != c.status || !slices.Equal(r.headers, c.headers) || r.body != c.body || r.base64 != c.base64 {
			t.Errorf("%s: %+v", c.payload, r)
		}
	}
	for _, bad := range []string{
		``, `null`, `"hello"`, `[]`, `{}`, `{"body":"no status"}`, `{"statusCode":99}`, `{"statusCode":600}`,
		`{"statusCode":200.5}`, `{"statusCode":200,"body":{"a":1}}`, `{"statusCode":200,"extra":1}`,
		`{"statusCode":200,"headers":{"X":{"a":1}}}`, `{"statusCode":200,"headers":{"X":null}}`,
		`{"statusCode":200,"multiValueHeaders":{"X":"not a list"}}`, `{"statusCode":200,"isBase64Encoded":"yes"}`,
	} {
		if r, err := parseProxyResponse([]byte(bad)); err == nil {
			t.Errorf("%s: accepted as %+v", bad, r)
		}
	}
}

func TestRestAPIEventQuery(t *testing.T) {
	t.Parallel()
	single, multi := eventQuery("a=1&b=x%20y&a=2&flag&c=&d=%zz")
	if want := map[string]string{"a": "2", "b": "x y", "flag": "", "c": "", "d": "%zz"}; !maps.Equal(single, want) {
		t.Errorf("single = %v, want %v", single, want)
	}
	if !slices.Equal(multi["a"], []string{"1", "2"}) || len(multi) != 5 {
		t.Errorf("multi = %v", multi)
	}
	if s, m := eventQuery(""); s != nil || m != nil {
		t.Errorf("no query gave %v %v", s, m)
	}
}

func TestRestAPIIsBinary(t *testing.T) {
	t.Parallel()
	types := []string{"image/png", "application/octet-stream", "font/*"}
	for mt, want := range map[string]bool{
		"image/png": true, "IMAGE/PNG; q=0.9": true, "application/octet-stream": true, "font/woff2": true,
		"image/jpeg": false, "text/plain": false, "": false,
	} {
		if got := isBinary(types, mt); got != want {
			t.Errorf("isBinary(%q) = %v", mt, got)
		}
	}
	if !isBinary([]string{"*/*"}, "text/html") || isBinary(nil, "image/png") {
		t.Error("*/* or no types")
	}
}

func TestRestAPILambdaFunctionOfAndStageVariables(t *testing.T) {
	t.Parallel()
	fn, ok := lambdaFunctionOf("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:f:${stageVariables.alias}/invocations")
	if !ok || fn != "arn:aws:lambda:us-east-1:000000000000:function:f:${stageVariables.alias}" {
		t.Fatalf("%q %v", fn, ok)
	}
	if got := substituteStageVariables(fn, map[string]string{"alias": "live"}); got != "arn:aws:lambda:us-east-1:000000000000:function:f:live" {
		t.Errorf("substituted %q", got)
	}
	for _, bad := range []string{"", "arn:aws:apigateway:us-east-1:s3:path/bucket", "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions//invocations", "http://x"} {
		if _, ok := lambdaFunctionOf(bad); ok {
			t.Errorf("lambdaFunctionOf(%q) accepted it", bad)
		}
	}
}
