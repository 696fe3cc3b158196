package e2e_test

import (
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"

	"github.com/virga/virga/internal/e2e"
)

// modelStack is a REST API whose POST /pets a Lambda function serves,
// with a model that requires a name and a validator that checks bodies
// against it: AWS::ApiGateway::Model and RequestValidator written by
// hand, the schema as an object.
const modelStack = `Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: {Service: lambda.amazonaws.com}
            Action: sts:AssumeRole
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      Role: !GetAtt Role.Arn
      Code:
        ZipFile: |
          import json
          def handler(event, context):
              return {"statusCode": 200, "body": json.dumps({"got": json.loads(event["body"])})}
  Api:
    Type: AWS::ApiGateway::RestApi
    Properties:
      Name: pets
  Pets:
    Type: AWS::ApiGateway::Resource
    Properties:
      RestApiId: !Ref Api
      ParentId: !GetAtt Api.RootResourceId
      PathPart: pets
  PetModel:
    Type: AWS::ApiGateway::Model
    Properties:
      RestApiId: !Ref Api
      Name: Pet
      ContentType: application/json
      Description: a pet
      Schema:
        $schema: http://json-schema.org/draft-04/schema#
        title: Pet
        type: object
        required: [name]
        properties:
          name: {type: string}
  BodyValidator:
    Type: AWS::ApiGateway::RequestValidator
    Properties:
      RestApiId: !Ref Api
      Name: body-only
      ValidateRequestBody: true
      ValidateRequestParameters: false
  Post:
    Type: AWS::ApiGateway::Method
    Properties:
      RestApiId: !Ref Api
      ResourceId: !Ref Pets
      HttpMethod: POST
      AuthorizationType: NONE
      RequestModels:
        application/json: !Ref PetModel
      RequestValidatorId: !Ref BodyValidator
      Integration:
        Type: AWS_PROXY
        IntegrationHttpMethod: POST
        Uri: !Sub "arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Fn.Arn}/invocations"
  Permission:
    Type: AWS::Lambda::Permission
    Properties:
      FunctionName: !Ref Fn
      Action: lambda:InvokeFunction
      Principal: apigateway.amazonaws.com
  Deployment:
    Type: AWS::ApiGateway::Deployment
    DependsOn: Post
    Properties:
      RestApiId: !Ref Api
      StageName: prod
Outputs:
  ApiId:
    Value: !Ref Api
  Model:
    Value: !Ref PetModel
  Validator:
    Value: !Ref BodyValidator
  ValidatorId:
    Value: !GetAtt BodyValidator.RequestValidatorId
`

// cdkModelStack is what the CDK synthesizes for api.addModel and
// api.addRequestValidator without names: CloudFormation names the model,
// whose schema is JSON text here, and the method refers to both by Ref.
const cdkModelStack = `{
  "Resources": {
    "Api49610EDF": {"Type": "AWS::ApiGateway::RestApi", "Properties": {"Name": "Api"}},
    "ApiOrderModelB2D1E0F3": {"Type": "AWS::ApiGateway::Model", "Properties": {
      "RestApiId": {"Ref": "Api49610EDF"}, "ContentType": "application/json",
      "Schema": "SCHEMA"}},
    "ApiValidator2B31A8A5": {"Type": "AWS::ApiGateway::RequestValidator", "Properties": {
      "RestApiId": {"Ref": "Api49610EDF"}, "ValidateRequestBody": true, "ValidateRequestParameters": true}},
    "ApiPOST1A2B3C4D": {"Type": "AWS::ApiGateway::Method", "Properties": {
      "RestApiId": {"Ref": "Api49610EDF"}, "ResourceId": {"Fn::GetAtt": ["Api49610EDF", "RootResourceId"]},
      "HttpMethod": "POST", "AuthorizationType": "NONE",
      "RequestModels": {"application/json": {"Ref": "ApiOrderModelB2D1E0F3"}},
      "RequestParameters": {"method.request.querystring.shop": true},
      "RequestValidatorId": {"Ref": "ApiValidator2B31A8A5"},
      "Integration": {"Type": "MOCK", "RequestTemplates": {"application/json": "{\"statusCode\": 200}"},
        "IntegrationResponses": [{"StatusCode": "200", "ResponseTemplates": {"application/json": "{\"ordered\": true}"}}]},
      "MethodResponses": [{"StatusCode": "200"}]}},
    "ApiDeploymentB17BE62D": {"Type": "AWS::ApiGateway::Deployment", "DependsOn": ["ApiPOST1A2B3C4D", "ApiOrderModelB2D1E0F3", "ApiValidator2B31A8A5"],
      "Properties": {"RestApiId": {"Ref": "Api49610EDF"}}},
    "ApiDeploymentStageprod896C8101": {"Type": "AWS::ApiGateway::Stage", "Properties": {
      "RestApiId": {"Ref": "Api49610EDF"}, "DeploymentId": {"Ref": "ApiDeploymentB17BE62D"}, "StageName": "prod"}}
  },
  "Outputs": {"ApiId": {"Value": {"Ref": "Api49610EDF"}}, "Model": {"Value": {"Ref": "ApiOrderModelB2D1E0F3"}}}
}`

