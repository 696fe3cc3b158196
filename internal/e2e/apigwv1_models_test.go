package e2e_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	agtypes "github.com/aws/aws-sdk-go-v2/service/apigateway/types"

	"github.com/virga/virga/internal/e2e"
)

// petSchema is a model that requires a name.
const petSchema = `{"$schema": "http://json-schema.org/draft-04/schema#", "title": "Pet", "type": "object",
  "required": ["name"], "properties": {"name": {"type": "string"}, "age": {"type": "integer", "minimum": 0}}}`

// TestAPIGWv1ModelsAndValidators builds an API's models and request
// validators with their own operations, as the console and the aws CLI
// do, and checks that a deployed POST method naming them validates
// bodies, and that later changes reach the next deployment.
func TestAPIGWv1ModelsAndValidators(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	c := apigateway.NewFromConfig(env.Config)
	api, err := c.CreateRestApi(ctx, &apigateway.CreateRestApiInput{Name: aws.String("pets")})
	if err != nil {
		t.Fatal(err)
	}

	// A new API has AWS's two default models.
	models, err := c.GetModels(ctx, &apigateway.GetModelsInput{RestApiId: api.Id})
	if err != nil {
		t.Fatal(err)
	}
	if len(models.Items) != 2 || aws.ToString(models.Items[0].Name) != "Empty" || aws.ToString(models.Items[1].Name) != "Error" ||
		aws.ToString(models.Items[0].Description) != "This is a default empty schema model" || aws.ToString(models.Items[1].ContentType) != "application/json" {
		t.Fatalf("GetModels on a new API: %s", apigwv1JSON(models.Items))
	}
	tpl, err := c.GetModelTemplate(ctx, &apigateway.GetModelTemplateInput{RestApiId: api.Id, ModelName: aws.String("Empty")})
	if err != nil || aws.ToString(tpl.Value) != "#set($inputRoot = $input.path('$'))\n{ }" {
		t.Fatalf("GetModelTemplate Empty: %v %v", tpl, err)
	}

	// CreateModel checks the name and the schema.
	for _, bad := range []struct{ name, schema, msg string }{
		{"pet-model", petSchema, "Model name must be alphanumeric: pet-model"},
		{"Pet", `{"type": "object", "required": []}`, "Invalid model specified: Validation Result: warnings : [], errors : [Invalid model schema specified]"},
		{"Pet", `{"type": "thing"}`, "Invalid model specified: Validation Result: warnings : [], errors : [Invalid model schema specified]"},
		{"Pet", `not json`, "Invalid model specified: Validation Result: warnings : [], errors : [Invalid model schema specified]"},
	} {
		_, err := c.CreateModel(ctx, &apigateway.CreateModelInput{RestApiId: api.Id, Name: aws.String(bad.name),
			ContentType: aws.String("application/json"), Schema: aws.String(bad.schema)})
		if got := expectAPIError(t, err, "BadRequestException", 400); got.Message != bad.msg {
			t.Errorf("CreateModel %s %s: %q", bad.name, bad.schema, got.Message)
		}
	}
	pet, err := c.CreateModel(ctx, &apigateway.CreateModelInput{RestApiId: api.Id, Name: aws.String("Pet"),
		ContentType: aws.String("application/json"), Schema: aws.String(petSchema), Description: aws.String("a pet")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(pet.Id) == "" || aws.ToString(pet.Schema) != petSchema || aws.ToString(pet.Description) != "a pet" {
		t.Fatalf("CreateModel: %s", apigwv1JSON(pet))
	}
	_, err = c.CreateModel(ctx, &apigateway.CreateModelInput{RestApiId: api.Id, Name: aws.String("Pet"),
		ContentType: aws.String("application/json"), Schema: aws.String(petSchema)})
	if got := expectAPIError(t, err, "ConflictException", 409); got.Message != "Model name already exists for this REST API" {
		t.Errorf("CreateModel twice: %q", got.Message)
	}
	tpl, err = c.GetModelTemplate(ctx, &apigateway.GetModelTemplateInput{RestApiId: api.Id, ModelName: aws.String("Pet")})
	if want := "#set($inputRoot = $input.path('$'))\n{\n  \"age\" : $inputRoot.age,\n  \"name\" : \"$inputRoot.name\"\n}"; err != nil || aws.ToString(tpl.Value) != want {
		t.Fatalf("GetModelTemplate Pet: %q %v; want %q", aws.ToString(tpl.Value), err, want)
	}

	v, err := c.CreateRequestValidator(ctx, &apigateway.CreateRequestValidatorInput{RestApiId: api.Id, Name: aws.String("body"),
		ValidateRequestBody: true})
	if err != nil {
		t.Fatal(err)
	}
	if !v.ValidateRequestBody || v.ValidateRequestParameters || aws.ToString(v.Name) != "body" {
		t.Fatalf("CreateRequestValidator: %s", apigwv1JSON(v))
	}
	_, err = c.CreateRequestValidator(ctx, &apigateway.CreateRequestValidatorInput{RestApiId: api.Id, Name: aws.String("body")})
	expectAPIError(t, err, "ConflictException", 409)

	post := aws.String("POST")
	if _, err := c.PutMethod(ctx, &apigateway.PutMethodInput{RestApiId: api.Id, ResourceId: api.RootResourceId, HttpMethod: post,
		AuthorizationType: aws.String("NONE"), RequestModels: map[string]string{"application/json": "Pet"}, RequestValidatorId: v.Id}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutIntegration(ctx, &apigateway.PutIntegrationInput{RestApiId: api.Id, ResourceId: api.RootResourceId, HttpMethod: post,
		Type: agtypes.IntegrationTypeMock, RequestTemplates: map[string]string{"application/json": `{"statusCode": 200}`}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutMethodResponse(ctx, &apigateway.PutMethodResponseInput{RestApiId: api.Id, ResourceId: api.RootResourceId, HttpMethod: post, StatusCode: aws.String("200")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutIntegrationResponse(ctx, &apigateway.PutIntegrationResponseInput{RestApiId: api.Id, ResourceId: api.RootResourceId, HttpMethod: post,
		StatusCode: aws.String("200"), ResponseTemplates: map[string]string{"application/json": `{"saved": true}`}}); err != nil {
		t.Fatal(err)
	}
	deploy := func() {
		t.Helper()
		if _, err := c.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: api.Id, StageName: aws.String("prod")}); err != nil {
			t.Fatal(err)
		}
	}
	deploy()
	send := func(body string) apigwv1Response {
		return apigwv1Call(t, env, *api.Id, "POST", "/prod", []byte(body), map[string]string{"Content-Type": "application/json"}, true)
	}
	send(`{"name": "Rex", "age": 3}`).want(t, 200, `{"saved": true}`)
	send(`{"age": 3}`).want(t, 400, `{"message": "Invalid request body"}`)

	// A model a method names cannot be deleted.
	_, err = c.DeleteModel(ctx, &apigateway.DeleteModelInput{RestApiId: api.Id, ModelName: aws.String("Pet")})
	if got := expectAPIError(t, err, "ConflictException", 409); got.Message != "Cannot delete model 'Pet', is referenced in method request: /POST" {
		t.Errorf("DeleteModel in use: %q", got.Message)
	}

	// Changes reach the next deployment: the schema now requires an age,
	// then the validator stops checking bodies.
	up, err := c.UpdateModel(ctx, &apigateway.UpdateModelInput{RestApiId: api.Id, ModelName: aws.String("Pet"), PatchOperations: []agtypes.PatchOperation{
		{Op: agtypes.OpReplace, Path: aws.String("/schema"), Value: aws.String(`{"type": "object", "required": ["name", "age"]}`)},
		{Op: agtypes.OpReplace, Path: aws.String("/description"), Value: aws.String("an older pet")}}})
	if err != nil || aws.ToString(up.Description) != "an older pet" {
		t.Fatalf("UpdateModel: %v %v", up, err)
	}
	_, err = c.UpdateModel(ctx, &apigateway.UpdateModelInput{RestApiId: api.Id, ModelName: aws.String("Pet"), PatchOperations: []agtypes.PatchOperation{
		{Op: agtypes.OpReplace, Path: aws.String("/schema"), Value: aws.String(`{"required": "name"}`)}}})
	expectAPIError(t, err, "BadRequestException", 400)
	send(`{"name": "Rex"}`).want(t, 200, `{"saved": true}`)
	deploy()
	send(`{"name": "Rex"}`).want(t, 400, `{"message": "Invalid request body"}`)
	uv, err := c.UpdateRequestValidator(ctx, &apigateway.UpdateRequestValidatorInput{RestApiId: api.Id, RequestValidatorId: v.Id,
		PatchOperations: []agtypes.PatchOperation{{Op: agtypes.OpReplace, Path: aws.String("/validateRequestBody"), Value: aws.String("false")}}})
	if err != nil || uv.ValidateRequestBody {
		t.Fatalf("UpdateRequestValidator: %v %v", uv, err)
	}
	deploy()
	send(`{"name": "Rex"}`).want(t, 200, `{"saved": true}`)

	if _, err := c.DeleteRequestValidator(ctx, &apigateway.DeleteRequestValidatorInput{RestApiId: api.Id, RequestValidatorId: v.Id}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetRequestValidator(ctx, &apigateway.GetRequestValidatorInput{RestApiId: api.Id, RequestValidatorId: v.Id})
	expectAPIError(t, err, "NotFoundException", 404)
	if _, err := c.DeleteMethod(ctx, &apigateway.DeleteMethodInput{RestApiId: api.Id, ResourceId: api.RootResourceId, HttpMethod: post}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteModel(ctx, &apigateway.DeleteModelInput{RestApiId: api.Id, ModelName: aws.String("Pet")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetModel(ctx, &apigateway.GetModelInput{RestApiId: api.Id, ModelName: aws.String("Pet")})
	expectAPIError(t, err, "NotFoundException", 404)
}

// TestAPIGWv1ModelsCLI runs the aws CLI's examples of the model and
// request validator commands.
func TestAPIGWv1ModelsCLI(t *testing.T) {
	t.Parallel()
	e2e.RequireTool(t, e2e.AWSCLI)
	env := e2e.Start(t)
	var api struct{ ID string }
	cliJSON(t, env.CLI(t, "apigateway", "create-rest-api", "--name", "cli"), &api)
	var m struct{ ID, Name, Description, ContentType, Schema string }
	schema := `{ "$schema": "http://json-schema.org/draft-04/schema#", "title": "firstModel", "type": "object", "properties": { "firstProperty" : { "type": "object", "properties": { "key": { "type": "string" } } } } }`
	cliJSON(t, env.CLI(t, "apigateway", "create-model", "--rest-api-id", api.ID, "--name", "firstModel", "--description", "The First Model",
		"--content-type", "application/json", "--schema", schema), &m)
	if m.Name != "firstModel" || m.Schema != schema || m.ContentType != "application/json" || len(m.ID) != 6 {
		t.Fatalf("create-model: %+v", m)
	}
	var tpl struct{ Value string }
	cliJSON(t, env.CLI(t, "apigateway", "get-model-template", "--rest-api-id", api.ID, "--model-name", "Empty"), &tpl)
	if tpl.Value != "#set($inputRoot = $input.path('$'))\n{ }" {
		t.Errorf("get-model-template Empty: %q", tpl.Value)
	}
	cliJSON(t, env.CLI(t, "apigateway", "update-model", "--rest-api-id", api.ID, "--model-name", "Empty",
		"--patch-operations", "op=replace,path=/description,value='New Description'"), &m)
	if m.Description != "New Description" {
		t.Errorf("update-model: %+v", m)
	}
	var v struct {
		ID                        string
		Name                      string
		ValidateRequestBody       bool
		ValidateRequestParameters bool
	}
	cliJSON(t, env.CLI(t, "apigateway", "create-request-validator", "--rest-api-id", api.ID, "--name", "params",
		"--validate-request-parameters"), &v)
	if v.ID == "" || v.Name != "params" || v.ValidateRequestBody || !v.ValidateRequestParameters {
		t.Errorf("create-request-validator: %+v", v)
	}
	if res := env.CLI(t, "apigateway", "delete-model", "--rest-api-id", api.ID, "--model-name", "firstModel"); res.ExitCode != 0 {
		t.Errorf("delete-model: %s", res.Stderr)
	}
}
