package sns

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/virga/virga/internal/awsproto/apierr"
)

// errText returns the client-facing message of an SNS error, or "".
func errText(err error) string {
	if e := apierr.As(err); e != nil {
		return e.Code + ": " + e.Message
	}
	if err != nil {
		return err.Error()
	}
	return ""
}

func TestTopicNames(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		fifo bool
		ok   bool
	}{
		{"orders", false, true},
		{"Orders_2-b", false, true},
		{"orders.fifo", true, true},
		{"orders.fifo", false, false},
		{"orders", true, false},
		{".fifo", true, false},
		{"", false, false},
		{"a b", false, false},
		{"ü", false, false},
		{string(make([]byte, 256)), false, false},
		{fmt.Sprintf("%0256d", 0), false, true},
		{fmt.Sprintf("%0251d.fifo", 0), true, true},
		{fmt.Sprintf("%0252d.fifo", 0), true, false},
	} {
		if got := validTopicName(tc.name, tc.fifo); got != tc.ok {
			t.Errorf("validTopicName(%q, %v) = %v", tc.name, tc.fifo, got)
		}
	}
}

func TestParseTopicARN(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ arn, want string }{
		{"arn:aws:sns:us-east-1:000000000000:orders", ""},
		{"arn:aws:sns:eu-west-1:111111111111:orders.fifo", ""},
		{"orders", "InvalidParameter: Invalid parameter: TopicArn Reason: An ARN must have at least 6 elements, not 1"},
		{"arn:aws:sns:us-east-1:orders", "InvalidParameter: Invalid parameter: TopicArn Reason: An ARN must have at least 6 elements, not 5"},
		{"arn:aws:sqs:us-east-1:000000000000:q", "InvalidParameter: Invalid parameter: TopicArn"},
		{"nra:aws:sns:us-east-1:000000000000:q", "InvalidParameter: Invalid parameter: TopicArn"},
		{"arn:aws:sns:us-east-1:000000000000:t:0b4f8e3c", "InvalidParameter: Invalid parameter: Topic Name"},
		{"arn:aws:sns:us-east-1:000000000000:", "InvalidParameter: Invalid parameter: Topic Name"},
	} {
		_, err := parseTopicARN("TopicArn", tc.arn)
		if got := errText(err); got != tc.want {
			t.Errorf("parseTopicARN(%q) = %q, want %q", tc.arn, got, tc.want)
		}
	}
}

func TestSubscriptionAttributes(t *testing.T) {
	t.Parallel()
	const (
		queue     = "arn:aws:sqs:us-east-1:000000000000:q"
		fifoQueue = "arn:aws:sqs:us-east-1:000000000000:q.fifo"
	)
	for _, tc := range []struct {
		protocol string
		fifo     bool
		endpoint string
		current  map[string]string
		set      map[string]string
		want     string // the attributes as JSON, or the error
	}{
		{"sqs", false, queue, nil, map[string]string{"RawMessageDelivery": "TRUE"}, `{"RawMessageDelivery":"true"}`},
		{"sqs", false, queue, map[string]string{"RawMessageDelivery": "true"}, map[string]string{"RawMessageDelivery": "false"}, `{"RawMessageDelivery":"false"}`},
		{"lambda", false, "arn:aws:lambda:us-east-1:000000000000:function:f", nil, map[string]string{"RawMessageDelivery": "false"},
			"InvalidParameter: Invalid parameter: Delivery protocol [lambda] does not support raw message delivery."},
		{"sqs", false, queue, nil, map[string]string{"FilterPolicy": `{"a":["b"]}`}, `{"FilterPolicy":"{\"a\":[\"b\"]}"}`},
		{"sqs", false, queue, map[string]string{"FilterPolicy": `{"a":["b"]}`}, map[string]string{"FilterPolicy": ""}, `{}`},
		// The CLI reference removes a filter policy by setting an empty one.
		{"sqs", false, queue, map[string]string{"FilterPolicy": `{"a":["b"]}`}, map[string]string{"FilterPolicy": "{}"}, `{}`},
		{"sqs", false, queue, nil, map[string]string{"FilterPolicy": " { } "}, `{}`},
		{"sqs", false, queue, map[string]string{"FilterPolicy": `{"a":{"b":["c"]}}`, "FilterPolicyScope": "MessageBody"},
			map[string]string{"FilterPolicyScope": "MessageAttributes"},
			"InvalidParameter: Invalid parameter: Filter policy scope MessageAttributes does not support nested filter policy"},
		{"sqs", false, queue, nil, map[string]string{"FilterPolicy": `{"a":{"b":["c"]}}`, "FilterPolicyScope": "MessageBody"},
			`{"FilterPolicy":"{\"a\":{\"b\":[\"c\"]}}","FilterPolicyScope":"MessageBody"}`},
		{"sqs", false, queue, nil, map[string]string{"FilterPolicy": `[]`}, "InvalidParameter: Invalid parameter: FilterPolicy: Filter is not an object"},
		{"sqs", true, fifoQueue, nil, map[string]string{"RedrivePolicy": `{"deadLetterTargetArn":"` + queue + `"}`},
			"InvalidParameter: Invalid parameter: RedrivePolicy: must use a FIFO queue as DLQ for a FIFO Subscription to a FIFO Topic."},
		{"sqs", true, fifoQueue, nil, map[string]string{"RedrivePolicy": `{"deadLetterTargetArn":"` + fifoQueue + `"}`},
			`{"RedrivePolicy":"{\"deadLetterTargetArn\":\"arn:aws:sqs:us-east-1:000000000000:q.fifo\"}"}`},
		{"sqs", false, queue, nil, map[string]string{"DeliveryPolicy": `{}`},
			"InvalidParameter: Invalid parameter: DeliveryPolicy: Delivery protocol [sqs] does not support delivery policy."},
		{"https", false, "https://h/", nil, map[string]string{"DeliveryPolicy": `{"healthyRetryPolicy":{"numRetries":1000}}`},
			"InvalidParameter: Invalid parameter: DeliveryPolicy: numRetries must be between 0 and 100"},
		{"firehose", false, "arn:aws:firehose:us-east-1:000000000000:deliverystream/s", nil,
			map[string]string{"SubscriptionRoleArn": "arn:aws:iam::000000000000:role/r"}, `{"SubscriptionRoleArn":"arn:aws:iam::000000000000:role/r"}`},
		{"sqs", false, queue, nil, map[string]string{"Colour": "x"}, "InvalidParameter: Invalid parameter: AttributeName"},
	} {
		got, err := checkSubscriptionAttributes(tc.current, tc.set, tc.protocol, tc.fifo, tc.endpoint)
		out := errText(err)
		if err == nil {
			b, _ := json.Marshal(got)
			out = string(b)
		}
		if out != tc.want {
			t.Errorf("%s %v on %v:\n got %s\nwant %s", tc.protocol, tc.set, tc.current, out, tc.want)
		}
	}
	// Subscribe words the same errors with "Attributes Reason: ".
	_, err := checkSubscriptionAttributes(nil, map[string]string{"FilterPolicy": `{"a":"b"}`}, "sqs", false, queue)
	if got := errText(err.(attrError).forSubscribe()); got != `InvalidParameter: Invalid parameter: Attributes Reason: FilterPolicy: "a" must be an object or an array` {
		t.Errorf("Subscribe's wording: %s", got)
	}
}

