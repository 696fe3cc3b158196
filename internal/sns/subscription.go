package sns

import (
	"encoding/json"
	"strconv"
	"strings"

	"github.com/virga/virga/internal/awsproto/apierr"
	"github.com/virga/virga/internal/eventpattern"
)

// Protocols SNS knows, and what virga does with each:
//
//	sqs, lambda       confirmed at once; delivered in Go before Publish answers
//	http, https       pending until the endpoint confirms; delivered from the outbox
//	email, email-json pending (virga sends no mail: confirm with the logged token)
//	firehose          confirmed at once; delivered in Go before Publish answers
//	sms, application  confirmed at once; recorded, not delivered
var protocols = map[string]bool{
	"sqs": true, "lambda": true, "http": true, "https": true, "email": true, "email-json": true,
	"sms": true, "application": true, "firehose": true,
}

// pendingARN is what Subscribe and the List operations show for an
// unconfirmed subscription's ARN.
const (
	pendingSubscribeARN = "pending confirmation"
	pendingListARN      = "PendingConfirmation"
)

// subscription is a subscription with its attributes parsed. It is
// replaced, never changed, once published in a topic's table, so that
// Publish can use a snapshot without holding the lock.
type subscription struct {
	rec subscriptionRecord
	arn string
	// filter is the compiled FilterPolicy, nil for none. filterBroken is
	// set when a stored policy no longer compiles: nothing is delivered
	// rather than everything.
	filter       *eventpattern.Pattern
	filterBroken bool
	scopeBody    bool
	raw          bool
	// dlq is the RedrivePolicy's dead-letter queue ARN.
	dlq    string
	policy *subscriptionPolicy // the parsed DeliveryPolicy, nil for none
}

func (s *Service) newSubscription(r subscriptionRecord, t *topic) *subscription {
	sub := &subscription{rec: r, arn: t.arn + ":" + r.ID}
	sub.scopeBody = r.Attributes["FilterPolicyScope"] == "MessageBody"
	sub.raw = r.Attributes["RawMessageDelivery"] == "true"
	if fp := r.Attributes["FilterPolicy"]; fp != "" {
		p, err := eventpattern.Compile([]byte(fp), sub.dialect())
		sub.filter, sub.filterBroken = p, err != nil
	}
	if rp := r.Attributes["RedrivePolicy"]; rp != "" {
		sub.dlq, _ = parseRedrivePolicy(rp)
	}
	if dp := r.Attributes["DeliveryPolicy"]; dp != "" {
		if p, err := parseSubscriptionPolicy(dp); err == nil {
			sub.policy = &p
		}
	}
	return sub
}

func (sub *subscription) dialect() eventpattern.Dialect {
	if sub.scopeBody {
		return eventpattern.SNSMessageBody
	}
	return eventpattern.SNSMessageAttributes
}

// listedARN is the ARN the List operations and Subscribe show.
func (sub *subscription) listedARN() string {
	if sub.rec.Pending {
		return pendingListARN
	}
	return sub.arn
}

// matches reports whether the subscription's filter policy accepts m.
func (sub *subscription) matches(m *message) bool {
	switch {
	case sub.filterBroken:
		return false
	case sub.filter == nil:
		return true
	case sub.scopeBody:
		return sub.filter.Match([]byte(m.textFor(sub.rec.Protocol)))
	default:
		return sub.filter.MatchValue(filterValues(m.Attributes))
	}
}

// subscriptionAttributeNames are the attributes Subscribe and
// SetSubscriptionAttributes accept.
var subscriptionAttributeNames = map[string]bool{
	"DeliveryPolicy": true, "FilterPolicy": true, "FilterPolicyScope": true, "RawMessageDelivery": true,
	"RedrivePolicy": true, "SubscriptionRoleArn": true,
}

// attrError is an invalid subscription attribute. Message is
// SetSubscriptionAttributes' wording, "Invalid parameter: <reason>";
// Subscribe puts "Attributes Reason: " before the reason.
type attrError struct{ err *apierr.Error }

func (e attrError) Error() string { return e.err.Error() }

// forSubscribe words the error as Subscribe does.
func (e attrError) forSubscribe() *apierr.Error {
	reason := strings.TrimPrefix(e.err.Message, "Invalid parameter: ")
	return e.err.WithMessage("Invalid parameter: Attributes Reason: " + reason)
}

func attrErrorf(format string, args ...any) attrError {
	return attrError{invalidParameter(format, args...)}
}

