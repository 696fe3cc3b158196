package e2e_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/virga/virga/internal/e2e"
)

// TestCLISNS drives SNS with Debian's aws CLI: a topic, an SQS
// subscription, a publish with message attributes, the topic's
// subscriptions, and an error.
func TestCLISNS(t *testing.T) {
	t.Parallel()
	e2e.RequireTool(t, e2e.AWSCLI)
	env := e2e.Start(t)

	var topic struct{ TopicArn string }
	cliJSON(t, env.CLI(t, "sns", "create-topic", "--name", "cli-topic"), &topic)
	if topic.TopicArn != "arn:aws:sns:us-east-1:"+testAccount+":cli-topic" {
		t.Fatalf("create-topic: %+v", topic)
	}
	var queue struct{ QueueUrl string }
	cliJSON(t, env.CLI(t, "sqs", "create-queue", "--queue-name", "cli-inbox"), &queue)
	queueARN := "arn:aws:sqs:us-east-1:" + testAccount + ":cli-inbox"

	var sub struct{ SubscriptionArn string }
	cliJSON(t, env.CLI(t, "sns", "subscribe", "--topic-arn", topic.TopicArn, "--protocol", "sqs",
		"--notification-endpoint", queueARN, "--attributes", `{"FilterPolicy":"{\"color\":[\"red\"]}"}`), &sub)
	if !strings.HasPrefix(sub.SubscriptionArn, topic.TopicArn+":") {
		t.Fatalf("subscribe: %+v", sub)
	}

	var pub struct{ MessageId string }
	cliJSON(t, env.CLI(t, "sns", "publish", "--topic-arn", topic.TopicArn, "--message", "from the CLI", "--subject", "cli",
		"--message-attributes", `{"color":{"DataType":"String","StringValue":"red"},"size":{"DataType":"Number","StringValue":"3"}}`), &pub)
	if pub.MessageId == "" {
		t.Fatal("publish returned no MessageId")
	}
	// Filtered out: the color does not match.
	cliJSON(t, env.CLI(t, "sns", "publish", "--topic-arn", topic.TopicArn, "--message", "blue one",
		"--message-attributes", `{"color":{"DataType":"String","StringValue":"blue"}}`), &pub)

	var got struct{ Messages []struct{ Body string } }
	cliJSON(t, env.CLI(t, "sqs", "receive-message", "--queue-url", queue.QueueUrl, "--wait-time-seconds", "5",
		"--max-number-of-messages", "10"), &got)
	if len(got.Messages) != 1 {
		t.Fatalf("receive-message: %+v", got)
	}
	var envelope struct {
		Type, Message, Subject, TopicArn string
		MessageAttributes                map[string]struct{ Type, Value string }
	}
	if err := json.Unmarshal([]byte(got.Messages[0].Body), &envelope); err != nil {
		t.Fatal(err)
	}
	if envelope.Type != "Notification" || envelope.Message != "from the CLI" || envelope.Subject != "cli" ||
		envelope.TopicArn != topic.TopicArn || envelope.MessageAttributes["size"].Type != "Number" ||
		envelope.MessageAttributes["size"].Value != "3" {
		t.Errorf("envelope = %+v", envelope)
	}

	var list struct {
		Subscriptions []struct{ SubscriptionArn, Protocol, Endpoint, TopicArn, Owner string }
	}
	cliJSON(t, env.CLI(t, "sns", "list-subscriptions-by-topic", "--topic-arn", topic.TopicArn), &list)
	if len(list.Subscriptions) != 1 || list.Subscriptions[0].SubscriptionArn != sub.SubscriptionArn ||
		list.Subscriptions[0].Protocol != "sqs" || list.Subscriptions[0].Endpoint != queueARN || list.Subscriptions[0].Owner != testAccount {
		t.Errorf("list-subscriptions-by-topic: %+v", list)
	}

	res := env.CLI(t, "sns", "get-topic-attributes", "--topic-arn", "arn:aws:sns:us-east-1:"+testAccount+":nope")
	if res.ExitCode == 0 || !strings.Contains(res.Stderr, "(NotFound)") || !strings.Contains(res.Stderr, "Topic does not exist") {
		t.Errorf("get-topic-attributes of a missing topic: exit %d, stderr:\n%s", res.ExitCode, res.Stderr)
	}
	res = env.CLI(t, "sns", "publish", "--topic-arn", topic.TopicArn, "--message", "x",
		"--message-attributes", `{"n":{"DataType":"Number","StringValue":"abc"}}`)
	if res.ExitCode == 0 || !strings.Contains(res.Stderr, "ParameterValueInvalid") {
		t.Errorf("publish with a bad number: exit %d, stderr:\n%s", res.ExitCode, res.Stderr)
	}
}

// boto3SNSScript creates a topic and a queue, subscribes the queue with
// raw delivery, publishes with an attribute and a batch, reads the queue,
// and provokes an error; it prints what it saw as JSON.
const boto3SNSScript = `
import json, os, boto3
kw = dict(endpoint_url=os.environ["VIRGA_ENDPOINT"], region_name="us-east-1",
          aws_access_key_id="test", aws_secret_access_key="test")
sns = boto3.client("sns", **kw)
sqs = boto3.client("sqs", **kw)
topic = sns.create_topic(Name="boto3-topic", Attributes={"DisplayName": "Boto"})["TopicArn"]
url = sqs.create_queue(QueueName="boto3-q")["QueueUrl"]
arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
sub = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn,
                    Attributes={"RawMessageDelivery": "true"}, ReturnSubscriptionArn=True)["SubscriptionArn"]
sns.publish(TopicArn=topic, Message="one",
            MessageAttributes={"kind": {"DataType": "String", "StringValue": "k1"}})
batch = sns.publish_batch(TopicArn=topic, PublishBatchRequestEntries=[
    {"Id": "a", "Message": "two"}, {"Id": "b", "Message": "three"}])
bodies = []
for _ in range(10):
    for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1,
                                 MessageAttributeNames=["All"]).get("Messages", []):
        attrs = {k: v["StringValue"] for k, v in m.get("MessageAttributes", {}).items()}
        bodies.append([m["Body"], attrs])
        sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
    if len(bodies) >= 3:
        break
try:
    sns.publish(TopicArn=topic, Message="")
    error = ""
except Exception as e:
    error = e.response["Error"]["Code"] + ": " + e.response["Error"]["Message"]
attrs = sns.get_topic_attributes(TopicArn=topic)["Attributes"]
print(json.dumps({"topic": topic, "subscription": sub, "display": attrs["DisplayName"],
                  "successful": len(batch["Successful"]), "bodies": sorted(bodies), "error": error}))
`

func TestBoto3SNS(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	out := env.Boto3(t, boto3SNSScript)
	var got struct {
		Topic, Subscription, Display, Error string
		Successful                          int
		Bodies                              [][]any
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if got.Topic != "arn:aws:sns:us-east-1:"+testAccount+":boto3-topic" || !strings.HasPrefix(got.Subscription, got.Topic+":") ||
		got.Display != "Boto" || got.Successful != 2 || got.Error != "InvalidParameter: Invalid parameter: Empty message" {
		t.Errorf("boto3 saw %+v", got)
	}
	bodies, _ := json.Marshal(got.Bodies)
	if string(bodies) != `[["one",{"kind":"k1"}],["three",{}],["two",{}]]` {
		t.Errorf("queue got %s", bodies)
	}
}
