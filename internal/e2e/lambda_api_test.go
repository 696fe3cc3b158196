package e2e_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/virga/virga/internal/e2e"
)

// scriptZip is a small package whose bootstrap is a shell script: enough
// for the control plane, which never runs it.
func scriptZip(t testing.TB, version string) []byte {
	return zipOf(t, zipEntry{name: "bootstrap", body: []byte("#!/bin/sh\n# " + version + "\n"), mode: 0o755})
}

func TestLambdaFunctionLifecycle(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	c := lambdaClient(t, env)
	ctx := context.Background()
	zip := scriptZip(t, "v1")

	created, err := c.CreateFunction(ctx, &lambda.CreateFunctionInput{
		FunctionName: aws.String("life"), Runtime: lambdatypes.RuntimeProvidedal2023, Handler: aws.String("bootstrap"),
		Role: aws.String(lambdaRole), Code: &lambdatypes.FunctionCode{ZipFile: zip},
		Environment: &lambdatypes.Environment{Variables: map[string]string{"STAGE": "test"}},
		Tags:        map[string]string{"team": "virga"},
	})
	if err != nil {
		t.Fatal(err)
	}
	arn := "arn:aws:lambda:us-east-1:" + testAccount + ":function:life"
	if aws.ToString(created.FunctionArn) != arn || created.State != lambdatypes.StatePending || aws.ToInt32(created.MemorySize) != 128 ||
		aws.ToInt32(created.Timeout) != 3 || created.PackageType != lambdatypes.PackageTypeZip || created.CodeSize != int64(len(zip)) ||
		aws.ToString(created.CodeSha256) == "" || aws.ToString(created.RevisionId) == "" || aws.ToString(created.Version) != "$LATEST" {
		t.Errorf("CreateFunction = %+v", created)
	}
	if err := lambda.NewFunctionActiveV2Waiter(c).Wait(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("life")}, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	got, err := c.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("life")})
	if err != nil {
		t.Fatal(err)
	}
	if got.Configuration.State != lambdatypes.StateActive || got.Configuration.LastUpdateStatus != lambdatypes.LastUpdateStatusSuccessful ||
		got.Tags["team"] != "virga" || aws.ToString(got.Code.RepositoryType) != "S3" {
		t.Errorf("GetFunction = %+v %+v", got.Configuration, got.Code)
	}
	// Code.Location downloads the package without credentials.
	res, err := http.Get(aws.ToString(got.Code.Location))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || string(body) != string(zip) {
		t.Errorf("GET Code.Location: HTTP %d, %d bytes; want the %d uploaded", res.StatusCode, len(body), len(zip))
	}

	// Update the configuration, then the code; the waiters see them done.
	up, err := c.UpdateFunctionConfiguration(ctx, &lambda.UpdateFunctionConfigurationInput{
		FunctionName: aws.String("life"), MemorySize: aws.Int32(512), Timeout: aws.Int32(60), RevisionId: got.Configuration.RevisionId,
	})
	if err != nil {
		t.Fatal(err)
	}
	if up.LastUpdateStatus != lambdatypes.LastUpdateStatusInProgress || aws.ToInt32(up.MemorySize) != 512 {
		t.Errorf("UpdateFunctionConfiguration = %s %d", up.LastUpdateStatus, aws.ToInt32(up.MemorySize))
	}
	if err := lambda.NewFunctionUpdatedV2Waiter(c).Wait(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("life")}, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	_, err = c.UpdateFunctionConfiguration(ctx, &lambda.UpdateFunctionConfigurationInput{FunctionName: aws.String("life"), RevisionId: got.Configuration.RevisionId})
	expectAPIError(t, err, "PreconditionFailedException", 412)
	code, err := c.UpdateFunctionCode(ctx, &lambda.UpdateFunctionCodeInput{FunctionName: aws.String("life"), ZipFile: scriptZip(t, "v2"), Publish: true})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(code.Version) != "1" || aws.ToString(code.CodeSha256) == aws.ToString(created.CodeSha256) {
		t.Errorf("UpdateFunctionCode with Publish = version %s, sha %s", aws.ToString(code.Version), aws.ToString(code.CodeSha256))
	}

	// Versions and aliases.
	_, err = c.UpdateFunctionConfiguration(ctx, &lambda.UpdateFunctionConfigurationInput{FunctionName: aws.String("life"), Description: aws.String("two")})
	if err != nil {
		t.Fatal(err)
	}
	v2, err := c.PublishVersion(ctx, &lambda.PublishVersionInput{FunctionName: aws.String("life")})
	if err != nil || aws.ToString(v2.Version) != "2" || aws.ToString(v2.Description) != "two" {
		t.Fatalf("PublishVersion = %+v, %v", v2, err)
	}
	versions, err := c.ListVersionsByFunction(ctx, &lambda.ListVersionsByFunctionInput{FunctionName: aws.String("life")})
	if err != nil || len(versions.Versions) != 3 {
		t.Fatalf("ListVersionsByFunction = %+v, %v", versions, err)
	}
	alias, err := c.CreateAlias(ctx, &lambda.CreateAliasInput{
		FunctionName: aws.String("life"), Name: aws.String("live"), FunctionVersion: aws.String("1"),
		RoutingConfig: &lambdatypes.AliasRoutingConfiguration{AdditionalVersionWeights: map[string]float64{"2": 0.1}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(alias.AliasArn) != arn+":live" || alias.RoutingConfig.AdditionalVersionWeights["2"] != 0.1 {
		t.Errorf("CreateAlias = %+v", alias)
	}
	_, err = c.CreateAlias(ctx, &lambda.CreateAliasInput{FunctionName: aws.String("life"), Name: aws.String("live"), FunctionVersion: aws.String("1")})
	if e := expectAPIError(t, err, "ResourceConflictException", 409); e.Message != "Alias already exists: "+arn+":live" {
		t.Errorf("message %q", e.Message)
	}
	if _, err := c.UpdateAlias(ctx, &lambda.UpdateAliasInput{FunctionName: aws.String("life"), Name: aws.String("live"), FunctionVersion: aws.String("2"),
		RoutingConfig: &lambdatypes.AliasRoutingConfiguration{}}); err != nil {
		t.Fatal(err)
	}
	aliases, err := c.ListAliases(ctx, &lambda.ListAliasesInput{FunctionName: aws.String("life")})
	if err != nil || len(aliases.Aliases) != 1 || aws.ToString(aliases.Aliases[0].FunctionVersion) != "2" {
		t.Fatalf("ListAliases = %+v, %v", aliases, err)
	}
	_, err = c.DeleteFunction(ctx, &lambda.DeleteFunctionInput{FunctionName: aws.String("life"), Qualifier: aws.String("2")})
	expectAPIError(t, err, "ResourceConflictException", 409)

	// Tags, concurrency, policies, account settings.
	if _, err := c.TagResource(ctx, &lambda.TagResourceInput{Resource: aws.String(arn), Tags: map[string]string{"cost": "1"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.UntagResource(ctx, &lambda.UntagResourceInput{Resource: aws.String(arn), TagKeys: []string{"team"}}); err != nil {
		t.Fatal(err)
	}
	tags, err := c.ListTags(ctx, &lambda.ListTagsInput{Resource: aws.String(arn)})
	if err != nil || len(tags.Tags) != 1 || tags.Tags["cost"] != "1" {
		t.Errorf("ListTags = %+v, %v", tags, err)
	}
	if _, err := c.PutFunctionConcurrency(ctx, &lambda.PutFunctionConcurrencyInput{FunctionName: aws.String("life"), ReservedConcurrentExecutions: aws.Int32(50)}); err != nil {
		t.Fatal(err)
	}
	conc, err := c.GetFunctionConcurrency(ctx, &lambda.GetFunctionConcurrencyInput{FunctionName: aws.String("life")})
	if err != nil || aws.ToInt32(conc.ReservedConcurrentExecutions) != 50 {
		t.Errorf("GetFunctionConcurrency = %+v, %v", conc, err)
	}
	settings, err := c.GetAccountSettings(ctx, &lambda.GetAccountSettingsInput{})
	if err != nil || settings.AccountLimit.ConcurrentExecutions != 1000 || aws.ToInt32(settings.AccountLimit.UnreservedConcurrentExecutions) != 950 {
		t.Errorf("GetAccountSettings = %+v, %v", settings.AccountLimit, err)
	}
	_, err = c.PutFunctionConcurrency(ctx, &lambda.PutFunctionConcurrencyInput{FunctionName: aws.String("life"), ReservedConcurrentExecutions: aws.Int32(901)})
	expectAPIError(t, err, "InvalidParameterValueException", 400)
	perm, err := c.AddPermission(ctx, &lambda.AddPermissionInput{
		FunctionName: aws.String("life"), StatementId: aws.String("events"), Action: aws.String("lambda:InvokeFunction"),
		Principal: aws.String("events.amazonaws.com"), SourceArn: aws.String("arn:aws:events:us-east-1:" + testAccount + ":rule/r"),
	})
	if err != nil {
		t.Fatal(err)
	}
	var st struct{ Sid, Effect, Resource string }
	if err := json.Unmarshal([]byte(aws.ToString(perm.Statement)), &st); err != nil || st.Sid != "events" || st.Resource != arn {
		t.Errorf("AddPermission statement = %s", aws.ToString(perm.Statement))
	}
	pol, err := c.GetPolicy(ctx, &lambda.GetPolicyInput{FunctionName: aws.String("life")})
	if err != nil || !strings.Contains(aws.ToString(pol.Policy), `"Sid":"events"`) {
		t.Errorf("GetPolicy = %+v, %v", pol, err)
	}
	if _, err := c.RemovePermission(ctx, &lambda.RemovePermissionInput{FunctionName: aws.String("life"), StatementId: aws.String("events")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetPolicy(ctx, &lambda.GetPolicyInput{FunctionName: aws.String("life")})
	expectAPIError(t, err, "ResourceNotFoundException", 404)

	// Paginated listing, through the SDK's paginator.
	for _, n := range []string{"life-b", "life-c", "life-d"} {
		if _, err := c.CreateFunction(ctx, &lambda.CreateFunctionInput{FunctionName: aws.String(n), Runtime: lambdatypes.RuntimePython312,
			Handler: aws.String("app.handler"), Role: aws.String(lambdaRole), Code: &lambdatypes.FunctionCode{ZipFile: zipOf(t, zipEntry{name: "app.py", body: []byte("def handler(e, c):\n    return e\n")})}}); err != nil {
			t.Fatal(err)
		}
	}
	var names []string
	for p := lambda.NewListFunctionsPaginator(c, &lambda.ListFunctionsInput{MaxItems: aws.Int32(2)}); p.HasMorePages(); {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range page.Functions {
			names = append(names, aws.ToString(f.FunctionName))
		}
	}
	if strings.Join(names, ",") != "life,life-b,life-c,life-d" {
		t.Errorf("ListFunctions = %v", names)
	}

	// Delete.
	if _, err := c.DeleteFunction(ctx, &lambda.DeleteFunctionInput{FunctionName: aws.String("life")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("life")})
	if e := expectAPIError(t, err, "ResourceNotFoundException", 404); e.Message != "Function not found: "+arn {
		t.Errorf("message %q", e.Message)
	}
}

func TestLambdaCreateFunctionErrors(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	c := lambdaClient(t, env)
	ctx := context.Background()
	base := func(name string, zip []byte) *lambda.CreateFunctionInput {
		return &lambda.CreateFunctionInput{FunctionName: aws.String(name), Runtime: lambdatypes.RuntimeProvidedal2023,
			Handler: aws.String("bootstrap"), Role: aws.String(lambdaRole), Code: &lambdatypes.FunctionCode{ZipFile: zip}}
	}
	if _, err := c.CreateFunction(ctx, base("dup", scriptZip(t, "x"))); err != nil {
		t.Fatal(err)
	}
	_, err := c.CreateFunction(ctx, base("dup", scriptZip(t, "x")))
	if e := expectAPIError(t, err, "ResourceConflictException", 409); e.Message != "Function already exist: dup" {
		t.Errorf("message %q", e.Message)
	}
	var conflict *lambdatypes.ResourceConflictException
	if !errorsAs(err, &conflict) {
		t.Errorf("the SDK did not decode a ResourceConflictException: %T", err)
	}
	for name, zip := range map[string][]byte{
		"dotdot":   zipOf(t, zipEntry{name: "../../etc/cron.d/evil", body: []byte("x")}),
		"absolute": zipOf(t, zipEntry{name: "/etc/evil", body: []byte("x")}),
		"link":     zipOf(t, zipEntry{name: "bootstrap", body: []byte("/etc/passwd"), mode: 0o777 | symlinkMode}),
		"garbage":  []byte("this is not a zip"),
	} {
		_, err := c.CreateFunction(ctx, base(name, zip))
		if e := expectAPIError(t, err, "InvalidParameterValueException", 400); e.Message != "Could not unzip uploaded file. Please check your file, then try to upload again." {
			t.Errorf("%s: message %q", name, e.Message)
		}
	}
	in := base("mem", scriptZip(t, "x"))
	in.MemorySize = aws.Int32(64)
	_, err = c.CreateFunction(ctx, in)
	if e := expectAPIError(t, err, "ValidationException", 400); e.Message !=
		"1 validation error detected: Value '64' at 'memorySize' failed to satisfy constraint: Member must have value greater than or equal to 128" {
		t.Errorf("message %q", e.Message)
	}
	in = base("image", nil)
	in.PackageType, in.Code = lambdatypes.PackageTypeImage, &lambdatypes.FunctionCode{ImageUri: aws.String("repo/image:latest")}
	_, err = c.CreateFunction(ctx, in)
	expectAPIError(t, err, "InvalidParameterValueException", 400)
	_, err = c.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("dup"), Qualifier: aws.String("9")})
	if e := expectAPIError(t, err, "ResourceNotFoundException", 404); e.Message != "Function not found: arn:aws:lambda:us-east-1:"+testAccount+":function:dup:9" {
		t.Errorf("message %q", e.Message)
	}
	_, err = c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("dup"), Payload: []byte("{nope")})
	expectAPIError(t, err, "InvalidRequestContentException", 400)
	if _, err := c.PutFunctionConcurrency(ctx, &lambda.PutFunctionConcurrencyInput{FunctionName: aws.String("dup"), ReservedConcurrentExecutions: aws.Int32(0)}); err != nil {
		t.Fatal(err)
	}
	_, err = c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("dup"), Payload: []byte("{}")})
	expectAPIError(t, err, "TooManyRequestsException", 429)
	var throttled *lambdatypes.TooManyRequestsException
	if !errorsAs(err, &throttled) || throttled.Reason != lambdatypes.ThrottleReasonReservedFunctionConcurrentInvocationLimitExceeded {
		t.Errorf("throttle = %#v", throttled)
	}
}

func TestLambdaLayers(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	c := lambdaClient(t, env)
	ctx := context.Background()
	layerZip := zipOf(t, zipEntry{name: "data/hello.txt", body: []byte("hello from a layer")})
	pub, err := c.PublishLayerVersion(ctx, &lambda.PublishLayerVersionInput{
		LayerName: aws.String("data"), Content: &lambdatypes.LayerVersionContentInput{ZipFile: layerZip},
		CompatibleRuntimes: []lambdatypes.Runtime{lambdatypes.RuntimeProvidedal2023},
	})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(pub.LayerVersionArn) != "arn:aws:lambda:us-east-1:"+testAccount+":layer:data:1" || pub.Version != 1 || pub.Content.CodeSize != int64(len(layerZip)) {
		t.Errorf("PublishLayerVersion = %+v", pub)
	}
	res, err := http.Get(aws.ToString(pub.Content.Location))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if string(body) != string(layerZip) {
		t.Errorf("Content.Location gave %d bytes", len(body))
	}
	byArn, err := c.GetLayerVersionByArn(ctx, &lambda.GetLayerVersionByArnInput{Arn: pub.LayerVersionArn})
	if err != nil || byArn.Version != 1 {
		t.Errorf("GetLayerVersionByArn = %+v, %v", byArn, err)
	}
	layers, err := c.ListLayers(ctx, &lambda.ListLayersInput{CompatibleRuntime: lambdatypes.RuntimeProvidedal2023})
	if err != nil || len(layers.Layers) != 1 || layers.Layers[0].LatestMatchingVersion.Version != 1 {
		t.Errorf("ListLayers = %+v, %v", layers, err)
	}
	lv, err := c.ListLayerVersions(ctx, &lambda.ListLayerVersionsInput{LayerName: aws.String("data")})
	if err != nil || len(lv.LayerVersions) != 1 {
		t.Errorf("ListLayerVersions = %+v, %v", lv, err)
	}
	_, err = c.GetLayerVersion(ctx, &lambda.GetLayerVersionInput{LayerName: aws.String("data"), VersionNumber: aws.Int64(2)})
	expectAPIError(t, err, "ResourceNotFoundException", 404)

	// A function reads the layer under /opt.
	createGoFunction(t, c, "layered", goFunctionZip(t, "bootstrap"), func(in *lambda.CreateFunctionInput) {
		in.Layers = []string{aws.ToString(pub.LayerVersionArn)}
	})
	out := invokeJSON(t, c, "layered", map[string]string{"op": "read", "path": "/opt/data/hello.txt"})
	if aws.ToString(out.FunctionError) != "" || string(out.Payload) != `"hello from a layer"` {
		t.Errorf("reading /opt/data/hello.txt: %s %s", aws.ToString(out.FunctionError), out.Payload)
	}
	if _, err := c.DeleteLayerVersion(ctx, &lambda.DeleteLayerVersionInput{LayerName: aws.String("data"), VersionNumber: aws.Int64(1)}); err != nil {
		t.Fatal(err)
	}
	// The function keeps its copy.
	out = invokeJSON(t, c, "layered", map[string]string{"op": "read", "path": "/opt/data/hello.txt"})
	if string(out.Payload) != `"hello from a layer"` {
		t.Errorf("after deleting the layer version: %s", out.Payload)
	}
}
