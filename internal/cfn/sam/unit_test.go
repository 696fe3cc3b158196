package sam

import (
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/virga/virga/internal/cfn/template"
)

func TestMergeGlobal(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name                string
		global, local, want any
	}{
		{"scalar replaced", "nodejs20.x", "python3.13", "python3.13"},
		{"maps merged", map[string]any{"A": "1", "B": "2"}, map[string]any{"B": "3", "C": "4"}, map[string]any{"A": "1", "B": "3", "C": "4"}},
		{"nested maps merged",
			map[string]any{"Variables": map[string]any{"A": "1"}},
			map[string]any{"Variables": map[string]any{"B": "2"}},
			map[string]any{"Variables": map[string]any{"A": "1", "B": "2"}}},
		{"lists prepended", []any{"g1", "g2"}, []any{"l1"}, []any{"g1", "g2", "l1"}},
		{"intrinsic replaces a map",
			map[string]any{"Variables": map[string]any{"A": "1"}},
			map[string]any{"Fn::If": []any{"C", map[string]any{}, map[string]any{}}},
			map[string]any{"Fn::If": []any{"C", map[string]any{}, map[string]any{}}}},
		{"map replaced by a different shape", map[string]any{"A": "1"}, "x", "x"},
		{"list replaced by a scalar", []any{"a"}, "b", "b"},
	}
	for _, c := range cases {
		if got := mergeGlobal(c.global, c.local); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: got %v, want %v", c.name, got, c.want)
		}
	}
}

func TestS3Location(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in                   any
		bucket, key, version any
		ok                   bool
	}{
		{"s3://bucket/path/to/code.zip", "bucket", "path/to/code.zip", nil, true},
		{"s3://bucket/code.zip?versionId=abc", "bucket", "code.zip", "abc", true},
		{map[string]any{"Bucket": "b", "Key": "k", "Version": "v"}, "b", "k", "v", true},
		{map[string]any{"Bucket": map[string]any{"Ref": "B"}, "Key": "k"}, map[string]any{"Ref": "B"}, "k", nil, true},
		{"s3://bucket", nil, nil, nil, false},
		{"./src", nil, nil, nil, false},
		{map[string]any{"Key": "k"}, nil, nil, nil, false},
		{map[string]any{"Ref": "CodeUri"}, nil, nil, nil, false},
		{json.Number("3"), nil, nil, nil, false},
	}
	for _, c := range cases {
		b, k, v, ok := s3Location(c.in)
		if ok != c.ok || !reflect.DeepEqual([]any{b, k, v}, []any{c.bucket, c.key, c.version}) {
			t.Errorf("s3Location(%v) = %v %v %v %v", c.in, b, k, v, ok)
		}
	}
}

