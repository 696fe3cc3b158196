package sns

import (
	"encoding/json"
	"strconv"
	"strings"
	"sync"
	"time"
)

// fifoSuffix ends every FIFO topic's name.
const fifoSuffix = ".fifo"

// topic is a topic and its subscriptions. rec, policy and subs are
// guarded by the service's mu; lastSeq and dedup by publishMu.
type topic struct {
	// name, arn and fifo never change.
	name   string
	arn    string
	fifo   bool
	rec    topicRecord
	policy topicHTTPPolicy // the parsed DeliveryPolicy
	subs   map[string]*subscription
	// unsubscribed holds the HTTP/S subscriptions unsubscribed in the
	// last two days, by id, which their UnsubscribeConfirmation token
	// restores.
	unsubscribed map[string]subscriptionRecord

	// publishMu makes a FIFO topic's publishes one at a time, so that
	// messages reach queues in the order of their sequence numbers and a
	// deduplication id is checked and recorded as one step.
	publishMu sync.Mutex
	lastSeq   uint64
	dedup     map[string]dedupEntry
}

// dedupEntry is a remembered deduplication id.
type dedupEntry struct {
	messageID, sequence string
	expires             time.Time
}

func (s *Service) newTopic(r topicRecord) *topic {
	t := &topic{name: r.Name, rec: r, arn: s.topicARN(r.Name), fifo: r.Attributes["FifoTopic"] == "true",
		subs: map[string]*subscription{}, unsubscribed: map[string]subscriptionRecord{}, dedup: map[string]dedupEntry{}}
	if p := r.Attributes["DeliveryPolicy"]; p != "" {
		// Checked when it was set; a policy that no longer parses leaves
		// the defaults in force.
		t.policy, _ = parseTopicPolicy(p)
	}
	return t
}

func (s *Service) topicARN(name string) string {
	return "arn:aws:sns:" + s.region + ":" + s.account + ":" + name
}

