package e2e_test

import (
	"context"
	"encoding/json"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/virga/virga/internal/config"
	"github.com/virga/virga/internal/e2e"
)

// iamMode enforces IAM policies (--auth iam).
var iamMode = e2e.WithConfig(func(c *config.Config) { c.Auth = config.AuthIAM })

const tableARN = "arn:aws:dynamodb:us-east-1:" + testAccount + ":table/tbl"

// iamUser creates a user with an inline policy (when given) and returns
// an aws.Config signed with a new access key of the user.
func iamUser(t *testing.T, env *e2e.Env, name, inline string) aws.Config {
	t.Helper()
	ctx := context.Background()
	c := iamClient(env)
	if _, err := c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(name)}); err != nil {
		t.Fatal(err)
	}
	if inline != "" {
		if _, err := c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String(name), PolicyName: aws.String("inline"),
			PolicyDocument: aws.String(inline)}); err != nil {
			t.Fatal(err)
		}
	}
	key, err := c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	return e2e.ClientConfig(env.Endpoint, env.Cfg.Region, aws.ToString(key.AccessKey.AccessKeyId), aws.ToString(key.AccessKey.SecretAccessKey), "")
}

func createTableT(t *testing.T, c *dynamodb.Client) {
	t.Helper()
	if _, err := c.CreateTable(context.Background(), &dynamodb.CreateTableInput{TableName: aws.String("tbl"),
		AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: ddbtypes.ScalarAttributeTypeS}},
		KeySchema:            []ddbtypes.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: ddbtypes.KeyTypeHash}},
		BillingMode:          ddbtypes.BillingModePayPerRequest}); err != nil {
		t.Fatal(err)
	}
}

var itemKey = map[string]ddbtypes.AttributeValue{"pk": &ddbtypes.AttributeValueMemberS{Value: "a"}}

func wantDenied(t *testing.T, err error, code string, status int, message string) {
	t.Helper()
	ae := wantAPIError(t, err)
	if ae.Code != code || ae.Status != status || ae.Message != message {
		t.Errorf("denial: %d %s %q\nwant %d %s %q", ae.Status, ae.Code, ae.Message, status, code, message)
	}
}

