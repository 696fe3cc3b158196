package app_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/virga/virga/internal/app"
	"github.com/virga/virga/internal/awsproto"
	"github.com/virga/virga/internal/awsproto/apierr"
	"github.com/virga/virga/internal/config"
)

// TestInProcessCalls runs operations of three protocols in Go through
// Service.Call, with members bound to the body and to the URI.
func TestInProcessCalls(t *testing.T) {
	t.Parallel()
	c := config.Default()
	c.InMemory = true
	c.Listen = "127.0.0.1:0"
	a, err := app.New(c, app.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Shutdown(context.Background())
	ctx := context.Background()
	opts := awsproto.CallOptions{Host: "127.0.0.1:4566"}

	ddb := a.Service("dynamodb")
	out, err := ddb.Call(ctx, opts, "CreateTable", map[string]any{
		"TableName":            "things",
		"AttributeDefinitions": []any{map[string]any{"AttributeName": "pk", "AttributeType": "S"}},
		"KeySchema":            []any{map[string]any{"AttributeName": "pk", "KeyType": "HASH"}},
		"BillingMode":          "PAY_PER_REQUEST",
	})
	if err != nil {
		t.Fatal(err)
	}
	desc := out["TableDescription"].(map[string]any)
	if desc["TableArn"] != "arn:aws:dynamodb:us-east-1:000000000000:table/things" {
		t.Errorf("CreateTable: %v", out)
	}
	_, err = ddb.Call(ctx, opts, "CreateTable", map[string]any{"TableName": "x"})
	if e := apierr.As(err); e == nil || e.Code != "ValidationException" {
		t.Errorf("an invalid CreateTable: %v", err)
	}

	q, err := a.Service("sqs").Call(ctx, opts, "CreateQueue", map[string]any{"QueueName": "q", "Attributes": map[string]any{"VisibilityTimeout": "60"}})
	if err != nil || q["QueueUrl"] != "http://127.0.0.1:4566/000000000000/q" {
		t.Errorf("CreateQueue: %v %v", q, err)
	}

	lam := a.Service("lambda")
	_, err = lam.Call(ctx, opts, "GetFunctionConfiguration", map[string]any{"FunctionName": "nope"})
	if e := apierr.As(err); e == nil || e.Code != "ResourceNotFoundException" || !strings.Contains(e.Message, "nope") {
		t.Errorf("a URI-bound member: %v", err)
	}
	if _, err := lam.Call(ctx, opts, "NoSuchOperation", nil); err == nil {
		t.Error("an unknown operation was run")
	}
	b, _ := json.Marshal(out)
	if !strings.Contains(string(b), `"TableStatus"`) {
		t.Errorf("output document: %s", b)
	}
}

// TestInProcessBoundMembers passes a list bound to the query string and
// reads members bound to the payload and headers.
func TestInProcessBoundMembers(t *testing.T) {
	t.Parallel()
	c := config.Default()
	c.InMemory = true
	c.Listen = "127.0.0.1:0"
	a, err := app.New(c, app.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Shutdown(context.Background())
	ctx := context.Background()
	opts := awsproto.CallOptions{Host: "127.0.0.1:4566"}
	lam := a.Service("lambda")
	_, err = lam.Call(ctx, opts, "UntagResource", map[string]any{
		"Resource": "arn:aws:lambda:us-east-1:000000000000:function:nope", "TagKeys": []any{"a", "b"}})
	if e := apierr.As(err); e == nil || e.Code != "ResourceNotFoundException" {
		t.Errorf("a query-bound list: %v", err)
	}
	_, err = lam.Call(ctx, opts, "Invoke", map[string]any{"FunctionName": "nope", "InvocationType": "DryRun"})
	if e := apierr.As(err); e == nil || e.Code != "ResourceNotFoundException" {
		t.Errorf("Invoke of a missing function: %v", err)
	}
}
