package s3

import (
	"context"
	"encoding/base64"
	"errors"
	"strings"

	"github.com/virga/virga/internal/deliver"
)

// Bucket notification configuration (PutBucketNotificationConfiguration,
// GetBucketNotificationConfiguration): which events of a bucket's
// objects go to which Lambda functions, SQS queues and SNS topics, and
// whether they also go to EventBridge. notify.go delivers them.

// notificationEvents are the event types S3 publishes ("Supported event
// types for SQS, SNS, and Lambda"). virga raises the ObjectCreated and
// ObjectRemoved ones; the others are accepted, as S3 accepts them, and
// never raised.
var notificationEvents = map[string]bool{
	"s3:TestEvent":                                     false,
	"s3:ObjectCreated:*":                               true,
	"s3:ObjectCreated:Put":                             true,
	"s3:ObjectCreated:Post":                            true,
	"s3:ObjectCreated:Copy":                            true,
	"s3:ObjectCreated:CompleteMultipartUpload":         true,
	"s3:ObjectRemoved:*":                               true,
	"s3:ObjectRemoved:Delete":                          true,
	"s3:ObjectRemoved:DeleteMarkerCreated":             true,
	"s3:ObjectRestore:*":                               true,
	"s3:ObjectRestore:Post":                            true,
	"s3:ObjectRestore:Completed":                       true,
	"s3:ObjectRestore:Delete":                          true,
	"s3:ReducedRedundancyLostObject":                   true,
	"s3:Replication:*":                                 true,
	"s3:Replication:OperationFailedReplication":        true,
	"s3:Replication:OperationMissedThreshold":          true,
	"s3:Replication:OperationReplicatedAfterThreshold": true,
	"s3:Replication:OperationNotTracked":               true,
	"s3:LifecycleExpiration:*":                         true,
	"s3:LifecycleExpiration:Delete":                    true,
	"s3:LifecycleExpiration:DeleteMarkerCreated":       true,
	"s3:LifecycleTransition":                           true,
	"s3:IntelligentTiering":                            true,
	"s3:ObjectTagging:*":                               true,
	"s3:ObjectTagging:Put":                             true,
	"s3:ObjectTagging:Delete":                          true,
	"s3:ObjectAcl:Put":                                 true,
}

// maxFilterValueBytes is the longest prefix or suffix a filter rule may
// have: a key's length.
const maxFilterValueBytes = 1024

// The messages S3 answers an invalid configuration with.
const (
	msgOverlap          = "Configurations overlap. Configurations on the same bucket cannot share a common event type."
	msgUnsupportedEvent = "The event is not supported for notifications"
	msgFilterRuleName   = "filter rule name must be either prefix or suffix"
	msgFilterValueSize  = "Size of filter rule value cannot exceed 1024 bytes in UTF-8 representation"
	msgUnvalidated      = "Unable to validate the following destination configurations"
)

// destination is one configuration of a notification configuration,
// whatever its kind.
type destination struct {
	kind   string // "lambda", "queue" or "topic"
	id     *string
	arn    string
	events []string
	filter *NotificationConfigurationFilter
}

// destinations lists a configuration's destinations, functions first,
// then queues, then topics.
func destinations(c *NotificationConfiguration) []destination {
	if c == nil {
		return nil
	}
	var out []destination
	for i := range c.LambdaFunctionConfigurations {
		l := &c.LambdaFunctionConfigurations[i]
		out = append(out, destination{"lambda", l.Id, strDeref(l.LambdaFunctionArn), l.Events, l.Filter})
	}
	for i := range c.QueueConfigurations {
		q := &c.QueueConfigurations[i]
		out = append(out, destination{"queue", q.Id, strDeref(q.QueueArn), q.Events, q.Filter})
	}
	for i := range c.TopicConfigurations {
		t := &c.TopicConfigurations[i]
		out = append(out, destination{"topic", t.Id, strDeref(t.TopicArn), t.Events, t.Filter})
	}
	return out
}

// keyFilter is a configuration's prefix and suffix ("" when absent).
type keyFilter struct{ prefix, suffix string }

func filterOf(f *NotificationConfigurationFilter) keyFilter {
	var k keyFilter
	if f == nil || f.Key == nil {
		return k
	}
	for _, r := range f.Key.FilterRules {
		switch strings.ToLower(strDeref(r.Name)) {
		case "prefix":
			k.prefix = strDeref(r.Value)
		case "suffix":
			k.suffix = strDeref(r.Value)
		}
	}
	return k
}

// matches reports whether a key passes the filter.
func (k keyFilter) matches(key string) bool {
	return strings.HasPrefix(key, k.prefix) && strings.HasSuffix(key, k.suffix)
}