// TestIAMEnforceIdentityPolicies: under --auth iam the configured keys
// are the root's and may do anything; a user may do what its policies
// allow, an explicit Deny wins over an Allow, and a permissions boundary
// caps what the policies allow. DynamoDB answers a denial with 400
// AccessDeniedException in IAM's wording.
func TestIAMEnforceIdentityPolicies(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t, iamMode)
	ctx := context.Background()
	root := dynamodb.NewFromConfig(env.Config)
	createTableT(t, root)
	if _, err := root.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("tbl"), Item: itemKey}); err != nil {
		t.Fatalf("root PutItem: %v", err)
	}

	reader := dynamodb.NewFromConfig(iamUser(t, env, "bob",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["dynamodb:GetItem","dynamodb:Query","dynamodb:Scan"],"Resource":"arn:aws:dynamodb:*:*:table/tbl"}]}`))
	if _, err := reader.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("tbl"), Key: itemKey}); err != nil {
		t.Fatalf("bob GetItem: %v", err)
	}
	_, err := reader.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("tbl"), Item: itemKey})
	wantDenied(t, err, "AccessDeniedException", 400, "User: arn:aws:iam::"+testAccount+":user/bob is not authorized to perform: dynamodb:PutItem on resource: "+tableARN+
		" because no identity-based policy allows the dynamodb:PutItem action")
	// Transactions are authorized item by item.
	if _, err := reader.TransactGetItems(ctx, &dynamodb.TransactGetItemsInput{TransactItems: []ddbtypes.TransactGetItem{
		{Get: &ddbtypes.Get{TableName: aws.String("tbl"), Key: itemKey}}}}); err != nil {
		t.Errorf("bob TransactGetItems: %v", err)
	}
	_, err = reader.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []ddbtypes.TransactWriteItem{
		{Put: &ddbtypes.Put{TableName: aws.String("tbl"), Item: itemKey}}}})
	wantDenied(t, err, "AccessDeniedException", 400, "User: arn:aws:iam::"+testAccount+":user/bob is not authorized to perform: dynamodb:PutItem on resource: "+tableARN+
		" because no identity-based policy allows the dynamodb:PutItem action")
	_, err = reader.ListTables(ctx, &dynamodb.ListTablesInput{})
	wantDenied(t, err, "AccessDeniedException", 400, "User: arn:aws:iam::"+testAccount+":user/bob is not authorized to perform: dynamodb:ListTables"+
		" on resource: arn:aws:dynamodb:us-east-1:"+testAccount+":table/* because no identity-based policy allows the dynamodb:ListTables action")

	// An explicit Deny in a managed policy beats the inline Allow.
	ic := iamClient(env)
	deny, err := ic.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("NoPut"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"dynamodb:PutItem","Resource":"*"}]}`)})
	if err != nil {
		t.Fatal(err)
	}
	admin := dynamodb.NewFromConfig(iamUser(t, env, "carol", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`))
	if _, err := admin.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("tbl"), Item: itemKey}); err != nil {
		t.Fatalf("carol PutItem before the deny: %v", err)
	}
	if _, err := ic.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("carol"), PolicyArn: deny.Policy.Arn}); err != nil {
		t.Fatal(err)
	}
	_, err = admin.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("tbl"), Item: itemKey})
	wantDenied(t, err, "AccessDeniedException", 400, "User: arn:aws:iam::"+testAccount+":user/carol is not authorized to perform: dynamodb:PutItem on resource: "+tableARN+
		" with an explicit deny in an identity-based policy: "+aws.ToString(deny.Policy.Arn))
	if _, err := admin.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("tbl"), Key: itemKey}); err != nil {
		t.Fatalf("carol GetItem: %v", err)
	}

	// A permissions boundary that allows only reads caps carol's "*".
	if _, err := ic.DetachUserPolicy(ctx, &iam.DetachUserPolicyInput{UserName: aws.String("carol"), PolicyArn: deny.Policy.Arn}); err != nil {
		t.Fatal(err)
	}
	reads, err := ic.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("ReadsOnly"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"dynamodb:Get*","Resource":"*"}]}`)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ic.PutUserPermissionsBoundary(ctx, &iam.PutUserPermissionsBoundaryInput{UserName: aws.String("carol"), PermissionsBoundary: reads.Policy.Arn}); err != nil {
		t.Fatal(err)
	}
	_, err = admin.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("tbl"), Item: itemKey})
	wantDenied(t, err, "AccessDeniedException", 400, "User: arn:aws:iam::"+testAccount+":user/carol is not authorized to perform: dynamodb:PutItem on resource: "+tableARN+
		" because no permissions boundary allows the dynamodb:PutItem action")
	if _, err := admin.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("tbl"), Key: itemKey}); err != nil {
		t.Fatalf("carol GetItem within the boundary: %v", err)
	}

	// Anyone may ask who they are.
	if _, err := sts.NewFromConfig(iamUser(t, env, "nobody", "")).GetCallerIdentity(ctx, nil); err != nil {
		t.Errorf("GetCallerIdentity without permissions: %v", err)
	}
}

