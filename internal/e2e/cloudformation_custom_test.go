package e2e_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/virga/virga/internal/cfn/providers"
	"github.com/virga/virga/internal/e2e"
)

// customProviders is a stack of custom resource providers: a Python
// function (and a version of it) and a Node.js function with inline
// code, which load CloudFormation's
// cfn-response modules. Each reports every request it gets to the URL
// in its Spy property, then answers as Mode says: ok (SUCCESS, its
// PhysicalResourceId made of Name), fail (FAILED), big (a response over
// 4096 bytes) or silent (an error, and no answer).
const customProviders = `Resources:
  PyProvider:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      Role: arn:aws:iam::000000000000:role/provider
      Code:
        ZipFile: |
          import json
          import urllib.request
          import cfnresponse

          def handler(event, context):
              p = event['ResourceProperties']
              urllib.request.urlopen(urllib.request.Request(p['Spy'], data=json.dumps(event).encode(), method='POST')).read()
              mode = p.get('Mode', 'ok')
              if event['RequestType'] == 'Delete':
                  cfnresponse.send(event, context, cfnresponse.SUCCESS, {}, event['PhysicalResourceId'])
              elif mode == 'silent':
                  raise Exception('no answer')
              elif mode == 'fail':
                  cfnresponse.send(event, context, cfnresponse.FAILED, {}, 'failed-' + p['Name'], reason='seeding refused')
              elif mode == 'big':
                  cfnresponse.send(event, context, cfnresponse.SUCCESS, {'Blob': 'x' * 5000}, 'big')
              else:
                  cfnresponse.send(event, context, cfnresponse.SUCCESS, {'Greeting': 'hello ' + p['Name'], 'Count': p['Count']},
                                   physicalResourceId='seed-' + p['Name'])
  NodeProvider:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: nodejs20.x
      Handler: index.handler
      Role: arn:aws:iam::000000000000:role/provider
      Code:
        ZipFile: |
          const response = require('cfn-response');
          exports.handler = async (event, context) => {
            const p = event.ResourceProperties;
            await fetch(p.Spy, { method: 'POST', body: JSON.stringify(event) });
            const id = event.PhysicalResourceId || 'node-' + p.Name;
            await response.send(event, context, response.SUCCESS, { Upper: p.Name.toUpperCase() }, id);
          };
  PyVersion:
    Type: AWS::Lambda::Version
    Properties:
      FunctionName: !Ref PyProvider
Outputs:
  Py:
    Value: !GetAtt PyProvider.Arn
  PyVersion:
    Value: !Ref PyVersion
  Node:
    Value: !GetAtt NodeProvider.Arn
`

// customStack uses one custom resource of the Python provider.
const customStack = `Parameters:
  Provider: {Type: String}
  Spy: {Type: String}
  Name: {Type: String, Default: a}
  Mode: {Type: String, Default: ok}
  Timeout: {Type: Number, Default: 60}
Resources:
  Seed:
    Type: Custom::Seeder
    Properties:
      ServiceToken: !Ref Provider
      ServiceTimeout: !Ref Timeout
      Spy: !Ref Spy
      Name: !Ref Name
      Mode: !Ref Mode
      Count: 5
      Enabled: true
      Nested: {List: [1, {Deep: false}]}
Outputs:
  Ref:
    Value: !Ref Seed
  Greeting:
    Value: !GetAtt Seed.Greeting
  Count:
    Value: !GetAtt Seed.Count
`

// nodeStack is customStack with the Node.js provider's attribute.
func nodeStack() string {
	return strings.Replace(customStack, "  Greeting:\n    Value: !GetAtt Seed.Greeting\n  Count:\n    Value: !GetAtt Seed.Count\n",
		"  Upper:\n    Value: !GetAtt Seed.Upper\n", 1)
}

// spy collects the requests custom resources' providers report.
type spy struct {
	*httptest.Server
	mu   sync.Mutex
	seen []map[string]any
}