func TestRewriteSub(t *testing.T) {
	t.Parallel()
	tr := &transformer{
		refs:    map[string]string{"Fn.Alias": "FnAliaslive", "Api.Stage": "ApiProdStage"},
		renames: map[string]string{"Layer": "Layer0123456789"},
	}
	cases := []struct {
		in   string
		vars map[string]any
		want string
	}{
		{"${Fn.Alias}", nil, "${FnAliaslive}"},
		{"${Fn.Alias.Name}", nil, "${FnAliaslive.Name}"},
		{"x-${Api.Stage}-${AWS::Region}", nil, "x-${ApiProdStage}-${AWS::Region}"},
		{"${Layer} ${Layer.Arn}", nil, "${Layer0123456789} ${Layer0123456789.Arn}"},
		{"${!Fn.Alias}", nil, "${!Fn.Alias}"},
		{"${Layer}", map[string]any{"Layer": "x"}, "${Layer}"},
		{"no variables", nil, "no variables"},
		{"unterminated ${Fn.Alias", nil, "unterminated ${Fn.Alias"},
	}
	for _, c := range cases {
		if got := tr.rewriteSub(c.in, c.vars); got != c.want {
			t.Errorf("rewriteSub(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// parse parses a template for a test.
func parse(t *testing.T, body string) map[string]any {
	t.Helper()
	in, err := template.Parse([]byte(body))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return in.Tree
}

func TestTransformIsPureAndDeterministic(t *testing.T) {
	t.Parallel()
	for _, f := range []string{"hello-world.yaml", "explicit-api.yaml", "event-sources.yaml", "alias.yaml", "layer.yaml"} {
		tree := parse(t, string(readTestdata(t, f)))
		before := clone(tree)
		first, _, err := Transform(tree, testOptions)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if !reflect.DeepEqual(tree, before) {
			t.Errorf("%s: Transform changed its input", f)
		}
		second, _, _ := Transform(tree, testOptions)
		if !reflect.DeepEqual(first, second) {
			t.Errorf("%s: two transforms differ", f)
		}
	}
}

func TestVersionFollowsCode(t *testing.T) {
	t.Parallel()
	tree := parse(t, string(readTestdata(t, "alias.yaml")))
	version := func(code string) string {
		opts := testOptions
		opts.Code = func(string, any) (map[string]any, error) {
			return map[string]any{"S3Bucket": "b", "S3Key": code}, nil
		}
		out, _, err := Transform(tree, opts)
		if err != nil {
			t.Fatal(err)
		}
		for id := range out["Resources"].(map[string]any) {
			if strings.HasPrefix(id, "CheckoutVersion") {
				return id
			}
		}
		t.Fatal("no version")
		return ""
	}
	a, b, a2 := version("v1.zip"), version("v2.zip"), version("v1.zip")
	if a == b || a != a2 {
		t.Errorf("versions %s, %s, %s: want a new version for new code only", a, b, a2)
	}
}

func TestConditionalFunctionOnImplicitAPI(t *testing.T) {
	t.Parallel()
	body := `
Transform: AWS::Serverless-2016-10-31
Parameters:
  Env:
    Type: String
    Default: dev
Conditions:
  IsProd: !Equals [!Ref Env, prod]
Resources:
  Always:
    Type: AWS::Serverless::Function
    Properties:
      InlineCode: "exports.handler = async () => 'a';"
      Handler: index.handler
      Runtime: nodejs22.x
      Events:
        Get:
          Type: Api
          Properties: {Path: /always, Method: get}
  ProdOnly:
    Type: AWS::Serverless::Function
    Condition: IsProd
    Properties:
      InlineCode: "exports.handler = async () => 'p';"
      Handler: index.handler
      Runtime: nodejs22.x
      Events:
        Get:
          Type: Api
          Properties: {Path: /prod, Method: get}
`
	r := transformBody(t, []byte(body))
	for id, typ := range map[string]string{"ProdOnly": tFunction, "ProdOnlyRole": tRole, "ProdOnlyGetPermissionProd": tPermission} {
		want(t, id+" condition", r.resource(t, id, typ)["Condition"], "IsProd")
	}
	op := get(r.props(t, "ServerlessRestApi", tRestAPI), "Body", "paths", "/prod", "get")
	want(t, "conditional operation", get(op, "Fn::If", 0), "IsProd")
	want(t, "otherwise nothing", get(op, "Fn::If", 2), map[string]any{"Ref": "AWS::NoValue"})
	if r.conds["IsProd"] {
		t.Fatal("IsProd should be false with the default Env")
	}
	// With the condition false the API does not refer to the function
	// that will not exist (transformBody built the graph).
	for _, dep := range r.graph.DependsOn("ServerlessRestApi") {
		if dep == "ProdOnly" {
			t.Error("the API depends on a function whose condition is false")
		}
	}
}

func TestOtherTransformsAreKept(t *testing.T) {
	t.Parallel()
	tree := parse(t, "Transform: [AWS::LanguageExtensions, AWS::Serverless-2016-10-31]\nResources:"+fn)
	out, _, err := Transform(tree, testOptions)
	if err != nil {
		t.Fatal(err)
	}
	want(t, "Transform", out["Transform"], []any{"AWS::LanguageExtensions"})
}

func TestLocalCodeNeedsTheHook(t *testing.T) {
	t.Parallel()
	tree := parse(t, "Transform: AWS::Serverless-2016-10-31\nResources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: src/\n      Handler: a.b\n      Runtime: python3.13\n")
	_, _, err := Transform(tree, Options{Region: "us-east-1"})
	if err == nil || !strings.Contains(err.Error(), "'CodeUri' is not a valid S3 Uri") {
		t.Errorf("error = %v", err)
	}
}

func TestPartitionFollowsRegion(t *testing.T) {
	t.Parallel()
	tree := parse(t, "Transform: AWS::Serverless-2016-10-31\nResources:"+fn)
	opts := testOptions
	opts.Region = "cn-north-1"
	out, _, err := Transform(tree, opts)
	if err != nil {
		t.Fatal(err)
	}
	want(t, "China managed policy", get(out, "Resources", "FnRole", "Properties", "ManagedPolicyArns"),
		[]any{"arn:aws-cn:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"})
}

// TestStageLogicalIDs follows the logical IDs AWS's translator gives a
// REST API's stage and its events' permissions: the StageName itself
// when it is letters and digits, the SHA-1 of other text, and "Stage"
// when StageName is an intrinsic function, even a Ref to a parameter with
// a default (the translator does not resolve it here; its output for
// this template).
func TestStageLogicalIDs(t *testing.T) {
	t.Parallel()
	body := `
Transform: AWS::Serverless-2016-10-31
Parameters:
  Stage:
    Type: String
    Default: beta
Resources:
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: !Ref Stage
  Api2:
    Type: AWS::Serverless::Api
    Properties:
      StageName: my-stage
  Api3:
    Type: AWS::Serverless::Api
    Properties:
      StageName: v1
` + fn + `
      Events:
        A:
          Type: Api
          Properties: {RestApiId: !Ref Api, Path: /a, Method: get}
        B:
          Type: Api
          Properties: {RestApiId: !Ref Api2, Path: /a, Method: get}
        C:
          Type: Api
          Properties: {RestApiId: !Ref Api3, Path: /a, Method: get}
Outputs:
  S:
    Value: !Ref Api.Stage
`
	r := transformBody(t, []byte(body))
	want(t, "stage", get(r.props(t, "ApiStage", tStage), "StageName"), map[string]any{"Ref": "Stage"})
	want(t, "Api.Stage", get(r.tree, "Outputs", "S", "Value"), map[string]any{"Ref": "ApiStage"})
	want(t, "stage", get(r.props(t, "Api2Stagea9d64949ee", tStage), "StageName"), "my-stage")
	want(t, "stage", get(r.props(t, "Api3v1Stage", tStage), "StageName"), "v1")
	r.props(t, "FnAPermissionStage", tPermission)
	r.props(t, "FnBPermissiona9d64949ee", tPermission)
	r.props(t, "FnCPermissionv1", tPermission)

	// The values a deployment gives the parameters do not change the IDs.
	opts := testOptions
	opts.Parameters = map[string]string{"Stage": "gamma"}
	out, _, err := Transform(parse(t, body), opts)
	if err != nil {
		t.Fatal(err)
	}
	if get(out, "Resources", "ApiStage") == nil {
		t.Error("the parameter value given names the stage")
	}
}

// TestConditionalDestination follows SAM's handling of a destination
// given as Fn::If with AWS::NoValue in one branch: the queue or topic SAM
// creates fills the empty branch, exists only under the condition that
// picks it (a negation SAM adds when the second branch is empty, combined
// with the function's own condition), and FUNCTION.DestinationQueue
// names it.
func TestConditionalDestination(t *testing.T) {
	t.Parallel()
	r := transformBody(t, []byte(`Transform: AWS::Serverless-2016-10-31
Parameters:
  UseOwnQueue: {Type: String, Default: "false"}
  Enabled: {Type: String, Default: "true"}
Conditions:
  OwnQueue: !Equals [!Ref UseOwnQueue, "true"]
  Deployed: !Equals [!Ref Enabled, "true"]
Resources:
  Mine:
    Type: AWS::SQS::Queue
    Condition: OwnQueue
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      InlineCode: "def handler(e, c): pass"
      EventInvokeConfig:
        DestinationConfig:
          OnSuccess:
            Type: SQS
            Destination: !If [OwnQueue, !GetAtt Mine.Arn, !Ref AWS::NoValue]
          OnFailure:
            Type: SNS
            Destination: !If [OwnQueue, !Ref AWS::NoValue, arn:aws:sns:us-east-1:123456789012:theirs]
  Guarded:
    Type: AWS::Serverless::Function
    Condition: Deployed
    Properties:
      Runtime: python3.12
      Handler: index.handler
      InlineCode: "def handler(e, c): pass"
      EventInvokeConfig:
        DestinationConfig:
          OnFailure:
            Type: SQS
            Destination: !If [OwnQueue, !GetAtt Mine.Arn, !Ref AWS::NoValue]
Outputs:
  Successes:
    Value: !Ref Worker.DestinationQueue
`))
	// SAM names a generated condition after what it says and the SHA-1 of
	// a logical ID: the EventInvokeConfig's for the negation, the
	// function's for the conjunction. These are the names AWS's
	// translator gives for this template.
	notOwn := "NOTOwnQueue92a9a3d43a"
	guardedNot := "NOTOwnQueue320a1882f5"
	guardedAnd := "DeployedANDNOTOwnQueue320a1882f5fd6d97f374"
	want(t, "hash of the config's ID", notOwn, "NOTOwnQueue"+sha1Prefix("WorkerEventInvokeConfig"))
	conds := r.tree["Conditions"].(map[string]any)
	want(t, "negation", conds[notOwn], map[string]any{"Fn::Not": []any{map[string]any{"Condition": "OwnQueue"}}})
	want(t, "conjunction", conds[guardedAnd], map[string]any{"Fn::And": []any{
		map[string]any{"Condition": "Deployed"}, map[string]any{"Condition": guardedNot}}})

	want(t, "queue's condition", r.resource(t, "WorkerEventInvokeConfigOnSuccessQueue", tQueue)["Condition"], notOwn)
	want(t, "topic's condition", r.resource(t, "WorkerEventInvokeConfigOnFailureTopic", tTopic)["Condition"], "OwnQueue")
	want(t, "guarded queue's condition", r.resource(t, "GuardedEventInvokeConfigOnFailureQueue", tQueue)["Condition"], guardedAnd)
	want(t, "destinations", get(r.props(t, "WorkerEventInvokeConfig", tInvokeConfig), "DestinationConfig"), map[string]any{
		"OnSuccess": map[string]any{"Destination": map[string]any{"Fn::If": []any{notOwn,
			map[string]any{"Fn::GetAtt": []any{"WorkerEventInvokeConfigOnSuccessQueue", "Arn"}},
			map[string]any{"Fn::GetAtt": []any{"Mine", "Arn"}}}}},
		"OnFailure": map[string]any{"Destination": map[string]any{"Fn::If": []any{"OwnQueue",
			map[string]any{"Ref": "WorkerEventInvokeConfigOnFailureTopic"},
			"arn:aws:sns:us-east-1:123456789012:theirs"}}},
	})
	want(t, "Worker.DestinationQueue", get(r.tree, "Outputs", "Successes", "Value"), map[string]any{"Ref": "WorkerEventInvokeConfigOnSuccessQueue"})
	if !r.conds[notOwn] || r.conds["OwnQueue"] {
		t.Errorf("with the defaults SAM's queue is created: %v", r.conds)
	}
}

// sha1Prefix is the part of a SHA-1 digest SAM appends to the names it
// generates.
func sha1Prefix(s string) string {
	sum := sha1.Sum([]byte(s))
	return hex.EncodeToString(sum[:])[:logicalIDHashLength]
}

// TestHTTPAPIStageLogicalIDs: an HTTP API's stage is named as a REST
// API's is, from StageName as written (AWS's translator's output for
// this template); $default keeps APIApiGatewayDefaultStage.
func TestHTTPAPIStageLogicalIDs(t *testing.T) {
	t.Parallel()
	r := transformBody(t, []byte(`
Transform: AWS::Serverless-2016-10-31
Parameters:
  Stage:
    Type: String
    Default: beta
Resources:
  H1:
    Type: AWS::Serverless::HttpApi
    Properties:
      StageName: !Ref Stage
  H2:
    Type: AWS::Serverless::HttpApi
    Properties:
      StageName: my-stage
  H3:
    Type: AWS::Serverless::HttpApi
    Properties:
      StageName: v1
  H4:
    Type: AWS::Serverless::HttpApi
    Properties:
      StageName: $default
`))
	want(t, "H1", get(r.props(t, "H1Stage", tHTTPStage), "StageName"), map[string]any{"Ref": "Stage"})
	want(t, "H2", get(r.props(t, "H2Stagea9d64949ee", tHTTPStage), "StageName"), "my-stage")
	want(t, "H3", get(r.props(t, "H3v1Stage", tHTTPStage), "StageName"), "v1")
	want(t, "H4", get(r.props(t, "H4ApiGatewayDefaultStage", tHTTPStage), "StageName"), "$default")
}

// TestApiEventsLeaveTheTemplatesDocument: AWS's translator adds no
// operation to a REST API's DefinitionBody, neither a new path nor a
// method missing from a path it has, nor an integration to an
// operation without one; the events only make their permissions (its
// output for this template).
func TestApiEventsLeaveTheTemplatesDocument(t *testing.T) {
	t.Parallel()
	r := transformBody(t, []byte(`
Transform: AWS::Serverless-2016-10-31
Resources:
  RestApi:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod
      DefinitionBody:
        swagger: "2.0"
        info:
          title: pets
        paths:
          /pets:
            get:
              responses: {}
  Pets:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: a.h
      InlineCode: x
      Events:
        List:
          Type: Api
          Properties:
            RestApiId: !Ref RestApi
            Path: /pets
            Method: get
        Add:
          Type: Api
          Properties:
            RestApiId: !Ref RestApi
            Path: /pets
            Method: post
        Other:
          Type: Api
          Properties:
            RestApiId: !Ref RestApi
            Path: /other
            Method: get
`))
	want(t, "document", r.props(t, "RestApi", tRestAPI)["Body"], map[string]any{
		"swagger": "2.0",
		"info":    map[string]any{"title": "pets"},
		"paths":   map[string]any{"/pets": map[string]any{"get": map[string]any{"responses": map[string]any{}}}},
	})
	for _, id := range []string{"PetsListPermissionprod", "PetsAddPermissionprod", "PetsOtherPermissionprod"} {
		r.props(t, id, tPermission)
	}
}

// TestAPIKeyOnCorsPreflight: with Auth.ApiKeyRequired and Cors, SAM puts
// the API key on the OPTIONS operation too, unless
// AddApiKeyRequiredToCorsPreflight is false (documented default true;
// AWS's translator's output for these templates).
func TestAPIKeyOnCorsPreflight(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		add  string
		want any
	}{
		{"", []any{map[string]any{"api_key": []any{}}}},
		{"\n        AddApiKeyRequiredToCorsPreflight: false", nil},
	} {
		r := transformBody(t, []byte(`
Transform: AWS::Serverless-2016-10-31
Resources:
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod
      Cors:
        AllowOrigin: "'*'"
      Auth:
        ApiKeyRequired: true`+tc.add+`
`+fn+`
      Events:
        Get:
          Type: Api
          Properties: {RestApiId: !Ref Api, Path: /items, Method: get}
`))
		body := r.props(t, "Api", tRestAPI)["Body"]
		want(t, "get", get(body, "paths", "/items", "get", "security"), []any{map[string]any{"api_key": []any{}}})
		want(t, "options"+tc.add, get(body, "paths", "/items", "options", "security"), tc.want)
	}
}

// TestAPIKeyWithDocumentSecurity: Auth.ApiKeyRequired puts the API key
// on the operations of the template's own document too, those whose
// security names an authorizer of the document keeping it, the key a
// requirement of its own (as AWS's translator writes it; the serverless
// samples' REST API relies on it), and the key is not added twice.
func TestAPIKeyWithDocumentSecurity(t *testing.T) {
	t.Parallel()
	r := transformBody(t, []byte(`
Transform: AWS::Serverless-2016-10-31
Resources:
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod
      Auth:
        ApiKeyRequired: true
      DefinitionBody:
        swagger: "2.0"
        info: {title: own}
        paths:
          /locations:
            get:
              security:
              - Custom: []
            put:
              security:
              - Custom: []
              - api_key: []
            post: {}
        securityDefinitions:
          Custom:
            type: apiKey
            name: Authorization
            in: header
            x-amazon-apigateway-authtype: custom
`))
	body := r.props(t, "Api", tRestAPI)["Body"]
	keyed := []any{map[string]any{"Custom": []any{}}, map[string]any{"api_key": []any{}}}
	want(t, "get", get(body, "paths", "/locations", "get", "security"), keyed)
	want(t, "put", get(body, "paths", "/locations", "put", "security"), keyed)
	want(t, "post", get(body, "paths", "/locations", "post", "security"), []any{map[string]any{"api_key": []any{}}})
	want(t, "scheme", get(body, "securityDefinitions", "api_key"), map[string]any{"type": "apiKey", "name": "x-api-key", "in": "header"})
}

// TestRestAPIDescription: a REST API's Description is the RestApi's
// property, for a document SAM generates and one the template wrote,
// and not put into the generated document (AWS's translator's output
// for this template).
func TestRestAPIDescription(t *testing.T) {
	t.Parallel()
	r := transformBody(t, []byte(`
Transform: AWS::Serverless-2016-10-31
Resources:
  R:
    Type: AWS::Serverless::Api
    Properties:
      StageName: p
      Description: my rest
  Own:
    Type: AWS::Serverless::Api
    Properties:
      StageName: p
      Description: my own
      DefinitionBody:
        swagger: "2.0"
        info: {title: own}
        paths: {}
`))
	rest := r.props(t, "R", tRestAPI)
	want(t, "description", rest["Description"], "my rest")
	want(t, "document's info", get(rest, "Body", "info"), map[string]any{"version": "1.0", "title": map[string]any{"Ref": "AWS::StackName"}})
	want(t, "own description", r.props(t, "Own", tRestAPI)["Description"], "my own")
}

// TestHTTPAPIDefaultAuthorizerGuardsTheDocument: an HttpApi's
// DefaultAuthorizer guards the operations its DefinitionBody defines
// too, as SAM's translator does: each with an integration and no
// security of its own, the CORS preflight aside, and not an event's
// route whose Auth says NONE.
func TestHTTPAPIDefaultAuthorizerGuardsTheDocument(t *testing.T) {
	t.Parallel()
	r := transformBody(t, []byte(`
Transform: AWS::Serverless-2016-10-31
Resources:
  Api:
    Type: AWS::Serverless::HttpApi
    Properties:
      Auth:
        DefaultAuthorizer: Gate
        Authorizers:
          Gate:
            FunctionArn: arn:aws:lambda:us-east-1:000000000000:function:gate
            AuthorizerPayloadFormatVersion: "2.0"
            EnableSimpleResponses: true
      DefinitionBody:
        openapi: "3.0.1"
        info: {title: queue}
        paths:
          /submit:
            post:
              x-amazon-apigateway-integration: {type: aws_proxy, integrationSubtype: SQS-SendMessage, payloadFormatVersion: "1.0"}
            options:
              x-amazon-apigateway-integration: {type: mock}
          /mine:
            get:
              security: [{Other: []}]
              x-amazon-apigateway-integration: {type: http_proxy, uri: "http://example.com"}
          /bare:
            get:
              responses: {}
  Open:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: a.h
      InlineCode: x
      Events:
        Health:
          Type: HttpApi
          Properties:
            ApiId: !Ref Api
            Path: /health
            Method: get
            Auth:
              Authorizer: NONE
`))
	body := r.props(t, "Api", tHTTPAPI)["Body"]
	want(t, "post", get(body, "paths", "/submit", "post", "security"), []any{map[string]any{"Gate": []any{}}})
	want(t, "options", get(body, "paths", "/submit", "options", "security"), nil)
	want(t, "own security", get(body, "paths", "/mine", "get", "security"), []any{map[string]any{"Other": []any{}}})
	want(t, "no integration", get(body, "paths", "/bare", "get", "security"), nil)
	want(t, "event's NONE", get(body, "paths", "/health", "get", "security"), nil)
}

// TestPrivateAPIEndpoints: a private API's VPCEndpointIds, as SAM spells
// them, become the RestApi's EndpointConfiguration.VpcEndpointIds (AWS's
// translator's output for this template).
func TestPrivateAPIEndpoints(t *testing.T) {
	t.Parallel()
	r := transformBody(t, []byte(`
Transform: AWS::Serverless-2016-10-31
Resources:
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod
      EndpointConfiguration:
        Type: PRIVATE
        VPCEndpointIds: [vpce-0123456789abcdef0]
      DefinitionBody:
        swagger: "2.0"
        info: {title: private}
        paths: {}
`))
	want(t, "endpoint configuration", r.props(t, "Api", tRestAPI)["EndpointConfiguration"],
		map[string]any{"Types": []any{"PRIVATE"}, "VpcEndpointIds": []any{"vpce-0123456789abcdef0"}})
}

// TestRestAPIDomain: a REST API's Domain becomes a DomainName named by
// the hash of the domain and a BasePathMapping to the API's stage per
// base path, the certificate regional unless the endpoint is EDGE
// (AWS's translator's output for these templates).
func TestRestAPIDomain(t *testing.T) {
	t.Parallel()
	r := transformBody(t, []byte(`
Transform: AWS::Serverless-2016-10-31
Resources:
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod
      Domain:
        DomainName: api.example.com
        CertificateArn: arn:aws:acm:us-east-1:000000000000:certificate/1
        BasePath: [/, /v1]
        SecurityPolicy: TLS_1_2
  Edge:
    Type: AWS::Serverless::Api
    Properties:
      StageName: live
      Domain:
        DomainName: www.example.com
        CertificateArn: arn:aws:acm:us-east-1:000000000000:certificate/2
        EndpointConfiguration: EDGE
`))
	want(t, "regional domain", r.props(t, "ApiGatewayDomainName1bc412bb08", "AWS::ApiGateway::DomainName"), map[string]any{
		"DomainName": "api.example.com", "RegionalCertificateArn": "arn:aws:acm:us-east-1:000000000000:certificate/1",
		"EndpointConfiguration": map[string]any{"Types": []any{"REGIONAL"}}, "SecurityPolicy": "TLS_1_2",
	})
	for id, path := range map[string]string{"ApiBasePathMapping": "", "Apiv1BasePathMapping": "v1"} {
		want(t, id, r.props(t, id, "AWS::ApiGateway::BasePathMapping"), map[string]any{
			"DomainName": map[string]any{"Ref": "ApiGatewayDomainName1bc412bb08"}, "RestApiId": map[string]any{"Ref": "Api"},
			"Stage": map[string]any{"Ref": "ApiprodStage"}, "BasePath": path,
		})
	}
	const edge = "ApiGatewayDomainName068503358d"
	want(t, "edge domain certificate", r.props(t, edge, "AWS::ApiGateway::DomainName")["CertificateArn"], "arn:aws:acm:us-east-1:000000000000:certificate/2")
	want(t, "edge mapping", r.props(t, "EdgeBasePathMapping", "AWS::ApiGateway::BasePathMapping"), map[string]any{
		"DomainName": map[string]any{"Ref": edge}, "RestApiId": map[string]any{"Ref": "Edge"}, "Stage": map[string]any{"Ref": "EdgeliveStage"},
	})
}

// TestHTTPAPIDomain: an HTTP API's Domain becomes a version 2 DomainName
// named by the hash of the domain, with one REGIONAL configuration and
// SAM's tag, and an ApiMapping to the API's stage per base path, its key
// without outer slashes (AWS's translator's output for this template).
func TestHTTPAPIDomain(t *testing.T) {
	t.Parallel()
	r := transformBody(t, []byte(`
Transform: AWS::Serverless-2016-10-31
Resources:
  Api:
    Type: AWS::Serverless::HttpApi
    Properties:
      Domain:
        DomainName: api.example.com
        CertificateArn: arn:aws:acm:us-east-1:000000000000:certificate/1
        SecurityPolicy: TLS_1_2
        BasePath: [/shop/v1, orders]
  Root:
    Type: AWS::Serverless::HttpApi
    Properties:
      StageName: prod
      Domain:
        DomainName: root.example.com
        CertificateArn: arn:aws:acm:us-east-1:000000000000:certificate/2
`))
	const domain = "ApiGatewayDomainNameV21bc412bb08"
	want(t, "domain", r.props(t, domain, "AWS::ApiGatewayV2::DomainName"), map[string]any{
		"DomainName": "api.example.com", "Tags": map[string]any{"httpapi:createdBy": "SAM"},
		"DomainNameConfigurations": []any{map[string]any{"CertificateArn": "arn:aws:acm:us-east-1:000000000000:certificate/1",
			"EndpointType": "REGIONAL", "SecurityPolicy": "TLS_1_2"}},
	})
	for id, key := range map[string]string{"Apishopv1ApiMapping": "shop/v1", "ApiordersApiMapping": "orders"} {
		want(t, id, r.props(t, id, "AWS::ApiGatewayV2::ApiMapping"), map[string]any{
			"DomainName": map[string]any{"Ref": domain}, "ApiId": map[string]any{"Ref": "Api"},
			"Stage": map[string]any{"Ref": "ApiApiGatewayDefaultStage"}, "ApiMappingKey": key,
		})
	}
	want(t, "root mapping", r.props(t, "RootApiMapping", "AWS::ApiGatewayV2::ApiMapping"), map[string]any{
		"DomainName": map[string]any{"Ref": "ApiGatewayDomainNameV26778ad5a62"}, "ApiId": map[string]any{"Ref": "Root"},
		"Stage": map[string]any{"Ref": "RootprodStage"},
	})
}

// TestDomainRoute53: a Domain's Route53 becomes a RecordSetGroup named
// by the hash of the hosted zone, shared by the APIs that name the same
// zone: an A alias to a regional domain's regional name (and an AAAA
// with IpV6), or to an edge domain's distribution in CloudFront's zone
// (the output of AWS's translator, samtranslator 1.110.0, for these
// templates, but for the order of the shared group's records, which
// follows the order the translator happens to take the APIs in).
func TestDomainRoute53(t *testing.T) {
	t.Parallel()
	r := transformBody(t, []byte(`
Transform: AWS::Serverless-2016-10-31
Resources:
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod
      Domain:
        DomainName: api.example.com
        CertificateArn: arn:aws:acm:us-east-1:000000000000:certificate/1
        Route53: {HostedZoneId: Z0123456789ABCDEFGHIJ, IpV6: true, EvaluateTargetHealth: true}
  Edge:
    Type: AWS::Serverless::Api
    Properties:
      StageName: live
      Domain:
        DomainName: www.example.com
        CertificateArn: arn:aws:acm:us-east-1:000000000000:certificate/2
        EndpointConfiguration: EDGE
        Route53: {HostedZoneId: Z0123456789ABCDEFGHIJ}
  Http:
    Type: AWS::Serverless::HttpApi
    Properties:
      Domain:
        DomainName: http.example.com
        CertificateArn: arn:aws:acm:us-east-1:000000000000:certificate/3
        Route53: {HostedZoneName: example.com.}
`))
	regional := map[string]any{"EvaluateTargetHealth": true,
		"HostedZoneId": map[string]any{"Fn::GetAtt": []any{"ApiGatewayDomainName1bc412bb08", "RegionalHostedZoneId"}},
		"DNSName":      map[string]any{"Fn::GetAtt": []any{"ApiGatewayDomainName1bc412bb08", "RegionalDomainName"}}}
	want(t, "shared group", r.props(t, "RecordSetGroup8a4d2682a3", "AWS::Route53::RecordSetGroup"), map[string]any{
		"HostedZoneId": "Z0123456789ABCDEFGHIJ",
		"RecordSets": []any{
			map[string]any{"Name": "api.example.com", "Type": "A", "AliasTarget": regional},
			map[string]any{"Name": "api.example.com", "Type": "AAAA", "AliasTarget": regional},
			map[string]any{"Name": "www.example.com", "Type": "A", "AliasTarget": map[string]any{"HostedZoneId": "Z2FDTNDATAQYW2",
				"DNSName": map[string]any{"Fn::GetAtt": []any{"ApiGatewayDomainName068503358d", "DistributionDomainName"}}}},
		},
	})
	want(t, "HTTP API group", r.props(t, "RecordSetGroup22b77bea9d", "AWS::Route53::RecordSetGroup"), map[string]any{
		"HostedZoneName": "example.com.",
		"RecordSets": []any{map[string]any{"Name": "http.example.com", "Type": "A", "AliasTarget": map[string]any{
			"HostedZoneId": map[string]any{"Fn::GetAtt": []any{"ApiGatewayDomainNameV2" + samHash("http.example.com"), "RegionalHostedZoneId"}},
			"DNSName":      map[string]any{"Fn::GetAtt": []any{"ApiGatewayDomainNameV2" + samHash("http.example.com"), "RegionalDomainName"}}}}},
	})
}

// TestDomainRoute53Variants: SeparateRecordSetGroup, a private REST
// API's VPC endpoint alias, and an HTTP API given both zone properties
// (the output of AWS's translator, samtranslator 1.110.0, for this
// template).
func TestDomainRoute53Variants(t *testing.T) {
	t.Parallel()
	r := transformBody(t, []byte(`
Transform: AWS::Serverless-2016-10-31
Resources:
  Zone:
    Type: AWS::Route53::HostedZone
    Properties: {Name: example.com}
  Sep:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod
      Domain:
        DomainName: sep.example.com
        CertificateArn: arn:aws:acm:us-east-1:000000000000:certificate/1
        Route53: {HostedZoneId: !Ref Zone, SeparateRecordSetGroup: true, SetIdentifier: one, Region: us-east-1}
  Priv:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod
      EndpointConfiguration: {Type: PRIVATE, VpcEndpointIds: [vpce-0123456789abcdef0]}
      Domain:
        DomainName: priv.example.com
        CertificateArn: arn:aws:acm:us-east-1:000000000000:certificate/2
        EndpointConfiguration: PRIVATE
        Route53: {HostedZoneName: example.com., HostedZoneId: Z9, VpcEndpointHostedZoneId: Z1VPCE, VpcEndpointDomainName: vpce-1.execute-api.us-east-1.vpce.amazonaws.com}
  Http:
    Type: AWS::Serverless::HttpApi
    Properties:
      Domain:
        DomainName: http.example.com
        CertificateArn: arn:aws:acm:us-east-1:000000000000:certificate/3
        Route53: {HostedZoneName: example.org., HostedZoneId: Z8}
`))
	getAtt := func(id, attr string) map[string]any { return map[string]any{"Fn::GetAtt": []any{id, attr}} }
	want(t, "separate group", r.props(t, "RecordSetGroup108f412d6d", "AWS::Route53::RecordSetGroup"), map[string]any{
		"HostedZoneId": map[string]any{"Ref": "Zone"},
		"RecordSets": []any{map[string]any{"Name": "sep.example.com", "Type": "A", "Region": "us-east-1", "SetIdentifier": "one",
			"AliasTarget": map[string]any{"DNSName": getAtt("ApiGatewayDomainNameeb373e49aa", "RegionalDomainName"),
				"HostedZoneId": getAtt("ApiGatewayDomainNameeb373e49aa", "RegionalHostedZoneId")}}},
	})
	want(t, "private API", r.props(t, "RecordSetGroup838ec76bd6", "AWS::Route53::RecordSetGroup"), map[string]any{
		"HostedZoneId": "Z9", "HostedZoneName": "example.com.",
		"RecordSets": []any{map[string]any{"Name": "priv.example.com", "Type": "A",
			"AliasTarget": map[string]any{"DNSName": "vpce-1.execute-api.us-east-1.vpce.amazonaws.com", "HostedZoneId": "Z1VPCE"}}},
	})
	want(t, "HTTP API with both", r.props(t, "RecordSetGroupbf6a745a5e", "AWS::Route53::RecordSetGroup"), map[string]any{
		"HostedZoneId": "Z8",
		"RecordSets": []any{map[string]any{"Name": "http.example.com", "Type": "A", "AliasTarget": map[string]any{
			"DNSName":      getAtt("ApiGatewayDomainNameV23e685ce53a", "RegionalDomainName"),
			"HostedZoneId": getAtt("ApiGatewayDomainNameV23e685ce53a", "RegionalHostedZoneId")}}},
	})
}

// TestGlobalsLayerVersionAndWebSocketApi: Globals may have LayerVersion
// (PublishLambdaVersion) and WebSocketApi sections, as SAM's translator
// allows. With PublishLambdaVersion a new layer version publishes a new
// version of the functions that use it with AutoPublishAliasAllProperties
// (as AWS's translator, checked with samtranslator, does); without it, it
// does not.
func TestGlobalsLayerVersionAndWebSocketApi(t *testing.T) {
	t.Parallel()
	tmpl := func(globals, content string) string {
		return `Transform: AWS::Serverless-2016-10-31
Globals:
` + globals + `  WebSocketApi:
    RouteSelectionExpression: $request.body.action
    Tags: {a: b}
Resources:
  Shared:
    Type: AWS::Serverless::LayerVersion
    Properties: {ContentUri: s3://bucket/` + content + `}
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: s3://bucket/code.zip
      AutoPublishAlias: live
      AutoPublishAliasAllProperties: true
      Layers: [!Ref Shared]
`
	}
	version := func(globals, content string) string {
		return transformBody(t, []byte(tmpl(globals, content))).find(t, "FnVersion")
	}
	publish := "  LayerVersion:\n    PublishLambdaVersion: true\n"
	if a, b := version(publish, "v1.zip"), version(publish, "v2.zip"); a == b {
		t.Errorf("with PublishLambdaVersion a new layer kept the function's version %s", a)
	}
	if a, b := version("", "v1.zip"), version("", "v2.zip"); a != b {
		t.Errorf("without PublishLambdaVersion a new layer changed the function's version: %s, %s", a, b)
	}
}

// TestFailureDestinationPolicies: an OnFailure destination gives the
// role the policy SAM's translator writes for its type: named after the
// stream event (WorkerClicksSQSPolicy) or EventInvokeConfig's side
// (WorkerEventInvokeConfigOnFailureS3Policy), without a Version, each
// action a string, SNS's in lower case; a bucket gets s3:PutObject on
// its objects and s3:ListBucket, what Lambda requires of it. A stream
// event's policy whose document the role already has is left out (the
// S3 one here); a Kafka destination has none.
func TestFailureDestinationPolicies(t *testing.T) {
	t.Parallel()
	r := transformBody(t, []byte(`Transform: AWS::Serverless-2016-10-31
Resources:
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      InlineCode: "def handler(e, c): pass"
      EventInvokeConfig:
        DestinationConfig:
          OnFailure:
            Type: S3Bucket
            Destination: arn:aws:s3:::failures
      Events:
        Clicks:
          Type: Kinesis
          Properties:
            Stream: arn:aws:kinesis:us-east-1:123456789012:stream/clicks
            StartingPosition: LATEST
            DestinationConfig:
              OnFailure:
                Type: SQS
                Destination: arn:aws:sqs:us-east-1:123456789012:dlq
        Views:
          Type: Kinesis
          Properties:
            Stream: arn:aws:kinesis:us-east-1:123456789012:stream/views
            StartingPosition: LATEST
            DestinationConfig:
              OnFailure:
                Type: S3
                Destination: arn:aws:s3:::failures
        Rows:
          Type: DynamoDB
          Properties:
            Stream: arn:aws:dynamodb:us-east-1:123456789012:table/rows/stream/1
            StartingPosition: TRIM_HORIZON
            DestinationConfig:
              OnFailure:
                Type: SNS
                Destination: arn:aws:sns:us-east-1:123456789012:alerts
        Logs:
          Type: DynamoDB
          Properties:
            Stream: arn:aws:dynamodb:us-east-1:123456789012:table/logs/stream/1
            StartingPosition: TRIM_HORIZON
            DestinationConfig:
              OnFailure:
                Type: Kafka
                Destination: kafka://failures
`))
	statement := func(action string, resource any) any {
		return map[string]any{"Effect": "Allow", "Action": action, "Resource": resource}
	}
	policy := func(name string, statements ...any) any {
		return map[string]any{"PolicyName": name, "PolicyDocument": map[string]any{"Statement": statements}}
	}
	want(t, "role policies", r.props(t, "WorkerRole", tRole)["Policies"], []any{
		policy("WorkerEventInvokeConfigOnFailureS3Policy",
			statement("s3:PutObject", map[string]any{"Fn::Join": []any{"/", []any{"arn:aws:s3:::failures", "*"}}}),
			statement("s3:ListBucket", "arn:aws:s3:::failures")),
		policy("WorkerClicksSQSPolicy", statement("sqs:SendMessage", "arn:aws:sqs:us-east-1:123456789012:dlq")),
		policy("WorkerRowsSNSPolicy", statement("sns:publish", "arn:aws:sns:us-east-1:123456789012:alerts")),
	})
}
