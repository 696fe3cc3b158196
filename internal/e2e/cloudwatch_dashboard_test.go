package e2e_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"

	"github.com/virga/virga/internal/e2e"
)

// dashboardTemplate has the shape of the serverless samples' dashboards:
// a body built with Fn::Sub from the stack's resources, one dashboard
// named and one not.
const dashboardTemplate = `Resources:
  Queue:
    Type: AWS::SQS::Queue
  Named:
    Type: AWS::CloudWatch::Dashboard
    Properties:
      DashboardName: !Sub "${AWS::StackName}-dashboard"
      DashboardBody:
        Fn::Sub: >
          {"widgets": [{"type": "metric", "x": 0, "y": 0, "width": 12, "height": 6,
            "properties": {"metrics": [["AWS/SQS", "NumberOfMessagesSent", "QueueName", "${Queue.QueueName}"]],
                           "region": "${AWS::Region}", "stat": "Sum", "period": 60}}]}
  Unnamed:
    Type: AWS::CloudWatch::Dashboard
    Properties:
      DashboardBody: '{"widgets": []}'
Outputs:
  Named:
    Value: !Ref Named
  Unnamed:
    Value: !Ref Unnamed
`

// TestCloudWatchDashboards: a stack's dashboards are made, read, listed
// and deleted with it; PutDashboard refuses a body that is not a JSON
// object with a list of widgets, and a name with other characters than
// AWS allows, and the aws CLI (awsQuery) reads them too.
func TestCloudWatchDashboards(t *testing.T) {
	t.Parallel()
	e2e.RequireTool(t, e2e.AWSCLI)
	env := e2e.Start(t)
	ctx := context.Background()
	cw := cloudwatch.NewFromConfig(env.Config)
	outs := deployWithCLI(t, env, "dash", dashboardTemplate)
	if outs["Named"] != "dash-dashboard" || !strings.HasPrefix(outs["Unnamed"], "dash-Unnamed-") {
		t.Fatalf("outputs %v", outs)
	}
	got, err := cw.GetDashboard(ctx, &cloudwatch.GetDashboardInput{DashboardName: aws.String("dash-dashboard")})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(aws.ToString(got.DashboardBody), `"QueueName", "dash-Queue-`) ||
		aws.ToString(got.DashboardArn) != "arn:aws:cloudwatch::"+testAccount+":dashboard/dash-dashboard" {
		t.Errorf("GetDashboard: %s %s", aws.ToString(got.DashboardArn), aws.ToString(got.DashboardBody))
	}
	list, err := cw.ListDashboards(ctx, &cloudwatch.ListDashboardsInput{DashboardNamePrefix: aws.String("dash-")})
	if err != nil || len(list.DashboardEntries) != 2 {
		t.Fatalf("ListDashboards: %v %+v", err, list)
	}
	// By name: upper-case letters sort before lower-case ones.
	for i, want := range []string{outs["Unnamed"], "dash-dashboard"} {
		if e := list.DashboardEntries[i]; aws.ToString(e.DashboardName) != want || e.LastModified == nil || aws.ToInt64(e.Size) == 0 {
			t.Errorf("ListDashboards entry %d: %+v, want %s", i, e, want)
		}
	}
	if res := env.CLI(t, "cloudwatch", "get-dashboard", "--dashboard-name", outs["Unnamed"]); res.ExitCode != 0 ||
		!strings.Contains(res.Stdout, `"DashboardBody": "{\"widgets\": []}"`) {
		t.Errorf("aws cloudwatch get-dashboard: %s %s", res.Stdout, res.Stderr)
	}

	for body, path := range map[string]string{
		`{"widgets": [`:                 `"dataPath": ""`,
		`[]`:                            `"dataPath": ""`,
		`{"widgets": {}}`:               `"dataPath": "/widgets"`,
		`{"widgets": [{"type": 1}, 2]}`: `"dataPath": "/widgets/1"`,
	} {
		_, err := cw.PutDashboard(ctx, &cloudwatch.PutDashboardInput{DashboardName: aws.String("bad"), DashboardBody: aws.String(body)})
		e := expectAPIError(t, err, "InvalidParameterInput", 400)
		if !strings.HasPrefix(e.Message, "The dashboard body is invalid, there are 1 validation errors:") || !strings.Contains(e.Message, path) {
			t.Errorf("PutDashboard %s: %s", body, e.Message)
		}
	}
	_, err = cw.PutDashboard(ctx, &cloudwatch.PutDashboardInput{DashboardName: aws.String("a b"), DashboardBody: aws.String(`{"widgets": []}`)})
	expectAPIError(t, err, "InvalidParameterInput", 400)

	if res := env.CLI(t, "cloudformation", "delete-stack", "--stack-name", "dash"); res.ExitCode != 0 {
		t.Fatal(res.Stderr)
	}
	if err := cloudformation.NewStackDeleteCompleteWaiter(cloudformation.NewFromConfig(env.Config)).Wait(ctx,
		&cloudformation.DescribeStacksInput{StackName: aws.String("dash")}, 60e9); err != nil {
		t.Fatal(err)
	}
	_, err = cw.GetDashboard(ctx, &cloudwatch.GetDashboardInput{DashboardName: aws.String("dash-dashboard")})
	if e := expectAPIError(t, err, "ResourceNotFound", 404); e.Message != "Dashboard dash-dashboard does not exist" {
		t.Errorf("GetDashboard after the delete: %q", e.Message)
	}
	_, err = cw.DeleteDashboards(ctx, &cloudwatch.DeleteDashboardsInput{DashboardNames: []string{outs["Unnamed"]}})
	expectAPIError(t, err, "ResourceNotFound", 404)
}