func newSpy(t *testing.T) *spy {
	s := &spy{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var ev map[string]any
		b, _ := io.ReadAll(r.Body)
		if err := json.Unmarshal(b, &ev); err != nil {
			t.Errorf("a report that is not JSON: %s", b)
		}
		s.mu.Lock()
		s.seen = append(s.seen, ev)
		s.mu.Unlock()
	}))
	t.Cleanup(s.Close)
	return s
}

// requests are the requests reported so far for a logical ID, as
// "TYPE PHYSICALID".
func (s *spy) requests(logicalID string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, ev := range s.seen {
		if ev["LogicalResourceId"] == logicalID {
			id, _ := ev["PhysicalResourceId"].(string)
			out = append(out, strings.TrimSpace(ev["RequestType"].(string)+" "+id))
		}
	}
	return out
}

// last is the last request reported.
func (s *spy) last() map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.seen) == 0 {
		return nil
	}
	return s.seen[len(s.seen)-1]
}

// startStack starts creating a stack from body with parameters.
func startStack(t *testing.T, cf *cloudformation.Client, name, body string, params []cftypes.Parameter) {
	t.Helper()
	if _, err := cf.CreateStack(context.Background(), &cloudformation.CreateStackInput{StackName: aws.String(name),
		TemplateBody: aws.String(body), Parameters: params}); err != nil {
		t.Fatal(err)
	}
}

func stackParams(kv ...string) []cftypes.Parameter {
	var out []cftypes.Parameter
	for i := 0; i < len(kv); i += 2 {
		out = append(out, cftypes.Parameter{ParameterKey: aws.String(kv[i]), ParameterValue: aws.String(kv[i+1])})
	}
	return out
}

// resourceReason is the status reason of a resource's last event with
// the given status.
func resourceReason(t *testing.T, cf *cloudformation.Client, stack, logicalID string, status cftypes.ResourceStatus) string {
	t.Helper()
	ev, err := cf.DescribeStackEvents(context.Background(), &cloudformation.DescribeStackEventsInput{StackName: aws.String(stack)})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ev.StackEvents { // newest first
		if aws.ToString(e.LogicalResourceId) == logicalID && e.ResourceStatus == status {
			return aws.ToString(e.ResourceStatusReason)
		}
	}
	t.Fatalf("%s has no %s event", logicalID, status)
	return ""
}

// customProviderEnv starts virga with the customProviders stack, and
// returns the providers' ARNs by language (Py, Node) and the spy they
// report to.
func customProviderEnv(t *testing.T) (*e2e.Env, *cloudformation.Client, map[string]string, *spy) {
	t.Helper()
	env := e2e.Start(t)
	cf := cloudformation.NewFromConfig(env.Config)
	startStack(t, cf, "providers", customProviders, nil)
	return env, cf, createdStackOutputs(t, cf, "providers"), newSpy(t)
}