// overlaps reports whether some key could pass both filters: S3's rule
// ("Examples of valid notification configurations with object key name
// filtering") is that two prefixes overlap when one starts the other,
// two suffixes when one ends the other, and an absent one overlaps
// everything; filters overlap when both their prefixes and their
// suffixes do.
func (k keyFilter) overlaps(o keyFilter) bool {
	prefixes := strings.HasPrefix(k.prefix, o.prefix) || strings.HasPrefix(o.prefix, k.prefix)
	suffixes := strings.HasSuffix(k.suffix, o.suffix) || strings.HasSuffix(o.suffix, k.suffix)
	return prefixes && suffixes
}

// eventsOverlap reports whether two event types name a common event:
// equal, or one a wildcard ("s3:ObjectCreated:*") over the other.
func eventsOverlap(a, b string) bool {
	if a == b {
		return true
	}
	if p, ok := strings.CutSuffix(a, "*"); ok && strings.HasPrefix(b, p) {
		return true
	}
	if p, ok := strings.CutSuffix(b, "*"); ok && strings.HasPrefix(a, p) {
		return true
	}
	return false
}

// eventMatches reports whether a configured event type covers an event
// name as S3 raises it (without the "s3:" prefix).
func eventMatches(configured, name string) bool {
	return eventsOverlap(configured, "s3:"+name)
}

// validateNotification checks a configuration as S3 does before it
// looks at the destinations: event types, filter rules, overlaps. It
// gives configurations without an Id one, and writes filter rule names
// as S3 returns them ("Prefix", "Suffix").
func (s *Service) validateNotification(c *NotificationConfiguration) error {
	dests := destinations(c)
	for _, d := range dests {
		if d.arn == "" {
			return ErrMalformedXML
		}
		if len(d.events) == 0 {
			return ErrMalformedXML
		}
		for _, e := range d.events {
			if _, ok := notificationEvents[e]; !ok || e == "s3:TestEvent" {
				return invalidArgument("Event", e, msgUnsupportedEvent)
			}
		}
		if err := validateFilter(d.filter); err != nil {
			return err
		}
	}
	for i := range dests {
		for j := i + 1; j < len(dests); j++ {
			if !filterOf(dests[i].filter).overlaps(filterOf(dests[j].filter)) {
				continue
			}
			for _, a := range dests[i].events {
				for _, b := range dests[j].events {
					if eventsOverlap(a, b) {
						return ErrInvalidArgument.WithMessage(msgOverlap)
					}
				}
			}
		}
	}
	for i := range c.LambdaFunctionConfigurations {
		s.ensureID(&c.LambdaFunctionConfigurations[i].Id)
	}
	for i := range c.QueueConfigurations {
		s.ensureID(&c.QueueConfigurations[i].Id)
	}
	for i := range c.TopicConfigurations {
		s.ensureID(&c.TopicConfigurations[i].Id)
	}
	return nil
}

// validateFilter checks a filter's rules: at most one prefix and one
// suffix, each no longer than a key.
func validateFilter(f *NotificationConfigurationFilter) error {
	if f == nil || f.Key == nil {
		return nil
	}
	seen := map[string]bool{}
	for i := range f.Key.FilterRules {
		r := &f.Key.FilterRules[i]
		name := strings.ToLower(strDeref(r.Name))
		if name != "prefix" && name != "suffix" {
			return invalidArgument("FilterRule", strDeref(r.Name), msgFilterRuleName)
		}
		if seen[name] {
			return invalidArgument("FilterRule", strDeref(r.Name), "Cannot specify more than one "+name+" rule in a filter.")
		}
		seen[name] = true
		if len(strDeref(r.Value)) > maxFilterValueBytes {
			return invalidArgument("FilterRule", strDeref(r.Value), msgFilterValueSize)
		}
		shown := strings.ToUpper(name[:1]) + name[1:]
		r.Name = &shown
		if r.Value == nil {
			r.Value = strptr("")
		}
	}
	return nil
}

// ensureID gives a configuration without an Id one, as S3 does: an
// opaque string (S3's look like base64).
func (s *Service) ensureID(id **string) {
	if *id != nil && **id != "" {
		return
	}
	v := base64.RawStdEncoding.EncodeToString([]byte(s.ids.UUID()))
	*id = &v
}

// destinationDetails name, in S3's error, the destinations that could
// not be validated: ArgumentName1 is the first one's ARN and
// ArgumentValue1 why, and so on.
type destinationDetails struct {
	ArgumentName1, ArgumentValue1 *string
	ArgumentName2, ArgumentValue2 *string
	ArgumentName3, ArgumentValue3 *string
}

