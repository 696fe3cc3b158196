package e2e_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/scheduler"
	schedtypes "github.com/aws/aws-sdk-go-v2/service/scheduler/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/virga/virga/internal/e2e"
)

// A universal target (arn:aws:scheduler:::aws-sdk:service:apiAction)
// calls the API action with the target's Input as its request
// parameters, context attributes replaced.
func TestSchedulerUniversalTargets(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t, e2e.WithFakeClock())
	c := scheduler.NewFromConfig(env.Config)
	qc := sqs.NewFromConfig(env.Config)
	dc := dynamodb.NewFromConfig(env.Config)
	ctx := context.Background()
	url, _ := schedQueue(t, qc, "universal")
	dlqURL, dlqARN := schedQueue(t, qc, "universal-dlq")
	if _, err := dc.CreateTable(ctx, &dynamodb.CreateTableInput{TableName: aws.String("ticks"), BillingMode: ddbtypes.BillingModePayPerRequest,
		AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: ddbtypes.ScalarAttributeTypeS}},
		KeySchema:            []ddbtypes.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: ddbtypes.KeyTypeHash}}}); err != nil {
		t.Fatal(err)
	}
	for name, target := range map[string]*schedtypes.Target{
		"send": {Arn: aws.String("arn:aws:scheduler:::aws-sdk:sqs:sendMessage"), RoleArn: aws.String(schedRole),
			Input: aws.String(`{"QueueUrl":"` + url + `","MessageBody":"tick <aws.scheduler.scheduled-time>",` +
				`"MessageAttributes":{"kind":{"DataType":"String","StringValue":"universal"}}}`)},
		"put": {Arn: aws.String("arn:aws:scheduler:::aws-sdk:dynamodb:putItem"), RoleArn: aws.String(schedRole),
			Input: aws.String(`{"TableName":"ticks","Item":{"pk":{"S":"<aws.scheduler.scheduled-time>"},"n":{"N":"1"}}}`)},
		// SendMessage refuses a queue that does not exist: a client
		// error, which goes to the dead-letter queue at once.
		"missing": {Arn: aws.String("arn:aws:scheduler:::aws-sdk:sqs:sendMessage"), RoleArn: aws.String(schedRole),
			Input:            aws.String(`{"QueueUrl":"` + url + `-gone","MessageBody":"lost"}`),
			DeadLetterConfig: &schedtypes.DeadLetterConfig{Arn: aws.String(dlqARN)}},
	} {
		if _, err := c.CreateSchedule(ctx, &scheduler.CreateScheduleInput{Name: aws.String(name), ScheduleExpression: aws.String("rate(1 minute)"),
			FlexibleTimeWindow: schedOff, Target: target}); err != nil {
			t.Fatalf("CreateSchedule %s: %v", name, err)
		}
	}
	occ := nextMinute(env.Clock.Now())
	env.Clock.Set(occ.Add(time.Second))
	stamp := occ.UTC().Format(schedTimeLayout)

	got := schedDrain(t, qc, url, func(ms []sqstypes.Message) bool { return len(ms) > 0 })
	if len(got) != 1 || aws.ToString(got[0].Body) != "tick "+stamp {
		t.Fatalf("sendMessage delivered %q", schedBodies(got))
	}
	if a := got[0].MessageAttributes["kind"]; aws.ToString(a.StringValue) != "universal" {
		t.Fatalf("message attributes %v", got[0].MessageAttributes)
	}

	deadline := time.Now().Add(20 * time.Second)
	for {
		out, err := dc.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("ticks"),
			Key: map[string]ddbtypes.AttributeValue{"pk": &ddbtypes.AttributeValueMemberS{Value: stamp}}})
		if err != nil {
			t.Fatal(err)
		}
		if out.Item != nil {
			if n, ok := out.Item["n"].(*ddbtypes.AttributeValueMemberN); !ok || n.Value != "1" {
				t.Fatalf("item %v", out.Item)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("putItem wrote no item")
		}
		time.Sleep(20 * time.Millisecond) // waiting for background delivery, not timing it
	}

	dead := schedDrain(t, qc, dlqURL, func(ms []sqstypes.Message) bool { return len(ms) > 0 })
	if len(dead) != 1 || aws.ToString(dead[0].Body) != `{"QueueUrl":"`+url+`-gone","MessageBody":"lost"}` {
		t.Fatalf("dead letters %q", schedBodies(dead))
	}
	attrs := dead[0].MessageAttributes
	if aws.ToString(attrs["ERROR_CODE"].StringValue) != "QueueDoesNotExist" || aws.ToString(attrs["RETRY_ATTEMPTS"].StringValue) != "0" ||
		aws.ToString(attrs["TARGET_ARN"].StringValue) != "arn:aws:scheduler:::aws-sdk:sqs:sendMessage" {
		t.Fatalf("dead letter attributes %v", sqsAttrStrings(attrs))
	}
}

