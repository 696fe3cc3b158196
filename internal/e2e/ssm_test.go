package e2e_test

import (
	"context"
	"encoding/base64"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/virga/virga/internal/e2e"
)

func TestSSMParameterLifecycle(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	c := ssm.NewFromConfig(env.Config)
	ctx := context.Background()

	put, err := c.PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String("/app/db/host"), Value: aws.String("db1"),
		Type: types.ParameterTypeString, Description: aws.String("the database"),
		Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("core")}}})
	if err != nil {
		t.Fatal(err)
	}
	if put.Version != 1 || put.Tier != types.ParameterTierStandard {
		t.Errorf("PutParameter = version %d tier %s, want 1 Standard", put.Version, put.Tier)
	}
	_, err = c.PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String("/app/db/host"), Value: aws.String("db2"), Type: types.ParameterTypeString})
	got := expectAPIError(t, err, "ParameterAlreadyExists", 400)
	if got.Message != "The parameter already exists. To overwrite this value, set the overwrite option in the request to true." {
		t.Errorf("message = %q", got.Message)
	}
	put, err = c.PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String("/app/db/host"), Value: aws.String("db2"), Overwrite: aws.Bool(true)})
	if err != nil || put.Version != 2 {
		t.Fatalf("overwrite = %+v, %v; want version 2", put, err)
	}
	_, err = c.PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String("/app/db/host"), Value: aws.String("db3"), Overwrite: aws.Bool(true),
		Tags: []types.Tag{{Key: aws.String("a"), Value: aws.String("b")}}})
	if got := expectAPIError(t, err, "ValidationException", 400); !strings.Contains(got.Message, "tags and overwrite can't be used together") {
		t.Errorf("tags with overwrite: %q", got.Message)
	}

	p, err := c.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String("/app/db/host")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(p.Parameter.Value) != "db2" || p.Parameter.Version != 2 || p.Parameter.Type != types.ParameterTypeString ||
		aws.ToString(p.Parameter.ARN) != "arn:aws:ssm:us-east-1:"+testAccount+":parameter/app/db/host" || aws.ToString(p.Parameter.DataType) != "text" {
		t.Errorf("GetParameter = %+v", p.Parameter)
	}
	p, err = c.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String("/app/db/host:1")})
	if err != nil || aws.ToString(p.Parameter.Value) != "db1" || aws.ToString(p.Parameter.Selector) != ":1" {
		t.Fatalf("name:1 = %+v, %v", p, err)
	}
	_, err = c.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String("/app/db/host:9")})
	if got := expectAPIError(t, err, "ParameterVersionNotFound", 400); got.Message != "Systems Manager could not find version 9 of /app/db/host. Verify the version and try again." {
		t.Errorf("version 9: %q", got.Message)
	}
	_, err = c.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String("/nope")})
	expectAPIError(t, err, "ParameterNotFound", 400)
	_, err = c.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String("/aws/service/global-infrastructure/regions")})
	expectAPIError(t, err, "ParameterNotFound", 400)

	// Labels move between versions and select them.
	lab, err := c.LabelParameterVersion(ctx, &ssm.LabelParameterVersionInput{Name: aws.String("/app/db/host"), ParameterVersion: aws.Int64(1),
		Labels: []string{"prod", "1bad", "awsx"}})
	if err != nil {
		t.Fatal(err)
	}
	if lab.ParameterVersion != 1 || strings.Join(lab.InvalidLabels, ",") != "1bad,awsx" {
		t.Errorf("LabelParameterVersion = %+v", lab)
	}
	p, err = c.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String("/app/db/host:prod")})
	if err != nil || aws.ToString(p.Parameter.Value) != "db1" {
		t.Fatalf("name:prod = %+v, %v", p, err)
	}
	if _, err := c.LabelParameterVersion(ctx, &ssm.LabelParameterVersionInput{Name: aws.String("/app/db/host"), Labels: []string{"prod"}}); err != nil {
		t.Fatal(err)
	}
	hist, err := c.GetParameterHistory(ctx, &ssm.GetParameterHistoryInput{Name: aws.String("/app/db/host")})
	if err != nil || len(hist.Parameters) != 2 {
		t.Fatalf("history = %+v, %v", hist, err)
	}
	if len(hist.Parameters[0].Labels) != 0 || strings.Join(hist.Parameters[1].Labels, ",") != "prod" || aws.ToString(hist.Parameters[0].Description) != "the database" {
		t.Errorf("history after moving the label: %+v / %+v", hist.Parameters[0], hist.Parameters[1])
	}
	un, err := c.UnlabelParameterVersion(ctx, &ssm.UnlabelParameterVersionInput{Name: aws.String("/app/db/host"), ParameterVersion: aws.Int64(2), Labels: []string{"prod", "none"}})
	if err != nil || strings.Join(un.RemovedLabels, ",") != "prod" || strings.Join(un.InvalidLabels, ",") != "none" {
		t.Fatalf("Unlabel = %+v, %v", un, err)
	}

	// SecureString: sealed unless decrypted.
	if _, err := c.PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String("/app/db/password"), Value: aws.String("s3cret"), Type: types.ParameterTypeSecureString}); err != nil {
		t.Fatal(err)
	}
	p, err = c.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String("/app/db/password")})
	if err != nil {
		t.Fatal(err)
	}
	if v := aws.ToString(p.Parameter.Value); v == "s3cret" || v == "" {
		t.Errorf("SecureString without decryption = %q", v)
	} else if _, err := base64.StdEncoding.DecodeString(v); err != nil {
		t.Errorf("SecureString without decryption is not base64: %q", v)
	}
	p, err = c.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String("/app/db/password"), WithDecryption: aws.Bool(true)})
	if err != nil || aws.ToString(p.Parameter.Value) != "s3cret" {
		t.Fatalf("decrypted = %+v, %v", p, err)
	}

	many, err := c.GetParameters(ctx, &ssm.GetParametersInput{Names: []string{"/app/db/host", "/missing", "/app/db/password"}, WithDecryption: aws.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	if len(many.Parameters) != 2 || strings.Join(many.InvalidParameters, ",") != "/missing" {
		t.Errorf("GetParameters = %+v", many)
	}

	tags, err := c.ListTagsForResource(ctx, &ssm.ListTagsForResourceInput{ResourceType: types.ResourceTypeForTaggingParameter, ResourceId: aws.String("/app/db/host")})
	if err != nil || len(tags.TagList) != 1 || aws.ToString(tags.TagList[0].Key) != "team" {
		t.Fatalf("tags = %+v, %v", tags, err)
	}
	if _, err := c.AddTagsToResource(ctx, &ssm.AddTagsToResourceInput{ResourceType: types.ResourceTypeForTaggingParameter, ResourceId: aws.String("/app/db/host"),
		Tags: []types.Tag{{Key: aws.String("env"), Value: aws.String("dev")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.RemoveTagsFromResource(ctx, &ssm.RemoveTagsFromResourceInput{ResourceType: types.ResourceTypeForTaggingParameter, ResourceId: aws.String("/app/db/host"),
		TagKeys: []string{"team"}}); err != nil {
		t.Fatal(err)
	}
	tags, _ = c.ListTagsForResource(ctx, &ssm.ListTagsForResourceInput{ResourceType: types.ResourceTypeForTaggingParameter, ResourceId: aws.String("/app/db/host")})
	if len(tags.TagList) != 1 || aws.ToString(tags.TagList[0].Key) != "env" {
		t.Errorf("tags after add and remove = %+v", tags.TagList)
	}

	if _, err := c.DeleteParameter(ctx, &ssm.DeleteParameterInput{Name: aws.String("/app/db/host")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.DeleteParameter(ctx, &ssm.DeleteParameterInput{Name: aws.String("/app/db/host")})
	expectAPIError(t, err, "ParameterNotFound", 400)
	del, err := c.DeleteParameters(ctx, &ssm.DeleteParametersInput{Names: []string{"/app/db/password", "/gone"}})
	if err != nil || strings.Join(del.DeletedParameters, ",") != "/app/db/password" || strings.Join(del.InvalidParameters, ",") != "/gone" {
		t.Fatalf("DeleteParameters = %+v, %v", del, err)
	}
}

func TestSSMPutParameterRules(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	c := ssm.NewFromConfig(env.Config)
	ctx := context.Background()
	put := func(in ssm.PutParameterInput) error {
		if in.Type == "" {
			in.Type = types.ParameterTypeString
		}
		if in.Value == nil {
			in.Value = aws.String("v")
		}
		_, err := c.PutParameter(ctx, &in)
		return err
	}
	for _, tc := range []struct {
		name, code, message string
	}{
		{"a/b", "ValidationException", "Parameter name must be a fully qualified name."},
		{"/aws/x", "ValidationException", `Parameter name: can't be prefixed with "aws" or "ssm" (case-insensitive).`},
		{"SSMthing", "ValidationException", `can't be prefixed`},
		{"/has space", "ValidationException", `can't be prefixed`},
		{"/1/2/3/4/5/6/7/8/9/10/11/12/13/14/15/16", "HierarchyLevelLimitExceededException", "A hierarchy can have a maximum of 15 levels."},
	} {
		err := put(ssm.PutParameterInput{Name: aws.String(tc.name)})
		if got := expectAPIError(t, err, tc.code, 400); !strings.Contains(got.Message, tc.message) {
			t.Errorf("%s: message %q, want it to contain %q", tc.name, got.Message, tc.message)
		}
	}
	if err := put(ssm.PutParameterInput{Name: aws.String("/1/2/3/4/5/6/7/8/9/10/11/12/13/14/15")}); err != nil {
		t.Errorf("15 levels: %v", err)
	}
	_, err := c.PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String("/notype"), Value: aws.String("v")})
	expectAPIError(t, err, "ValidationException", 400)

	big := strings.Repeat("x", 4097)
	err = put(ssm.PutParameterInput{Name: aws.String("/big"), Value: aws.String(big)})
	if got := expectAPIError(t, err, "ValidationException", 400); !strings.HasPrefix(got.Message, "Standard tier parameters support a maximum parameter value of 4096 characters.") {
		t.Errorf("4097 bytes: %q", got.Message)
	}
	r, err := c.PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String("/big"), Value: aws.String(big), Type: types.ParameterTypeString, Tier: types.ParameterTierAdvanced})
	if err != nil || r.Tier != types.ParameterTierAdvanced {
		t.Fatalf("advanced = %+v, %v", r, err)
	}
	r, err = c.PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String("/smart"), Value: aws.String(big), Type: types.ParameterTypeString, Tier: types.ParameterTierIntelligentTiering})
	if err != nil || r.Tier != types.ParameterTierAdvanced {
		t.Fatalf("intelligent tiering = %+v, %v", r, err)
	}
	_, err = c.PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String("/big"), Value: aws.String("x"), Overwrite: aws.Bool(true), Tier: types.ParameterTierStandard})
	if got := expectAPIError(t, err, "ValidationException", 400); !strings.Contains(got.Message, "can't downgrade") {
		t.Errorf("downgrade: %q", got.Message)
	}
	err = put(ssm.PutParameterInput{Name: aws.String("/huge"), Value: aws.String(strings.Repeat("x", 8193)), Tier: types.ParameterTierAdvanced})
	expectAPIError(t, err, "ValidationException", 400)

	err = put(ssm.PutParameterInput{Name: aws.String("/pat"), Value: aws.String("abc"), AllowedPattern: aws.String(`^\d+$`)})
	if got := expectAPIError(t, err, "ParameterPatternMismatchException", 400); got.Message != `Parameter value, cannot be validated against allowedPattern: ^\d+$` {
		t.Errorf("pattern: %q", got.Message)
	}
	if err := put(ssm.PutParameterInput{Name: aws.String("/pat"), Value: aws.String("123"), AllowedPattern: aws.String(`^\d+$`)}); err != nil {
		t.Fatal(err)
	}
	// The pattern stays with the parameter for later versions.
	_, err = c.PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String("/pat"), Value: aws.String("x"), Overwrite: aws.Bool(true)})
	expectAPIError(t, err, "ParameterPatternMismatchException", 400)

	err = put(ssm.PutParameterInput{Name: aws.String("/dt"), DataType: aws.String("Text")})
	if got := expectAPIError(t, err, "ValidationException", 400); got.Message != "The following data type is not supported: Text (Data type names are all lowercase.)" {
		t.Errorf("data type: %q", got.Message)
	}
	err = put(ssm.PutParameterInput{Name: aws.String("/ami"), DataType: aws.String("aws:ec2:image"), Value: aws.String("not-an-ami")})
	expectAPIError(t, err, "ValidationException", 400)
	if err := put(ssm.PutParameterInput{Name: aws.String("/ami"), DataType: aws.String("aws:ec2:image"), Value: aws.String("ami-0123456789abcdef0")}); err != nil {
		t.Errorf("AMI id: %v", err)
	}
	err = put(ssm.PutParameterInput{Name: aws.String("/nest"), Value: aws.String("{{ssm:/other}}")})
	expectAPIError(t, err, "ValidationException", 400)
}

