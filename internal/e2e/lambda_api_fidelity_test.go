package e2e_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/virga/virga/internal/e2e"
)

// TestLambdaCreateFunctionServiceChecks covers the CreateFunction
// parameters Lambda checks in the service rather than in its request
// validation, and the list wording of its request validation: each
// answer's code and message as Lambda gives them.
func TestLambdaCreateFunctionServiceChecks(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	c := lambdaClient(t, env)
	ctx := context.Background()
	base := func(name string) *lambda.CreateFunctionInput {
		return &lambda.CreateFunctionInput{FunctionName: aws.String(name), Runtime: lambdatypes.RuntimeProvidedal2023,
			Handler: aws.String("bootstrap"), Role: aws.String(lambdaRole), Code: &lambdatypes.FunctionCode{ZipFile: scriptZip(t, "x")}}
	}

	// An unknown runtime is InvalidParameterValueException, its value
	// unquoted, the set followed by "or be a valid ARN".
	in := base("rt")
	in.Runtime = "python3"
	_, err := c.CreateFunction(ctx, in)
	e := expectAPIError(t, err, "InvalidParameterValueException", 400)
	if !strings.HasPrefix(e.Message, "Value python3 at 'runtime' failed to satisfy constraint: Member must satisfy enum value set: [") ||
		!strings.HasSuffix(e.Message, "] or be a valid ARN") || !strings.Contains(e.Message, "python3.12") {
		t.Errorf("unknown runtime: message %q", e.Message)
	}
	// With another violation in the request, that one is reported, as
	// request validation comes first.
	in.MemorySize = aws.Int32(64)
	_, err = c.CreateFunction(ctx, in)
	if e := expectAPIError(t, err, "ValidationException", 400); e.Message !=
		"1 validation error detected: Value '64' at 'memorySize' failed to satisfy constraint: Member must have value greater than or equal to 128" {
		t.Errorf("runtime and memory: message %q", e.Message)
	}

	// A bad architecture is reported on the list, with the element's
	// constraints in brackets.
	in = base("arch")
	in.Architectures = []lambdatypes.Architecture{"mips"}
	_, err = c.CreateFunction(ctx, in)
	if e := expectAPIError(t, err, "ValidationException", 400); e.Message !=
		"1 validation error detected: Value '[mips]' at 'architectures' failed to satisfy constraint: "+
			"Member must satisfy constraint: [Member must satisfy enum value set: [x86_64, arm64], Member must not be null]" {
		t.Errorf("architecture: message %q", e.Message)
	}

	// The model allows 140 characters (an ARN); the name is held to 64.
	long := strings.Repeat("n", 65)
	_, err = c.CreateFunction(ctx, base(long))
	if e := expectAPIError(t, err, "InvalidParameterValueException", 400); e.Message !=
		"1 validation error detected: Value '"+long+"' at 'functionName' failed to satisfy constraint: Member must have length less than or equal to 64" {
		t.Errorf("long name: message %q", e.Message)
	}
	if _, err := c.CreateFunction(ctx, base(long[:64])); err != nil {
		t.Errorf("a 64-character name: %v", err)
	}
}

