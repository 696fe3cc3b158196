package cloudcontrol

import (
	"errors"
	"testing"

	"github.com/virga/virga/internal/awsproto/apierr"
)

func TestListFilter(t *testing.T) {
	t.Parallel()
	text := func(s string) *string { return &s }
	for _, c := range []struct {
		name, typ string
		model     *string
		code      string
		want      map[string]string
	}{
		{"no parent needed", "AWS::SQS::Queue", nil, "", map[string]string{}},
		{"parent missing", "AWS::Lambda::Permission", nil, "InvalidRequestException", nil},
		{"parent empty", "AWS::Lambda::Permission", text(`{"FunctionName":""}`), "InvalidRequestException", nil},
		{"not an object", "AWS::Lambda::Permission", text(`[1]`), "InvalidRequestException", nil},
		{"parent given", "AWS::Lambda::Permission", text(`{"FunctionName":"f","Action":"x"}`), "", map[string]string{"FunctionName": "f"}},
		{"two parents", "AWS::ApiGatewayV2::RouteResponse", text(`{"ApiId":"a","RouteId":"r"}`), "", map[string]string{"ApiId": "a", "RouteId": "r"}},
	} {
		got, err := listFilter(c.typ, c.model)
		var e *apierr.Error
		switch {
		case c.code != "" && (!errors.As(err, &e) || e.Code != c.code):
			t.Errorf("%s: error %v, want %s", c.name, err, c.code)
		case c.code == "" && err != nil:
			t.Errorf("%s: %v", c.name, err)
		case c.code == "" && len(got) != len(c.want):
			t.Errorf("%s: filter %v, want %v", c.name, got, c.want)
		}
		for k, v := range c.want {
			if got[k] != v {
				t.Errorf("%s: filter %v, want %v", c.name, got, c.want)
			}
		}
	}
}

func TestMatches(t *testing.T) {
	t.Parallel()
	arn := "arn:aws:lambda:us-east-1:000000000000:function:f"
	for _, c := range []struct {
		model map[string]any
		want  bool
	}{
		{map[string]any{"FunctionName": "f"}, true},
		{map[string]any{"FunctionName": arn}, true},
		{map[string]any{"FunctionName": "g"}, false},
		{map[string]any{}, false},
	} {
		if got := matches(c.model, map[string]string{"FunctionName": "f"}); got != c.want {
			t.Errorf("matches(%v, f) = %v", c.model, got)
		}
	}
	if !matches(map[string]any{"FunctionName": "f"}, map[string]string{"FunctionName": arn}) {
		t.Error("a name does not match its function's ARN")
	}
}