func TestMessageStructure(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{`{"default":"d","sqs":"q"}`, `map[default:d sqs:q]`},
		{`{"default":"d","http":{"x":1},"lambda":null,"email":7}`, `map[default:d]`},
		{` {"default":""} `, `map[default:]`},
		{`{"sqs":"q"}`, "InvalidParameter: Invalid parameter: Message Structure - No default entry in JSON message body"},
		{`{"default":1}`, "InvalidParameter: Invalid parameter: Message Structure - No default entry in JSON message body"},
		{`{"default":"a","default":"b"}`, "InvalidParameter: Invalid parameter: Message Structure - JSON message body failed to parse"},
		{`{"default":"a"}{}`, "InvalidParameter: Invalid parameter: Message Structure - JSON message body failed to parse"},
		{`["default"]`, "InvalidParameter: Invalid parameter: Message Structure - JSON message body failed to parse"},
		{`plain text`, "InvalidParameter: Invalid parameter: Message Structure - JSON message body failed to parse"},
	} {
		got, err := parseMessageStructure(tc.in)
		out := errText(err)
		if err == nil {
			out = fmt.Sprint(got)
		}
		if out != tc.want {
			t.Errorf("parseMessageStructure(%q) = %s, want %s", tc.in, out, tc.want)
		}
	}
}

func TestFilterValues(t *testing.T) {
	t.Parallel()
	attrs, _, err := checkMessageAttributes(map[string]MessageAttributeValue{
		"s":   {DataType: ptr("String"), StringValue: ptr("red")},
		"n":   {DataType: ptr("Number"), StringValue: ptr(" 1e3 ")},
		"arr": {DataType: ptr("String.Array"), StringValue: ptr(`["a", 2, false, null]`)},
		"bin": {DataType: ptr("Binary"), BinaryValue: []byte{1}},
		"c":   {DataType: ptr("String.custom"), StringValue: ptr("x")},
	})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := json.Marshal(filterValues(attrs))
	if want := `{"arr":["a",2,false,null],"c":"x","n":1e3,"s":"red"}`; string(got) != want {
		t.Errorf("filterValues = %s, want %s", got, want)
	}
	for _, bad := range []string{`[`, `{"a":1}`, `[[1]]`, `"s"`, `[1] x`} {
		if _, err := decodeStringArray(bad); err == nil {
			t.Errorf("decodeStringArray(%q) accepted it", bad)
		}
	}
}