// TestLambdaVersionAliasURLMessages covers the wording of PublishVersion's
// CodeSha256 mismatch, GetAlias's missing alias (unlike UpdateAlias's),
// a function URL on a version, and the RuntimeVersionConfig every
// function on a managed runtime reports.
func TestLambdaVersionAliasURLMessages(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	c := lambdaClient(t, env)
	ctx := context.Background()
	created := createStub(t, c, "fid", false)
	arn := "arn:aws:lambda:us-east-1:" + testAccount + ":function:fid"

	runtimeARN := regexp.MustCompile(`^arn:aws:lambda:us-east-1::runtime:[0-9a-f]{64}$`)
	if created.RuntimeVersionConfig == nil || !runtimeARN.MatchString(aws.ToString(created.RuntimeVersionConfig.RuntimeVersionArn)) {
		t.Errorf("RuntimeVersionConfig = %+v", created.RuntimeVersionConfig)
	}
	got, err := c.GetFunctionConfiguration(ctx, &lambda.GetFunctionConfigurationInput{FunctionName: aws.String("fid")})
	if err != nil {
		t.Fatal(err)
	}
	if got.RuntimeVersionConfig == nil || aws.ToString(got.RuntimeVersionConfig.RuntimeVersionArn) != aws.ToString(created.RuntimeVersionConfig.RuntimeVersionArn) {
		t.Errorf("GetFunctionConfiguration RuntimeVersionConfig = %+v", got.RuntimeVersionConfig)
	}
	// ListFunctions leaves it out, with the state fields.
	list, err := c.ListFunctions(ctx, &lambda.ListFunctionsInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Functions) != 1 || list.Functions[0].RuntimeVersionConfig != nil || list.Functions[0].State != "" ||
		aws.ToString(list.Functions[0].FunctionArn) != arn {
		t.Errorf("ListFunctions = %+v", list.Functions)
	}

	_, err = c.PublishVersion(ctx, &lambda.PublishVersionInput{FunctionName: aws.String("fid"), CodeSha256: aws.String("abc")})
	if e := expectAPIError(t, err, "InvalidParameterValueException", 400); e.Message !=
		"CodeSHA256 (abc) is different from current CodeSHA256 in $LATEST ("+aws.ToString(created.CodeSha256)+"). Please try again with the CodeSHA256 in $LATEST." {
		t.Errorf("PublishVersion: message %q", e.Message)
	}
	if _, err := c.PublishVersion(ctx, &lambda.PublishVersionInput{FunctionName: aws.String("fid")}); err != nil {
		t.Fatal(err)
	}
	// With FunctionVersion ALL, $LATEST is listed under its qualified ARN.
	all, err := c.ListFunctions(ctx, &lambda.ListFunctionsInput{FunctionVersion: lambdatypes.FunctionVersionAll})
	if err != nil {
		t.Fatal(err)
	}
	var arns []string
	for _, f := range all.Functions {
		arns = append(arns, aws.ToString(f.FunctionArn))
	}
	if strings.Join(arns, " ") != arn+":$LATEST "+arn+":1" {
		t.Errorf("ListFunctions ALL ARNs = %v", arns)
	}

	_, err = c.GetAlias(ctx, &lambda.GetAliasInput{FunctionName: aws.String("fid"), Name: aws.String("live")})
	if e := expectAPIError(t, err, "ResourceNotFoundException", 404); e.Message != "Cannot find alias arn: "+arn+":live" {
		t.Errorf("GetAlias: message %q", e.Message)
	}
	_, err = c.UpdateAlias(ctx, &lambda.UpdateAliasInput{FunctionName: aws.String("fid"), Name: aws.String("live"), FunctionVersion: aws.String("1")})
	if e := expectAPIError(t, err, "ResourceNotFoundException", 404); e.Message != "Alias not found: "+arn+":live" {
		t.Errorf("UpdateAlias: message %q", e.Message)
	}

	// A URL belongs to the function or an alias; a version number or
	// $LATEST is refused by the qualifier's pattern, a ValidationException.
	for _, q := range []string{"1", "$LATEST"} {
		_, err = c.CreateFunctionUrlConfig(ctx, &lambda.CreateFunctionUrlConfigInput{FunctionName: aws.String("fid"), Qualifier: aws.String(q),
			AuthType: lambdatypes.FunctionUrlAuthTypeNone})
		if e := expectAPIError(t, err, "ValidationException", 400); e.Message != "1 validation error detected: Value '"+q+
			`' at 'qualifier' failed to satisfy constraint: Member must satisfy regular expression pattern: ((?!^\d+$)^[0-9a-zA-Z-_]+$)` {
			t.Errorf("URL on %s: message %q", q, e.Message)
		}
	}
}

