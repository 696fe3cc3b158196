package e2e_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/virga/virga/internal/e2e"
)

// A weighted alias splits invocations between its primary version and
// the additional one in proportion to the weight, and an invocation that
// lands on a version with provisioned concurrency runs in that version's
// provisioned environments (the alias itself cannot be configured).
func TestLambdaWeightedAliasSplitsAndUsesProvisioned(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	c := lambdaClient(t, env)
	ctx := context.Background()
	createGoFunction(t, c, "wa", goFunctionZip(t, "bootstrap"))
	for _, desc := range []string{"one", "two"} {
		if _, err := c.UpdateFunctionConfiguration(ctx, &lambda.UpdateFunctionConfigurationInput{FunctionName: aws.String("wa"), Description: aws.String(desc)}); err != nil {
			t.Fatal(err)
		}
		if err := lambda.NewFunctionUpdatedV2Waiter(c).Wait(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("wa")}, 10*time.Second); err != nil {
			t.Fatal(err)
		}
		if _, err := c.PublishVersion(ctx, &lambda.PublishVersionInput{FunctionName: aws.String("wa")}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.CreateAlias(ctx, &lambda.CreateAliasInput{FunctionName: aws.String("wa"), Name: aws.String("canary"), FunctionVersion: aws.String("1"),
		RoutingConfig: &lambdatypes.AliasRoutingConfiguration{AdditionalVersionWeights: map[string]float64{"2": 0.25}}}); err != nil {
		t.Fatal(err)
	}
	_, err := c.PutProvisionedConcurrencyConfig(ctx, &lambda.PutProvisionedConcurrencyConfigInput{
		FunctionName: aws.String("wa"), Qualifier: aws.String("canary"), ProvisionedConcurrentExecutions: aws.Int32(1)})
	if e := expectAPIError(t, err, "InvalidParameterValueException", 400); e.Message != "Alias with weights can not be used with Provisioned Concurrency" {
		t.Errorf("weighted alias: %q", e.Message)
	}
	if _, err := c.PutProvisionedConcurrencyConfig(ctx, &lambda.PutProvisionedConcurrencyConfigInput{
		FunctionName: aws.String("wa"), Qualifier: aws.String("2"), ProvisionedConcurrentExecutions: aws.Int32(1)}); err != nil {
		t.Fatal(err)
	}
	waitProvisionedReady(t, c, "wa", "2")

	const n = 200
	counts := map[string]int{}
	for range n {
		typ, version, _ := initTypeOf(t, c, "wa:canary")
		counts[version]++
		want := map[string]string{"1": "on-demand", "2": "provisioned-concurrency"}[version]
		if typ != want {
			t.Fatalf("version %s ran in a %q environment, want %q", version, typ, want)
		}
	}
	// 25% of 200 is 50; a fair split stays well within 20..80.
	if counts["1"]+counts["2"] != n || counts["2"] < 20 || counts["2"] > 80 {
		t.Errorf("split %v, want about 150/50", counts)
	}
}
