package e2e_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	agtypes "github.com/aws/aws-sdk-go-v2/service/apigateway/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"

	"github.com/virga/virga/internal/e2e"
)

// apiKeyTemplate is the shape of SAM apps that sell an API by key: an
// API whose methods require a key, with a usage plan made for it
// (Auth.UsagePlan PER_API), one open method, and the key's id as an
// output.
const apiKeyTemplate = `AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  ProductsApi:
    Type: AWS::Serverless::Api
    Properties:
      StageName: v1
      Auth:
        ApiKeyRequired: true
        UsagePlan:
          CreateUsagePlan: PER_API
          UsagePlanName: products-plan
          Quota:
            Limit: 1000
            Period: DAY
          Throttle:
            BurstLimit: 20
            RateLimit: 10
  Products:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      InlineCode: |
        import json
        def handler(event, context):
            i = event['requestContext']['identity']
            return {'statusCode': 200, 'body': json.dumps({'apiKey': i.get('apiKey'), 'apiKeyId': i.get('apiKeyId')})}
      Events:
        List:
          Type: Api
          Properties:
            RestApiId: !Ref ProductsApi
            Path: /products
            Method: get
        Health:
          Type: Api
          Properties:
            RestApiId: !Ref ProductsApi
            Path: /health
            Method: get
            Auth:
              ApiKeyRequired: false
Outputs:
  ApiId:
    Value: !Ref ProductsApi
  ApiKeyId:
    Value: !Ref ProductsApiApiKey
  UsagePlanId:
    Value: !Ref ProductsApiUsagePlan
`

