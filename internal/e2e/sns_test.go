package e2e

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/smithy-go"

	"github.com/virga/virga/internal/config"
)

func snsClient(env *Env) *sns.Client { return sns.NewFromConfig(env.Config) }

// snsDefaultDeliveryPolicy is AWS's EffectiveDeliveryPolicy of a topic
// with no DeliveryPolicy.
const snsDefaultDeliveryPolicy = `{"http":{"defaultHealthyRetryPolicy":{"minDelayTarget":20,"maxDelayTarget":20,"numRetries":3,"numMaxDelayRetries":0,"numNoDelayRetries":0,"numMinDelayRetries":0,"backoffFunction":"linear"},"disableSubscriptionOverrides":false,"defaultRequestPolicy":{"headerContentType":"text/plain; charset=UTF-8"}}}`

// snsTimestamp is SNS's Timestamp format.
var snsTimestamp = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$`)

func createTopic(t testing.TB, c *sns.Client, name string, attrs map[string]string) string {
	t.Helper()
	out, err := c.CreateTopic(context.Background(), &sns.CreateTopicInput{Name: aws.String(name), Attributes: attrs})
	if err != nil {
		t.Fatalf("CreateTopic %s: %v", name, err)
	}
	return aws.ToString(out.TopicArn)
}

// wantSNSError checks an SDK error's code and, when msg is not empty, its
// message.
func wantSNSError(t testing.TB, what string, err error, code, msg string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Errorf("%s: got %v, want %s", what, err, code)
		return
	}
	if ae.ErrorCode() != code || (msg != "" && ae.ErrorMessage() != msg) {
		t.Errorf("%s: got %s %q, want %s %q", what, ae.ErrorCode(), ae.ErrorMessage(), code, msg)
	}
}

// queueFor creates a queue and returns its URL and ARN.
func queueFor(t testing.TB, c *sqs.Client, name string, attrs map[string]string) (string, string) {
	t.Helper()
	url := createQueue(t, c, name, attrs)
	out, err := c.GetQueueAttributes(context.Background(), &sqs.GetQueueAttributesInput{QueueUrl: &url,
		AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn}})
	if err != nil {
		t.Fatal(err)
	}
	return url, out.Attributes["QueueArn"]
}

func subscribeQueue(t testing.TB, c *sns.Client, topicARN, queueARN string, attrs map[string]string) string {
	t.Helper()
	out, err := c.Subscribe(context.Background(), &sns.SubscribeInput{TopicArn: &topicARN, Protocol: aws.String("sqs"),
		Endpoint: &queueARN, Attributes: attrs, ReturnSubscriptionArn: true})
	if err != nil {
		t.Fatalf("Subscribe %s: %v", queueARN, err)
	}
	return aws.ToString(out.SubscriptionArn)
}

// receiveAll long-polls a queue until it has n messages, and fails if a
// further poll finds more.
func receiveAll(t testing.TB, c *sqs.Client, url string, n int) []sqstypes.Message {
	t.Helper()
	var got []sqstypes.Message
	deadline := time.Now().Add(20 * time.Second)
	for len(got) < n && time.Now().Before(deadline) {
		out, err := c.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{QueueUrl: &url, MaxNumberOfMessages: 10,
			WaitTimeSeconds: 1, MessageAttributeNames: []string{"All"},
			MessageSystemAttributeNames: []sqstypes.MessageSystemAttributeName{sqstypes.MessageSystemAttributeNameAll}})
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range out.Messages {
			got = append(got, m)
			if _, err := c.DeleteMessage(context.Background(), &sqs.DeleteMessageInput{QueueUrl: &url, ReceiptHandle: m.ReceiptHandle}); err != nil {
				t.Fatal(err)
			}
		}
	}
	if len(got) != n {
		t.Fatalf("queue %s: got %d messages, want %d", url, len(got), n)
	}
	out, err := c.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{QueueUrl: &url, WaitTimeSeconds: 0})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Messages) > 0 {
		t.Fatalf("queue %s: an unexpected further message %q", url, aws.ToString(out.Messages[0].Body))
	}
	return got
}

// envelope decodes an SNS JSON envelope.
func envelope(t testing.TB, body string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		t.Fatalf("body is not an SNS envelope: %v\n%s", err, body)
	}
	return m
}

func keysOf(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func TestSNSTopicLifecycle(t *testing.T) {
	t.Parallel()
	env := Start(t)
	c := snsClient(env)
	ctx := context.Background()

	arn := createTopic(t, c, "orders", nil)
	if arn != "arn:aws:sns:us-east-1:000000000000:orders" {
		t.Fatalf("TopicArn = %s", arn)
	}
	if again := createTopic(t, c, "orders", nil); again != arn {
		t.Errorf("CreateTopic again = %s, want %s", again, arn)
	}
	attrs, err := c.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: &arn})
	if err != nil {
		t.Fatal(err)
	}
	a := attrs.Attributes
	for k, want := range map[string]string{
		"TopicArn": arn, "Owner": "000000000000", "DisplayName": "", "SubscriptionsConfirmed": "0",
		"SubscriptionsPending": "0", "SubscriptionsDeleted": "0", "EffectiveDeliveryPolicy": snsDefaultDeliveryPolicy,
	} {
		if a[k] != want {
			t.Errorf("attribute %s = %q, want %q", k, a[k], want)
		}
	}
	if _, fifo := a["FifoTopic"]; fifo {
		t.Errorf("a standard topic reports FifoTopic: %v", a)
	}
	var policy struct {
		Version, Id string
		Statement   []struct {
			Sid, Effect, Resource string
			Action                []string
			Condition             map[string]map[string]string
		}
	}
	if err := json.Unmarshal([]byte(a["Policy"]), &policy); err != nil {
		t.Fatalf("Policy %q: %v", a["Policy"], err)
	}
	if policy.Id != "__default_policy_ID" || len(policy.Statement) != 1 || policy.Statement[0].Resource != arn ||
		policy.Statement[0].Condition["StringEquals"]["AWS:SourceOwner"] != "000000000000" ||
		!strings.Contains(strings.Join(policy.Statement[0].Action, ","), "SNS:Publish") {
		t.Errorf("default Policy = %s", a["Policy"])
	}

	// Attributes can be set, and CreateTopic stays idempotent only for the
	// same attributes.
	for name, value := range map[string]string{"DisplayName": "Orders", "SignatureVersion": "2", "TracingConfig": "Active",
		"KmsMasterKeyId": "alias/aws/sns",
		"DeliveryPolicy": `{"http":{"defaultHealthyRetryPolicy":{"numRetries":5,"minDelayTarget":2,"maxDelayTarget":10}}}`} {
		if _, err := c.SetTopicAttributes(ctx, &sns.SetTopicAttributesInput{TopicArn: &arn, AttributeName: aws.String(name), AttributeValue: aws.String(value)}); err != nil {
			t.Fatalf("SetTopicAttributes %s: %v", name, err)
		}
	}
	attrs, _ = c.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: &arn})
	if got := attrs.Attributes; got["DisplayName"] != "Orders" || got["SignatureVersion"] != "2" || got["TracingConfig"] != "Active" ||
		got["EffectiveDeliveryPolicy"] != `{"http":{"defaultHealthyRetryPolicy":{"minDelayTarget":2,"maxDelayTarget":10,"numRetries":5,"numMaxDelayRetries":0,"numNoDelayRetries":0,"numMinDelayRetries":0,"backoffFunction":"linear"},"disableSubscriptionOverrides":false,"defaultRequestPolicy":{"headerContentType":"text/plain; charset=UTF-8"}}}` {
		t.Errorf("after SetTopicAttributes: %v", got)
	}
	_, err = c.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("orders"), Attributes: map[string]string{"DisplayName": "Other"}})
	wantSNSError(t, "CreateTopic with other attributes", err, "InvalidParameter", "Invalid parameter: Attributes Reason: Topic already exists with different attributes")
	_, err = c.SetTopicAttributes(ctx, &sns.SetTopicAttributesInput{TopicArn: &arn, AttributeName: aws.String("FifoTopic"), AttributeValue: aws.String("true")})
	wantSNSError(t, "SetTopicAttributes FifoTopic", err, "InvalidParameter", "Invalid parameter: AttributeName")

	// FIFO topics.
	fifo := createTopic(t, c, "orders.fifo", map[string]string{"FifoTopic": "true", "ContentBasedDeduplication": "true"})
	attrs, _ = c.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: &fifo})
	if attrs.Attributes["FifoTopic"] != "true" || attrs.Attributes["ContentBasedDeduplication"] != "true" {
		t.Errorf("FIFO topic attributes: %v", attrs.Attributes)
	}
	_, err = c.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("plain.fifo")})
	wantSNSError(t, ".fifo name without FifoTopic", err, "InvalidParameter", "Invalid parameter: Topic Name")
	_, err = c.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("nofifo"), Attributes: map[string]string{"FifoTopic": "true"}})
	wantSNSError(t, "FifoTopic without .fifo", err, "InvalidParameter", "Fifo Topic names must end with .fifo and must be made up of only uppercase and lowercase ASCII letters, numbers, underscores, and hyphens, and must be between 1 and 256 characters long.")
	_, err = c.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("bad name")})
	wantSNSError(t, "a space in the name", err, "InvalidParameter", "Invalid parameter: Topic Name")
	_, err = c.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String(strings.Repeat("n", 257))})
	wantSNSError(t, "257 characters", err, "InvalidParameter", "Invalid parameter: Topic Name")
	_, err = c.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("std"), Attributes: map[string]string{"ContentBasedDeduplication": "true"}})
	wantSNSError(t, "ContentBasedDeduplication on a standard topic", err, "InvalidParameter", "")
	_, err = c.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("std"), Attributes: map[string]string{"Colour": "blue"}})
	wantSNSError(t, "an unknown attribute", err, "InvalidParameter", "Invalid parameter: AttributeName")

	// Tags.
	tagged, err := c.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("tagged"), Tags: []snstypes.Tag{{Key: aws.String("team"), Value: aws.String("a")}}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.TagResource(ctx, &sns.TagResourceInput{ResourceArn: tagged.TopicArn, Tags: []snstypes.Tag{{Key: aws.String("env"), Value: aws.String("dev")}, {Key: aws.String("team"), Value: aws.String("b")}}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.UntagResource(ctx, &sns.UntagResourceInput{ResourceArn: tagged.TopicArn, TagKeys: []string{"env", "absent"}})
	if err != nil {
		t.Fatal(err)
	}
	tags, err := c.ListTagsForResource(ctx, &sns.ListTagsForResourceInput{ResourceArn: tagged.TopicArn})
	if err != nil || len(tags.Tags) != 1 || aws.ToString(tags.Tags[0].Key) != "team" || aws.ToString(tags.Tags[0].Value) != "b" {
		t.Errorf("tags: %+v %v", tags, err)
	}
	_, err = c.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("tagged"), Tags: []snstypes.Tag{{Key: aws.String("team"), Value: aws.String("c")}}})
	wantSNSError(t, "CreateTopic with other tags", err, "InvalidParameter", "Invalid parameter: Tags Reason: Topic already exists with different tags")
	_, err = c.ListTagsForResource(ctx, &sns.ListTagsForResourceInput{ResourceArn: aws.String("arn:aws:sns:us-east-1:000000000000:nope")})
	wantSNSError(t, "tags of a missing topic", err, "ResourceNotFound", "Resource does not exist")
	many := make([]snstypes.Tag, 51)
	for i := range many {
		many[i] = snstypes.Tag{Key: aws.String(fmt.Sprint("k", i)), Value: aws.String("v")}
	}
	_, err = c.TagResource(ctx, &sns.TagResourceInput{ResourceArn: tagged.TopicArn, Tags: many})
	wantSNSError(t, "51 tags", err, "TagLimitExceeded", "")

	// Data protection policies are kept as given.
	dpp := `{"Name":"p","Description":"","Version":"2021-06-01","Statement":[]}`
	if _, err := c.PutDataProtectionPolicy(ctx, &sns.PutDataProtectionPolicyInput{ResourceArn: &arn, DataProtectionPolicy: &dpp}); err != nil {
		t.Fatal(err)
	}
	if got, err := c.GetDataProtectionPolicy(ctx, &sns.GetDataProtectionPolicyInput{ResourceArn: &arn}); err != nil || aws.ToString(got.DataProtectionPolicy) != dpp {
		t.Errorf("GetDataProtectionPolicy = %v, %v", got, err)
	}

	// ListTopics pages by 100.
	for i := range 101 {
		createTopic(t, c, fmt.Sprintf("page-%03d", i), nil)
	}
	var listed []string
	var token *string
	pages := 0
	for {
		out, err := c.ListTopics(ctx, &sns.ListTopicsInput{NextToken: token})
		if err != nil {
			t.Fatal(err)
		}
		pages++
		if len(out.Topics) > 100 {
			t.Fatalf("page of %d topics", len(out.Topics))
		}
		for _, tp := range out.Topics {
			listed = append(listed, aws.ToString(tp.TopicArn))
		}
		if out.NextToken == nil {
			break
		}
		token = out.NextToken
	}
	if pages != 2 || len(listed) != 104 {
		t.Errorf("ListTopics: %d topics in %d pages, want 104 in 2", len(listed), pages)
	}
	_, err = c.ListTopics(ctx, &sns.ListTopicsInput{NextToken: aws.String("!!!")})
	wantSNSError(t, "a bad NextToken", err, "InvalidParameter", "Invalid parameter: NextToken")

	// Deleting is idempotent.
	for range 2 {
		if _, err := c.DeleteTopic(ctx, &sns.DeleteTopicInput{TopicArn: &arn}); err != nil {
			t.Fatalf("DeleteTopic: %v", err)
		}
	}
	_, err = c.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: &arn})
	wantSNSError(t, "a deleted topic", err, "NotFound", "Topic does not exist")
}

func TestSNSToSQS(t *testing.T) {
	t.Parallel()
	env := Start(t)
	c, q := snsClient(env), sqsClient(env)
	ctx := context.Background()

	topic := createTopic(t, c, "events", nil)
	url, queueARN := queueFor(t, q, "events-json", nil)
	rawURL, rawARN := queueFor(t, q, "events-raw", nil)
	sub := subscribeQueue(t, c, topic, queueARN, nil)
	rawSub := subscribeQueue(t, c, topic, rawARN, map[string]string{"RawMessageDelivery": "true"})
	if !strings.HasPrefix(sub, topic+":") || len(sub) != len(topic)+37 {
		t.Fatalf("SubscriptionArn = %s", sub)
	}
	attrs, err := c.GetSubscriptionAttributes(ctx, &sns.GetSubscriptionAttributesInput{SubscriptionArn: &rawSub})
	if err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]string{"Protocol": "sqs", "Endpoint": rawARN, "TopicArn": topic, "Owner": "000000000000",
		"PendingConfirmation": "false", "ConfirmationWasAuthenticated": "true", "RawMessageDelivery": "true", "SubscriptionArn": rawSub} {
		if attrs.Attributes[k] != want {
			t.Errorf("subscription attribute %s = %q, want %q", k, attrs.Attributes[k], want)
		}
	}

	before := time.Now().Add(-time.Second)
	pub, err := c.Publish(ctx, &sns.PublishInput{TopicArn: &topic, Message: aws.String(`hello <world> & "you"`), Subject: aws.String("Greetings"),
		MessageAttributes: map[string]snstypes.MessageAttributeValue{
			"color":  {DataType: aws.String("String"), StringValue: aws.String("red")},
			"price":  {DataType: aws.String("Number"), StringValue: aws.String("12.5")},
			"blob":   {DataType: aws.String("Binary"), BinaryValue: []byte{0, 1, 2}},
			"sizes":  {DataType: aws.String("String.Array"), StringValue: aws.String(`["S","M",3]`)},
			"custom": {DataType: aws.String("Number.float"), StringValue: aws.String("1")},
		}})
	if err != nil {
		t.Fatal(err)
	}
	after := time.Now().Add(time.Second)

	got := receiveAll(t, q, url, 1)[0]
	e := envelope(t, aws.ToString(got.Body))
	wantKeys := []string{"Message", "MessageAttributes", "MessageId", "Signature", "SignatureVersion", "SigningCertURL",
		"Subject", "Timestamp", "TopicArn", "Type", "UnsubscribeURL"}
	if k := keysOf(e); strings.Join(k, ",") != strings.Join(wantKeys, ",") {
		t.Errorf("envelope keys = %v, want %v", k, wantKeys)
	}
	for k, want := range map[string]any{"Type": "Notification", "MessageId": aws.ToString(pub.MessageId), "TopicArn": topic,
		"Subject": "Greetings", "Message": `hello <world> & "you"`, "SignatureVersion": "1",
		"UnsubscribeURL": env.Endpoint + "/?Action=Unsubscribe&SubscriptionArn=" + sub} {
		if e[k] != want {
			t.Errorf("envelope %s = %v, want %v", k, e[k], want)
		}
	}
	if !strings.Contains(aws.ToString(got.Body), `"Message" : "hello <world> & \"you\""`) {
		t.Errorf("the envelope escapes HTML characters: %s", aws.ToString(got.Body))
	}
	ts, _ := e["Timestamp"].(string)
	if !snsTimestamp.MatchString(ts) {
		t.Errorf("Timestamp %q is not ISO 8601 UTC with milliseconds", ts)
	} else if when, _ := time.Parse(time.RFC3339Nano, ts); when.Before(before) || when.After(after) {
		t.Errorf("Timestamp %s is not the time of publishing", ts)
	}
	if sig, _ := e["Signature"].(string); sig == "" {
		t.Error("no Signature")
	} else if _, err := base64.StdEncoding.DecodeString(sig); err != nil {
		t.Errorf("Signature %q is not base64", sig)
	}
	if cert, _ := e["SigningCertURL"].(string); !strings.HasPrefix(cert, httpsEndpoint(env)+"/") || !strings.HasSuffix(cert, ".pem") {
		t.Errorf("SigningCertURL = %q", cert)
	}
	wantAttrs := map[string]any{
		"color":  map[string]any{"Type": "String", "Value": "red"},
		"price":  map[string]any{"Type": "Number", "Value": "12.5"},
		"blob":   map[string]any{"Type": "Binary", "Value": "AAEC"},
		"sizes":  map[string]any{"Type": "String.Array", "Value": `["S","M",3]`},
		"custom": map[string]any{"Type": "Number.float", "Value": "1"},
	}
	if g, w := fmt.Sprint(e["MessageAttributes"]), fmt.Sprint(wantAttrs); g != w {
		t.Errorf("MessageAttributes = %s, want %s", g, w)
	}

	// Raw delivery: the message as the body, the attributes as SQS's.
	raw := receiveAll(t, q, rawURL, 1)[0]
	if aws.ToString(raw.Body) != `hello <world> & "you"` {
		t.Errorf("raw body = %q", aws.ToString(raw.Body))
	}
	ma := raw.MessageAttributes
	if len(ma) != 5 || aws.ToString(ma["color"].StringValue) != "red" || aws.ToString(ma["color"].DataType) != "String" ||
		aws.ToString(ma["price"].DataType) != "Number" || aws.ToString(ma["price"].StringValue) != "12.5" ||
		string(ma["blob"].BinaryValue) != "\x00\x01\x02" || aws.ToString(ma["sizes"].DataType) != "String.Array" {
		t.Errorf("raw message attributes = %+v", ma)
	}

	// Without a subject or attributes the envelope leaves them out.
	if _, err := c.Publish(ctx, &sns.PublishInput{TargetArn: &topic, Message: aws.String("plain")}); err != nil {
		t.Fatal(err)
	}
	e = envelope(t, aws.ToString(receiveAll(t, q, url, 1)[0].Body))
	if _, ok := e["Subject"]; ok {
		t.Errorf("envelope has a Subject: %v", e)
	}
	if _, ok := e["MessageAttributes"]; ok {
		t.Errorf("envelope has MessageAttributes: %v", e)
	}
	receiveAll(t, q, rawURL, 1)

	// MessageStructure json: each protocol its own text, no attributes.
	_, err = c.Publish(ctx, &sns.PublishInput{TopicArn: &topic, MessageStructure: aws.String("json"),
		Message:           aws.String(`{"default":"for all","sqs":"for queues","http":7}`),
		MessageAttributes: map[string]snstypes.MessageAttributeValue{"color": {DataType: aws.String("String"), StringValue: aws.String("red")}}})
	if err != nil {
		t.Fatal(err)
	}
	e = envelope(t, aws.ToString(receiveAll(t, q, url, 1)[0].Body))
	if e["Message"] != "for queues" || e["MessageAttributes"] != nil {
		t.Errorf("structured envelope = %v", e)
	}
	if r := receiveAll(t, q, rawURL, 1)[0]; aws.ToString(r.Body) != "for queues" || len(r.MessageAttributes) != 0 {
		t.Errorf("structured raw message = %q %v", aws.ToString(r.Body), r.MessageAttributes)
	}

	// Raw delivery of more than ten attributes is a client-side error:
	// the message is dropped for that subscription.
	eleven := map[string]snstypes.MessageAttributeValue{}
	for i := range 11 {
		eleven[fmt.Sprint("a", i)] = snstypes.MessageAttributeValue{DataType: aws.String("String"), StringValue: aws.String("v")}
	}
	if _, err := c.Publish(ctx, &sns.PublishInput{TopicArn: &topic, Message: aws.String("eleven"), MessageAttributes: eleven}); err != nil {
		t.Fatal(err)
	}
	if e := envelope(t, aws.ToString(receiveAll(t, q, url, 1)[0].Body)); len(e["MessageAttributes"].(map[string]any)) != 11 {
		t.Errorf("envelope of eleven attributes: %v", e["MessageAttributes"])
	}
	receiveAll(t, q, rawURL, 0)

	// The UnsubscribeURL works when fetched, unsigned.
	res, err := http.Get(env.Endpoint + "/?Action=Unsubscribe&SubscriptionArn=" + rawSub)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("GET UnsubscribeURL: HTTP %d", res.StatusCode)
	}
	_, err = c.GetSubscriptionAttributes(ctx, &sns.GetSubscriptionAttributesInput{SubscriptionArn: &rawSub})
	wantSNSError(t, "an unsubscribed subscription", err, "NotFound", "Subscription does not exist")
	topicAttrs, _ := c.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: &topic})
	if topicAttrs.Attributes["SubscriptionsConfirmed"] != "1" || topicAttrs.Attributes["SubscriptionsDeleted"] != "1" {
		t.Errorf("topic counts after Unsubscribe: %v", topicAttrs.Attributes)
	}
	if _, err := c.Unsubscribe(ctx, &sns.UnsubscribeInput{SubscriptionArn: &rawSub}); err != nil {
		t.Errorf("Unsubscribe again: %v", err)
	}

	// A subscription to a queue that does not exist loses the message to
	// its dead-letter queue.
	dlqURL, dlqARN := queueFor(t, q, "events-dlq", nil)
	subscribeQueue(t, c, topic, "arn:aws:sqs:us-east-1:000000000000:missing",
		map[string]string{"RedrivePolicy": `{"deadLetterTargetArn":"` + dlqARN + `"}`})
	if _, err := c.Publish(ctx, &sns.PublishInput{TopicArn: &topic, Message: aws.String("lost")}); err != nil {
		t.Fatal(err)
	}
	receiveAll(t, q, url, 1)
	dead := receiveAll(t, q, dlqURL, 1)[0]
	if e := envelope(t, aws.ToString(dead.Body)); e["Message"] != "lost" || aws.ToString(dead.MessageAttributes["ErrorCode"].StringValue) == "" {
		t.Errorf("dead letter: %s %v", aws.ToString(dead.Body), dead.MessageAttributes)
	}
}

func TestSNSFilterPolicies(t *testing.T) {
	t.Parallel()
	env := Start(t)
	c, q := snsClient(env), sqsClient(env)
	ctx := context.Background()

	topic := createTopic(t, c, "shop", nil)
	attrURL, attrARN := queueFor(t, q, "by-attributes", nil)
	bodyURL, bodyARN := queueFor(t, q, "by-body", nil)
	allURL, allARN := queueFor(t, q, "everything", nil)
	subscribeQueue(t, c, topic, attrARN, map[string]string{
		"FilterPolicy": `{"color":["red",{"prefix":"bl"}],"price":[{"numeric":[">",10]}],"sizes":["M"]}`,
	})
	bodySub := subscribeQueue(t, c, topic, bodyARN, map[string]string{
		"FilterPolicyScope": "MessageBody",
		"FilterPolicy":      `{"order":{"kind":["book"],"total":[{"numeric":[">=",100]}]}}`,
	})
	subscribeQueue(t, c, topic, allARN, map[string]string{"FilterPolicy": "{}"})

	str := func(v string) snstypes.MessageAttributeValue {
		return snstypes.MessageAttributeValue{DataType: aws.String("String"), StringValue: aws.String(v)}
	}
	num := func(v string) snstypes.MessageAttributeValue {
		return snstypes.MessageAttributeValue{DataType: aws.String("Number"), StringValue: aws.String(v)}
	}
	arr := func(v string) snstypes.MessageAttributeValue {
		return snstypes.MessageAttributeValue{DataType: aws.String("String.Array"), StringValue: aws.String(v)}
	}
	publish := func(msg string, attrs map[string]snstypes.MessageAttributeValue) {
		t.Helper()
		if _, err := c.Publish(ctx, &sns.PublishInput{TopicArn: &topic, Message: &msg, MessageAttributes: attrs}); err != nil {
			t.Fatal(err)
		}
	}
	publish("a1", map[string]snstypes.MessageAttributeValue{"color": str("red"), "price": num("11"), "sizes": arr(`["S","M"]`)})
	publish("a2", map[string]snstypes.MessageAttributeValue{"color": str("blue"), "price": num("1.1e2"), "sizes": arr(`["M"]`)})
	publish("a3", map[string]snstypes.MessageAttributeValue{"color": str("green"), "price": num("11"), "sizes": arr(`["M"]`)})
	publish("a4", map[string]snstypes.MessageAttributeValue{"color": str("red"), "price": num("10"), "sizes": arr(`["M"]`)})
	publish("a5", map[string]snstypes.MessageAttributeValue{"color": str("red"), "price": str("11"), "sizes": arr(`["M"]`)})
	publish("a6", map[string]snstypes.MessageAttributeValue{"color": {DataType: aws.String("Binary"), BinaryValue: []byte("red")}, "price": num("11"), "sizes": arr(`["M"]`)})
	publish(`{"order":{"kind":"book","total":150}}`, nil)
	publish(`{"order":{"kind":"book","total":50}}`, nil)
	publish(`{"order":{"kind":"pen","total":150}}`, nil)
	publish(`not json`, nil)

	bodies := func(ms []sqstypes.Message) []string {
		var out []string
		for _, m := range ms {
			out = append(out, envelope(t, aws.ToString(m.Body))["Message"].(string))
		}
		sort.Strings(out)
		return out
	}
	if got := bodies(receiveAll(t, q, attrURL, 2)); strings.Join(got, " ") != "a1 a2" {
		t.Errorf("attribute filter delivered %v, want a1 a2", got)
	}
	if got := bodies(receiveAll(t, q, bodyURL, 1)); got[0] != `{"order":{"kind":"book","total":150}}` {
		t.Errorf("body filter delivered %v", got)
	}
	receiveAll(t, q, allURL, 10)

	// Invalid policies, in Subscribe's and SetSubscriptionAttributes'
	// words.
	_, err := c.Subscribe(ctx, &sns.SubscribeInput{TopicArn: &topic, Protocol: aws.String("sqs"), Endpoint: &allARN,
		Attributes: map[string]string{"FilterPolicy": `{"a":"b"}`}})
	wantSNSError(t, "Subscribe with a bad policy", err, "InvalidParameter", "Invalid parameter: Attributes Reason: FilterPolicy: \"a\" must be an object or an array")
	_, err = c.SetSubscriptionAttributes(ctx, &sns.SetSubscriptionAttributesInput{SubscriptionArn: &bodySub,
		AttributeName: aws.String("FilterPolicy"), AttributeValue: aws.String(`{"a":[`)})
	wantSNSError(t, "SetSubscriptionAttributes with bad JSON", err, "InvalidParameter", "Invalid parameter: FilterPolicy: failed to parse JSON.")
	_, err = c.SetSubscriptionAttributes(ctx, &sns.SetSubscriptionAttributesInput{SubscriptionArn: &bodySub,
		AttributeName: aws.String("FilterPolicyScope"), AttributeValue: aws.String("MessageAttributes")})
	wantSNSError(t, "a nested policy under MessageAttributes", err, "InvalidParameter", "Invalid parameter: Filter policy scope MessageAttributes does not support nested filter policy")
	_, err = c.SetSubscriptionAttributes(ctx, &sns.SetSubscriptionAttributesInput{SubscriptionArn: &bodySub,
		AttributeName: aws.String("FilterPolicyScope"), AttributeValue: aws.String("Body")})
	wantSNSError(t, "an unknown scope", err, "InvalidParameter", "Invalid parameter: FilterPolicyScope: Invalid value [Body]. Please use either MessageBody or MessageAttributes")

	// Replacing the policy changes what the subscription gets.
	if _, err := c.SetSubscriptionAttributes(ctx, &sns.SetSubscriptionAttributesInput{SubscriptionArn: &bodySub,
		AttributeName: aws.String("FilterPolicy"), AttributeValue: aws.String(`{"order":{"kind":["pen"]}}`)}); err != nil {
		t.Fatal(err)
	}
	got, _ := c.GetSubscriptionAttributes(ctx, &sns.GetSubscriptionAttributesInput{SubscriptionArn: &bodySub})
	if got.Attributes["FilterPolicy"] != `{"order":{"kind":["pen"]}}` || got.Attributes["FilterPolicyScope"] != "MessageBody" {
		t.Errorf("subscription attributes: %v", got.Attributes)
	}
	publish(`{"order":{"kind":"pen","total":1}}`, nil)
	if got := bodies(receiveAll(t, q, bodyURL, 1)); got[0] != `{"order":{"kind":"pen","total":1}}` {
		t.Errorf("after the policy changed: %v", got)
	}
}

func TestSNSFIFO(t *testing.T) {
	t.Parallel()
	env := Start(t)
	c, q := snsClient(env), sqsClient(env)
	ctx := context.Background()

	topic := createTopic(t, c, "ledger.fifo", map[string]string{"FifoTopic": "true"})
	url, queueARN := queueFor(t, q, "ledger.fifo", map[string]string{"FifoQueue": "true"})
	stdURL, stdARN := queueFor(t, q, "ledger-copy", nil)
	subscribeQueue(t, c, topic, queueARN, map[string]string{"RawMessageDelivery": "true"})
	subscribeQueue(t, c, topic, stdARN, nil)

	var ids, seqs []string
	for i := range 5 {
		out, err := c.Publish(ctx, &sns.PublishInput{TopicArn: &topic, Message: aws.String(fmt.Sprint("entry-", i)),
			MessageGroupId: aws.String("account-1"), MessageDeduplicationId: aws.String(fmt.Sprint("d", i))})
		if err != nil {
			t.Fatal(err)
		}
		ids, seqs = append(ids, aws.ToString(out.MessageId)), append(seqs, aws.ToString(out.SequenceNumber))
	}
	for i := 1; i < len(seqs); i++ {
		if len(seqs[i]) != 20 || seqs[i] <= seqs[i-1] {
			t.Errorf("sequence numbers %v do not grow", seqs)
		}
	}
	// A repeated deduplication id within five minutes is the same message.
	again, err := c.Publish(ctx, &sns.PublishInput{TopicArn: &topic, Message: aws.String("entry-2 again"),
		MessageGroupId: aws.String("account-1"), MessageDeduplicationId: aws.String("d2")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(again.MessageId) != ids[2] || aws.ToString(again.SequenceNumber) != seqs[2] {
		t.Errorf("duplicate publish = %s/%s, want %s/%s", aws.ToString(again.MessageId), aws.ToString(again.SequenceNumber), ids[2], seqs[2])
	}

	got := receiveAll(t, q, url, 5)
	for i, m := range got {
		if aws.ToString(m.Body) != fmt.Sprint("entry-", i) {
			t.Errorf("message %d = %q: out of order", i, aws.ToString(m.Body))
		}
		if m.Attributes["MessageGroupId"] != "account-1" || m.Attributes["MessageDeduplicationId"] != fmt.Sprint("d", i) {
			t.Errorf("message %d attributes: %v", i, m.Attributes)
		}
	}
	copies := receiveAll(t, q, stdURL, 5)
	e := envelope(t, aws.ToString(copies[0].Body))
	if _, ok := e["SequenceNumber"]; !ok {
		t.Errorf("a FIFO envelope without SequenceNumber: %v", e)
	}

	_, err = c.Publish(ctx, &sns.PublishInput{TopicArn: &topic, Message: aws.String("x"), MessageDeduplicationId: aws.String("d")})
	wantSNSError(t, "no group id", err, "InvalidParameter", "Invalid parameter: The MessageGroupId parameter is required for FIFO topics")
	_, err = c.Publish(ctx, &sns.PublishInput{TopicArn: &topic, Message: aws.String("x"), MessageGroupId: aws.String("g")})
	wantSNSError(t, "no deduplication id", err, "InvalidParameter", "Invalid parameter: The topic should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly")
	_, err = c.Subscribe(ctx, &sns.SubscribeInput{TopicArn: &topic, Protocol: aws.String("lambda"), Endpoint: aws.String("arn:aws:lambda:us-east-1:000000000000:function:f")})
	wantSNSError(t, "lambda on a FIFO topic", err, "InvalidParameter", "Invalid parameter: Invalid protocol type: lambda")
	std := createTopic(t, c, "ledger-std", nil)
	_, err = c.Subscribe(ctx, &sns.SubscribeInput{TopicArn: &std, Protocol: aws.String("sqs"), Endpoint: &queueARN})
	wantSNSError(t, "a FIFO queue on a standard topic", err, "InvalidParameter", "Invalid parameter: Invalid parameter: Endpoint Reason: FIFO SQS Queues can not be subscribed to standard SNS topics")
	_, err = c.Publish(ctx, &sns.PublishInput{TopicArn: &std, Message: aws.String("x"), MessageDeduplicationId: aws.String("d")})
	wantSNSError(t, "a deduplication id on a standard topic", err, "InvalidParameter", "Invalid parameter: MessageDeduplicationId Reason: The request includes MessageDeduplicationId parameter that is not valid for this topic type")

	// Content-based deduplication hashes the body.
	cbd := createTopic(t, c, "hashed.fifo", map[string]string{"FifoTopic": "true", "ContentBasedDeduplication": "true"})
	first, err := c.Publish(ctx, &sns.PublishInput{TopicArn: &cbd, Message: aws.String("same"), MessageGroupId: aws.String("g")})
	if err != nil {
		t.Fatal(err)
	}
	second, err := c.Publish(ctx, &sns.PublishInput{TopicArn: &cbd, Message: aws.String("same"), MessageGroupId: aws.String("g")})
	if err != nil || aws.ToString(second.MessageId) != aws.ToString(first.MessageId) {
		t.Errorf("content-based duplicate: %v %v", second, err)
	}
}

// snsEndpoint is an HTTP subscriber: it confirms its subscription by
// fetching SubscribeURL and records what it is sent, answering
// notifications with status.
type snsEndpoint struct {
	*httptest.Server
	status int

	mu       sync.Mutex
	requests []snsRequest
	arrived  chan struct{}
}

type snsRequest struct {
	header http.Header
	body   string
}

func newSNSEndpoint(t testing.TB, status int) *snsEndpoint {
	e := &snsEndpoint{status: status, arrived: make(chan struct{}, 100)}
	e.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		e.mu.Lock()
		e.requests = append(e.requests, snsRequest{header: r.Header.Clone(), body: string(body)})
		e.mu.Unlock()
		if r.Header.Get("x-amz-sns-message-type") == "SubscriptionConfirmation" {
			var m struct{ SubscribeURL string }
			json.Unmarshal(body, &m)
			res, err := http.Get(m.SubscribeURL)
			if err != nil || res.StatusCode != 200 {
				t.Errorf("fetching SubscribeURL %s: %v %v", m.SubscribeURL, res, err)
			}
			if res != nil {
				res.Body.Close()
			}
			w.WriteHeader(200)
		} else {
			w.WriteHeader(e.status)
		}
		e.arrived <- struct{}{}
	}))
	t.Cleanup(e.Close)
	return e
}

// wait waits until n requests arrived in all.
func (e *snsEndpoint) wait(t testing.TB, n int) []snsRequest {
	t.Helper()
	timeout := time.After(30 * time.Second)
	for {
		e.mu.Lock()
		got := len(e.requests)
		e.mu.Unlock()
		if got >= n {
			e.mu.Lock()
			defer e.mu.Unlock()
			return append([]snsRequest(nil), e.requests...)
		}
		select {
		case <-e.arrived:
		case <-timeout:
			t.Fatalf("endpoint got %d requests, want %d", got, n)
		}
	}
}

func TestSNSToHTTP(t *testing.T) {
	t.Parallel()
	env := Start(t)
	c := snsClient(env)
	ctx := context.Background()
	topic := createTopic(t, c, "hooks", nil)
	ep := newSNSEndpoint(t, 200)

	out, err := c.Subscribe(ctx, &sns.SubscribeInput{TopicArn: &topic, Protocol: aws.String("http"), Endpoint: aws.String(ep.URL + "/hook")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.SubscriptionArn) != "pending confirmation" {
		t.Errorf("Subscribe of an HTTP endpoint = %q", aws.ToString(out.SubscriptionArn))
	}
	conf := ep.wait(t, 1)[0]
	var cm map[string]any
	if err := json.Unmarshal([]byte(conf.body), &cm); err != nil {
		t.Fatal(err)
	}
	wantKeys := []string{"Message", "MessageId", "Signature", "SignatureVersion", "SigningCertURL", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"}
	if k := keysOf(cm); strings.Join(k, ",") != strings.Join(wantKeys, ",") {
		t.Errorf("confirmation keys = %v, want %v", k, wantKeys)
	}
	if cm["Type"] != "SubscriptionConfirmation" || cm["TopicArn"] != topic ||
		cm["Message"] != "You have chosen to subscribe to the topic "+topic+".\nTo confirm the subscription, visit the SubscribeURL included in this message." ||
		cm["SubscribeURL"] != env.Endpoint+"/?Action=ConfirmSubscription&TopicArn="+topic+"&Token="+cm["Token"].(string) {
		t.Errorf("confirmation = %v", cm)
	}
	for k, want := range map[string]string{"Content-Type": "text/plain; charset=UTF-8", "User-Agent": "Amazon Simple Notification Service Agent",
		"X-Amz-Sns-Message-Type": "SubscriptionConfirmation", "X-Amz-Sns-Topic-Arn": topic, "X-Amz-Sns-Message-Id": cm["MessageId"].(string)} {
		if got := conf.header.Get(k); got != want {
			t.Errorf("confirmation header %s = %q, want %q", k, got, want)
		}
	}
	if conf.header.Get("X-Amz-Sns-Subscription-Arn") != "" {
		t.Error("a confirmation carries x-amz-sns-subscription-arn")
	}

	// Once the endpoint has fetched SubscribeURL the subscription is
	// confirmed.
	var subARN string
	deadline := time.Now().Add(10 * time.Second)
	for subARN == "" && time.Now().Before(deadline) {
		list, err := c.ListSubscriptionsByTopic(ctx, &sns.ListSubscriptionsByTopicInput{TopicArn: &topic})
		if err != nil {
			t.Fatal(err)
		}
		if a := aws.ToString(list.Subscriptions[0].SubscriptionArn); a != "PendingConfirmation" {
			subARN = a
		} else {
			time.Sleep(20 * time.Millisecond) // waiting for the endpoint's GET, not timing it
		}
	}
	attrs, err := c.GetSubscriptionAttributes(ctx, &sns.GetSubscriptionAttributesInput{SubscriptionArn: &subARN})
	if err != nil {
		t.Fatal(err)
	}
	if attrs.Attributes["PendingConfirmation"] != "false" || attrs.Attributes["ConfirmationWasAuthenticated"] != "false" ||
		!strings.Contains(attrs.Attributes["EffectiveDeliveryPolicy"], `"healthyRetryPolicy":{"minDelayTarget":20`) {
		t.Errorf("confirmed subscription attributes: %v", attrs.Attributes)
	}
	// Confirming again with the token is idempotent.
	again, err := c.ConfirmSubscription(ctx, &sns.ConfirmSubscriptionInput{TopicArn: &topic, Token: aws.String(cm["Token"].(string))})
	if err != nil || aws.ToString(again.SubscriptionArn) != subARN {
		t.Errorf("ConfirmSubscription again = %v, %v", again, err)
	}

	pub, err := c.Publish(ctx, &sns.PublishInput{TopicArn: &topic, Message: aws.String("ping"), Subject: aws.String("s"),
		MessageAttributes: map[string]snstypes.MessageAttributeValue{"k": {DataType: aws.String("String"), StringValue: aws.String("v")}}})
	if err != nil {
		t.Fatal(err)
	}
	n := ep.wait(t, 2)[1]
	for k, want := range map[string]string{"Content-Type": "text/plain; charset=UTF-8", "User-Agent": "Amazon Simple Notification Service Agent",
		"X-Amz-Sns-Message-Type": "Notification", "X-Amz-Sns-Topic-Arn": topic, "X-Amz-Sns-Message-Id": aws.ToString(pub.MessageId),
		"X-Amz-Sns-Subscription-Arn": subARN} {
		if got := n.header.Get(k); got != want {
			t.Errorf("notification header %s = %q, want %q", k, got, want)
		}
	}
	nm := envelope(t, n.body)
	if nm["Type"] != "Notification" || nm["Message"] != "ping" || nm["Subject"] != "s" ||
		fmt.Sprint(nm["MessageAttributes"]) != "map[k:map[Type:String Value:v]]" {
		t.Errorf("notification = %v", nm)
	}

	// Raw delivery adds x-amz-sns-rawdelivery and sends the bare message.
	if _, err := c.SetSubscriptionAttributes(ctx, &sns.SetSubscriptionAttributesInput{SubscriptionArn: &subARN,
		AttributeName: aws.String("RawMessageDelivery"), AttributeValue: aws.String("True")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Publish(ctx, &sns.PublishInput{TopicArn: &topic, Message: aws.String("raw ping")}); err != nil {
		t.Fatal(err)
	}
	r := ep.wait(t, 3)[2]
	if r.body != "raw ping" || r.header.Get("X-Amz-Sns-Rawdelivery") != "true" {
		t.Errorf("raw notification: %q %v", r.body, r.header)
	}
}

func TestSNSHTTPRetriesEndInDeadLetterQueue(t *testing.T) {
	t.Parallel()
	env := Start(t)
	c, q := snsClient(env), sqsClient(env)
	ctx := context.Background()
	topic := createTopic(t, c, "flaky", nil)
	dlqURL, dlqARN := queueFor(t, q, "flaky-dlq", nil)
	ep := newSNSEndpoint(t, http.StatusServiceUnavailable)

	out, err := c.Subscribe(ctx, &sns.SubscribeInput{TopicArn: &topic, Protocol: aws.String("http"), Endpoint: aws.String(ep.URL),
		ReturnSubscriptionArn: true, Attributes: map[string]string{
			"RedrivePolicy":  `{"deadLetterTargetArn":"` + dlqARN + `"}`,
			"DeliveryPolicy": `{"healthyRetryPolicy":{"numRetries":2,"minDelayTarget":1,"maxDelayTarget":1}}`,
		}})
	if err != nil {
		t.Fatal(err)
	}
	sub := aws.ToString(out.SubscriptionArn)
	if !strings.HasPrefix(sub, topic+":") {
		t.Fatalf("ReturnSubscriptionArn gave %q", sub)
	}
	ep.wait(t, 1)
	deadline := time.Now().Add(10 * time.Second)
	for {
		a, err := c.GetSubscriptionAttributes(ctx, &sns.GetSubscriptionAttributesInput{SubscriptionArn: &sub})
		if err != nil {
			t.Fatal(err)
		}
		if a.Attributes["PendingConfirmation"] == "false" {
			if !strings.HasPrefix(a.Attributes["EffectiveDeliveryPolicy"], `{"healthyRetryPolicy":{"minDelayTarget":1,"maxDelayTarget":1,"numRetries":2,`) {
				t.Errorf("EffectiveDeliveryPolicy = %s", a.Attributes["EffectiveDeliveryPolicy"])
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the subscription was not confirmed")
		}
		time.Sleep(20 * time.Millisecond) // waiting for the endpoint's GET, not timing it
	}

	pub, err := c.Publish(ctx, &sns.PublishInput{TopicArn: &topic, Message: aws.String("doomed")})
	if err != nil {
		t.Fatal(err)
	}
	dead := receiveAll(t, q, dlqURL, 1)[0]
	e := envelope(t, aws.ToString(dead.Body))
	if e["Message"] != "doomed" || e["MessageId"] != aws.ToString(pub.MessageId) {
		t.Errorf("dead letter body: %v", e)
	}
	if code := aws.ToString(dead.MessageAttributes["ErrorCode"].StringValue); code == "" {
		t.Errorf("dead letter attributes: %v", dead.MessageAttributes)
	}
	// One attempt and two retries, all with the same message id.
	reqs := ep.wait(t, 4)
	if len(reqs) != 4 {
		t.Fatalf("endpoint got %d requests, want the confirmation and 3 attempts", len(reqs))
	}
	for _, r := range reqs[1:] {
		if r.header.Get("X-Amz-Sns-Message-Id") != aws.ToString(pub.MessageId) {
			t.Errorf("retry with message id %s", r.header.Get("X-Amz-Sns-Message-Id"))
		}
	}
}

func TestSNSSubscriptions(t *testing.T) {
	t.Parallel()
	env := Start(t)
	c, q := snsClient(env), sqsClient(env)
	ctx := context.Background()
	topic := createTopic(t, c, "people", nil)
	other := createTopic(t, c, "others", nil)
	_, queueARN := queueFor(t, q, "people-q", nil)

	first := subscribeQueue(t, c, topic, queueARN, nil)
	if again := subscribeQueue(t, c, topic, queueARN, nil); again != first {
		t.Errorf("subscribing the same queue twice gave %s and %s", first, again)
	}
	_, err := c.Subscribe(ctx, &sns.SubscribeInput{TopicArn: &topic, Protocol: aws.String("sqs"), Endpoint: &queueARN,
		Attributes: map[string]string{"RawMessageDelivery": "true"}})
	wantSNSError(t, "the same queue with other attributes", err, "InvalidParameter", "Invalid parameter: Attributes Reason: Subscription already exists with different attributes")

	email, err := c.Subscribe(ctx, &sns.SubscribeInput{TopicArn: &topic, Protocol: aws.String("email"), Endpoint: aws.String("someone@example.com")})
	if err != nil || aws.ToString(email.SubscriptionArn) != "pending confirmation" {
		t.Errorf("email Subscribe = %v, %v", email, err)
	}
	sms, err := c.Subscribe(ctx, &sns.SubscribeInput{TopicArn: &topic, Protocol: aws.String("sms"), Endpoint: aws.String("+15555550100")})
	if err != nil || !strings.HasPrefix(aws.ToString(sms.SubscriptionArn), topic+":") {
		t.Errorf("sms Subscribe = %v, %v", sms, err)
	}
	lam, err := c.Subscribe(ctx, &sns.SubscribeInput{TopicArn: &other, Protocol: aws.String("lambda"), Endpoint: aws.String("arn:aws:lambda:us-east-1:000000000000:function:f")})
	if err != nil {
		t.Fatal(err)
	}

	byTopic, err := c.ListSubscriptionsByTopic(ctx, &sns.ListSubscriptionsByTopicInput{TopicArn: &topic})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, s := range byTopic.Subscriptions {
		got[aws.ToString(s.Protocol)] = aws.ToString(s.SubscriptionArn)
		if aws.ToString(s.TopicArn) != topic || aws.ToString(s.Owner) != "000000000000" {
			t.Errorf("listed subscription %+v", s)
		}
	}
	if len(got) != 3 || got["email"] != "PendingConfirmation" || got["sqs"] != first || got["sms"] != aws.ToString(sms.SubscriptionArn) {
		t.Errorf("ListSubscriptionsByTopic = %v", got)
	}
	all, err := c.ListSubscriptions(ctx, &sns.ListSubscriptionsInput{})
	if err != nil || len(all.Subscriptions) != 4 || all.NextToken != nil {
		t.Errorf("ListSubscriptions = %d subscriptions, %v", len(all.Subscriptions), err)
	}
	attrs, _ := c.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: &topic})
	if attrs.Attributes["SubscriptionsConfirmed"] != "2" || attrs.Attributes["SubscriptionsPending"] != "1" {
		t.Errorf("topic counts: %v", attrs.Attributes)
	}

	// Subscription attributes.
	_, err = c.SetSubscriptionAttributes(ctx, &sns.SetSubscriptionAttributesInput{SubscriptionArn: lam.SubscriptionArn,
		AttributeName: aws.String("RawMessageDelivery"), AttributeValue: aws.String("true")})
	wantSNSError(t, "raw delivery to Lambda", err, "InvalidParameter", "Invalid parameter: Delivery protocol [lambda] does not support raw message delivery.")
	_, err = c.SetSubscriptionAttributes(ctx, &sns.SetSubscriptionAttributesInput{SubscriptionArn: &first,
		AttributeName: aws.String("RawMessageDelivery"), AttributeValue: aws.String("yes")})
	wantSNSError(t, "raw delivery yes", err, "InvalidParameter", "Invalid parameter: RawMessageDelivery: Invalid value [yes]. Must be true or false.")
	_, err = c.SetSubscriptionAttributes(ctx, &sns.SetSubscriptionAttributesInput{SubscriptionArn: &first,
		AttributeName: aws.String("Colour"), AttributeValue: aws.String("blue")})
	wantSNSError(t, "an unknown attribute", err, "InvalidParameter", "Invalid parameter: AttributeName")
	_, err = c.SetSubscriptionAttributes(ctx, &sns.SetSubscriptionAttributesInput{SubscriptionArn: &first,
		AttributeName: aws.String("RedrivePolicy"), AttributeValue: aws.String(`{"deadLetterTargetArn":"nope"}`)})
	wantSNSError(t, "a bad dead-letter ARN", err, "InvalidParameter", "Invalid parameter: RedrivePolicy: deadLetterTargetArn is an invalid arn")
	_, err = c.Subscribe(ctx, &sns.SubscribeInput{TopicArn: &topic, Protocol: aws.String("sqs"), Endpoint: &queueARN,
		Attributes: map[string]string{"RedrivePolicy": "{"}})
	wantSNSError(t, "Subscribe with bad JSON", err, "InvalidParameter", "Invalid parameter: Attributes Reason: RedrivePolicy: failed to parse JSON.")
	_, err = c.Subscribe(ctx, &sns.SubscribeInput{TopicArn: &topic, Protocol: aws.String("sqs"), Endpoint: aws.String("https://example.com/q")})
	wantSNSError(t, "an SQS endpoint that is no ARN", err, "InvalidParameter", "Invalid parameter: SQS endpoint ARN")
	_, err = c.Subscribe(ctx, &sns.SubscribeInput{TopicArn: &topic, Protocol: aws.String("http"), Endpoint: aws.String("https://example.com/q")})
	wantSNSError(t, "https endpoint for http", err, "InvalidParameter", "Invalid parameter: Endpoint must match the specified protocol")
	_, err = c.Subscribe(ctx, &sns.SubscribeInput{TopicArn: &topic, Protocol: aws.String("carrier-pigeon"), Endpoint: aws.String("coop")})
	wantSNSError(t, "an unknown protocol", err, "InvalidParameter", "Invalid parameter: Amazon SNS does not support this protocol string: carrier-pigeon")
	_, err = c.Subscribe(ctx, &sns.SubscribeInput{TopicArn: aws.String("arn:aws:sns:us-east-1:000000000000:nope"), Protocol: aws.String("sqs"), Endpoint: &queueARN})
	wantSNSError(t, "a missing topic", err, "NotFound", "Topic does not exist")
	_, err = c.ConfirmSubscription(ctx, &sns.ConfirmSubscriptionInput{TopicArn: &topic, Token: aws.String("00ff")})
	wantSNSError(t, "an unknown token", err, "InvalidParameter", "Invalid parameter: Token")
	_, err = c.GetSubscriptionAttributes(ctx, &sns.GetSubscriptionAttributesInput{SubscriptionArn: aws.String("nope")})
	wantSNSError(t, "a malformed subscription ARN", err, "InvalidParameter", "Invalid parameter: SubscriptionArn Reason: An ARN must have at least 6 elements, not 1")

	// Deleting the topic deletes its subscriptions.
	if _, err := c.DeleteTopic(ctx, &sns.DeleteTopicInput{TopicArn: &topic}); err != nil {
		t.Fatal(err)
	}
	all, _ = c.ListSubscriptions(ctx, &sns.ListSubscriptionsInput{})
	if len(all.Subscriptions) != 1 || aws.ToString(all.Subscriptions[0].SubscriptionArn) != aws.ToString(lam.SubscriptionArn) {
		t.Errorf("after DeleteTopic: %+v", all.Subscriptions)
	}
}

func TestSNSValidationErrors(t *testing.T) {
	t.Parallel()
	env := Start(t)
	c := snsClient(env)
	ctx := context.Background()
	topic := createTopic(t, c, "strict", nil)
	big := strings.Repeat("x", 262145)
	for _, tc := range []struct {
		what      string
		in        *sns.PublishInput
		code, msg string
	}{
		{"no target", &sns.PublishInput{Message: aws.String("m")}, "InvalidParameter",
			"Invalid parameter: TopicArn or TargetArn Reason: no value for required parameter"},
		{"empty message", &sns.PublishInput{TopicArn: &topic, Message: aws.String("")}, "InvalidParameter", "Invalid parameter: Empty message"},
		{"message too long", &sns.PublishInput{TopicArn: &topic, Message: &big}, "InvalidParameter", "Invalid parameter: Message too long"},
		{"message and attributes too long", &sns.PublishInput{TopicArn: &topic, Message: aws.String(big[:262140]),
			MessageAttributes: map[string]snstypes.MessageAttributeValue{"abc": {DataType: aws.String("String"), StringValue: aws.String("v")}}},
			"InvalidParameter", "Invalid parameter: Message too long"},
		{"empty subject", &sns.PublishInput{TopicArn: &topic, Message: aws.String("m"), Subject: aws.String("")}, "InvalidParameter", "Invalid parameter: Subject"},
		{"long subject", &sns.PublishInput{TopicArn: &topic, Message: aws.String("m"), Subject: aws.String(strings.Repeat("s", 101))}, "InvalidParameter", "Invalid parameter: Subject"},
		{"subject with a line break", &sns.PublishInput{TopicArn: &topic, Message: aws.String("m"), Subject: aws.String("a\nb")}, "InvalidParameter", "Invalid parameter: Subject"},
		{"malformed topic ARN", &sns.PublishInput{TopicArn: aws.String("strict"), Message: aws.String("m")}, "InvalidParameter",
			"Invalid parameter: TopicArn Reason: An ARN must have at least 6 elements, not 1"},
		{"subscription ARN as topic", &sns.PublishInput{TopicArn: aws.String(topic + ":0b4f8e3c-8f3e-4b0a-9c7e-3f1f2d1e0a9b"), Message: aws.String("m")},
			"InvalidParameter", "Invalid parameter: Topic Name"},
		{"missing topic", &sns.PublishInput{TopicArn: aws.String("arn:aws:sns:us-east-1:000000000000:gone"), Message: aws.String("m")}, "NotFound", "Topic does not exist"},
		{"platform endpoint", &sns.PublishInput{TargetArn: aws.String("arn:aws:sns:us-east-1:000000000000:endpoint/GCM/app/1"), Message: aws.String("m")},
			"InvalidParameter", "Invalid parameter: TargetArn Reason: No endpoint found for the target arn specified"},
		{"bad phone number", &sns.PublishInput{PhoneNumber: aws.String("12345"), Message: aws.String("m")}, "InvalidParameter",
			"Invalid parameter: PhoneNumber Reason: 12345 is not valid to publish to"},
		{"structure without default", &sns.PublishInput{TopicArn: &topic, MessageStructure: aws.String("json"), Message: aws.String(`{"sqs":"x"}`)},
			"InvalidParameter", "Invalid parameter: Message Structure - No default entry in JSON message body"},
		{"structure not JSON", &sns.PublishInput{TopicArn: &topic, MessageStructure: aws.String("json"), Message: aws.String(`{"default":`)},
			"InvalidParameter", "Invalid parameter: Message Structure - JSON message body failed to parse"},
		{"attribute type", &sns.PublishInput{TopicArn: &topic, Message: aws.String("m"), MessageAttributes: map[string]snstypes.MessageAttributeValue{
			"a": {DataType: aws.String("Text"), StringValue: aws.String("v")}}}, "ParameterValueInvalid",
			"The message attribute 'a' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String."},
		{"attribute number", &sns.PublishInput{TopicArn: &topic, Message: aws.String("m"), MessageAttributes: map[string]snstypes.MessageAttributeValue{
			"price": {DataType: aws.String("Number"), StringValue: aws.String("cheap")}}}, "ParameterValueInvalid",
			"Could not cast message attribute 'price' value to number."},
		{"attribute empty value", &sns.PublishInput{TopicArn: &topic, Message: aws.String("m"), MessageAttributes: map[string]snstypes.MessageAttributeValue{
			"a": {DataType: aws.String("String"), StringValue: aws.String("")}}}, "ParameterValueInvalid",
			"The message attribute 'a' must contain non-empty message attribute value for message attribute type 'String'."},
		{"attribute wrong field", &sns.PublishInput{TopicArn: &topic, Message: aws.String("m"), MessageAttributes: map[string]snstypes.MessageAttributeValue{
			"a": {DataType: aws.String("Binary"), StringValue: aws.String("x")}}}, "ParameterValueInvalid",
			"The message attribute 'a' with type 'Binary' must use field 'Binary'."},
		{"attribute name", &sns.PublishInput{TopicArn: &topic, Message: aws.String("m"), MessageAttributes: map[string]snstypes.MessageAttributeValue{
			"a..b": {DataType: aws.String("String"), StringValue: aws.String("x")}}}, "ParameterValueInvalid",
			"Message attribute name can not have successive '.' character."},
		{"attribute name character", &sns.PublishInput{TopicArn: &topic, Message: aws.String("m"), MessageAttributes: map[string]snstypes.MessageAttributeValue{
			"a b": {DataType: aws.String("String"), StringValue: aws.String("x")}}}, "ParameterValueInvalid",
			"Invalid non-alphanumeric character '#x20' was found in the message attribute name. Can only include alphanumeric characters, hyphens, underscores, or dots."},
	} {
		_, err := c.Publish(ctx, tc.in)
		wantSNSError(t, tc.what, err, tc.code, tc.msg)
	}
	_, err := c.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: aws.String("arn:aws:sqs:us-east-1:000000000000:q")})
	wantSNSError(t, "an SQS ARN as topic", err, "InvalidParameter", "Invalid parameter: TopicArn")
	_, err = c.Unsubscribe(ctx, &sns.UnsubscribeInput{SubscriptionArn: aws.String("arn:aws")})
	wantSNSError(t, "a short subscription ARN", err, "InvalidParameter", "Invalid parameter: SubscriptionArn Reason: An ARN must have at least 6 elements, not 2")
	// A phone number publish is accepted and recorded.
	if out, err := c.Publish(ctx, &sns.PublishInput{PhoneNumber: aws.String("+15555550100"), Message: aws.String("code 1234")}); err != nil || aws.ToString(out.MessageId) == "" {
		t.Errorf("Publish to a phone number: %v %v", out, err)
	}
}

// TestSNSPhoneNumberFormats: SNS takes a phone number written with
// hyphens or spaces between its digits, as its publish example writes
// one, and still refuses what is no E.164 number once they are removed.
func TestSNSPhoneNumberFormats(t *testing.T) {
	t.Parallel()
	env := Start(t)
	RequireTool(t, AWSCLI)
	r := env.CLI(t, "sns", "publish", "--phone-number", "+1-555-555-0100", "--message", "Hello world!")
	var out struct{ MessageId string }
	if r.ExitCode != 0 || json.Unmarshal([]byte(r.Stdout), &out) != nil || out.MessageId == "" {
		t.Fatalf("publish to +1-555-555-0100: %+v", r)
	}
	c := snsClient(env)
	ctx := context.Background()
	if _, err := c.Publish(ctx, &sns.PublishInput{PhoneNumber: aws.String("+1 555 555 0100"), Message: aws.String("m")}); err != nil {
		t.Errorf("publish to +1 555 555 0100: %v", err)
	}
	_, err := c.Publish(ctx, &sns.PublishInput{PhoneNumber: aws.String("1-555-555-0100"), Message: aws.String("m")})
	wantSNSError(t, "no plus sign", err, "InvalidParameter", "Invalid parameter: PhoneNumber Reason: 1-555-555-0100 is not valid to publish to")
	_, err = c.Publish(ctx, &sns.PublishInput{PhoneNumber: aws.String("+1-555-CALL-NOW"), Message: aws.String("m")})
	wantSNSError(t, "letters", err, "InvalidParameter", "Invalid parameter: PhoneNumber Reason: +1-555-CALL-NOW is not valid to publish to")
	topic := createTopic(t, c, "texts", nil)
	if _, err := c.Subscribe(ctx, &sns.SubscribeInput{TopicArn: &topic, Protocol: aws.String("sms"), Endpoint: aws.String("+63-123-456-7890")}); err != nil {
		t.Errorf("subscribe +63-123-456-7890: %v", err)
	}
}

func TestSNSPublishBatch(t *testing.T) {
	t.Parallel()
	env := Start(t)
	c, q := snsClient(env), sqsClient(env)
	ctx := context.Background()
	topic := createTopic(t, c, "batched", nil)
	url, queueARN := queueFor(t, q, "batched-q", nil)
	subscribeQueue(t, c, topic, queueARN, map[string]string{"RawMessageDelivery": "true"})

	out, err := c.PublishBatch(ctx, &sns.PublishBatchInput{TopicArn: &topic, PublishBatchRequestEntries: []snstypes.PublishBatchRequestEntry{
		{Id: aws.String("one"), Message: aws.String("m1")},
		{Id: aws.String("two"), Message: aws.String("m2"), MessageAttributes: map[string]snstypes.MessageAttributeValue{
			"n": {DataType: aws.String("Number"), StringValue: aws.String("NaN-ish")}}},
		{Id: aws.String("three"), Message: aws.String("m3"), Subject: aws.String("sub")},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Successful) != 2 || aws.ToString(out.Successful[0].Id) != "one" || aws.ToString(out.Successful[1].Id) != "three" ||
		aws.ToString(out.Successful[0].MessageId) == "" {
		t.Errorf("Successful = %+v", out.Successful)
	}
	if len(out.Failed) != 1 || aws.ToString(out.Failed[0].Id) != "two" || aws.ToString(out.Failed[0].Code) != "ParameterValueInvalid" ||
		!out.Failed[0].SenderFault || aws.ToString(out.Failed[0].Message) != "Could not cast message attribute 'n' value to number." {
		t.Errorf("Failed = %+v", out.Failed)
	}
	var bodies []string
	for _, m := range receiveAll(t, q, url, 2) {
		bodies = append(bodies, aws.ToString(m.Body))
	}
	sort.Strings(bodies)
	if strings.Join(bodies, ",") != "m1,m3" {
		t.Errorf("delivered %v", bodies)
	}

	entries := func(ids ...string) []snstypes.PublishBatchRequestEntry {
		var out []snstypes.PublishBatchRequestEntry
		for _, id := range ids {
			out = append(out, snstypes.PublishBatchRequestEntry{Id: aws.String(id), Message: aws.String("m")})
		}
		return out
	}
	eleven := make([]string, 11)
	for i := range eleven {
		eleven[i] = fmt.Sprint("e", i)
	}
	for _, tc := range []struct {
		what      string
		entries   []snstypes.PublishBatchRequestEntry
		code, msg string
	}{
		{"eleven entries", entries(eleven...), "TooManyEntriesInBatchRequest", "The batch request contains more entries than permissible."},
		{"repeated ids", entries("a", "b", "a"), "BatchEntryIdsNotDistinct", "Two or more batch entries in the request have the same Id."},
		{"bad id", entries("a b"), "InvalidBatchEntryId", "The Id of a batch entry in a batch request doesn't abide by the specification."},
		{"too long", []snstypes.PublishBatchRequestEntry{{Id: aws.String("a"), Message: aws.String(strings.Repeat("x", 200000))},
			{Id: aws.String("b"), Message: aws.String(strings.Repeat("x", 100000))}}, "BatchRequestTooLong", ""},
	} {
		_, err := c.PublishBatch(ctx, &sns.PublishBatchInput{TopicArn: &topic, PublishBatchRequestEntries: tc.entries})
		wantSNSError(t, tc.what, err, tc.code, tc.msg)
	}
	_, err = c.PublishBatch(ctx, &sns.PublishBatchInput{TopicArn: &topic, PublishBatchRequestEntries: []snstypes.PublishBatchRequestEntry{}})
	wantSNSError(t, "no entries", err, "EmptyBatchRequest", "")

	// A FIFO batch keeps its order and gets sequence numbers.
	fifo := createTopic(t, c, "batched.fifo", map[string]string{"FifoTopic": "true", "ContentBasedDeduplication": "true"})
	fifoURL, fifoARN := queueFor(t, q, "batched.fifo", map[string]string{"FifoQueue": "true"})
	subscribeQueue(t, c, fifo, fifoARN, map[string]string{"RawMessageDelivery": "true"})
	var fe []snstypes.PublishBatchRequestEntry
	for i := range 10 {
		fe = append(fe, snstypes.PublishBatchRequestEntry{Id: aws.String(fmt.Sprint("i", i)), Message: aws.String(fmt.Sprint(i)), MessageGroupId: aws.String("g")})
	}
	fout, err := c.PublishBatch(ctx, &sns.PublishBatchInput{TopicArn: &fifo, PublishBatchRequestEntries: fe})
	if err != nil || len(fout.Successful) != 10 || aws.ToString(fout.Successful[9].SequenceNumber) == "" {
		t.Fatalf("FIFO batch: %+v %v", fout, err)
	}
	for i, m := range receiveAll(t, q, fifoURL, 10) {
		if aws.ToString(m.Body) != fmt.Sprint(i) {
			t.Errorf("FIFO batch message %d = %s", i, aws.ToString(m.Body))
		}
	}
}

// TestSNSPublishSurvivesRestart publishes to a queue subscriber, stops
// virga, and finds the message after a start on the same data directory,
// with the subscription still delivering.
func TestSNSPublishSurvivesRestart(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	onDisk := WithConfig(func(c *config.Config) { c.InMemory, c.DataDir = false, dir })
	env := Start(t, onDisk)
	c, q := snsClient(env), sqsClient(env)
	ctx := context.Background()
	topic := createTopic(t, c, "durable", nil)
	_, queueARN := queueFor(t, q, "durable-q", nil)
	subscribeQueue(t, c, topic, queueARN, map[string]string{"RawMessageDelivery": "true"})
	if _, err := c.Publish(ctx, &sns.PublishInput{TopicArn: &topic, Message: aws.String("before")}); err != nil {
		t.Fatal(err)
	}
	sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := env.App.Shutdown(sctx); err != nil {
		t.Fatal(err)
	}

	env = Start(t, onDisk)
	c, q = snsClient(env), sqsClient(env)
	got, err := q.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("durable-q")})
	if err != nil {
		t.Fatal(err)
	}
	url := aws.ToString(got.QueueUrl)
	if m := receiveAll(t, q, url, 1); aws.ToString(m[0].Body) != "before" {
		t.Errorf("after the restart the queue holds %q", aws.ToString(m[0].Body))
	}
	if _, err := c.Publish(ctx, &sns.PublishInput{TopicArn: &topic, Message: aws.String("after")}); err != nil {
		t.Fatal(err)
	}
	if m := receiveAll(t, q, url, 1); aws.ToString(m[0].Body) != "after" {
		t.Errorf("the subscription delivered %q after the restart", aws.ToString(m[0].Body))
	}
}