// TestCloudFormationCustomResourceLambda: a Lambda-backed custom
// resource gets CloudFormation's requests through its life, and its
// answers make its physical ID, its attributes and its replacement.
func TestCloudFormationCustomResourceLambda(t *testing.T) {
	t.Parallel()
	env, cf, fns, spy := customProviderEnv(t)
	ctx := context.Background()
	startStack(t, cf, "seeded", customStack, stackParams("Provider", fns["Py"], "Spy", spy.URL))
	outs := createdStackOutputs(t, cf, "seeded")
	if outs["Ref"] != "seed-a" || outs["Greeting"] != "hello a" || outs["Count"] != "5" {
		t.Errorf("outputs %v", outs)
	}
	st, _ := cf.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String("seeded")})
	stackID := aws.ToString(st.Stacks[0].StackId)
	create := spy.last()
	props, _ := create["ResourceProperties"].(map[string]any)
	url, _ := create["ResponseURL"].(string)
	if create["RequestType"] != "Create" || create["StackId"] != stackID || create["LogicalResourceId"] != "Seed" ||
		create["ResourceType"] != "Custom::Seeder" || create["ServiceToken"] != fns["Py"] || create["RequestId"] == "" ||
		create["PhysicalResourceId"] != nil || !strings.HasPrefix(url, env.Endpoint+providers.ResponsePath) {
		t.Errorf("the Create request: %v", create)
	}
	// Scalars come as strings, as CloudFormation passes them; the
	// ServiceToken and ServiceTimeout are properties too.
	nested, _ := json.Marshal(props["Nested"])
	if props["Count"] != "5" || props["Enabled"] != "true" || string(nested) != `{"List":["1",{"Deep":"false"}]}` ||
		props["ServiceToken"] != fns["Py"] || props["ServiceTimeout"] != "60" {
		t.Errorf("ResourceProperties: %v", props)
	}
	// The response URL took its one PUT.
	req, _ := http.NewRequest(http.MethodPut, url, strings.NewReader(`{}`))
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusForbidden {
		t.Errorf("a second PUT: %v %v", resp, err)
	}
	if reason := resourceReason(t, cf, "seeded", "Seed", cftypes.ResourceStatusCreateInProgress); reason != "" && reason != "Resource creation Initiated" {
		t.Errorf("CREATE_IN_PROGRESS reason %q", reason)
	}

	// A new Name: the provider answers with another physical ID, which
	// replaces the resource: the old one gets a Delete at cleanup.
	if _, err := cf.UpdateStack(ctx, &cloudformation.UpdateStackInput{StackName: aws.String("seeded"), UsePreviousTemplate: aws.Bool(true),
		Parameters: stackParams("Provider", fns["Py"], "Spy", spy.URL, "Name", "b")}); err != nil {
		t.Fatal(err)
	}
	if st := settleStack(t, cf, "seeded"); st.StackStatus != cftypes.StackStatusUpdateComplete {
		t.Fatalf("update: %s", st.StackStatus)
	}
	if got := strings.Join(spy.requests("Seed"), ", "); got != "Create, Update seed-a, Delete seed-a" {
		t.Errorf("requests: %s", got)
	}
	spy.mu.Lock()
	update := spy.seen[1]
	spy.mu.Unlock()
	if old, _ := update["OldResourceProperties"].(map[string]any); old["Name"] != "a" || update["ResourceProperties"].(map[string]any)["Name"] != "b" {
		t.Errorf("the Update request: %v", update)
	}

	// A FAILED answer fails the update with the provider's reason, and
	// the stack rolls back.
	if _, err := cf.UpdateStack(ctx, &cloudformation.UpdateStackInput{StackName: aws.String("seeded"), UsePreviousTemplate: aws.Bool(true),
		Parameters: stackParams("Provider", fns["Py"], "Spy", spy.URL, "Name", "b", "Mode", "fail")}); err != nil {
		t.Fatal(err)
	}
	if st := settleStack(t, cf, "seeded"); st.StackStatus != cftypes.StackStatusUpdateRollbackComplete {
		t.Fatalf("failed update: %s", st.StackStatus)
	}
	if reason := resourceReason(t, cf, "seeded", "Seed", cftypes.ResourceStatusUpdateFailed); reason != "Received response status [FAILED] from custom resource. Message returned: seeding refused" {
		t.Errorf("UPDATE_FAILED reason %q", reason)
	}
	// The rollback asked the provider to go back to the properties
	// before.
	if got := strings.Join(spy.requests("Seed"), ", "); got != "Create, Update seed-a, Delete seed-a, Update seed-b, Update seed-b" {
		t.Errorf("requests: %s", got)
	}
	back := spy.last()
	if old, _ := back["OldResourceProperties"].(map[string]any); old["Mode"] != "fail" || back["ResourceProperties"].(map[string]any)["Mode"] != "ok" {
		t.Errorf("the rollback's Update: %v", back)
	}

	// Another ServiceToken is refused before any request.
	if _, err := cf.UpdateStack(ctx, &cloudformation.UpdateStackInput{StackName: aws.String("seeded"), UsePreviousTemplate: aws.Bool(true),
		Parameters: stackParams("Provider", fns["Node"], "Spy", spy.URL, "Name", "b")}); err != nil {
		t.Fatal(err)
	}
	if st := settleStack(t, cf, "seeded"); st.StackStatus != cftypes.StackStatusUpdateRollbackComplete {
		t.Fatalf("new service token: %s", st.StackStatus)
	}
	if reason := resourceReason(t, cf, "seeded", "Seed", cftypes.ResourceStatusUpdateFailed); reason != "Modifying service token is not allowed." {
		t.Errorf("UPDATE_FAILED reason %q", reason)
	}
	if n := len(spy.requests("Seed")); n != 5 {
		t.Errorf("%d requests: %v", n, spy.requests("Seed"))
	}

	// Deleting the stack deletes the resource it holds.
	if _, err := cf.DeleteStack(ctx, &cloudformation.DeleteStackInput{StackName: aws.String("seeded")}); err != nil {
		t.Fatal(err)
	}
	if st := settleStack(t, cf, stackID); st.StackStatus != cftypes.StackStatusDeleteComplete {
		t.Fatalf("delete: %s", st.StackStatus)
	}
	if got := spy.requests("Seed"); got[len(got)-1] != "Delete seed-b" {
		t.Errorf("requests: %v", got)
	}
}

