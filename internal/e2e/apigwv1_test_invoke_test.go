package e2e_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	agtypes "github.com/aws/aws-sdk-go-v2/service/apigateway/types"

	"github.com/virga/virga/internal/e2e"
)

// TestAPIGWv1TestInvokeMethod: TestInvokeMethod runs a method of an API
// that was never deployed, with the path's parameters, the query
// string, headers and stage variables the call gives, and answers the
// method's status, body, headers, execution log and latency; an unknown
// resource or method is NotFoundException.
func TestAPIGWv1TestInvokeMethod(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	c := apigateway.NewFromConfig(env.Config)
	api, err := c.CreateRestApi(ctx, &apigateway.CreateRestApiInput{Name: aws.String("tested")})
	if err != nil {
		t.Fatal(err)
	}
	pets, err := c.CreateResource(ctx, &apigateway.CreateResourceInput{RestApiId: api.Id, ParentId: api.RootResourceId, PathPart: aws.String("pets")})
	if err != nil {
		t.Fatal(err)
	}
	pet, err := c.CreateResource(ctx, &apigateway.CreateResourceInput{RestApiId: api.Id, ParentId: pets.Id, PathPart: aws.String("{id}")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutMethod(ctx, &apigateway.PutMethodInput{RestApiId: api.Id, ResourceId: pet.Id, HttpMethod: aws.String("GET"),
		AuthorizationType: aws.String("AWS_IAM"), ApiKeyRequired: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutMethodResponse(ctx, &apigateway.PutMethodResponseInput{RestApiId: api.Id, ResourceId: pet.Id, HttpMethod: aws.String("GET"),
		StatusCode: aws.String("200"), ResponseParameters: map[string]bool{"method.response.header.X-Pet": false}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutIntegration(ctx, &apigateway.PutIntegrationInput{RestApiId: api.Id, ResourceId: pet.Id, HttpMethod: aws.String("GET"),
		Type: agtypes.IntegrationTypeMock, RequestTemplates: map[string]string{"application/json": `{"statusCode": 200}`}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutIntegrationResponse(ctx, &apigateway.PutIntegrationResponseInput{RestApiId: api.Id, ResourceId: pet.Id,
		HttpMethod: aws.String("GET"), StatusCode: aws.String("200"),
		ResponseParameters: map[string]string{"method.response.header.X-Pet": "'yes'"},
		ResponseTemplates: map[string]string{"application/json": `{"id": "$input.params('id')", "q": "$input.params('q')", ` +
			`"h": "$input.params('X-Who')", "color": "$stageVariables.color", "stage": "$context.stage"}`}}); err != nil {
		t.Fatal(err)
	}

	out, err := c.TestInvokeMethod(ctx, &apigateway.TestInvokeMethodInput{RestApiId: api.Id, ResourceId: pet.Id, HttpMethod: aws.String("GET"),
		PathWithQueryString: aws.String("/pets/42?q=cat"), Headers: map[string]string{"X-Who": "me"},
		StageVariables: map[string]string{"color": "green"}})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"id": "42", "q": "cat", "h": "me", "color": "green", "stage": "test-invoke-stage"}`
	if out.Status != 200 || aws.ToString(out.Body) != want {
		t.Errorf("status %d body %s, want 200 %s", out.Status, aws.ToString(out.Body), want)
	}
	if out.Headers["X-Pet"] != "yes" || out.Headers["Content-Type"] != "application/json" ||
		len(out.MultiValueHeaders["X-Pet"]) != 1 || out.Headers["Content-Length"] != "" {
		t.Errorf("headers %v multi %v", out.Headers, out.MultiValueHeaders)
	}
	log := aws.ToString(out.Log)
	for _, line := range []string{"Execution log for request ", " : Starting execution for request: ", " : HTTP Method: GET, Resource Path: /pets/42",
		" : Method request path: {id=42}", " : Method request query string: {q=cat}", " : Successfully completed execution",
		" : Method completed with status: 200"} {
		if !strings.Contains(log, line) {
			t.Errorf("log lacks %q:\n%s", line, log)
		}
	}
	if out.Latency < 0 {
		t.Errorf("latency %d", out.Latency)
	}

	// Without a path, the resource's own path, without parameters.
	out, err = c.TestInvokeMethod(ctx, &apigateway.TestInvokeMethodInput{RestApiId: api.Id, ResourceId: pet.Id, HttpMethod: aws.String("GET")})
	if err != nil || out.Status != 200 || !strings.Contains(aws.ToString(out.Body), `"stage": "test-invoke-stage"`) {
		t.Errorf("no path: %+v %v", out, err)
	}

	_, err = c.TestInvokeMethod(ctx, &apigateway.TestInvokeMethodInput{RestApiId: api.Id, ResourceId: aws.String("nope"), HttpMethod: aws.String("GET")})
	if got := expectAPIError(t, err, "NotFoundException", 404); got.Message != "Invalid Resource identifier specified" {
		t.Errorf("unknown resource: %q", got.Message)
	}
	_, err = c.TestInvokeMethod(ctx, &apigateway.TestInvokeMethodInput{RestApiId: api.Id, ResourceId: pet.Id, HttpMethod: aws.String("POST")})
	if got := expectAPIError(t, err, "NotFoundException", 404); got.Message != "Invalid Method identifier specified" {
		t.Errorf("unknown method: %q", got.Message)
	}
}
