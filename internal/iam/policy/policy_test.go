package policy

import (
	"strings"
	"testing"

	"github.com/virga/virga/internal/wildcard"
)

const acct = "123456789012"

func must(t *testing.T, doc string) *Policy {
	t.Helper()
	p, err := Parse(doc)
	if err != nil {
		t.Fatalf("Parse(%s): %v", doc, err)
	}
	return p
}

func userReq(action, resource string, ctx map[string][]string) Request {
	if ctx == nil {
		ctx = map[string][]string{}
	}
	ctx["aws:username"] = []string{"bob"}
	return Request{Action: action, Resource: resource, Context: ctx,
		Principal: Principal{ARN: "arn:aws:iam::" + acct + ":user/bob", Account: acct}}
}

// TestStatementMatching takes its cases from IAM's policy element
// reference (Action, NotAction, Resource with variables, Condition
// operators).
func TestStatementMatching(t *testing.T) {
	table := "arn:aws:dynamodb:us-east-1:" + acct + ":table/Books"
	for _, tc := range []struct {
		name   string
		policy string
		req    Request
		want   bool
	}{
		{"action wildcard, case-insensitive", `{"Statement":{"Effect":"Allow","Action":"DynamoDB:Get*","Resource":"*"}}`,
			userReq("dynamodb:GetItem", table, nil), true},
		{"action not matched", `{"Statement":{"Effect":"Allow","Action":["dynamodb:GetItem","dynamodb:Query"],"Resource":"*"}}`,
			userReq("dynamodb:PutItem", table, nil), false},
		{"action ? wildcard", `{"Statement":{"Effect":"Allow","Action":"sqs:?eceiveMessage","Resource":"*"}}`,
			userReq("sqs:ReceiveMessage", "*", nil), true},
		{"NotAction allows everything else", `{"Statement":{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}}`,
			userReq("s3:GetObject", "arn:aws:s3:::b/k", nil), true},
		{"NotAction excludes", `{"Statement":{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}}`,
			userReq("iam:CreateUser", "*", nil), false},
		{"resource exact", `{"Statement":{"Effect":"Allow","Action":"dynamodb:*","Resource":"arn:aws:dynamodb:us-east-1:123456789012:table/Books"}}`,
			userReq("dynamodb:GetItem", table, nil), true},
		{"resource other table", `{"Statement":{"Effect":"Allow","Action":"dynamodb:*","Resource":"arn:aws:dynamodb:us-east-1:123456789012:table/Books"}}`,
			userReq("dynamodb:GetItem", table+"2", nil), false},
		{"resource wildcard region", `{"Statement":{"Effect":"Allow","Action":"dynamodb:*","Resource":"arn:aws:dynamodb:*:*:table/B*"}}`,
			userReq("dynamodb:GetItem", table, nil), true},
		{"resource wildcard does not cross segments", `{"Statement":{"Effect":"Allow","Action":"*","Resource":"arn:aws:s3:*"}}`,
			userReq("dynamodb:GetItem", table, nil), false},
		{"NotResource", `{"Statement":{"Effect":"Allow","Action":"*","NotResource":"arn:aws:s3:::secret/*"}}`,
			userReq("s3:GetObject", "arn:aws:s3:::secret/a", nil), false},
		{"policy variable username", `{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::home/${aws:username}/*"}}`,
			userReq("s3:GetObject", "arn:aws:s3:::home/bob/notes", nil), true},
		{"policy variable other user", `{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::home/${aws:username}/*"}}`,
			userReq("s3:GetObject", "arn:aws:s3:::home/alice/notes", nil), false},
		{"unresolved variable does not match", `{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::home/${aws:PrincipalTag/team}/*"}}`,
			userReq("s3:GetObject", "arn:aws:s3:::home/x/notes", nil), false},
		{"variable default", `{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::home/${aws:PrincipalTag/team, 'none'}/*"}}`,
			userReq("s3:GetObject", "arn:aws:s3:::home/none/notes", nil), true},
		{"literal star variable", `{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::b/${*}"}}`,
			userReq("s3:GetObject", "arn:aws:s3:::b/x", nil), false},
		{"StringEquals", `{"Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{"aws:RequestedRegion":["eu-west-1","us-east-1"]}}}}`,
			userReq("s3:GetObject", "*", map[string][]string{"aws:requestedregion": {"us-east-1"}}), true},
		{"StringEquals miss", `{"Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{"aws:RequestedRegion":"eu-west-1"}}}}`,
			userReq("s3:GetObject", "*", map[string][]string{"aws:requestedregion": {"us-east-1"}}), false},
		{"StringNotEquals absent key is true", `{"Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringNotEquals":{"aws:PrincipalTag/dept":"x"}}}}`,
			userReq("s3:GetObject", "*", nil), true},
		{"StringEquals absent key is false", `{"Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalTag/dept":"x"}}}}`,
			userReq("s3:GetObject", "*", nil), false},
		{"IfExists absent key", `{"Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEqualsIfExists":{"aws:PrincipalTag/dept":"x"}}}}`,
			userReq("s3:GetObject", "*", nil), true},
		{"StringLike", `{"Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringLike":{"aws:PrincipalArn":"arn:aws:iam::*:user/b*"}}}}`,
			userReq("s3:GetObject", "*", map[string][]string{"aws:principalarn": {"arn:aws:iam::123456789012:user/bob"}}), true},
		{"StringEqualsIgnoreCase", `{"Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEqualsIgnoreCase":{"aws:username":"BOB"}}}}`,
			userReq("s3:GetObject", "*", nil), true},
		{"condition key case-insensitive", `{"Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{"AWS:UserName":"bob"}}}}`,
			userReq("s3:GetObject", "*", nil), true},
		{"Bool SecureTransport false", `{"Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"true"}}}}`,
			userReq("s3:GetObject", "*", map[string][]string{"aws:securetransport": {"false"}}), false},
		{"Bool from JSON boolean", `{"Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":false}}}}`,
			userReq("s3:GetObject", "*", map[string][]string{"aws:securetransport": {"false"}}), true},
		{"NumericLessThanEquals", `{"Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"NumericLessThanEquals":{"s3:max-keys":"10"}}}}`,
			userReq("s3:ListBucket", "*", map[string][]string{"s3:max-keys": {"10"}}), true},
		{"NumericGreaterThan miss", `{"Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"NumericGreaterThan":{"s3:max-keys":10}}}}`,
			userReq("s3:ListBucket", "*", map[string][]string{"s3:max-keys": {"10"}}), false},
		{"DateLessThan", `{"Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"DateLessThan":{"aws:CurrentTime":"2030-01-01T00:00:00Z"}}}}`,
			userReq("s3:GetObject", "*", map[string][]string{"aws:currenttime": {"2026-11-27T13:00:00Z"}}), true},
		{"DateGreaterThan epoch", `{"Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"DateGreaterThan":{"aws:EpochTime":"1893456000"}}}}`,
			userReq("s3:GetObject", "*", map[string][]string{"aws:epochtime": {"1800000000"}}), false},
		{"IpAddress CIDR", `{"Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}}}`,
			userReq("s3:GetObject", "*", map[string][]string{"aws:sourceip": {"203.0.113.9"}}), true},
		{"NotIpAddress", `{"Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"NotIpAddress":{"aws:SourceIp":["203.0.113.0/24","2001:db8::/32"]}}}}`,
			userReq("s3:GetObject", "*", map[string][]string{"aws:sourceip": {"127.0.0.1"}}), true},
		{"ArnLike SourceArn", `{"Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"ArnLike":{"aws:SourceArn":"arn:aws:sns:*:123456789012:topic-*"}}}}`,
			userReq("sqs:SendMessage", "*", map[string][]string{"aws:sourcearn": {"arn:aws:sns:us-east-1:123456789012:topic-a"}}), true},
		{"ArnEquals miss", `{"Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"ArnEquals":{"aws:SourceArn":"arn:aws:sns:us-east-1:123456789012:topic-a"}}}}`,
			userReq("sqs:SendMessage", "*", map[string][]string{"aws:sourcearn": {"arn:aws:sns:us-east-1:123456789012:topic-b"}}), false},
		{"Null true: key absent", `{"Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"Null":{"aws:TokenIssueTime":"true"}}}}`,
			userReq("s3:GetObject", "*", nil), true},
		{"Null false: key absent", `{"Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"Null":{"aws:TokenIssueTime":"false"}}}}`,
			userReq("s3:GetObject", "*", nil), false},
		{"ForAnyValue", `{"Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"ForAnyValue:StringEquals":{"aws:TagKeys":["env","team"]}}}}`,
			userReq("s3:GetObject", "*", map[string][]string{"aws:tagkeys": {"cost", "team"}}), true},
		{"ForAllValues miss", `{"Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"ForAllValues:StringEquals":{"aws:TagKeys":["env","team"]}}}}`,
			userReq("s3:GetObject", "*", map[string][]string{"aws:tagkeys": {"cost", "team"}}), false},
		{"ForAllValues absent key is true", `{"Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"ForAllValues:StringEquals":{"aws:TagKeys":["env"]}}}}`,
			userReq("s3:GetObject", "*", nil), true},
		{"two keys are ANDed", `{"Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{"aws:username":"bob","aws:RequestedRegion":"eu-west-1"}}}}`,
			userReq("s3:GetObject", "*", map[string][]string{"aws:requestedregion": {"us-east-1"}}), false},
		{"condition value variable", `{"Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag/owner":"${aws:username}"}}}}`,
			userReq("s3:GetObject", "*", map[string][]string{"aws:resourcetag/owner": {"bob"}}), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := must(t, tc.policy)
			if got := p.Allows(&tc.req); got != tc.want {
				t.Errorf("Allows = %v, want %v", got, tc.want)
			}
		})
	}
}