// TestIAMEnforceAssumeRole: AssumeRole is allowed only when the role's
// trust policy allows the caller, and the session may do what the role's
// policies allow, capped by the session policy it was given.
func TestIAMEnforceAssumeRole(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t, iamMode)
	ctx := context.Background()
	createTableT(t, dynamodb.NewFromConfig(env.Config))
	ic := iamClient(env)
	userARN := "arn:aws:iam::" + testAccount + ":user/dave"
	for _, r := range []struct{ name, principal string }{{"reader", userARN}, {"other", "arn:aws:iam::" + testAccount + ":user/erin"}} {
		if _, err := ic.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(r.name),
			AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + r.principal + `"},"Action":"sts:AssumeRole"}]}`)}); err != nil {
			t.Fatal(err)
		}
		if _, err := ic.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String(r.name), PolicyName: aws.String("p"),
			PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["dynamodb:GetItem","dynamodb:PutItem"],"Resource":"*"}]}`)}); err != nil {
			t.Fatal(err)
		}
	}
	// dave has no policy of his own: the trust policy naming him is
	// enough (same-account rule).
	dave := sts.NewFromConfig(iamUser(t, env, "dave", ""))
	out, err := dave.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::" + testAccount + ":role/reader"), RoleSessionName: aws.String("s1")})
	if err != nil {
		t.Fatalf("AssumeRole reader: %v", err)
	}
	role, err := ic.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("reader")})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := aws.ToString(out.AssumedRoleUser.AssumedRoleId), aws.ToString(role.Role.RoleId)+":s1"; got != want {
		t.Errorf("AssumedRoleId %q, want the role's id: %q", got, want)
	}
	cr := out.Credentials
	sess := dynamodb.NewFromConfig(e2e.ClientConfig(env.Endpoint, "us-east-1", *cr.AccessKeyId, *cr.SecretAccessKey, *cr.SessionToken))
	if _, err := sess.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("tbl"), Item: itemKey}); err != nil {
		t.Fatalf("session PutItem: %v", err)
	}
	_, err = sess.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String("tbl"), Key: itemKey})
	wantDenied(t, err, "AccessDeniedException", 400, "User: arn:aws:sts::"+testAccount+":assumed-role/reader/s1 is not authorized to perform: dynamodb:DeleteItem on resource: "+tableARN+
		" because no identity-based policy allows the dynamodb:DeleteItem action")

	// A session policy narrows the role's permissions to GetItem.
	out, err = dave.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::" + testAccount + ":role/reader"), RoleSessionName: aws.String("s2"),
		Policy: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"dynamodb:GetItem","Resource":"*"}]}`)})
	if err != nil {
		t.Fatalf("AssumeRole with a session policy: %v", err)
	}
	cr = out.Credentials
	narrow := dynamodb.NewFromConfig(e2e.ClientConfig(env.Endpoint, "us-east-1", *cr.AccessKeyId, *cr.SecretAccessKey, *cr.SessionToken))
	if _, err := narrow.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("tbl"), Key: itemKey}); err != nil {
		t.Fatalf("narrow session GetItem: %v", err)
	}
	_, err = narrow.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("tbl"), Item: itemKey})
	wantDenied(t, err, "AccessDeniedException", 400, "User: arn:aws:sts::"+testAccount+":assumed-role/reader/s2 is not authorized to perform: dynamodb:PutItem on resource: "+tableARN+
		" because no session policy allows the dynamodb:PutItem action")

	// The other role trusts erin, not dave; and no role is "missing".
	for _, role := range []string{"other", "missing"} {
		arn := "arn:aws:iam::" + testAccount + ":role/" + role
		_, err = dave.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(arn), RoleSessionName: aws.String("s3")})
		wantDenied(t, err, "AccessDenied", 403, "User: "+userARN+" is not authorized to perform: sts:AssumeRole on resource: "+arn+
			" because no resource-based policy allows the sts:AssumeRole action")
	}
}

// TestIAMEnforceQueuePolicy: a queue policy that names a user lets it
// send without any identity policy of its own; another user is refused
// with SQS's AccessDenied.
func TestIAMEnforceQueuePolicy(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t, iamMode)
	ctx := context.Background()
	root := sqs.NewFromConfig(env.Config)
	url := newQueue(t, root, "jobs")
	frank := sqs.NewFromConfig(iamUser(t, env, "frank", ""))
	gina := sqs.NewFromConfig(iamUser(t, env, "gina", ""))
	send := func(c *sqs.Client) error {
		_, err := c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: &url, MessageBody: aws.String("hi")})
		return err
	}
	err := send(frank)
	wantDenied(t, err, "AccessDenied", 403, "User: arn:aws:iam::"+testAccount+":user/frank is not authorized to perform: sqs:sendmessage on resource: "+queueARN("jobs")+
		" because no identity-based policy allows the sqs:sendmessage action")
	pol := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + testAccount + `:user/frank"},"Action":"sqs:SendMessage","Resource":"` + queueARN("jobs") + `"}]}`
	if _, err := root.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: &url, Attributes: map[string]string{"Policy": pol}}); err != nil {
		t.Fatal(err)
	}
	if err := send(frank); err != nil {
		t.Errorf("frank SendMessage with the queue policy: %v", err)
	}
	if err := send(gina); err == nil {
		t.Error("gina SendMessage allowed; the policy names frank only")
	}

	// aws:ResourceTag: oscar may send to the queues tagged team=blue.
	blue, err := root.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("blue"), Tags: map[string]string{"team": "blue"}})
	if err != nil {
		t.Fatal(err)
	}
	oscar := sqs.NewFromConfig(iamUser(t, env, "oscar", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sqs:SendMessage","Resource":"*",`+
		`"Condition":{"StringEquals":{"aws:ResourceTag/team":"blue"}}}]}`))
	if _, err := oscar.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: blue.QueueUrl, MessageBody: aws.String("hi")}); err != nil {
		t.Errorf("oscar SendMessage to a blue queue: %v", err)
	}
	_, err = oscar.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: &url, MessageBody: aws.String("hi")})
	wantDenied(t, err, "AccessDenied", 403, "User: arn:aws:iam::"+testAccount+":user/oscar is not authorized to perform: sqs:sendmessage on resource: "+queueARN("jobs")+
		" because no identity-based policy allows the sqs:sendmessage action")
}

