package e2e_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/xray"

	"github.com/virga/virga/internal/e2e"
)

const tracedTemplate = `AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Tracing: Active
  Api:
    TracingEnabled: true
Resources:
  Hello:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      InlineCode: |
        import json, os
        def handler(event, context):
            return {'statusCode': 200, 'body': json.dumps({'trace': os.environ.get('_X_AMZN_TRACE_ID'),
                'header': event['headers'].get('X-Amzn-Trace-Id')})}
      Events:
        Get:
          Type: Api
          Properties:
            Path: /hello
            Method: get
Outputs:
  ApiId:
    Value: !Ref ServerlessRestApi
`

// TestXRayTracedSAMApi deploys a SAM template with Tracing: Active on its
// functions and TracingEnabled on its API, calls the API, and reads back
// one trace: the stage's segment, then Lambda's two, linked by parent.
func TestXRayTracedSAMApi(t *testing.T) {
	t.Parallel()
	e2e.RequireTool(t, e2e.AWSCLI)
	env := e2e.Start(t)
	ctx := context.Background()
	x := xray.NewFromConfig(env.Config)
	apiID := deployWithCLI(t, env, "traced", tracedTemplate)["ApiId"]
	root := xrayTraceID(time.Now(), 77)
	r := apigwv1Call(t, env, apiID, "GET", "/Prod/hello", nil, map[string]string{"X-Amzn-Trace-Id": "Root=" + root + ";Sampled=1"}, true)
	ev := apigwv1Event(t, r)
	if !strings.HasPrefix(fmt.Sprint(ev["header"]), "Root="+root+";Parent=") || !strings.HasPrefix(fmt.Sprint(ev["trace"]), "Root="+root+";Parent=") {
		t.Fatalf("the function saw header %v, trace %v", ev["header"], ev["trace"])
	}

	byOrigin := map[string]map[string]any{}
	deadline := time.Now().Add(10 * time.Second)
	for len(byOrigin) < 3 {
		got, err := x.BatchGetTraces(ctx, &xray.BatchGetTracesInput{TraceIds: []string{root}})
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Traces) == 1 && len(got.Traces[0].Segments) == 3 {
			for _, s := range got.Traces[0].Segments {
				var m map[string]any
				json.Unmarshal([]byte(aws.ToString(s.Document)), &m)
				byOrigin[fmt.Sprint(m["origin"])] = m
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the trace's segments never all arrived: %+v", got.Traces)
		}
		time.Sleep(20 * time.Millisecond)
	}
	stage, svc, fn := byOrigin["AWS::ApiGateway::Stage"], byOrigin["AWS::Lambda"], byOrigin["AWS::Lambda::Function"]
	if stage == nil || svc == nil || fn == nil {
		t.Fatalf("segments by origin: %v", byOrigin)
	}
	if stage["name"] != "traced/Prod" || svc["parent_id"] != stage["id"] || fn["parent_id"] != svc["id"] {
		t.Errorf("stage %v / service %v / function %v", stage, svc, fn)
	}
	if want := "Root=" + root + ";Parent=" + fmt.Sprint(fn["id"]) + ";Sampled=1"; ev["trace"] != want {
		t.Errorf("_X_AMZN_TRACE_ID = %v; want %s", ev["trace"], want)
	}

	graph, err := x.GetTraceGraph(ctx, &xray.GetTraceGraphInput{TraceIds: []string{root}})
	if err != nil {
		t.Fatal(err)
	}
	if len(graph.Services) != 3 || !aws.ToBool(graph.Services[0].Root) || len(graph.Services[0].Edges) != 1 {
		t.Errorf("trace graph = %+v", graph.Services)
	}
	sums, err := x.GetTraceSummaries(ctx, &xray.GetTraceSummariesInput{StartTime: aws.Time(time.Now().Add(-time.Minute)),
		EndTime: aws.Time(time.Now().Add(time.Minute)), FilterExpression: aws.String(`http.status = 200 AND annotation.aws:api_stage = "Prod"`)})
	if err != nil || len(sums.TraceSummaries) != 1 {
		t.Fatalf("GetTraceSummaries = %+v, %v", sums, err)
	}
}
