package e2e_test

import (
	"strings"
	"testing"

	"github.com/virga/virga/internal/e2e"
)

// TestAPIGWv1CLI builds a MOCK API with Debian's aws CLI, the way its
// documentation walks through it, and calls the stage.
func TestAPIGWv1CLI(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	e2e.RequireTool(t, e2e.AWSCLI)

	var api struct{ ID, Name, RootResourceID string }
	var raw map[string]any
	cliJSON(t, env.CLI(t, "apigateway", "create-rest-api", "--name", "from-the-cli"), &raw)
	api.ID, _ = raw["id"].(string)
	api.Name, _ = raw["name"].(string)
	if api.ID == "" || api.Name != "from-the-cli" {
		t.Fatalf("create-rest-api: %v", raw)
	}

	var resources struct {
		Items []struct{ ID, Path, ParentID, PathPart string } `json:"items"`
	}
	cliJSON(t, env.CLI(t, "apigateway", "get-resources", "--rest-api-id", api.ID), &resources)
	if len(resources.Items) != 1 || resources.Items[0].Path != "/" {
		t.Fatalf("get-resources: %+v", resources)
	}
	root := resources.Items[0].ID

	var hello struct{ ID, Path, ParentID, PathPart string }
	cliJSON(t, env.CLI(t, "apigateway", "create-resource", "--rest-api-id", api.ID, "--parent-id", root, "--path-part", "hello"), &hello)
	if hello.Path != "/hello" || hello.ParentID != root || hello.PathPart != "hello" {
		t.Fatalf("create-resource: %+v", hello)
	}
	var method struct {
		HTTPMethod        string `json:"httpMethod"`
		AuthorizationType string `json:"authorizationType"`
		APIKeyRequired    bool   `json:"apiKeyRequired"`
	}
	cliJSON(t, env.CLI(t, "apigateway", "put-method", "--rest-api-id", api.ID, "--resource-id", hello.ID,
		"--http-method", "GET", "--authorization-type", "NONE"), &method)
	if method.HTTPMethod != "GET" || method.AuthorizationType != "NONE" || method.APIKeyRequired {
		t.Fatalf("put-method: %+v", method)
	}
	var integration struct {
		Type                string            `json:"type"`
		PassthroughBehavior string            `json:"passthroughBehavior"`
		TimeoutInMillis     int               `json:"timeoutInMillis"`
		RequestTemplates    map[string]string `json:"requestTemplates"`
	}
	cliJSON(t, env.CLI(t, "apigateway", "put-integration", "--rest-api-id", api.ID, "--resource-id", hello.ID,
		"--http-method", "GET", "--type", "MOCK", "--request-templates", `{"application/json": "{\"statusCode\": 200}"}`), &integration)
	if integration.Type != "MOCK" || integration.PassthroughBehavior != "WHEN_NO_MATCH" || integration.TimeoutInMillis != 29000 ||
		integration.RequestTemplates["application/json"] != `{"statusCode": 200}` {
		t.Fatalf("put-integration: %+v", integration)
	}
	cliJSON(t, env.CLI(t, "apigateway", "put-method-response", "--rest-api-id", api.ID, "--resource-id", hello.ID,
		"--http-method", "GET", "--status-code", "200"), &raw)
	cliJSON(t, env.CLI(t, "apigateway", "put-integration-response", "--rest-api-id", api.ID, "--resource-id", hello.ID,
		"--http-method", "GET", "--status-code", "200", "--response-templates", `{"application/json": "{\"hello\": \"cli\"}"}`), &raw)

	// A template given as "" (the Lambda tutorial's application/json="")
	// passes the body through, and API Gateway answers it as null.
	cliJSON(t, env.CLI(t, "apigateway", "put-method", "--rest-api-id", api.ID, "--resource-id", hello.ID,
		"--http-method", "POST", "--authorization-type", "NONE"), &raw)
	cliJSON(t, env.CLI(t, "apigateway", "put-integration", "--rest-api-id", api.ID, "--resource-id", hello.ID,
		"--http-method", "POST", "--type", "MOCK"), &raw)
	cliJSON(t, env.CLI(t, "apigateway", "put-method-response", "--rest-api-id", api.ID, "--resource-id", hello.ID,
		"--http-method", "POST", "--status-code", "200"), &raw)
	for _, args := range [][]string{
		{"put-integration-response", "--response-templates", `application/json=""`},
		{"get-integration-response"},
	} {
		res := env.CLI(t, append([]string{"apigateway", args[0], "--rest-api-id", api.ID, "--resource-id", hello.ID,
			"--http-method", "POST", "--status-code", "200"}, args[1:]...)...)
		var ir struct {
			ResponseTemplates map[string]*string `json:"responseTemplates"`
		}
		cliJSON(t, res, &ir)
		if tmpl, ok := ir.ResponseTemplates["application/json"]; !ok || tmpl != nil {
			t.Errorf("%s: responseTemplates %s, want application/json null", args[0], res.Stdout)
		}
	}
	var deployment struct {
		ID string `json:"id"`
	}
	cliJSON(t, env.CLI(t, "apigateway", "create-deployment", "--rest-api-id", api.ID, "--stage-name", "dev",
		"--variables", "color=green"), &deployment)
	if deployment.ID == "" {
		t.Fatal("create-deployment: no id")
	}
	var stages struct {
		Item []struct {
			StageName    string            `json:"stageName"`
			DeploymentID string            `json:"deploymentId"`
			Variables    map[string]string `json:"variables"`
		} `json:"item"`
	}
	cliJSON(t, env.CLI(t, "apigateway", "get-stages", "--rest-api-id", api.ID), &stages)
	if len(stages.Item) != 1 || stages.Item[0].StageName != "dev" || stages.Item[0].DeploymentID != deployment.ID ||
		stages.Item[0].Variables["color"] != "green" {
		t.Fatalf("get-stages: %+v", stages)
	}

	apigwv1Call(t, env, api.ID, "GET", "/dev/hello", nil, nil, false).want(t, 200, `{"hello": "cli"}`)
	apigwv1Call(t, env, api.ID, "GET", "/dev/hello", nil, nil, true).want(t, 200, `{"hello": "cli"}`)

	// An error, in the CLI's words.
	res := env.CLI(t, "apigateway", "get-rest-api", "--rest-api-id", "nope")
	if res.ExitCode == 0 || !strings.Contains(res.Stderr, "NotFoundException") || !strings.Contains(res.Stderr, "Invalid API identifier specified 000000000000:nope") {
		t.Errorf("get-rest-api of a missing API: exit %d, %s", res.ExitCode, res.Stderr)
	}
}