// checkDestinations is S3's validation of a new configuration's
// destinations: a function must exist and its policy let S3 invoke it
// for the bucket, and each queue and topic must let S3 send to it (with
// --auth iam, which enforces policies) and take S3's test event
// (s3:TestEvent), which is sent now.
func (s *Service) checkDestinations(ctx context.Context, bucket string, c *NotificationConfiguration) error {
	var failed [][2]string
	var tested = map[string]bool{}
	for _, d := range destinations(c) {
		var why string
		switch d.kind {
		case "lambda":
			if deliver.Service(d.arn) != "lambda" || s.functionExists == nil || !s.functionExists(d.arn) {
				why = "The destination Lambda function does not exist"
			} else if !s.allows(ctx, d.arn, bucket) {
				why = "Not authorized to invoke function [" + d.arn + "]"
			}
		case "queue", "topic":
			if tested[d.arn] {
				continue
			}
			tested[d.arn] = true
			want := map[string]string{"queue": "sqs", "topic": "sns"}[d.kind]
			if deliver.Service(d.arn) != want || s.targets == nil {
				why = "The destination " + d.kind + " does not exist"
				break
			}
			if !s.allows(ctx, d.arn, bucket) {
				why = "Permissions on the destination " + d.kind + " do not allow S3 to publish notifications from this bucket"
				break
			}
			if err := s.targets.Deliver(ctx, d.arn, deliver.Message{Body: s.testEvent(ctx, bucket), Subject: notificationSubject}); err != nil {
				why = "The destination " + d.kind + " does not exist"
			}
		}
		if why != "" {
			failed = append(failed, [2]string{d.arn, why})
		}
	}
	if len(failed) == 0 {
		return nil
	}
	var det destinationDetails
	slots := []*[2]*string{{}, {}, {}}
	for i, f := range failed {
		if i == len(slots) {
			break
		}
		slots[i][0], slots[i][1] = strptr(f[0]), strptr(f[1])
	}
	det.ArgumentName1, det.ArgumentValue1 = slots[0][0], slots[0][1]
	det.ArgumentName2, det.ArgumentValue2 = slots[1][0], slots[1][1]
	det.ArgumentName3, det.ArgumentValue3 = slots[2][0], slots[2][1]
	return ErrInvalidArgument.WithMessage(msgUnvalidated).WithDetails(&det)
}

// sender is S3 sending a bucket's event notifications: a queue, topic or
// function's resource-based policy must allow s3.amazonaws.com, usually
// with the bucket as aws:SourceArn and its owner as aws:SourceAccount.
func (s *Service) sender(bucket string) *deliver.Sender {
	return &deliver.Sender{Principal: "s3.amazonaws.com", SourceARN: "arn:aws:s3:::" + bucket, SourceAccount: s.account}
}

// allows reports whether the destination's policy lets S3 send to it
// for the bucket; always, unless policies are enforced.
func (s *Service) allows(ctx context.Context, target, bucket string) bool {
	if s.permitted == nil {
		return true
	}
	return !errors.Is(s.permitted(ctx, target, *s.sender(bucket)), deliver.ErrNotAuthorized)
}

// testEvent is the message S3 sends a queue or topic when a
// configuration names it.
func (s *Service) testEvent(ctx context.Context, bucket string) []byte {
	req := requestInfoOf(ctx)
	return mustJSON(struct {
		Service   string
		Event     string
		Time      string
		Bucket    string
		RequestID string `json:"RequestId"`
		HostID    string `json:"HostId"`
	}{"Amazon S3", "s3:TestEvent", s.clock.Now().UTC().Format(eventTimeLayout), bucket, req.requestID, req.hostID})
}

// eventTimeLayout is how S3 writes an event's time: ISO 8601 with
// milliseconds.
const eventTimeLayout = "2006-01-02T15:04:05.000Z"

func (s *Service) putBucketNotificationConfiguration(ctx context.Context, in *PutBucketNotificationConfigurationRequest) (*struct{}, error) {
	c := in.NotificationConfiguration
	if c == nil {
		c = &NotificationConfiguration{}
	}
	if _, err := s.bucket(s.store, *in.Bucket); err != nil {
		return nil, err
	}
	if err := s.validateNotification(c); err != nil {
		return nil, err
	}
	if in.SkipDestinationValidation == nil || !*in.SkipDestinationValidation {
		if err := s.checkDestinations(ctx, *in.Bucket, c); err != nil {
			return nil, err
		}
	}
	empty := len(destinations(c)) == 0 && c.EventBridgeConfiguration == nil
	return nil, s.updateBucket(*in.Bucket, func(b *bucketRecord) error {
		if empty {
			b.Notification = nil
		} else {
			b.Notification = c
		}
		return nil
	})
}

func (s *Service) getBucketNotificationConfiguration(_ context.Context, in *GetBucketNotificationConfigurationRequest) (*NotificationConfiguration, error) {
	b, err := s.bucket(s.store, *in.Bucket)
	if err != nil {
		return nil, err
	}
	if b.Notification == nil {
		return &NotificationConfiguration{}, nil
	}
	return b.Notification, nil
}