func TestSSMGetParametersByPathAndDescribe(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	c := ssm.NewFromConfig(env.Config)
	ctx := context.Background()
	for _, n := range []string{"/svc/a", "/svc/b", "/svc/deep/c", "/svc/deep/er/d", "/svcx/e", "top"} {
		typ := types.ParameterTypeString
		if strings.HasSuffix(n, "b") {
			typ = types.ParameterTypeSecureString
		}
		if _, err := c.PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String(n), Value: aws.String("v" + n), Type: typ,
			Tags: []types.Tag{{Key: aws.String("n"), Value: aws.String(n)}}}); err != nil {
			t.Fatal(err)
		}
	}
	names := func(ps []types.Parameter) string {
		var out []string
		for _, p := range ps {
			out = append(out, aws.ToString(p.Name))
		}
		return strings.Join(out, ",")
	}
	one, err := c.GetParametersByPath(ctx, &ssm.GetParametersByPathInput{Path: aws.String("/svc")})
	if err != nil || names(one.Parameters) != "/svc/a,/svc/b" {
		t.Fatalf("one level = %s, %v", names(one.Parameters), err)
	}
	var all []types.Parameter
	var token *string
	for pages := 0; ; pages++ {
		out, err := c.GetParametersByPath(ctx, &ssm.GetParametersByPathInput{Path: aws.String("/svc/"), Recursive: aws.Bool(true), MaxResults: aws.Int32(1), NextToken: token, WithDecryption: aws.Bool(true)})
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, out.Parameters...)
		if token = out.NextToken; token == nil {
			break
		}
		if pages > 10 {
			t.Fatal("paging does not end")
		}
	}
	if names(all) != "/svc/a,/svc/b,/svc/deep/c,/svc/deep/er/d" || aws.ToString(all[1].Value) != "v/svc/b" {
		t.Errorf("recursive in pages = %s (%+v)", names(all), all)
	}
	typed, err := c.GetParametersByPath(ctx, &ssm.GetParametersByPathInput{Path: aws.String("/svc"), Recursive: aws.Bool(true),
		ParameterFilters: []types.ParameterStringFilter{{Key: aws.String("Type"), Values: []string{"SecureString"}}}})
	if err != nil || names(typed.Parameters) != "/svc/b" {
		t.Errorf("Type filter = %s, %v", names(typed.Parameters), err)
	}
	_, err = c.GetParametersByPath(ctx, &ssm.GetParametersByPathInput{Path: aws.String("/svc"),
		ParameterFilters: []types.ParameterStringFilter{{Key: aws.String("Name"), Values: []string{"x"}}}})
	expectAPIError(t, err, "InvalidFilterKey", 400)
	_, err = c.GetParametersByPath(ctx, &ssm.GetParametersByPathInput{Path: aws.String("svc")})
	expectAPIError(t, err, "ValidationException", 400)
	_, err = c.GetParametersByPath(ctx, &ssm.GetParametersByPathInput{Path: aws.String("/svc"), MaxResults: aws.Int32(11)})
	expectAPIError(t, err, "ValidationException", 400)

	meta := func(in *ssm.DescribeParametersInput) string {
		t.Helper()
		out, err := c.DescribeParameters(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		var n []string
		for _, p := range out.Parameters {
			n = append(n, aws.ToString(p.Name))
		}
		return strings.Join(n, ",")
	}
	if got := meta(&ssm.DescribeParametersInput{ParameterFilters: []types.ParameterStringFilter{{Key: aws.String("Path"), Option: aws.String("Recursive"), Values: []string{"/svc/deep"}}}}); got != "/svc/deep/c,/svc/deep/er/d" {
		t.Errorf("Path Recursive = %s", got)
	}
	if got := meta(&ssm.DescribeParametersInput{ParameterFilters: []types.ParameterStringFilter{{Key: aws.String("Name"), Option: aws.String("Contains"), Values: []string{"deep"}}}}); got != "/svc/deep/c,/svc/deep/er/d" {
		t.Errorf("Name Contains = %s", got)
	}
	if got := meta(&ssm.DescribeParametersInput{ParameterFilters: []types.ParameterStringFilter{{Key: aws.String("tag:n"), Values: []string{"top"}}}}); got != "top" {
		t.Errorf("tag filter = %s", got)
	}
	if got := meta(&ssm.DescribeParametersInput{Filters: []types.ParametersFilter{{Key: types.ParametersFilterKeyType, Values: []string{"SecureString"}}}}); got != "/svc/b" {
		t.Errorf("legacy Type filter = %s", got)
	}
	_, err = c.DescribeParameters(ctx, &ssm.DescribeParametersInput{ParameterFilters: []types.ParameterStringFilter{{Key: aws.String("Type"), Option: aws.String("Contains"), Values: []string{"S"}}}})
	expectAPIError(t, err, "InvalidFilterOption", 400)
	page, err := c.DescribeParameters(ctx, &ssm.DescribeParametersInput{MaxResults: aws.Int32(4)})
	if err != nil || len(page.Parameters) != 4 || page.NextToken == nil {
		t.Fatalf("page 1 = %+v, %v", page, err)
	}
	page, err = c.DescribeParameters(ctx, &ssm.DescribeParametersInput{MaxResults: aws.Int32(4), NextToken: page.NextToken})
	if err != nil || len(page.Parameters) != 2 || page.NextToken != nil {
		t.Fatalf("page 2 = %+v, %v", page, err)
	}
}

// TestSSMDescribeParametersARN: DescribeParameters lists each
// parameter's ARN, as GetParameter gives it, for a top-level name (whose
// ARN has a slash the name does not) and a path.
func TestSSMDescribeParametersARN(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	c := ssm.NewFromConfig(env.Config)
	ctx := context.Background()
	for _, name := range []string{"top", "/app/key"} {
		if _, err := c.PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String(name), Value: aws.String("v"), Type: types.ParameterTypeString}); err != nil {
			t.Fatal(err)
		}
	}
	out, err := c.DescribeParameters(ctx, &ssm.DescribeParametersInput{})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"top":      "arn:aws:ssm:us-east-1:000000000000:parameter/top",
		"/app/key": "arn:aws:ssm:us-east-1:000000000000:parameter/app/key",
	}
	for _, p := range out.Parameters {
		if got := aws.ToString(p.ARN); got != want[aws.ToString(p.Name)] {
			t.Errorf("%s: ARN = %q, want %q", aws.ToString(p.Name), got, want[aws.ToString(p.Name)])
		}
	}
	if len(out.Parameters) != len(want) {
		t.Errorf("parameters = %d, want %d", len(out.Parameters), len(want))
	}
}
