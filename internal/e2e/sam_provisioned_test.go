package e2e_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/virga/virga/internal/e2e"
)

// samProvisioned is a SAM function published to an alias with
// provisioned concurrency; RELEASE changes the code between deploys.
const samProvisioned = `Transform: AWS::Serverless-2016-10-31
Resources:
  Warm:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      AutoPublishAlias: live
      ProvisionedConcurrencyConfig:
        ProvisionedConcurrentExecutions: 2
      InlineCode: |
        import os
        RELEASE = "RELEASE"
        def handler(event, context):
            return {"init": os.environ.get("AWS_LAMBDA_INITIALIZATION_TYPE"), "release": RELEASE}
Outputs:
  Function:
    Value: !Ref Warm
`

// TestSAMProvisionedConcurrency deploys, with the aws CLI, a SAM function
// whose AutoPublishAlias has a ProvisionedConcurrencyConfig: the stack
// completes once the configuration is READY, an invocation of the alias
// runs in an environment initialized ahead of it (its
// AWS_LAMBDA_INITIALIZATION_TYPE is provisioned-concurrency) while
// $LATEST starts on demand, and a redeploy with new code moves the alias
// and its provisioned environments to the new version.
func TestSAMProvisionedConcurrency(t *testing.T) {
	t.Parallel()
	e2e.RequireTool(t, e2e.AWSCLI)
	env := e2e.Start(t)
	c := lambda.NewFromConfig(env.Config)
	ctx := context.Background()
	invoke := func(name string) (init, release, version string) {
		t.Helper()
		out := invokeJSON(t, c, name, map[string]any{})
		var got struct{ Init, Release string }
		if err := json.Unmarshal(out.Payload, &got); err != nil || out.FunctionError != nil {
			t.Fatalf("invoke %s: %v %s", name, err, out.Payload)
		}
		return got.Init, got.Release, aws.ToString(out.ExecutedVersion)
	}
	var fn string
	for i, release := range []string{"one", "two"} {
		if i > 0 {
			awaitNextSecond()
		}
		outs := deployWithCLI(t, env, "warm", strings.Replace(samProvisioned, `"RELEASE"`, `"`+release+`"`, 1))
		fn = outs["Function"]
		want := []string{"1", "2"}[i]
		cfg, err := c.GetProvisionedConcurrencyConfig(ctx, &lambda.GetProvisionedConcurrencyConfigInput{FunctionName: aws.String(fn), Qualifier: aws.String("live")})
		if err != nil || cfg.Status != lambdatypes.ProvisionedConcurrencyStatusEnumReady || aws.ToInt32(cfg.AllocatedProvisionedConcurrentExecutions) != 2 {
			t.Fatalf("deploy %d: the alias's configuration: %+v %v", i+1, cfg, err)
		}
		if init, got, v := invoke(fn + ":live"); init != "provisioned-concurrency" || got != release || v != want {
			t.Errorf("deploy %d: live ran version %s (%s) in a %q environment, want version %s (%s), provisioned-concurrency", i+1, v, got, init, want, release)
		}
		if init, _, v := invoke(fn); init != "on-demand" || v != "$LATEST" {
			t.Errorf("deploy %d: $LATEST ran version %s in a %q environment, want on-demand", i+1, v, init)
		}
	}
	// The alias's is the function's one configuration.
	list, err := c.ListProvisionedConcurrencyConfigs(ctx, &lambda.ListProvisionedConcurrencyConfigsInput{FunctionName: aws.String(fn)})
	if err != nil || len(list.ProvisionedConcurrencyConfigs) != 1 || !strings.HasSuffix(aws.ToString(list.ProvisionedConcurrencyConfigs[0].FunctionArn), ":live") {
		t.Errorf("configurations: %+v %v", list, err)
	}
}