// checkSubscriptionAttributes checks attributes being set on a
// subscription (all of Subscribe's, or SetSubscriptionAttributes' one)
// against the subscription's others, and returns its attributes with them
// applied. current is the subscription's attributes so far; an empty value
// removes an attribute.
func checkSubscriptionAttributes(current, set map[string]string, protocol string, topicFIFO bool, endpoint string) (map[string]string, error) {
	out := make(map[string]string, len(current)+len(set))
	for k, v := range current {
		out[k] = v
	}
	for _, name := range sortedKeys(set) {
		if !subscriptionAttributeNames[name] {
			return nil, attrErrorf("AttributeName")
		}
		v := set[name]
		switch name {
		case "RawMessageDelivery":
			switch protocol {
			case "sqs", "http", "https", "firehose":
			default:
				return nil, attrErrorf("Delivery protocol [%s] does not support raw message delivery.", protocol)
			}
			b, ok := parseBool(v)
			if !ok {
				return nil, attrErrorf("RawMessageDelivery: Invalid value [%s]. Must be true or false.", v)
			}
			v = strconv.FormatBool(b)
		case "FilterPolicy":
			// An empty policy is how AWS's documentation removes one.
			if isEmptyJSONObject(v) {
				v = ""
			}
		case "FilterPolicyScope":
			if v != "MessageAttributes" && v != "MessageBody" {
				return nil, attrErrorf("FilterPolicyScope: Invalid value [%s]. Please use either MessageBody or MessageAttributes", v)
			}
		case "RedrivePolicy":
			if v == "" {
				break
			}
			dlq, err := parseRedrivePolicy(v)
			if err != nil {
				return nil, err
			}
			if topicFIFO && strings.HasSuffix(endpoint, fifoSuffix) && !strings.HasSuffix(dlq, fifoSuffix) {
				return nil, attrErrorf("RedrivePolicy: must use a FIFO queue as DLQ for a FIFO Subscription to a FIFO Topic.")
			}
		case "DeliveryPolicy":
			if v == "" {
				break
			}
			if protocol != "http" && protocol != "https" {
				return nil, attrErrorf("DeliveryPolicy: Delivery protocol [%s] does not support delivery policy.", protocol)
			}
			if _, err := parseSubscriptionPolicy(v); err != nil {
				return nil, attrErrorf("%s", err.Error())
			}
		case "SubscriptionRoleArn":
			if _, _, ok := splitARN(v); !ok {
				return nil, attrErrorf("SubscriptionRoleArn")
			}
		}
		if v == "" {
			delete(out, name)
		} else {
			out[name] = v
		}
	}
	// The filter policy is checked last, against the scope it will have.
	if fp := out["FilterPolicy"]; fp != "" {
		d := eventpattern.SNSMessageAttributes
		if out["FilterPolicyScope"] == "MessageBody" {
			d = eventpattern.SNSMessageBody
		}
		if _, err := eventpattern.Compile([]byte(fp), d); err != nil {
			return nil, attrError{ErrInvalidParameter.WithMessage(err.Error())}
		}
	}
	return out, nil
}

// isEmptyJSONObject reports whether s is a JSON object with no members,
// such as "{}" or "{ }".
func isEmptyJSONObject(s string) bool {
	var m map[string]json.RawMessage
	return json.Unmarshal([]byte(s), &m) == nil && m != nil && len(m) == 0
}

// parseRedrivePolicy returns a RedrivePolicy's dead-letter queue ARN.
func parseRedrivePolicy(s string) (string, error) {
	var p struct {
		DeadLetterTargetArn string `json:"deadLetterTargetArn"`
	}
	if err := json.Unmarshal([]byte(s), &p); err != nil {
		return "", attrErrorf("RedrivePolicy: failed to parse JSON.")
	}
	if !isQueueARN(p.DeadLetterTargetArn) {
		return "", attrErrorf("RedrivePolicy: deadLetterTargetArn is an invalid arn")
	}
	return p.DeadLetterTargetArn, nil
}

// subscriptionAttributes are GetSubscriptionAttributes' answer. The
// caller holds s.mu.
func (s *Service) subscriptionAttributes(t *topic, sub *subscription) map[string]string {
	out := map[string]string{
		"SubscriptionArn":              sub.arn,
		"TopicArn":                     t.arn,
		"Owner":                        sub.rec.Owner,
		"Protocol":                     sub.rec.Protocol,
		"Endpoint":                     sub.rec.Endpoint,
		"ConfirmationWasAuthenticated": strconv.FormatBool(sub.rec.Authenticated),
		"PendingConfirmation":          strconv.FormatBool(sub.rec.Pending),
		"RawMessageDelivery":           strconv.FormatBool(sub.raw),
		"SubscriptionPrincipal":        sub.rec.Principal,
	}
	if out["SubscriptionPrincipal"] == "" {
		out["SubscriptionPrincipal"] = "arn:aws:iam::" + sub.rec.Owner + ":root"
	}
	for k, v := range sub.rec.Attributes {
		out[k] = v
	}
	switch {
	case out["FilterPolicy"] == "":
		// AWS reports the scope only beside a policy.
		delete(out, "FilterPolicyScope")
	case out["FilterPolicyScope"] == "":
		out["FilterPolicyScope"] = "MessageAttributes"
	}
	if sub.rec.Protocol == "http" || sub.rec.Protocol == "https" {
		out["EffectiveDeliveryPolicy"] = compactJSON(effectiveSubscriptionPolicy(t.policy, sub.policy))
	}
	return out
}
