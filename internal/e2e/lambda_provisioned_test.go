package e2e_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/virga/virga/internal/config"
	"github.com/virga/virga/internal/e2e"
)

// waitProvisionedReady polls GetProvisionedConcurrencyConfig until the
// configuration is READY.
func waitProvisionedReady(t *testing.T, c *lambda.Client, name, qualifier string) *lambda.GetProvisionedConcurrencyConfigOutput {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		out, err := c.GetProvisionedConcurrencyConfig(context.Background(), &lambda.GetProvisionedConcurrencyConfigInput{
			FunctionName: aws.String(name), Qualifier: aws.String(qualifier)})
		if err != nil {
			t.Fatalf("GetProvisionedConcurrencyConfig(%s:%s): %v", name, qualifier, err)
		}
		if out.Status == lambdatypes.ProvisionedConcurrencyStatusEnumReady {
			return out
		}
		if out.Status == lambdatypes.ProvisionedConcurrencyStatusEnumFailed || time.Now().After(deadline) {
			t.Fatalf("%s:%s: %s %q", name, qualifier, out.Status, aws.ToString(out.StatusReason))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// initTypeOf invokes name and returns the AWS_LAMBDA_INITIALIZATION_TYPE
// and version its environment reports, and its log tail.
func initTypeOf(t *testing.T, c *lambda.Client, name string) (initType, version, tail string) {
	t.Helper()
	out := invokeJSON(t, c, name, map[string]any{"op": "env", "names": []string{"AWS_LAMBDA_INITIALIZATION_TYPE"}},
		func(in *lambda.InvokeInput) { in.LogType = lambdatypes.LogTypeTail })
	var seen struct {
		Env             map[string]string
		FunctionVersion string
	}
	if err := json.Unmarshal(out.Payload, &seen); err != nil || out.FunctionError != nil {
		t.Fatalf("invoke %s: %v %s", name, err, out.Payload)
	}
	b, _ := base64.StdEncoding.DecodeString(aws.ToString(out.LogResult))
	return seen.Env["AWS_LAMBDA_INITIALIZATION_TYPE"], seen.FunctionVersion, string(b)
}

func TestLambdaProvisionedConcurrency(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	c := lambdaClient(t, env)
	ctx := context.Background()
	zip := goFunctionZip(t, "bootstrap")
	createGoFunction(t, c, "pc", zip)
	if _, err := c.PublishVersion(ctx, &lambda.PublishVersionInput{FunctionName: aws.String("pc")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateAlias(ctx, &lambda.CreateAliasInput{FunctionName: aws.String("pc"), Name: aws.String("live"), FunctionVersion: aws.String("1")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateAlias(ctx, &lambda.CreateAliasInput{FunctionName: aws.String("pc"), Name: aws.String("dev"), FunctionVersion: aws.String("$LATEST")}); err != nil {
		t.Fatal(err)
	}
	put := func(q string, n int32) error {
		_, err := c.PutProvisionedConcurrencyConfig(ctx, &lambda.PutProvisionedConcurrencyConfigInput{
			FunctionName: aws.String("pc"), Qualifier: aws.String(q), ProvisionedConcurrentExecutions: aws.Int32(n)})
		return err
	}
	get := func(q string) error {
		_, err := c.GetProvisionedConcurrencyConfig(ctx, &lambda.GetProvisionedConcurrencyConfigInput{FunctionName: aws.String("pc"), Qualifier: aws.String(q)})
		return err
	}
	arn := "arn:aws:lambda:us-east-1:" + testAccount + ":function:pc"

	// What Lambda refuses, in its words.
	for _, tc := range []struct {
		err          error
		code, prefix string
		status       int
	}{
		{put("$LATEST", 1), "InvalidParameterValueException", "Provisioned Concurrency Configs cannot be applied to unpublished function versions.", 400},
		{put("dev", 1), "InvalidParameterValueException", "Provisioned Concurrency Configs cannot be applied to unpublished function versions.", 400},
		{put("7", 1), "ResourceNotFoundException", "Function not found: " + arn + ":7", 404},
		{put("nope", 1), "ResourceNotFoundException", "Cannot find alias arn: " + arn + ":nope", 404},
		{put("1", 0), "ValidationException", "1 validation error detected", 400},
		{put("1", 951), "InvalidParameterValueException", "Specified ConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [100].", 400},
		{get("$LATEST"), "InvalidParameterValueException", "The function resource provided must be an alias or a published version.", 400},
		{get("1"), "ProvisionedConcurrencyConfigNotFoundException", "No Provisioned Concurrency Config found for this function", 404},
	} {
		got := expectAPIError(t, tc.err, tc.code, tc.status)
		if !strings.HasPrefix(got.Message, tc.prefix) {
			t.Errorf("%s: %q; want %q", tc.code, got.Message, tc.prefix)
		}
	}

	// The alias: IN_PROGRESS, then READY with two environments.
	if err := put("live", 2); err != nil {
		t.Fatal(err)
	}
	got := expectAPIError(t, put("1", 1), "ResourceConflictException", 409)
	if got.Message != "Version is pointed by a Provisioned Concurrency alias" {
		t.Errorf("version under a configured alias: %q", got.Message)
	}
	ready := waitProvisionedReady(t, c, "pc", "live")
	if aws.ToInt32(ready.RequestedProvisionedConcurrentExecutions) != 2 || aws.ToInt32(ready.AllocatedProvisionedConcurrentExecutions) != 2 ||
		aws.ToInt32(ready.AvailableProvisionedConcurrentExecutions) != 2 || !strings.HasSuffix(aws.ToString(ready.LastModified), "+0000") {
		t.Errorf("READY: %+v", ready)
	}
	settings, err := c.GetAccountSettings(ctx, &lambda.GetAccountSettingsInput{})
	if err != nil || aws.ToInt32(settings.AccountLimit.UnreservedConcurrentExecutions) != 998 {
		t.Errorf("UnreservedConcurrentExecutions with 2 provisioned: %v %v", aws.ToInt32(settings.AccountLimit.UnreservedConcurrentExecutions), err)
	}

	// The alias's first invocation runs in an environment initialized
	// ahead: no init in its REPORT. $LATEST starts on demand.
	typ, version, tail := initTypeOf(t, c, "pc:live")
	if typ != "provisioned-concurrency" || version != "1" || strings.Contains(tail, "Init Duration") || !strings.Contains(tail, "REPORT RequestId:") {
		t.Errorf("pc:live: %q version %q, tail:\n%s", typ, version, tail)
	}
	typ, _, tail = initTypeOf(t, c, "pc")
	if typ != "on-demand" || !strings.Contains(tail, "Init Duration") {
		t.Errorf("pc: %q, tail:\n%s", typ, tail)
	}

	// A second version, configured directly; the list pages.
	if _, err := c.UpdateFunctionConfiguration(ctx, &lambda.UpdateFunctionConfigurationInput{FunctionName: aws.String("pc"), Description: aws.String("two")}); err != nil {
		t.Fatal(err)
	}
	if err := lambda.NewFunctionUpdatedV2Waiter(c).Wait(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("pc")}, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PublishVersion(ctx, &lambda.PublishVersionInput{FunctionName: aws.String("pc")}); err != nil {
		t.Fatal(err)
	}
	if err := put("2", 1); err != nil {
		t.Fatal(err)
	}
	got = expectAPIError(t, put("dev", 1), "InvalidParameterValueException", 400)
	page1, err := c.ListProvisionedConcurrencyConfigs(ctx, &lambda.ListProvisionedConcurrencyConfigsInput{FunctionName: aws.String("pc"), MaxItems: aws.Int32(1)})
	if err != nil || len(page1.ProvisionedConcurrencyConfigs) != 1 || page1.NextMarker == nil {
		t.Fatalf("page 1: %+v %v", page1, err)
	}
	page2, err := c.ListProvisionedConcurrencyConfigs(ctx, &lambda.ListProvisionedConcurrencyConfigsInput{FunctionName: aws.String("pc"), Marker: page1.NextMarker})
	if err != nil || len(page2.ProvisionedConcurrencyConfigs) != 1 || page2.NextMarker != nil {
		t.Fatalf("page 2: %+v %v", page2, err)
	}
	if a, b := aws.ToString(page1.ProvisionedConcurrencyConfigs[0].FunctionArn), aws.ToString(page2.ProvisionedConcurrencyConfigs[0].FunctionArn); a != arn+":2" || b != arn+":live" {
		t.Errorf("listed %s, %s", a, b)
	}
	waitProvisionedReady(t, c, "pc", "2")
	if typ, version, _ := initTypeOf(t, c, "pc:2"); typ != "provisioned-concurrency" || version != "2" {
		t.Errorf("pc:2: %q version %q", typ, version)
	}

	// Deleted: the version's configuration goes, then the alias moves to
	// version 2 and its environments with it.
	if _, err := c.DeleteProvisionedConcurrencyConfig(ctx, &lambda.DeleteProvisionedConcurrencyConfigInput{FunctionName: aws.String("pc"), Qualifier: aws.String("2")}); err != nil {
		t.Fatal(err)
	}
	expectAPIError(t, get("2"), "ProvisionedConcurrencyConfigNotFoundException", 404)
	if _, err := c.DeleteProvisionedConcurrencyConfig(ctx, &lambda.DeleteProvisionedConcurrencyConfigInput{FunctionName: aws.String("pc"), Qualifier: aws.String("2")}); err != nil {
		t.Errorf("deleting a missing configuration: %v", err)
	}
	if _, err := c.UpdateAlias(ctx, &lambda.UpdateAliasInput{FunctionName: aws.String("pc"), Name: aws.String("live"), FunctionVersion: aws.String("2")}); err != nil {
		t.Fatal(err)
	}
	waitProvisionedReady(t, c, "pc", "live")
	if typ, version, _ := initTypeOf(t, c, "pc:live"); typ != "provisioned-concurrency" || version != "2" {
		t.Errorf("pc:live on version 2: %q version %q", typ, version)
	}
	if _, err := c.DeleteAlias(ctx, &lambda.DeleteAliasInput{FunctionName: aws.String("pc"), Name: aws.String("live")}); err != nil {
		t.Fatal(err)
	}
	list, err := c.ListProvisionedConcurrencyConfigs(ctx, &lambda.ListProvisionedConcurrencyConfigsInput{FunctionName: aws.String("pc")})
	if err != nil || len(list.ProvisionedConcurrencyConfigs) != 0 {
		t.Errorf("after deleting the alias: %+v %v", list, err)
	}

	// Within reserved concurrency only.
	createGoFunction(t, c, "pcr", zip)
	if _, err := c.PublishVersion(ctx, &lambda.PublishVersionInput{FunctionName: aws.String("pcr")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutFunctionConcurrency(ctx, &lambda.PutFunctionConcurrencyInput{FunctionName: aws.String("pcr"), ReservedConcurrentExecutions: aws.Int32(1)}); err != nil {
		t.Fatal(err)
	}
	_, err = c.PutProvisionedConcurrencyConfig(ctx, &lambda.PutProvisionedConcurrencyConfigInput{
		FunctionName: aws.String("pcr"), Qualifier: aws.String("1"), ProvisionedConcurrentExecutions: aws.Int32(2)})
	got = expectAPIError(t, err, "InvalidParameterValueException", 400)
	if got.Message != "Requested Provisioned Concurrency should not be greater than the reservedConcurrentExecution for function" {
		t.Errorf("beyond reserved: %q", got.Message)
	}
	// Provisioned concurrency that takes the whole reservation leaves
	// $LATEST none: it is throttled, version 1 runs provisioned, and the
	// reservation cannot shrink below it.
	if _, err := c.PutFunctionConcurrency(ctx, &lambda.PutFunctionConcurrencyInput{FunctionName: aws.String("pcr"), ReservedConcurrentExecutions: aws.Int32(2)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutProvisionedConcurrencyConfig(ctx, &lambda.PutProvisionedConcurrencyConfigInput{
		FunctionName: aws.String("pcr"), Qualifier: aws.String("1"), ProvisionedConcurrentExecutions: aws.Int32(2)}); err != nil {
		t.Fatal(err)
	}
	_, err = c.PutFunctionConcurrency(ctx, &lambda.PutFunctionConcurrencyInput{FunctionName: aws.String("pcr"), ReservedConcurrentExecutions: aws.Int32(1)})
	got = expectAPIError(t, err, "InvalidParameterValueException", 400)
	if got.Message != "ReservedConcurrentExecutions for function cannot be lower than the sum of its Provisioned Concurrency configurations." {
		t.Errorf("reservation below provisioned: %q", got.Message)
	}
	_, err = c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("pcr"), Payload: []byte(`{}`)})
	expectAPIError(t, err, "TooManyRequestsException", 429)
	waitProvisionedReady(t, c, "pcr", "1")
	if typ, version, _ := initTypeOf(t, c, "pcr:1"); typ != "provisioned-concurrency" || version != "1" {
		t.Errorf("pcr:1: %q version %q", typ, version)
	}
}

// TestLambdaProvisionedConcurrencyRestart stops virga with a configured
// version and starts it again on the same data: the environments come
// back before any invocation.
func TestLambdaProvisionedConcurrencyRestart(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	onDisk := e2e.WithConfig(func(cfg *config.Config) { cfg.DataDir, cfg.InMemory = dir, false })
	env := e2e.Start(t, onDisk)
	c := lambdaClient(t, env)
	ctx := context.Background()
	createGoFunction(t, c, "pcs", goFunctionZip(t, "bootstrap"))
	if _, err := c.PublishVersion(ctx, &lambda.PublishVersionInput{FunctionName: aws.String("pcs")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutProvisionedConcurrencyConfig(ctx, &lambda.PutProvisionedConcurrencyConfigInput{
		FunctionName: aws.String("pcs"), Qualifier: aws.String("1"), ProvisionedConcurrentExecutions: aws.Int32(1)}); err != nil {
		t.Fatal(err)
	}
	waitProvisionedReady(t, c, "pcs", "1")
	stop, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := env.App.Shutdown(stop); err != nil {
		t.Fatal(err)
	}

	env = e2e.Start(t, onDisk)
	c = lambda.NewFromConfig(env.Config)
	waitProvisionedReady(t, c, "pcs", "1")
	if typ, _, tail := initTypeOf(t, c, "pcs:1"); typ != "provisioned-concurrency" || strings.Contains(tail, "Init Duration") {
		t.Errorf("after the restart: %q, tail:\n%s", typ, tail)
	}
}
