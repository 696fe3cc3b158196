package iam

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/virga/virga/internal/awsproto"
	"github.com/virga/virga/internal/awsproto/awsjson"
	"github.com/virga/virga/internal/clock"
	"github.com/virga/virga/internal/ids"
	pebblestore "github.com/virga/virga/internal/store/pebble"
)

type putItemInput struct{ TableName *string }

// authFixture is IAM with one user, bob, and a DynamoDB-like service to
// authorize calls to.
func authFixture(tb testing.TB, policy string) (*Service, *awsproto.Service, awsproto.Caller) {
	tb.Helper()
	db, err := pebblestore.Open(pebblestore.Options{InMemory: true})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	s := New(Deps{Store: db, Clock: clock.NewFake(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)), IDs: ids.New(nil), Account: "000000000000"})
	u := &userRecord{Name: "bob", Path: "/", ID: "AIDABOB"}
	u.Inline = map[string]string{"p": policy}
	if err := s.commit((&change{}).put(kindUser, "bob", u)); err != nil {
		tb.Fatal(err)
	}
	svc := (&awsproto.Service{Name: "dynamodb", Protocol: awsjson.New("1.0", "DynamoDB_20120810"),
		Operations: []awsproto.Operation{{Name: "PutItem", Handler: awsproto.Handle(func(_ context.Context, _ *putItemInput) (*struct{}, error) { return nil, nil })}},
		Resources: func(c *awsproto.Call, in any) []string {
			return []string{"arn:aws:dynamodb:us-east-1:000000000000:table/" + awsproto.InputString(in, "TableName")}
		},
	}).Init()
	return s, svc, awsproto.Caller{AccessKeyID: "AKIABOB", Account: "000000000000", ARN: "arn:aws:iam::000000000000:user/bob", UserID: "AIDABOB"}
}

func authorize(a *Authorizer, svc *awsproto.Service, caller awsproto.Caller, table string) error {
	c := awsproto.NewCall(httptest.NewRequest("POST", "/", nil), "r", time.Time{})
	c.Service, c.Op, c.Caller, c.Region = svc, svc.Operation("PutItem"), caller, "us-east-1"
	return a.Authorize(c, &putItemInput{TableName: &table})
}

// TestAuthorizerSeesChanges: callers' policies are cached, and a change
// to IAM is in force for the very next call.
func TestAuthorizerSeesChanges(t *testing.T) {
	s, svc, bob := authFixture(t, `{"Statement":{"Effect":"Allow","Action":"dynamodb:PutItem","Resource":"*"}}`)
	a := s.Authorizer()
	if err := authorize(a, svc, bob, "t"); err != nil {
		t.Fatalf("allowed PutItem: %v", err)
	}
	u, err := s.user("bob")
	if err != nil {
		t.Fatal(err)
	}
	u.Inline["p"] = `{"Statement":{"Effect":"Allow","Action":"dynamodb:GetItem","Resource":"*"}}`
	if err := s.commit((&change{}).put(kindUser, "bob", u)); err != nil {
		t.Fatal(err)
	}
	err = authorize(a, svc, bob, "t")
	if err == nil || !strings.Contains(err.Error(), "because no identity-based policy allows the dynamodb:PutItem action") {
		t.Fatalf("after the change: %v", err)
	}
	root := awsproto.Caller{Account: "000000000000"}
	if err := authorize(a, svc, root, "t"); err != nil {
		t.Errorf("root: %v", err)
	}
}

// BenchmarkAuthorize measures one authorization of a user's call with
// its policies cached.
func BenchmarkAuthorize(b *testing.B) {
	s, svc, bob := authFixture(b, `{"Version":"2012-10-17","Statement":[`+
		`{"Effect":"Allow","Action":["dynamodb:GetItem","dynamodb:PutItem","dynamodb:Query"],"Resource":"arn:aws:dynamodb:*:*:table/t*"},`+
		`{"Effect":"Deny","Action":"dynamodb:*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"true"}}}]}`)
	a := s.Authorizer()
	c := awsproto.NewCall(httptest.NewRequest("POST", "/", nil), "r", time.Time{})
	c.Service, c.Op, c.Caller, c.Region = svc, svc.Operation("PutItem"), bob, "us-east-1"
	table := "t1"
	in := &putItemInput{TableName: &table}
	b.ReportAllocs()
	for b.Loop() {
		if err := a.Authorize(c, in); err != nil {
			b.Fatal(err)
		}
	}
}

