package e2e_test

import (
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"

	"github.com/virga/virga/internal/e2e"
)

// calculatorURL is the form of EstimateTemplateCost's answer in AWS's
// API reference.
var calculatorURL = regexp.MustCompile(`^http://calculator\.s3\.amazonaws\.com/calc5\.html\?key=cf-[0-9a-f-]{36}$`)

// TestCloudFormationEstimateTemplateCost: a valid template's estimate is
// a calculator URL, through aws-sdk-go-v2 and the aws CLI; an invalid
// template is ValidationError, as ValidateTemplate answers it.
func TestCloudFormationEstimateTemplateCost(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	cf := cloudformation.NewFromConfig(env.Config)

	out, err := cf.EstimateTemplateCost(ctx, &cloudformation.EstimateTemplateCostInput{TemplateBody: aws.String(oneQueue)})
	if err != nil {
		t.Fatal(err)
	}
	if !calculatorURL.MatchString(aws.ToString(out.Url)) {
		t.Errorf("Url = %q", aws.ToString(out.Url))
	}
	_, err = cf.EstimateTemplateCost(ctx, &cloudformation.EstimateTemplateCostInput{TemplateBody: aws.String("Resources:\n  Box:\n    Properties: {}\n")})
	if e := wantAPIError(t, err); e.Code != "ValidationError" {
		t.Errorf("invalid template: %v", err)
	}

	res := env.CLI(t, "cloudformation", "estimate-template-cost", "--template-body", oneQueue)
	if res.ExitCode != 0 {
		t.Fatalf("aws cloudformation estimate-template-cost: %s", res.Stderr)
	}
	var cli struct{ Url string }
	if err := json.Unmarshal([]byte(res.Stdout), &cli); err != nil || !calculatorURL.MatchString(cli.Url) {
		t.Errorf("CLI answered %q (%v)", res.Stdout, err)
	}
	res = env.CLI(t, "cloudformation", "estimate-template-cost", "--template-body", "{}")
	if res.ExitCode == 0 || !strings.Contains(res.Stderr, "ValidationError") {
		t.Errorf("CLI with an empty template: %d %s", res.ExitCode, res.Stderr)
	}
}