// TestLambdaRoutingAndLayerMessages covers an alias's routing refusals
// and a function's layer refusals, each with Lambda's code and wording.
func TestLambdaRoutingAndLayerMessages(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	c := lambdaClient(t, env)
	ctx := context.Background()
	base := func(name string) *lambda.CreateFunctionInput {
		return &lambda.CreateFunctionInput{FunctionName: aws.String(name), Runtime: lambdatypes.RuntimeProvidedal2023,
			Handler: aws.String("bootstrap"), Role: aws.String(lambdaRole), Code: &lambdatypes.FunctionCode{ZipFile: scriptZip(t, "x")}}
	}
	if _, err := c.CreateFunction(ctx, base("route")); err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 3; i++ {
		if _, err := c.UpdateFunctionConfiguration(ctx, &lambda.UpdateFunctionConfigurationInput{FunctionName: aws.String("route"),
			Description: aws.String(strings.Repeat("v", i))}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.PublishVersion(ctx, &lambda.PublishVersionInput{FunctionName: aws.String("route")}); err != nil {
			t.Fatal(err)
		}
	}
	arn := "arn:aws:lambda:us-east-1:" + testAccount + ":function:route"
	for _, tc := range []struct {
		name, primary string
		weights       map[string]float64
		code          string
		status        int
		message       string
	}{
		{"weight", "1", map[string]float64{"2": 1.5}, "ValidationException", 400,
			"1 validation error detected: Value '{2=1.5}' at 'routingConfig.additionalVersionWeights' failed to satisfy constraint: " +
				"Map value must satisfy constraint: [Member must have value less than or equal to 1.0, Member must have value greater than or equal to 0.0, Member must not be null]"},
		{"key", "1", map[string]float64{"live": 0.5}, "ValidationException", 400,
			"1 validation error detected: Value '{live=0.5}' at 'routingConfig.additionalVersionWeights' failed to satisfy constraint: " +
				"Map keys must satisfy constraint: [Member must have length less than or equal to 1024, Member must have length greater than or equal to 1, " +
				"Member must satisfy regular expression pattern: [0-9]+, Member must not be null]"},
		{"two", "1", map[string]float64{"2": 0.1, "3": 0.1}, "InvalidParameterValueException", 400,
			"Number of items in AdditionalVersionWeights cannot be greater than 1"},
		{"itself", "1", map[string]float64{"1": 0.5}, "InvalidParameterValueException", 400,
			"Invalid function version 1. Function version 1 is already included in routing configuration."},
		{"latest", "$LATEST", map[string]float64{"2": 0.5}, "InvalidParameterValueException", 400,
			"$LATEST is not supported for an alias pointing to more than 1 version"},
		{"missing", "1", map[string]float64{"9": 0.5}, "ResourceNotFoundException", 404, "Function not found: " + arn + ":9"},
	} {
		_, err := c.CreateAlias(ctx, &lambda.CreateAliasInput{FunctionName: aws.String("route"), Name: aws.String(tc.name),
			FunctionVersion: aws.String(tc.primary), RoutingConfig: &lambdatypes.AliasRoutingConfiguration{AdditionalVersionWeights: tc.weights}})
		if e := expectAPIError(t, err, tc.code, tc.status); e.Message != tc.message {
			t.Errorf("%s: message %q", tc.name, e.Message)
		}
	}

	var arns []string
	for range 2 {
		out, err := c.PublishLayerVersion(ctx, &lambda.PublishLayerVersionInput{LayerName: aws.String("lib"),
			Content: &lambdatypes.LayerVersionContentInput{ZipFile: scriptZip(t, "layer")}})
		if err != nil {
			t.Fatal(err)
		}
		arns = append(arns, aws.ToString(out.LayerVersionArn))
	}
	in := base("twolayers")
	in.Layers = arns
	_, err := c.CreateFunction(ctx, in)
	if e := expectAPIError(t, err, "InvalidParameterValueException", 400); e.Message != "Two different versions of the same layer are not allowed "+
		"to be referenced in the same function. "+arns[0]+" and "+arns[1]+" are versions of the same layer." {
		t.Errorf("two versions: message %q", e.Message)
	}
	in = base("badlayer")
	in.Layers = []string{"lib:1"}
	_, err = c.CreateFunction(ctx, in)
	if e := expectAPIError(t, err, "ValidationException", 400); e.Message != "1 validation error detected: Value '[lib:1]' at 'layers' failed to satisfy constraint: "+
		"Member must satisfy constraint: [Member must have length less than or equal to 140, Member must have length greater than or equal to 1, "+
		`Member must satisfy regular expression pattern: (arn:[a-zA-Z0-9-]+:lambda:[a-zA-Z0-9-]+:\d{12}:layer:[a-zA-Z0-9-_]+:[0-9]+)|(arn:[a-zA-Z0-9-]+:lambda:::awslayer:[a-zA-Z0-9-_]+), `+
		"Member must not be null]" {
		t.Errorf("bad layer ARN: message %q", e.Message)
	}
	in = base("otherregion")
	in.Layers = []string{"arn:aws:lambda:eu-west-1:" + testAccount + ":layer:lib:1"}
	_, err = c.CreateFunction(ctx, in)
	if e := expectAPIError(t, err, "InvalidParameterValueException", 400); e.Message !=
		"Layers are not in the same region as the function. Layers are expected to be in region us-east-1." {
		t.Errorf("layer in another region: message %q", e.Message)
	}
	_, err = c.GetLayerVersion(ctx, &lambda.GetLayerVersionInput{LayerName: aws.String("lib"), VersionNumber: aws.Int64(0)})
	if e := expectAPIError(t, err, "InvalidParameterValueException", 400); e.Message != "Layer Version Cannot be less than 1" {
		t.Errorf("layer version 0: message %q", e.Message)
	}
}

// TestLambdaPolicyRevision covers the RevisionId of resource-based
// policies: a policy's revision is that of the version or alias it
// belongs to, and adding or removing a statement gives that version or
// alias a new one; publishing a version gives $LATEST a new one.
func TestLambdaPolicyRevision(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	c := lambdaClient(t, env)
	ctx := context.Background()
	createStub(t, c, "rev", false)
	revision := func(qualifier string) string {
		in := &lambda.GetFunctionConfigurationInput{FunctionName: aws.String("rev")}
		if qualifier != "" {
			in.Qualifier = aws.String(qualifier)
		}
		out, err := c.GetFunctionConfiguration(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(out.RevisionId)
	}
	add := func(sid, rev string) error {
		_, err := c.AddPermission(ctx, &lambda.AddPermissionInput{FunctionName: aws.String("rev"), StatementId: aws.String(sid),
			Action: aws.String("lambda:InvokeFunction"), Principal: aws.String("sns.amazonaws.com"), RevisionId: aws.String(rev)})
		return err
	}
	active := revision("")
	if err := add("a", active); err != nil {
		t.Fatal(err)
	}
	afterAdd := revision("")
	if afterAdd == active {
		t.Error("AddPermission left the function's RevisionId as it was")
	}
	pol, err := c.GetPolicy(ctx, &lambda.GetPolicyInput{FunctionName: aws.String("rev")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(pol.RevisionId) != afterAdd {
		t.Errorf("GetPolicy RevisionId %s, function's %s", aws.ToString(pol.RevisionId), afterAdd)
	}
	err = add("b", active)
	if e := expectAPIError(t, err, "PreconditionFailedException", 412); e.Message != revisionMismatch {
		t.Errorf("AddPermission with a stale revision: %q", e.Message)
	}
	_, err = c.RemovePermission(ctx, &lambda.RemovePermissionInput{FunctionName: aws.String("rev"), StatementId: aws.String("a"), RevisionId: aws.String(active)})
	if e := expectAPIError(t, err, "PreconditionFailedException", 412); e.Message != revisionMismatch {
		t.Errorf("RemovePermission with a stale revision: %q", e.Message)
	}
	if _, err := c.RemovePermission(ctx, &lambda.RemovePermissionInput{FunctionName: aws.String("rev"), StatementId: aws.String("a"),
		RevisionId: aws.String(afterAdd)}); err != nil {
		t.Fatal(err)
	}
	afterRemove := revision("")
	if afterRemove == afterAdd {
		t.Error("RemovePermission left the function's RevisionId as it was")
	}
	if _, err := c.PublishVersion(ctx, &lambda.PublishVersionInput{FunctionName: aws.String("rev")}); err != nil {
		t.Fatal(err)
	}
	if revision("") == afterRemove {
		t.Error("PublishVersion left $LATEST's RevisionId as it was")
	}
	// A version's own policy moves the version's revision, not $LATEST's.
	latestBefore, versionBefore := revision(""), revision("1")
	if _, err := c.AddPermission(ctx, &lambda.AddPermissionInput{FunctionName: aws.String("rev"), Qualifier: aws.String("1"), StatementId: aws.String("v"),
		Action: aws.String("lambda:InvokeFunction"), Principal: aws.String("sns.amazonaws.com"), RevisionId: aws.String(versionBefore)}); err != nil {
		t.Fatal(err)
	}
	if revision("") != latestBefore || revision("1") == versionBefore {
		t.Errorf("a version's policy: $LATEST %s → %s, version %s → %s", latestBefore, revision(""), versionBefore, revision("1"))
	}
}

// TestLambdaRequestTooLarge covers a CreateFunction whose request is over
// Lambda's 70167211 bytes (a 50 MB package in base64, and some room): the
// error names the limit and the operation; and an uploaded package over
// 50 MB in a request under that limit.
func TestLambdaRequestTooLarge(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	c := lambdaClient(t, env)
	big := make([]byte, 52<<20)
	if _, err := rand.NewChaCha8([32]byte{}).Read(big); err != nil {
		t.Fatal(err)
	}
	_, err := c.CreateFunction(context.Background(), &lambda.CreateFunctionInput{FunctionName: aws.String("huge"),
		Runtime: lambdatypes.RuntimeProvidedal2023, Handler: aws.String("bootstrap"), Role: aws.String(lambdaRole),
		Code: &lambdatypes.FunctionCode{ZipFile: big}})
	if e := expectAPIError(t, err, "RequestEntityTooLargeException", 413); e.Message != "Request must be smaller than 70167211 bytes for the CreateFunction operation" {
		t.Errorf("message %q", e.Message)
	}
	// A request under the limit can still carry a package over 50 MB.
	_, err = c.CreateFunction(context.Background(), &lambda.CreateFunctionInput{FunctionName: aws.String("huge"),
		Runtime: lambdatypes.RuntimeProvidedal2023, Handler: aws.String("bootstrap"), Role: aws.String(lambdaRole),
		Code: &lambdatypes.FunctionCode{ZipFile: big[:50<<20+100<<10]}})
	if e := expectAPIError(t, err, "RequestEntityTooLargeException", 413); e.Message != "Zipped size must be smaller than 52428800 bytes" {
		t.Errorf("message %q", e.Message)
	}
}

// TestLambdaNotFoundWording covers how Lambda names what is missing, as
// recorded from AWS: another region's function, PutFunctionConcurrency's
// $LATEST ARN, DeleteFunction's unqualified ARN, and the wording of
// tagging a version; and what ListVersionsByFunction leaves out.
func TestLambdaNotFoundWording(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	c := lambdaClient(t, env)
	ctx := context.Background()
	created := createStub(t, c, "nf", true)
	prefix := "arn:aws:lambda:us-east-1:" + testAccount + ":function:"
	// Published at creation, version 1 is answered Pending, under the
	// unqualified ARN.
	if aws.ToString(created.Version) != "1" || aws.ToString(created.FunctionArn) != prefix+"nf" || created.State != lambdatypes.StatePending {
		t.Errorf("CreateFunction with Publish: Version %s FunctionArn %s State %s", aws.ToString(created.Version), aws.ToString(created.FunctionArn), created.State)
	}

	// Published by UpdateFunctionCode, version 2 is answered Pending too,
	// under its own ARN, without a last update.
	updated, err := c.UpdateFunctionCode(ctx, &lambda.UpdateFunctionCodeInput{FunctionName: aws.String("nf"), ZipFile: scriptZip(t, "y"), Publish: true})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(updated.Version) != "2" || aws.ToString(updated.FunctionArn) != prefix+"nf:2" || updated.State != lambdatypes.StatePending ||
		updated.LastUpdateStatus != "" {
		t.Errorf("UpdateFunctionCode with Publish: Version %s FunctionArn %s State %s LastUpdateStatus %s", aws.ToString(updated.Version),
			aws.ToString(updated.FunctionArn), updated.State, updated.LastUpdateStatus)
	}
	_, err = c.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("arn:aws:lambda:eu-west-1:" + testAccount + ":function:nf")})
	if e := expectAPIError(t, err, "ResourceNotFoundException", 404); e.Message != "Functions from 'eu-west-1' are not reachable in this region ('us-east-1')" {
		t.Errorf("other region: message %q", e.Message)
	}
	_, err = c.PutFunctionConcurrency(ctx, &lambda.PutFunctionConcurrencyInput{FunctionName: aws.String("gone"), ReservedConcurrentExecutions: aws.Int32(1)})
	if e := expectAPIError(t, err, "ResourceNotFoundException", 404); e.Message != "Function not found: "+prefix+"gone:$LATEST" {
		t.Errorf("PutFunctionConcurrency: message %q", e.Message)
	}
	_, err = c.GetFunctionConcurrency(ctx, &lambda.GetFunctionConcurrencyInput{FunctionName: aws.String("gone")})
	if e := expectAPIError(t, err, "ResourceNotFoundException", 404); e.Message != "Function not found: "+prefix+"gone" {
		t.Errorf("GetFunctionConcurrency: message %q", e.Message)
	}
	_, err = c.PutFunctionConcurrency(ctx, &lambda.PutFunctionConcurrencyInput{FunctionName: aws.String(prefix + "nf:1"), ReservedConcurrentExecutions: aws.Int32(1)})
	if e := expectAPIError(t, err, "InvalidParameterValueException", 400); e.Message != "This operation is permitted on Lambda functions only. "+
		"Aliases and versions do not support this operation. Please specify either a function name or an unqualified function ARN." {
		t.Errorf("PutFunctionConcurrency on a version: message %q", e.Message)
	}
	_, err = c.DeleteFunction(ctx, &lambda.DeleteFunctionInput{FunctionName: aws.String("gone"), Qualifier: aws.String("1")})
	if e := expectAPIError(t, err, "ResourceNotFoundException", 404); e.Message != "Function not found: "+prefix+"gone" {
		t.Errorf("DeleteFunction: message %q", e.Message)
	}
	_, err = c.TagResource(ctx, &lambda.TagResourceInput{Resource: aws.String(prefix + "nf:1"), Tags: map[string]string{"a": "b"}})
	if e := expectAPIError(t, err, "InvalidParameterValueException", 400); e.Message != "Tags on function aliases and versions are not supported. Please specify a function ARN." {
		t.Errorf("tagging a version: message %q", e.Message)
	}
	_, err = c.TagResource(ctx, &lambda.TagResourceInput{Resource: aws.String(prefix + "nf"), Tags: map[string]string{}})
	if e := expectAPIError(t, err, "InvalidParameterValueException", 400); e.Message != "An error occurred and the request cannot be processed." {
		t.Errorf("no tags: message %q", e.Message)
	}

	versions, err := c.ListVersionsByFunction(ctx, &lambda.ListVersionsByFunctionInput{FunctionName: aws.String("nf")})
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range versions.Versions {
		if v.State != "" || v.LastUpdateStatus != "" || v.RuntimeVersionConfig != nil {
			t.Errorf("ListVersionsByFunction %s: State %q LastUpdateStatus %q RuntimeVersionConfig %v", aws.ToString(v.Version), v.State, v.LastUpdateStatus, v.RuntimeVersionConfig)
		}
	}
}

// TestLambdaLayerPublishWording covers PublishLayerVersion's answers as
// recorded from AWS: both bad lists reported, each in its own wording,
// and empty compatibility lists given as [].
func TestLambdaLayerPublishWording(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	c := lambdaClient(t, env)
	ctx := context.Background()
	_, err := c.PublishLayerVersion(ctx, &lambda.PublishLayerVersionInput{LayerName: aws.String("lib"),
		Content:            &lambdatypes.LayerVersionContentInput{ZipFile: scriptZip(t, "layer")},
		CompatibleRuntimes: []lambdatypes.Runtime{"invalidruntime"}, CompatibleArchitectures: []lambdatypes.Architecture{"invalidarch", "x86_64"}})
	e := expectAPIError(t, err, "ValidationException", 400)
	want := regexp.MustCompile(`^2 validation errors detected: Value '\[invalidruntime\]' at 'compatibleRuntimes' failed to satisfy constraint: ` +
		`Member must satisfy enum value set: \[[^\]]+\]; Value '\[invalidarch, x86_64\]' at 'compatibleArchitectures' failed to satisfy constraint: ` +
		`Member must satisfy constraint: \[Member must satisfy enum value set: \[x86_64, arm64\]\]$`)
	if !want.MatchString(e.Message) {
		t.Errorf("message %q", e.Message)
	}
	resp := do(t, env, rawRequest{Method: "POST", Path: "/2018-10-31/layers/bare/versions",
		Body:    `{"Content":{"ZipFile":"` + base64.StdEncoding.EncodeToString(scriptZip(t, "layer")) + `"}}`,
		Headers: map[string]string{"Content-Type": "application/json"}})
	var out map[string]any
	if err := json.Unmarshal(resp.Body, &out); err != nil || resp.Status != 201 {
		t.Fatalf("PublishLayerVersion: %d %s", resp.Status, resp.Body)
	}
	for _, k := range []string{"CompatibleRuntimes", "CompatibleArchitectures"} {
		if l, ok := out[k].([]any); !ok || len(l) != 0 {
			t.Errorf("%s = %#v, want []", k, out[k])
		}
	}
}

// TestLambdaURLAndPolicyWording covers the function URL and policy
// operations' answers for what does not exist, as recorded from AWS.
func TestLambdaURLAndPolicyWording(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	c := lambdaClient(t, env)
	ctx := context.Background()
	createStub(t, c, "up", true)
	prefix := "arn:aws:lambda:us-east-1:" + testAccount + ":function:"
	check := func(what string, err error, code string, status int, message string) {
		t.Helper()
		if e := expectAPIError(t, err, code, status); e.Message != message {
			t.Errorf("%s: message %q, want %q", what, e.Message, message)
		}
	}

	_, err := c.CreateFunctionUrlConfig(ctx, &lambda.CreateFunctionUrlConfigInput{FunctionName: aws.String("gone"), AuthType: lambdatypes.FunctionUrlAuthTypeNone})
	check("CreateFunctionUrlConfig, no function", err, "ResourceNotFoundException", 404, "Function does not exist")
	_, err = c.CreateFunctionUrlConfig(ctx, &lambda.CreateFunctionUrlConfigInput{FunctionName: aws.String("up"), Qualifier: aws.String("ghost"),
		AuthType: lambdatypes.FunctionUrlAuthTypeNone})
	check("CreateFunctionUrlConfig, no alias", err, "ResourceNotFoundException", 404, "Function does not exist")
	_, err = c.UpdateFunctionUrlConfig(ctx, &lambda.UpdateFunctionUrlConfigInput{FunctionName: aws.String("gone"), AuthType: lambdatypes.FunctionUrlAuthTypeNone})
	check("UpdateFunctionUrlConfig, no function", err, "ResourceNotFoundException", 404, "Function does not exist")
	_, err = c.ListFunctionUrlConfigs(ctx, &lambda.ListFunctionUrlConfigsInput{FunctionName: aws.String("gone")})
	check("ListFunctionUrlConfigs, no function", err, "ResourceNotFoundException", 404, "Function does not exist")
	_, err = c.GetFunctionUrlConfig(ctx, &lambda.GetFunctionUrlConfigInput{FunctionName: aws.String("gone")})
	check("GetFunctionUrlConfig, no function", err, "ResourceNotFoundException", 404, "The resource you requested does not exist.")
	_, err = c.DeleteFunctionUrlConfig(ctx, &lambda.DeleteFunctionUrlConfigInput{FunctionName: aws.String("gone")})
	check("DeleteFunctionUrlConfig, no function", err, "ResourceNotFoundException", 404, "The resource you requested does not exist.")

	add := func(q string) error {
		_, err := c.AddPermission(ctx, &lambda.AddPermissionInput{FunctionName: aws.String("up"), Qualifier: aws.String(q), StatementId: aws.String("s"),
			Action: aws.String("lambda:InvokeFunction"), Principal: aws.String("sns.amazonaws.com")})
		return err
	}
	check("AddPermission, no alias", add("ghost"), "ResourceNotFoundException", 404, "Cannot find alias arn: "+prefix+"up:ghost")
	check("AddPermission, no version", add("42"), "ResourceNotFoundException", 404, "Function not found: "+prefix+"up:42")
	_, err = c.RemovePermission(ctx, &lambda.RemovePermissionInput{FunctionName: aws.String("up"), Qualifier: aws.String("ghost"), StatementId: aws.String("s")})
	check("RemovePermission, no alias", err, "ResourceNotFoundException", 404, "Cannot find alias arn: "+prefix+"up:ghost")
	_, err = c.RemovePermission(ctx, &lambda.RemovePermissionInput{FunctionName: aws.String("gone"), StatementId: aws.String("s")})
	check("RemovePermission, no function", err, "ResourceNotFoundException", 404, "No policy found for: "+prefix+"gone")
	_, err = c.GetPolicy(ctx, &lambda.GetPolicyInput{FunctionName: aws.String("up"), Qualifier: aws.String("42")})
	check("GetPolicy, no version", err, "ResourceNotFoundException", 404, "The resource you requested does not exist.")
}

// TestLambdaEventInvokeConfigWording covers the event invoke
// configuration operations' refusals, as recorded from AWS.
func TestLambdaEventInvokeConfigWording(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	c := lambdaClient(t, env)
	ctx := context.Background()
	createStub(t, c, "eic", false)
	prefix := "arn:aws:lambda:us-east-1:" + testAccount + ":function:"
	check := func(what string, err error, code string, status int, message string) {
		t.Helper()
		if e := expectAPIError(t, err, code, status); e.Message != message {
			t.Errorf("%s: message %q, want %q", what, e.Message, message)
		}
	}
	_, err := c.PutFunctionEventInvokeConfig(ctx, &lambda.PutFunctionEventInvokeConfigInput{FunctionName: aws.String("gone"), MaximumRetryAttempts: aws.Int32(1)})
	check("Put, no function", err, "ResourceNotFoundException", 404, "The function doesn't exist.")
	_, err = c.PutFunctionEventInvokeConfig(ctx, &lambda.PutFunctionEventInvokeConfigInput{FunctionName: aws.String("eic"), Qualifier: aws.String("ghost"),
		MaximumRetryAttempts: aws.Int32(1)})
	check("Put, no alias", err, "ResourceNotFoundException", 404, "The function doesn't exist.")
	_, err = c.ListFunctionEventInvokeConfigs(ctx, &lambda.ListFunctionEventInvokeConfigsInput{FunctionName: aws.String("gone")})
	check("List, no function", err, "ResourceNotFoundException", 404, "The function doesn't exist.")
	_, err = c.GetFunctionEventInvokeConfig(ctx, &lambda.GetFunctionEventInvokeConfigInput{FunctionName: aws.String("gone")})
	check("Get, no function", err, "ResourceNotFoundException", 404, "The function "+prefix+"gone:$LATEST doesn't have an EventInvokeConfig")
	_, err = c.DeleteFunctionEventInvokeConfig(ctx, &lambda.DeleteFunctionEventInvokeConfigInput{FunctionName: aws.String("gone")})
	check("Delete, no function", err, "ResourceNotFoundException", 404, "The function "+prefix+"gone:$LATEST doesn't have an EventInvokeConfig")
	_, err = c.PutFunctionEventInvokeConfig(ctx, &lambda.PutFunctionEventInvokeConfigInput{FunctionName: aws.String("eic")})
	check("Put, nothing", err, "InvalidParameterValueException", 400, "You must specify at least one of error handling or destination setting.")
	dest := func(arn string) error {
		_, err := c.PutFunctionEventInvokeConfig(ctx, &lambda.PutFunctionEventInvokeConfigInput{FunctionName: aws.String("eic"),
			DestinationConfig: &lambdatypes.DestinationConfig{OnSuccess: &lambdatypes.OnSuccess{Destination: aws.String(arn)}}})
		return err
	}
	check("itself", dest(prefix+"eic"), "InvalidParameterValueException", 400, "You can't specify the function as a destination for itself.")
	check("missing function", dest(prefix+"gone"), "InvalidParameterValueException", 400, "The destination ARN "+prefix+"gone is invalid.")
}

// TestLambdaPermissionStatementOrder covers the statement AddPermission
// answers with, as recorded from AWS: StringEquals before ArnLike, and
// within it the function URL auth type, the organization, the account.
func TestLambdaPermissionStatementOrder(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	c := lambdaClient(t, env)
	ctx := context.Background()
	createStub(t, c, "st", false)
	out, err := c.AddPermission(ctx, &lambda.AddPermissionInput{FunctionName: aws.String("st"), StatementId: aws.String("urlPermission"),
		Action: aws.String("lambda:InvokeFunctionUrl"), Principal: aws.String("*"), SourceArn: aws.String("arn:aws:s3:::bucket"),
		SourceAccount: aws.String(testAccount), PrincipalOrgID: aws.String("o-1234567890"), FunctionUrlAuthType: lambdatypes.FunctionUrlAuthTypeNone})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"Sid":"urlPermission","Effect":"Allow","Principal":"*","Action":"lambda:InvokeFunctionUrl",` +
		`"Resource":"arn:aws:lambda:us-east-1:` + testAccount + `:function:st","Condition":{"StringEquals":{"lambda:FunctionUrlAuthType":"NONE",` +
		`"aws:PrincipalOrgID":"o-1234567890","AWS:SourceAccount":"` + testAccount + `"},"ArnLike":{"AWS:SourceArn":"arn:aws:s3:::bucket"}}}`
	if aws.ToString(out.Statement) != want {
		t.Errorf("Statement =\n%s\nwant\n%s", aws.ToString(out.Statement), want)
	}
}

// createStub creates a provided.al2023 function that is never invoked,
// with Lambda's defaults, published as version 1 when publish is set.
func createStub(t *testing.T, c *lambda.Client, name string, publish bool) *lambda.CreateFunctionOutput {
	t.Helper()
	out, err := c.CreateFunction(context.Background(), &lambda.CreateFunctionInput{FunctionName: aws.String(name), Runtime: lambdatypes.RuntimeProvidedal2023,
		Handler: aws.String("bootstrap"), Role: aws.String(lambdaRole), Code: &lambdatypes.FunctionCode{ZipFile: scriptZip(t, "x")}, Publish: publish})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