// validTopicName applies SNS's naming rule: 1 to 256 letters, digits,
// hyphens and underscores, and for a FIFO topic ".fifo" at the end
// (counted in the 256).
func validTopicName(name string, fifo bool) bool {
	base := name
	if fifo {
		base = strings.TrimSuffix(name, fifoSuffix)
		if base == name {
			return false
		}
	}
	if base == "" || len(name) > maxTopicNameLength {
		return false
	}
	for i := 0; i < len(base); i++ {
		c := base[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// feedbackAttributes are the delivery status logging attributes, which
// virga accepts and reports back but does not act on.
var feedbackAttributes = func() map[string]bool {
	m := map[string]bool{}
	for _, p := range []string{"Application", "Firehose", "HTTP", "Lambda", "SQS"} {
		for _, a := range []string{"SuccessFeedbackRoleArn", "SuccessFeedbackSampleRate", "FailureFeedbackRoleArn"} {
			m[p+a] = true
		}
	}
	return m
}()

// checkTopicAttribute checks an attribute CreateTopic or
// SetTopicAttributes sets and returns the value to keep. An empty value
// removes an optional attribute.
func checkTopicAttribute(name, value string, fifo, create bool) (string, error) {
	fifoOnly := func() error {
		if !fifo {
			return invalidParameter("%s Reason: The request includes %s attribute that is not valid for this topic type", name, name)
		}
		return nil
	}
	switch {
	case name == "DisplayName", name == "KmsMasterKeyId":
		return value, nil
	case name == "Policy":
		if value != "" && !isJSONObject(value) {
			return "", invalidParameter("Policy: failed to parse JSON.")
		}
		return value, nil
	case name == "DeliveryPolicy":
		if value == "" {
			return "", nil
		}
		if _, err := parseTopicPolicy(value); err != nil {
			return "", invalidParameter("%s", err.Error())
		}
		return value, nil
	case name == "SignatureVersion":
		if value != "1" && value != "2" {
			return "", invalidParameter("SignatureVersion: Invalid value [%s]. Must be 1 or 2.", value)
		}
		return value, nil
	case name == "TracingConfig":
		if value != "PassThrough" && value != "Active" {
			return "", invalidParameter("TracingConfig: Invalid value [%s]. Must be PassThrough or Active.", value)
		}
		return value, nil
	case name == "FifoTopic" && create:
		if b, ok := parseBool(value); ok {
			return strconv.FormatBool(b), nil
		}
		return "", invalidParameter("FifoTopic: Invalid value [%s]. Must be true or false.", value)
	case name == "ContentBasedDeduplication":
		if err := fifoOnly(); err != nil {
			return "", err
		}
		if b, ok := parseBool(value); ok {
			return strconv.FormatBool(b), nil
		}
		return "", invalidParameter("ContentBasedDeduplication: Invalid value [%s]. Must be true or false.", value)
	case name == "FifoThroughputScope":
		if err := fifoOnly(); err != nil {
			return "", err
		}
		if value != "Topic" && value != "MessageGroup" {
			return "", invalidParameter("FifoThroughputScope: Invalid value [%s]. Must be Topic or MessageGroup.", value)
		}
		return value, nil
	case name == "ArchivePolicy":
		if err := fifoOnly(); err != nil {
			return "", err
		}
		if value != "" && !isJSONObject(value) {
			return "", invalidParameter("ArchivePolicy: failed to parse JSON.")
		}
		return value, nil
	case feedbackAttributes[name]:
		if strings.HasSuffix(name, "SampleRate") {
			if n, err := strconv.Atoi(value); err != nil || n < 0 || n > 100 {
				return "", invalidParameter("%s: Invalid value [%s]. Must be an integer between 0 and 100.", name, value)
			}
		}
		return value, nil
	}
	return "", invalidParameter("AttributeName")
}

// parseBool reads "true" or "false" in any case, as SNS does.
func parseBool(s string) (bool, bool) {
	switch strings.ToLower(s) {
	case "true":
		return true, true
	case "false":
		return false, true
	}
	return false, false
}

// isJSONObject reports whether s is one JSON object.
func isJSONObject(s string) bool {
	var v map[string]json.RawMessage
	return json.Unmarshal([]byte(s), &v) == nil && v != nil
}

// policyStatement and policyDocument shape the default topic policy.
type policyStatement struct {
	Sid       string                       `json:"Sid"`
	Effect    string                       `json:"Effect"`
	Principal map[string]string            `json:"Principal"`
	Action    []string                     `json:"Action"`
	Resource  string                       `json:"Resource"`
	Condition map[string]map[string]string `json:"Condition"`
}

type policyDocument struct {
	Version   string            `json:"Version"`
	ID        string            `json:"Id"`
	Statement []policyStatement `json:"Statement"`
}

// defaultTopicPolicy is the Policy of a topic that was given none: the
// account's principals may use it.
func defaultTopicPolicy(account, arn string) string {
	return compactJSON(policyDocument{
		Version: "2008-10-17", ID: "__default_policy_ID",
		Statement: []policyStatement{{
			Sid: "__default_statement_ID", Effect: "Allow", Principal: map[string]string{"AWS": "*"},
			Action: []string{"SNS:GetTopicAttributes", "SNS:SetTopicAttributes", "SNS:AddPermission",
				"SNS:RemovePermission", "SNS:DeleteTopic", "SNS:Subscribe", "SNS:ListSubscriptionsByTopic", "SNS:Publish"},
			Resource:  arn,
			Condition: map[string]map[string]string{"StringEquals": {"AWS:SourceOwner": account}},
		}},
	})
}

// attributes are GetTopicAttributes' answer. The caller holds s.mu.
func (s *Service) topicAttributes(t *topic) map[string]string {
	confirmed, pending := 0, 0
	for _, sub := range t.subs {
		if sub.rec.Pending {
			pending++
		} else {
			confirmed++
		}
	}
	out := map[string]string{
		"TopicArn":                t.arn,
		"Owner":                   s.account,
		"Policy":                  defaultTopicPolicy(s.account, t.arn),
		"DisplayName":             "",
		"SubscriptionsConfirmed":  strconv.Itoa(confirmed),
		"SubscriptionsPending":    strconv.Itoa(pending),
		"SubscriptionsDeleted":    strconv.Itoa(t.rec.SubscriptionsDeleted),
		"EffectiveDeliveryPolicy": effectiveTopicPolicy(t.policy),
	}
	for k, v := range t.rec.Attributes {
		if k == "FifoTopic" && v != "true" {
			continue
		}
		out[k] = v
	}
	if t.fifo {
		out["FifoTopic"] = "true"
		if out["ContentBasedDeduplication"] == "" {
			out["ContentBasedDeduplication"] = "false"
		}
	}
	return out
}

// signatureVersion is the version a topic's messages are signed with.
func (t *topic) signatureVersion() string {
	if v := t.rec.Attributes["SignatureVersion"]; v != "" {
		return v
	}
	return "1"
}

// contentDedup reports whether a FIFO topic derives deduplication ids
// from message bodies.
func (t *topic) contentDedup() bool { return t.rec.Attributes["ContentBasedDeduplication"] == "true" }