const putter = `import boto3, botocore

def handler(event, context):
    t = boto3.client('dynamodb')
    try:
        t.put_item(TableName='tbl', Item={'pk': {'S': 'from-function'}})
        return {'ok': True}
    except botocore.exceptions.ClientError as e:
        return {'code': e.response['Error']['Code'], 'message': e.response['Error']['Message']}
`

// TestIAMEnforceFunctionRole: a function's SDK calls are sessions of its
// execution role, so a role without dynamodb:PutItem is refused from
// inside the function; granting it lets the same function write.
func TestIAMEnforceFunctionRole(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t, iamMode)
	ctx := context.Background()
	createTableT(t, dynamodb.NewFromConfig(env.Config))
	ic := iamClient(env)
	if _, err := ic.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("fn"), AssumeRolePolicyDocument: aws.String(lambdaTrust)}); err != nil {
		t.Fatal(err)
	}
	if _, err := ic.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("fn"),
		PolicyArn: aws.String("arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole")}); err != nil {
		t.Fatal(err)
	}
	lc := lambdaClient(t, env)
	if _, err := lc.CreateFunction(ctx, &lambda.CreateFunctionInput{
		FunctionName: aws.String("putter"), Runtime: lambdatypes.RuntimePython312, Handler: aws.String("app.handler"),
		Role: aws.String("arn:aws:iam::" + testAccount + ":role/fn"), Timeout: aws.Int32(10),
		Code: &lambdatypes.FunctionCode{ZipFile: zipOf(t, zipEntry{name: "app.py", body: []byte(putter)})},
	}); err != nil {
		t.Fatal(err)
	}
	var res struct {
		OK      bool   `json:"ok"`
		Code    string `json:"code"`
		Message string `json:"message"`
	}
	out := invokeJSON(t, lc, "putter", map[string]any{})
	if err := json.Unmarshal(out.Payload, &res); err != nil || out.FunctionError != nil {
		t.Fatalf("putter: %s %v", out.Payload, err)
	}
	if res.OK || res.Code != "AccessDeniedException" || res.Message != "User: arn:aws:sts::"+testAccount+":assumed-role/fn/putter is not authorized to perform: dynamodb:PutItem on resource: "+tableARN+
		" because no identity-based policy allows the dynamodb:PutItem action" {
		t.Errorf("putter without permission: %+v", res)
	}
	if _, err := ic.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("fn"), PolicyName: aws.String("put"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"dynamodb:PutItem","Resource":"` + tableARN + `"}]}`)}); err != nil {
		t.Fatal(err)
	}
	out = invokeJSON(t, lc, "putter", map[string]any{})
	res = struct {
		OK      bool   `json:"ok"`
		Code    string `json:"code"`
		Message string `json:"message"`
	}{}
	if err := json.Unmarshal(out.Payload, &res); err != nil || !res.OK {
		t.Errorf("putter with dynamodb:PutItem: %s", out.Payload)
	}
}

// TestIAMEnforceCLI: the aws CLI signed with a user's keys sees IAM's
// awsQuery denial: 403 AccessDenied with IAM's wording.
func TestIAMEnforceCLI(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t, iamMode)
	e2e.RequireTool(t, e2e.AWSCLI)
	ctx := context.Background()
	c := iamClient(env)
	if _, err := c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("hank")}); err != nil {
		t.Fatal(err)
	}
	key, err := c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("hank")})
	if err != nil {
		t.Fatal(err)
	}
	res := env.CLIWith(t, map[string]string{"AWS_ACCESS_KEY_ID": *key.AccessKey.AccessKeyId, "AWS_SECRET_ACCESS_KEY": *key.AccessKey.SecretAccessKey},
		"iam", "list-users")
	want := "An error occurred (AccessDenied) when calling the ListUsers operation (reached max retries: 0): User: arn:aws:iam::" + testAccount +
		":user/hank is not authorized to perform: iam:ListUsers on resource: arn:aws:iam::" + testAccount + ":user/ because no identity-based policy allows the iam:ListUsers action"
	if res.ExitCode == 0 || !slices.Contains(strings.Split(res.Stderr, "\n"), want) {
		t.Errorf("aws iam list-users as hank: exit %d\n%s\nwant %s", res.ExitCode, res.Stderr, want)
	}
	if res := env.CLI(t, "iam", "list-users"); res.ExitCode != 0 {
		t.Errorf("aws iam list-users as root: %s", res.Stderr)
	}
}

// TestIAMEnforceKeyPolicy: a KMS key's policy must allow every use of
// the key. The default policy names the account, which hands the
// decision to identity policies; a policy that names a user lets it in
// on its own; one that names neither shuts out even a user whose
// policies allow kms:*.
func TestIAMEnforceKeyPolicy(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t, iamMode)
	ctx := context.Background()
	root := kms.NewFromConfig(env.Config)
	plain, err := root.CreateKey(ctx, &kms.CreateKeyInput{})
	if err != nil {
		t.Fatal(err)
	}
	ivan := kms.NewFromConfig(iamUser(t, env, "ivan", ""))
	encrypt := func(c *kms.Client, keyID *string) error {
		_, err := c.Encrypt(ctx, &kms.EncryptInput{KeyId: keyID, Plaintext: []byte("x")})
		return err
	}
	err = encrypt(ivan, plain.KeyMetadata.KeyId)
	wantDenied(t, err, "AccessDeniedException", 400, "User: arn:aws:iam::"+testAccount+":user/ivan is not authorized to perform: kms:Encrypt on resource: "+
		aws.ToString(plain.KeyMetadata.Arn)+" because no identity-based policy allows the kms:Encrypt action")

	named, err := root.CreateKey(ctx, &kms.CreateKeyInput{Policy: aws.String(`{"Version":"2012-10-17","Statement":[` +
		`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + testAccount + `:root"},"Action":"kms:*","Resource":"*"},` +
		`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + testAccount + `:user/ivan"},"Action":"kms:Encrypt","Resource":"*"}]}`)})
	if err != nil {
		t.Fatal(err)
	}
	if err := encrypt(ivan, named.KeyMetadata.KeyId); err != nil {
		t.Errorf("ivan Encrypt with a key policy naming him: %v", err)
	}

	judy := kms.NewFromConfig(iamUser(t, env, "judy", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:*","Resource":"*"}]}`))
	if err := encrypt(judy, plain.KeyMetadata.KeyId); err != nil {
		t.Errorf("judy Encrypt under the default key policy: %v", err)
	}
	err = encrypt(judy, named.KeyMetadata.KeyId)
	if err != nil {
		t.Errorf("judy Encrypt, key policy naming the account: %v", err)
	}
	closed, err := root.CreateKey(ctx, &kms.CreateKeyInput{BypassPolicyLockoutSafetyCheck: true, Policy: aws.String(`{"Version":"2012-10-17","Statement":[` +
		`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + testAccount + `:user/ivan"},"Action":"kms:*","Resource":"*"}]}`)})
	if err != nil {
		t.Fatal(err)
	}
	err = encrypt(judy, closed.KeyMetadata.KeyId)
	wantDenied(t, err, "AccessDeniedException", 400, "User: arn:aws:iam::"+testAccount+":user/judy is not authorized to perform: kms:Encrypt on resource: "+
		aws.ToString(closed.KeyMetadata.Arn)+" because no resource-based policy allows the kms:Encrypt action")
	if _, err := judy.ListKeys(ctx, &kms.ListKeysInput{}); err != nil {
		t.Errorf("judy ListKeys: %v", err)
	}
	if _, err := sts.NewFromConfig(iamUser(t, env, "kim", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:GetSessionToken","Resource":"*"}]}`)).
		GetSessionToken(ctx, &sts.GetSessionTokenInput{}); err != nil {
		t.Errorf("GetSessionToken allowed by kim's policy: %v", err)
	}
}

// TestIAMEnforceResources: API Gateway's actions are HTTP verbs on
// resource paths, and IAM's act on the named entity, so a policy can
// allow reading APIs but not creating them, or managing one user only.
func TestIAMEnforceResources(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t, iamMode)
	ctx := context.Background()
	cfg := iamUser(t, env, "lee", `{"Version":"2012-10-17","Statement":[`+
		`{"Effect":"Allow","Action":"apigateway:GET","Resource":"arn:aws:apigateway:us-east-1::/restapis*"},`+
		`{"Effect":"Allow","Action":"iam:*","Resource":"arn:aws:iam::`+testAccount+`:user/${aws:username}"}]}`)
	gw := apigateway.NewFromConfig(cfg)
	if _, err := gw.GetRestApis(ctx, &apigateway.GetRestApisInput{}); err != nil {
		t.Errorf("GetRestApis: %v", err)
	}
	_, err := gw.CreateRestApi(ctx, &apigateway.CreateRestApiInput{Name: aws.String("x")})
	wantDenied(t, err, "AccessDeniedException", 403, "User: arn:aws:iam::"+testAccount+":user/lee is not authorized to perform: apigateway:POST on resource: "+
		"arn:aws:apigateway:us-east-1::/restapis because no identity-based policy allows the apigateway:POST action")
	lee := iam.NewFromConfig(cfg)
	if _, err := lee.TagUser(ctx, &iam.TagUserInput{UserName: aws.String("lee"), Tags: []iamtypes.Tag{{Key: aws.String("k"), Value: aws.String("v")}}}); err != nil {
		t.Errorf("TagUser on himself: %v", err)
	}
	if _, err := iamClient(env).CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("max"), Path: aws.String("/team/")}); err != nil {
		t.Fatal(err)
	}
	_, err = lee.TagUser(ctx, &iam.TagUserInput{UserName: aws.String("max"), Tags: []iamtypes.Tag{{Key: aws.String("k"), Value: aws.String("v")}}})
	wantDenied(t, err, "AccessDenied", 403, "User: arn:aws:iam::"+testAccount+":user/lee is not authorized to perform: iam:TagUser on resource: "+
		"arn:aws:iam::"+testAccount+":user/team/max because no identity-based policy allows the iam:TagUser action")
}

// TestIAMEnforceFunctionAndBucketPolicies: a function policy
// (AddPermission) and a bucket policy that name a user let it invoke the
// function and read the bucket without any identity policy; S3 refuses
// others with 403 AccessDenied.
func TestIAMEnforceFunctionAndBucketPolicies(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t, iamMode)
	ctx := context.Background()
	lc := lambdaClient(t, env)
	serviceRole(t, env, "lambda-exec", "lambda.amazonaws.com", "") // Lambda must be able to assume it
	createPythonFunction(t, lc, "hello", "def handler(event, context):\n    return 'hi'\n", 3)
	cfg := iamUser(t, env, "nina", "")
	nina := lambda.NewFromConfig(cfg)
	fnARN := "arn:aws:lambda:us-east-1:" + testAccount + ":function:hello"
	_, err := nina.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("hello")})
	wantDenied(t, err, "AccessDeniedException", 403, "User: arn:aws:iam::"+testAccount+":user/nina is not authorized to perform: lambda:InvokeFunction on resource: "+fnARN+
		" because no identity-based policy allows the lambda:InvokeFunction action")
	if _, err := lc.AddPermission(ctx, &lambda.AddPermissionInput{FunctionName: aws.String("hello"), StatementId: aws.String("nina"),
		Action: aws.String("lambda:InvokeFunction"), Principal: aws.String("arn:aws:iam::" + testAccount + ":user/nina")}); err != nil {
		t.Fatal(err)
	}
	if _, err := nina.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("hello")}); err != nil {
		t.Errorf("nina Invoke with a function policy naming her: %v", err)
	}

	root := s3.NewFromConfig(env.Config, func(o *s3.Options) { o.UsePathStyle = true })
	if _, err := root.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("docs")}); err != nil {
		t.Fatal(err)
	}
	if _, err := root.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("docs"), Key: aws.String("a.txt"), Body: strings.NewReader("a")}); err != nil {
		t.Fatal(err)
	}
	ninaS3 := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	_, err = ninaS3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("docs"), Key: aws.String("a.txt")})
	wantDenied(t, err, "AccessDenied", 403, "User: arn:aws:iam::"+testAccount+":user/nina is not authorized to perform: s3:GetObject on resource: "+
		`"arn:aws:s3:::docs/a.txt" because no identity-based policy allows the s3:GetObject action`)
	if _, err := root.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("docs"), Policy: aws.String(`{"Version":"2012-10-17","Statement":[` +
		`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + testAccount + `:user/nina"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::docs/*"}]}`)}); err != nil {
		t.Fatal(err)
	}
	if _, err := ninaS3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("docs"), Key: aws.String("a.txt")}); err != nil {
		t.Errorf("nina GetObject with a bucket policy naming her: %v", err)
	}
}

// TestIAMEnforceAdministratorAccess: the AWS managed policy
// AdministratorAccess allows every action on every resource, so a user
// with only it attached may do anything under --auth iam, and
// GetPolicyVersion shows its one statement.
func TestIAMEnforceAdministratorAccess(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t, iamMode)
	ctx := context.Background()
	ic := iamClient(env)
	const adminARN = "arn:aws:iam::aws:policy/AdministratorAccess"
	cfg := iamUser(t, env, "ada", "")
	if _, err := ic.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("ada"), PolicyArn: aws.String(adminARN)}); err != nil {
		t.Fatal(err)
	}
	ddb := dynamodb.NewFromConfig(cfg)
	createTableT(t, ddb)
	if _, err := ddb.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("tbl"), Item: itemKey}); err != nil {
		t.Fatalf("ada PutItem: %v", err)
	}
	if _, err := sqs.NewFromConfig(cfg).CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("q")}); err != nil {
		t.Fatalf("ada CreateQueue: %v", err)
	}
	// IAM itself, the one service PowerUserAccess leaves out.
	if _, err := iam.NewFromConfig(cfg).CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("r"),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)}); err != nil {
		t.Fatalf("ada CreateRole: %v", err)
	}

	got, err := ic.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(adminARN)})
	if err != nil {
		t.Fatal(err)
	}
	if v := aws.ToString(got.Policy.DefaultVersionId); v != "v1" {
		t.Errorf("DefaultVersionId = %q, want v1", v)
	}
	if d := aws.ToTime(got.Policy.CreateDate).UTC().Format("2006-01-02T15:04:05Z"); d != "2015-02-06T18:39:46Z" {
		t.Errorf("CreateDate = %s", d)
	}
	ver, err := ic.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: aws.String(adminARN), VersionId: aws.String("v1")})
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Statement []struct{ Effect, Action, Resource string }
	}
	raw := aws.ToString(ver.PolicyVersion.Document)
	if dec, err := url.QueryUnescape(raw); err == nil {
		raw = dec
	}
	if err := json.Unmarshal([]byte(raw), &doc); err != nil {
		t.Fatalf("document %q: %v", raw, err)
	}
	if len(doc.Statement) != 1 || doc.Statement[0].Effect != "Allow" || doc.Statement[0].Action != "*" || doc.Statement[0].Resource != "*" {
		t.Errorf("document = %s", raw)
	}
}