// TestAllowsService: a service principal is allowed only by the target's
// resource-based policy, with aws:SourceArn and aws:SourceAccount from
// the sending resource; no policy, or one naming another source, another
// action or another principal, allows nothing.
func TestAllowsService(t *testing.T) {
	s, _, _ := authFixture(t, `{"Statement":[]}`)
	a := s.Authorizer()
	queue := "arn:aws:sqs:us-east-1:000000000000:q"
	topic := "arn:aws:sns:us-east-1:000000000000:t"
	for _, tc := range []struct {
		name, doc, principal, action, source, account string
		want                                          bool
	}{
		{"no policy", "", "sns.amazonaws.com", "sqs:SendMessage", topic, "000000000000", false},
		{"source matches", `{"Statement":{"Effect":"Allow","Principal":{"Service":"sns.amazonaws.com"},"Action":"sqs:SendMessage","Resource":"` + queue + `","Condition":{"ArnEquals":{"aws:SourceArn":"` + topic + `"}}}}`,
			"sns.amazonaws.com", "sqs:SendMessage", topic, "000000000000", true},
		{"other source", `{"Statement":{"Effect":"Allow","Principal":{"Service":"sns.amazonaws.com"},"Action":"sqs:SendMessage","Resource":"` + queue + `","Condition":{"ArnEquals":{"aws:SourceArn":"` + topic + `"}}}}`,
			"sns.amazonaws.com", "sqs:SendMessage", topic + "2", "000000000000", false},
		{"other principal", `{"Statement":{"Effect":"Allow","Principal":{"Service":"events.amazonaws.com"},"Action":"sqs:SendMessage","Resource":"*"}}`,
			"sns.amazonaws.com", "sqs:SendMessage", topic, "000000000000", false},
		{"other action", `{"Statement":{"Effect":"Allow","Principal":{"Service":"sns.amazonaws.com"},"Action":"sqs:ReceiveMessage","Resource":"*"}}`,
			"sns.amazonaws.com", "sqs:SendMessage", topic, "000000000000", false},
		{"source account", `{"Statement":{"Effect":"Allow","Principal":{"Service":"s3.amazonaws.com"},"Action":"sqs:SendMessage","Resource":"*","Condition":{"StringEquals":{"aws:SourceAccount":"000000000000"}}}}`,
			"s3.amazonaws.com", "sqs:SendMessage", "arn:aws:s3:::b", "000000000000", true},
		{"anyone", `{"Statement":{"Effect":"Allow","Principal":"*","Action":"sqs:*","Resource":"*"}}`,
			"sns.amazonaws.com", "sqs:SendMessage", topic, "000000000000", true},
		{"deny wins", `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"sqs:*","Resource":"*"},{"Effect":"Deny","Principal":{"Service":"sns.amazonaws.com"},"Action":"sqs:SendMessage","Resource":"*"}]}`,
			"sns.amazonaws.com", "sqs:SendMessage", topic, "000000000000", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			svc := &awsproto.Service{ResourcePolicy: func(ctx context.Context, resource string) (string, error) {
				if resource != queue {
					t.Errorf("policy of %s", resource)
				}
				return tc.doc, nil
			}}
			got, err := a.AllowsService(context.Background(), svc, tc.principal, tc.action, queue, tc.source, tc.account)
			if err != nil || got != tc.want {
				t.Errorf("AllowsService = %v, %v; want %v", got, err, tc.want)
			}
		})
	}
}

// TestAllowsFederated: a role's trust policy lets a web identity of a
// federated provider assume it when it names the provider and its
// conditions hold for the identity's keys; a service principal, another
// provider or another pool's identity is not let in.
func TestAllowsFederated(t *testing.T) {
	s, _, _ := authFixture(t, `{"Statement":[]}`)
	a := s.Authorizer()
	role := "arn:aws:iam::000000000000:role/guest"
	const provider, action = "cognito-identity.amazonaws.com", "sts:AssumeRoleWithWebIdentity"
	trust := func(principal, aud string) string {
		return `{"Statement":{"Effect":"Allow","Principal":` + principal + `,"Action":"` + action + `","Condition":{` +
			`"StringEquals":{"cognito-identity.amazonaws.com:aud":"` + aud + `"},` +
			`"ForAnyValue:StringLike":{"cognito-identity.amazonaws.com:amr":"unauthenticated"}}}}`
	}
	keys := map[string][]string{"cognito-identity.amazonaws.com:aud": {"us-east-1:pool"},
		"cognito-identity.amazonaws.com:amr": {"unauthenticated"}}
	for _, tc := range []struct {
		name, doc string
		want      bool
	}{
		{"no trust policy", "", false},
		{"the provider, this pool", trust(`{"Federated":"`+provider+`"}`, "us-east-1:pool"), true},
		{"another pool", trust(`{"Federated":"`+provider+`"}`, "us-east-1:other"), false},
		{"another provider", trust(`{"Federated":"accounts.google.com"}`, "us-east-1:pool"), false},
		{"a service", trust(`{"Service":"`+provider+`"}`, "us-east-1:pool"), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			svc := &awsproto.Service{ResourcePolicy: func(ctx context.Context, resource string) (string, error) {
				if resource != role {
					t.Errorf("policy of %s", resource)
				}
				return tc.doc, nil
			}}
			got, err := a.AllowsFederated(context.Background(), svc, provider, action, role, keys)
			if err != nil || got != tc.want {
				t.Errorf("AllowsFederated = %v, %v; want %v", got, err, tc.want)
			}
		})
	}
}