// TestCloudFormationCustomResourceFailures: a provider that answers
// FAILED, too much, or not at all fails the resource with
// CloudFormation's reasons. The provider is a function's version.
func TestCloudFormationCustomResourceFailures(t *testing.T) {
	t.Parallel()
	_, cf, fns, spy := customProviderEnv(t)
	for _, tc := range []struct{ mode, reason string }{
		{"fail", "Received response status [FAILED] from custom resource. Message returned: seeding refused"},
		{"big", "Response object is too long."},
		{"silent", "CloudFormation did not receive a response from your Custom Resource. Please check your logs for requestId ["},
	} {
		t.Run(tc.mode, func(t *testing.T) {
			t.Parallel()
			name := "seed-" + tc.mode
			// The silent provider has 2 seconds to answer.
			startStack(t, cf, name, customStack, stackParams("Provider", fns["PyVersion"], "Spy", spy.URL, "Name", tc.mode, "Mode", tc.mode, "Timeout", "2"))
			if st := settleStack(t, cf, name); st.StackStatus != cftypes.StackStatusRollbackComplete {
				t.Fatalf("%s: %s", name, st.StackStatus)
			}
			if reason := resourceReason(t, cf, name, "Seed", cftypes.ResourceStatusCreateFailed); !strings.HasPrefix(reason, tc.reason) {
				t.Errorf("CREATE_FAILED reason %q, want %q", reason, tc.reason)
			}
		})
	}
}