func sqsAttrStrings(attrs map[string]sqstypes.MessageAttributeValue) map[string]string {
	out := map[string]string{}
	for k, v := range attrs {
		out[k] = aws.ToString(v.StringValue)
	}
	return out
}

// TestIAMEnforceSchedulerUniversalRole: under --auth iam a universal
// target calls its API action as a session of the target's RoleArn:
// without dynamodb:PutItem the call is refused with DynamoDB's
// AccessDeniedException and the invocation goes to the dead-letter queue
// at once; once the role allows it, the next occurrence writes the item.
func TestIAMEnforceSchedulerUniversalRole(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t, iamMode, e2e.WithFakeClock())
	c := scheduler.NewFromConfig(env.Config)
	qc := sqs.NewFromConfig(env.Config)
	dc := dynamodb.NewFromConfig(env.Config)
	ctx := context.Background()
	dlqURL, dlqARN := schedQueue(t, qc, "universal-dlq")
	if _, err := dc.CreateTable(ctx, &dynamodb.CreateTableInput{TableName: aws.String("ticks"), BillingMode: ddbtypes.BillingModePayPerRequest,
		AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: ddbtypes.ScalarAttributeTypeS}},
		KeySchema:            []ddbtypes.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: ddbtypes.KeyTypeHash}}}); err != nil {
		t.Fatal(err)
	}
	role := serviceRole(t, env, "universal-role", "scheduler.amazonaws.com", allow("sqs:SendMessage", dlqARN))
	if _, err := c.CreateSchedule(ctx, &scheduler.CreateScheduleInput{Name: aws.String("put"), ScheduleExpression: aws.String("rate(1 minute)"),
		FlexibleTimeWindow: schedOff, Target: &schedtypes.Target{Arn: aws.String("arn:aws:scheduler:::aws-sdk:dynamodb:putItem"), RoleArn: aws.String(role),
			Input:            aws.String(`{"TableName":"ticks","Item":{"pk":{"S":"<aws.scheduler.scheduled-time>"}}}`),
			DeadLetterConfig: &schedtypes.DeadLetterConfig{Arn: aws.String(dlqARN)}}}); err != nil {
		t.Fatal(err)
	}
	occ := nextMinute(env.Clock.Now())
	env.Clock.Set(occ.Add(time.Second))
	dead := schedDrain(t, qc, dlqURL, func(ms []sqstypes.Message) bool { return len(ms) > 0 })
	if attrs := sqsAttrStrings(dead[0].MessageAttributes); len(dead) != 1 || attrs["ERROR_CODE"] != "AccessDeniedException" ||
		!strings.Contains(attrs["ERROR_MESSAGE"], "assumed-role/universal-role/") || !strings.Contains(attrs["ERROR_MESSAGE"], "dynamodb:PutItem") {
		t.Fatalf("dead letters %q, attributes %v", schedBodies(dead), attrs)
	}

	putRolePolicy(t, env, "universal-role", allow("dynamodb:PutItem", "*"))
	occ = occ.Add(time.Minute)
	env.Clock.Set(occ.Add(time.Second))
	deadline := time.Now().Add(20 * time.Second)
	for {
		out, err := dc.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("ticks"),
			Key: map[string]ddbtypes.AttributeValue{"pk": &ddbtypes.AttributeValueMemberS{Value: occ.UTC().Format(schedTimeLayout)}}})
		if err != nil {
			t.Fatal(err)
		}
		if out.Item != nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("putItem wrote no item once the role allowed it")
		}
		time.Sleep(20 * time.Millisecond) // waiting for background delivery, not timing it
	}
}
