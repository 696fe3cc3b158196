package e2e_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/virga/virga/internal/e2e"
)

// TestIAMEnforceMoreServiceResources: EventBridge rules on a custom bus,
// SSM parameters, Kinesis streams, ECS clusters and CloudFormation
// stacks are named in their Service Authorization Reference formats, so
// that a user allowed everything on one of each is refused another.
func TestIAMEnforceMoreServiceResources(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t, iamMode)
	ctx := context.Background()
	arn := func(svc, res string) string { return "arn:aws:" + svc + ":us-east-1:" + testAccount + ":" + res }
	denial := func(action, res string) string {
		return "User: arn:aws:iam::" + testAccount + ":user/bo is not authorized to perform: " + action + " on resource: " + res +
			" because no identity-based policy allows the " + action + " action"
	}
	if _, err := eventbridge.NewFromConfig(env.Config).CreateEventBus(ctx, &eventbridge.CreateEventBusInput{Name: aws.String("orders")}); err != nil {
		t.Fatal(err)
	}
	cfg := iamUser(t, env, "bo", `{"Version":"2012-10-17","Statement":[`+
		`{"Effect":"Allow","Action":"events:*","Resource":"`+arn("events", "rule/orders/mine")+`"},`+
		`{"Effect":"Allow","Action":"ssm:*","Resource":"`+arn("ssm", "parameter/app/*")+`"},`+
		`{"Effect":"Allow","Action":"kinesis:*","Resource":"`+arn("kinesis", "stream/clicks")+`"},`+
		`{"Effect":"Allow","Action":"ecs:*","Resource":"`+arn("ecs", "cluster/web")+`"},`+
		`{"Effect":"Allow","Action":"cloudformation:*","Resource":"`+arn("cloudformation", "stack/app/*")+`"}]}`)

	eb := eventbridge.NewFromConfig(cfg)
	if _, err := eb.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("mine"), EventBusName: aws.String("orders"),
		EventPattern: aws.String(`{"source":["x"]}`)}); err != nil {
		t.Errorf("PutRule orders/mine: %v", err)
	}
	_, err := eb.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("mine"), EventPattern: aws.String(`{"source":["x"]}`)})
	wantDenied(t, err, "AccessDeniedException", 400, denial("events:PutRule", arn("events", "rule/mine")))

	pc := ssm.NewFromConfig(cfg)
	if _, err := pc.PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String("/app/db"), Value: aws.String("v"), Type: ssmtypes.ParameterTypeString}); err != nil {
		t.Errorf("PutParameter /app/db: %v", err)
	}
	_, err = pc.GetParameters(ctx, &ssm.GetParametersInput{Names: []string{"/app/db", "/other/x"}})
	wantDenied(t, err, "AccessDeniedException", 400, denial("ssm:GetParameters", arn("ssm", "parameter/other/x")))

	kc := kinesis.NewFromConfig(cfg)
	if _, err := kc.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("clicks"), ShardCount: aws.Int32(1)}); err != nil {
		t.Errorf("CreateStream clicks: %v", err)
	}
	_, err = kc.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("views"), ShardCount: aws.Int32(1)})
	wantDenied(t, err, "AccessDeniedException", 400, denial("kinesis:CreateStream", arn("kinesis", "stream/views")))

	ec := ecs.NewFromConfig(cfg)
	if _, err := ec.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String("web")}); err != nil {
		t.Errorf("CreateCluster web: %v", err)
	}
	_, err = ec.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String("batch")})
	wantDenied(t, err, "AccessDeniedException", 400, denial("ecs:CreateCluster", arn("ecs", "cluster/batch")))

	cf := cloudformation.NewFromConfig(cfg)
	_, err = cf.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("other"),
		TemplateBody: aws.String(`{"Resources":{"Q":{"Type":"AWS::SQS::Queue"}}}`)})
	wantDenied(t, err, "AccessDenied", 403, denial("cloudformation:CreateStack", arn("cloudformation", "stack/other/*")))
}
