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
        import json, os, socket, time, random
        def handler(event, context):
            # What an X-Ray SDK does for a DynamoDB call: a subsegment
            # under the function's segment, sent to the daemon.
            trace = dict(p.split('=', 1) for p in os.environ['_X_AMZN_TRACE_ID'].split(';'))
            now = time.time()
            sub = {'type': 'subsegment', 'name': 'DynamoDB', 'namespace': 'aws', 'id': '%016x' % random.getrandbits(64),
                   'trace_id': trace['Root'], 'parent_id': trace['Parent'], 'start_time': now, 'end_time': now + 0.01}
            host, port = os.environ['AWS_XRAY_DAEMON_ADDRESS'].split(':')
            socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(
                ('{"format": "json", "version": 1}\n' + json.dumps(sub)).encode(), (host, int(port)))
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
// one trace: the stage's segment, Lambda's two, linked by parent, and the
// subsegment the function sent to the daemon for a DynamoDB call.
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
	for len(byOrigin) < 4 {
		got, err := x.BatchGetTraces(ctx, &xray.BatchGetTracesInput{TraceIds: []string{root}})
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Traces) == 1 && len(got.Traces[0].Segments) == 4 {
			for _, s := range got.Traces[0].Segments {
				var m map[string]any
				json.Unmarshal([]byte(aws.ToString(s.Document)), &m)
				if m["type"] == "subsegment" {
					byOrigin["subsegment"] = m
				} else {
					byOrigin[fmt.Sprint(m["origin"])] = m
				}
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the trace's segments never all arrived: %+v", got.Traces)
		}
		time.Sleep(20 * time.Millisecond)
	}
	stage, svc, fn := byOrigin["AWS::ApiGateway::Stage"], byOrigin["AWS::Lambda"], byOrigin["AWS::Lambda::Function"]
	if sub := byOrigin["subsegment"]; sub == nil || sub["parent_id"] != fn["id"] {
		t.Errorf("the function's subsegment = %v", sub)
	}
	if stage == nil || svc == nil || fn == nil {
		t.Fatalf("segments by origin: %v", byOrigin)
	}
	if stage["name"] != "traced/Prod" || svc["parent_id"] != stage["id"] || fn["parent_id"] != svc["id"] {
		t.Errorf("stage %v / service %v / function %v", stage, svc, fn)
	}
	// The function's header names its segment, and counts it in the
	// chain of requests (Lineage, recursive loop detection's).
	if want := "Root=" + root + ";Parent=" + fmt.Sprint(fn["id"]) + ";Sampled=1;Lineage="; !strings.HasPrefix(fmt.Sprint(ev["trace"]), want) ||
		!strings.HasSuffix(fmt.Sprint(ev["trace"]), ":0") {
		t.Errorf("_X_AMZN_TRACE_ID = %v; want %s{hash}:0", ev["trace"], want)
	}

	graph, err := x.GetTraceGraph(ctx, &xray.GetTraceGraphInput{TraceIds: []string{root}})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range graph.Services {
		names = append(names, aws.ToString(s.Type))
	}
	if got := strings.Join(names, ","); got != "AWS::ApiGateway::Stage,AWS::Lambda,AWS::Lambda::Function,AWS::DynamoDB" ||
		!aws.ToBool(graph.Services[0].Root) || len(graph.Services[2].Edges) != 1 || aws.ToInt32(graph.Services[2].Edges[0].ReferenceId) != 3 {
		t.Errorf("trace graph = %s", got)
	}
	sums, err := x.GetTraceSummaries(ctx, &xray.GetTraceSummariesInput{StartTime: aws.Time(time.Now().Add(-time.Minute)),
		EndTime: aws.Time(time.Now().Add(time.Minute)), FilterExpression: aws.String(`http.status = 200 AND annotation.aws:api_stage = "Prod"`)})
	if err != nil || len(sums.TraceSummaries) != 1 {
		t.Fatalf("GetTraceSummaries = %+v, %v", sums, err)
	}
}
