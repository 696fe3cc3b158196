package stepfunctions

import (
	"context"
	"io"
	"strings"
	"testing"

	"github.com/virga/virga/internal/stepfunctions/asl"
)

func TestAPIGatewayRequest(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	req, err := apiGatewayRequest(ctx, map[string]any{
		"ApiEndpoint": "abc123.execute-api.us-east-1.amazonaws.com", "Method": "PUT", "Stage": "dev", "Path": "/a/b/",
		"QueryParameters": map[string]any{"x": []any{"1", "2"}}, "Headers": map[string]any{"X-T": []any{"tok"}},
		"RequestBody": map[string]any{"k": nil, "in": []any{map[string]any{"z": nil, "y": "v"}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(req.Body)
	if req.Method != "PUT" || req.Host != "abc123.execute-api.localhost" || req.URL.Path != "/dev/a/b" ||
		req.URL.RawQuery != "x=1&x=2" || req.Header.Get("X-T") != "tok" || string(body) != `{"in":[{"y":"v"}]}` {
		t.Errorf("request %s %s %v %s", req.Method, req.URL, req.Header, body)
	}
	req, err = apiGatewayRequest(ctx, map[string]any{"ApiEndpoint": "h.execute-api.eu-west-1.amazonaws.com", "Method": "POST",
		"RequestBody": "plain", "AllowNullValues": true})
	if body, _ := io.ReadAll(req.Body); err != nil || req.URL.Path != "/" || string(body) != "plain" {
		t.Errorf("request %v %s: %v", req.URL, body, err)
	}
	for _, bad := range []map[string]any{
		{"Method": "GET"},
		{"ApiEndpoint": "example.com", "Method": "GET"},
		{"ApiEndpoint": "a.execute-api.us-east-1.amazonaws.com", "Method": "TRACE"},
		{"ApiEndpoint": "a.execute-api.us-east-1.amazonaws.com", "Method": "GET", "AuthType": "COGNITO"},
		{"ApiEndpoint": "a.execute-api.us-east-1.amazonaws.com", "Method": "GET", "Headers": map[string]any{"h": "one"}},
		{"ApiEndpoint": "a.execute-api.us-east-1.amazonaws.com", "Method": "GET", "QueryParameters": []any{"x"}},
		{"ApiEndpoint": "a.execute-api.us-east-1.amazonaws.com", "Method": "GET", "Path": 7},
	} {
		if _, err := apiGatewayRequest(ctx, bad); err == nil || !strings.HasPrefix(err.Error(), "The ") {
			t.Errorf("%v: err = %v", bad, err)
		}
	}
}

func FuzzAPIGatewayRequest(f *testing.F) {
	f.Add(`{"ApiEndpoint":"a.execute-api.us-east-1.amazonaws.com","Method":"GET","Path":"x/y","QueryParameters":{"q":["1"]}}`)
	f.Add(`{"ApiEndpoint":"a.execute-api.x","Method":"POST","RequestBody":{"a":null,"b":[null,{"c":null}]}}`)
	f.Add(`{"ApiEndpoint":".execute-api.","Method":"GET","Headers":{"H":[1]}}`)
	f.Fuzz(func(t *testing.T, raw string) {
		v, err := asl.Decode([]byte(raw))
		params, ok := v.(map[string]any)
		if err != nil || !ok {
			return
		}
		_, _ = apiGatewayRequest(context.Background(), params)
	})
}