// TestCloudFormationCustomResourceRollbackAndGoneFunction: the rollback
// of a creation answered FAILED deletes the physical ID the answer
// named; a Delete whose function is gone fails at once.
func TestCloudFormationCustomResourceRollbackAndGoneFunction(t *testing.T) {
	t.Parallel()
	env, cf, fns, spy := customProviderEnv(t)
	ctx := context.Background()
	startStack(t, cf, "refused", customStack, stackParams("Provider", fns["Py"], "Spy", spy.URL, "Name", "r", "Mode", "fail"))
	if st := settleStack(t, cf, "refused"); st.StackStatus != cftypes.StackStatusRollbackComplete {
		t.Fatalf("refused: %s", st.StackStatus)
	}
	if got := strings.Join(spy.requests("Seed"), ", "); got != "Create, Delete failed-r" {
		t.Errorf("requests: %s", got)
	}

	// A stack whose provider function was deleted under it.
	startStack(t, cf, "orphan", nodeStack(), stackParams("Provider", fns["Node"], "Spy", spy.URL, "Name", "o"))
	outs := createdStackOutputs(t, cf, "orphan")
	if outs["Ref"] != "node-o" {
		t.Errorf("outputs %v", outs)
	}
	if _, err := lambda.NewFromConfig(env.Config).DeleteFunction(ctx, &lambda.DeleteFunctionInput{FunctionName: aws.String(fns["Node"])}); err != nil {
		t.Fatal(err)
	}
	if _, err := cf.DeleteStack(ctx, &cloudformation.DeleteStackInput{StackName: aws.String("orphan")}); err != nil {
		t.Fatal(err)
	}
	if st := settleStack(t, cf, "orphan"); st.StackStatus != cftypes.StackStatusDeleteFailed {
		t.Fatalf("orphan: %s", st.StackStatus)
	}
	if reason := resourceReason(t, cf, "orphan", "Seed", cftypes.ResourceStatusDeleteFailed); !strings.Contains(reason, "Function not found") {
		t.Errorf("DELETE_FAILED reason %q", reason)
	}
}

// TestCloudFormationCustomResourceNode: the Node.js cfn-response module
// answers for inline code.
func TestCloudFormationCustomResourceNode(t *testing.T) {
	t.Parallel()
	_, cf, fns, spy := customProviderEnv(t)
	startStack(t, cf, "node", nodeStack(), stackParams("Provider", fns["Node"], "Spy", spy.URL, "Name", "n"))
	if outs := createdStackOutputs(t, cf, "node"); outs["Ref"] != "node-n" || outs["Upper"] != "N" {
		t.Errorf("outputs %v", outs)
	}
	// An attribute the answer's Data does not have.
	startStack(t, cf, "missing", nodeStack()+"  Missing:\n    Value: !GetAtt Seed.Nope\n", stackParams("Provider", fns["Node"], "Spy", spy.URL, "Name", "m"))
	st := settleStack(t, cf, "missing")
	want := "CustomResource attribute error: Vendor response doesn't contain Nope attribute in object " + aws.ToString(st.StackId) + "|Seed"
	if reason := resourceReason(t, cf, "missing", "missing", cftypes.ResourceStatus("ROLLBACK_IN_PROGRESS")); !strings.Contains(reason, want) {
		t.Errorf("%s: %q, want it to say %q", st.StackStatus, reason, want)
	}
}

// TestCloudFormationCustomResourceSNS: a topic's ARN as ServiceToken
// gets the request published; whoever reads it answers at ResponseURL.
func TestCloudFormationCustomResourceSNS(t *testing.T) {
	t.Parallel()
	_, cf, p := topicProviderEnv(t)
	ctx := context.Background()
	// CreateStack waits a while for the stack to settle, which it does
	// once this test has answered: it goes on in the background.
	created := inBackground(func() error {
		_, err := cf.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("bytopic"), TemplateBody: aws.String(`Parameters:
  Topic: {Type: String}
Resources:
  Thing:
    Type: AWS::CloudFormation::CustomResource
    Properties:
      ServiceToken: !Ref Topic
      Size: 3
Outputs:
  Ref:
    Value: !Ref Thing
  Answer:
    Value: !GetAtt Thing.Answer
  Twice:
    Value: !Sub "${Thing.Answer}-${Thing.Answer}"
    Export: {Name: twice}
`), Parameters: stackParams("Topic", p.topic)})
		return err
	})
	req := p.next()
	if req["RequestType"] != "Create" || req["ResourceType"] != "AWS::CloudFormation::CustomResource" || req["LogicalResourceId"] != "Thing" ||
		req["ResourceProperties"].(map[string]any)["Size"] != "3" {
		t.Errorf("the request: %v", req)
	}
	if code := p.answerWith(req, map[string]any{"PhysicalResourceId": "thing-1", "Data": map[string]any{"Answer": 42}, "NoEcho": true}); code != http.StatusOK {
		t.Fatalf("the answer: HTTP %d", code)
	}
	if err := <-created; err != nil {
		t.Fatal(err)
	}
	// NoEcho masks what Fn::GetAtt reads of it, not its Ref; the value
	// itself is there for what uses it (the Twice output's export).
	if got := createdStackOutputs(t, cf, "bytopic"); got["Ref"] != "thing-1" || got["Answer"] != "****" || got["Twice"] != "****" {
		t.Errorf("outputs %v", got)
	}
	ex, err := cf.ListExports(ctx, &cloudformation.ListExportsInput{})
	if err != nil || len(ex.Exports) != 1 || aws.ToString(ex.Exports[0].Value) != "42-42" {
		t.Errorf("exports %+v %v", ex, err)
	}
}