// TestAPIGWv1ModelStack deploys the hand-written stack: a body the model
// refuses is API Gateway's 400, a valid one reaches the function.
func TestAPIGWv1ModelStack(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	cf := cloudformation.NewFromConfig(env.Config)
	if _, err := cf.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("pets"), TemplateBody: aws.String(modelStack),
		Capabilities: []cftypes.Capability{cftypes.CapabilityCapabilityIam}}); err != nil {
		t.Fatal(err)
	}
	outs := createdStackOutputs(t, cf, "pets")
	if outs["Model"] != "Pet" || outs["Validator"] == "" || outs["Validator"] != outs["ValidatorId"] {
		t.Fatalf("outputs %v", outs)
	}
	gw := apigateway.NewFromConfig(env.Config)
	v, err := gw.GetRequestValidator(ctx, &apigateway.GetRequestValidatorInput{RestApiId: aws.String(outs["ApiId"]), RequestValidatorId: aws.String(outs["Validator"])})
	if err != nil || aws.ToString(v.Name) != "body-only" || !v.ValidateRequestBody || v.ValidateRequestParameters {
		t.Fatalf("GetRequestValidator: %v %v", v, err)
	}
	jsonType := map[string]string{"Content-Type": "application/json"}
	apigwv1Call(t, env, outs["ApiId"], "POST", "/prod/pets", []byte(`{"age": 3}`), jsonType, true).want(t, 400, `{"message": "Invalid request body"}`)
	apigwv1Call(t, env, outs["ApiId"], "POST", "/prod/pets", []byte(`{"name": "Rex"}`), jsonType, true).want(t, 200, `{"got": {"name": "Rex"}}`)
}

// TestAPIGWv1CDKModelStack deploys the CDK's form, then updates the
// model's schema in place: the model keeps its generated name, and the
// next deployment validates with the new schema.
func TestAPIGWv1CDKModelStack(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	cf := cloudformation.NewFromConfig(env.Config)
	template := func(schema string) string {
		quoted, _ := json.Marshal(schema)
		return strings.Replace(cdkModelStack, `"SCHEMA"`, string(quoted), 1)
	}
	deployStack(t, cf, "orders", template(`{"type": "object", "required": ["item"]}`), false)
	outs := createdStackOutputs(t, cf, "orders")
	apiID, name := outs["ApiId"], outs["Model"]
	if !regexp.MustCompile(`^[A-Za-z0-9]+$`).MatchString(name) || !strings.Contains(name, "ApiOrderModel") {
		t.Fatalf("generated model name %q", name)
	}
	post := func(query, body string) apigwv1Response {
		return apigwv1Call(t, env, apiID, "POST", "/prod"+query, []byte(body), map[string]string{"Content-Type": "application/json"}, true)
	}
	post("?shop=1", `{"item": "tea"}`).want(t, 200, `{"ordered": true}`)
	post("?shop=1", `{"count": 2}`).want(t, 400, `{"message": "Invalid request body"}`)
	post("", `{"item": "tea"}`).want(t, 400, `{"message": "Missing required request parameters: [shop]"}`)

	// A new schema changes the model in place; the CDK's deployment
	// changes with it, so the stage serves the new one.
	updated := strings.ReplaceAll(template(`{"type": "object", "required": ["item", "count"]}`), "ApiDeploymentB17BE62D", "ApiDeployment5C9E2A01")
	deployStack(t, cf, "orders", updated, true)
	gw := apigateway.NewFromConfig(env.Config)
	m, err := gw.GetModel(ctx, &apigateway.GetModelInput{RestApiId: aws.String(apiID), ModelName: aws.String(name)})
	if err != nil || aws.ToString(m.Schema) != `{"type": "object", "required": ["item", "count"]}` {
		t.Fatalf("GetModel after the update: %v %v", m, err)
	}
	post("?shop=1", `{"item": "tea"}`).want(t, 400, `{"message": "Invalid request body"}`)
	post("?shop=1", `{"item": "tea", "count": 2}`).want(t, 200, `{"ordered": true}`)
}
