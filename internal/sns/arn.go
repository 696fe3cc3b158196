package sns

import (
	"net/url"
	"strings"
)

// ARNs name every SNS resource: a topic is arn:aws:sns:REGION:ACCOUNT:NAME
// and a subscription arn:aws:sns:REGION:ACCOUNT:TOPIC:ID. The parsers here
// are pure so that they can be fuzzed; the service checks the region and
// account against its own.

// arnFields is an ARN split at its colons: the five fixed fields and the
// resource, which may hold colons of its own.
type arnFields struct {
	Partition, Service, Region, Account, Resource string
}

// splitARN splits an ARN and reports how many colon-separated elements it
// has, the number AWS quotes when there are fewer than six.
func splitARN(s string) (arnFields, int, bool) {
	parts := strings.SplitN(s, ":", 6)
	n := strings.Count(s, ":") + 1
	if len(parts) < 6 || parts[0] != "arn" {
		return arnFields{}, n, false
	}
	return arnFields{Partition: parts[1], Service: parts[2], Region: parts[3], Account: parts[4], Resource: parts[5]}, n, true
}

// topicRef is a topic as an ARN names it.
type topicRef struct {
	Region, Account, Name string
}

// parseTopicARN parses a topic ARN given as the parameter param
// ("TopicArn", "TargetArn", "ResourceArn"), with SNS's errors for a
// malformed one.
func parseTopicARN(param, s string) (topicRef, error) {
	f, n, ok := splitARN(s)
	if n < 6 {
		return topicRef{}, invalidParameter("%s Reason: An ARN must have at least 6 elements, not %d", param, n)
	}
	if !ok || f.Service != "sns" {
		return topicRef{}, invalidParameter("%s", param)
	}
	if !validTopicName(f.Resource, strings.HasSuffix(f.Resource, fifoSuffix)) {
		// A subscription ARN given as a topic lands here too: AWS answers
		// it with the same words.
		return topicRef{}, invalidParameter("Topic Name")
	}
	return topicRef{Region: f.Region, Account: f.Account, Name: f.Resource}, nil
}

// subscriptionRef is a subscription as an ARN names it.
type subscriptionRef struct {
	Region, Account, Topic, ID string
}

// parseSubscriptionARN parses a subscription ARN. ok is false for an ARN
// that is well formed but cannot name a subscription (a topic ARN, say),
// which the operations treat as one that does not exist.
func parseSubscriptionARN(s string) (ref subscriptionRef, ok bool, err error) {
	f, n, well := splitARN(s)
	if n < 6 {
		return subscriptionRef{}, false, invalidParameter("SubscriptionArn Reason: An ARN must have at least 6 elements, not %d", n)
	}
	if !well || f.Service != "sns" {
		return subscriptionRef{}, false, invalidParameter("SubscriptionArn")
	}
	topic, id, found := strings.Cut(f.Resource, ":")
	if !found || id == "" || strings.Contains(id, ":") {
		return subscriptionRef{}, false, nil
	}
	return subscriptionRef{Region: f.Region, Account: f.Account, Topic: topic, ID: id}, true, nil
}

// isQueueARN reports whether s is an SQS queue ARN.
func isQueueARN(s string) bool {
	f, _, ok := splitARN(s)
	return ok && f.Service == "sqs" && f.Region != "" && f.Account != "" &&
		f.Resource != "" && !strings.Contains(f.Resource, ":")
}

// isFunctionARN reports whether s is a Lambda function ARN, with or
// without a version or alias.
func isFunctionARN(s string) bool {
	f, _, ok := splitARN(s)
	if !ok || f.Service != "lambda" || f.Region == "" || f.Account == "" {
		return false
	}
	parts := strings.Split(f.Resource, ":")
	if len(parts) < 2 || len(parts) > 3 || parts[0] != "function" {
		return false
	}
	for _, p := range parts[1:] {
		if p == "" {
			return false
		}
	}
	return true
}

// isFirehoseARN reports whether s is a Firehose delivery stream ARN.
func isFirehoseARN(s string) bool {
	f, _, ok := splitARN(s)
	return ok && f.Service == "firehose" && strings.HasPrefix(f.Resource, "deliverystream/") &&
		len(f.Resource) > len("deliverystream/")
}

// isPlatformEndpointARN reports whether s is an SNS mobile platform
// endpoint ARN (arn:aws:sns:REGION:ACCOUNT:endpoint/PLATFORM/APP/ID).
func isPlatformEndpointARN(s string) bool {
	f, _, ok := splitARN(s)
	return ok && f.Service == "sns" && strings.HasPrefix(f.Resource, "endpoint/")
}

// isHTTPEndpoint reports whether s is an absolute URL of the protocol's
// scheme ("http" or "https") with a host.
func isHTTPEndpoint(protocol, s string) bool {
	u, err := url.Parse(s)
	return err == nil && u.Scheme == protocol && u.Host != "" && u.User == nil
}

// phoneNumber is the E.164 number s writes, and whether it is one: SNS
// takes a number written with hyphens or spaces between its digits
// ("+1-555-555-0100", as its publish example writes it) as the number
// without them.
func phoneNumber(s string) (string, bool) {
	n := strings.NewReplacer("-", "", " ", "").Replace(s)
	return n, isPhoneNumber(n)
}

// isPhoneNumber reports whether s is an E.164 phone number: a plus sign
// and up to 15 digits, the first not zero.
func isPhoneNumber(s string) bool {
	if len(s) < 3 || len(s) > 16 || s[0] != '+' || s[1] == '0' {
		return false
	}
	for i := 1; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// isEmailAddress is the loose check AWS makes of an email endpoint: some
// text, an at sign, and a domain.
func isEmailAddress(s string) bool {
	local, domain, ok := strings.Cut(s, "@")
	return ok && local != "" && domain != "" && !strings.ContainsAny(s, " \t\r\n") &&
		!strings.Contains(domain, "@")
}