// TestAPIGWv1APIKeys deploys an API whose methods require a key with
// aws cloudformation deploy, reads the key with the aws CLI, and calls
// the API: with the key, without it, with a wrong one, once the key is
// disabled and once it has left the plan.
func TestAPIGWv1APIKeys(t *testing.T) {
	t.Parallel()
	e2e.RequireTool(t, e2e.AWSCLI)
	env := e2e.Start(t)
	ctx := context.Background()
	outs := deployWithCLI(t, env, "keyed", apiKeyTemplate)
	apiID, keyID, planID := outs["ApiId"], outs["ApiKeyId"], outs["UsagePlanId"]

	// The aws CLI reads the key, its value only when asked, and the plan.
	var key struct {
		ID        string   `json:"id"`
		Value     string   `json:"value"`
		Enabled   bool     `json:"enabled"`
		StageKeys []string `json:"stageKeys"`
	}
	cliJSON(t, env.CLI(t, "apigateway", "get-api-key", "--api-key", keyID, "--include-value"), &key)
	if key.ID != keyID || len(key.Value) != 40 || !key.Enabled || len(key.StageKeys) != 1 || key.StageKeys[0] != apiID+"/v1" {
		t.Fatalf("get-api-key: %+v", key)
	}
	var keys struct {
		Items []map[string]any `json:"items"`
	}
	cliJSON(t, env.CLI(t, "apigateway", "get-api-keys"), &keys)
	if len(keys.Items) != 1 || keys.Items[0]["value"] != nil {
		t.Errorf("get-api-keys without --include-values: %v", keys.Items)
	}
	var plans struct {
		Items []struct {
			ID        string `json:"id"`
			Name      string `json:"name"`
			APIStages []struct {
				APIID string `json:"apiId"`
				Stage string `json:"stage"`
			} `json:"apiStages"`
			Quota struct {
				Limit  int    `json:"limit"`
				Period string `json:"period"`
			} `json:"quota"`
		} `json:"items"`
	}
	cliJSON(t, env.CLI(t, "apigateway", "get-usage-plans", "--key-id", keyID), &plans)
	if len(plans.Items) != 1 || plans.Items[0].ID != planID || plans.Items[0].Name != "products-plan" ||
		len(plans.Items[0].APIStages) != 1 || plans.Items[0].APIStages[0].APIID != apiID || plans.Items[0].APIStages[0].Stage != "v1" ||
		plans.Items[0].Quota.Limit != 1000 || plans.Items[0].Quota.Period != "DAY" {
		t.Fatalf("get-usage-plans: %+v", plans)
	}

	withKey := map[string]string{"X-Api-Key": key.Value}
	ev := apigwv1Event(t, apigwv1Call(t, env, apiID, "GET", "/v1/products", nil, withKey, false))
	if ev["apiKey"] != key.Value || ev["apiKeyId"] != keyID {
		t.Errorf("the function saw apiKey %v, apiKeyId %v", ev["apiKey"], ev["apiKeyId"])
	}
	apigwv1Event(t, apigwv1Call(t, env, apiID, "GET", "/v1/products", nil, withKey, true))
	forbidden := `{"message":"Forbidden"}`
	apigwv1Call(t, env, apiID, "GET", "/v1/products", nil, nil, false).want(t, 403, forbidden)
	apigwv1Call(t, env, apiID, "GET", "/v1/products", nil, map[string]string{"X-Api-Key": "not-a-key-of-this-account"}, false).want(t, 403, forbidden)
	apigwv1Call(t, env, apiID, "GET", "/v1/health", nil, nil, false).want(t, 200, "")

	// A disabled key, and a key outside every plan, are refused.
	ag := apigateway.NewFromConfig(env.Config)
	patch := func(value string) {
		t.Helper()
		if _, err := ag.UpdateApiKey(ctx, &apigateway.UpdateApiKeyInput{ApiKey: aws.String(keyID), PatchOperations: []agtypes.PatchOperation{
			{Op: "replace", Path: aws.String("/enabled"), Value: aws.String(value)},
		}}); err != nil {
			t.Fatal(err)
		}
	}
	patch("false")
	apigwv1Call(t, env, apiID, "GET", "/v1/products", nil, withKey, false).want(t, 403, forbidden)
	patch("true")
	apigwv1Call(t, env, apiID, "GET", "/v1/products", nil, withKey, false).want(t, 200, "")
	if _, err := ag.DeleteUsagePlanKey(ctx, &apigateway.DeleteUsagePlanKeyInput{UsagePlanId: aws.String(planID), KeyId: aws.String(keyID)}); err != nil {
		t.Fatal(err)
	}
	apigwv1Call(t, env, apiID, "GET", "/v1/products", nil, withKey, false).want(t, 403, forbidden)
	_, err := ag.GetUsagePlanKey(ctx, &apigateway.GetUsagePlanKeyInput{UsagePlanId: aws.String(planID), KeyId: aws.String(keyID)})
	expectAPIError(t, err, "NotFoundException", 404)
	_, err = ag.GetApiKey(ctx, &apigateway.GetApiKeyInput{ApiKey: aws.String("nosuchkey0")})
	if e := expectAPIError(t, err, "NotFoundException", 404); e.Message != "Invalid API Key identifier specified" {
		t.Errorf("GetApiKey of an unknown key: %q", e.Message)
	}

	st, err := cloudformation.NewFromConfig(env.Config).DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String("keyed")})
	if err != nil {
		t.Fatal(err)
	}
	if res := env.CLI(t, "cloudformation", "delete-stack", "--stack-name", "keyed"); res.ExitCode != 0 {
		t.Fatalf("delete-stack: %s", res.Stderr)
	}
	if err := cloudformation.NewStackDeleteCompleteWaiter(cloudformation.NewFromConfig(env.Config)).Wait(ctx,
		&cloudformation.DescribeStacksInput{StackName: st.Stacks[0].StackId}, 60e9); err != nil {
		t.Fatal(err)
	}
	if out, err := ag.GetApiKeys(ctx, &apigateway.GetApiKeysInput{}); err != nil || len(out.Items) != 0 {
		t.Errorf("keys after the stack's deletion: %v %v", out, err)
	}
}