// TestEvaluate follows "Policy evaluation logic": explicit deny wins,
// identity policies must allow, the boundary and session policies cap
// them, and a resource policy naming the caller suffices in one account.
func TestEvaluate(t *testing.T) {
	table := "arn:aws:dynamodb:us-east-1:" + acct + ":table/t"
	queue := "arn:aws:sqs:us-east-1:" + acct + ":q"
	readOnly := must(t, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["dynamodb:GetItem","dynamodb:Query"],"Resource":"*"}]}`)
	all := must(t, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`)
	denyPut := must(t, `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"dynamodb:PutItem","Resource":"*"}]}`)
	denyPut.ID = "arn:aws:iam::" + acct + ":policy/NoPut"
	sqsOnly := must(t, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sqs:*","Resource":"*"}]}`)
	queueForBob := must(t, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:user/bob"},"Action":"sqs:SendMessage","Resource":"`+queue+`"}]}`)
	queueForAccount := must(t, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"123456789012"},"Action":"sqs:SendMessage","Resource":"`+queue+`"}]}`)
	queueForRole := must(t, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:role/r"},"Action":"sqs:SendMessage","Resource":"*"}]}`)
	queueDeny := must(t, `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"sqs:*","Resource":"*"}]}`)
	bob := Principal{ARN: "arn:aws:iam::" + acct + ":user/bob", Account: acct}
	sess := Principal{ARN: "arn:aws:sts::" + acct + ":assumed-role/r/s", Account: acct, RoleARN: "arn:aws:iam::" + acct + ":role/r"}
	req := func(p Principal, action, res string) Request {
		return Request{Action: action, Resource: res, Principal: p, Context: map[string][]string{}}
	}
	for _, tc := range []struct {
		name string
		in   Input
		want string // "" allows; otherwise the denial's message tail
	}{
		{"identity allows", Input{Request: req(bob, "dynamodb:GetItem", table), Identity: []*Policy{readOnly}}, ""},
		{"no identity allow", Input{Request: req(bob, "dynamodb:PutItem", table), Identity: []*Policy{readOnly}},
			"because no identity-based policy allows the dynamodb:PutItem action"},
		{"no policies at all", Input{Request: req(bob, "dynamodb:GetItem", table)},
			"because no identity-based policy allows the dynamodb:GetItem action"},
		{"explicit deny beats allow", Input{Request: req(bob, "dynamodb:PutItem", table), Identity: []*Policy{all, denyPut}},
			"with an explicit deny in an identity-based policy: arn:aws:iam::123456789012:policy/NoPut"},
		{"boundary caps identity", Input{Request: req(bob, "dynamodb:PutItem", table), Identity: []*Policy{all}, Boundary: readOnly},
			"because no permissions boundary allows the dynamodb:PutItem action"},
		{"boundary alone grants nothing", Input{Request: req(bob, "dynamodb:GetItem", table), Boundary: all},
			"because no identity-based policy allows the dynamodb:GetItem action"},
		{"boundary and identity both allow", Input{Request: req(bob, "dynamodb:GetItem", table), Identity: []*Policy{all}, Boundary: readOnly}, ""},
		{"session policy caps role", Input{Request: req(sess, "dynamodb:PutItem", table), Identity: []*Policy{all}, Session: []*Policy{readOnly}, HasSession: true},
			"because no session policy allows the dynamodb:PutItem action"},
		{"session policy allows within role", Input{Request: req(sess, "dynamodb:GetItem", table), Identity: []*Policy{all}, Session: []*Policy{readOnly}, HasSession: true}, ""},
		{"resource policy naming user suffices", Input{Request: req(bob, "sqs:SendMessage", queue), Resource: []*Policy{queueForBob}}, ""},
		{"resource policy naming user beats boundary", Input{Request: req(bob, "sqs:SendMessage", queue), Resource: []*Policy{queueForBob}, Boundary: readOnly}, ""},
		{"resource policy naming account needs identity", Input{Request: req(bob, "sqs:SendMessage", queue), Resource: []*Policy{queueForAccount}},
			"because no identity-based policy allows the sqs:SendMessage action"},
		{"resource policy naming account with identity", Input{Request: req(bob, "sqs:SendMessage", queue), Resource: []*Policy{queueForAccount}, Identity: []*Policy{sqsOnly}}, ""},
		{"resource policy naming role, boundary applies", Input{Request: req(sess, "sqs:SendMessage", queue), Resource: []*Policy{queueForRole}, Boundary: readOnly},
			"because no permissions boundary allows the sqs:SendMessage action"},
		{"resource policy naming role", Input{Request: req(sess, "sqs:SendMessage", queue), Resource: []*Policy{queueForRole}}, ""},
		{"resource policy explicit deny", Input{Request: req(bob, "sqs:SendMessage", queue), Resource: []*Policy{queueDeny}, Identity: []*Policy{all}},
			"with an explicit deny in a resource-based policy"},
		{"resource policy for another user", Input{Request: req(sess, "sqs:SendMessage", queue), Resource: []*Policy{queueForBob}},
			"because no identity-based policy allows the sqs:SendMessage action"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := Evaluate(&tc.in)
			if tc.want == "" {
				if !d.Allowed {
					t.Fatalf("denied: %s", d.Message("P", tc.in.Request.Action, tc.in.Request.Resource))
				}
				return
			}
			if d.Allowed {
				t.Fatalf("allowed, want %q", tc.want)
			}
			msg := d.Message(tc.in.Request.Principal.ARN, tc.in.Request.Action, tc.in.Request.Resource)
			wantMsg := "User: " + tc.in.Request.Principal.ARN + " is not authorized to perform: " + tc.in.Request.Action +
				" on resource: " + tc.in.Request.Resource + " " + tc.want
			if msg != wantMsg {
				t.Errorf("message\n got %s\nwant %s", msg, wantMsg)
			}
		})
	}
}

