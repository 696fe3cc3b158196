package e2e_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	cwltypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"github.com/virga/virga/internal/e2e"
)

// TestIAMEnforceServiceResources: under --auth iam CloudWatch Logs, Step
// Functions, Secrets Manager and ECR name the resource of each call in
// the Service Authorization Reference's ARN format, so that a user
// allowed one log group, activity, secret or repository may use it and
// is refused the others, with the ARN in the denial.
func TestIAMEnforceServiceResources(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t, iamMode)
	ctx := context.Background()
	arn := func(svc, res string) string { return "arn:aws:" + svc + ":us-east-1:" + testAccount + ":" + res }
	user := "arn:aws:iam::" + testAccount + ":user/ada"
	denial := func(action, res string) string {
		return "User: " + user + " is not authorized to perform: " + action + " on resource: " + res +
			" because no identity-based policy allows the " + action + " action"
	}
	rootSM := secretsmanager.NewFromConfig(env.Config)
	for _, name := range []string{"db", "api"} {
		if _, err := rootSM.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String(name), SecretString: aws.String("s")}); err != nil {
			t.Fatal(err)
		}
	}
	api, err := rootSM.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String("api")})
	if err != nil {
		t.Fatal(err)
	}
	cfg := iamUser(t, env, "ada", `{"Version":"2012-10-17","Statement":[`+
		`{"Effect":"Allow","Action":"logs:*","Resource":["`+arn("logs", "log-group:app")+`","`+arn("logs", "log-group:app:log-stream:*")+`"]},`+
		`{"Effect":"Allow","Action":"states:*","Resource":"`+arn("states", "activity:ok")+`"},`+
		`{"Effect":"Allow","Action":"secretsmanager:GetSecretValue","Resource":"`+arn("secretsmanager", "secret:db-??????")+`"},`+
		`{"Effect":"Allow","Action":"ecr:*","Resource":"`+arn("ecr", "repository/mine")+`"}]}`)

	cwl := cloudwatchlogs.NewFromConfig(cfg)
	if _, err := cwl.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String("app")}); err != nil {
		t.Errorf("CreateLogGroup app: %v", err)
	}
	if _, err := cwl.CreateLogStream(ctx, &cloudwatchlogs.CreateLogStreamInput{LogGroupName: aws.String("app"), LogStreamName: aws.String("s")}); err != nil {
		t.Errorf("CreateLogStream app: %v", err)
	}
	if _, err := cwl.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{LogGroupName: aws.String("app"), LogStreamName: aws.String("s"),
		LogEvents: []cwltypes.InputLogEvent{{Message: aws.String("hi"), Timestamp: aws.Int64(time.Now().UnixMilli())}}}); err != nil {
		t.Errorf("PutLogEvents app/s: %v", err)
	}
	_, err = cwl.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String("other")})
	wantDenied(t, err, "AccessDeniedException", 400, denial("logs:CreateLogGroup", arn("logs", "log-group:other")))

	states := sfn.NewFromConfig(cfg)
	if _, err := states.CreateActivity(ctx, &sfn.CreateActivityInput{Name: aws.String("ok")}); err != nil {
		t.Errorf("CreateActivity ok: %v", err)
	}
	if _, err := states.DescribeActivity(ctx, &sfn.DescribeActivityInput{ActivityArn: aws.String(arn("states", "activity:ok"))}); err != nil {
		t.Errorf("DescribeActivity ok: %v", err)
	}
	_, err = states.CreateActivity(ctx, &sfn.CreateActivityInput{Name: aws.String("no")})
	wantDenied(t, err, "AccessDeniedException", 400, denial("states:CreateActivity", arn("states", "activity:no")))

	sm := secretsmanager.NewFromConfig(cfg)
	if _, err := sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("db")}); err != nil {
		t.Errorf("GetSecretValue db by name: %v", err)
	}
	// Secrets Manager names the secret as the request did: the name, or
	// the ARN.
	_, err = sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("api")})
	wantDenied(t, err, "AccessDeniedException", 400, denial("secretsmanager:GetSecretValue", "api"))
	_, err = sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: api.ARN})
	wantDenied(t, err, "AccessDeniedException", 400, denial("secretsmanager:GetSecretValue", aws.ToString(api.ARN)))
	if !strings.HasPrefix(aws.ToString(api.ARN), arn("secretsmanager", "secret:api-")) {
		t.Errorf("secret ARN %s", aws.ToString(api.ARN))
	}

	repos := ecr.NewFromConfig(cfg)
	if _, err := repos.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String("mine")}); err != nil {
		t.Errorf("CreateRepository mine: %v", err)
	}
	_, err = repos.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String("theirs")})
	wantDenied(t, err, "AccessDeniedException", 400, denial("ecr:CreateRepository", arn("ecr", "repository/theirs")))
}
