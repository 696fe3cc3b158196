package e2e_test

import (
	"testing"

	"github.com/virga/virga/internal/e2e"
)

// validationTemplate is the shape of SAM apps that let API Gateway
// check requests before the function runs: a model in the API's Models
// that an Api event's RequestModel validates bodies against, and a
// query string parameter another event requires.
const validationTemplate = `AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Timeout: 3
Resources:
  MainApi:
    Type: AWS::Serverless::Api
    Properties:
      StageName: Prod
      Models:
        Vehicle:
          type: object
          required: [make, model, year]
          properties:
            make:
              type: string
            model:
              type: string
            year:
              type: integer
              minimum: 2010
            color:
              type: string
              enum: [green, red, blue]
  Process:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      InlineCode: |
        import json
        def handler(event, context):
            return {'statusCode': 200, 'body': json.dumps({'message': 'valid', 'data': json.loads(event['body'] or 'null'),
                                                           'query': event['queryStringParameters']})}
      Events:
        Create:
          Type: Api
          Properties:
            RestApiId: !Ref MainApi
            Path: /vehicle
            Method: post
            RequestModel:
              Model: Vehicle
              Required: true
              ValidateBody: true
        Search:
          Type: Api
          Properties:
            RestApiId: !Ref MainApi
            Path: /vehicle
            Method: get
            RequestModel:
              Model: Vehicle
              ValidateParameters: true
            RequestParameters:
              - method.request.querystring.make:
                  Required: true
              - method.request.querystring.page
Outputs:
  ApiId:
    Value: !Ref MainApi
`

// TestAPIGWv1RequestValidation deploys the API with virga's aws CLI and
// sends it valid and invalid requests: the function sees only the valid
// ones, the others get API Gateway's 400s.
func TestAPIGWv1RequestValidation(t *testing.T) {
	t.Parallel()
	e2e.RequireTool(t, e2e.AWSCLI)
	env := e2e.Start(t)
	apiID := deployWithCLI(t, env, "validated", validationTemplate)["ApiId"]
	jsonType := map[string]string{"Content-Type": "application/json"}
	post := func(body string, header map[string]string) apigwv1Response {
		return apigwv1Call(t, env, apiID, "POST", "/Prod/vehicle", []byte(body), header, false)
	}
	post(`{"make": "MINI", "model": "Countryman", "year": 2020}`, jsonType).want(t, 200,
		`{"message": "valid", "data": {"make": "MINI", "model": "Countryman", "year": 2020}, "query": null}`)
	invalid := `{"message": "Invalid request body"}`
	for _, body := range []string{
		`{"make": "MINI", "model": "Countryman", "year": 2009}`,
		`{"make": "MINI", "model": "Countryman"}`,
		`{"make": "MINI", "model": "Countryman", "year": 2020, "color": "pink"}`,
		`not json`,
		``,
	} {
		r := post(body, jsonType)
		r.want(t, 400, invalid)
		if r.Header.Get("X-Amzn-Errortype") != "BadRequestException" {
			t.Errorf("%s: headers %v", body, r.Header)
		}
	}
	// Only the content type the model is for is validated.
	post(`{"year": 1999}`, map[string]string{"Content-Type": "text/plain"}).want(t, 200, "")

	get := func(query string) apigwv1Response {
		return apigwv1Call(t, env, apiID, "GET", "/Prod/vehicle"+query, nil, nil, true)
	}
	get("?make=MINI").want(t, 200, `{"message": "valid", "data": null, "query": {"make": "MINI"}}`)
	get("").want(t, 400, `{"message": "Missing required request parameters: [make]"}`)
	get("?make=&page=2").want(t, 400, `{"message": "Missing required request parameters: [make]"}`)

	// The aws CLI reads the model and the validators SAM made.
	var models struct {
		Items []struct {
			Name        string `json:"name"`
			ContentType string `json:"contentType"`
			Schema      string `json:"schema"`
		} `json:"items"`
	}
	cliJSON(t, env.CLI(t, "apigateway", "get-models", "--rest-api-id", apiID), &models)
	if len(models.Items) != 1 || models.Items[0].Name != "vehicle" || models.Items[0].ContentType != "application/json" {
		t.Errorf("get-models: %+v", models)
	}
	var validators struct {
		Items []struct {
			Name                      string `json:"name"`
			ValidateRequestBody       bool   `json:"validateRequestBody"`
			ValidateRequestParameters bool   `json:"validateRequestParameters"`
		} `json:"items"`
	}
	cliJSON(t, env.CLI(t, "apigateway", "get-request-validators", "--rest-api-id", apiID), &validators)
	names := map[string][2]bool{}
	for _, v := range validators.Items {
		names[v.Name] = [2]bool{v.ValidateRequestBody, v.ValidateRequestParameters}
	}
	if len(names) != 2 || names["body-only"] != [2]bool{true, false} || names["params-only"] != [2]bool{false, true} {
		t.Errorf("get-request-validators: %+v", validators)
	}
}