func TestParseRejects(t *testing.T) {
	for _, doc := range []string{
		`{`, `[]`, `null`, `{"Version":"2012-10-17"}`,
		`{"Statement":{"Effect":"Maybe","Action":"*"}}`,
		`{"Statement":{"Effect":"Allow","Action":"*","NotAction":"s3:*"}}`,
		`{"Statement":{"Effect":"Allow","Action":{"a":1}}}`,
		`{"Statement":{"Effect":"Allow","Action":"*","Principal":"someone"}}`,
		`{"Statement":{"Effect":"Allow","Action":"*","Condition":{"StringSortOf":{"k":"v"}}}}`,
		`{"Statement":{"Effect":"Allow","Action":"*","Condition":{"NullIfExists":{"k":"true"}}}}`,
	} {
		if _, err := Parse(doc); err == nil {
			t.Errorf("Parse(%s) accepted", doc)
		}
	}
}

// TestPatternSyntax: after substitution '*' and '?' are wildcards ('?'
// one character, however many bytes), ${*} and ${?} are literal, and a
// '\\' in the policy is itself.
func TestPatternSyntax(t *testing.T) {
	ctx := map[string][]string{"aws:username": {`a\b`}}
	for _, tc := range []struct {
		pat, s string
		want   bool
	}{
		{"*", "", true}, {"a*c", "abbbc", true}, {"a*c", "abbb", false}, {"a?c", "abc", true},
		{"a?c", "ac", false}, {"*a*b*", "xxaxxbxx", true}, {"", "", true}, {"", "a", false},
		{"a?c", "aéc", true},
		{"${*}", "*", true}, {"${*}", "x", false}, {"a${?}", "a?", true}, {"a${?}", "ab", false},
		{`a\*`, `a\xyz`, true}, {`a\*`, "a*", false}, {`\`, `\`, true},
		{"${aws:username}*", `a\bc`, true}, {"x${$}", "x$", true},
		{"\x00", "*", false},
	} {
		pat, ok := substitute(tc.pat, ctx)
		if got := ok && wildcard.Match(pat, tc.s, patternFlags); got != tc.want {
			t.Errorf("%q against %q = %v", tc.pat, tc.s, got)
		}
	}
	for _, tc := range []struct{ pat, want string }{{"a${*}b${?}", "a*b?"}, {`c:\d`, `c:\d`}, {"${aws:username}", `a\b`}} {
		if pat, _ := substitute(tc.pat, ctx); unescape(pat) != tc.want {
			t.Errorf("unescape(substitute(%q)) = %q, want %q", tc.pat, unescape(pat), tc.want)
		}
	}
	if !strings.Contains(Decision{PolicyType: SessionPolicy}.Message("p", "a", "r"), "no session policy") {
		t.Error("message")
	}
}

// TestWordedMessage: each service words a denial as AWS answered it,
// the action in its spelling and a call on no particular resource named
// as the service names it.
func TestWordedMessage(t *testing.T) {
	const user, region, account = "arn:aws:iam::123456789012:user/bob", "eu-west-1", "123456789012"
	for _, tc := range []struct{ action, resource, want string }{
		{"s3:ListAllMyBuckets", "*", "s3:ListAllMyBuckets because no identity-based policy allows the s3:ListAllMyBuckets action"},
		{"s3:ListAllMyBuckets", "arn:aws:s3:::*", "s3:ListAllMyBuckets because no identity-based policy allows the s3:ListAllMyBuckets action"},
		{"s3:GetObject", "arn:aws:s3:::b/k", `s3:GetObject on resource: "arn:aws:s3:::b/k" because no identity-based policy allows the s3:GetObject action`},
		{"lambda:ListFunctions", "*", "lambda:ListFunctions on resource: * because no identity-based policy allows the lambda:ListFunctions action"},
		{"lambda:InvokeFunction", "arn:aws:lambda:eu-west-1:123456789012:function:f",
			"lambda:InvokeFunction on resource: arn:aws:lambda:eu-west-1:123456789012:function:f because no identity-based policy allows the lambda:InvokeFunction action"},
		{"ecr:GetAuthorizationToken", "*", "ecr:GetAuthorizationToken on resource: * because no identity-based policy allows the ecr:GetAuthorizationToken action"},
		{"ecr:DescribeRepositories", "*", "ecr:DescribeRepositories on resource: arn:aws:ecr:eu-west-1:123456789012:repository/* because no identity-based policy allows the ecr:DescribeRepositories action"},
		{"ecs:ListClusters", "*", "ecs:ListClusters on resource: * because no identity-based policy allows the ecs:ListClusters action"},
		{"kms:ListKeys", "*", "kms:ListKeys on resource: * because no identity-based policy allows the kms:ListKeys action"},
		{"dynamodb:ListTables", "*", "dynamodb:ListTables on resource: arn:aws:dynamodb:eu-west-1:123456789012:table/* because no identity-based policy allows the dynamodb:ListTables action"},
		{"dynamodb:GetItem", "arn:aws:dynamodb:eu-west-1:123456789012:table/t",
			"dynamodb:GetItem on resource: arn:aws:dynamodb:eu-west-1:123456789012:table/t because no identity-based policy allows the dynamodb:GetItem action"},
		{"sqs:ListQueues", "*", "sqs:listqueues on resource: arn:aws:sqs:eu-west-1:123456789012: because no identity-based policy allows the sqs:listqueues action"},
		{"sqs:SendMessage", "arn:aws:sqs:eu-west-1:123456789012:q",
			"sqs:sendmessage on resource: arn:aws:sqs:eu-west-1:123456789012:q because no identity-based policy allows the sqs:sendmessage action"},
		{"sns:ListTopics", "*", "SNS:ListTopics on resource: arn:aws:sns:eu-west-1:123456789012:* because no identity-based policy allows the SNS:ListTopics action"},
		{"sns:Publish", "arn:aws:sns:eu-west-1:123456789012:t",
			"SNS:Publish on resource: arn:aws:sns:eu-west-1:123456789012:t because no identity-based policy allows the SNS:Publish action"},
		{"ssm:DescribeParameters", "*", "ssm:DescribeParameters on resource: arn:aws:ssm:eu-west-1:123456789012:* because no identity-based policy allows the ssm:DescribeParameters action"},
		{"logs:DescribeLogGroups", "*", "logs:DescribeLogGroups on resource: arn:aws:logs:eu-west-1:123456789012:log-group::log-stream: because no identity-based policy allows the logs:DescribeLogGroups action"},
		{"events:ListRules", "*", "events:ListRules on resource: arn:aws:events:eu-west-1:123456789012:rule/* because no identity-based policy allows the events:ListRules action"},
		{"states:ListStateMachines", "*", "states:ListStateMachines on resource: arn:aws:states:eu-west-1:123456789012:stateMachine:* because no identity-based policy allows the states:ListStateMachines action"},
		{"cloudformation:ListStacks", "*", "cloudformation:ListStacks on resource: arn:aws:cloudformation:eu-west-1:123456789012:stack/*/* because no identity-based policy allows the cloudformation:ListStacks action"},
		{"iam:ListRoles", "*", "iam:ListRoles on resource: arn:aws:iam::123456789012:role/ because no identity-based policy allows the iam:ListRoles action"},
		{"iam:ListUsers", "*", "iam:ListUsers on resource: arn:aws:iam::123456789012:user/ because no identity-based policy allows the iam:ListUsers action"},
		{"cognito-idp:ListUserPools", "*", "cognito-idp:ListUserPools on resource: * because no identity-based policy allows the cognito-idp:ListUserPools action"},
		{"xray:PutTraceSegments", "*", "xray:PutTraceSegments because no identity-based policy allows the xray:PutTraceSegments action"},
		{"cloudwatch:PutMetricData", "*", "cloudwatch:PutMetricData because no identity-based policy allows the cloudwatch:PutMetricData action"},
		{"secretsmanager:ListSecrets", "*", "secretsmanager:ListSecrets because no identity-based policy allows the secretsmanager:ListSecrets action"},
	} {
		action, resource := Worded(tc.action, tc.resource, region, account)
		got := Decision{PolicyType: IdentityBased}.Message(user, action, resource)
		if want := "User: " + user + " is not authorized to perform: " + tc.want; got != want {
			t.Errorf("%s on %s:\n got %s\nwant %s", tc.action, tc.resource, got, want)
		}
	}
}

// TestShortMessage: API Gateway's wording keeps a denial's head and
// whether a Deny decided, and drops the reason and the policy.
func TestShortMessage(t *testing.T) {
	head := "User: arn:aws:iam::000000000000:user/bob is not authorized to perform: execute-api:Invoke on resource: arn:aws:execute-api:us-east-1:000000000000:a1/prod/GET/hello"
	for _, d := range []Decision{{PolicyType: IdentityBased}, {Explicit: true, PolicyType: IdentityBased, PolicyID: "arn:aws:iam::000000000000:policy/deny"}} {
		want := head
		if d.Explicit {
			want += " with an explicit deny"
		}
		msg := d.Message("arn:aws:iam::000000000000:user/bob", "execute-api:Invoke", "arn:aws:execute-api:us-east-1:000000000000:a1/prod/GET/hello")
		if got := ShortMessage(msg); got != want {
			t.Errorf("ShortMessage(%q) = %q, want %q", msg, got, want)
		}
	}
}