// TestCloudFormationCustomResourceHostAndPathOnly: the response senders
// that the AWS CDK bundles into its Node.js custom resource handlers
// (and AWS's cfn-response module, with port 443) PUT the answer with
// https.request given only the ResponseURL's hostname and path, as
// where ResponseURLs are on port 443. Such an answer reaches virga, for
// a Create and a Delete alike. Its Data may hold a list, which
// Fn::GetAtt returns whole, as the CDK's BucketDeployment's does.
func TestCloudFormationCustomResourceHostAndPathOnly(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	cf := cloudformation.NewFromConfig(env.Config)
	const tmpl = `Resources:
  Handler:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: nodejs20.x
      Handler: index.handler
      Role: arn:aws:iam::000000000000:role/provider
      Code:
        ZipFile: |
          const https = require('https');
          const url = require('url');
          const put = (options, body) => new Promise((resolve, reject) => {
            const req = https.request(options, (res) => {
              res.resume();
              res.statusCode >= 400 ? reject(new Error('status ' + res.statusCode)) : resolve();
            });
            req.on('error', reject);
            req.end(body);
          });
          exports.handler = async (event) => {
            const body = JSON.stringify({ Status: 'SUCCESS', Reason: 'ok', StackId: event.StackId, RequestId: event.RequestId,
              LogicalResourceId: event.LogicalResourceId, PhysicalResourceId: 'thing-' + event.ResourceProperties.Name,
              Data: { Via: event.ResourceProperties.Port, Keys: ['k1', 'k2'], Gone: null } });
            const u = url.parse(event.ResponseURL);
            const options = { hostname: u.hostname, path: u.path, method: 'PUT',
              headers: { 'content-type': '', 'content-length': Buffer.byteLength(body) } };
            if (event.ResourceProperties.Port) options.port = Number(event.ResourceProperties.Port);
            await put(options, body);
          };
  NoPort:
    Type: Custom::Thing
    Properties:
      ServiceToken: !GetAtt Handler.Arn
      ServiceTimeout: 120
      Name: a
  Port443:
    Type: Custom::Thing
    Properties:
      ServiceToken: !GetAtt Handler.Arn
      ServiceTimeout: 120
      Name: b
      Port: 443
Outputs:
  NoPort:
    Value: !Ref NoPort
  Port443:
    Value: !GetAtt Port443.Via
  Second:
    Value: !Select [1, !GetAtt NoPort.Keys]
`
	startStack(t, cf, "hostpath", tmpl, nil)
	outs := createdStackOutputs(t, cf, "hostpath")
	if outs["NoPort"] != "thing-a" || outs["Port443"] != "443" || outs["Second"] != "k2" {
		t.Errorf("outputs %v", outs)
	}
	st := settleStack(t, cf, "hostpath")
	if _, err := cf.DeleteStack(context.Background(), &cloudformation.DeleteStackInput{StackName: aws.String("hostpath")}); err != nil {
		t.Fatal(err)
	}
	if st := settleStack(t, cf, aws.ToString(st.StackId)); st.StackStatus != cftypes.StackStatusDeleteComplete {
		t.Fatalf("delete: %s", st.StackStatus)
	}
}