// TestPollerManagedPolicies: a role with Lambda's queue or stream
// execution policy attached may do what an event source mapping's
// poller does, and no more, and one with a service's FullAccess policy,
// AWSLambdaRole or AWSXrayWriteOnlyAccess what their descriptions say,
// though virga does not carry those policies' documents
// (GetPolicyVersion still says so).
func TestPollerManagedPolicies(t *testing.T) {
	s, _, _ := authFixture(t, `{"Statement":[]}`)
	for _, c := range []struct {
		policy, resource string
		allowed          []string
		denied           string
	}{
		{"AWSLambdaSQSQueueExecutionRole", "arn:aws:sqs:us-east-1:000000000000:q",
			[]string{"sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"}, "sqs:SendMessage"},
		{"AWSLambdaKinesisExecutionRole", "arn:aws:kinesis:us-east-1:000000000000:stream/s",
			[]string{"kinesis:GetRecords", "kinesis:GetShardIterator", "kinesis:DescribeStream", "kinesis:ListShards"}, "kinesis:PutRecord"},
		{"AWSLambdaRole", "arn:aws:lambda:us-east-1:000000000000:function:f", []string{"lambda:InvokeFunction"}, "lambda:DeleteFunction"},
		{"/AmazonSQSFullAccess", "arn:aws:sqs:us-east-1:000000000000:q",
			[]string{"sqs:SendMessage", "sqs:ReceiveMessage", "sqs:DeleteQueue"}, "sns:Publish"},
		{"/AmazonSNSFullAccess", "arn:aws:sns:us-east-1:000000000000:t", []string{"sns:Publish", "sns:Subscribe"}, "sqs:SendMessage"},
		{"/AmazonDynamoDBFullAccess", "arn:aws:dynamodb:us-east-1:000000000000:table/t", []string{"dynamodb:PutItem", "dynamodb:Query"}, "s3:GetObject"},
		{"/AmazonS3FullAccess", "arn:aws:s3:::b/k", []string{"s3:GetObject", "s3:PutObject"}, "dynamodb:GetItem"},
		{"/CloudWatchLogsFullAccess", "arn:aws:logs:us-east-1:000000000000:log-group:g", []string{"logs:PutLogEvents", "logs:DeleteLogGroup"}, "sqs:SendMessage"},
		{"/AWSXrayWriteOnlyAccess", "*", []string{"xray:PutTraceSegments", "xray:GetSamplingRules"}, "xray:GetTraceSummaries"},
	} {
		arn := "arn:aws:iam::aws:policy/service-role/" + c.policy
		if name, ok := strings.CutPrefix(c.policy, "/"); ok {
			arn, c.policy = "arn:aws:iam::aws:policy/"+name, name
		}
		r := &roleRecord{Name: c.policy + "-user", Path: "/", ID: "AROA" + c.policy}
		r.Attached = []string{arn}
		if err := s.commit((&change{}).put(kindRole, r.Name, r)); err != nil {
			t.Fatal(err)
		}
		role := "arn:aws:iam::000000000000:role/" + r.Name
		a := s.Authorizer()
		for _, action := range c.allowed {
			if err := a.AuthorizeRole(context.Background(), role, "s", "us-east-1", nil, action, c.resource); err != nil {
				t.Errorf("%s: %s denied: %v", c.policy, action, err)
			}
		}
		if err := a.AuthorizeRole(context.Background(), role, "s", "us-east-1", nil, c.denied, c.resource); err == nil {
			t.Errorf("%s: %s allowed", c.policy, c.denied)
		}
		if _, err := s.getPolicyVersion(context.Background(), &GetPolicyVersionRequest{PolicyArn: &arn, VersionId: ptr("v1")}); err == nil {
			t.Errorf("%s: GetPolicyVersion answered a document virga does not carry", c.policy)
		}
	}
}
